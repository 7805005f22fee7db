# SPDX-License-Identifier: Apache-2.0
"""gen-exported.py DIR - single-operator and small-chain .tflite models of the operators
exported MobileNet v1 files use (MEAN, PAD/PADV2, QUANTIZE, DEQUANTIZE, the SHAPE ->
STRIDED_SLICE -> PACK -> RESHAPE shape arithmetic, per-channel FULLY_CONNECTED and the
same weights as a 1x1 CONV_2D, depthwise multipliers, PAD folded into convolutions),
over a grid of types, shapes and quantizations, written with tests/bad/mktflite.py.
Prints one line per model: FILE (tests/oracle/test-ops-exported.sh runs each on the
TFLite oracle and on our devices). Random weights with seeded quantization; the output
scales are chosen so the outputs spread over the range.
"""
import math, os, random, struct, sys
sys.path.insert(0, os.path.join(os.path.dirname(__file__), '..', 'bad'))
from mktflite import *

out_dir = sys.argv[1]
os.makedirs(out_dir, exist_ok=True)
R = random.Random(2026)


def qparams(t):
    s = R.uniform(0.01, 0.1)
    zp = R.randint(-60, 60) if t == INT8 else R.randint(60, 200)
    return s, zp


def save(name, m, ins, outs):
    path = os.path.join(out_dir, name + '.tflite')
    open(path, 'wb').write(m.build(ins, outs))
    print(path)


def mean(t, keep, same, h, w, c, k):
    m = Model()
    s, zp = qparams(t)
    so, zo = (s, zp) if same else qparams(t)
    x = m.tensor('in', [1, h, w, c], t, scale=[s], zp=[zp])
    a = m.const_i32('axis', [2], [1, 2] if k % 2 else [2, 1])
    y = m.tensor('out', [1, 1, 1, c] if keep else [1, c], t, scale=[so], zp=[zo])
    m.op(MEAN, [x, a], [y], OPT_REDUCER, {0: ('u8', keep)})
    save('mean-%s-keep%d-%s-%dx%dx%d-%d' % ('i8' if t == INT8 else 'u8', keep, 'same' if same else 'diff', h, w, c, k), m, [x], [y])


def conv_weights(m, name, oc, kh, kw, ic, t, depthwise=False, per_channel=True):
    shape = [1, kh, kw, oc] if depthwise else [oc, kh, kw, ic]
    n = oc * kh * kw * (1 if depthwise else ic)
    if t == INT8:
        data = bytes((R.randint(-127, 127)) & 0xff for _ in range(n))
        ws = [R.uniform(0.005, 0.02) for _ in range(oc if per_channel else 1)]
        return m.tensor(name, shape, INT8, data, scale=ws, zp=[0] * len(ws), qdim=3 if depthwise else 0), ws
    data = bytes(R.randint(0, 255) for _ in range(n))
    ws = [R.uniform(0.005, 0.02)]
    return m.tensor(name, shape, UINT8, data, scale=ws, zp=[R.randint(100, 150)]), ws


def bias(m, name, oc, s_in, ws):
    vals = [R.randint(-2000, 2000) for _ in range(oc)]
    scales = [s_in * w for w in ws]
    return m.tensor(name, [oc], INT32, struct.pack('<%di' % oc, *vals), scale=scales, zp=[0] * len(scales))


def out_scale(s_in, ws, depth):
    # the accumulator of random operands has a spread of ~75 * 75 * sqrt(depth)
    return s_in * max(ws) * 75 * 75 * math.sqrt(depth) / 40


def pad_conv(t, pads, dw, stride, h, w, c, oc, act, k, pad_value=None):
    """PAD (or PADV2) then a VALID 3x3 conv / depthwise conv: folded by the loader when
    the pad value is the zero point."""
    m = Model()
    s, zp = qparams(t)
    x = m.tensor('in', [1, h, w, c], t, scale=[s], zp=[zp])
    p = m.const_i32('pads', [4, 2], [0, 0, pads[0], pads[1], pads[2], pads[3], 0, 0])
    ph, pw = h + pads[0] + pads[1], w + pads[2] + pads[3]
    xp = m.tensor('padded', [1, ph, pw, c], t, scale=[s], zp=[zp])
    if pad_value is None:
        m.op(PAD, [x, p], [xp], OPT_PAD, {})
    else:
        cv = m.tensor('pad_value', [], t, bytes([pad_value & 0xff]), scale=[s], zp=[zp])
        m.op(PADV2, [x, p, cv], [xp])
    oh, ow = (ph - 3) // stride + 1, (pw - 3) // stride + 1
    occ = c if dw else oc
    wt, ws = conv_weights(m, 'filter', occ, 3, 3, c, t, depthwise=dw)
    b = bias(m, 'bias', occ, s, ws)
    so = out_scale(s, ws, 9 if dw else 9 * c)
    zo = R.randint(-20, 20) if t == INT8 else R.randint(100, 150)
    y = m.tensor('out', [1, oh, ow, occ], t, scale=[so], zp=[zo])
    if dw:
        m.op(DEPTHWISE_CONV_2D, [xp, wt, b], [y], OPT_DW,
             {0: ('u8', 1), 1: ('i32', stride), 2: ('i32', stride), 3: ('i32', 1), 4: ('u8', act)})
    else:
        m.op(CONV_2D, [xp, wt, b], [y], OPT_CONV, {0: ('u8', 1), 1: ('i32', stride), 2: ('i32', stride), 3: ('u8', act)})
    save('pad%s-%s-%s-%d.%d.%d.%d-s%d-%dx%dx%d-%d' % ('v2' if pad_value is not None else '', 'dw' if dw else 'conv',
                                                  'i8' if t == INT8 else 'u8', *pads, stride, h, w, c, k), m, [x], [y])


