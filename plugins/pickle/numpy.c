/* SPDX-License-Identifier: MIT */
/* The callables a pickle may name, and what REDUCE and BUILD do with
 * them: numpy arrays (_reconstruct + BUILD state, _frombuffer, scalar),
 * numpy.dtype, OrderedDict, and the latin-1 codec that protocol 2 uses
 * for bytes. Anything else is refused by name: nothing is imported or
 * called. */
#include "pickle.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* @s (@n bytes) for a message: at most 100 bytes, other than printable
 * ASCII as \xHH. */
static const char *printable(char buf[404], const char *s, size_t n)
{
	size_t k = 0;
	for (size_t i = 0; i < n && i < 100; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c >= 0x20 && c < 0x7f && c != '\\')
			buf[k++] = (char)c;
		else
			k += (size_t)snprintf(buf + k, 5, "\\x%02x", c);
	}
	buf[k] = '\0';
	return buf;
}

int pk_resolve_global(pk_reader *r, const char *module, size_t mlen, const char *name,
		      size_t nlen)
{
	char m[404], nm[404];
	static const struct {
		const char *module, *name;
		pv_global g;
	} allowed[] = {
		{ "numpy.core.multiarray", "_reconstruct", PG_RECONSTRUCT },
		{ "numpy._core.multiarray", "_reconstruct", PG_RECONSTRUCT },
		{ "numpy.core.numeric", "_frombuffer", PG_FROMBUFFER },
		{ "numpy._core.numeric", "_frombuffer", PG_FROMBUFFER },
		{ "numpy.core.multiarray", "scalar", PG_SCALAR },
		{ "numpy._core.multiarray", "scalar", PG_SCALAR },
		{ "numpy", "dtype", PG_DTYPE },
		{ "numpy", "ndarray", PG_NDARRAY },
		{ "collections", "OrderedDict", PG_ODICT },
		{ "_codecs", "encode", PG_ENCODE },
		{ "builtins", "bytearray", PG_BYTEARRAY },
		{ "__builtin__", "bytearray", PG_BYTEARRAY },
	};
	/* lengths first: a name of the file may hold a NUL ("numpy.core.multiarray\0os") */
	for (size_t k = 0; k < sizeof allowed / sizeof allowed[0]; k++)
		if (mlen == strlen(allowed[k].module) && memcmp(module, allowed[k].module, mlen) == 0 &&
		    nlen == strlen(allowed[k].name) && memcmp(name, allowed[k].name, nlen) == 0)
			return pk_push_int(r, PV_GLOBAL, allowed[k].g);
	return pk_fail(r, NS_EFORMAT, "refusing to load global '%s.%s': only numpy arrays "
		       "and plain containers are read", printable(m, module, mlen),
		       printable(nm, name, nlen));
}

/* A dtype from its descr ("f8", "<i4", "b1", "O8"). */
static int dtype_from(pk_reader *r, pv *d, const char *descr)
{
	char order = '|';
	char *end;
	long size;
	if (*descr == '<' || *descr == '>' || *descr == '|' || *descr == '=')
		order = *descr++;
	if (!*descr || !strchr("fiubO?", *descr))
		return pk_fail(r, NS_EUNSUPPORTED, "numpy dtype '%.40s' (only numbers, bool and "
			    "objects are read)", descr);
	/* "b1" and "?" are bool, a bare "b" numpy's int8. */
	d->kind = *descr == '?' ? 'b' : strcmp(descr, "b") == 0 ? 'i' : *descr;
	size = descr[1] ? strtol(descr + 1, &end, 10) : (d->kind == 'b' || *descr == 'b' ? 1 : 0);
	if (descr[1] && *end)
		size = 0;
	if (d->kind == 'O')
		size = 8;
	if (!((d->kind == 'f' && (size == 4 || size == 8)) ||
	      ((d->kind == 'i' || d->kind == 'u') && (size == 1 || size == 2 || size == 4 ||
						      size == 8)) ||
	      (d->kind == 'b' && size == 1) || d->kind == 'O'))
		return pk_fail(r, NS_EUNSUPPORTED, "numpy dtype '%.40s'", descr);
	d->itemsize = (unsigned)size;
	d->order = order == '=' ? '<' : order;
	return NS_OK;
}

