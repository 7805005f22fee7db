/* image_codecs.c - JPEG (libjpeg-turbo) and PNG (libpng 1.6) through their libraries,
 * with their errors and warnings turned into image.h's messages and their memory and
 * scan limits set against hostile files. */
#include "image_int.h"

#include <setjmp.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jpeglib.h>
#include <jerror.h>
#include <png.h>

/* ------------------------------------------------------------------------ */
/* JPEG (libjpeg-turbo)                                                     */

#define JPEG_MAX_SCANS 1000 /* progressive-JPEG DoS guard */
#define JPEG_MAX_MEMORY (1L << 30) /* for libjpeg's whole-image buffers */

struct jerr {
	struct jpeg_error_mgr pub;
	jmp_buf jb;
	int code; /* negative errno for the caller */
	char msg[JMSG_LENGTH_MAX];
};

static void jerr_exit(j_common_ptr ci)
{
	struct jerr *e = (struct jerr *)ci->err;
	(*ci->err->format_message)(ci, e->msg);
	e->code = ci->err->msg_code == JERR_OUT_OF_MEMORY    ? -ENOMEM
		: ci->err->msg_code == JERR_NO_BACKING_STORE ? -EFBIG
							     : -EINVAL;
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

static void jerr_output(j_common_ptr ci)
{
	(void)ci;
}

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

int mbn_img_decode_jpeg(const struct ictx *c, const uint8_t *d, size_t n, struct mbn_image *img)
{
	struct jpeg_decompress_struct ci;
	struct jerr je;
	struct jpeg_progress_mgr prog;
	/* Modified between setjmp and a possible longjmp, hence volatile. */
	uint8_t *volatile out = NULL;
	uint8_t *volatile row = NULL;

	if ((unsigned long)n != n)
		return mbn_img_fail(c, -EFBIG, "JPEG too large");
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
		return mbn_img_fail(c, je.code, "corrupt JPEG: %s", m);
	}
	jpeg_create_decompress(&ci);
	ci.mem->max_memory_to_use = JPEG_MAX_MEMORY;
	prog.progress_monitor = jprogress;
	ci.progress = &prog;
	jpeg_mem_src(&ci, d, (unsigned long)n);
	jpeg_read_header(&ci, TRUE);

	int r = mbn_img_check_dims(c, "JPEG", ci.image_width, ci.image_height);
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
		r = mbn_img_fail(c, -ENOTSUP, "JPEG with %d components in an unknown colour space not supported",
				 ci.num_components);
		jpeg_destroy_decompress(&ci);
		return r;
	}
	jpeg_start_decompress(&ci);
	if (ci.output_width != ci.image_width || ci.output_height != ci.image_height ||
	    ci.output_components != (cmyk ? 4 : 3)) {
		jpeg_destroy_decompress(&ci);
		return mbn_img_fail(c, -EINVAL, "JPEG decoder produced unexpected output geometry");
	}
	int w = (int)ci.output_width, h = (int)ci.output_height;
	out = malloc((size_t)w * h * 3);
	if (cmyk)
		row = malloc((size_t)w * 4);
	if (!out || (cmyk && !row)) {
		jpeg_destroy_decompress(&ci);
		free(out);
		free(row);
		return mbn_img_fail(c, -ENOMEM, "out of memory for a %dx%d image", w, h);
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
			return mbn_img_fail(c, -EINVAL, "corrupt JPEG: decoder stopped at row %u of %d", y, h);
		}
		if (cmyk) {
			uint8_t *o = out + (size_t)y * w * 3;
			for (int x = 0; x < w; x++) {
				unsigned cc = row[4 * x], mm = row[4 * x + 1], yy = row[4 * x + 2], kk = row[4 * x + 3];
				if (!inverted) {
					cc = 255 - cc;
					mm = 255 - mm;
					yy = 255 - yy;
					kk = 255 - kk;
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

static void png_warn_fn(png_structp png, png_const_charp msg)
{
	(void)png;
	(void)msg;
}

static void png_read_fn(png_structp png, png_bytep buf, png_size_t len)
{
	struct pngio *io = png_get_io_ptr(png);
	if (len > io->n - io->pos)
		png_error(png, "file truncated");
	memcpy(buf, io->d + io->pos, len);
	io->pos += len;
}

int mbn_img_decode_png(const struct ictx *c, const uint8_t *d, size_t n, struct mbn_image *img)
{
	struct pngio io = { .d = d, .n = n, .pos = 0, .msg = "" };
	png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, &io, png_err_fn, png_warn_fn);
	if (!png)
		return mbn_img_fail(c, -ENOMEM, "out of memory for the PNG decoder");
	png_infop info = png_create_info_struct(png);
	if (!info) {
		png_destroy_read_struct(&png, NULL, NULL);
		return mbn_img_fail(c, -ENOMEM, "out of memory for the PNG decoder");
	}
	uint8_t *volatile out = NULL;
	png_bytep *volatile rows = NULL;
	volatile int code = -EINVAL;

	if (setjmp(png_jmpbuf(png))) {
		png_destroy_read_struct(&png, &info, NULL);
		free(out);
		free(rows);
		return mbn_img_fail(c, code, "corrupt PNG: %s", io.msg);
	}
	png_set_read_fn(png, &io, png_read_fn);
	/* libpng's own limit (1000000 per side) stays in force; ours is checked below
     * so that it gives -EFBIG and the same message as the other formats. */
	png_read_info(png, info);

	png_uint_32 w, h;
	int depth, ctype, interlace;
	png_get_IHDR(png, info, &w, &h, &depth, &ctype, &interlace, NULL, NULL);
	int r = mbn_img_check_dims(c, "PNG", w, h);
	if (r) {
		png_destroy_read_struct(&png, &info, NULL);
		return r;
	}
	png_set_expand(png); /* palette -> RGB, gray < 8 bits -> 8, tRNS -> alpha */
	if (depth == 16)
		png_set_scale_16(png); /* 16 -> 8 bits, rounded (v * 255 / 65535) */
	png_set_strip_alpha(png); /* alpha is dropped, not composited */
	if (!(ctype & PNG_COLOR_MASK_COLOR))
		png_set_gray_to_rgb(png);
	png_set_interlace_handling(png);
	png_read_update_info(png, info);
	size_t rowbytes = png_get_rowbytes(png, info);
	if (rowbytes != (size_t)w * 3 || png_get_channels(png, info) != 3) {
		png_destroy_read_struct(&png, &info, NULL);
		return mbn_img_fail(c, -EINVAL, "PNG transformations gave %zu bytes per row, expected %zu",
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
