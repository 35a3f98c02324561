/* SPDX-License-Identifier: MIT */
/* Export to the text format. A file reads:
 *
 *     # nsnap text 2
 *     network small
 *     time 12.5
 *     step 125
 *     dt 0.1
 *     meta model = "izh"
 *     meta r_max = 1.25
 *     array rng variable i64 3         (a network-wide array of 3 values,
 *     9007199254740993                  one per line; version 2)
 *     -1
 *     4
 *
 *     population E size 8 geometry 2x4 type izh
 *     attribute tau parameter global f64
 *     attribute v variable local f64
 *     attribute q variable array i32 2  (scope array: its count after the
 *     tau = 10                           type; version 2)
 *     values q                          (one line per value, after the
 *     0                                  globals, in declaration order)
 *     10
 *     table index v
 *     0 -65
 *     ...                              (one line per neuron)
 *
 *     projection EI pre E post I target exc type stdp synapses 3
 *     attribute b variable semiglobal f32
 *     attribute w variable local f64
 *     table post b                     (one line per post-synaptic neuron)
 *     0 1.5
 *     ...
 *     table pre post w                 (one line per synapse)
 *     0 0 0.5
 *     ...
 *     end
 *
 * The header says version 2 only when the file has network-wide arrays
 * or attributes of scope array; other files are version 1, as before, so
 * that older readers read them.
 *
 * Names that hold other bytes than letters, digits and "_-.:+@", or that
 * are a keyword (those of version 2 too, in a file of any version), are
 * quoted with C escapes; dictionary strings always are.
 * Floats are the shortest of %.15g, %.16g and %.17g (f32: 6 to 9 digits)
 * that read back to the same bits; nan, -nan and inf as such, and a NaN of
 * another payload as nan:0x<bits>. Integers are written exactly. A
 * population without local attributes has no table. The final "end"
 * tells a whole file from a truncated one. */
#include "text.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TX_FLUSH ((size_t)64 << 10)

typedef struct tx_out {
	ns_ostream *stream;
	char *p;
	size_t n, cap;
	int rc;
} tx_out;

static void put(tx_out *o, const char *s, size_t n)
{
	if (o->rc < 0)
		return;
	if (o->n + n > o->cap) {
		size_t cap = o->cap ? o->cap : 2 * TX_FLUSH;
		char *p;
		while (cap < o->n + n)
			cap *= 2;
		if (!(p = host->realloc(o->p, cap))) {
			o->rc = host->error(NS_ENOMEM, "out of memory");
			return;
		}
		o->p = p;
		o->cap = cap;
	}
	memcpy(o->p + o->n, s, n);
	o->n += n;
}

static void puts_(tx_out *o, const char *s)
{
	put(o, s, strlen(s));
}

/* End a line; pass the buffer on once it is large. */
static void newline(tx_out *o)
{
	put(o, "\n", 1);
	if (o->rc >= 0 && o->n >= TX_FLUSH) {
		o->rc = host->write(o->stream, o->p, o->n);
		o->n = 0;
	}
}

static void put_quoted(tx_out *o, const char *s)
{
	char esc[8];
	put(o, "\"", 1);
	for (const unsigned char *c = (const unsigned char *)s; *c; c++) {
		switch (*c) {
		case '"': puts_(o, "\\\""); break;
		case '\\': puts_(o, "\\\\"); break;
		case '\n': puts_(o, "\\n"); break;
		case '\t': puts_(o, "\\t"); break;
		case '\r': puts_(o, "\\r"); break;
		default:
			if (*c < 0x20 || *c == 0x7f) {
				snprintf(esc, sizeof esc, "\\x%02x", *c);
				puts_(o, esc);
			} else {
				put(o, (const char *)c, 1);
			}
		}
	}
	put(o, "\"", 1);
}

/* A name, bare when it can be read back so. */
static void put_name(tx_out *o, const char *s)
{
	size_t n = strlen(s);
	int bare = n > 0 && !tx_is_keyword(s, n, TX_VERSION);
	for (size_t i = 0; bare && i < n; i++)
		bare = tx_is_bare((unsigned char)s[i]);
	if (bare)
		put(o, s, n);
	else
		put_quoted(o, s);
}

