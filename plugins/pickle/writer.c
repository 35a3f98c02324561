/* SPDX-License-Identifier: MIT */
/* Export: ANNarchy's save() layout as a protocol 4 pickle, streamed through
 * host->write in 64 KiB blocks. numpy arrays are written as numpy does for
 * protocols 2 to 4 (`numpy.core.multiarray._reconstruct` then BUILD with
 * (1, shape, dtype, is_fortran, raw bytes)), which numpy 1.x and 2.x both
 * load; the `numpy.core` names are the ones both resolve.
 *
 * Populations: local attributes as arrays shaped by the geometry, globals
 * as Python floats. Projections: post_ranks (list of int), pre_ranks (2-D
 * int64 array when every row has the same length, else an object array of
 * lists), local attributes as lists of lists, semiglobal ones as a list
 * per post_ranks row, globals as floats; an attribute called 'delays' is
 * written under that key outside the attribute lists, as ANNarchy does.
 * The lists hold Python floats, ints and bools, as ANNarchy's: int
 * attributes of projections lose their width there (an i32 imports back
 * as i64), which numpy arrays in their place would keep but ANNarchy's
 * layout does not have.
 *
 * After 'obj_names' comes nsnap's own entry 'nsnap' (record.c): the
 * network's name, time in ms, dt and dictionary, each object's type, each
 * attribute's kind, scope and element type, and the whole arrays of
 * semiglobal attributes whose post neurons do not all have synapses, and
 * the arrays of any length (network-wide ones and attributes of scope
 * array, which ANNarchy's layout has no place for at all), so that an
 * export imports back as the same version. */
#include "pickle.h"
#include "record.h"

#include <stdlib.h>
#include <string.h>

#define PW_BUF ((size_t)64 << 10)

typedef struct pw {
	ns_ostream *out;
	pk_sink sink;  /* instead of out, when set */
	void *ctx;
	unsigned char *buf;
	size_t n;
	int rc;
} pw;

static void flush(pw *w)
{
	if (w->rc == NS_OK && w->n)
		w->rc = w->sink ? w->sink(w->ctx, w->buf, w->n) : host->write(w->out, w->buf, w->n);
	w->n = 0;
}

static void put(pw *w, const void *p, size_t n)
{
	const unsigned char *b = p;
	while (n && w->rc == NS_OK) {
		size_t k = PW_BUF - w->n < n ? PW_BUF - w->n : n;
		memcpy(w->buf + w->n, b, k);
		w->n += k;
		b += k;
		n -= k;
		if (w->n == PW_BUF)
			flush(w);
	}
}

/* Room for @n (at most 16) bytes at the end of the buffer: a list of
 * lists is millions of opcodes of a few bytes, written in place. */
static unsigned char *room(pw *w, size_t n)
{
	if (PW_BUF - w->n < n)
		flush(w);
	return w->buf + w->n;
}

static void op(pw *w, unsigned char c)
{
	*room(w, 1) = c;
	w->n++;
}

/* @size (at most 8) bytes of @v, little-endian. */
static void le(pw *w, uint64_t v, unsigned size)
{
	unsigned char *b = room(w, size);
	for (unsigned k = 0; k < size; k++)
		b[k] = (unsigned char)(v >> (8 * k));
	w->n += size;
}

static void w_int(pw *w, int64_t v)
{
	if (v >= 0 && v < 256) {
		op(w, 'K');
		le(w, (uint64_t)v, 1);
	} else if (v >= 0 && v < 65536) {
		op(w, 'M');
		le(w, (uint64_t)v, 2);
	} else if (v >= INT32_MIN && v <= INT32_MAX) {
		op(w, 'J');
		le(w, (uint64_t)v, 4);
	} else {
		op(w, 0x8a); /* LONG1: 8 bytes of two's complement */
		le(w, 8, 1);
		le(w, (uint64_t)v, 8);
	}
}

static void w_float(pw *w, double v)
{
	unsigned char *b = room(w, 9);
	uint64_t u;
	memcpy(&u, &v, sizeof u);
	b[0] = 'G'; /* BINFLOAT: big-endian */
	for (int k = 0; k < 8; k++)
		b[1 + k] = (unsigned char)(u >> (56 - 8 * k));
	w->n += 9;
}

