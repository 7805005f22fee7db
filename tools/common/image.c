/* image.c - image decoding (JPEG, PNG, BMP, PPM/PGM) and bilinear resize.
 * See image.h for the API and the error conventions. */
#include "image.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jpeglib.h>
#include <jerror.h>
#include <png.h>

/* ------------------------------------------------------------------------ */
/* Errors and common checks                                                 */

struct ictx {
    const char *name;
    char *err;
    size_t errlen;
};

__attribute__((format(printf, 3, 4)))
static int fail(const struct ictx *c, int code, const char *fmt, ...)
{
    if (c->err && c->errlen > 0) {
        int n = snprintf(c->err, c->errlen, "%s: ", c->name);
        if (n >= 0 && (size_t)n < c->errlen) {
            va_list ap;
            va_start(ap, fmt);
            vsnprintf(c->err + n, c->errlen - (size_t)n, fmt, ap);
            va_end(ap);
        }
    }
    return code;
}

/* w and h as the file states them (64-bit so nothing has wrapped yet). */
static int check_dims(const struct ictx *c, const char *fmt, int64_t w, int64_t h)
{
    if (w <= 0 || h <= 0)
        return fail(c, -EINVAL, "%s has invalid dimensions %" PRId64 "x%" PRId64, fmt, w, h);
    if (w > MBN_IMAGE_MAX_SIDE || h > MBN_IMAGE_MAX_SIDE)
        return fail(c, -EFBIG, "%s dimensions %" PRId64 "x%" PRId64 " too large (limit %d per side)",
                    fmt, w, h, MBN_IMAGE_MAX_SIDE);
    if ((uint64_t)w * (uint64_t)h > MBN_IMAGE_MAX_PIXELS)
        return fail(c, -EFBIG, "%s dimensions %" PRId64 "x%" PRId64 " too large (limit %u pixels)",
                    fmt, w, h, MBN_IMAGE_MAX_PIXELS);
    return 0;
}

/* Only called after check_dims(), so w * h * 3 < 2^30 fits a size_t. */
static int alloc_rgb(const struct ictx *c, struct mbn_image *img, int w, int h)
{
    img->rgb = malloc((size_t)w * (size_t)h * 3);
    if (!img->rgb)
        return fail(c, -ENOMEM, "out of memory for a %dx%d image", w, h);
    img->w = w;
    img->h = h;
    return 0;
}

static uint16_t rd16le(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }
static uint32_t rd32le(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* ------------------------------------------------------------------------ */
/* Format detection                                                         */

enum mbn_image_format mbn_image_detect(const void *data, size_t size)
{
    static const uint8_t png_sig[8] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };
    const uint8_t *d = data;

    if (!d)
        return MBN_IMAGE_UNKNOWN;
    /* JPEG: SOI marker. Only two bytes, so "SOI then garbage" still reaches
     * libjpeg and is reported as a corrupt JPEG rather than an unknown format. */
    if (size >= 2 && d[0] == 0xff && d[1] == 0xd8)
        return MBN_IMAGE_JPEG;
    if (size >= 8 && memcmp(d, png_sig, 8) == 0)
        return MBN_IMAGE_PNG;
    if (size >= 2 && d[0] == 'B' && d[1] == 'M')
        return MBN_IMAGE_BMP;
    if (size >= 3 && d[0] == 'P' && d[1] >= '1' && d[1] <= '7' &&
        (d[2] == ' ' || d[2] == '\t' || d[2] == '\n' || d[2] == '\r' || d[2] == '#'))
        return MBN_IMAGE_PNM;
    return MBN_IMAGE_UNKNOWN;
}

const char *mbn_image_format_name(enum mbn_image_format fmt)
{
    switch (fmt) {
    case MBN_IMAGE_JPEG: return "JPEG";
    case MBN_IMAGE_PNG:  return "PNG";
    case MBN_IMAGE_BMP:  return "BMP";
    case MBN_IMAGE_PNM:  return "PNM";
    default:             return "unknown";
    }
}

/* ------------------------------------------------------------------------ */
/* BMP                                                                      */

/* A 32-bit BI_BITFIELDS channel mask must be 8 contiguous bits. */
static int mask_shift(uint32_t m)
{
    if (m == 0)
        return -1;
    int s = __builtin_ctz(m);
    return (m >> s) == 0xffu ? s : -1;
}

