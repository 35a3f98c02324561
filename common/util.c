/* Growing arrays. */
#include "util.h"

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