static void w_str(pw *w, const char *s)
{
	size_t n = strlen(s);
	if (n < 256) {
		op(w, 0x8c);
		le(w, n, 1);
	} else {
		op(w, 'X');
		le(w, n, 4);
	}
	put(w, s, n);
}

static void w_bytes(pw *w, const void *p, size_t n)
{
	if (n < 256) {
		op(w, 'C');
		le(w, n, 1);
	} else if (n <= UINT32_MAX) {
		op(w, 'B');
		le(w, n, 4);
	} else {
		op(w, 0x8e);
		le(w, n, 8);
	}
	put(w, p, n);
}

static void w_global(pw *w, const char *module, const char *name)
{
	w_str(w, module);
	w_str(w, name);
	op(w, 0x93);
}

/* numpy.dtype(descr, False, True) with its state (3, order, None, None,
 * None, -1, -1, flags). */
static void w_dtype(pw *w, const char *descr, const char *order, int flags)
{
	w_global(w, "numpy", "dtype");
	w_str(w, descr);
	op(w, 0x89);
	op(w, 0x88);
	op(w, 0x87);
	op(w, 'R');
	op(w, '(');
	w_int(w, 3);
	w_str(w, order);
	op(w, 'N');
	op(w, 'N');
	op(w, 'N');
	w_int(w, -1);
	w_int(w, -1);
	w_int(w, flags);
	op(w, 't');
	op(w, 'b');
}

static void w_shape(pw *w, const uint64_t *shape, unsigned ndim)
{
	op(w, '(');
	for (unsigned k = 0; k < ndim; k++)
		w_int(w, (int64_t)shape[k]);
	op(w, 't');
}

/* _reconstruct(ndarray, (0,), b'b'), then the mark of its state tuple
 * with version and shape; the caller adds dtype, fortran and data. */
static void array_head(pw *w, const uint64_t *shape, unsigned ndim)
{
	w_global(w, "numpy.core.multiarray", "_reconstruct");
	w_global(w, "numpy", "ndarray");
	w_int(w, 0);
	op(w, 0x85);
	w_bytes(w, "b", 1);
	op(w, 0x87);
	op(w, 'R');
	op(w, '(');
	w_int(w, 1);
	w_shape(w, shape, ndim);
}

static void w_array(pw *w, const void *data, ns_dtype t, const uint64_t *shape, unsigned ndim,
		    uint64_t count)
{
	const char *descr;
	size_t size = host->dtype_size(t);
	switch (t) {
	case NS_DTYPE_F64: descr = "f8"; break;
	case NS_DTYPE_F32: descr = "f4"; break;
	case NS_DTYPE_I64: descr = "i8"; break;
	case NS_DTYPE_I32: descr = "i4"; break;
	case NS_DTYPE_BOOL: descr = "b1"; break;
	default: descr = "u1"; size = 1; break;
	}
	array_head(w, shape, ndim);
	w_dtype(w, descr, size > 1 ? "<" : "|", 0);
	op(w, 0x89);
	w_bytes(w, data, (size_t)count * size);
	op(w, 't');
	op(w, 'b');
}

/* One value of an attribute read as f64 or i64 into @vals. */
static void w_value(pw *w, ns_dtype t, const void *vals, size_t i)
{
	if (t == NS_DTYPE_BOOL)
		op(w, ((const int64_t *)vals)[i] ? 0x88 : 0x89);
	else if (t == NS_DTYPE_I64 || t == NS_DTYPE_I32 || t == NS_DTYPE_U8)
		w_int(w, ((const int64_t *)vals)[i]);
	else
		w_float(w, ((const double *)vals)[i]);
}

static int names_of(pw *w, const ns_object *obj, int which)
{
	size_t n = host->object_attr_count(obj);
	op(w, ']');
	op(w, '(');
	for (size_t i = 0; i < n; i++) {
		ns_attr_info ai;
		host->attr_get_info(&ai, host->object_attr_at(obj, i));
		if (strcmp(ai.name, "delays") == 0 || ai.scope == NS_ARRAY)
			continue;
		if (which < 0 || (int)ai.kind == which)
			w_str(w, ai.name);
	}
	op(w, 'e');
	return w->rc;
}

