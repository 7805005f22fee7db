/* SPDX-License-Identifier: Apache-2.0 */
/*
 * flatbuf.c - bounds-checked FlatBuffers reading (see flatbuf.h for the format).
 * All reads go through memcpy, so unaligned data in a corrupt file is harmless.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "loader/flatbuf.h"

static void fail(struct fb_buf *b, const char *fmt, ...)
{
	va_list ap;

	if (b->bad)
		return;
	b->bad = true;
	va_start(ap, fmt);
	vsnprintf(b->why, sizeof(b->why), fmt, ap);
	va_end(ap);
}

/* True if [pos, pos+size) lies inside the buffer; marks it bad otherwise. */
static bool in_bounds(struct fb_buf *b, uint64_t pos, uint64_t size, const char *what)
{
	if (b->bad)
		return false;
	if (pos > b->n || size > b->n - pos) {
		fail(b, "%s at offset %llu (+%llu bytes) lies outside the %zu-byte file", what,
		     (unsigned long long)pos, (unsigned long long)size, b->n);
		return false;
	}
	return true;
}

static uint32_t rd32(const struct fb_buf *b, size_t pos)
{
	uint32_t v;

	memcpy(&v, b->p + pos, 4);
	return v;
}

static uint16_t rd16(const struct fb_buf *b, size_t pos)
{
	uint16_t v;

	memcpy(&v, b->p + pos, 2);
	return v;
}

static bool table_at(struct fb_buf *b, uint64_t pos, struct fb_tab *t)
{
	if (!in_bounds(b, pos, 4, "table"))
		return false;
	int64_t vt = (int64_t)pos - (int32_t)rd32(b, pos);
	if (vt < 0 || !in_bounds(b, (uint64_t)vt, 4, "vtable"))
		return false;
	unsigned vt_size = rd16(b, vt);
	if (vt_size < 4 || (vt_size & 1)) {
		fail(b, "vtable at offset %lld has invalid size %u", (long long)vt, vt_size);
		return false;
	}
	if (!in_bounds(b, (uint64_t)vt, vt_size, "vtable"))
		return false;
	unsigned tab_size = rd16(b, vt + 2);
	if (!in_bounds(b, pos, tab_size, "table body"))
		return false;
	t->b = b;
	t->pos = pos;
	t->vt = (size_t)vt;
	t->vt_size = vt_size;
	return true;
}

bool fb_root(struct fb_buf *b, struct fb_tab *t)
{
	if (!in_bounds(b, 0, 8, "file header"))
		return false;
	return table_at(b, rd32(b, 0), t);
}

/* Absolute position of a field with `size` bytes, or 0 if absent/out of bounds. */
static size_t field_pos(const struct fb_tab *t, int field, unsigned size)
{
	struct fb_buf *b = t->b;
	unsigned slot = 4 + 2 * (unsigned)field;

	if (b->bad || slot + 2 > t->vt_size)
		return 0;
	unsigned off = rd16(b, t->vt + slot);
	if (!off)
		return 0;
	if (off + size > rd16(b, t->vt + 2)) {
		fail(b, "field %d of the table at offset %zu lies outside the table", field, t->pos);
		return 0;
	}
	if (!in_bounds(b, (uint64_t)t->pos + off, size, "field"))
		return 0;
	return t->pos + off;
}

uint8_t fb_u8(const struct fb_tab *t, int field, uint8_t def)
{
	size_t p = field_pos(t, field, 1);

	return p ? t->b->p[p] : def;
}

uint32_t fb_u32(const struct fb_tab *t, int field, uint32_t def)
{
	size_t p = field_pos(t, field, 4);

	return p ? rd32(t->b, p) : def;
}

int32_t fb_i32(const struct fb_tab *t, int field, int32_t def)
{
	return (int32_t)fb_u32(t, field, (uint32_t)def);
}

float fb_f32(const struct fb_tab *t, int field, float def)
{
	size_t p = field_pos(t, field, 4);
	float f;

	if (!p)
		return def;
	memcpy(&f, t->b->p + p, 4);
	return f;
}

/* Follow the uoffset stored at an absolute position. */
static bool deref(struct fb_buf *b, size_t p, uint64_t *target)
{
	uint64_t off = rd32(b, p);

	if (!off) {
		fail(b, "zero offset at %zu", p);
		return false;
	}
	*target = (uint64_t)p + off;
	return in_bounds(b, *target, 4, "offset target");
}

bool fb_table(const struct fb_tab *t, int field, struct fb_tab *out)
{
	size_t p = field_pos(t, field, 4);
	uint64_t target;

	return p && deref(t->b, p, &target) && table_at(t->b, target, out);
}

static bool vector_at(struct fb_buf *b, uint64_t pos, unsigned elem, struct fb_vec *out)
{
	if (!in_bounds(b, pos, 4, "vector length"))
		return false;
	uint32_t len = rd32(b, pos);
	if (!in_bounds(b, pos + 4, (uint64_t)len * elem, "vector"))
		return false;
	out->b = b;
	out->pos = pos + 4;
	out->len = len;
	out->elem = elem;
	return true;
}

bool fb_vector(const struct fb_tab *t, int field, unsigned elem_size, struct fb_vec *out)
{
	size_t p = field_pos(t, field, 4);
	uint64_t target;

	memset(out, 0, sizeof(*out));
	return p && deref(t->b, p, &target) && vector_at(t->b, target, elem_size, out);
}

void fb_string(const struct fb_tab *t, int field, char *dst, size_t dstlen)
{
	struct fb_vec v;

	dst[0] = 0;
	if (!fb_vector(t, field, 1, &v))
		return;
	size_t n = v.len < dstlen - 1 ? v.len : dstlen - 1;
	memcpy(dst, v.b->p + v.pos, n);
	dst[n] = 0;
	/* A NUL inside the name would hide the rest of it in messages; stop there. */
}

static bool elem_ok(const struct fb_vec *v, uint32_t i)
{
	if (v->b->bad)
		return false;
	if (i >= v->len) {
		fail(v->b, "vector index %u out of range (length %u)", i, v->len);
		return false;
	}
	return true;
}

bool fb_vec_table(const struct fb_vec *v, uint32_t i, struct fb_tab *out)
{
	uint64_t target;

	if (!elem_ok(v, i) || v->elem != 4)
		return false;
	return deref(v->b, v->pos + (size_t)i * 4, &target) && table_at(v->b, target, out);
}

int32_t fb_vec_i32(const struct fb_vec *v, uint32_t i)
{
	return elem_ok(v, i) ? (int32_t)rd32(v->b, v->pos + (size_t)i * 4) : 0;
}

int64_t fb_vec_i64(const struct fb_vec *v, uint32_t i)
{
	int64_t x;

	if (!elem_ok(v, i))
		return 0;
	memcpy(&x, v->b->p + v->pos + (size_t)i * 8, 8);
	return x;
}

float fb_vec_f32(const struct fb_vec *v, uint32_t i)
{
	float f;

	if (!elem_ok(v, i))
		return 0.0f;
	memcpy(&f, v->b->p + v->pos + (size_t)i * 4, 4);
	return f;
}

const uint8_t *fb_vec_data(const struct fb_vec *v)
{
	return v->b->p + v->pos;
}