int pk_array_shape(pk_reader *r, pv *a, const uint64_t *shape, unsigned ndim)
{
	uint64_t count = 1;
	for (unsigned k = 0; k < ndim; k++) {
		if (shape[k] && count > UINT64_MAX / shape[k])
			return pk_fail(r, NS_EFORMAT, "an array too large");
		count *= shape[k];
	}
	if (!(a->shape = pk_alloc(r, (ndim ? ndim : 1) * sizeof *a->shape)))
		return pk_oom(r);
	if (ndim)
		memcpy(a->shape, shape, ndim * sizeof *shape);
	else
		a->shape[0] = 0;
	a->ndim = (unsigned char)ndim;
	a->count = count;
	return NS_OK;
}

static int shape_from(pk_reader *r, pv *a, const pv *shape)
{
	uint64_t dims[8];
	size_t ndim = 1;
	int rc;
	/* a value of the reader's own, so it may unpack it */
	if (pk_list_packed(shape) && (rc = pk_list_unpack(r, (pv *)shape)) < 0)
		return rc;
	if (shape->t == PV_INT) {
		if (shape->i < 0)
			return pk_fail(r, NS_EFORMAT, "a negative array extent");
		dims[0] = (uint64_t)shape->i;
	} else if (shape->t == PV_TUPLE || shape->t == PV_LIST) {
		if (shape->len > 8)
			return pk_fail(r, NS_EUNSUPPORTED, "an array of %zu dimensions", shape->len);
		ndim = shape->len;
		for (size_t k = 0; k < shape->len; k++) {
			if (shape->items[k]->t != PV_INT || shape->items[k]->i < 0)
				return pk_fail(r, NS_EFORMAT, "a bad array shape");
			dims[k] = (uint64_t)shape->items[k]->i;
		}
	} else {
		return pk_fail(r, NS_EFORMAT, "an array shape that is %s", pv_type_name(shape));
	}
	if (a->shape) {
		/* BUILD on an array whose shape was set: _reconstruct's */
		host->free(a->shape);
		a->shape = NULL;
	}
	return pk_array_shape(r, a, dims, (unsigned)ndim);
}

/* Fill array @a (shape and dtype set) from @raw; Fortran order and the
 * other byte order are converted to C order, native (little-endian). */