static void name_lists(pw *w, const ns_object *obj)
{
	w_str(w, "attributes");
	names_of(w, obj, -1);
	w_str(w, "parameters");
	names_of(w, obj, NS_PARAMETER);
	w_str(w, "variables");
	names_of(w, obj, NS_VARIABLE);
}

static int w_population(pw *w, ns_object *obj)
{
	ns_object_info oi;
	uint64_t flat;
	int rc;
	host->object_get_info(&oi, obj);
	flat = oi.size;
	op(w, '}');
	op(w, '(');
	w_str(w, "name");
	w_str(w, oi.name);
	w_str(w, "geometry");
	if (oi.ndim)
		w_shape(w, oi.shape, oi.ndim);
	else
		w_shape(w, &flat, 1);
	w_str(w, "size");
	w_int(w, (int64_t)oi.size);
	name_lists(w, obj);
	for (size_t i = 0; i < oi.n_attrs; i++) {
		ns_attr *a = host->object_attr_at(obj, i);
		ns_attr_info ai;
		void *data;
		double x;
		host->attr_get_info(&ai, a);
		if (ai.scope == NS_ARRAY) /* in nsnap's entry only */
			continue;
		w_str(w, ai.name);
		if (ai.scope == NS_GLOBAL) {
			if ((rc = host->attr_read(&x, NS_DTYPE_F64, a)) < 0)
				return rc;
			w_float(w, x);
			continue;
		}
		if ((rc = host->attr_data(&data, a)) < 0)
			return rc;
		if (oi.ndim)
			w_array(w, data, ai.dtype, oi.shape, oi.ndim, ai.count);
		else
			w_array(w, data, ai.dtype, &flat, 1, ai.count);
	}
	op(w, 'u');
	return w->rc;
}

/* The order in which a projection's synapses are written: grouped by post
 * neuron, ascending, each row in the network's order. *out is NULL when
 * that is their order already, as it is in a version (the store keeps
 * synapses sorted by post, then pre); else a stable counting sort. */
static int row_order(size_t **out, const int32_t *post, size_t n)
{
	size_t *order, *next, i;
	int32_t max = 0;
	*out = NULL;
	for (i = 1; i < n && post[i - 1] <= post[i]; i++)
		;
	if (i >= n)
		return NS_OK;
	for (i = 0; i < n; i++) {
		if (post[i] < 0)
			return host->error(NS_EINVAL, "a negative post index");
		max = post[i] > max ? post[i] : max;
	}
	if (!(order = host->alloc(n * sizeof *order)) ||
	    !(next = host->alloc(((size_t)max + 2) * sizeof *next))) {
		host->free(order);
		return host->error(NS_ENOMEM, "out of memory");
	}
	memset(next, 0, ((size_t)max + 2) * sizeof *next);
	for (i = 0; i < n; i++)
		next[post[i] + 1]++;
	for (int32_t k = 0; k <= max; k++)
		next[k + 1] += next[k];
	for (i = 0; i < n; i++)
		order[next[post[i]]++] = i;
	host->free(next);
	*out = order;
	return NS_OK;
}

/* The network's index of the synapse written @i-th. */
static size_t at(const size_t *order, size_t i)
{
	return order ? order[i] : i;
}

/* A projection: rows of synapses grouped by post neuron, ascending, each
 * row in the network's order. */
