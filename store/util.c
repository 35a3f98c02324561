/* Small helpers every layer uses: growing arrays, printing numbers. */
#include <stdio.h>
#include <stdlib.h>

#include "err.h"

int grow_array(void *items, size_t *cap, size_t n, size_t size)
{
	void **p = items;
	size_t ncap = *cap ? 2 * *cap : 8;
	void *q;
	if (n < *cap)
		return NS_OK;
	if (!(q = realloc(*p, ncap * size)))
		return ns_err(NS_ENOMEM, "out of memory");
	*p = q;
	*cap = ncap;
	return NS_OK;
}

const char *shortest_double(char buf[32], double v)
{
	snprintf(buf, 32, "%.15g", v);
	if (v == v && strtod(buf, NULL) != v)
		snprintf(buf, 32, "%.17g", v);
	return buf;
}