static int decode_bmp(const struct ictx *c, const uint8_t *d, size_t n, struct mbn_image *img)
{
    if (n < 18)
        return fail(c, -EINVAL, "BMP truncated: header needs at least 18 bytes, file has %zu", n);
    uint32_t off = rd32le(d + 10);
    uint32_t hsz = rd32le(d + 14);

    if (hsz == 12 || hsz == 16 || hsz == 64)
        return fail(c, -ENOTSUP, "OS/2 BMP (%u-byte header) not supported", hsz);
    if (hsz != 40 && hsz != 52 && hsz != 56 && hsz != 108 && hsz != 124)
        return fail(c, -EINVAL, "BMP info header size %u unknown (expected 40, 52, 56, 108 or 124)", hsz);
    if (n < 14 + (size_t)hsz)
        return fail(c, -EINVAL, "BMP truncated: %u-byte info header needs %u bytes, file has %zu",
                    hsz, 14 + hsz, n);

    int32_t w = (int32_t)rd32le(d + 18);
    int32_t h = (int32_t)rd32le(d + 22);
    uint16_t planes = rd16le(d + 26);
    uint16_t bpp = rd16le(d + 28);
    uint32_t comp = rd32le(d + 30);
    uint32_t clrused = rd32le(d + 46);

    int topdown = h < 0;
    int64_t ah = h < 0 ? -(int64_t)h : (int64_t)h;
    int r = check_dims(c, "BMP", w, ah);
    if (r)
        return r;
    if (planes != 1)
        return fail(c, -EINVAL, "BMP has %u colour planes (must be 1)", planes);

    switch (comp) {
    case 0: /* BI_RGB */
    case 3: /* BI_BITFIELDS */
        break;
    case 1: return fail(c, -ENOTSUP, "compressed BMP (BI_RLE8) not supported");
    case 2: return fail(c, -ENOTSUP, "compressed BMP (BI_RLE4) not supported");
    case 4: return fail(c, -ENOTSUP, "compressed BMP (BI_JPEG) not supported");
    case 5: return fail(c, -ENOTSUP, "compressed BMP (BI_PNG) not supported");
    case 6: return fail(c, -ENOTSUP, "BMP compression BI_ALPHABITFIELDS not supported");
    default: return fail(c, -EINVAL, "BMP compression type %u unknown", comp);
    }
    if (bpp == 1 || bpp == 4 || bpp == 16)
        return fail(c, -ENOTSUP, "%u-bit BMP not supported (only 8, 24 and 32 bits per pixel)", bpp);
    if (bpp != 8 && bpp != 24 && bpp != 32)
        return fail(c, -EINVAL, "BMP has invalid bit depth %u", bpp);
    if (comp == 3 && bpp != 32)
        return fail(c, -ENOTSUP, "BI_BITFIELDS BMP with %u bits per pixel not supported (only 32)", bpp);

    /* Channel positions inside a 32-bit little-endian pixel word. */
    int rs = 16, gs = 8, bs = 0;
    if (comp == 3) {
        size_t moff = 14 + 40; /* inside the V2..V5 headers, after a 40-byte one */
        if (n < moff + 12)
            return fail(c, -EINVAL, "BMP truncated: bitfield masks need %zu bytes, file has %zu",
                        moff + 12, n);
        uint32_t rm = rd32le(d + moff), gm = rd32le(d + moff + 4), bm = rd32le(d + moff + 8);
        rs = mask_shift(rm);
        gs = mask_shift(gm);
        bs = mask_shift(bm);
        if (rs < 0 || gs < 0 || bs < 0 || (rm & gm) || (rm & bm) || (gm & bm))
            return fail(c, -ENOTSUP, "BMP bitfield masks R=%08x G=%08x B=%08x not supported "
                        "(need 8 separate bits per channel)", rm, gm, bm);
    }

    uint8_t pal[256][3];
    uint32_t ncol = 0;
    if (bpp == 8) {
        ncol = clrused ? clrused : 256;
        if (ncol > 256)
            return fail(c, -EINVAL, "BMP palette has %u colours (at most 256 for 8 bits)", ncol);
        size_t poff = 14 + (size_t)hsz;
        if (n < poff + 4 * (size_t)ncol)
            return fail(c, -EINVAL, "BMP truncated: palette of %u colours needs %zu bytes, file has %zu",
                        ncol, poff + 4 * (size_t)ncol, n);
        for (uint32_t i = 0; i < ncol; i++) {
            pal[i][0] = d[poff + 4 * i + 2];
            pal[i][1] = d[poff + 4 * i + 1];
            pal[i][2] = d[poff + 4 * i + 0];
        }
    }

    if (off < 14 + hsz)
        return fail(c, -EINVAL, "BMP pixel data offset %u lies inside the %u-byte header", off, 14 + hsz);
    if (off > n)
        return fail(c, -EINVAL, "BMP truncated: pixel data offset %u is past the end of the file (%zu bytes)",
                    off, n);
    uint64_t rowbytes = (uint64_t)w * (bpp / 8);
    uint64_t stride = ((uint64_t)w * bpp + 31) / 32 * 4;
    /* The last row's padding is not required: some writers leave it out. */
    uint64_t need = stride * (uint64_t)(ah - 1) + rowbytes;
    if (need > n - off)
        return fail(c, -EINVAL, "BMP truncated: need %" PRIu64 " bytes of pixel data, file has %zu "
                    "after the pixel data offset %u", need, n - off, off);

    r = alloc_rgb(c, img, w, (int)ah);
    if (r)
        return r;
    for (int y = 0; y < (int)ah; y++) {
        const uint8_t *src = d + off + stride * (uint64_t)(topdown ? y : (int)ah - 1 - y);
        uint8_t *dst = img->rgb + (size_t)y * (size_t)w * 3;
        for (int x = 0; x < w; x++, dst += 3) {
            if (bpp == 24) {
                dst[0] = src[3 * x + 2];
                dst[1] = src[3 * x + 1];
                dst[2] = src[3 * x + 0];
            } else if (bpp == 32) {
                uint32_t v = rd32le(src + 4 * x);
                dst[0] = (uint8_t)(v >> rs);
                dst[1] = (uint8_t)(v >> gs);
                dst[2] = (uint8_t)(v >> bs);
            } else {
                uint8_t i = src[x];
                if (i >= ncol) {
                    mbn_image_free(img);
                    return fail(c, -EINVAL, "BMP pixel (%d,%d) uses palette index %u, palette has %u colours",
                                x, y, i, ncol);
                }
                memcpy(dst, pal[i], 3);
            }
        }
    }
    return 0;
}

/* ------------------------------------------------------------------------ */
/* PPM (P6) / PGM (P5)                                                      */

