#!/usr/bin/env python3
"""Independent reference for tests/unit/test-image-decode.c (pure Python, no PIL/numpy).

Decodes the uncompressed 24/32-bit BMPs in the shared image directory with a
separate, deliberately simple decoder and prints, per file, the size and the
FNV-1a 64-bit hash of the decoded RGB (top row first). For grace_hopper.bmp it also
prints the hash of the 224x224 bilinear resize (TFLite reference formula,
align_corners=false, half_pixel_centers=false), emulating float32 arithmetic, in both
rounding modes of mbn_image_resize_bilinear_ex(). The numbers are copied into
test-image-decode.c; rerun this after changing either side:

    python3 tests/images/bmp-ref.py [../shared/images]
"""
import os
import struct
import sys


def fnv1a64(data):
    h = 0xcbf29ce484222325
    for b in data:
        h ^= b
        h = (h * 0x100000001b3) & 0xffffffffffffffff
    return h


def decode_bmp(d):
    assert d[:2] == b"BM"
    off, = struct.unpack_from("<I", d, 10)
    w, h, planes, bpp, comp = struct.unpack_from("<iiHHI", d, 18)
    assert planes == 1 and bpp in (24, 32) and comp == 0, (planes, bpp, comp)
    bottom_up = h > 0
    h = abs(h)
    stride = (w * bpp + 31) // 32 * 4
    nb = bpp // 8
    out = bytearray()
    for y in range(h):
        fy = h - 1 - y if bottom_up else y
        row = d[off + fy * stride: off + fy * stride + w * nb]
        for x in range(w):
            b, g, r = row[x * nb: x * nb + 3]
            out += bytes((r, g, b))
    return w, h, bytes(out)


def f32(x):
    return struct.unpack("f", struct.pack("f", x))[0]


def resize(w, h, rgb, ow, oh, truncate):
    hs = f32(f32(h) / f32(oh))
    ws = f32(f32(w) / f32(ow))
    out = bytearray()
    for y in range(oh):
        iy = f32(y * hs)
        y0 = int(iy // 1)
        y1 = min(y0 + 1, h - 1)
        dy = f32(iy - y0)
        for x in range(ow):
            ix = f32(x * ws)
            x0 = int(ix // 1)
            x1 = min(x0 + 1, w - 1)
            dx = f32(ix - x0)
            ody, odx = f32(1 - dy), f32(1 - dx)
            for c in range(3):
                p00 = rgb[(y0 * w + x0) * 3 + c]
                p01 = rgb[(y0 * w + x1) * 3 + c]
                p10 = rgb[(y1 * w + x0) * 3 + c]
                p11 = rgb[(y1 * w + x1) * 3 + c]
                if not truncate:
                    t0 = f32(f32(p00 * ody) * odx)
                    t1 = f32(f32(p10 * dy) * odx)
                    t2 = f32(f32(p01 * ody) * dx)
                    t3 = f32(f32(p11 * dy) * dx)
                    v = f32(f32(f32(t0 + t1) + t2) + t3)
                    v = f32(v + 0.5)
                else:
                    v = 0.0
                    v = f32(v + f32(p00 * f32(ody * odx)))
                    v = f32(v + f32(p01 * f32(ody * dx)))
                    v = f32(v + f32(p10 * f32(dy * odx)))
                    v = f32(v + f32(p11 * f32(dy * dx)))
                out.append(0 if v <= 0 else 255 if v >= 255 else int(v))
    return bytes(out)


def main():
    d = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        os.environ.get("MBN_SHARED", "../shared"), "images")
    for name in sorted(os.listdir(d)):
        if not name.endswith(".bmp"):
            continue
        w, h, rgb = decode_bmp(open(os.path.join(d, name), "rb").read())
        print(f'{{ "{name}", {w}, {h}, 0x{fnv1a64(rgb):016x}ull }},')
        if name == "grace_hopper.bmp":
            for mode in (0, 1):
                r = resize(w, h, rgb, 224, 224, mode)
                print(f"  resize 224x224 mode {mode}: 0x{fnv1a64(r):016x}ull")


if __name__ == "__main__":
    main()
