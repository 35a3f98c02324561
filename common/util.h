/* SPDX-License-Identifier: MIT */
/* Small helpers every layer uses. */
#ifndef NSNAP_COMMON_UTIL_H
#define NSNAP_COMMON_UTIL_H

#include <stddef.h>
#include <stdint.h>

/* Make room in *@items (an array of @size-byte elements with room for
 * *@cap) for one more than @n, doubling it. */
int ns__grow_array(void *items, size_t *cap, size_t n, size_t size);

/* The shortest %g text (of 6 to 17 digits, so 1000 not 1e+03) that reads
 * back as @v: "0.1", "0.3333333333333333",
 * "-65", "1e+300", "nan", "inf", "-inf"; into @buf. C notation, whatever
 * the locale. */
const char *ns__shortest_double(char buf[32], double v);

/* The offset of the first byte of @s (NUL-terminated) that is not part of
 * well-formed UTF-8 (RFC 3629: no overlong forms, no surrogates, nothing
 * above U+10FFFF), or -1 when all of it is. */
long ns__utf8_invalid_at(const char *s);

/* parallel.c: fn(ctx, begin, end) over parts of [0, n), each of @grain
 * elements at least, on the process's cores (NSNAP_THREADS: how many);
 * returns when every part is done. fn must not fail. */
void ns__parallel(uint64_t n, uint64_t grain, void (*fn)(void *ctx, uint64_t begin, uint64_t end),
		  void *ctx);

#endif