static int pnm_space(uint8_t ch)
{
    return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r' || ch == '\v' || ch == '\f';
}

/* Skip whitespace and '#' comments, then read a decimal number. */
static int pnm_number(const struct ictx *c, const char *fmt, const uint8_t *d, size_t n,
                      size_t *pos, const char *what, uint32_t *out)
{
    size_t p = *pos;
    for (;;) {
        while (p < n && pnm_space(d[p]))
            p++;
        if (p < n && d[p] == '#') {
            while (p < n && d[p] != '\n' && d[p] != '\r')
                p++;
            continue;
        }
        break;
    }
    if (p >= n)
        return fail(c, -EINVAL, "%s header truncated: file ends before the %s", fmt, what);
    if (d[p] < '0' || d[p] > '9')
        return fail(c, -EINVAL, "%s header: expected the %s, found byte 0x%02x at offset %zu",
                    fmt, what, d[p], p);
    uint64_t v = 0;
    while (p < n && d[p] >= '0' && d[p] <= '9') {
        v = v * 10 + (uint64_t)(d[p] - '0');
        if (v > 0xffffffffu)
            return fail(c, -EFBIG, "%s header: %s is absurdly large", fmt, what);
        p++;
    }
    if (p < n && !pnm_space(d[p]) && d[p] != '#')
        return fail(c, -EINVAL, "%s header: junk byte 0x%02x after the %s at offset %zu", fmt, d[p], what, p);
    *out = (uint32_t)v;
    *pos = p;
    return 0;
}

static int decode_pnm(const struct ictx *c, const uint8_t *d, size_t n, struct mbn_image *img)
{
    char kind = (char)d[1];
    if (kind != '5' && kind != '6') {
        static const char *const names[] = { "P1 (ASCII PBM)", "P2 (ASCII PGM)", "P3 (ASCII PPM)",
                                             "P4 (binary PBM)", "", "", "P7 (PAM)" };
        return fail(c, -ENOTSUP, "Netpbm %s not supported (only binary P5 PGM and P6 PPM)",
                    names[kind - '1']);
    }
    const char *fmt = kind == '6' ? "PPM" : "PGM";
    size_t pos = 2;
    uint32_t w, h, maxval;
    int r;
    if ((r = pnm_number(c, fmt, d, n, &pos, "width", &w)) ||
        (r = pnm_number(c, fmt, d, n, &pos, "height", &h)) ||
        (r = pnm_number(c, fmt, d, n, &pos, "maxval", &maxval)))
        return r;
    /* Exactly one whitespace byte separates maxval from the raster. */
    if (pos >= n)
        return fail(c, -EINVAL, "%s truncated: file ends after the header", fmt);
    if (!pnm_space(d[pos]))
        return fail(c, -EINVAL, "%s header: no whitespace after maxval", fmt);
    pos++;
    if ((r = check_dims(c, fmt, w, h)))
        return r;
    if (maxval == 0 || maxval > 65535)
        return fail(c, -EINVAL, "%s maxval %u out of range (1..65535)", fmt, maxval);

    unsigned ch = kind == '6' ? 3 : 1;
    unsigned bps = maxval > 255 ? 2 : 1;
    uint64_t need = (uint64_t)w * h * ch * bps;
    if (need > n - pos)
        return fail(c, -EINVAL, "%s truncated: need %" PRIu64 " bytes of pixel data, "
                    "file has %zu after the header", fmt, need, n - pos);

    if ((r = alloc_rgb(c, img, (int)w, (int)h)))
        return r;
    const uint8_t *s = d + pos;
    size_t npix = (size_t)w * h;
    for (size_t i = 0; i < npix; i++) {
        uint8_t v[3] = { 0, 0, 0 };
        for (unsigned k = 0; k < ch; k++) {
            uint32_t x;
            if (bps == 2) {
                x = (uint32_t)s[0] << 8 | s[1];
                s += 2;
            } else {
                x = *s++;
            }
            if (x > maxval) /* out-of-range sample: clamp rather than wrap */
                x = maxval;
            v[k] = maxval == 255 ? (uint8_t)x : (uint8_t)((x * 255 + maxval / 2) / maxval);
        }
        uint8_t *o = img->rgb + 3 * i;
        if (ch == 3) {
            o[0] = v[0]; o[1] = v[1]; o[2] = v[2];
        } else {
            o[0] = o[1] = o[2] = v[0];
        }
    }
    return 0;
}

/* ------------------------------------------------------------------------ */
/* JPEG (libjpeg-turbo)                                                     */

#define JPEG_MAX_SCANS 1000              /* progressive-JPEG DoS guard */
#define JPEG_MAX_MEMORY (1L << 30)       /* for libjpeg's whole-image buffers */

struct jerr {
    struct jpeg_error_mgr pub;
    jmp_buf jb;
    int code;                            /* negative errno for the caller */
    char msg[JMSG_LENGTH_MAX];
};

static void jerr_exit(j_common_ptr ci)
{
    struct jerr *e = (struct jerr *)ci->err;
    (*ci->err->format_message)(ci, e->msg);
    e->code = ci->err->msg_code == JERR_OUT_OF_MEMORY ? -ENOMEM
            : ci->err->msg_code == JERR_NO_BACKING_STORE ? -EFBIG : -EINVAL;
    longjmp(e->jb, 1);
}

/* Warnings that mean the image data is damaged are errors for us: libjpeg would
 * otherwise fill the missing part with grey and report success. */
