/* The order in which the store keeps synapses: by post, then pre, then (for
 * multapses) their order in the network. */
#include "internal.h"

#include <stdlib.h>

struct key {
	uint64_t post_pre; /* post in the high half: sorts by post, then pre */
	uint32_t index;
};

static int key_cmp(const void *a, const void *b)
{
	const struct key *x = a, *y = b;
	if (x->post_pre != y->post_pre)
		return x->post_pre < y->post_pre ? -1 : 1;
	return x->index < y->index ? -1 : x->index > y->index;
}

static uint64_t pair(const ns_object *p, uint64_t i)
{
	return (uint64_t)(uint32_t)p->syn_post[i] << 32 | (uint32_t)p->syn_pre[i];
}

int ns__synapse_order(uint32_t **perm, const ns_object *p)
{
	struct key *keys;
	uint64_t i, n = p->size;

	*perm = NULL;
	for (i = 1; i < n && pair(p, i - 1) <= pair(p, i); i++)
		;
	if (i >= n)
		return NS_OK;
	if (n > UINT32_MAX)
		return ns_err(NS_EUNSUPPORTED, "projection '%s': %llu synapses not sorted by post, "
			      "then pre; sort them first (more than 2^32 are not reordered)",
			      p->name, (unsigned long long)n);
	if (!(keys = malloc(n * sizeof *keys)))
		return ns_err(NS_ENOMEM, "projection '%s': out of memory to order %llu synapses",
			      p->name, (unsigned long long)n);
	for (i = 0; i < n; i++) {
		keys[i].post_pre = pair(p, i);
		keys[i].index = (uint32_t)i;
	}
	/* The index as the last key makes qsort() keep multapses in order. */
	qsort(keys, n, sizeof *keys, key_cmp);
	if (!(*perm = malloc(n * sizeof **perm))) {
		free(keys);
		return ns_err(NS_ENOMEM, "projection '%s': out of memory", p->name);
	}
	for (i = 0; i < n; i++)
		(*perm)[i] = keys[i].index;
	free(keys);
	return NS_OK;
}
