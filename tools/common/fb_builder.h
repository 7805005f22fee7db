/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fb_builder.h - a minimal FlatBuffers builder, header-only (static functions) because
 * its one user is tflite_writer.c (compiled into the tools and, separately, into the
 * delegate); the names would otherwise clash with the loader's reader (flatbuf.h).
 *
 * The flatbuffer is built back to front, as the reference flatbuffers builder does
 * (flatbuffers/include/flatbuffers/flatbuffer_builder.h): children are written before
 * the tables that refer to them, so every uoffset points forward (to a higher address),
 * and a table's vtable is written right below it (soffset = table - vtable > 0).
 * Offsets are kept as "distance from the end of the buffer", which does not change as
 * the buffer grows downwards. Alignment: every scalar is aligned to its size, a vector
 * of N-byte scalars starts (after its 4-byte length) N-aligned, Buffer.data is 16-aligned
 * (schema.fbs: `data:[ubyte] (force_align: 16)`), and the final size is padded to the
 * largest alignment used so that the alignment holds in the file.
 */
#ifndef MBN_FB_BUILDER_H
#define MBN_FB_BUILDER_H

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define FB_MAX_FIELDS 16

struct fbb {
	uint8_t *buf;
	size_t cap;
	size_t head;		/* bytes in use, at the end of buf */
	size_t minalign;
	int err;
	int omit_defaults;	/* skip fields equal to their schema default */
	/* the table being built */
	size_t tstart;
	int nfields;
	struct { int id; size_t off; } fields[FB_MAX_FIELDS];
};

static void fb_reserve(struct fbb *b, size_t n)
{
	if (b->err || b->head + n <= b->cap)
		return;
	size_t ncap = b->cap ? b->cap : 1024;
	while (ncap < b->head + n)
		ncap *= 2;
	uint8_t *nb = malloc(ncap);
	if (!nb) {
		b->err = -ENOMEM;
		return;
	}
	if (b->head)
		memcpy(nb + ncap - b->head, b->buf + b->cap - b->head, b->head);
	free(b->buf);
	b->buf = nb;
	b->cap = ncap;
}

static void fb_push(struct fbb *b, const void *p, size_t n)
{
	fb_reserve(b, n);
	if (b->err)
		return;
	b->head += n;
	if (p)
		memcpy(b->buf + b->cap - b->head, p, n);
	else
		memset(b->buf + b->cap - b->head, 0, n);
}

/* Pads so that after `extra` more bytes the size is a multiple of align. */
static void fb_prep(struct fbb *b, size_t align, size_t extra)
{
	if (align > b->minalign)
		b->minalign = align;
	size_t pad = (size_t)(-(b->head + extra)) & (align - 1);
	if (pad)
		fb_push(b, NULL, pad);
}

static void fb_u8(struct fbb *b, uint8_t v) { fb_prep(b, 1, 0); fb_push(b, &v, 1); }
static void fb_u16(struct fbb *b, uint16_t v) { fb_prep(b, 2, 0); fb_push(b, &v, 2); }
static void fb_u32(struct fbb *b, uint32_t v) { fb_prep(b, 4, 0); fb_push(b, &v, 4); }

/* A uoffset to the object at `target` (an end-relative offset already written). */
static void fb_uoff(struct fbb *b, size_t target)
{
	fb_prep(b, 4, 0);
	fb_u32(b, (uint32_t)(b->head + 4 - target));
}

/* Vector of n scalars of `elem` bytes, data start aligned to `align` (>= elem). */
static size_t fb_vec(struct fbb *b, const void *data, size_t elem, size_t n, size_t align)
{
	size_t bytes = elem * n;
	fb_prep(b, 4, bytes);
	fb_prep(b, align < 4 ? 4 : align, bytes);
	if (bytes)
		fb_push(b, data, bytes);
	fb_u32(b, (uint32_t)n);
	return b->head;
}

/* Vector of uoffsets to already written objects. */
static size_t fb_vec_off(struct fbb *b, const size_t *offs, size_t n)
{
	fb_prep(b, 4, 4 * n);
	for (size_t i = n; i-- > 0;)
		fb_uoff(b, offs[i]);
	fb_u32(b, (uint32_t)n);
	return b->head;
}

static size_t fb_string(struct fbb *b, const char *s)
{
	size_t n = strlen(s);
	fb_prep(b, 4, n + 1);
	fb_push(b, NULL, 1);
	fb_push(b, s, n);
	fb_u32(b, (uint32_t)n);
	return b->head;
}

static void fb_table_start(struct fbb *b)
{
	b->nfields = 0;
	b->tstart = b->head;
}

static void fb_field_mark(struct fbb *b, int id)
{
	if (b->nfields == FB_MAX_FIELDS) {
		b->err = -EINVAL;
		return;
	}
	b->fields[b->nfields].id = id;
	b->fields[b->nfields].off = b->head;
	b->nfields++;
}

static void fb_add_u8(struct fbb *b, int id, uint8_t v) { fb_u8(b, v); fb_field_mark(b, id); }
static void fb_add_i32(struct fbb *b, int id, int32_t v) { fb_u32(b, (uint32_t)v); fb_field_mark(b, id); }
static void fb_add_f32(struct fbb *b, int id, float v)
{
	uint32_t u;
	memcpy(&u, &v, 4);
	fb_u32(b, u);
	fb_field_mark(b, id);
}
static void fb_add_off(struct fbb *b, int id, size_t target) { fb_uoff(b, target); fb_field_mark(b, id); }

/* Scalars with their schema default: left out in omit_defaults mode, as the flatbuffers
 * builder does unless force_defaults is set (the MLIR converter's output). */
static void fb_add_u8_d(struct fbb *b, int id, uint8_t v, uint8_t dflt)
{
	if (!(b->omit_defaults && v == dflt))
		fb_add_u8(b, id, v);
}
static void fb_add_i32_d(struct fbb *b, int id, int32_t v, int32_t dflt)
{
	if (!(b->omit_defaults && v == dflt))
		fb_add_i32(b, id, v);
}

static size_t fb_table_end(struct fbb *b)
{
	/* soffset placeholder, then the vtable right below the table */
	fb_prep(b, 4, 0);
	fb_push(b, NULL, 4);
	size_t table = b->head;
	int maxid = -1;
	for (int i = 0; i < b->nfields; i++)
		if (b->fields[i].id > maxid)
			maxid = b->fields[i].id;
	for (int id = maxid; id >= 0; id--) {
		uint16_t fo = 0;
		for (int i = 0; i < b->nfields; i++)
			if (b->fields[i].id == id)
				fo = (uint16_t)(table - b->fields[i].off);
		fb_u16(b, fo);
	}
	fb_u16(b, (uint16_t)(table - b->tstart));	/* table object size */
	fb_u16(b, (uint16_t)(4 + 2 * (maxid + 1)));	/* vtable size */
	size_t vt = b->head;
	if (!b->err) {
		int32_t so = (int32_t)(vt - table);
		memcpy(b->buf + b->cap - table, &so, 4);
	}
	return table;
}

#endif
