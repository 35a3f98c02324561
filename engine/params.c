/* SPDX-License-Identifier: MIT */
/* Global parameters: new values in a new version that shares the rest. */
#include "internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A constant array: one value for every element. */
struct constant {
	uint8_t value[8];
	size_t esize;
};

static int constant_fill(void *ctx, uint64_t first, uint64_t n, void *buf)
{
	const struct constant *k = ctx;
	(void)first;
	for (uint64_t i = 0; i < n; i++)
		memcpy((uint8_t *)buf + i * k->esize, k->value, k->esize);
	return NS_OK;
}

/* Why @p cannot apply to @net, or NULL when it can. */
static const char *skip_reason(const ns_network *net, const ns_param *p, int global_only,
			       ns_attr **out)
{
	const char *name = p->name ? p->name : "";
	ns_object *o;
	ns_attr *a;
	*out = NULL;
	/* Object "": the network's own arrays, whose single-valued parameters
	 * are its constants. */
	if (!p->object || !*p->object) {
		if (!(a = *out = ns_network_attr_find(net, name)))
			return "no such constant (network-wide parameter)";
	} else if (!(o = ns_network_object_find(net, p->object))) {
		return "no such population or projection";
	} else if (!(a = *out = ns_object_attr_find(o, name))) {
		return "no such attribute";
	}
	if (a->kind != NS_PARAMETER)
		return "a variable, not a parameter";
	if (global_only && a->scope != NS_GLOBAL && !(a->scope == NS_ARRAY && a->count == 1))
		return "not a global parameter (set every value with global_only off)";
	return NULL;
}

static int first_value(double *out, ns_attr *a)
{
	void *data;
	int rc = ns_attr_data(&data, a);
	if (rc < 0)
		return rc;
	*out = 0;
	return a->count ? ns__convert_values(out, NS_DTYPE_F64, data, a->dtype, 1, a->name) : NS_OK;
}

/* Whether every value of @a already is @c. */
static int holds(int *out, ns_attr *a, const struct constant *c)
{
	const uint8_t *data;
	int rc = ns_attr_data((void **)&data, a);
	if (rc < 0)
		return rc;
	*out = 1;
	for (uint64_t i = 0; *out && i < a->count; i++)
		*out = memcmp(data + i * c->esize, c->value, c->esize) == 0;
	return NS_OK;
}

/* Make @net's dictionary that of @from; *same when nothing changes. */
static int replace_dictionary(ns_network *net, const ns_network *from, int *same)
{
	*same = net->n_meta == from->n_meta;
	for (size_t i = 0; *same && i < from->n_meta; i++) {
		const struct meta_entry *a = &net->meta[i], *b = &from->meta[i];
		*same = strcmp(a->key, b->key) == 0 && !a->string == !b->string &&
			(a->string ? strcmp(a->string, b->string) == 0
				   : memcmp(&a->number, &b->number, sizeof a->number) == 0);
	}
	if (*same)
		return NS_OK;
	for (size_t i = 0; i < net->n_meta; i++) {
		free(net->meta[i].key);
		free(net->meta[i].string);
	}
	net->n_meta = 0;
	for (size_t i = 0; i < from->n_meta; i++) {
		int rc = ns_network_set_meta(net, from->meta[i].key, from->meta[i].string,
					     from->meta[i].number);
		if (rc < 0)
			return rc;
	}
	return NS_OK;
}

/* The manifest (made again: the dictionary may have changed) and the
 * version's metadata, into the new commit. */
static int copy_description(ns_commit *c, const ns_network *net)
{
	const char *k, *v;
	uint8_t *blob = NULL;
	size_t size;
	int rc;

	NS_TRY(ns__manifest_encode(&blob, &size, net, net->objs, net->n_objs));
	NS_TRY(ns_commit_set_blob(c, blob, size));
	for (uint64_t i = 0; i < ns_version_get_info(net->version)->n_meta; i++) {
		NS_TRY(ns_version_meta_at(&k, &v, net->version, i));
		NS_TRY(ns_commit_set_meta(c, k, v));
	}
done:
	free(blob);
	return rc;
}

int ns_params_set(uint64_t *out, ns_param_result *results, ns_store *store, const char *rev,
		  const ns_param *params, size_t n, const ns_params_opts *opts)
{
	ns_params_opts defaults = NS_PARAMS_OPTS_INIT;
	const ns_params_opts *o = opts ? opts : &defaults;
	ns_commit_opts co = NS_COMMIT_OPTS_INIT;
	ns_network *net = NULL;
	ns_commit *c = NULL;
	ns_attr **target = NULL;
	struct constant *values = NULL;
	uint64_t n_arrays;
	size_t changed = 0;
	int rc, same;

	if ((rc = ns__opts_check(o->version, NS_PARAMS_OPTS_VERSION, "parameters")) < 0)
		return rc;
	NS_TRY(ns_network_open(&net, store, rev));
	n_arrays = ns_version_get_info(net->version)->n_arrays;
	target = calloc(n + 1, sizeof *target);
	values = calloc(n + 1, sizeof *values);
	if (!target || !values) {
		rc = ns_err(NS_ENOMEM, "parameters: out of memory");
		goto done;
	}
	for (size_t i = 0; i < n; i++) {
		const char *why = skip_reason(net, &params[i], o->global_only, &target[i]);
		ns_param_result res = { 0, 0.0, why ? why : "" };
		char what[2 * NS_OBJ_NAME_MAX + 32];
		if (!why) {
			snprintf(what, sizeof what, "'%s': parameter '%s'", params[i].object,
				 params[i].name);
			values[i].esize = ns_dtype_size(target[i]->dtype);
			NS_TRY(ns__convert_values(values[i].value, target[i]->dtype, &params[i].value,
					      NS_DTYPE_F64, 1, what));
			NS_TRY(first_value(&res.old_value, target[i]));
			NS_TRY(holds(&same, target[i], &values[i]));
			res.applied = 1;
			changed += !same;
		} else {
			target[i] = NULL;
		}
		if (results)
			results[i] = res;
	}
	if (o->dictionary) {
		NS_TRY(replace_dictionary(net, o->dictionary, &same));
		changed += !same;
	}
	if (changed == 0) {
		if (out)
			*out = ns_network_version(net);
		goto done;
	}

	/* The new version: the same manifest and metadata, every array shared
	 * but the changed ones (the last value given for an array wins). */
	NS_TRY(ns_commit_new(&c, store));
	NS_TRY(copy_description(c, net));
	for (uint64_t ai = 0; ai < n_arrays; ai++) {
		ns_array_info info;
		size_t last = n;
		for (size_t i = 0; i < n; i++)
			if (target[i] && target[i]->array == ai)
				last = i;
		NS_TRY(ns_version_array_at(&info, net->version, ai));
		if (last == n)
			NS_TRY(ns_commit_add_from(c, NULL, net->version, ai));
		else
			NS_TRY(ns_commit_add_fill(c, info.name, info.dtype, info.count,
						  constant_fill, &values[last]));
	}
	co.message = o->message ? o->message : "parameters";
	co.branch = o->branch;
	rc = ns_commit_finish(out, c, &co);
	c = NULL;
done:
	ns_commit_free(c);
	ns_network_free(net);
	free(target);
	free(values);
	return rc;
}
