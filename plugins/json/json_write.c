/* SPDX-License-Identifier: MIT */
/* Export: a version's global parameters, dictionary and constants as
 * Python's json.dump(indent=4) writes them (see json.c). */
#include "json.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct js_out {
	char *p;
	size_t n, cap;
	int failed;
} js_out;

static void put(js_out *o, const char *s, size_t n)
{
	if (o->failed)
		return;
	if (o->n + n > o->cap) {
		size_t cap = o->cap ? o->cap : 4096;
		char *p;
		while (cap < o->n + n)
			cap *= 2;
		if (!(p = host->realloc(o->p, cap))) {
			o->failed = host->error(NS_ENOMEM, "out of memory");
			return;
		}
		o->p = p;
		o->cap = cap;
	}
	memcpy(o->p + o->n, s, n);
	o->n += n;
}

static void puts_(js_out *o, const char *s)
{
	put(o, s, strlen(s));
}

static void indent(js_out *o, int level)
{
	put(o, "\n", 1);
	for (int i = 0; i < level; i++)
		put(o, "    ", 4);
}

/* The code point of the UTF-8 sequence at @s (of @n bytes left) and its
 * length; -1 for a byte that begins no valid sequence. */
static long utf8_decode(const unsigned char *s, size_t n, size_t *len)
{
	static const long min[] = { 0, 0, 0x80, 0x800, 0x10000 };
	long cp;
	size_t k;
	if (s[0] < 0x80) {
		*len = 1;
		return s[0];
	}
	if (s[0] >= 0xc0 && s[0] < 0xe0) {
		k = 2;
		cp = s[0] & 0x1f;
	} else if (s[0] >= 0xe0 && s[0] < 0xf0) {
		k = 3;
		cp = s[0] & 0x0f;
	} else if (s[0] >= 0xf0 && s[0] < 0xf5) {
		k = 4;
		cp = s[0] & 0x07;
	} else {
		return -1;
	}
	if (k > n)
		return -1;
	for (size_t i = 1; i < k; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return -1;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if (cp < min[k] || cp > 0x10ffff || (cp >= 0xd800 && cp < 0xe000))
		return -1;
	*len = k;
	return cp;
}

/* A JSON string as Python's json writes it with ensure_ascii: every
 * non-ASCII character as \uXXXX (surrogate pairs above U+FFFF). The engine
 * takes only UTF-8 names and texts; bytes that are not UTF-8 (in a store
 * written before it checked) become U+FFFD: JSON text must be Unicode. */
static void put_string(js_out *o, const char *str)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t n = strlen(str), len;
	char esc[32];
	put(o, "\"", 1);
	for (size_t i = 0; i < n; i += len) {
		long cp = utf8_decode(s + i, n - i, &len);
		if (cp < 0) {
			cp = 0xfffd;
			len = 1;
		}
		switch (cp) {
		case '"': puts_(o, "\\\""); continue;
		case '\\': puts_(o, "\\\\"); continue;
		case '\n': puts_(o, "\\n"); continue;
		case '\r': puts_(o, "\\r"); continue;
		case '\t': puts_(o, "\\t"); continue;
		case '\b': puts_(o, "\\b"); continue;
		case '\f': puts_(o, "\\f"); continue;
		default: break;
		}
		if (cp >= 0x20 && cp < 0x7f) {
			char c = (char)cp;
			put(o, &c, 1);
		} else if (cp < 0x10000) {
			snprintf(esc, sizeof esc, "\\u%04lx", cp);
			puts_(o, esc);
		} else {
			cp -= 0x10000;
			snprintf(esc, sizeof esc, "\\u%04lx\\u%04lx", 0xd800 + (cp >> 10),
				 0xdc00 + (cp & 0x3ff));
			puts_(o, esc);
		}
	}
	put(o, "\"", 1);
}

/* @v as Python's repr(float): the shortest digits that read back as @v,
 * in fixed notation with at least one decimal when its exponent is in
 * [-4, 16), else as 1.5e-05; NaN and Infinity as Python's json writes them.
 * Digits are taken from printf and checked with strtod, both in the same
 * locale; the decimal point is written here, so a locale's comma never
 * leaks into the file. */
