/* SPDX-License-Identifier: Apache-2.0 */
/*
 * check.h - the reporting of the unit tests: one "PASS name" or "FAIL name: why" line per
 * check (tests/run.sh counts them); `failures` decides the exit status.
 */
#ifndef MBN_TEST_CHECK_H
#define MBN_TEST_CHECK_H

#include <stdarg.h>
#include <stdio.h>

static int failures;

static void check(const char *name, int ok, const char *fmt, ...) __attribute__((format(printf, 3, 4), unused));
static void check(const char *name, int ok, const char *fmt, ...)
{
	va_list ap;

	if (ok) {
		printf("PASS %s\n", name);
		return;
	}
	printf("FAIL %s: ", name);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	failures++;
}

#endif
