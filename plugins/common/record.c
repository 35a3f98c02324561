/* SPDX-License-Identifier: MIT */
/* What the pickle and mat plugins share about nsnap's own entry. */
#include "record.h"

#include <stdio.h>
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

int nsp_array_desc(ns_attr_kind *kind, ns_dtype *dtype, const char *k, const char *t)
{
	int ki = kind_index(k), ti = dtype_index(t);
	if (ki < 0 || ti < 0)
		return 0;
	*kind = (ns_attr_kind)ki;
	*dtype = (ns_dtype)ti;
	return 1;
}

int nsp_arrays_next(nsp_arrays *it, const char **owner, ns_attr **attr)
{
	size_t n_obj = host->network_object_count(it->net);
	while (it->obj <= n_obj) {
		if (it->obj == 0) {
			if (it->attr < host->network_attr_count(it->net)) {
				*owner = "";
				*attr = host->network_attr_at(it->net, it->attr++);
				return 1;
			}
		} else {
			ns_object *obj = host->network_object_at(it->net, it->obj - 1);
			while (it->attr < host->object_attr_count(obj)) {
				ns_attr *a = host->object_attr_at(obj, it->attr++);
				ns_attr_info ai;
				ns_object_info oi;
				host->attr_get_info(&ai, a);
				if (ai.scope != NS_ARRAY)
					continue;
				host->object_get_info(&oi, obj);
				*owner = oi.name;
				*attr = a;
				return 1;
			}
		}
		it->obj++;
		it->attr = 0;
	}
	return 0;
}

size_t nsp_arrays_count(const ns_network *net)
{
	nsp_arrays it = { net, 0, 0 };
	const char *owner;
	ns_attr *a;
	size_t n = 0;
	while (nsp_arrays_next(&it, &owner, &a))
		n++;
	return n;
}

int nsp_add_array(ns_network *net, const char *path, const char *entry, size_t row,
		  const char *owner, const char *name, ns_attr_kind kind, ns_dtype dtype,
		  uint64_t count, const void *data)
{
	char why[512];
	int rc;
	if (*owner) {
		ns_object *obj = host->network_object_find(net, owner);
		if (!obj)
			return host->error(NS_EFORMAT, "file '%s': %s: 'arrays' row %zu is of '%s', "
					   "which is not a population or projection of the file",
					   path, entry, row, owner);
		rc = host->attr_add_array(NULL, obj, name, kind, dtype, count, (void *)data,
					  NS_ARRAY_COPY);
	} else {
		rc = host->network_attr_add(NULL, net, name, kind, dtype, count, (void *)data,
					    NS_ARRAY_COPY);
	}
	if (rc < 0) {
		snprintf(why, sizeof why, "%s", host->last_error());
		return host->error(rc, "file '%s': %s: 'arrays' row %zu: %s", path, entry, row, why);
	}
	return NS_OK;
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

void nsp_set_clock(ns_network *net, int has_t, double t, int has_dt, double dt)
{
	uint64_t step = 0;
	if (has_t) {
		host->network_time(net, NULL, &step);
		host->network_set_time(net, t, step);
	}
	if (has_dt)
		host->network_set_dt(net, dt);
}
