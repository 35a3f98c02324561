/* SPDX-License-Identifier: MIT */
/* The network model: building and walking networks, attributes' values. */
#include "internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int ns__name_check(const char *what, const char *name)
{
	size_t len = name ? strlen(name) : 0;
	if (len == 0 || len > NS_OBJ_NAME_MAX)
		return ns_err(NS_EINVAL, "%s name '%s': must have 1 to %d bytes", what,
			      name ? name : "", NS_OBJ_NAME_MAX);
	for (const char *p = name; *p; p++)
		if (*p == '/' || (unsigned char)*p < 0x20 || *p == 0x7f)
			return ns_err(NS_EINVAL, "%s name '%s': '/' and control characters are "
				      "not allowed", what, name);
	return ns__text_check(what, "name", name);
}

int ns__text_check(const char *what, const char *field, const char *s)
{
	long bad = s ? ns__utf8_invalid_at(s) : -1;
	if (bad >= 0)
		return ns_err(NS_EINVAL, "%s %s '%.*s...': byte 0x%02x at offset %ld is not "
			      "UTF-8 (names and texts are UTF-8 text, as every format nsnap "
			      "writes needs)", what, field, (int)bad, s, (unsigned char)s[bad], bad);
	return NS_OK;
}

#define NAME_OF(names, i) ((unsigned)(i) < sizeof names / sizeof names[0] ? names[i] : "?")

const char *ns_object_kind_name(ns_object_kind kind)
{
	static const char *const names[] = { "population", "projection", "network" };
	return NAME_OF(names, kind);
}

const char *ns_attr_kind_name(ns_attr_kind kind)
{
	static const char *const names[] = { "parameter", "variable" };
	return NAME_OF(names, kind);
}

const char *ns_scope_name(ns_scope scope)
{
	static const char *const names[] = { "global", "local", "semiglobal", "array" };
	return NAME_OF(names, scope);
}

static char *dup_or_empty(const char *s)
{
	return strdup(s ? s : "");
}

static int writable(const ns_network *net, const char *what)
{
	if (net->version)
		return ns_err(NS_EREADONLY, "network '%s' (version %llu): opened from a store, "
			      "read-only: cannot %s", net->name,
			      (unsigned long long)ns_network_version(net), what);
	return NS_OK;
}

/* ------------------------------------------------------------- network */

int ns_network_new(ns_network **out, const char *name)
{
	ns_network *net;
	int rc;
	if (!out)
		return ns_err(NS_EINVAL, "ns_network_new: out must not be NULL");
	if ((rc = ns__text_check("network", "name", name)) < 0)
		return rc;
	net = calloc(1, sizeof *net);
	if (!net || !(net->name = dup_or_empty(name))) {
		free(net);
		return ns_err(NS_ENOMEM, "network: out of memory");
	}
	*out = net;
	return NS_OK;
}

static void attr_free(ns_attr *a)
{
	if (a->owned)
		free(a->data);
	free(a->name);
	free(a);
}

static void object_free(ns_object *o)
{
	for (size_t i = 0; i < o->n_attrs; i++)
		attr_free(o->attrs[i]);
	if (o->syn_owned & SYN_PRE_OWNED)
		free(o->syn_pre);
	if (o->syn_owned & SYN_POST_OWNED)
		free(o->syn_post);
	free(o->attrs);
	free(o->name);
	free(o->type);
	free(o->pre);
	free(o->post);
	free(o->target);
	free(o);
}

void ns__network_prune(ns_network *net, const ns_select *sel)
{
	size_t kept = 0;
	for (size_t i = 0; i < net->n_objs; i++) {
		if (ns__selected(sel, net->objs[i]))
			net->objs[kept++] = net->objs[i];
		else
			object_free(net->objs[i]);
	}
	net->n_objs = kept;
}