def pad_only(t, pads, h, w, c, k, v2):
    m = Model()
    s, zp = qparams(t)
    x = m.tensor('in', [1, h, w, c], t, scale=[s], zp=[zp])
    p = m.const_i32('pads', [4, 2], [0, 0, pads[0], pads[1], pads[2], pads[3], 0, 0])
    y = m.tensor('out', [1, h + pads[0] + pads[1], w + pads[2] + pads[3], c], t, scale=[s], zp=[zp])
    if v2:
        cv = m.tensor('pad_value', [], t, bytes([R.randint(0, 255)]), scale=[s], zp=[zp])
        m.op(PADV2, [x, p, cv], [y])
    else:
        m.op(PAD, [x, p], [y], OPT_PAD, {})
    save('pad%s-only-%s-%d-%d' % ('v2' if v2 else '', 'i8' if t == INT8 else 'u8', h, k), m, [x], [y])


def quantize(tin, tout, k):
    m = Model()
    if tin == FLOAT32:
        x = m.tensor('in', [1, 8, 8, 3], FLOAT32)
    else:
        s, zp = qparams(tin)
        x = m.tensor('in', [1, 8, 8, 3], tin, scale=[s], zp=[zp])
    so, zo = qparams(tout)
    if k == 1 and tin != FLOAT32:   # the TF2 converter's uint8 <-> int8 edge: same scale, zp 128 apart
        so, zo = s, zp + (0 if tout == tin else 128 if tout == UINT8 else -128)
    y = m.tensor('out', [1, 8, 8, 3], tout, scale=[so], zp=[zo])
    m.op(QUANTIZE, [x], [y])
    names = {FLOAT32: 'f32', INT8: 'i8', UINT8: 'u8'}
    save('quantize-%s-%s-%d' % (names[tin], names[tout], k), m, [x], [y])


def dequantize(t, k):
    m = Model()
    s, zp = qparams(t)
    x = m.tensor('in', [1, 10], t, scale=[s], zp=[zp])
    y = m.tensor('out', [1, 10], FLOAT32)
    m.op(DEQUANTIZE, [x], [y])
    save('dequantize-%s-%d' % ('i8' if t == INT8 else 'u8', k), m, [x], [y])


def keras_reshape(t, c, k):
    """MEAN (keep_dims false) -> SHAPE -> STRIDED_SLICE -> PACK -> RESHAPE [1,1,1,C], as
    the Keras export's head does."""
    m = Model()
    s, zp = qparams(t)
    x = m.tensor('in', [1, 3, 3, c], t, scale=[s], zp=[zp])
    a = m.const_i32('axis', [2], [1, 2])
    so, zo = qparams(t)
    y = m.tensor('pooled', [1, c], t, scale=[so], zp=[zo])
    m.op(MEAN, [x, a], [y], OPT_REDUCER, {0: ('u8', 0)})
    sh = m.tensor('shape', [2], INT32)
    m.op(SHAPE, [y], [sh], OPT_SHAPE, {0: ('u8', INT32)})
    b0, b1, st = m.const_i32('begin', [1], [0]), m.const_i32('end', [1], [1]), m.const_i32('strides', [1], [1])
    n = m.tensor('batch', [], INT32)
    m.op(STRIDED_SLICE, [sh, b0, b1, st], [n], OPT_STRIDED_SLICE, {4: ('i32', 1)})
    one, cc = m.const_i32('one', [], [1]), m.const_i32('c', [], [c])
    ns = m.tensor('new_shape', [4], INT32)
    m.op(PACK, [n, one, one, cc], [ns], OPT_PACK, {0: ('i32', 4), 1: ('i32', 0)})
    z = m.tensor('out', [1, 1, 1, c], t, scale=[so], zp=[zo])
    m.op(RESHAPE, [y, ns], [z])
    save('keras-reshape-%s-%d-%d' % ('i8' if t == INT8 else 'u8', c, k), m, [x], [z])


