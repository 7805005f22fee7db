/* image.h - image input for the mbnaccel tools (mbn-classify and friends).
 *
 * Decodes JPEG (libjpeg-turbo), PNG (libpng), BMP and binary PPM/PGM (built in) into
 * packed 8-bit RGB, and resizes with TensorFlow's classic bilinear filter. The last
 * section turns pixels into a model's input tensor: BT.601 grayscale, the real input
 * range a model's input quantization implies, and 1-, 3- or 4-channel packing.
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

#include "mbnaccel.h" /* enum mbn_type */

#ifdef __cplusplus
extern "C" {
#endif

/* Limits applied to every format before any pixel buffer is allocated. */
#define MBN_IMAGE_MAX_SIDE 32768 /* per side, in pixels */
#define MBN_IMAGE_MAX_PIXELS (1u << 28) /* w * h */
#define MBN_IMAGE_MAX_FILE (1u << 30) /* bytes read by mbn_image_load() */

struct mbn_image {
	int w, h; /* both >= 1 after a successful load */
	uint8_t *rgb; /* w * h * 3 bytes, R G B, row-major, top row first; malloc'd */
};

enum mbn_image_format {
	MBN_IMAGE_UNKNOWN = 0,
	MBN_IMAGE_JPEG,
	MBN_IMAGE_PNG,
	MBN_IMAGE_BMP,
	MBN_IMAGE_PNM, /* any Netpbm magic P1..P7; only P5 and P6 decode */
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

/* ------------------------------------------------------------------------ */
/* From pixels to a model's input tensor (mbn-classify)                     */

/* ITU-R BT.601 luma, Y = 0.299 R + 0.587 G + 0.114 B, computed as Pillow's
 * Image.convert("L") does (src/libImaging/Convert.c, the L24 macro and rgb2l):
 *   Y = (R * 19595 + G * 38470 + B * 7471 + 0x8000) >> 16
 * The weights add up to 65536, so a gray pixel (R = G = B) keeps its value. */
static inline uint8_t mbn_luma_bt601(uint8_t r, uint8_t g, uint8_t b)
{
	return (uint8_t)(((uint32_t)r * 19595u + (uint32_t)g * 38470u + (uint32_t)b * 7471u + 0x8000u) >> 16);
}

/* Replace every pixel by its luma (Y, Y, Y), in place. Done before resizing, as a
 * Pillow pipeline does (img.convert("L").resize(...)): resizing the gray image then
 * gives in each channel exactly what resizing a one-channel image gives. */
void mbn_image_to_gray(struct mbn_image *img);

/* How a pixel value p (0..255, every channel) becomes the model's real input value.
 * Pixel 0 maps to lo, pixel 255 to hi, linearly in between; the kind fixes the exact
 * float formula (those of the usual preprocessing code, so that the float values, and
 * hence the quantized bytes, are the ones a user's Python pipeline computes). */
enum mbn_range_kind {
	MBN_RANGE_UNIT = 1, /* [0, 1]:      p / 255.0f  (Keras Rescaling(1/255), ToTensor) */
	MBN_RANGE_MOBILENET, /* [-1, 127/128]: (p - 128) / 128.0f (the reference MobileNet
                             * v1 models: their input bytes are the pixels themselves) */
	MBN_RANGE_KERAS, /* [-1, 1]:     p / 127.5f - 1.0f (Keras
                             * mobilenet.preprocess_input, mode "tf") */
	MBN_RANGE_QUANT, /* the whole range of the quantized type: p selects
                             * q = qmin + p, real = scale * (q - zero_point) */
	MBN_RANGE_USER, /* --input-range A:B: lo + p * (hi - lo) / 255 (in double) */
};

struct mbn_input_range {
	enum mbn_range_kind kind;
	float lo, hi; /* real value of pixel 0 and of pixel 255 */
	/* MBN_RANGE_QUANT only */
	float scale;
	int32_t zero_point;
	int qmin;
};

/* The range a model's input expects, derived from its input tensor (type, scale, zero
 * point as in struct mbn_tensor_info):
 *   scale ~1/255 (within 0.1 %) with zero point -128 (int8) or 0 (uint8):  [0, 1]
 *   scale ~1/128 with zero point 0 (int8) or 128 (uint8):  (p - 128) / 128
 *   other int8 / uint8:  MBN_RANGE_QUANT (pixel p is the quantized value qmin + p)
 *   float32 (scale and zero point are those of the quantized tensor next to the float
 *   input, 0 if none): the two presets above if that quantization is one of them (any
 *   of the zero points), else Keras' [-1, 1] (p / 127.5 - 1).
 * Returns 0, or -EINVAL for an unknown type or a quantized type with a scale that is
 * not positive and finite (then r is set to the (p - 128) / 128 preset). */
int mbn_input_range_for(enum mbn_type type, float scale, int32_t zero_point, struct mbn_input_range *r);

/* Parse "A:B" (two finite numbers, A != B): pixel 0 -> A, 255 -> B. The three preset
 * ranges given exactly ("0:1", "-1:1", "-1:0.9921875") get their preset's formula.
 * Returns 0 or -EINVAL. */
int mbn_input_range_parse(const char *s, struct mbn_input_range *r);

/* The real value of pixel p (0..255) under r. */
float mbn_input_range_real(const struct mbn_input_range *r, int p);

/* A short human description of the formula, e.g. "pixel / 255". */
const char *mbn_input_range_rule(const struct mbn_input_range *r);

/* Pixel value -> tensor element, for all 256 pixel values. */
struct mbn_input_map {
	struct mbn_input_range range;
	enum mbn_type type; /* of the input tensor */
	uint8_t q[256]; /* int8 / uint8 inputs: the element's byte */
	float f[256]; /* the real value of each pixel (the element of a float32 input) */
};

/* Quantize real as mbn-classify always has: lroundf(real / scale) + zero_point, clamped to
 * the type's range (-128..127 for int8, 0..255 for uint8); the result as the type's byte. */
uint8_t mbn_quantize_pixel(float real, enum mbn_type type, float scale, int32_t zero_point);

/* Build the table for a tensor of the given type and quantization. Returns 0, or -EINVAL
 * for an unknown type or a quantized type whose scale is not positive and finite. */
int mbn_input_map_init(struct mbn_input_map *m, const struct mbn_input_range *r, enum mbn_type type, float scale,
		       int32_t zero_point);

/* Write `pixels` packed RGB pixels as a tensor of `channels` elements per pixel:
 *   1: the luma of each pixel (mbn_luma_bt601; the identity on a mbn_image_to_gray image)
 *   3: R, G, B
 *   4: R, G, B and a 4th channel of pixel value 255 (opaque alpha)
 * each element mapped through m (bytes for int8/uint8, floats for float32; dst holds
 * pixels * channels elements). Returns 0, or -EINVAL for another channel count. */
int mbn_input_fill(const struct mbn_input_map *m, const uint8_t *rgb, size_t pixels, int channels, void *dst);

#ifdef __cplusplus
}
#endif

#endif /* MBN_TOOLS_IMAGE_H */