void ns_network_free(ns_network *net)
{
	if (!net)
		return;
	for (size_t i = 0; i < net->n_objs; i++)
		object_free(net->objs[i]);
	if (net->self)
		object_free(net->self);
	for (size_t i = 0; i < net->n_meta; i++) {
		free(net->meta[i].key);
		free(net->meta[i].string);
	}
	ns_version_close(net->version);
	free(net->objs);
	free(net->meta);
	free(net->name);
	free(net);
}

const char *ns_network_name(const ns_network *net)
{
	return net->name;
}

void ns_network_set_time(ns_network *net, double t_ms, uint64_t step)
{
	net->t_ms = t_ms;
	net->step = step;
}

void ns_network_time(const ns_network *net, double *t_ms, uint64_t *step)
{
	if (t_ms)
		*t_ms = net->t_ms;
	if (step)
		*step = net->step;
}

void ns_network_set_dt(ns_network *net, double dt_ms)
{
	net->dt_ms = dt_ms;
}

double ns_network_dt(const ns_network *net)
{
	return net->dt_ms;
}

int ns_network_set_meta(ns_network *net, const char *key, const char *string, double number)
{
	struct meta_entry *e = NULL;
	char *str = NULL;
	int rc;

	if (!key || !*key)
		return ns_err(NS_EINVAL, "network '%s': a dictionary entry needs a key", net->name);
	if ((rc = ns__text_check("network dictionary entry", "key", key)) < 0 ||
	    (rc = ns__text_check("network dictionary entry", "value", string)) < 0)
		return rc;
	if (string && !(str = strdup(string)))
		return ns_err(NS_ENOMEM, "network '%s': dictionary entry '%s': out of memory",
			      net->name, key);
	for (size_t i = 0; i < net->n_meta; i++)
		if (strcmp(net->meta[i].key, key) == 0)
			e = &net->meta[i];
	if (!e) {
		if ((rc = ns__grow_array(&net->meta, &net->cap_meta, net->n_meta, sizeof *net->meta)) < 0) {
			free(str);
			return ns_err_wrap(rc, "network '%s': dictionary entry '%s'", net->name, key);
		}
		e = &net->meta[net->n_meta];
		if (!(e->key = strdup(key))) {
			free(str);
			return ns_err(NS_ENOMEM, "network '%s': dictionary entry '%s': out of memory",
				      net->name, key);
		}
		e->string = NULL;
		net->n_meta++;
	}
	free(e->string);
	e->string = str;
	e->number = string ? 0 : number;
	return NS_OK;
}

size_t ns_network_meta_count(const ns_network *net)
{
	return net->n_meta;
}

int ns_network_meta_at(const char **key, const char **string, double *number,
		       const ns_network *net, size_t i)
{
	if (i >= net->n_meta)
		return ns_err(NS_EINVAL, "network '%s': no dictionary entry %zu (it has %zu)",
			      net->name, i, net->n_meta);
	if (key)
		*key = net->meta[i].key;
	if (string)
		*string = net->meta[i].string;
	if (number)
		*number = net->meta[i].number;
	return NS_OK;
}

/* ------------------------------------------------------------- objects */

int ns__object_new(ns_object **out, ns_network *net, const char *name, ns_object_kind kind)
{
	ns_object *o;
	int rc;
	if ((rc = ns__name_check(kind == NS_POPULATION ? "population" : "projection", name)) < 0)
		return rc;
	if (ns_network_object_find(net, name))
		return ns_err(NS_EEXISTS, "network '%s': an object called '%s' exists already",
			      net->name, name);
	if ((rc = ns__grow_array(&net->objs, &net->cap_objs, net->n_objs, sizeof *net->objs)) < 0)
		return ns_err_wrap(rc, "network '%s': %s '%s'", net->name, ns_object_kind_name(kind),
				   name);
	if (!(o = calloc(1, sizeof *o)) || !(o->name = strdup(name))) {
		free(o);
		return ns_err(NS_ENOMEM, "network '%s': %s '%s': out of memory", net->name,
			      ns_object_kind_name(kind), name);
	}
	o->kind = kind;
	o->net = net;
	net->objs[net->n_objs++] = o;
	*out = o;
	return NS_OK;
}