int pk_array_fill(pk_reader *r, pv *a, pv *raw, int fortran, int share)
{
	unsigned sz = a->dtype->itemsize;
	uint64_t idx[8] = { 0 };
	int rc;
	if (a->dtype->kind == 'O') {
		if (pk_list_packed(raw) && (rc = pk_list_unpack(r, raw)) < 0)
			return rc;
		if (raw->t != PV_LIST || raw->len != a->count)
			return pk_fail(r, NS_EFORMAT, "an object array of %llu items holding %s",
				    (unsigned long long)a->count, pv_type_name(raw));
		if (raw->len && !(a->items = pk_alloc(r, raw->len * sizeof *a->items)))
			return pk_oom(r);
		if (raw->len)
			memcpy(a->items, raw->items, raw->len * sizeof *a->items);
		a->len = a->cap = raw->len;
		a->depth = raw->depth;
		a->ready = 1;
		return NS_OK;
	}
	if (raw->t != PV_BYTES || raw->n / sz != a->count || raw->n % sz)
		return pk_fail(r, NS_EFORMAT, "an array of %llu items of %u bytes holding %zu bytes",
			    (unsigned long long)a->count, sz, raw->t == PV_BYTES ? raw->n : 0);
	a->n = raw->n;
	if (a->dtype->order != '>' && !(fortran && a->ndim > 1)) {
		/* C order, little-endian already: the bytes as they are */
		if (share) {
			a->s = raw->s;
			a->borrowed = 1;
		} else if (!(a->s = pk_alloc(r, raw->n + 1))) {
			return pk_oom(r);
		} else {
			memcpy(a->s, raw->s, raw->n);
		}
		a->ready = 1;
		return NS_OK;
	}
	if (!(a->s = pk_alloc(r, raw->n + 1)))
		return pk_oom(r);
	for (uint64_t k = 0; k < a->count; k++) {
		/* k counts in C order; its offset in the source follows its order. */
		uint64_t src = 0;
		if (fortran && a->ndim > 1)
			for (unsigned d = a->ndim; d > 0; d--)
				src = src * a->shape[d - 1] + idx[d - 1];
		else
			src = k;
		for (unsigned b = 0; b < sz; b++)
			a->s[k * sz + b] = raw->s[src * sz + (a->dtype->order == '>' ? sz - 1 - b : b)];
		for (unsigned d = a->ndim; d > 0; d--) {
			if (++idx[d - 1] < a->shape[d - 1])
				break;
			idx[d - 1] = 0;
		}
	}
	a->ready = 1;
	return NS_OK;
}

/* Bytes from a str of protocol 2 (_codecs.encode(s, 'latin1')). */
static int latin1(pk_reader *r, pv *out, const pv *s)
{
	size_t k = 0;
	if (!(out->s = pk_alloc(r, s->n + 1)))
		return pk_oom(r);
	for (size_t i = 0; i < s->n; i++) {
		unsigned char c = (unsigned char)s->s[i];
		if (c >= 0x80) {
			if ((c & 0xe0) != 0xc0 || i + 1 >= s->n || c > 0xc3)
				return pk_fail(r, NS_EFORMAT, "a string that is not latin-1");
			c = (unsigned char)(((c & 0x1f) << 6) | (s->s[++i] & 0x3f));
		}
		out->s[k++] = (char)c;
	}
	out->n = k;
	return NS_OK;
}

static const char *arg_str(const pv *args, size_t i)
{
	return args->len > i && args->items[i]->t == PV_STR ? args->items[i]->s : NULL;
}