static void put_u64(tx_out *o, uint64_t v)
{
	char b[24];
	snprintf(b, sizeof b, "%" PRIu64, v);
	puts_(o, b);
}

static void put_i64(tx_out *o, int64_t v)
{
	char b[24];
	snprintf(b, sizeof b, "%" PRId64, v);
	puts_(o, b);
}

/* A NaN: "nan" or "-nan" for the quiet NaN of no payload, else its bits. */
static void put_nan(tx_out *o, uint64_t bits, uint64_t quiet, uint64_t sign, int width)
{
	char b[32];
	if ((bits & ~sign) == quiet)
		puts_(o, bits & sign ? "-nan" : "nan");
	else {
		snprintf(b, sizeof b, "nan:0x%0*" PRIx64, width, bits);
		puts_(o, b);
	}
}

static void put_f64(tx_out *o, double v)
{
	char b[40];
	uint64_t bits, back;
	memcpy(&bits, &v, 8);
	if (isnan(v)) {
		put_nan(o, bits, UINT64_C(0x7ff8000000000000), UINT64_C(1) << 63, 16);
		return;
	}
	if (isinf(v)) {
		puts_(o, v < 0 ? "-inf" : "inf");
		return;
	}
	for (int prec = 15; prec <= 17; prec++) {
		double r;
		snprintf(b, sizeof b, "%.*g", prec, v);
		r = strtod(b, NULL);
		memcpy(&back, &r, 8);
		if (back == bits)
			break;
	}
	puts_(o, b);
}

static void put_f32(tx_out *o, float v)
{
	char b[40];
	uint32_t bits, back;
	memcpy(&bits, &v, 4);
	if (isnan(v)) {
		put_nan(o, bits, 0x7fc00000u, 0x80000000u, 8);
		return;
	}
	if (isinf(v)) {
		puts_(o, v < 0 ? "-inf" : "inf");
		return;
	}
	for (int prec = 6; prec <= 9; prec++) {
		float r;
		snprintf(b, sizeof b, "%.*g", prec, (double)v);
		r = strtof(b, NULL);
		memcpy(&back, &r, 4);
		if (back == bits)
			break;
	}
	puts_(o, b);
}

static void put_value(tx_out *o, const void *data, ns_dtype dtype, uint64_t i)
{
	switch (dtype) {
	case NS_DTYPE_F64: put_f64(o, ((const double *)data)[i]); break;
	case NS_DTYPE_F32: put_f32(o, ((const float *)data)[i]); break;
	case NS_DTYPE_I64: put_i64(o, ((const int64_t *)data)[i]); break;
	case NS_DTYPE_I32: put_i64(o, ((const int32_t *)data)[i]); break;
	case NS_DTYPE_U8: put_u64(o, ((const uint8_t *)data)[i]); break;
	default: put_u64(o, ((const uint8_t *)data)[i] ? 1 : 0); break;
	}
}

/* The attributes of one object, with their data. */
typedef struct tx_attr {
	ns_attr_info info;
	const void *data;
} tx_attr;

/* The values of @a, one per line. */
static void put_lines(tx_out *o, const tx_attr *a)
{
	for (uint64_t i = 0; i < a->info.count && o->rc >= 0; i++) {
		put_value(o, a->data, a->info.dtype, i);
		newline(o);
	}
}

/* Info and data of @attr, of object @owner (for messages). */
static int attr_of(tx_attr *out, ns_attr *attr, const char *owner)
{
	void *data;
	int rc;
	host->attr_get_info(&out->info, attr);
	if (!tx_dtype_name(out->info.dtype))
		return host->error(NS_EUNSUPPORTED,
				   "'%s': attribute '%s' has element "
				   "type %s, which the text format does not write",
				   owner, out->info.name, host->dtype_name(out->info.dtype));
	if ((rc = host->attr_data(&data, attr)) < 0)
		return rc;
	out->data = data;
	return NS_OK;
}