static void jerr_emit(j_common_ptr ci, int level)
{
    if (level >= 0)
        return; /* trace messages */
    switch (ci->err->msg_code) {
    case JWRN_JPEG_EOF:
    case JWRN_HIT_MARKER:
    case JWRN_HUFF_BAD_CODE:
    case JWRN_ARITH_BAD_CODE:
    case JWRN_MUST_RESYNC:
    case JWRN_BOGUS_PROGRESSION:
    case JWRN_NOT_SEQUENTIAL:
        jerr_exit(ci);
        break;
    default:
        ci->err->num_warnings++;
        break;
    }
}

static void jerr_output(j_common_ptr ci) { (void)ci; }

static void jprogress(j_common_ptr ci)
{
    if (ci->is_decompressor && ((j_decompress_ptr)ci)->input_scan_number > JPEG_MAX_SCANS) {
        struct jerr *e = (struct jerr *)ci->err;
        snprintf(e->msg, sizeof e->msg, "more than %d scans (corrupt or hostile progressive JPEG)",
                 JPEG_MAX_SCANS);
        e->code = -EINVAL;
        longjmp(e->jb, 1);
    }
}

static int decode_jpeg(const struct ictx *c, const uint8_t *d, size_t n, struct mbn_image *img)
{
    struct jpeg_decompress_struct ci;
    struct jerr je;
    struct jpeg_progress_mgr prog;
    /* Modified between setjmp and a possible longjmp, hence volatile. */
    uint8_t *volatile out = NULL;
    uint8_t *volatile row = NULL;

    if ((unsigned long)n != n)
        return fail(c, -EFBIG, "JPEG too large");
    memset(&ci, 0, sizeof ci);
    ci.err = jpeg_std_error(&je.pub);
    je.pub.error_exit = jerr_exit;
    je.pub.emit_message = jerr_emit;
    je.pub.output_message = jerr_output;
    je.code = -EINVAL;
    je.msg[0] = 0;
    if (setjmp(je.jb)) {
        jpeg_destroy_decompress(&ci);
        free(out);
        free(row);
        /* libjpeg's warnings already start with "Corrupt JPEG data: ". */
        const char *m = je.msg;
        if (strncmp(m, "Corrupt JPEG data: ", 19) == 0)
            m += 19;
        return fail(c, je.code, "corrupt JPEG: %s", m);
    }
    jpeg_create_decompress(&ci);
    ci.mem->max_memory_to_use = JPEG_MAX_MEMORY;
    prog.progress_monitor = jprogress;
    ci.progress = &prog;
    jpeg_mem_src(&ci, d, (unsigned long)n);
    jpeg_read_header(&ci, TRUE);

    int r = check_dims(c, "JPEG", ci.image_width, ci.image_height);
    if (r) {
        jpeg_destroy_decompress(&ci);
        return r;
    }
    int cmyk = 0;
    switch (ci.jpeg_color_space) {
    case JCS_GRAYSCALE:
    case JCS_YCbCr:
    case JCS_RGB:
        ci.out_color_space = JCS_RGB;
        break;
    case JCS_CMYK:
    case JCS_YCCK:
        ci.out_color_space = JCS_CMYK; /* libjpeg converts YCCK to CMYK */
        cmyk = 1;
        break;
    default:
        r = fail(c, -ENOTSUP, "JPEG with %d components in an unknown colour space not supported",
                 ci.num_components);
        jpeg_destroy_decompress(&ci);
        return r;
    }
    jpeg_start_decompress(&ci);
    if (ci.output_width != ci.image_width || ci.output_height != ci.image_height ||
        ci.output_components != (cmyk ? 4 : 3)) {
        jpeg_destroy_decompress(&ci);
        return fail(c, -EINVAL, "JPEG decoder produced unexpected output geometry");
    }
    int w = (int)ci.output_width, h = (int)ci.output_height;
    out = malloc((size_t)w * h * 3);
    if (cmyk)
        row = malloc((size_t)w * 4);
    if (!out || (cmyk && !row)) {
        jpeg_destroy_decompress(&ci);
        free(out);
        free(row);
        return fail(c, -ENOMEM, "out of memory for a %dx%d image", w, h);
    }
    /* Adobe writes CMYK JPEGs inverted (255 = no ink) and marks them with an
     * APP14 "Adobe" segment; everyone else writes plain CMYK. */
    int inverted = ci.saw_Adobe_marker;
    while (ci.output_scanline < ci.output_height) {
        unsigned y = ci.output_scanline;
        JSAMPROW rp = cmyk ? (JSAMPROW)row : (JSAMPROW)(out + (size_t)y * w * 3);
        if (jpeg_read_scanlines(&ci, &rp, 1) != 1) {
            /* Only possible with a suspending source, which jpeg_mem_src is not. */
            jpeg_destroy_decompress(&ci);
            free(out);
            free(row);
            return fail(c, -EINVAL, "corrupt JPEG: decoder stopped at row %u of %d", y, h);
        }
        if (cmyk) {
            uint8_t *o = out + (size_t)y * w * 3;
            for (int x = 0; x < w; x++) {
                unsigned cc = row[4 * x], mm = row[4 * x + 1], yy = row[4 * x + 2], kk = row[4 * x + 3];
                if (!inverted) {
                    cc = 255 - cc; mm = 255 - mm; yy = 255 - yy; kk = 255 - kk;
                }
                /* Now 255 = no ink: R = (1-C)(1-K) scaled to 0..255. */
                o[3 * x + 0] = (uint8_t)((cc * kk + 127) / 255);
                o[3 * x + 1] = (uint8_t)((mm * kk + 127) / 255);
                o[3 * x + 2] = (uint8_t)((yy * kk + 127) / 255);
            }
        }
    }
    jpeg_finish_decompress(&ci);
    jpeg_destroy_decompress(&ci);
    free(row);
    img->rgb = out;
    img->w = w;
    img->h = h;
    return 0;
}

