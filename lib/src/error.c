/* SPDX-License-Identifier: Apache-2.0 */
/*
 * error.c - error reporting: negative errno everywhere, plus a per-thread message that
 * says what was wrong (file, operator, tensor, expected vs found).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mbnaccel.h"
#include "util.h"

static __thread char last_error[1024];

int mbn_set_error(int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(last_error, sizeof(last_error), fmt, ap);
	va_end(ap);
	return err;
}

void mbn_error_prefix(const char *fmt, ...)
{
	char prefix[256], old[sizeof(last_error)];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(prefix, sizeof(prefix), fmt, ap);
	va_end(ap);
	memcpy(old, last_error, sizeof(old));
	size_t n = strlen(prefix);
	memcpy(last_error, prefix, n);
	last_error[n] = ':';
	last_error[n + 1] = ' ';
	size_t room = sizeof(last_error) - n - 2, len = strlen(old);
	if (len >= room)
		len = room - 1; /* truncated: the prefix matters more than the tail */
	memcpy(last_error + n + 2, old, len);
	last_error[n + 2 + len] = 0;
}

MBN_EXPORT const char *mbn_last_error(void)
{
	return last_error;
}

MBN_EXPORT const char *mbn_strerror(int err)
{
	switch (-err) {
	case 0: return "success";
	case EBADMSG: return "malformed model file";
	case ENOTSUP: return "unsupported model feature";
	default: return strerror(err < 0 ? -err : err);
	}
}

MBN_EXPORT const char *mbn_version(void)
{
	return "0.1.0";
}

struct mbn_arena {
	struct mbn_arena *next;
	max_align_t data[];
};

void *mbn_arena_alloc(struct mbn_arena **a, size_t size)
{
	struct mbn_arena *c = calloc(1, sizeof(*c) + (size ? size : 1));

	if (!c)
		return NULL;
	c->next = *a;
	*a = c;
	return c->data;
}

void mbn_arena_free(struct mbn_arena *a)
{
	while (a) {
		struct mbn_arena *next = a->next;
		free(a);
		a = next;
	}
}

int mbn_debug_enabled(void)
{
	static int enabled = -1;

	if (enabled < 0) {
		const char *e = getenv("MBN_DEBUG");
		enabled = e && *e && strcmp(e, "0") != 0;
	}
	return enabled;
}

void mbn_warn(const char *fmt, ...)
{
	va_list ap;

	/* MBN_QUIET=1 silences warnings (tests that compare stderr) */
	const char *q = getenv("MBN_QUIET");
	if (q && q[0] == '1')
		return;
	fputs("mbnaccel: warning: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}