/* Set the strings of @o; on failure the object stays, with empty strings. */
static int object_strings(ns_object *o, const char *type, const char *pre, const char *post,
			  const char *target)
{
	char what[NS_OBJ_NAME_MAX + 32];
	int rc;
	snprintf(what, sizeof what, "%s '%s':", ns_object_kind_name(o->kind), o->name);
	if ((rc = ns__text_check(what, "type", type)) < 0 ||
	    (rc = ns__text_check(what, "target", target)) < 0)
		return rc;
	o->type = dup_or_empty(type);
	o->pre = dup_or_empty(pre);
	o->post = dup_or_empty(post);
	o->target = dup_or_empty(target);
	if (!o->type || !o->pre || !o->post || !o->target)
		return ns_err(NS_ENOMEM, "%s '%s': out of memory", ns_object_kind_name(o->kind),
			      o->name);
	return NS_OK;
}

/* Drop the last object added (after a failure while adding it). */
static int drop_last(ns_network *net, int rc)
{
	object_free(net->objs[--net->n_objs]);
	return rc;
}

int ns_population_add(ns_object **out, ns_network *net, const char *name, uint64_t size,
		      const uint64_t *shape, unsigned ndim, const char *neuron_type)
{
	ns_object *o;
	uint64_t product = 1;
	int rc;

	if ((rc = writable(net, "add a population")) < 0)
		return rc;
	if (ndim > NS_MAX_DIMS || (ndim && !shape))
		return ns_err(NS_EINVAL, "population '%s': geometry of %u dimensions (at most %d)",
			      name ? name : "", ndim, NS_MAX_DIMS);
	for (unsigned i = 0; i < ndim; i++) {
		/* (2^32, 2^32) would wrap to 0 neurons */
		if (shape[i] && product > UINT64_MAX / shape[i])
			return ns_err(NS_EINVAL, "population '%s': a geometry of more neurons than "
				      "64 bits count", name ? name : "");
		product *= shape[i];
	}
	if (ndim && product != size)
		return ns_err(NS_EINVAL, "population '%s': geometry holds %llu neurons, not %llu",
			      name ? name : "", (unsigned long long)product,
			      (unsigned long long)size);
	if ((rc = ns__object_new(&o, net, name, NS_POPULATION)) < 0)
		return rc;
	o->size = size;
	o->ndim = ndim ? ndim : 1;
	o->shape[0] = size;
	for (unsigned i = 0; i < ndim; i++)
		o->shape[i] = shape[i];
	if ((rc = object_strings(o, neuron_type, NULL, NULL, NULL)) < 0)
		return drop_last(net, rc);
	if (out)
		*out = o;
	return NS_OK;
}

int ns_projection_add(ns_object **out, ns_network *net, const char *name, const char *pre,
		      const char *post, const char *target, const char *synapse_type)
{
	const char *miss = NULL;
	ns_object *o, *p;
	int rc;

	if ((rc = writable(net, "add a projection")) < 0)
		return rc;
	if (!(p = ns_network_object_find(net, pre ? pre : "")) || p->kind != NS_POPULATION)
		miss = pre;
	else if (!(p = ns_network_object_find(net, post ? post : "")) || p->kind != NS_POPULATION)
		miss = post;
	if (miss)
		return ns_err(NS_ENOTFOUND, "projection '%s': no population '%s' in network '%s'",
			      name ? name : "", miss ? miss : "", net->name);
	if ((rc = ns__object_new(&o, net, name, NS_PROJECTION)) < 0)
		return rc;
	if ((rc = object_strings(o, synapse_type, pre, post, target)) < 0)
		return drop_last(net, rc);
	if (out)
		*out = o;
	return NS_OK;
}