/* ------------------------------------------------------------------------ */
/* PNG (libpng 1.6)                                                         */

struct pngio {
    const uint8_t *d;
    size_t n, pos;
    char msg[256];
};

static void png_err_fn(png_structp png, png_const_charp msg)
{
    struct pngio *io = png_get_error_ptr(png);
    snprintf(io->msg, sizeof io->msg, "%s", msg);
    png_longjmp(png, 1);
}

static void png_warn_fn(png_structp png, png_const_charp msg) { (void)png; (void)msg; }

static void png_read_fn(png_structp png, png_bytep buf, png_size_t len)
{
    struct pngio *io = png_get_io_ptr(png);
    if (len > io->n - io->pos)
        png_error(png, "file truncated");
    memcpy(buf, io->d + io->pos, len);
    io->pos += len;
}

static int decode_png(const struct ictx *c, const uint8_t *d, size_t n, struct mbn_image *img)
{
    struct pngio io = { .d = d, .n = n, .pos = 0, .msg = "" };
    png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, &io, png_err_fn, png_warn_fn);
    if (!png)
        return fail(c, -ENOMEM, "out of memory for the PNG decoder");
    png_infop info = png_create_info_struct(png);
    if (!info) {
        png_destroy_read_struct(&png, NULL, NULL);
        return fail(c, -ENOMEM, "out of memory for the PNG decoder");
    }
    uint8_t *volatile out = NULL;
    png_bytep *volatile rows = NULL;
    volatile int code = -EINVAL;

    if (setjmp(png_jmpbuf(png))) {
        png_destroy_read_struct(&png, &info, NULL);
        free(out);
        free(rows);
        return fail(c, code, "corrupt PNG: %s", io.msg);
    }
    png_set_read_fn(png, &io, png_read_fn);
    /* libpng's own limit (1000000 per side) stays in force; ours is checked below
     * so that it gives -EFBIG and the same message as the other formats. */
    png_read_info(png, info);

    png_uint_32 w, h;
    int depth, ctype, interlace;
    png_get_IHDR(png, info, &w, &h, &depth, &ctype, &interlace, NULL, NULL);
    int r = check_dims(c, "PNG", w, h);
    if (r) {
        png_destroy_read_struct(&png, &info, NULL);
        return r;
    }
    png_set_expand(png);                   /* palette -> RGB, gray < 8 bits -> 8, tRNS -> alpha */
    if (depth == 16)
        png_set_scale_16(png);             /* 16 -> 8 bits, rounded (v * 255 / 65535) */
    png_set_strip_alpha(png);              /* alpha is dropped, not composited */
    if (!(ctype & PNG_COLOR_MASK_COLOR))
        png_set_gray_to_rgb(png);
    png_set_interlace_handling(png);
    png_read_update_info(png, info);
    size_t rowbytes = png_get_rowbytes(png, info);
    if (rowbytes != (size_t)w * 3 || png_get_channels(png, info) != 3) {
        png_destroy_read_struct(&png, &info, NULL);
        return fail(c, -EINVAL, "PNG transformations gave %zu bytes per row, expected %zu",
                    rowbytes, (size_t)w * 3);
    }
    code = -ENOMEM;
    out = malloc((size_t)w * h * 3);
    rows = malloc(sizeof(png_bytep) * h);
    if (!out || !rows)
        png_error(png, "out of memory");
    code = -EINVAL;
    for (png_uint_32 y = 0; y < h; y++)
        rows[y] = out + (size_t)y * w * 3;
    png_read_image(png, rows);
    png_destroy_read_struct(&png, &info, NULL);
    free(rows);
    img->rgb = out;
    img->w = (int)w;
    img->h = (int)h;
    return 0;
}

/* ------------------------------------------------------------------------ */
/* Entry points                                                             */

void mbn_image_free(struct mbn_image *img)
{
    if (!img)
        return;
    free(img->rgb);
    img->rgb = NULL;
    img->w = img->h = 0;
}

static int looks_like_text(const uint8_t *d, size_t n)
{
    size_t k = n < 64 ? n : 64;
    for (size_t i = 0; i < k; i++) {
        uint8_t ch = d[i];
        if (ch < 0x20 && ch != '\n' && ch != '\r' && ch != '\t')
            return 0;
        if (ch == 0x7f)
            return 0;
    }
    return 1;
}

int mbn_image_load_mem(const void *data, size_t size, const char *name,
                       struct mbn_image *img, char *err, size_t errlen)
{
    struct ictx c = { .name = name ? name : "<memory>", .err = err, .errlen = errlen };
    if (err && errlen)
        err[0] = 0;
    if (!img)
        return fail(&c, -EINVAL, "no image to load into");
    img->w = img->h = 0;
    img->rgb = NULL;
    if (!data && size)
        return fail(&c, -EINVAL, "no data");
    if (size == 0)
        return fail(&c, -EINVAL, "file is empty");

