/* SPDX-License-Identifier: MIT */
/* NumPy's .npy: the header (magic "\x93NUMPY", version 1.0, 2.0 or 3.0,
 * then a Python dict literal {'descr': ..., 'fortran_order': ...,
 * 'shape': (...)}) parsed by a small reader of exactly those literals
 * (nothing is evaluated), and the data after it: numbers of any byte order
 * and C or Fortran order become numpy-array values as the pickle reader
 * makes them; strings ('<U') become str values; object arrays ('|O') are a
 * pickle, read by the pickle plugin's safe reader. */
#include "npz.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NPY_MAGIC "\x93NUMPY"

typedef struct npy_head {
	char descr[32];
	int fortran;
	unsigned ndim;
	uint64_t shape[8];
	uint64_t count;
	int have_descr, have_fortran, have_shape;
} npy_head;

typedef struct lex {
	const char *p, *end;
} lex;

static void skip_ws(lex *l)
{
	while (l->p < l->end && (*l->p == ' ' || *l->p == '\t' || *l->p == '\n' || *l->p == '\r'))
		l->p++;
}

static int eat(lex *l, char c)
{
	skip_ws(l);
	if (l->p < l->end && *l->p == c) {
		l->p++;
		return 1;
	}
	return 0;
}

/* A quoted string without escapes (numpy writes none in these keys). */
static int lex_str(lex *l, char *out, size_t size)
{
	char q;
	size_t n = 0;
	skip_ws(l);
	if (l->p >= l->end || (*l->p != '\'' && *l->p != '"'))
		return 0;
	q = *l->p++;
	while (l->p < l->end && *l->p != q) {
		if (*l->p == '\\' || n + 1 >= size)
			return 0;
		out[n++] = *l->p++;
	}
	if (l->p >= l->end)
		return 0;
	l->p++;
	out[n] = '\0';
	return 1;
}

static int lex_word(lex *l, const char *w)
{
	size_t n = strlen(w);
	skip_ws(l);
	if ((size_t)(l->end - l->p) >= n && memcmp(l->p, w, n) == 0) {
		l->p += n;
		return 1;
	}
	return 0;
}

/* (), (n,), (n, m, ...), an optional comma at the end. */
static int lex_shape(lex *l, npy_head *h)
{
	h->ndim = 0;
	h->count = 1;
	if (!eat(l, '('))
		return 0;
	for (;;) {
		uint64_t x = 0;
		int digits = 0;
		if (eat(l, ')'))
			return 1;
		skip_ws(l);
		while (l->p < l->end && *l->p >= '0' && *l->p <= '9') {
			if (x > (UINT64_MAX - 9) / 10)
				return 0;
			x = x * 10 + (uint64_t)(*l->p++ - '0');
			digits++;
		}
		if (!digits || h->ndim >= 8)
			return 0;
		if (l->p < l->end && *l->p == 'L') /* Python 2's longs */
			l->p++;
		h->shape[h->ndim++] = x;
		if (x && h->count > UINT64_MAX / x)
			return 0;
		h->count *= x;
		if (!eat(l, ',')) {
			if (eat(l, ')'))
				return 1;
			return 0;
		}
	}
}

static int parse_head(npy_head *h, const char *text, size_t n)
{
	lex l = { text, text + n };
	memset(h, 0, sizeof *h);
	if (!eat(&l, '{'))
		return 0;
	for (;;) {
		char key[32];
		if (eat(&l, '}'))
			break;
		if (!lex_str(&l, key, sizeof key) || !eat(&l, ':'))
			return 0;
		if (strcmp(key, "descr") == 0 && !h->have_descr) {
			if (!lex_str(&l, h->descr, sizeof h->descr))
				return 0;
			h->have_descr = 1;
		} else if (strcmp(key, "fortran_order") == 0 && !h->have_fortran) {
			if (lex_word(&l, "True"))
				h->fortran = 1;
			else if (!lex_word(&l, "False"))
				return 0;
			h->have_fortran = 1;
		} else if (strcmp(key, "shape") == 0 && !h->have_shape) {
			if (!lex_shape(&l, h))
				return 0;
			h->have_shape = 1;
		} else {
			return 0;
		}
		if (!eat(&l, ',')) {
			if (eat(&l, '}'))
				break;
			return 0;
		}
	}
	skip_ws(&l);
	return l.p == l.end && h->have_descr && h->have_fortran && h->have_shape;
}

/* A member's error. */
static int merr(const npz_member *m, int code, const char *what)
{
	return host->error(code, "file '%s': member '%s': %s", m->path, m->name, what);
}