def fc_per_channel(as_conv, depth, units, k):
    """The same int8 per-channel weights as FULLY_CONNECTED (TFLite 2.9 gets it wrong,
    so the test compares ours with the CONV_2D form) or as a 1x1 CONV_2D."""
    rs = random.Random(1000 + k)
    m = Model()
    s, zp = 0.05, rs.randint(-20, 20)
    x = m.tensor('in', [1, 1, 1, depth], INT8, scale=[s], zp=[zp])
    data = bytes(rs.randint(-127, 127) & 0xff for _ in range(units * depth))
    ws = [rs.uniform(0.002, 0.03) for _ in range(units)]
    bv = [rs.randint(-3000, 3000) for _ in range(units)]
    so = out_scale(s, ws, depth)
    if as_conv:
        wt = m.tensor('w', [units, 1, 1, depth], INT8, data, scale=ws, zp=[0] * units, qdim=0)
    else:
        wt = m.tensor('w', [units, depth], INT8, data, scale=ws, zp=[0] * units, qdim=0)
    b = m.tensor('b', [units], INT32, struct.pack('<%di' % units, *bv), scale=[s * w for w in ws], zp=[0] * units)
    y = m.tensor('out', [1, 1, 1, units] if as_conv else [1, units], INT8, scale=[so], zp=[3])
    if as_conv:
        m.op(CONV_2D, [x, wt, b], [y], OPT_CONV, {0: ('u8', 1), 1: ('i32', 1), 2: ('i32', 1), 3: ('u8', 0)})
    else:
        m.op(FULLY_CONNECTED, [x, wt, b], [y], OPT_FC, {0: ('u8', 0)})
    save('fcpc-%s-%d-%d-%d' % ('conv' if as_conv else 'fc', depth, units, k), m, [x], [y])


def dw_mult(t, c, mult, h, stride, k):
    m = Model()
    s, zp = qparams(t)
    x = m.tensor('in', [1, h, h, c], t, scale=[s], zp=[zp])
    wt, ws = conv_weights(m, 'filter', c * mult, 3, 3, c, t, depthwise=True)
    b = bias(m, 'bias', c * mult, s, ws)
    so = out_scale(s, ws, 9)
    zo = R.randint(-20, 20) if t == INT8 else R.randint(100, 150)
    o = (h + stride - 1) // stride
    y = m.tensor('out', [1, o, o, c * mult], t, scale=[so], zp=[zo])
    m.op(DEPTHWISE_CONV_2D, [x, wt, b], [y], OPT_DW,
         {0: ('u8', 0), 1: ('i32', stride), 2: ('i32', stride), 3: ('i32', mult), 4: ('u8', 3)})
    save('dwmult-%s-c%d-m%d-%d-s%d-%d' % ('i8' if t == INT8 else 'u8', c, mult, h, stride, k), m, [x], [y])


k = 0
for t in (INT8, UINT8):
    for keep in (0, 1):
        for same in (0, 1):
            for (h, w, c) in ((7, 7, 32), (3, 3, 256), (1, 1, 8), (5, 3, 20)):
                k += 1
                mean(t, keep, same, h, w, c, k)
for t in (INT8, UINT8):
    for pads, dw, stride, (h, w, c, oc) in (((0, 1, 0, 1), True, 2, (12, 12, 16, 0)), ((1, 1, 1, 1), True, 2, (13, 11, 32, 0)),
                                          ((1, 1, 1, 1), True, 1, (9, 9, 16, 0)), ((2, 0, 0, 2), True, 1, (8, 6, 16, 0)),
                                          ((0, 1, 0, 1), False, 2, (16, 16, 3, 8)), ((1, 1, 1, 1), False, 2, (15, 15, 1, 8)),
                                          ((3, 5, 0, 4), True, 1, (6, 6, 16, 0)), ((1, 2, 2, 1), False, 1, (7, 9, 4, 16))):
        k += 1
        pad_conv(t, pads, dw, stride, h, w, c, oc, 3 if k % 2 else 0, k)
    k += 1
    pad_conv(t, (1, 1, 1, 1), True, 2, 10, 10, 16, 0, 3, k, pad_value=R.randint(0, 255))   # PADV2, not the zp: not folded
    for v2 in (0, 1):
        k += 1
        pad_only(t, (R.randint(0, 3), R.randint(0, 3), R.randint(0, 3), R.randint(0, 3)), 5, 4, 3, k, v2)
for tin, tout in ((FLOAT32, INT8), (FLOAT32, UINT8), (INT8, UINT8), (UINT8, INT8), (INT8, INT8), (UINT8, UINT8)):
    for kk in (1, 2):
        if tin == FLOAT32 and kk == 2:
            continue
        quantize(tin, tout, kk)
for t in (INT8, UINT8):
    dequantize(t, 1)
    for c in (8, 256):
        k += 1
        keras_reshape(t, c, k)
for depth, units in ((256, 2), (1024, 10), (64, 33)):
    k += 1
    fc_per_channel(False, depth, units, k)
    fc_per_channel(True, depth, units, k)
for t in (INT8, UINT8):
    for c, mult, h, stride in ((1, 8, 16, 2), (4, 2, 9, 1), (3, 3, 12, 2)):
        k += 1
        dw_mult(t, c, mult, h, stride, k)
