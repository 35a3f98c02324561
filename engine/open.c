/* SPDX-License-Identifier: MIT */
/* A version opened as a read-only network. */
#include "internal.h"

#include <stdlib.h>

uint64_t ns_network_version(const ns_network *net)
{
	return net->version ? ns_version_get_info(net->version)->number : 0;
}

/* The array of @attr on @o in the version, checked against the manifest. */
static int find_array(uint64_t *index, ns_version *v, const ns_object *o, const char *attr,
		      ns_dtype dtype, uint64_t count)
{
	char name[2 * NS_OBJ_NAME_MAX + 8];
	ns_array_info info;
	int rc;

	NS_TRY(ns__array_name(name, sizeof name, o, attr));
	if (ns_version_array_find(index, v, name) < 0) {
		rc = ns_err(NS_ECORRUPT, "array '%s' is missing", name);
		goto done;
	}
	NS_TRY(ns_version_array_at(&info, v, *index));
	if (info.dtype != dtype || info.count != count)
		rc = ns_err(NS_ECORRUPT, "array '%s' holds %llu x %s, the manifest says %llu x %s",
			    name, (unsigned long long)info.count, ns_dtype_name(info.dtype),
			    (unsigned long long)count, ns_dtype_name(dtype));
done:
	return rc;
}

/* The arrays of @o's attributes. */
static int find_arrays(ns_version *v, ns_object *o)
{
	int rc = NS_OK;
	for (size_t a = 0; a < o->n_attrs && rc == NS_OK; a++) {
		ns_attr *at = o->attrs[a];
		rc = find_array(&at->array, v, o, at->name, at->dtype, at->count);
	}
	return rc;
}

/* One connectivity array, loaded at once (a view where it can be); sets
 * @bit in the object's syn_owned when it is a copy. */
static int load_synapses(int32_t **out, ns_object *o, uint64_t array, int bit)
{
	ns_attr tmp = { .dtype = NS_DTYPE_I32, .count = o->size, .obj = o, .array = array };
	void *data;
	int rc;

	if ((rc = ns_attr_data(&data, &tmp)) < 0)
		return rc;
	*out = data;
	if (tmp.owned)
		o->syn_owned |= bit;
	return NS_OK;
}

int ns__object_load_synapses(ns_object *o)
{
	int rc = NS_OK;
	if (!o->syn_pre)
		rc = load_synapses(&o->syn_pre, o, o->syn_arrays[0], SYN_PRE_OWNED);
	if (rc == NS_OK && !o->syn_post)
		rc = load_synapses(&o->syn_post, o, o->syn_arrays[1], SYN_POST_OWNED);
	return rc;
}

int ns_network_open(ns_network **out, ns_store *store, const char *rev)
{
	if (!out)
		return ns_err(NS_EINVAL, "ns_network_open: out must not be NULL");
	return ns__network_open(out, store, rev, 1);
}

int ns__network_open(ns_network **out, ns_store *store, const char *rev, int load)
{
	ns_network *net = NULL;
	ns_version *v = NULL;
	const void *blob;
	size_t size;
	int rc;

	if ((rc = ns_version_open(&v, store, rev)) < 0)
		return rc; /* its message names the store and the revision */
	NS_TRY(ns_network_new(&net, NULL));
	net->version = v;
	ns_version_blob(&blob, &size, v);
	if (size == 0) {
		rc = ns_err(NS_EFORMAT, "holds no network (no manifest)");
		goto done;
	}
	NS_TRY(ns__manifest_decode(net, blob, size));
	for (size_t i = 0; i < net->n_objs; i++) {
		ns_object *o = net->objs[i];
		if (o->kind == NS_PROJECTION) {
			NS_TRY(find_array(&o->syn_arrays[0], v, o, "/pre", NS_DTYPE_I32, o->size));
			NS_TRY(find_array(&o->syn_arrays[1], v, o, "/post", NS_DTYPE_I32, o->size));
		}
		if (o->kind == NS_PROJECTION && load)
			NS_TRY(ns__object_load_synapses(o));
		NS_TRY(find_arrays(v, o));
	}
	if (net->self)
		NS_TRY(find_arrays(v, net->self));
	*out = net;
done:
	if (rc < 0) {
		if (!net)
			ns_version_close(v);
		ns_network_free(net);
		return ns_err_wrap(rc, "store '%s': revision '%s'", ns_store_path(store), rev);
	}
	return rc;
}

int ns__network_open_selected(ns_network **out, ns_store *store, const char *rev,
			      const ns_select *sel)
{
	ns_network *net = NULL;
	int rc;

	NS_TRY(ns__network_open(&net, store, rev, 1));
	NS_TRY(ns__select_check(sel, net, NULL));
	ns__network_prune(net, sel);
	*out = net;
	net = NULL;
done:
	ns_network_free(net);
	return rc;
}