static int attrs_of(tx_attr **out, ns_object *obj, const ns_object_info *oi)
{
	size_t n = oi->n_attrs;
	tx_attr *a = host->alloc(n * sizeof *a + 1);
	if (!a)
		return host->error(NS_ENOMEM, "out of memory");
	for (size_t i = 0; i < n; i++) {
		int rc = attr_of(&a[i], host->object_attr_at(obj, i), oi->name);
		if (rc < 0) {
			host->free(a);
			return rc;
		}
	}
	*out = a;
	return NS_OK;
}

static void put_declarations(tx_out *o, const tx_attr *a, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		puts_(o, "attribute ");
		put_name(o, a[i].info.name);
		put(o, " ", 1);
		puts_(o, host->attr_kind_name(a[i].info.kind));
		put(o, " ", 1);
		puts_(o, host->scope_name(a[i].info.scope));
		put(o, " ", 1);
		puts_(o, tx_dtype_name(a[i].info.dtype));
		if (a[i].info.scope == NS_ARRAY) {
			put(o, " ", 1);
			put_u64(o, a[i].info.count);
		}
		newline(o);
	}
	for (size_t i = 0; i < n; i++) {
		if (a[i].info.scope != NS_GLOBAL)
			continue;
		put_name(o, a[i].info.name);
		puts_(o, " = ");
		put_value(o, a[i].data, a[i].info.dtype, 0);
		newline(o);
	}
	for (size_t i = 0; i < n; i++) {
		if (a[i].info.scope != NS_ARRAY)
			continue;
		puts_(o, "values ");
		put_name(o, a[i].info.name);
		newline(o);
		put_lines(o, &a[i]);
	}
}

/* A table of the attributes of @scope, @rows lines, led by the index
 * (or by the synapse's pre and post indices). */
static void put_table(tx_out *o, const tx_attr *a, size_t n, ns_scope scope, uint64_t rows,
		      const char *first, const int32_t *pre, const int32_t *post)
{
	puts_(o, "table ");
	puts_(o, first);
	for (size_t i = 0; i < n; i++)
		if (a[i].info.scope == scope) {
			put(o, " ", 1);
			put_name(o, a[i].info.name);
		}
	newline(o);
	for (uint64_t r = 0; r < rows && o->rc >= 0; r++) {
		if (pre) {
			put_i64(o, pre[r]);
			put(o, " ", 1);
			put_i64(o, post[r]);
		} else {
			put_u64(o, r);
		}
		for (size_t i = 0; i < n; i++)
			if (a[i].info.scope == scope) {
				put(o, " ", 1);
				put_value(o, a[i].data, a[i].info.dtype, r);
			}
		newline(o);
	}
}

static int put_object(tx_out *o, ns_object *obj)
{
	ns_object_info oi;
	tx_attr *a = NULL;
	size_t n_local = 0, n_semi = 0;
	uint64_t semi_rows = 0;
	int rc;

	host->object_get_info(&oi, obj);
	if ((rc = attrs_of(&a, obj, &oi)) < 0)
		return rc;
	for (size_t i = 0; i < oi.n_attrs; i++) {
		n_local += a[i].info.scope == NS_LOCAL;
		if (a[i].info.scope == NS_SEMIGLOBAL) {
			if (n_semi++ && a[i].info.count != semi_rows) {
				rc = host->error(NS_ECORRUPT,
						    "projection '%s': semiglobal "
						    "attributes of %llu and %llu values",
						    oi.name, (unsigned long long)semi_rows,
						    (unsigned long long)a[i].info.count);
				goto done;
			}
			semi_rows = a[i].info.count;
		}
	}
	newline(o);
	if (oi.kind == NS_POPULATION) {
		puts_(o, "population ");
		put_name(o, oi.name);
		puts_(o, " size ");
		put_u64(o, oi.size);
		puts_(o, " geometry ");
		for (unsigned d = 0; d < oi.ndim; d++) {
			if (d)
				put(o, "x", 1);
			put_u64(o, oi.shape[d]);
		}
		puts_(o, " type ");
		put_name(o, oi.type);
		newline(o);
		put_declarations(o, a, oi.n_attrs);
		if (n_local)
			put_table(o, a, oi.n_attrs, NS_LOCAL, oi.size, "index", NULL, NULL);
	} else {
		const int32_t *pre, *post;
		host->projection_connectivity(&pre, &post, obj);
		puts_(o, "projection ");
		put_name(o, oi.name);
		puts_(o, " pre ");
		put_name(o, oi.pre);
		puts_(o, " post ");
		put_name(o, oi.post);
		puts_(o, " target ");
		put_name(o, oi.target);
		puts_(o, " type ");
		put_name(o, oi.type);
		puts_(o, " synapses ");
		put_u64(o, oi.size);
		newline(o);
		put_declarations(o, a, oi.n_attrs);
		if (n_semi)
			put_table(o, a, oi.n_attrs, NS_SEMIGLOBAL, semi_rows, "post", NULL, NULL);
		put_table(o, a, oi.n_attrs, NS_LOCAL, oi.size, "pre post", pre, post);
	}
	rc = o->rc;
done:
	host->free(a);
	return rc;
}