int ns_projection_set_synapses(ns_object *proj, int32_t *pre, int32_t *post, uint64_t n,
			       unsigned flags)
{
	int32_t *cp = NULL, *cq = NULL;
	int rc;

	if ((rc = writable(proj->net, "set synapses")) < 0)
		return rc;
	if (proj->kind != NS_PROJECTION)
		return ns_err(NS_EINVAL, "'%s' is a population, not a projection", proj->name);
	if (n && (!pre || !post))
		return ns_err(NS_EINVAL, "projection '%s': no arrays for %llu synapses", proj->name,
			      (unsigned long long)n);
	for (size_t i = 0; i < proj->n_attrs; i++)
		if (proj->attrs[i]->scope == NS_LOCAL && n != proj->size)
			return ns_err(NS_EBUSY, "projection '%s': local attribute '%s' has %llu "
				      "values; the synapses cannot change to %llu", proj->name,
				      proj->attrs[i]->name, (unsigned long long)proj->size,
				      (unsigned long long)n);
	if (flags & NS_ARRAY_COPY) {
		cp = malloc(n * sizeof *cp + 1);
		cq = malloc(n * sizeof *cq + 1);
		if (!cp || !cq) {
			free(cp);
			free(cq);
			return ns_err(NS_ENOMEM, "projection '%s': out of memory", proj->name);
		}
		if (n) {
			memcpy(cp, pre, n * sizeof *cp);
			memcpy(cq, post, n * sizeof *cq);
		}
		pre = cp;
		post = cq;
	}
	if (proj->syn_owned & SYN_PRE_OWNED)
		free(proj->syn_pre);
	if (proj->syn_owned & SYN_POST_OWNED)
		free(proj->syn_post);
	proj->syn_pre = pre;
	proj->syn_post = post;
	proj->syn_owned = flags & NS_ARRAY_COPY ? SYN_PRE_OWNED | SYN_POST_OWNED : 0;
	proj->size = n;
	return NS_OK;
}

uint64_t ns_projection_synapses(const ns_object *proj)
{
	return proj->kind == NS_PROJECTION ? proj->size : 0;
}

void ns_projection_connectivity(const int32_t **pre, const int32_t **post,
				const ns_object *proj)
{
	if (pre)
		*pre = proj->kind == NS_PROJECTION ? proj->syn_pre : NULL;
	if (post)
		*post = proj->kind == NS_PROJECTION ? proj->syn_post : NULL;
}

size_t ns_network_object_count(const ns_network *net)
{
	return net->n_objs;
}

ns_object *ns_network_object_at(const ns_network *net, size_t i)
{
	return i < net->n_objs ? net->objs[i] : NULL;
}

ns_object *ns_network_object_find(const ns_network *net, const char *name)
{
	for (size_t i = 0; i < net->n_objs; i++)
		if (strcmp(net->objs[i]->name, name) == 0)
			return net->objs[i];
	return NULL;
}

void ns_object_get_info(ns_object_info *out, const ns_object *o)
{
	if (!out)
		return;
	out->name = o->name;
	out->kind = o->kind;
	out->size = o->size;
	out->ndim = o->kind == NS_POPULATION ? o->ndim : 0;
	out->shape = o->shape;
	out->type = o->type;
	out->pre = o->kind == NS_PROJECTION ? o->pre : NULL;
	out->post = o->kind == NS_PROJECTION ? o->post : NULL;
	out->target = o->target;
	out->n_attrs = o->n_attrs;
}

/* ---------------------------------------------------------- attributes */

uint64_t ns__attr_length(const ns_object *obj, ns_scope scope)
{
	const ns_object *post;
	switch (scope) {
	case NS_GLOBAL: return 1;
	case NS_LOCAL: return obj->size;
	case NS_SEMIGLOBAL:
		post = ns_network_object_find(obj->net, obj->post);
		return post ? post->size : 0;
	case NS_ARRAY: break; /* given when added */
	}
	return 0;
}

/* The name in "population 'E'", "projection 'EE'", "network 'n'": who
 * has an attribute. */
static const char *owner_name(const ns_object *obj)
{
	return obj->kind == NS_NETWORK_ITSELF ? obj->net->name : obj->name;
}