    const uint8_t *d = data;
    int r;
    switch (mbn_image_detect(d, size)) {
    case MBN_IMAGE_JPEG: r = decode_jpeg(&c, d, size, img); break;
    case MBN_IMAGE_PNG:  r = decode_png(&c, d, size, img); break;
    case MBN_IMAGE_BMP:  r = decode_bmp(&c, d, size, img); break;
    case MBN_IMAGE_PNM:  r = decode_pnm(&c, d, size, img); break;
    default: {
        char hex[3 * 8 + 1] = "";
        size_t k = size < 8 ? size : 8, o = 0;
        for (size_t i = 0; i < k; i++)
            o += (size_t)snprintf(hex + o, sizeof hex - o, "%s%02x", i ? " " : "", d[i]);
        if (looks_like_text(d, size))
            return fail(&c, -EINVAL, "not an image: looks like a text file "
                        "(expected JPEG, PNG, BMP or PPM/PGM)");
        return fail(&c, -EINVAL, "not a recognised image format (expected JPEG, PNG, BMP or "
                    "PPM/PGM); first bytes %s", hex);
    }
    }
    if (r) {
        mbn_image_free(img);
        return r;
    }
    return 0;
}

/* Whole file into memory; *buf is malloc'd. */
static int read_file(const struct ictx *c, const char *path, uint8_t **buf, size_t *len)
{
    *buf = NULL;
    *len = 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        int e = errno;
        return fail(c, -e, "cannot open: %s", strerror(e));
    }
    struct stat st;
    if (fstat(fd, &st) != 0) {
        int e = errno;
        close(fd);
        return fail(c, -e, "cannot stat: %s", strerror(e));
    }
    if (S_ISDIR(st.st_mode)) {
        close(fd);
        return fail(c, -EISDIR, "is a directory, not an image file");
    }
    if (S_ISREG(st.st_mode) && (uint64_t)st.st_size > MBN_IMAGE_MAX_FILE) {
        close(fd);
        return fail(c, -EFBIG, "file is %lld bytes, larger than the %u-byte limit",
                    (long long)st.st_size, MBN_IMAGE_MAX_FILE);
    }
    /* Regular files: one buffer of the stat size (+1 to see EOF). Pipes etc: grow. */
    size_t cap = S_ISREG(st.st_mode) ? (size_t)st.st_size + 1 : 65536;
    size_t n = 0;
    uint8_t *b = malloc(cap);
    if (!b) {
        close(fd);
        return fail(c, -ENOMEM, "out of memory reading the file");
    }
    for (;;) {
        if (n == cap) {
            if (cap > MBN_IMAGE_MAX_FILE) {
                free(b);
                close(fd);
                return fail(c, -EFBIG, "file larger than the %u-byte limit", MBN_IMAGE_MAX_FILE);
            }
            uint8_t *nb = realloc(b, cap * 2);
            if (!nb) {
                free(b);
                close(fd);
                return fail(c, -ENOMEM, "out of memory reading the file");
            }
            b = nb;
            cap *= 2;
        }
        ssize_t k = read(fd, b + n, cap - n);
        if (k < 0) {
            if (errno == EINTR)
                continue;
            int e = errno;
            free(b);
            close(fd);
            return fail(c, -e, "read error: %s", strerror(e));
        }
        if (k == 0)
            break;
        n += (size_t)k;
    }
    close(fd);
    *buf = b;
    *len = n;
    return 0;
}

int mbn_image_load(const char *path, struct mbn_image *img, char *err, size_t errlen)
{
    struct ictx c = { .name = path ? path : "(null)", .err = err, .errlen = errlen };
    if (err && errlen)
        err[0] = 0;
    if (img) {
        img->w = img->h = 0;
        img->rgb = NULL;
    }
    if (!path || !img)
        return fail(&c, -EINVAL, "no file name or no image to load into");
    uint8_t *buf;
    size_t len;
    int r = read_file(&c, path, &buf, &len);
    if (r)
        return r;
    r = mbn_image_load_mem(buf, len, path, img, err, errlen);
    free(buf);
    return r;
}

/* ------------------------------------------------------------------------ */
/* Bilinear resize                                                          */

/*
 * TensorFlow's bilinear resize with align_corners=false, half_pixel_centers=false,
 * i.e. TF1 tf.image.resize_bilinear / TFLite RESIZE_BILINEAR with default options.
 * Source of the formula: tensorflow/lite/kernels/internal/reference/resize_bilinear.h
 * (ComputeInterpolationValues and the float ResizeBilinear<T>):
 *
 *   scale   = (float)in_size / out_size
 *   in      = out * scale                         (float)
 *   i0      = max((int)floor(in), 0)
 *   i1      = min(ceil(in), in_size - 1)
 *   value   = p[y0][x0] * (1 - (iy - y0)) * (1 - (ix - x0))
 *           + p[y1][x0] * (iy - y0) * (1 - (ix - x0))
 *           + p[y0][x1] * (1 - (iy - y0)) * (ix - x0)
 *           + p[y1][x1] * (iy - y0) * (ix - x0)
 *
 * We take i1 = min(i0 + 1, in_size - 1) (TF1's resize_bilinear_op.cc form). It differs
 * from ceil() only when `in` is an integer, and then the i1 terms have weight exactly 0,
 * so the float result is the same bit for bit. The sum is evaluated in the order above,
 * in single precision; the Makefile's -ffp-contract=off keeps the compiler from fusing
 * it into FMAs, which would change the last bit.
 *
 * Rounding (the float -> uint8 step), chosen explicitly:
 *   MBN_RESIZE_ROUND (default): round to nearest, halves up: (uint8)(v + 0.5), clamped
 *     to 0..255. v is never negative (all weights are >= 0), so this is round-half-up.
 *     Rounding makes a constant image stay constant even when the float sum lands a
 *     hair below the integer (e.g. 99.99999), which truncation would turn into 99.
 *   MBN_RESIZE_TRUNCATE: truncation, what TFLite's label_image example does with the
 *     float output of the RESIZE_BILINEAR op (static_cast<uint8_t>). label_image runs the
 *     optimized kernel (optimized_ops ResizeBilinearGeneric), which accumulates
 *     out = 0; out += p00 * (wy0 * wx0); out += p01 * (wy0 * wx1);
 *     out += p10 * (wy1 * wx0); out += p11 * (wy1 * wx1);
 *     so this mode uses that evaluation order, to match it bit for bit.
 *     (For an exact 2x upscale that kernel takes a special ResizeBilinear2x2 path
 *     which is not reproduced here.)
 */
