/* SPDX-License-Identifier: Apache-2.0 */
/*
 * json_out.c - JSON strings for the tools' --json output (json_out.h).
 */
#include <stdio.h>

#include "json_out.h"

void json_string(const char *s)
{
	if (!s) {
		printf("null");
		return;
	}
	putchar('"');
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;
		if (ch == '"' || ch == '\\')
			printf("\\%c", ch);
		else if (ch < 0x20)
			printf("\\u%04x", ch);
		else
			putchar(ch);
	}
	putchar('"');
}
