# SPDX-License-Identifier: Apache-2.0
"""gen-bad-exported.py DIR - invalid or unsupported models around the operators of
exported MobileNet v1 files, one per case, for tests/bad/test-bad-exported.sh. Prints
"FILE|WORD1|WORD2..." per case: the words the error message must contain."""
import os, struct, sys
sys.path.insert(0, os.path.dirname(__file__))
from mktflite import *

d = sys.argv[1]
os.makedirs(d, exist_ok=True)


def emit(name, m, ins, outs, words):
    path = os.path.join(d, name + '.tflite')
    open(path, 'wb').write(m.build(ins, outs))
    print('|'.join([path] + words))


def act(m, name, shape, t=INT8, s=0.05, zp=0):
    return m.tensor(name, shape, t, scale=[s], zp=[zp])


def pad_case(name, pads, out_shape, words, paddings_const=True, v2_value=None):
    m = Model()
    x = act(m, 'in', [1, 4, 4, 8])
    p = m.const_i32('paddings', [4, 2], pads) if paddings_const else m.tensor('paddings', [4, 2], INT32)
    y = act(m, 'out', out_shape)
    if v2_value is not None:
        m.op(PADV2, [x, p, v2_value(m)], [y])
    else:
        m.op(PAD, [x, p], [y], OPT_PAD, {})
    emit(name, m, [x], [y], words)


pad_case('pad-negative', [0, 0, -1, 1, 0, 0, 0, 0], [1, 4, 4, 8], ['PAD', 'padding -1', 'paddings'])
pad_case('pad-huge', [0, 0, 100000, 0, 0, 0, 0, 0], [1, 4, 4, 8], ['PAD', 'padding 100000'])
pad_case('pad-channels', [0, 0, 0, 0, 0, 0, 1, 1], [1, 4, 4, 10], ['PAD', 'channel', 'only height and width'])
pad_case('pad-batch', [1, 0, 0, 0, 0, 0, 0, 0], [2, 4, 4, 8], ['PAD', 'batch'])
pad_case('pad-runtime-paddings', [0] * 8, [1, 4, 4, 8], ['PAD', "paddings 'paddings'", 'run-time data'], paddings_const=False)
pad_case('pad-wrong-output', [0, 0, 1, 1, 1, 1, 0, 0], [1, 6, 5, 8], ['PAD', "output 'out'", '6x5x8', 'gives 6x6x8'])
pad_case('padv2-constant-type', [0, 0, 1, 1, 1, 1, 0, 0], [1, 6, 6, 8], ['PADV2', "constant 'c'", 'int32'],
         v2_value=lambda m: m.const_i32('c', [1], [3]))


def mean_case(name, axis, out_shape, words, keep=0, const_axis=True):
    m = Model()
    x = act(m, 'in', [1, 5, 5, 16])
    a = m.const_i32('axis', [len(axis)], axis) if const_axis else m.tensor('axis', [2], INT32)
    y = act(m, 'out', out_shape)
    m.op(MEAN, [x, a], [y], OPT_REDUCER, {0: ('u8', keep)})
    emit(name, m, [x], [y], words)


mean_case('mean-channels', [3], [1, 5, 5], ['MEAN', 'axis 3', 'height and width'])
mean_case('mean-height-only', [1], [1, 5, 16], ['MEAN', 'height only'])
mean_case('mean-runtime-axis', [1, 2], [1, 16], ['MEAN', "axis 'axis'", 'run-time data'], const_axis=False)
mean_case('mean-keepdims-shape', [1, 2], [1, 16], ['MEAN', "output 'out'", 'keep_dims'], keep=1)


def q_case(name, tin, tout, words, middle=False):
    m = Model()
    x = act(m, 'in', [1, 4, 4, 3], tin) if tin != FLOAT32 else m.tensor('in', [1, 4, 4, 3], FLOAT32)
    src = x
    if middle:
        p = m.const_i32('paddings', [4, 2], [0] * 8)
        y0 = act(m, 'padded', [1, 4, 4, 3], INT8) if tin != FLOAT32 else m.tensor('padded', [1, 4, 4, 3], FLOAT32)
        m.op(PAD, [x, p], [y0], OPT_PAD, {})
        src = y0
    y = m.tensor('out', [1, 4, 4, 3], tout, scale=[0.1], zp=[0]) if tout != FLOAT32 else m.tensor('out', [1, 4, 4, 3], FLOAT32)
    m.op(QUANTIZE, [src], [y])
    emit(name, m, [x], [y], words)


q_case('quantize-int16', INT8, INT16, ['QUANTIZE', 'int16', 'not supported'])
q_case('float-activation-op', FLOAT32, INT8, ['PAD', "'in'", 'float32'], middle=True)

# DEQUANTIZE in the middle: DEQUANTIZE then QUANTIZE
m = Model()
x = act(m, 'in', [1, 10])
f = m.tensor('f', [1, 10], FLOAT32)
y = act(m, 'out', [1, 10])
m.op(DEQUANTIZE, [x], [f])
m.op(QUANTIZE, [f], [y])
emit('dequantize-middle', m, [x], [y], ['DEQUANTIZE', 'model output'])

