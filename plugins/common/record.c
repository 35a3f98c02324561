/* What the pickle and mat plugins share about nsnap's own entry. */
#include "record.h"

#include <string.h>

static int kind_index(const char *s)
{
	for (int k = NS_PARAMETER; k <= NS_VARIABLE; k++)
		if (strcmp(s, host->attr_kind_name((ns_attr_kind)k)) == 0)
			return k;
	return -1;
}

static int scope_index(const char *s)
{
	for (int k = NS_GLOBAL; k <= NS_SEMIGLOBAL; k++)
		if (strcmp(s, host->scope_name((ns_scope)k)) == 0)
			return k;
	return -1;
}

static int dtype_index(const char *s)
{
	for (int k = NS_DTYPE_F64; k <= NS_DTYPE_BOOL; k++)
		if (strcmp(s, host->dtype_name((ns_dtype)k)) == 0)
			return k;
	return -1;
}

int nsp_attr_desc(ns_attr_kind *kind, ns_scope *scope, ns_dtype *dtype, const char *k,
		  const char *s, const char *t)
{
	int ki = kind_index(k), si = scope_index(s), ti = dtype_index(t);
	if (ki < 0 || si < 0 || ti < 0)
		return 0;
	*kind = (ns_attr_kind)ki;
	*scope = (ns_scope)si;
	*dtype = (ns_dtype)ti;
	return 1;
}

int nsp_rows_cover(int *out, const ns_object *proj, uint64_t count)
{
	const int32_t *pre, *post;
	uint64_t n = host->projection_synapses(proj), covered = 0;
	unsigned char *seen = host->alloc((size_t)count + 1);
	if (!seen) {
		ns_object_info info;
		host->object_get_info(&info, proj);
		return host->error(NS_ENOMEM, "projection '%s': out of memory", info.name);
	}
	memset(seen, 0, (size_t)count + 1);
	host->projection_connectivity(&pre, &post, proj);
	for (uint64_t i = 0; i < n; i++)
		if (post[i] >= 0 && (uint64_t)post[i] < count && !seen[post[i]]) {
			seen[post[i]] = 1;
			covered++;
		}
	host->free(seen);
	*out = covered == count;
	return NS_OK;
}