static void put_float(js_out *o, double v)
{
	char e[40], digits[24], out[64];
	size_t nd = 0, k = 0;
	int exp10, prec;
	const char *s;

	if (isnan(v)) {
		puts_(o, "NaN");
		return;
	}
	if (isinf(v)) {
		puts_(o, v < 0 ? "-Infinity" : "Infinity");
		return;
	}
	if (v == 0) {
		puts_(o, signbit(v) ? "-0.0" : "0.0");
		return;
	}
	for (prec = 1; prec < 17; prec++) {
		snprintf(e, sizeof e, "%.*e", prec - 1, v);
		if (strtod(e, NULL) == v)
			break;
	}
	snprintf(e, sizeof e, "%.*e", prec - 1, v);
	for (s = e; *s && *s != 'e'; s++)
		if (*s >= '0' && *s <= '9')
			digits[nd++] = *s;
	exp10 = atoi(s + 1);
	while (nd > 1 && digits[nd - 1] == '0')
		nd--;

	if (v < 0)
		out[k++] = '-';
	if (exp10 < -4 || exp10 >= 16) {
		out[k++] = digits[0];
		if (nd > 1) {
			out[k++] = '.';
			memcpy(out + k, digits + 1, nd - 1);
			k += nd - 1;
		}
		k += (size_t)snprintf(out + k, sizeof out - k, "e%c%02d", exp10 < 0 ? '-' : '+',
				      exp10 < 0 ? -exp10 : exp10);
	} else if (exp10 < 0) {
		out[k++] = '0';
		out[k++] = '.';
		for (int i = -1; i > exp10; i--)
			out[k++] = '0';
		memcpy(out + k, digits, nd);
		k += nd;
	} else {
		for (int i = 0; i <= exp10; i++)
			out[k++] = (size_t)i < nd ? digits[i] : '0';
		out[k++] = '.';
		if (nd > (size_t)exp10 + 1) {
			memcpy(out + k, digits + exp10 + 1, nd - (size_t)exp10 - 1);
			k += nd - (size_t)exp10 - 1;
		} else {
			out[k++] = '0';
		}
	}
	put(o, out, k);
}

static void put_int(js_out *o, long long v)
{
	char b[32];
	snprintf(b, sizeof b, "%lld", v);
	puts_(o, b);
}

/* One global parameter's value, as the Python type ANNarchy would hold:
 * integers for integer types, true/false for bool, floats otherwise. */
static int put_value(js_out *o, ns_attr *attr, ns_dtype dtype)
{
	int rc;
	switch (dtype) {
	case NS_DTYPE_BOOL: {
		uint8_t b;
		if ((rc = host->attr_read(&b, NS_DTYPE_BOOL, attr)) < 0)
			return rc;
		puts_(o, b ? "true" : "false");
		return NS_OK;
	}
	case NS_DTYPE_I64:
	case NS_DTYPE_I32:
	case NS_DTYPE_U8: {
		int64_t i;
		if ((rc = host->attr_read(&i, NS_DTYPE_I64, attr)) < 0)
			return rc;
		put_int(o, (long long)i);
		return NS_OK;
	}
	default: {
		double d;
		if ((rc = host->attr_read(&d, NS_DTYPE_F64, attr)) < 0)
			return rc;
		put_float(o, d);
		return NS_OK;
	}
	}
}

/* The objects of @kind as "<name>": {<global parameters>}, in network
 * order; every object appears, with {} when it has none (as ANNarchy). */
static int put_objects(js_out *o, const ns_network *net, ns_object_kind kind, size_t *n_params)
{
	size_t n_objs = 0;
	for (size_t i = 0; i < host->network_object_count(net); i++) {
		ns_object *obj = host->network_object_at(net, i);
		ns_object_info oi;
		size_t n_attrs = 0;
		host->object_get_info(&oi, obj);
		if (oi.kind != kind)
			continue;
		put(o, n_objs++ ? "," : "{", 1);
		indent(o, 2);
		put_string(o, oi.name);
		puts_(o, ": ");
		for (size_t a = 0; a < host->object_attr_count(obj); a++) {
			ns_attr *attr = host->object_attr_at(obj, a);
			ns_attr_info ai;
			int rc;
			host->attr_get_info(&ai, attr);
			if (ai.kind != NS_PARAMETER || ai.scope != NS_GLOBAL || ai.count != 1)
				continue;
			put(o, n_attrs++ ? "," : "{", 1);
			indent(o, 3);
			put_string(o, ai.name);
			puts_(o, ": ");
			if ((rc = put_value(o, attr, ai.dtype)) < 0)
				return rc;
			(*n_params)++;
		}
		if (n_attrs)
			indent(o, 2);
		else
			put(o, "{", 1);
		put(o, "}", 1);
	}
	if (n_objs)
		indent(o, 1);
	else
		put(o, "{", 1);
	put(o, "}", 1);
	return o->failed;
}

