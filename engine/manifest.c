/* SPDX-License-Identifier: MIT */
/* The manifest: a network's structure, stored as its version's blob.
 *
 * Little-endian: "NSN" + u8 format; f64 t_ms, u64 step, f64 dt; str name;
 * u32 n_meta x (str key, u8 is_string, str value | f64 value);
 * u32 n_objects x (u8 kind, str name, str type, u64 size,
 *   population: u8 ndim, ndim x u64 extent;
 *   projection: str pre, str post, str target;
 *   u32 n_attrs x attr), attr = (str name, u8 kind, u8 scope, u8 dtype,
 *   u64 count);
 * format 2 only: u32 n x attr, the network-wide arrays (scope 'array').
 * A str is u32 length + bytes. Every field is checked on decode. Format 1
 * is written when format 2's features are not used, so that an older
 * nsnap reads what it can. */
#include "internal.h"

#include "bytes.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MANIFEST_FORMAT 2

struct wr {
	uint8_t *p;
	size_t n, cap;
	int failed;
};

static void wr_bytes(struct wr *w, const void *data, size_t n)
{
	if (w->failed)
		return;
	if (w->n + n > w->cap) {
		size_t cap = w->cap ? 2 * w->cap : 256;
		uint8_t *p;
		while (cap < w->n + n)
			cap *= 2;
		if (!(p = realloc(w->p, cap))) {
			w->failed = 1;
			return;
		}
		w->p = p;
		w->cap = cap;
	}
	memcpy(w->p + w->n, data, n);
	w->n += n;
}

static void wr_u64(struct wr *w, uint64_t v)
{
	uint8_t b[8];
	ns__put_u64(b, v);
	wr_bytes(w, b, 8);
}

static void wr_u32(struct wr *w, uint32_t v)
{
	uint8_t b[4];
	ns__put_u32(b, v);
	wr_bytes(w, b, 4);
}

static void wr_u8(struct wr *w, unsigned v)
{
	uint8_t b = (uint8_t)v;
	wr_bytes(w, &b, 1);
}

static void wr_f64(struct wr *w, double v)
{
	uint64_t bits;
	memcpy(&bits, &v, 8);
	wr_u64(w, bits);
}

static void wr_str(struct wr *w, const char *s)
{
	size_t n = strlen(s);
	wr_u32(w, (uint32_t)n);
	wr_bytes(w, s, n);
}

static void wr_attr(struct wr *w, const ns_attr *at)
{
	wr_str(w, at->name);
	wr_u8(w, at->kind);
	wr_u8(w, at->scope);
	wr_u8(w, at->dtype);
	wr_u64(w, at->count);
}

/* Format 2 for network-wide arrays or attributes of scope 'array'. */
static unsigned format_needed(const ns_network *net, ns_object *const *objs, size_t n_objs)
{
	if (ns_network_attr_count(net))
		return 2;
	for (size_t i = 0; i < n_objs; i++)
		for (size_t a = 0; a < objs[i]->n_attrs; a++)
			if (objs[i]->attrs[a]->scope == NS_ARRAY)
				return 2;
	return 1;
}