int ns__attr_new(ns_attr **out, ns_object *obj, const char *name, ns_attr_kind kind,
		 ns_scope scope, ns_dtype dtype, uint64_t count)
{
	ns_attr *a;
	int rc;
	if ((rc = ns__name_check("attribute", name)) < 0)
		return ns_err_wrap(rc, "%s '%s'", ns_object_kind_name(obj->kind), owner_name(obj));
	if (ns_object_attr_find(obj, name))
		return ns_err(NS_EEXISTS, "%s '%s' has an attribute '%s' already", ns_object_kind_name(obj->kind),
			      owner_name(obj), name);
	if (ns_dtype_size(dtype) == 0 || dtype == NS_DTYPE_BYTES)
		return ns_err(NS_EINVAL, "'%s': attribute '%s': element type %d is not one of "
			      "f64, f32, i64, i32, u8, bool", owner_name(obj), name, (int)dtype);
	if ((unsigned)kind > NS_VARIABLE || (unsigned)scope > NS_ARRAY)
		return ns_err(NS_EINVAL, "'%s': attribute '%s': bad kind or scope", owner_name(obj),
			      name);
	if (scope == NS_SEMIGLOBAL && obj->kind != NS_PROJECTION)
		return ns_err(NS_EINVAL, "%s '%s': attribute '%s': only projections have "
			      "semiglobal attributes", ns_object_kind_name(obj->kind), owner_name(obj), name);
	if (obj->kind == NS_NETWORK_ITSELF && scope != NS_ARRAY)
		return ns_err(NS_EINVAL, "network '%s': array '%s': network-wide arrays have the "
			      "scope 'array'", owner_name(obj), name);
	if ((rc = ns__grow_array(&obj->attrs, &obj->cap_attrs, obj->n_attrs, sizeof *obj->attrs)) < 0)
		return ns_err_wrap(rc, "'%s': attribute '%s'", owner_name(obj), name);
	if (!(a = calloc(1, sizeof *a)) || !(a->name = strdup(name))) {
		free(a);
		return ns_err(NS_ENOMEM, "'%s': attribute '%s': out of memory", owner_name(obj),
			      name);
	}
	a->kind = kind;
	a->scope = scope;
	a->dtype = dtype;
	a->count = count;
	a->obj = obj;
	obj->attrs[obj->n_attrs++] = a;
	*out = a;
	return NS_OK;
}

/* An attribute of @count values: bound to @data, or owned. */
static int add_values(ns_attr **out, ns_object *obj, const char *name, ns_attr_kind kind,
		      ns_scope scope, ns_dtype dtype, uint64_t count, void *data, unsigned flags)
{
	ns_attr *a = NULL; /* set by ns__attr_new() on success (gcc cannot tell) */
	size_t bytes;
	void *mem = NULL;
	int rc;

	if ((rc = writable(obj->net, "add an attribute")) < 0)
		return rc;
	if (count > SIZE_MAX / 8)
		return ns_err(NS_EINVAL, "'%s': attribute '%s': %llu values are too many",
			      owner_name(obj), name, (unsigned long long)count);
	if ((rc = ns__attr_new(&a, obj, name, kind, scope, dtype, count)) < 0)
		return rc;
	bytes = (size_t)count * ns_dtype_size(dtype);
	if (!data || (flags & NS_ARRAY_COPY)) {
		if (!(mem = calloc(1, bytes + 1))) {
			attr_free(a);
			obj->n_attrs--;
			return ns_err(NS_ENOMEM, "'%s': attribute '%s': out of memory for %zu bytes",
				      owner_name(obj), name, bytes);
		}
		if (data)
			memcpy(mem, data, bytes);
		a->data = mem;
		a->owned = 1;
	} else {
		a->data = data;
		a->bound = 1;
	}
	if (out)
		*out = a;
	return NS_OK;
}