static int w_projection(pw *w, ns_object *obj)
{
	ns_object_info oi;
	const int32_t *pre, *post;
	uint64_t n = host->projection_synapses(obj);
	size_t *order = NULL, *row_start = NULL, rows = 0;
	void *vals = NULL, *vals_f64 = NULL;
	int rect = 1, rc = NS_OK;

	host->object_get_info(&oi, obj);
	host->projection_connectivity(&pre, &post, obj);
	if ((rc = row_order(&order, post, (size_t)n)) < 0)
		goto done;
	if (!(row_start = host->alloc(((size_t)n + 1) * sizeof *row_start))) {
		rc = host->error(NS_ENOMEM, "out of memory");
		goto done;
	}
	for (size_t i = 0; i < n; i++)
		if (i == 0 || post[at(order, i)] != post[at(order, i - 1)])
			row_start[rows++] = i;
	row_start[rows] = (size_t)n;
	for (size_t r = 1; r < rows; r++)
		if (row_start[r + 1] - row_start[r] != row_start[1] - row_start[0])
			rect = 0;

	op(w, '}');
	op(w, '(');
	w_str(w, "name");
	w_str(w, oi.name);
	w_str(w, "pre");
	w_str(w, oi.pre);
	w_str(w, "post");
	w_str(w, oi.post);
	w_str(w, "target");
	w_str(w, oi.target);
	w_str(w, "post_ranks");
	op(w, ']');
	op(w, '(');
	for (size_t r = 0; r < rows; r++)
		w_int(w, post[at(order, row_start[r])]);
	op(w, 'e');
	w_str(w, "pre_ranks");
	if (rect) {
		uint64_t shape[2] = { rows, rows ? row_start[1] : 0 };
		int64_t *m = host->alloc((size_t)n * 8 + 8);
		if (!m) {
			rc = host->error(NS_ENOMEM, "out of memory");
			goto done;
		}
		for (size_t i = 0; i < n; i++)
			m[i] = pre[at(order, i)];
		w_array(w, m, NS_DTYPE_I64, shape, 2, n);
		host->free(m);
	} else {
		uint64_t shape[1] = { rows };
		array_head(w, shape, 1);
		w_dtype(w, "O8", "|", 63);
		op(w, 0x89);
		op(w, ']');
		op(w, '(');
		for (size_t r = 0; r < rows; r++) {
			op(w, ']');
			op(w, '(');
			for (size_t i = row_start[r]; i < row_start[r + 1]; i++)
				w_int(w, pre[at(order, i)]);
			op(w, 'e');
		}
		op(w, 'e');
		op(w, 't');
		op(w, 'b');
	}
	name_lists(w, obj);

	for (size_t a = 0; a < oi.n_attrs && w->rc == NS_OK; a++) {
		ns_attr *attr = host->object_attr_at(obj, a);
		ns_attr_info ai;
		const void *v;
		int ints;
		host->attr_get_info(&ai, attr);
		if (ai.scope == NS_ARRAY) /* in nsnap's entry only */
			continue;
		ints = ai.dtype == NS_DTYPE_I64 || ai.dtype == NS_DTYPE_I32 ||
		       ai.dtype == NS_DTYPE_U8 || ai.dtype == NS_DTYPE_BOOL;
		host->free(vals);
		vals = NULL;
		/* f64 values are written from the version's array; the rest
		 * as i64 or f64 copies */
		if (ai.dtype == NS_DTYPE_F64) {
			if ((rc = host->attr_data(&vals_f64, attr)) < 0)
				goto done;
			v = vals_f64;
		} else {
			if (!(vals = host->alloc((size_t)ai.count * 8 + 8))) {
				rc = host->error(NS_ENOMEM, "out of memory");
				goto done;
			}
			if ((rc = host->attr_read(vals, ints ? NS_DTYPE_I64 : NS_DTYPE_F64,
						     attr)) < 0)
				goto done;
			v = vals;
		}
		w_str(w, ai.name);
		if (ai.scope == NS_GLOBAL) {
			double x;
			if ((rc = host->attr_read(&x, NS_DTYPE_F64, attr)) < 0)
				goto done;
			w_float(w, x);
		} else if (ai.scope == NS_SEMIGLOBAL) {
			op(w, ']');
			op(w, '(');
			for (size_t r = 0; r < rows; r++) {
				size_t p = (size_t)post[at(order, row_start[r])];
				w_value(w, ai.dtype, v, p < ai.count ? p : 0);
			}
			op(w, 'e');
		} else {
			op(w, ']');
			op(w, '(');
			for (size_t r = 0; r < rows; r++) {
				op(w, ']');
				op(w, '(');
				for (size_t i = row_start[r]; i < row_start[r + 1]; i++)
					w_value(w, ai.dtype, v, at(order, i));
				op(w, 'e');
			}
			op(w, 'e');
		}
	}
	op(w, 'u');
	rc = w->rc;
done:
	host->free(vals);
	host->free(order);
	host->free(row_start);
	return rc;
}

