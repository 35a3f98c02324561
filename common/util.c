/* SPDX-License-Identifier: MIT */
/* Growing arrays, checking UTF-8. */
#include "util.h"

#include <stdint.h>
#include <stdlib.h>

#include "err.h"

int ns__grow_array(void *items, size_t *cap, size_t n, size_t size)
{
	void **p = items;
	size_t ncap = *cap ? 2 * *cap : 8;
	void *q;
	if (n < *cap)
		return NS_OK;
	if (ncap > (size_t)-1 / size || !(q = realloc(*p, ncap * size)))
		return ns_err(NS_ENOMEM, "out of memory");
	*p = q;
	*cap = ncap;
	return NS_OK;
}

long ns__utf8_invalid_at(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	for (size_t i = 0; p[i];) {
		unsigned c = p[i], k;
		uint32_t cp;
		if (c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0xc2 && c < 0xe0)
			k = 2, cp = c & 0x1f;
		else if (c >= 0xe0 && c < 0xf0)
			k = 3, cp = c & 0x0f;
		else if (c >= 0xf0 && c < 0xf5)
			k = 4, cp = c & 0x07;
		else
			return (long)i;
		for (unsigned j = 1; j < k; j++) {
			if ((p[i + j] & 0xc0) != 0x80) /* also stops at the NUL */
				return (long)i;
			cp = (cp << 6) | (p[i + j] & 0x3f);
		}
		if ((k == 3 && cp < 0x800) || (k == 4 && cp < 0x10000) || cp > 0x10ffff ||
		    (cp >= 0xd800 && cp < 0xe000))
			return (long)i;
		i += k;
	}
	return -1;
}