int ns__manifest_encode(uint8_t **out, size_t *size, const ns_network *net,
		    ns_object *const *objs, size_t n_objs)
{
	struct wr w = { NULL, 0, 0, 0 };
	unsigned format = format_needed(net, objs, n_objs);
	wr_bytes(&w, "NSN", 3);
	wr_u8(&w, format);
	wr_f64(&w, net->t_ms);
	wr_u64(&w, net->step);
	wr_f64(&w, net->dt_ms);
	wr_str(&w, net->name);
	wr_u32(&w, (uint32_t)net->n_meta);
	for (size_t i = 0; i < net->n_meta; i++) {
		wr_str(&w, net->meta[i].key);
		wr_u8(&w, net->meta[i].string != NULL);
		if (net->meta[i].string)
			wr_str(&w, net->meta[i].string);
		else
			wr_f64(&w, net->meta[i].number);
	}
	wr_u32(&w, (uint32_t)n_objs);
	for (size_t i = 0; i < n_objs; i++) {
		const ns_object *o = objs[i];
		wr_u8(&w, o->kind);
		wr_str(&w, o->name);
		wr_str(&w, o->type);
		wr_u64(&w, o->size);
		if (o->kind == NS_POPULATION) {
			wr_u8(&w, o->ndim);
			for (unsigned d = 0; d < o->ndim; d++)
				wr_u64(&w, o->shape[d]);
		} else {
			wr_str(&w, o->pre);
			wr_str(&w, o->post);
			wr_str(&w, o->target);
		}
		wr_u32(&w, (uint32_t)o->n_attrs);
		for (size_t a = 0; a < o->n_attrs; a++)
			wr_attr(&w, o->attrs[a]);
	}
	if (format >= 2) {
		wr_u32(&w, (uint32_t)ns_network_attr_count(net));
		for (size_t a = 0; a < ns_network_attr_count(net); a++)
			wr_attr(&w, ns_network_attr_at(net, a));
	}
	if (w.failed) {
		free(w.p);
		return ns_err(NS_ENOMEM, "network '%s': out of memory for its manifest", net->name);
	}
	*out = w.p;
	*size = w.n;
	return NS_OK;
}

/* -------------------------------------------------------------- decode */

struct rd {
	ns__rd in;
	char buf[NS_OBJ_NAME_MAX + 1]; /* the last string read */
	int nomem;                     /* bad for lack of memory, not damage */
};

/* A string of at most NS_OBJ_NAME_MAX bytes (longer ones: @big, else bad). */
static const char *rd_str(struct rd *r, char **big)
{
	uint32_t n = ns__rd_u32(&r->in);
	const uint8_t *p;
	if (!big && n > NS_OBJ_NAME_MAX)
		r->in.bad = 1;
	if (!(p = ns__rd_take(&r->in, n)) || memchr(p, '\0', n)) {
		r->in.bad = 1;
		return "";
	}
	if (big) {
		if (!(*big = malloc(n + 1))) {
			r->in.bad = 1;
			r->nomem = 1;
			return "";
		}
		memcpy(*big, p, n);
		(*big)[n] = '\0';
		return *big;
	}
	memcpy(r->buf, p, n);
	r->buf[n] = '\0';
	return r->buf;
}

/* A u32 count of attributes of @o, then each; scope 'array' from format 2. */
static int decode_attrs(struct rd *r, ns_object *o, unsigned format)
{
	uint32_t n_attrs = ns__rd_u32(&r->in);
	ns_attr *a;
	int rc;
	for (uint32_t i = 0; !r->in.bad && i < n_attrs; i++) {
		char name[NS_OBJ_NAME_MAX + 1];
		unsigned akind, scope, dtype;
		snprintf(name, sizeof name, "%s", rd_str(r, NULL));
		akind = ns__rd_u8(&r->in);
		scope = ns__rd_u8(&r->in);
		dtype = ns__rd_u8(&r->in);
		if (r->in.bad || (scope == NS_ARRAY && format < 2))
			return r->in.bad = 1, NS_ECORRUPT;
		if ((rc = ns__attr_new(&a, o, name, (ns_attr_kind)akind, (ns_scope)scope,
				       (ns_dtype)dtype, 0)) < 0)
			return rc;
		a->count = ns__rd_u64(&r->in);
	}
	return r->in.bad ? NS_ECORRUPT : NS_OK;
}