int pk_reduce(pk_reader *r, const pv *f, const pv *args)
{
	pv *v;
	int rc;
	if (f->t != PV_GLOBAL)
		return pk_fail(r, NS_EFORMAT, "REDUCE calls %s", pv_type_name(f));
	if (args->t != PV_TUPLE)
		return pk_fail(r, NS_EFORMAT, "REDUCE with arguments that are %s", pv_type_name(args));
	switch ((pv_global)f->i) {
	case PG_RECONSTRUCT: {
		/* Until BUILD sets its state, an empty object array, so that
		 * code looking at values never meets an array without a dtype. */
		static pv unset = { .t = PV_DTYPE, .kind = 'O', .order = '|', .itemsize = 8 };
		static const uint64_t none[1] = { 0 };
		if (!(v = pk_pv_new(r, PV_ARRAY)))
			return pk_oom(r);
		v->dtype = &unset;
		if ((rc = pk_array_shape(r, v, none, 1)) < 0)
			return rc;
		return pk_push(r, v);
	}
	case PG_DTYPE:
		if (!arg_str(args, 0))
			return pk_fail(r, NS_EFORMAT, "numpy.dtype without a type string");
		if (!(v = pk_pv_new(r, PV_DTYPE)))
			return pk_oom(r);
		if ((rc = dtype_from(r, v, arg_str(args, 0))) < 0)
			return rc;
		return pk_push(r, v);
	case PG_FROMBUFFER:
	case PG_SCALAR: {
		int fb = f->i == PG_FROMBUFFER;
		const pv *dt = args->len > (fb ? 1u : 0u) ? args->items[fb ? 1 : 0] : NULL;
		const pv *raw = args->len > (fb ? 0u : 1u) ? args->items[fb ? 0 : 1] : NULL;
		const char *order = fb ? arg_str(args, 3) : "C";
		if (args->len != (fb ? 4u : 2u) || !dt || dt->t != PV_DTYPE || !order ||
		    dt->kind == 'O')
			return pk_fail(r, NS_EFORMAT, "%s with bad arguments",
				    fb ? "numpy _frombuffer" : "numpy scalar");
		if (!(v = pk_pv_new(r, PV_ARRAY)))
			return pk_oom(r);
		v->dtype = (pv *)dt;
		if ((rc = fb ? shape_from(r, v, args->items[2]) : pk_array_shape(r, v, NULL, 0)) < 0)
			return rc;
		if ((rc = pk_array_fill(r, v, (pv *)raw, order[0] == 'F', 1)) < 0)
			return rc;
		return pk_push(r, v);
	}
	case PG_ODICT:
		if (args->len)
			return pk_fail(r, NS_EUNSUPPORTED, "OrderedDict built from arguments");
		if (!(v = pk_pv_new(r, PV_DICT)))
			return pk_oom(r);
		return pk_push(r, v);
	case PG_ENCODE:
		if (!arg_str(args, 0) || !arg_str(args, 1) ||
		    (strcmp(arg_str(args, 1), "latin1") != 0 &&
		     strcmp(arg_str(args, 1), "latin-1") != 0))
			return pk_fail(r, NS_EFORMAT, "_codecs.encode with bad arguments");
		if (!(v = pk_pv_new(r, PV_BYTES)))
			return pk_oom(r);
		if ((rc = latin1(r, v, args->items[0])) < 0)
			return rc;
		return pk_push(r, v);
	case PG_BYTEARRAY:
		if (args->len == 0)
			return pk_push_bytes(r, PV_BYTES, (const unsigned char *)"", 0);
		if (args->len != 1 || args->items[0]->t != PV_BYTES)
			return pk_fail(r, NS_EFORMAT, "bytearray with bad arguments");
		return pk_push(r, args->items[0]);
	case PG_NDARRAY:
	default:
		return pk_fail(r, NS_EUNSUPPORTED, "calling numpy.ndarray directly");
	}
}

int pk_build(pk_reader *r, pv *obj, const pv *state)
{
	int rc;
	if (obj->t == PV_DTYPE) {
		/* (version, byte order, subdtype, names, fields, size, align, flags) */
		if (state->t != PV_TUPLE || state->len < 2 || state->items[1]->t != PV_STR ||
		    (state->len > 2 && state->items[2]->t != PV_NONE) ||
		    (state->len > 3 && state->items[3]->t != PV_NONE))
			return pk_fail(r, NS_EUNSUPPORTED, "a structured or sub-array numpy dtype");
		if (strchr("<>|=", state->items[1]->s[0]) && state->items[1]->s[0])
			obj->order = state->items[1]->s[0] == '=' ? '<' : state->items[1]->s[0];
		return NS_OK;
	}
	if (obj->t == PV_ARRAY && !obj->ready) {
		/* (version, shape, dtype, is_fortran, data) */
		const pv *dt;
		if (state->t != PV_TUPLE || state->len != 5 || state->items[2]->t != PV_DTYPE)
			return pk_fail(r, NS_EFORMAT, "a numpy array state that is not (version, "
				    "shape, dtype, fortran, data)");
		dt = state->items[2];
		obj->dtype = (pv *)dt;
		if ((rc = shape_from(r, obj, state->items[1])) < 0)
			return rc;
		return pk_array_fill(r, obj, state->items[4],
				     state->items[3]->t == PV_BOOL && state->items[3]->i, 1);
	}
	return pk_fail(r, NS_EUNSUPPORTED, "BUILD (setting state) on %s", pv_type_name(obj));
}