/* Whether network-wide array @attr is a constant: a parameter of one value. */
static int is_constant(ns_attr *attr, ns_attr_info *ai)
{
	host->attr_get_info(ai, attr);
	return ai->kind == NS_PARAMETER && ai->count == 1;
}

/* The network's constants as ,\n    "constants": {...}; nothing when it
 * has none. */
static int put_constants(js_out *o, const ns_network *net, size_t *n_params)
{
	size_t n = 0;
	ns_attr_info ai;
	for (size_t i = 0; i < host->network_attr_count(net); i++) {
		ns_attr *attr = host->network_attr_at(net, i);
		int rc;
		if (!is_constant(attr, &ai))
			continue;
		if (n++ == 0) {
			puts_(o, ",");
			indent(o, 1);
			puts_(o, "\"constants\": {");
		} else {
			puts_(o, ",");
		}
		indent(o, 2);
		put_string(o, ai.name);
		puts_(o, ": ");
		if ((rc = put_value(o, attr, ai.dtype)) < 0)
			return rc;
		(*n_params)++;
	}
	if (n) {
		indent(o, 1);
		put(o, "}", 1);
	}
	return o->failed;
}

/* The dictionary. A number is stored as a double, whether the file said
 * 5 or 5.0: integral values (exact in a double) are written as integers,
 * since Python code uses such entries as counts and indices, where a
 * float fails and an int serves where a float was meant. */
static int put_dictionary(js_out *o, const ns_network *net)
{
	size_t n = host->network_meta_count(net);
	for (size_t i = 0; i < n; i++) {
		const char *key, *string;
		double number;
		int rc;
		if ((rc = host->network_meta_at(&key, &string, &number, net, i)) < 0)
			return rc;
		put(o, i ? "," : "{", 1);
		indent(o, 2);
		put_string(o, key);
		puts_(o, ": ");
		if (string)
			put_string(o, string);
		else if (number == floor(number) && fabs(number) <= 9007199254740992.0 &&
			 !(number == 0 && signbit(number)))
			put_int(o, (long long)number);
		else
			put_float(o, number);
	}
	if (n)
		indent(o, 1);
	else
		put(o, "{", 1);
	put(o, "}", 1);
	return o->failed;
}

int js_export(ns_ostream *out, const ns_network *net, const ns_plugin_args *args)
{
	js_out o = { NULL, 0, 0, 0 };
	size_t n_params = 0;
	int rc;

	puts_(&o, "{");
	indent(&o, 1);
	puts_(&o, "\"populations\": ");
	if ((rc = put_objects(&o, net, NS_POPULATION, &n_params)) < 0)
		goto done;
	puts_(&o, ",");
	indent(&o, 1);
	puts_(&o, "\"projections\": ");
	if ((rc = put_objects(&o, net, NS_PROJECTION, &n_params)) < 0)
		goto done;
	puts_(&o, ",");
	indent(&o, 1);
	puts_(&o, "\"network\": ");
	if ((rc = put_dictionary(&o, net)) < 0 || (rc = put_constants(&o, net, &n_params)) < 0)
		goto done;
	puts_(&o, "\n}");
	if ((rc = o.failed) < 0 || (rc = host->write(out, o.p, o.n)) < 0)
		goto done;
	if (args && args->verbose)
		host->log(NS_LOG_INFO, "file '%s': %zu global parameters, %zu dictionary entries",
			  path_of(args), n_params, host->network_meta_count(net));
	/* Like local variables, arrays of more than one value have no place in
	 * a parameter file; the network's own are said, as no object shows them. */
	if (args && args->verbose) {
		size_t left = 0;
		ns_attr_info ai;
		for (size_t i = 0; i < host->network_attr_count(net); i++)
			left += !is_constant(host->network_attr_at(net, i), &ai);
		if (left)
			host->log(NS_LOG_INFO, "file '%s': %zu network-wide arrays not written (a "
				  "parameter file holds global parameters and constants only)",
				  path_of(args), left);
	}
done:
	host->free(o.p);
	return rc;
}