int ns_attr_add(ns_attr **out, ns_object *obj, const char *name, ns_attr_kind kind,
		ns_scope scope, ns_dtype dtype, void *data, unsigned flags)
{
	if (scope == NS_ARRAY)
		return ns_err(NS_EINVAL, "'%s': attribute '%s': an attribute of scope 'array' is "
			      "added with ns_attr_add_array(), which takes its length",
			      owner_name(obj), name);
	return add_values(out, obj, name, kind, scope, dtype, ns__attr_length(obj, scope), data,
			  flags);
}

int ns_attr_add_array(ns_attr **out, ns_object *obj, const char *name, ns_attr_kind kind,
		      ns_dtype dtype, uint64_t count, void *data, unsigned flags)
{
	return add_values(out, obj, name, kind, NS_ARRAY, dtype, count, data, flags);
}

int ns__network_self(ns_object **out, ns_network *net)
{
	if (!net->self) {
		ns_object *o = calloc(1, sizeof *o);
		if (!o || !(o->name = strdup("")) || !(o->type = strdup("")) ||
		    !(o->pre = strdup("")) || !(o->post = strdup("")) ||
		    !(o->target = strdup(""))) {
			if (o)
				object_free(o);
			return ns_err(NS_ENOMEM, "network '%s': out of memory", net->name);
		}
		o->kind = NS_NETWORK_ITSELF;
		o->net = net;
		net->self = o;
	}
	*out = net->self;
	return NS_OK;
}

int ns_network_attr_add(ns_attr **out, ns_network *net, const char *name, ns_attr_kind kind,
			ns_dtype dtype, uint64_t count, void *data, unsigned flags)
{
	ns_object *self = NULL;
	int rc;
	if ((rc = writable(net, "add a network-wide array")) < 0 ||
	    (rc = ns__network_self(&self, net)) < 0)
		return rc;
	return add_values(out, self, name, kind, NS_ARRAY, dtype, count, data, flags);
}

size_t ns_network_attr_count(const ns_network *net)
{
	return net->self ? net->self->n_attrs : 0;
}

ns_attr *ns_network_attr_at(const ns_network *net, size_t i)
{
	return net->self ? ns_object_attr_at(net->self, i) : NULL;
}

ns_attr *ns_network_attr_find(const ns_network *net, const char *name)
{
	return net->self ? ns_object_attr_find(net->self, name) : NULL;
}

size_t ns_object_attr_count(const ns_object *obj)
{
	return obj->n_attrs;
}

ns_attr *ns_object_attr_at(const ns_object *obj, size_t i)
{
	return i < obj->n_attrs ? obj->attrs[i] : NULL;
}

ns_attr *ns_object_attr_find(const ns_object *obj, const char *name)
{
	for (size_t i = 0; i < obj->n_attrs; i++)
		if (strcmp(obj->attrs[i]->name, name) == 0)
			return obj->attrs[i];
	return NULL;
}

void ns_attr_get_info(ns_attr_info *out, const ns_attr *a)
{
	if (!out)
		return;
	out->name = a->name;
	out->kind = a->kind;
	out->scope = a->scope;
	out->dtype = a->dtype;
	out->count = a->count;
	out->bound = a->bound;
}

int ns_attr_data(void **out, ns_attr *a)
{
	static uint64_t empty;
	ns_version *v = a->obj->net->version;
	ns_array_info info;
	ns_view view;
	void *copy;
	int rc;

	if (!out)
		return ns_err(NS_EINVAL, "ns_attr_data: out must not be NULL ('%s': attribute "
			      "'%s')", a->obj->name, a->name ? a->name : "");
	if (a->data || !v) {
		*out = a->data ? a->data : &empty;
		return NS_OK;
	}
	if ((rc = ns_version_array_at(&info, v, a->array)) < 0)
		return rc;
	if (info.n_chunks == 0) {
		*out = &empty;
		return NS_OK;
	}
	/* One raw, aligned chunk: the map itself. */
	if (info.n_chunks == 1 && ns_version_view(&view, v, a->array, 0, 0) == NS_OK &&
	    (view.aligned || ns_dtype_size(a->dtype) == 1)) {
		a->data = (void *)view.data;
		*out = a->data;
		return NS_OK;
	}
	if (!(copy = malloc((size_t)info.nbytes)))
		/* Connectivity is read through an attribute without a name. */
		return a->name ? ns_err(NS_ENOMEM, "'%s': attribute '%s': out of memory for %llu "
					"bytes", a->obj->name, a->name,
					(unsigned long long)info.nbytes)
			       : ns_err(NS_ENOMEM, "projection '%s': out of memory for %llu bytes of "
					"connectivity", a->obj->name,
					(unsigned long long)info.nbytes);
	if ((rc = ns_version_read(copy, (size_t)info.nbytes, v, a->array, 0)) < 0) {
		free(copy);
		return rc;
	}
	a->data = copy;
	a->owned = 1;
	*out = copy;
	return NS_OK;
}

