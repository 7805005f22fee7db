/* SPDX-License-Identifier: Apache-2.0 */
/*
 * flatbuf.h - a bounds-checked FlatBuffers reader, just what the TFLite loader needs.
 *
 * Binary format (flatbuffers.dev, "FlatBuffers internals"): little-endian; the root is
 * a uoffset (u32) to a table; a table starts with an soffset (i32) back to its vtable;
 * a vtable is u16 vtable size, u16 table size, then one u16 per field (0 = absent,
 * else the field's offset inside the table); offset fields hold a u32 relative to
 * their own position; vectors and strings start with a u32 length.
 *
 * Every read checks that the bytes lie inside the buffer. The first bad access marks
 * the buffer `bad` and records what was being read; later reads return defaults, so a
 * caller checks fb->bad once after a group of reads instead of after every read.
 */
#ifndef MBN_FLATBUF_H
#define MBN_FLATBUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct fb_buf {
	const uint8_t *p;
	size_t n;
	bool bad;
	char why[160];
};

struct fb_tab {
	struct fb_buf *b;
	size_t pos;        /* table start */
	size_t vt;         /* vtable start */
	unsigned vt_size;  /* bytes */
};

struct fb_vec {
	struct fb_buf *b;
	size_t pos;        /* first element */
	uint32_t len;
	unsigned elem;     /* element size in bytes */
};

bool fb_root(struct fb_buf *b, struct fb_tab *t);

/* Scalars: the default when the field is absent (or the buffer is bad). */
uint8_t fb_u8(const struct fb_tab *t, int field, uint8_t def);
int32_t fb_i32(const struct fb_tab *t, int field, int32_t def);
uint32_t fb_u32(const struct fb_tab *t, int field, uint32_t def);
float fb_f32(const struct fb_tab *t, int field, float def);

/* Offsets: false when absent (or bad; check b->bad to tell apart). */
bool fb_table(const struct fb_tab *t, int field, struct fb_tab *out);
bool fb_vector(const struct fb_tab *t, int field, unsigned elem_size, struct fb_vec *out);
/* Copies at most dstlen-1 bytes and NUL-terminates; "" when absent. */
void fb_string(const struct fb_tab *t, int field, char *dst, size_t dstlen);

/* Vector elements (index must be < len; checked). */
bool fb_vec_table(const struct fb_vec *v, uint32_t i, struct fb_tab *out);
int32_t fb_vec_i32(const struct fb_vec *v, uint32_t i);
int64_t fb_vec_i64(const struct fb_vec *v, uint32_t i);
float fb_vec_f32(const struct fb_vec *v, uint32_t i);
const uint8_t *fb_vec_data(const struct fb_vec *v);

#endif