/* nsnap's own entry (see record.c): what ANNarchy's layout has no place
 * for, under a key ANNarchy's load() never looks up. */
static int w_record(pw *w, const ns_network *net)
{
	size_t n = host->network_object_count(net), nm = host->network_meta_count(net);
	double t = 0;
	int rc;

	host->network_time(net, &t, NULL);
	op(w, '}');
	op(w, '(');
	w_str(w, "version");
	w_int(w, 1);
	w_str(w, "network");
	w_str(w, host->network_name(net));
	w_str(w, "t");
	w_float(w, t);
	w_str(w, "dt");
	w_float(w, host->network_dt(net));
	w_str(w, "dictionary");
	op(w, ']');
	op(w, '(');
	for (size_t i = 0; i < nm; i++) {
		const char *key, *str;
		double x;
		if ((rc = host->network_meta_at(&key, &str, &x, net, i)) < 0)
			return rc;
		op(w, ']');
		op(w, '(');
		w_str(w, key);
		if (str)
			w_str(w, str);
		else
			w_float(w, x);
		op(w, 'e');
	}
	op(w, 'e');
	w_str(w, "objects");
	op(w, ']');
	op(w, '(');
	for (size_t i = 0; i < n; i++) {
		ns_object_info oi;
		host->object_get_info(&oi, host->network_object_at(net, i));
		op(w, ']');
		op(w, '(');
		w_str(w, oi.name);
		w_str(w, oi.type);
		op(w, 'e');
	}
	op(w, 'e');
	for (int pass = 0; pass < 2; pass++) {
		w_str(w, pass ? "semiglobal" : "attributes");
		op(w, ']');
		op(w, '(');
		for (size_t i = 0; i < n; i++) {
			ns_object *obj = host->network_object_at(net, i);
			ns_object_info oi;
			host->object_get_info(&oi, obj);
			for (size_t k = 0; k < oi.n_attrs; k++) {
				ns_attr *a = host->object_attr_at(obj, k);
				ns_attr_info ai;
				void *data;
				int all = 0;
				host->attr_get_info(&ai, a);
				if (ai.scope == NS_ARRAY) /* in 'arrays' */
					continue;
				if (!pass) {
					op(w, ']');
					op(w, '(');
					w_str(w, oi.name);
					w_str(w, ai.name);
					w_str(w, host->attr_kind_name(ai.kind));
					w_str(w, host->scope_name(ai.scope));
					w_str(w, host->dtype_name(ai.dtype));
					op(w, 'e');
					continue;
				}
				if (ai.scope != NS_SEMIGLOBAL)
					continue;
				if ((rc = nsp_rows_cover(&all, obj, ai.count)) < 0 ||
				    (!all && (rc = host->attr_data(&data, a)) < 0))
					return rc;
				if (all)
					continue;
				op(w, ']');
				op(w, '(');
				w_str(w, oi.name);
				w_str(w, ai.name);
				w_array(w, data, ai.dtype, &ai.count, 1, ai.count);
				op(w, 'e');
			}
		}
		op(w, 'e');
	}
	w_str(w, "arrays");
	op(w, ']');
	op(w, '(');
	{
		nsp_arrays it = { net, 0, 0 };
		const char *owner;
		ns_attr *a;
		while (nsp_arrays_next(&it, &owner, &a)) {
			ns_attr_info ai;
			void *data;
			host->attr_get_info(&ai, a);
			if ((rc = host->attr_data(&data, a)) < 0)
				return rc;
			op(w, ']');
			op(w, '(');
			w_str(w, owner);
			w_str(w, ai.name);
			w_str(w, host->attr_kind_name(ai.kind));
			w_str(w, host->dtype_name(ai.dtype));
			w_array(w, data, ai.dtype, &ai.count, 1, ai.count);
			op(w, 'e');
		}
	}
	op(w, 'e');
	op(w, 'u');
	return w->rc;
}