# a float32 filter on int8 activations
m = Model()
x = act(m, 'in', [1, 6, 6, 4])
w = m.tensor('filter', [8, 3, 3, 4], FLOAT32, struct.pack('<288f', *([0.1] * 288)))
y = act(m, 'out', [1, 6, 6, 8])
m.op(CONV_2D, [x, w], [y], OPT_CONV, {0: ('u8', 0), 1: ('i32', 1), 2: ('i32', 1)})
emit('conv-float-filter', m, [x], [y], ['CONV_2D', "filter 'filter'", 'float32'])


def dw_case(name, in_c, out_c, dm, words):
    m = Model()
    x = act(m, 'in', [1, 6, 6, in_c])
    w = m.tensor('filter', [1, 3, 3, out_c], INT8, bytes(9 * out_c), scale=[0.01] * out_c, zp=[0] * out_c, qdim=3)
    y = act(m, 'out', [1, 6, 6, out_c])
    m.op(DEPTHWISE_CONV_2D, [x, w], [y], OPT_DW, {0: ('u8', 0), 1: ('i32', 1), 2: ('i32', 1), 3: ('i32', dm)})
    emit(name, m, [x], [y], words)


dw_case('dw-multiplier-mismatch', 2, 8, 2, ['DEPTHWISE_CONV_2D', 'depth_multiplier 2', 'give 4'])
dw_case('dw-not-multiple', 3, 8, 0, ['DEPTHWISE_CONV_2D', 'not a multiple'])


def reshape_chain(name, words, slice_input_is_activation=False, index=0, gather_index=None, const_shape=None):
    m = Model()
    x = act(m, 'in', [1, 2, 2, 4])
    a = m.const_i32('axis', [2], [1, 2])
    y = act(m, 'pooled', [1, 4])
    m.op(MEAN, [x, a], [y], OPT_REDUCER, {0: ('u8', 0)})
    if const_shape is not None:
        ns = m.const_i32('new_shape', [len(const_shape)], const_shape)
    else:
        if slice_input_is_activation:
            src = y     # slicing the activation's values, not its shape
        else:
            src = m.tensor('shape', [2], INT32)
            m.op(SHAPE, [y], [src], OPT_SHAPE, {0: ('u8', INT32)})
        n = m.tensor('batch', [], INT32)
        if gather_index is not None:
            gi = m.const_i32('idx', [], [gather_index])
            m.op(GATHER, [src, gi], [n])
        else:
            b0, b1, st = m.const_i32('b', [1], [index]), m.const_i32('e', [1], [index + 1]), m.const_i32('s', [1], [1])
            m.op(STRIDED_SLICE, [src, b0, b1, st], [n], OPT_STRIDED_SLICE, {4: ('i32', 1)})
        one, c = m.const_i32('one', [], [1]), m.const_i32('c', [], [4])
        ns = m.tensor('new_shape', [4], INT32)
        m.op(PACK, [n, one, one, c], [ns], OPT_PACK, {0: ('i32', 4), 1: ('i32', 0)})
    z = act(m, 'out', [1, 1, 1, 4])
    m.op(RESHAPE, [y, ns], [z])
    emit(name, m, [x], [z], words)


reshape_chain('shape-from-activation', ['STRIDED_SLICE', "input 'pooled'", 'run-time data'], slice_input_is_activation=True)
reshape_chain('strided-slice-out-of-range', ['STRIDED_SLICE', 'index 5', 'out of range'], index=5)
reshape_chain('gather-out-of-range', ['GATHER', 'index 7', 'out of range'], gather_index=7)
reshape_chain('reshape-shape-mismatch', ['RESHAPE', "shape 'new_shape'", "'out'"], const_shape=[1, 2, 1, 2])

# a custom operator, named
m = Model()
x = act(m, 'in', [1, 4, 4, 3])
y = act(m, 'out', [1, 4, 4, 3])
m.op(CUSTOM, [x], [y], custom='edgetpu-custom-op')
emit('custom-edgetpu', m, [x], [y], ["custom operator 'edgetpu-custom-op'"])

# a MobileNet v2-style residual ADD
m = Model()
x = act(m, 'in', [1, 4, 4, 3])
y = act(m, 'out', [1, 4, 4, 3])
m.op(0, [x, x], [y])
emit('add-residual', m, [x], [y], ['ADD', 'not supported'])

# per-channel FULLY_CONNECTED with a scale count that is not the unit count
m = Model()
x = act(m, 'in', [1, 16])
w = m.tensor('w', [4, 16], INT8, bytes(64), scale=[0.01] * 3, zp=[0] * 3, qdim=0)
y = act(m, 'out', [1, 4])
m.op(FULLY_CONNECTED, [x, w], [y], OPT_FC, {})
emit('fc-per-channel-count', m, [x], [y], ['FULLY_CONNECTED', "filter 'w'", '3 scales'])

# PACK of vectors (not scalars)
m = Model()
x = act(m, 'in', [1, 2, 2, 4])
v = m.const_i32('v', [2], [1, 1])
ns = m.tensor('new_shape', [4], INT32)
m.op(PACK, [v, v], [ns], OPT_PACK, {0: ('i32', 2), 1: ('i32', 0)})
z = act(m, 'out', [1, 1, 4, 4])
m.op(RESHAPE, [x, ns], [z])
emit('pack-vectors', m, [x], [z], ['PACK', "input 'v'", 'scalars'])