int ns_attr_read(void *buf, ns_dtype dtype, ns_attr *a)
{
	char what[2 * NS_OBJ_NAME_MAX + 32];
	void *src;
	int rc;
	if (!buf && a->count)
		return ns_err(NS_EINVAL, "ns_attr_read: buf must not be NULL ('%s': attribute "
			      "'%s' has %llu values)", a->obj->name, a->name,
			      (unsigned long long)a->count);
	if (!buf)
		return NS_OK;
	if ((rc = ns_attr_data(&src, a)) < 0)
		return rc;
	snprintf(what, sizeof what, "'%s': attribute '%s'", a->obj->name, a->name);
	return ns__convert_values(buf, dtype, src, a->dtype, a->count, what);
}

/* ---------------------------------------------------------- conversion */

static double load_number(const void *src, ns_dtype t, uint64_t i)
{
	switch (t) {
	case NS_DTYPE_F64: return ((const double *)src)[i];
	case NS_DTYPE_F32: return ((const float *)src)[i];
	case NS_DTYPE_I64: return (double)((const int64_t *)src)[i];
	case NS_DTYPE_I32: return ((const int32_t *)src)[i];
	default: return ((const uint8_t *)src)[i];
	}
}

static int integral_in(double v, double lo, double hi)
{
	return v == floor(v) && v >= lo && v <= hi;
}

int ns__convert_values(void *dst, ns_dtype to, const void *src, ns_dtype from, uint64_t n,
		   const char *what)
{
	size_t esize = ns_dtype_size(to);

	if (to == from) {
		memcpy(dst, src, (size_t)n * esize);
		return NS_OK;
	}
	if (esize == 0 || to == NS_DTYPE_BYTES || from == NS_DTYPE_BYTES ||
	    ns_dtype_size(from) == 0)
		return ns_err(NS_EINVAL, "%s: cannot convert %s to %s", what, ns_dtype_name(from),
			      ns_dtype_name(to));
	for (uint64_t i = 0; i < n; i++) {
		double v = load_number(src, from, i);
		switch (to) {
		case NS_DTYPE_F64: ((double *)dst)[i] = v; continue;
		case NS_DTYPE_F32: ((float *)dst)[i] = (float)v; continue;
		case NS_DTYPE_I64:
			if (integral_in(v, -9223372036854775808.0, 9223372036854774784.0)) {
				((int64_t *)dst)[i] = (int64_t)v;
				continue;
			}
			break;
		case NS_DTYPE_I32:
			if (integral_in(v, INT32_MIN, INT32_MAX)) {
				((int32_t *)dst)[i] = (int32_t)v;
				continue;
			}
			break;
		case NS_DTYPE_U8:
		case NS_DTYPE_BOOL:
			if (integral_in(v, 0, to == NS_DTYPE_BOOL ? 1 : 255)) {
				((uint8_t *)dst)[i] = (uint8_t)v;
				continue;
			}
			break;
		default:
			break;
		}
		return ns_err(NS_EINVAL, "%s: value %llu (%.17g) does not fit in %s", what,
			      (unsigned long long)i, v, ns_dtype_name(to));
	}
	return NS_OK;
}