static int decode_object(struct rd *r, ns_network *net, unsigned format)
{
	ns_object_kind kind = (ns_object_kind)ns__rd_u8(&r->in);
	ns_object *o;
	int rc;

	if (kind != NS_POPULATION && kind != NS_PROJECTION)
		r->in.bad = 1;
	if (r->in.bad || (rc = ns__object_new(&o, net, rd_str(r, NULL), kind)) < 0)
		return r->in.bad ? NS_ECORRUPT : rc;
	/* Types and targets have no length limit (an equation may be one). */
	rd_str(r, &o->type);
	if (!o->type)
		return r->nomem ? ns_err(NS_ENOMEM, "out of memory") : NS_ECORRUPT;
	o->size = ns__rd_u64(&r->in);
	if (kind == NS_POPULATION) {
		uint64_t product = 1;
		o->ndim = ns__rd_u8(&r->in);
		if (o->ndim == 0 || o->ndim > NS_MAX_DIMS)
			r->in.bad = 1;
		for (unsigned d = 0; !r->in.bad && d < o->ndim; d++)
			product *= (o->shape[d] = ns__rd_u64(&r->in));
		if (product != o->size)
			r->in.bad = 1;
	}
	o->pre = strdup(kind == NS_PROJECTION ? rd_str(r, NULL) : "");
	o->post = strdup(kind == NS_PROJECTION ? rd_str(r, NULL) : "");
	if (kind == NS_PROJECTION)
		rd_str(r, &o->target);
	else
		o->target = strdup("");
	if (!o->pre || !o->post || !o->target)
		return r->in.bad && !r->nomem ? NS_ECORRUPT : ns_err(NS_ENOMEM, "out of memory");
	return decode_attrs(r, o, format);
}

int ns__manifest_decode(ns_network *net, const void *data, size_t size)
{
	struct rd r = { { data, (const uint8_t *)data + size, 0 }, "", 0 };
	const uint8_t *magic = ns__rd_take(&r.in, 4);
	uint32_t n_meta, n_objs;
	char *name = NULL, *str = NULL;
	int rc = NS_OK;

	if (!magic || memcmp(magic, "NSN", 3) != 0)
		return ns_err(NS_ECORRUPT, "not a network manifest");
	if (magic[3] > MANIFEST_FORMAT)
		return ns_err(NS_EVERSION, "network manifest of format %u (this nsnap reads up "
			      "to %u)", magic[3], MANIFEST_FORMAT);
	net->t_ms = ns__rd_f64(&r.in);
	net->step = ns__rd_u64(&r.in);
	net->dt_ms = ns__rd_f64(&r.in);
	free(net->name);
	net->name = NULL;
	rd_str(&r, &net->name);
	if (!net->name && !(net->name = strdup("")))
		return ns_err(NS_ENOMEM, "out of memory");
	n_meta = ns__rd_u32(&r.in);
	for (uint32_t i = 0; rc == NS_OK && !r.in.bad && i < n_meta; i++) {
		rd_str(&r, &name);
		if (ns__rd_u8(&r.in))
			rc = ns_network_set_meta(net, name ? name : "", rd_str(&r, &str), 0);
		else
			rc = ns_network_set_meta(net, name ? name : "", NULL, ns__rd_f64(&r.in));
		free(name);
		free(str);
		name = str = NULL;
	}
	n_objs = ns__rd_u32(&r.in);
	for (uint32_t i = 0; rc == NS_OK && !r.in.bad && i < n_objs; i++)
		rc = decode_object(&r, net, magic[3]);
	if (rc == NS_OK && !r.in.bad && magic[3] >= 2) {
		ns_object *self;
		if ((rc = ns__network_self(&self, net)) == NS_OK)
			rc = decode_attrs(&r, self, magic[3]);
	}
	if (rc == NS_OK && (r.in.bad || r.in.p != r.in.end))
		rc = NS_ECORRUPT;
	if (rc == NS_ECORRUPT && r.nomem)
		return ns_err(NS_ENOMEM, "network manifest: out of memory");
	if (rc == NS_ECORRUPT)
		return ns_err(NS_ECORRUPT, "damaged network manifest (at byte %td of %zu)",
			      r.in.p - (const uint8_t *)data, size);
	return rc;
}

int ns__array_name(char *buf, size_t size, const ns_object *obj, const char *attr)
{
	int n = snprintf(buf, size, "%s/%s", obj->name, attr);
	return n < 0 || (size_t)n >= size ? ns_err(NS_EINVAL, "name too long") : NS_OK;
}