int mbn_image_resize_bilinear_ex(const struct mbn_image *src, int out_w, int out_h,
                                 uint8_t *dst, enum mbn_resize_round mode)
{
    if (!src || !src->rgb || src->w < 1 || src->h < 1 || !dst)
        return -EINVAL;
    if (out_w < 1 || out_h < 1 || out_w > MBN_IMAGE_MAX_SIDE || out_h > MBN_IMAGE_MAX_SIDE ||
        (uint64_t)out_w * (uint64_t)out_h > MBN_IMAGE_MAX_PIXELS)
        return -EINVAL;
    if (mode != MBN_RESIZE_ROUND && mode != MBN_RESIZE_TRUNCATE)
        return -EINVAL;

    const int in_w = src->w, in_h = src->h;
    const float hscale = (float)in_h / (float)out_h;
    const float wscale = (float)in_w / (float)out_w;
    const uint8_t *p = src->rgb;
    const size_t istride = (size_t)in_w * 3;

    for (int y = 0; y < out_h; y++) {
        const float iy = (float)y * hscale;
        int y0 = (int)floorf(iy);
        if (y0 < 0)
            y0 = 0;
        if (y0 > in_h - 1)        /* cannot happen for in_h/out_h; float paranoia */
            y0 = in_h - 1;
        const int y1 = y0 + 1 < in_h ? y0 + 1 : in_h - 1;
        const float dy = iy - (float)y0;
        const uint8_t *r0 = p + (size_t)y0 * istride;
        const uint8_t *r1 = p + (size_t)y1 * istride;
        uint8_t *o = dst + (size_t)y * out_w * 3;

        for (int x = 0; x < out_w; x++) {
            const float ix = (float)x * wscale;
            int x0 = (int)floorf(ix);
            if (x0 < 0)
                x0 = 0;
            if (x0 > in_w - 1)
                x0 = in_w - 1;
            const int x1 = x0 + 1 < in_w ? x0 + 1 : in_w - 1;
            const float dx = ix - (float)x0;

            for (int ch = 0; ch < 3; ch++) {
                const float p00 = r0[3 * x0 + ch], p01 = r0[3 * x1 + ch];
                const float p10 = r1[3 * x0 + ch], p11 = r1[3 * x1 + ch];
                float v;
                if (mode == MBN_RESIZE_ROUND) {
                    v = p00 * (1 - dy) * (1 - dx) +
                        p10 * dy * (1 - dx) +
                        p01 * (1 - dy) * dx +
                        p11 * dy * dx;
                    v += 0.5f;
                } else {
                    v = 0.0f;
                    v += p00 * ((1 - dy) * (1 - dx));
                    v += p01 * ((1 - dy) * dx);
                    v += p10 * (dy * (1 - dx));
                    v += p11 * (dy * dx);
                }
                o[3 * x + ch] = v <= 0.0f ? 0 : v >= 255.0f ? 255 : (uint8_t)v;
            }
        }
    }
    return 0;
}

int mbn_image_resize_bilinear(const struct mbn_image *src, int out_w, int out_h, uint8_t *dst)
{
    return mbn_image_resize_bilinear_ex(src, out_w, out_h, dst, MBN_RESIZE_ROUND);
}

/* ------------------------------------------------------------------------ */
/* From pixels to a model's input tensor                                    */

void mbn_image_to_gray(struct mbn_image *img)
{
    if (!img || !img->rgb)
        return;
    uint8_t *p = img->rgb;
    for (size_t i = 0, n = (size_t)img->w * (size_t)img->h; i < n; i++, p += 3)
        p[0] = p[1] = p[2] = mbn_luma_bt601(p[0], p[1], p[2]);
}

/* Is scale within 0.1 % of 1/den? (Converters store 1/255 as 0.00392156886 or
 * 0.0039215689, 1/128 exactly; 2/255, the scale of a calibrated [-1, 1], is 0.4 % away
 * from 1/128 and does not match.) */
static int scale_is(float scale, double den)
{
    return isfinite(scale) && fabs((double)scale * den - 1.0) < 1e-3;
}

static void set_kind(struct mbn_input_range *r, enum mbn_range_kind kind)
{
    memset(r, 0, sizeof(*r));
    r->kind = kind;
    r->lo = mbn_input_range_real(r, 0);
    r->hi = mbn_input_range_real(r, 255);
}