/* UCS-4 (byte order @big) to UTF-8, up to the first NUL. */
static int ucs4_str(pk_reader *r, pv **out, const unsigned char *p, size_t chars, int big,
		    const npz_member *m)
{
	pv *v = pk_pv_new(r, PV_STR);
	size_t k = 0;
	if (!v || !(v->s = pk_alloc(r, chars * 4 + 1)))
		return merr(m, NS_ENOMEM, "out of memory");
	for (size_t i = 0; i < chars; i++, p += 4) {
		uint32_t c = big ? (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
			(uint32_t)p[2] << 8 | p[3] : (uint32_t)p[3] << 24 |
			(uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
		if (!c)
			break;
		if (c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
			return merr(m, NS_EFORMAT, "a string that is not Unicode");
		if (c < 0x80) {
			v->s[k++] = (char)c;
		} else if (c < 0x800) {
			v->s[k++] = (char)(0xc0 | c >> 6);
			v->s[k++] = (char)(0x80 | (c & 0x3f));
		} else if (c < 0x10000) {
			v->s[k++] = (char)(0xe0 | c >> 12);
			v->s[k++] = (char)(0x80 | ((c >> 6) & 0x3f));
			v->s[k++] = (char)(0x80 | (c & 0x3f));
		} else {
			v->s[k++] = (char)(0xf0 | c >> 18);
			v->s[k++] = (char)(0x80 | ((c >> 12) & 0x3f));
			v->s[k++] = (char)(0x80 | ((c >> 6) & 0x3f));
			v->s[k++] = (char)(0x80 | (c & 0x3f));
		}
	}
	v->s[k] = '\0';
	v->n = k;
	*out = v;
	return NS_OK;
}

static int strings(pk_reader *r, pv **out, const npy_head *h, char order, unsigned chars,
		   const unsigned char *data, size_t n, const npz_member *m)
{
	size_t each = (size_t)chars * 4;
	pv *list;
	int rc;
	if (h->ndim > 1)
		return merr(m, NS_EUNSUPPORTED, "an array of strings of more than one dimension");
	if (chars && h->count > SIZE_MAX / each)
		return merr(m, NS_EFORMAT, "an array too large");
	if (n != (size_t)h->count * each)
		return merr(m, NS_EFORMAT, "the data's size differs from the header's shape");
	if (h->ndim == 0)
		return ucs4_str(r, out, data, chars, order == '>', m);
	if (!(list = pk_pv_new(r, PV_LIST)) ||
	    (h->count && !(list->items = pk_alloc(r, (size_t)h->count * sizeof *list->items))))
		return merr(m, NS_ENOMEM, "out of memory");
	for (size_t i = 0; i < h->count; i++) {
		if ((rc = ucs4_str(r, &list->items[i], data + i * each, chars, order == '>', m)) < 0)
			return rc;
		list->len = list->cap = i + 1;
	}
	*out = list;
	return NS_OK;
}

/* The pickle of an object array: its one item when it is 0-d (what
 * np.save makes of a dict), else the array. */
static int objects(npz_ctx *c, pv **out, const unsigned char *data, size_t n,
		   const npz_member *m)
{
	pk_reader *r = NULL;
	pv *root;
	char *where;
	int rc;
	size_t len = strlen(m->path) + strlen(m->name) + 16;
	if (!(where = host->alloc(len)))
		return merr(m, NS_ENOMEM, "out of memory");
	/* the pickle reader's messages say "file '<where>': byte N: ..." */
	snprintf(where, len, "%s', member '%s", m->path, m->name);
	if ((rc = npz_keep(c, NULL, where)) < 0) {
		host->free(where);
		return rc;
	}
	if ((rc = pk_read(&r, &root, data, n, where, &c->budget)) < 0)
		return rc;
	if ((rc = npz_keep(c, r, NULL)) < 0) {
		pk_reader_free(r);
		return rc;
	}
	if (root->t == PV_ARRAY && root->dtype->kind == 'O' && root->ndim == 0 && root->len == 1)
		root = root->items[0];
	*out = root;
	return NS_OK;
}

int npy_value(npz_ctx *c, pv **out, const unsigned char *data, size_t n, const npz_member *m)
{
	npy_head h;
	size_t hlen, start;
	const char *d;
	char order = '|', kind;
	long size = 0;
	char *end;
	pv *dt, *a, raw;
	int rc;

	if (n < 10 || memcmp(data, NPY_MAGIC, 6) != 0)
		return merr(m, NS_EFORMAT, "not a .npy array (no \\x93NUMPY magic)");
	if (data[7] != 0 || data[6] < 1 || data[6] > 3) {
		char msg[64];
		snprintf(msg, sizeof msg, ".npy format version %u.%u (1.0 to 3.0 are read)",
			 data[6], data[7]);
		return merr(m, NS_EUNSUPPORTED, msg);
	}
	if (data[6] == 1) {
		hlen = (size_t)data[8] | (size_t)data[9] << 8;
		start = 10;
	} else {
		if (n < 12)
			return merr(m, NS_EFORMAT, "a truncated .npy header");
		hlen = (size_t)data[8] | (size_t)data[9] << 8 | (size_t)data[10] << 16 |
		       (size_t)data[11] << 24;
		start = 12;
	}
	if (hlen > n - start)
		return merr(m, NS_EFORMAT, "a truncated .npy header");
	if (!parse_head(&h, (const char *)data + start, hlen))
		return merr(m, NS_EFORMAT, "a .npy header that is not {'descr': str, "
			    "'fortran_order': bool, 'shape': tuple of ints}");
	data += start + hlen;
	n -= start + hlen;

	d = h.descr;
	if (*d == '<' || *d == '>' || *d == '|' || *d == '=')
		order = *d++;
	kind = *d;
	if (kind && d[1]) {
		size = strtol(d + 1, &end, 10);
		if (*end || size <= 0 || size > 1 << 20)
			size = -1;
	}
	if (kind == 'O' && size == 0)
		return objects(c, out, data, n, m);
	if (kind == 'U' && size > 0)
		return strings(c->pool, out, &h, order, (unsigned)size, data, n, m);
	if (kind == '?' && !d[1]) {
		kind = 'b';
		size = 1;
	}
	if (!((kind == 'f' && (size == 4 || size == 8)) ||
	      ((kind == 'i' || kind == 'u') && (size == 1 || size == 2 || size == 4 ||
						 size == 8)) ||
	      (kind == 'b' && size == 1))) {
		char msg[96];
		snprintf(msg, sizeof msg, "numpy dtype '%s' (numbers, bool, str and objects are "
			 "read)", h.descr);
		return merr(m, NS_EUNSUPPORTED, msg);
	}
	if (h.count > SIZE_MAX / (size_t)size || n != (size_t)h.count * (size_t)size)
		return merr(m, NS_EFORMAT, "the data's size differs from the header's shape");
	if (!(dt = pk_pv_new(c->pool, PV_DTYPE)) || !(a = pk_pv_new(c->pool, PV_ARRAY)))
		return merr(m, NS_ENOMEM, "out of memory");
	dt->kind = kind;
	dt->itemsize = (unsigned)size;
	dt->order = size == 1 ? '|' : order == '>' ? '>' : '<';
	a->dtype = dt;
	if ((rc = pk_array_shape(c->pool, a, h.shape, h.ndim)) < 0)
		return rc;
	memset(&raw, 0, sizeof raw);
	raw.t = PV_BYTES;
	raw.s = (char *)(uintptr_t)data;
	raw.n = n;
	if ((rc = pk_array_fill(c->pool, a, &raw, h.fortran, 0)) < 0)
		return rc;
	*out = a;
	return NS_OK;
}

int npy_header(unsigned char *out, size_t size, size_t *len, const char *descr,
	       const uint64_t *shape, unsigned ndim)
{
	char dict[256], dims[128] = "";
	size_t k = 0, total;
	int n;
	for (unsigned i = 0; i < ndim; i++)
		k += (size_t)snprintf(dims + k, sizeof dims - k, "%llu%s",
				      (unsigned long long)shape[i], ndim == 1 ? "," :
				      i + 1 < ndim ? ", " : "");
	n = snprintf(dict, sizeof dict, "{'descr': '%s', 'fortran_order': False, 'shape': (%s), }",
		     descr, dims);
	/* numpy pads to 64 bytes with spaces, then a newline */
	total = ((10 + (size_t)n + 1 + 63) / 64) * 64;
	if (n < 0 || total > size)
		return host->error(NS_EINVAL, "a .npy header too long");
	memcpy(out, NPY_MAGIC "\x01\x00", 8);
	out[8] = (unsigned char)((total - 10) & 0xff);
	out[9] = (unsigned char)((total - 10) >> 8);
	memcpy(out + 10, dict, (size_t)n);
	memset(out + 10 + n, ' ', total - 10 - (size_t)n - 1);
	out[total - 1] = '\n';
	*len = total;
	return NS_OK;
}
