/* SPDX-License-Identifier: Apache-2.0 */
/*
 * json_out.h - the little JSON the tools print (--json): strings escaped per RFC 8259.
 */
#ifndef MBN_JSON_OUT_H
#define MBN_JSON_OUT_H

/* s as a JSON string on stdout (quotes, backslashes and control characters escaped);
 * NULL prints null. */
void json_string(const char *s);

#endif