static void w_obj_names(pw *w, const ns_network *net)
{
	size_t n = host->network_object_count(net);
	op(w, '}');
	op(w, '(');
	for (int kind = 0; kind < 2; kind++) {
		w_str(w, kind ? "projections" : "populations");
		op(w, ']');
		op(w, '(');
		for (size_t i = 0; i < n; i++) {
			ns_object_info oi;
			host->object_get_info(&oi, host->network_object_at(net, i));
			if ((int)oi.kind == kind)
				w_str(w, oi.name);
		}
		op(w, 'e');
	}
	op(w, 'u');
}

int pk_check_names(const ns_network *net, const char *const *reserved, const char *path)
{
	size_t n = host->network_object_count(net);
	for (size_t i = 0; i < n; i++) {
		ns_object_info oi;
		host->object_get_info(&oi, host->network_object_at(net, i));
		for (size_t k = 0; reserved[k]; k++)
			if (strcmp(oi.name, reserved[k]) == 0)
				return host->error(NS_EINVAL, "file '%s': %s '%s' has the name of an "
						   "entry of the file's own (ANNarchy's load() would "
						   "take one for the other); rename it", path,
						   oi.kind == NS_POPULATION ? "population" :
						   "projection", oi.name);
	}
	return NS_OK;
}

int pk_export_entry(pk_sink sink, void *ctx, const ns_network *net, pk_entry which,
		    ns_object *obj)
{
	pw w = { NULL, sink, ctx, NULL, 0, NS_OK };
	int rc = NS_OK;
	if (!(w.buf = host->alloc(PW_BUF)))
		return host->error(NS_ENOMEM, "out of memory");
	op(&w, 0x80);
	op(&w, 4);
	/* a 0-d object array holding the dict, as np.save() pickles it */
	array_head(&w, NULL, 0);
	w_dtype(&w, "O8", "|", 63);
	op(&w, 0x89);
	op(&w, ']');
	op(&w, '(');
	if (which == PK_ENTRY_OBJECT) {
		ns_object_info oi;
		host->object_get_info(&oi, obj);
		rc = oi.kind == NS_POPULATION ? w_population(&w, obj) : w_projection(&w, obj);
	} else if (which == PK_ENTRY_OBJ_NAMES) {
		w_obj_names(&w, net);
	} else {
		rc = w_record(&w, net);
	}
	if (rc < 0)
		goto done;
	op(&w, 'e');
	op(&w, 't');
	op(&w, 'b');
	op(&w, '.');
	flush(&w);
	rc = w.rc;
done:
	host->free(w.buf);
	return rc;
}

int pk_export(ns_ostream *out, const ns_network *net, const ns_plugin_args *args)
{
	static const char *const reserved[] = { "time_step", "net_id", "obj_names", "nsnap",
						NULL };
	pw w = { out, NULL, NULL, NULL, 0, NS_OK };
	size_t n = host->network_object_count(net);
	uint64_t step = 0;
	int rc = NS_OK;

	if ((rc = pk_check_names(net, reserved, args && args->path ? args->path : "(stream)")) < 0)
		return rc;
	if (!(w.buf = host->alloc(PW_BUF)))
		return host->error(NS_ENOMEM, "out of memory");
	host->network_time(net, NULL, &step);
	op(&w, 0x80);
	op(&w, 4);
	op(&w, '}');
	op(&w, '(');
	w_str(&w, "time_step");
	w_int(&w, (int64_t)step);
	w_str(&w, "net_id");
	w_int(&w, 0);
	for (size_t i = 0; i < n && rc == NS_OK; i++) {
		ns_object *obj = host->network_object_at(net, i);
		ns_object_info oi;
		host->object_get_info(&oi, obj);
		w_str(&w, oi.name);
		rc = oi.kind == NS_POPULATION ? w_population(&w, obj) : w_projection(&w, obj);
	}
	if (rc < 0)
		goto done;
	w_str(&w, "obj_names");
	w_obj_names(&w, net);
	w_str(&w, "nsnap");
	if ((rc = w_record(&w, net)) < 0)
		goto done;
	op(&w, 'u');
	op(&w, '.');
	flush(&w);
	rc = w.rc;
	if (rc == NS_OK && args && args->verbose)
		host->log(NS_LOG_INFO, "file '%s': %zu objects written", args->path ?
			     args->path : "(stream)", n);
done:
	host->free(w.buf);
	return rc;
}
