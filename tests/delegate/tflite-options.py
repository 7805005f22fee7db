#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""tflite-options.py MODEL.tflite - the builtin options of every CONV_2D,
DEPTHWISE_CONV_2D, AVERAGE_POOL_2D, MAX_POOL_2D and MEAN operator of subgraph 0, read
from the flatbuffer, in the format the delegate's log=2 prints what it reads through
delegate/tflite_builtin.h ("params node I OP key=value ..."): the two must agree, which
checks our declaration of TFLite 2.9's builtin parameter structs against the file.

Field numbers and defaults: tensorflow/lite/schema/schema.fbs (Model.operator_codes 1,
subgraphs 2; OperatorCode.deprecated_builtin_code 0, builtin_code 3; SubGraph.operators
3; Operator.opcode_index 0, builtin_options 4; Conv2DOptions, DepthwiseConv2DOptions,
Pool2DOptions, ReducerOptions). The flatbuffer layout: flatbuffers.dev, "internals".
"""
import struct
import sys

buf = open(sys.argv[1], 'rb').read()


def u32(o): return struct.unpack_from('<I', buf, o)[0]
def i32(o): return struct.unpack_from('<i', buf, o)[0]


def field(tab, i):
    """absolute offset of field i of the table at tab, or None"""
    vt = tab - i32(tab)
    vsize = struct.unpack_from('<H', buf, vt)[0]
    if 4 + 2 * i >= vsize:
        return None
    off = struct.unpack_from('<H', buf, vt + 4 + 2 * i)[0]
    return tab + off if off else None


def scalar(tab, i, fmt, default):
    o = field(tab, i)
    return struct.unpack_from('<' + fmt, buf, o)[0] if o is not None else default


def table(tab, i):
    o = field(tab, i)
    return o + u32(o) if o is not None else None


def vector(tab, i):
    o = field(tab, i)
    if o is None:
        return []
    v = o + u32(o)
    return [v + 4 + 4 * k + u32(v + 4 + 4 * k) for k in range(u32(v))]


root = u32(0)
codes = []
for oc in vector(root, 1):
    codes.append(max(scalar(oc, 0, 'b', 0), scalar(oc, 3, 'i', 0)))
sg = vector(root, 2)[0]
PAD = {0: 'SAME', 1: 'VALID'}
for idx, op in enumerate(vector(sg, 3)):
    b = codes[scalar(op, 0, 'I', 0)]
    o = table(op, 4)
    if b == 3:
        print('params node %d CONV_2D padding=%s stride_w=%d stride_h=%d activation=%d dilation_w=%d dilation_h=%d' % (
            idx, PAD[scalar(o, 0, 'b', 0)], scalar(o, 1, 'i', 0), scalar(o, 2, 'i', 0), scalar(o, 3, 'b', 0),
            scalar(o, 4, 'i', 1), scalar(o, 5, 'i', 1)))
    elif b == 4:
        print('params node %d DEPTHWISE_CONV_2D padding=%s stride_w=%d stride_h=%d depth_multiplier=%d activation=%d '
              'dilation_w=%d dilation_h=%d' % (
                  idx, PAD[scalar(o, 0, 'b', 0)], scalar(o, 1, 'i', 0), scalar(o, 2, 'i', 0), scalar(o, 3, 'i', 0),
                  scalar(o, 4, 'b', 0), scalar(o, 5, 'i', 1), scalar(o, 6, 'i', 1)))
    elif b in (1, 17):
        print('params node %d %s padding=%s stride_w=%d stride_h=%d filter_w=%d filter_h=%d activation=%d' % (
            idx, 'AVERAGE_POOL_2D' if b == 1 else 'MAX_POOL_2D', PAD[scalar(o, 0, 'b', 0)], scalar(o, 1, 'i', 0),
            scalar(o, 2, 'i', 0), scalar(o, 3, 'i', 0), scalar(o, 4, 'i', 0), scalar(o, 5, 'b', 0)))
    elif b == 40:
        print('params node %d MEAN keep_dims=%d' % (idx, scalar(o, 0, 'b', 0) if o is not None else 0))
