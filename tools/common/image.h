/* image.h - image input for the mbnaccel tools (mbn-classify and friends).
 *
 * Decodes JPEG (libjpeg-turbo), PNG (libpng), BMP and binary PPM/PGM (built in) into
 * packed 8-bit RGB, and resizes with TensorFlow's classic bilinear filter.
 *
 * The format is detected from the first bytes of the data, never from the file name.
 * Every decoder bounds-checks the header against the data it was given: a truncated,
 * corrupt, empty or absurdly large input returns a negative errno and a one-line
 * message of the form "<name>: <what is wrong>"; it never crashes, reads out of
 * bounds or exits the process.
 *
 * Error codes:
 *   -ENOENT, -EACCES, -EISDIR, ... the file could not be opened or read (errno of the call)
 *   -EINVAL      not an image we recognise, or a malformed / truncated / corrupt image
 *   -ENOTSUP     a well-formed image that uses a feature we do not decode
 *                (compressed BMP, 16-bit BMP, ASCII PPM, ...)
 *   -EFBIG       dimensions (or the file) above the limits below
 *   -ENOMEM      out of memory
 *
 * No global state: the functions are safe to call from several threads at once.
 */
#ifndef MBN_TOOLS_IMAGE_H
#define MBN_TOOLS_IMAGE_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Limits applied to every format before any pixel buffer is allocated. */
#define MBN_IMAGE_MAX_SIDE   32768              /* per side, in pixels */
#define MBN_IMAGE_MAX_PIXELS (1u << 28)          /* w * h */
#define MBN_IMAGE_MAX_FILE   (1u << 30)          /* bytes read by mbn_image_load() */

struct mbn_image {
    int w, h;         /* both >= 1 after a successful load */
    uint8_t *rgb;     /* w * h * 3 bytes, R G B, row-major, top row first; malloc'd */
};

enum mbn_image_format {
    MBN_IMAGE_UNKNOWN = 0,
    MBN_IMAGE_JPEG,
    MBN_IMAGE_PNG,
    MBN_IMAGE_BMP,
    MBN_IMAGE_PNM,    /* any Netpbm magic P1..P7; only P5 and P6 decode */
};

/* Format by magic bytes (JPEG FF D8, PNG signature, "BM", "P1".."P7"). */
enum mbn_image_format mbn_image_detect(const void *data, size_t size);
const char *mbn_image_format_name(enum mbn_image_format fmt);

/* Read and decode the file at path. Returns 0, or a negative errno with a message
 * naming the file in err (err may be NULL; errlen 0 is allowed). On failure *img is
 * left empty ({0, 0, NULL}), so mbn_image_free() is always safe. */
int mbn_image_load(const char *path, struct mbn_image *img, char *err, size_t errlen);

/* Same, from memory. name is only used in error messages (NULL -> "<memory>"). */
int mbn_image_load_mem(const void *data, size_t size, const char *name,
                       struct mbn_image *img, char *err, size_t errlen);

void mbn_image_free(struct mbn_image *img);

/* Bilinear resize as TensorFlow's ResizeBilinear with align_corners=false and
 * half_pixel_centers=false (TF1 tf.image.resize_bilinear, TFLite RESIZE_BILINEAR
 * defaults); see image.c for the formula and where it comes from.
 *
 * The filter is computed in float; the rounding mode says how the float result
 * becomes a byte:
 *   MBN_RESIZE_ROUND     round to nearest (half up). The default: it is what
 *                        mbn_image_resize_bilinear() does.
 *   MBN_RESIZE_TRUNCATE  truncate toward zero, as TFLite's label_image example
 *                        does (static_cast<uint8_t> of the float op's output);
 *                        for bit-exact comparison with that program. */
enum mbn_resize_round {
    MBN_RESIZE_ROUND = 0,
    MBN_RESIZE_TRUNCATE = 1,
};

/* dst receives out_w * out_h * 3 bytes (must not overlap src->rgb).
 * Returns 0, or -EINVAL for a bad argument (empty source, out_w/out_h < 1 or above
 * MBN_IMAGE_MAX_SIDE, out_w * out_h above MBN_IMAGE_MAX_PIXELS). */
int mbn_image_resize_bilinear(const struct mbn_image *src, int out_w, int out_h,
                              uint8_t *dst);
int mbn_image_resize_bilinear_ex(const struct mbn_image *src, int out_w, int out_h,
                                 uint8_t *dst, enum mbn_resize_round mode);

#ifdef __cplusplus
}
#endif

#endif /* MBN_TOOLS_IMAGE_H */
