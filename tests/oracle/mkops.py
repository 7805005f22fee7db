# SPDX-License-Identifier: Apache-2.0
"""mkops.py - single-operator models that mbn-gen does not write, for the oracle tests.

    python3 tests/oracle/mkops.py mean H W C int8|uint8 keep|nokeep IN_SCALE IN_ZP OUT_SCALE OUT_ZP -o F
    python3 tests/oracle/mkops.py quantize N int8|uint8 SCALE ZP -o F         (float32 -> quantized)
    python3 tests/oracle/mkops.py dequantize N int8|uint8 SCALE ZP -o F       (quantized -> float32)
    python3 tests/oracle/mkops.py requantize N int8|uint8 IN_SCALE IN_ZP int8|uint8 OUT_SCALE OUT_ZP -o F
    python3 tests/oracle/mkops.py floats N COUNT SCALE SEED -o F
        COUNT float32 tensors of N values, most of them k + 0.5 (or just off it) times SCALE:
        the ties where QUANTIZE's roundings differ.

Written with tests/bad/mktflite.py (schema v3, field numbers of schema.fbs).
"""
import os
import random
import struct
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'bad'))
import mktflite as T  # noqa: E402


def qtype(s):
    return {'int8': T.INT8, 'uint8': T.UINT8}[s]


def mean(h, w, c, ty, keep, isc, izp, osc, ozp):
    m = T.Model()
    x = m.tensor('in', [1, h, w, c], ty, scale=[isc], zp=[izp])
    a = m.const_i32('axes', [2], [1, 2])
    y = m.tensor('out', [1, 1, 1, c] if keep else [1, c], ty, scale=[osc], zp=[ozp])
    m.op(T.MEAN, [x, a], [y], T.OPT_REDUCER, {0: ('u8', 1 if keep else 0)})
    return m.build([x], [y])


def quantize(n, ty, sc, zp):
    m = T.Model()
    x = m.tensor('in', [1, n], T.FLOAT32)
    y = m.tensor('out', [1, n], ty, scale=[sc], zp=[zp])
    m.op(T.QUANTIZE, [x], [y])
    return m.build([x], [y])


def dequantize(n, ty, sc, zp):
    m = T.Model()
    x = m.tensor('in', [1, n], ty, scale=[sc], zp=[zp])
    y = m.tensor('out', [1, n], T.FLOAT32)
    m.op(T.DEQUANTIZE, [x], [y])
    return m.build([x], [y])


def requantize(n, ti, isc, izp, to, osc, ozp):
    m = T.Model()
    x = m.tensor('in', [1, n], ti, scale=[isc], zp=[izp])
    y = m.tensor('out', [1, n], to, scale=[osc], zp=[ozp])
    m.op(T.QUANTIZE, [x], [y])
    return m.build([x], [y])


def floats(n, count, sc, seed):
    r = random.Random(seed)
    sc = struct.unpack('<f', struct.pack('<f', sc))[0]
    vals = []
    for _ in range(n * count):
        if r.random() < 0.7:
            vals.append((r.randint(-300, 300) + r.choice([0.5, 0.5, r.random(), 0.4999999, 0.5000001])) * sc)
        else:
            vals.append(r.uniform(-20, 20))
    return struct.pack('<%df' % len(vals), *vals)


def main(argv):
    if '-o' not in argv:
        sys.exit(__doc__)
    out = argv[argv.index('-o') + 1]
    a = argv[:argv.index('-o')]
    kind = a[0]
    if kind == 'mean':
        data = mean(int(a[1]), int(a[2]), int(a[3]), qtype(a[4]), a[5] == 'keep', float(a[6]), int(a[7]),
                    float(a[8]), int(a[9]))
    elif kind == 'quantize':
        data = quantize(int(a[1]), qtype(a[2]), float(a[3]), int(a[4]))
    elif kind == 'dequantize':
        data = dequantize(int(a[1]), qtype(a[2]), float(a[3]), int(a[4]))
    elif kind == 'requantize':
        data = requantize(int(a[1]), qtype(a[2]), float(a[3]), int(a[4]), qtype(a[5]), float(a[6]), int(a[7]))
    elif kind == 'floats':
        data = floats(int(a[1]), int(a[2]), float(a[3]), int(a[4]))
    else:
        sys.exit(__doc__)
    with open(out, 'wb') as f:
        f.write(data)


if __name__ == '__main__':
    main(sys.argv[1:])