int tx_export(ns_ostream *out, const ns_network *net, const ns_plugin_args *args)
{
	tx_out o = {out, NULL, 0, 0, 0};
	double t, dt = host->network_dt(net);
	uint64_t step;
	size_t n_meta = host->network_meta_count(net);
	size_t n_objs = host->network_object_count(net);
	size_t n_arrays = host->network_attr_count(net);
	char b[32];
	int rc, version = n_arrays ? 2 : 1;

	/* Version 2 only for a file that needs it. */
	for (size_t i = 0; version < 2 && i < n_objs; i++) {
		ns_object *obj = host->network_object_at(net, i);
		for (size_t k = 0; version < 2 && k < host->object_attr_count(obj); k++) {
			ns_attr_info ai;
			host->attr_get_info(&ai, host->object_attr_at(obj, k));
			if (ai.scope == NS_ARRAY)
				version = 2;
		}
	}
	host->network_time(net, &t, &step);
	snprintf(b, sizeof b, "%s%d", TX_MAGIC, version);
	puts_(&o, b);
	newline(&o);
	puts_(&o, "network ");
	put_name(&o, host->network_name(net));
	newline(&o);
	puts_(&o, "time ");
	put_f64(&o, t);
	newline(&o);
	puts_(&o, "step ");
	put_u64(&o, step);
	newline(&o);
	puts_(&o, "dt ");
	put_f64(&o, dt);
	newline(&o);
	for (size_t i = 0; i < n_meta; i++) {
		const char *key, *string;
		double number;
		if ((rc = host->network_meta_at(&key, &string, &number, net, i)) < 0)
			goto done;
		puts_(&o, "meta ");
		put_name(&o, key);
		puts_(&o, " = ");
		if (string)
			put_quoted(&o, string);
		else
			put_f64(&o, number);
		newline(&o);
	}
	for (size_t i = 0; i < n_arrays; i++) {
		tx_attr a;
		if ((rc = attr_of(&a, host->network_attr_at(net, i), "network")) < 0)
			goto done;
		puts_(&o, "array ");
		put_name(&o, a.info.name);
		put(&o, " ", 1);
		puts_(&o, host->attr_kind_name(a.info.kind));
		put(&o, " ", 1);
		puts_(&o, tx_dtype_name(a.info.dtype));
		put(&o, " ", 1);
		put_u64(&o, a.info.count);
		newline(&o);
		put_lines(&o, &a);
	}
	for (size_t i = 0; i < n_objs; i++)
		if ((rc = put_object(&o, host->network_object_at(net, i))) < 0)
			goto done;
	newline(&o);
	puts_(&o, "end");
	newline(&o);
	if ((rc = o.rc) < 0 || (o.n && (rc = host->write(out, o.p, o.n)) < 0))
		goto done;
	if (args && args->verbose)
		host->log(NS_LOG_INFO,
			  "file '%s': %zu objects, %zu dictionary entries, %zu network-wide "
			  "arrays",
			  args->path ? args->path : "(stream)", n_objs, n_meta, n_arrays);
done:
	host->free(o.p);
	return rc;
}
