# SPDX-License-Identifier: Apache-2.0
"""mktflite.py - a minimal .tflite (schema v3) writer for hand-made test models.

The bad-input tests need models that no converter writes on purpose (negative paddings,
MEAN over the channels, a shape computed from activations, ...). This module lays out
a flatbuffer front to back: each table's vtable just before it, children after their
parents (flatbuffer offsets point forward), scalars aligned to their size, as
flatbuffers' own verifier requires. Field numbers are tensorflow/lite/schema/schema.fbs.

    m = Model()
    x = m.tensor("in", [1, 8, 8, 4], INT8, scale=0.1, zp=0)
    ...
    m.op(PAD, [x, p], [y])
    open(path, "wb").write(m.build([x], [y]))
"""
import struct

FLOAT32, INT32, UINT8, INT64, INT16, INT8 = 0, 2, 3, 4, 7, 9
# builtin operators
CONV_2D, DEPTHWISE_CONV_2D, DEQUANTIZE, FULLY_CONNECTED, RESHAPE, SOFTMAX = 3, 4, 6, 9, 22, 25
PAD, GATHER, MEAN, STRIDED_SLICE, PADV2, SHAPE, PACK, QUANTIZE, CUSTOM = 34, 36, 40, 45, 60, 77, 83, 114, 32
# BuiltinOptions union tags
OPT_CONV, OPT_DW, OPT_FC, OPT_RESHAPE, OPT_PAD, OPT_REDUCER, OPT_STRIDED_SLICE, OPT_SHAPE, OPT_PACK = 1, 2, 8, 17, 22, 27, 32, 55, 59

_SIZE = {'u8': 1, 'i8': 1, 'u16': 2, 'i32': 4, 'u32': 4, 'f32': 4, 'i64': 8}
_FMT = {'u8': '<B', 'i8': '<b', 'u16': '<H', 'i32': '<i', 'u32': '<I', 'f32': '<f', 'i64': '<q'}


class Table:
    """fields: {index: (kind, value)}; kind is a scalar kind, 'table' (a Table),
    'vtab' (list of Tables), 'str', or 'v'+scalar kind (a vector of scalars)."""
    def __init__(self, fields):
        self.fields = fields


class _Writer:
    def __init__(self):
        self.b = bytearray()

    def align(self, n):
        while len(self.b) % n:
            self.b.append(0)

    def patch_ref(self, at, target):
        struct.pack_into('<I', self.b, at, target - at)

    def child(self, kind, value):
        """Write a child object (after everything so far); its position."""
        if kind == 'table':
            return self.table(value)
        if kind == 'str':
            self.align(4)
            p = len(self.b)
            data = value.encode()
            self.b += struct.pack('<I', len(data)) + data + b'\0'
            return p
        if kind == 'vtab':
            self.align(4)
            p = len(self.b)
            self.b += struct.pack('<I', len(value)) + b'\0\0\0\0' * len(value)
            for k, t in enumerate(value):
                self.patch_ref(p + 4 + 4 * k, self.table(t))
            return p
        sk = kind[1:]
        sz = _SIZE[sk]
        # the elements aligned to their size (and to 4 for the length before them)
        while (len(self.b) + 4) % max(sz, 4):
            self.b.append(0)
        p = len(self.b)
        self.b += struct.pack('<I', len(value))
        for v in value:
            self.b += struct.pack(_FMT[sk], v)
        return p

    def table(self, t):
        items = sorted(t.fields.items())
        # layout: soffset, then fields largest first (keeps them aligned)
        order = sorted(items, key=lambda kv: -(_SIZE.get(kv[1][0], 4)))
        offs, pos = {}, 4
        for idx, (kind, _) in order:
            sz = _SIZE.get(kind, 4)
            while pos % sz:
                pos += 1
            offs[idx] = pos
            pos += sz
        tsize = pos
        nf = (max(t.fields) + 1) if t.fields else 0
        vt = struct.pack('<HH', 4 + 2 * nf, tsize) + b''.join(
            struct.pack('<H', offs.get(i, 0)) for i in range(nf))
        self.align(2)
        vpos = len(self.b)
        self.b += vt
        self.align(8)
        # keep (table start) % 8 == 0 so that 8-byte fields at 8-aligned offsets are aligned
        tpos = len(self.b)
        self.b += b'\0' * tsize
        struct.pack_into('<i', self.b, tpos, tpos - vpos)
        refs = []
        for idx, (kind, v) in items:
            at = tpos + offs[idx]
            if kind in _SIZE:
                struct.pack_into(_FMT[kind], self.b, at, v)
            else:
                refs.append((at, kind, v))
        for at, kind, v in refs:
            self.patch_ref(at, self.child(kind, v))
        return tpos


class Model:
    def __init__(self):
        self.tensors, self.buffers, self.ops, self.codes = [], [b''], [], []

    def tensor(self, name, shape, ttype, data=None, scale=None, zp=None, qdim=None):
        f = {0: ('vi32', list(shape)), 1: ('u8', ttype), 3: ('str', name)}
        if data is not None:
            self.buffers.append(bytes(data))
            f[2] = ('u32', len(self.buffers) - 1)
        if scale is not None:
            q = {2: ('vf32', list(scale)), 3: ('vi64', list(zp if zp is not None else [0] * len(scale)))}
            if qdim is not None:
                q[6] = ('i32', qdim)
            f[4] = ('table', Table(q))
        self.tensors.append(Table(f))
        return len(self.tensors) - 1

    def const_i32(self, name, shape, values):
        return self.tensor(name, shape, INT32, struct.pack('<%di' % len(values), *values))

    def op(self, builtin, inputs, outputs, opt_type=0, opt=None, custom=None):
        key = (builtin, custom)
        if key not in self.codes:
            self.codes.append(key)
        f = {0: ('u32', self.codes.index(key)), 1: ('vi32', list(inputs)), 2: ('vi32', list(outputs))}
        if opt_type:
            f[3] = ('u8', opt_type)
            f[4] = ('table', Table(opt or {}))
        self.ops.append(Table(f))

    def build(self, inputs, outputs):
        codes = []
        for b, c in self.codes:
            cf = {0: ('i8', min(b, 127)), 2: ('i32', 1), 3: ('i32', b)}
            if c:
                cf[1] = ('str', c)
            codes.append(Table(cf))
        sg = Table({0: ('vtab', self.tensors), 1: ('vi32', list(inputs)), 2: ('vi32', list(outputs)),
                    3: ('vtab', self.ops)})
        bufs = [Table({0: ('vu8', list(d))}) if d else Table({}) for d in self.buffers]
        model = Table({0: ('u32', 3), 1: ('vtab', codes), 2: ('vtab', [sg]), 4: ('vtab', bufs)})
        w = _Writer()
        w.b += b'\0\0\0\0TFL3'
        w.patch_ref(0, w.table(model))
        return bytes(w.b)