int mbn_input_range_for(enum mbn_type type, float scale, int32_t zero_point, struct mbn_input_range *r)
{
    int unit_zp, mob_zp, qmin;

    switch (type) {
    case MBN_TYPE_INT8: unit_zp = -128, mob_zp = 0, qmin = -128; break;
    case MBN_TYPE_UINT8: unit_zp = 0, mob_zp = 128, qmin = 0; break;
    case MBN_TYPE_FLOAT32:
        if (scale_is(scale, 255) && (zero_point == -128 || zero_point == 0))
            set_kind(r, MBN_RANGE_UNIT);
        else if (scale_is(scale, 128) && (zero_point == 0 || zero_point == 128))
            set_kind(r, MBN_RANGE_MOBILENET);
        else
            set_kind(r, MBN_RANGE_KERAS);
        return 0;
    default:
        set_kind(r, MBN_RANGE_MOBILENET);
        return -EINVAL;
    }
    if (scale_is(scale, 255) && zero_point == unit_zp) {
        set_kind(r, MBN_RANGE_UNIT);
    } else if (scale_is(scale, 128) && zero_point == mob_zp) {
        set_kind(r, MBN_RANGE_MOBILENET);
    } else if (!(isfinite(scale) && scale > 0)) {
        set_kind(r, MBN_RANGE_MOBILENET);
        return -EINVAL;
    } else {
        memset(r, 0, sizeof(*r));
        r->kind = MBN_RANGE_QUANT;
        r->scale = scale;
        r->zero_point = zero_point;
        r->qmin = qmin;
        r->lo = mbn_input_range_real(r, 0);
        r->hi = mbn_input_range_real(r, 255);
    }
    return 0;
}

int mbn_input_range_parse(const char *s, struct mbn_input_range *r)
{
    char *end;

    if (!s || !r)
        return -EINVAL;
    errno = 0;
    double a = strtod(s, &end);
    if (end == s || *end != ':' || errno)
        return -EINVAL;
    const char *s2 = end + 1;
    double b = strtod(s2, &end);
    if (end == s2 || *end || errno)
        return -EINVAL;
    if (!isfinite(a) || !isfinite(b) || a == b || fabs(a) > 1e30 || fabs(b) > 1e30)
        return -EINVAL;
    if (a == 0 && b == 1)
        set_kind(r, MBN_RANGE_UNIT);
    else if (a == -1 && b == 1)
        set_kind(r, MBN_RANGE_KERAS);
    else if (a == -1 && b == 127.0 / 128.0)
        set_kind(r, MBN_RANGE_MOBILENET);
    else {
        memset(r, 0, sizeof(*r));
        r->kind = MBN_RANGE_USER;
        r->lo = (float)a;
        r->hi = (float)b;
    }
    return 0;
}

float mbn_input_range_real(const struct mbn_input_range *r, int p)
{
    switch (r->kind) {
    case MBN_RANGE_UNIT: return (float)p / 255.0f;
    case MBN_RANGE_MOBILENET: return (float)(p - 128) / 128.0f;
    case MBN_RANGE_KERAS: return (float)p / 127.5f - 1.0f;
    case MBN_RANGE_QUANT: return r->scale * (float)(r->qmin + p - r->zero_point);
    case MBN_RANGE_USER: return (float)((double)r->lo + (double)p * ((double)r->hi - (double)r->lo) / 255.0);
    }
    return 0;
}

const char *mbn_input_range_rule(const struct mbn_input_range *r)
{
    switch (r->kind) {
    case MBN_RANGE_UNIT: return "pixel / 255";
    case MBN_RANGE_MOBILENET: return "(pixel - 128) / 128";
    case MBN_RANGE_KERAS: return "pixel / 127.5 - 1";
    case MBN_RANGE_QUANT: return r->qmin ? "scale * (pixel - 128 - zero point): the int8 range"
                                         : "scale * (pixel - zero point): the uint8 range";
    case MBN_RANGE_USER: return "lo + pixel * (hi - lo) / 255, from --input-range";
    }
    return "?";
}

uint8_t mbn_quantize_pixel(float real, enum mbn_type type, float scale, int32_t zero_point)
{
    long q = lroundf(real / scale) + zero_point;
    long lo = type == MBN_TYPE_INT8 ? -128 : 0, hi = type == MBN_TYPE_INT8 ? 127 : 255;
    q = q < lo ? lo : q > hi ? hi : q;
    return (uint8_t)q;
}

int mbn_input_map_init(struct mbn_input_map *m, const struct mbn_input_range *r, enum mbn_type type, float scale,
                       int32_t zero_point)
{
    if (!m || !r)
        return -EINVAL;
    memset(m, 0, sizeof(*m));
    m->range = *r;
    m->type = type;
    if (type != MBN_TYPE_INT8 && type != MBN_TYPE_UINT8 && type != MBN_TYPE_FLOAT32)
        return -EINVAL;
    if (type != MBN_TYPE_FLOAT32 && !(isfinite(scale) && scale > 0))
        return -EINVAL;
    for (int p = 0; p < 256; p++) {
        m->f[p] = mbn_input_range_real(r, p);
        if (type != MBN_TYPE_FLOAT32)
            m->q[p] = mbn_quantize_pixel(m->f[p], type, scale, zero_point);
    }
    return 0;
}

int mbn_input_fill(const struct mbn_input_map *m, const uint8_t *rgb, size_t pixels, int channels, void *dst)
{
    if (!m || !rgb || !dst || (channels != 1 && channels != 3 && channels != 4))
        return -EINVAL;
    const int fl = m->type == MBN_TYPE_FLOAT32;
    uint8_t *qd = dst;
    float *fd = dst;
    size_t o = 0;
    for (size_t i = 0; i < pixels; i++, rgb += 3) {
        uint8_t px[4] = { rgb[0], rgb[1], rgb[2], 255 };
        if (channels == 1)
            px[0] = mbn_luma_bt601(rgb[0], rgb[1], rgb[2]);
        for (int c = 0; c < channels; c++, o++) {
            if (fl)
                fd[o] = m->f[px[c]];
            else
                qd[o] = m->q[px[c]];
        }
    }
    return 0;
}
