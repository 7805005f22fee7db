/* SPDX-License-Identifier: Apache-2.0 */
/*
 * util.h - library-internal helpers: the per-thread error message, an allocation arena
 * that owns a model's constant data, and the export macro.
 */
#ifndef MBN_UTIL_H
#define MBN_UTIL_H

#include <stddef.h>

#define MBN_EXPORT __attribute__((visibility("default")))

/* Record the message for mbn_last_error() and return err (a negative errno). */
int mbn_set_error(int err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Prefix the current message with "prefix: ". */
void mbn_error_prefix(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* A one-line warning on stderr ("mbnaccel: warning: ..."), for inputs the library
 * accepts but a user should know about; MBN_QUIET=1 silences it. */
void mbn_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Arena: every allocation is freed at once by mbn_arena_free(). */
struct mbn_arena;
void *mbn_arena_alloc(struct mbn_arena **a, size_t size); /* zeroed; NULL if out of memory */
void mbn_arena_free(struct mbn_arena *a);

#endif
