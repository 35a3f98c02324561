/* SPDX-License-Identifier: MIT */
/* A safe pickle reader: runs the pickle machine of protocols 0 to 5 over
 * a stream or a buffer, building plain values (pickle.h). It never imports
 * or calls anything: GLOBAL and STACK_GLOBAL resolve only an allow-list
 * (numpy's array reconstructors, numpy.dtype, OrderedDict, the latin-1
 * codec of protocol 2 bytes), and REDUCE and BUILD apply only those.
 *
 * Memory: a stream is read as it is parsed, through a window that grows
 * only as bytes arrive (input.c), so a declared length allocates nothing
 * the file does not hold; reading stops at STOP (a few bytes after it are let be,
 * more are refused unread: a gzip of a pickle and gigabytes of zeros is not
 * inflated); every allocation is charged to the import's budget, which
 * refuses a file whose values need more than a small multiple of its size
 * (pool.c, pickle.h); None, the bools and the ints below PK_INTS are shared, so a
 * file of numbers costs a value only per float or large int; nesting and
 * the memo are bounded. */
#include "reader.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Nesting of marks and containers: ANNarchy's files nest 5 deep. */
#define PK_MAX_DEPTH 256
/* Memo slots above the values the file could have made are refused. */
#define PK_MEMO_SLACK 1024
/* Bytes after STOP that are let be (padding); more are refused. */
#define PK_TRAILING_MAX 4096

/* ------------------------------------------------------------------ stack */

int pk_push(pk_reader *r, pv *v)
{
	if (!v || pk_grow(r, (void **)&r->stack, &r->scap, r->sp + 1, sizeof *r->stack) < 0)
		return pk_oom(r);
	r->stack[r->sp++] = v;
	return NS_OK;
}

static int pop(pk_reader *r, pv **out)
{
	size_t floor = r->nmarks ? r->marks[r->nmarks - 1] : 0;
	if (r->sp <= floor)
		return pk_fail(r, NS_EFORMAT, "stack underflow (opcode 0x%02x)", r->opc);
	*out = r->stack[--r->sp];
	return NS_OK;
}

static int top(pk_reader *r, pv **out)
{
	size_t floor = r->nmarks ? r->marks[r->nmarks - 1] : 0;
	if (r->sp <= floor)
		return pk_fail(r, NS_EFORMAT, "stack underflow (opcode 0x%02x)", r->opc);
	*out = r->stack[r->sp - 1];
	return NS_OK;
}

/* The items above the last mark, popped with it: *first, *count. */
static int pop_mark(pk_reader *r, size_t *first, size_t *count)
{
	if (!r->nmarks)
		return pk_fail(r, NS_EFORMAT, "no mark on the stack (opcode 0x%02x)", r->opc);
	*first = r->marks[--r->nmarks];
	*count = r->sp - *first;
	r->sp = *first;
	return NS_OK;
}

/* Add @child into @parent (a container), with the nesting bounded. */
static int add_item(pk_reader *r, pv *parent, pv *child)
{
	if (pk_grow(r, (void **)&parent->items, &parent->cap, parent->len + 1,
		 sizeof *parent->items) < 0)
		return pk_oom(r);
	parent->items[parent->len++] = child;
	if (child->depth + 1 > parent->depth)
		parent->depth = (unsigned short)(child->depth + 1);
	if (parent->depth > PK_MAX_DEPTH)
		return pk_fail(r, NS_EFORMAT, "values nested more than %d deep", PK_MAX_DEPTH);
	return NS_OK;
}

static int make_seq(pk_reader *r, pv_type t, size_t first, size_t count)
{
	pv *v = pk_pv_new(r, t);
	int rc;
	if (!v || pk_grow(r, (void **)&v->items, &v->cap, count, sizeof *v->items) < 0)
		return pk_oom(r);
	for (size_t i = 0; i < count; i++)
		if ((rc = add_item(r, v, r->stack[first + i])) < 0)
			return rc;
	return pk_push(r, v);
}

static int push_owned(pk_reader *r, pv_type t, char *s, size_t len)
{
	pv *v = pk_pv_new(r, t);
	if (!v) {
		host->free(s);
		return pk_oom(r);
	}
	v->s = s;
	v->n = len;
	return pk_push(r, v);
}

int pk_push_bytes(pk_reader *r, pv_type t, const unsigned char *b, size_t len)
{
	char *s = pk_alloc(r, len + 1);
	if (!s)
		return pk_oom(r);
	memcpy(s, b, len);
	s[len] = '\0';
	return push_owned(r, t, s, len);
}

static int push_sized(pk_reader *r, pv_type t, unsigned size)
{
	char *s = NULL;
	uint64_t len;
	int rc;
	if ((rc = pk_take_uint(r, &len, size)) < 0 || (rc = pk_take_copy(r, &s, len)) < 0)
		return rc;
	return push_owned(r, t, s, (size_t)len);
}

int pk_push_int(pk_reader *r, pv_type t, int64_t i)
{
	pv *v;
	if (t == PV_BOOL)
		return pk_push(r, pk_shared(r, &r->bools[i != 0], PV_BOOL, i != 0));
	if (t == PV_INT && i >= 0 && i < PK_INTS) {
		if (!r->ints) {
			if (!(r->ints = pk_alloc(r, PK_INTS * sizeof *r->ints)))
				return pk_oom(r);
			memset(r->ints, 0, PK_INTS * sizeof *r->ints);
		}
		return pk_push(r, pk_shared(r, &r->ints[i], PV_INT, i));
	}
	if (!(v = pk_pv_new(r, t)))
		return pk_oom(r);
	v->i = i;
	return pk_push(r, v);
}

static int push_float(pk_reader *r, pv_type t, double f)
{
	pv *v = pk_pv_new(r, t);
	if (!v)
		return pk_oom(r);
	v->f = f;
	return pk_push(r, v);
}

/* LONG1 / LONG4: little-endian two's complement of any length; one beyond
 * int64 is kept as such (the layout refuses it by name where it is used). */
static int push_long(pk_reader *r, unsigned size)
{
	const unsigned char *b = NULL;
	uint64_t len, u = 0;
	int neg, rc;
	if ((rc = pk_take_uint(r, &len, size)) < 0)
		return rc;
	if (len > SIZE_MAX || (rc = pk_take(r, &b, (size_t)len)) < 0)
		return len > SIZE_MAX ? pk_truncated(r, len, r->n - r->pos) : rc;
	neg = len && (b[len - 1] & 0x80);
	/* bytes beyond the eighth that only extend the sign fit int64 */
	while (len > 8 && b[len - 1] == (neg ? 0xff : 0) && ((b[len - 2] & 0x80) != 0) == neg)
		len--;
	if (len > 8) {
		double f = 0; /* the magnitude, about: a negative one's complement + 1 */
		for (size_t k = len; k > 0; k--)
			f = f * 256 + (neg ? 0xff - b[k - 1] : b[k - 1]);
		return push_float(r, PV_BIGINT, neg ? -(f + 1) : f);
	}
	for (size_t k = len; k > 0; k--)
		u = (u << 8) | b[k - 1];
	if (len && len < 8 && neg)
		u |= ~(uint64_t)0 << (8 * len);
	return pk_push_int(r, PV_INT, (int64_t)u);
}

/* ------------------------------------------------------------------ memo */

static int memo_put(pk_reader *r, uint64_t idx, pv *v)
{
	if (idx >= r->npool + PK_MEMO_SLACK)
		return pk_fail(r, NS_EFORMAT, "memo index %llu out of range",
			       (unsigned long long)idx);
	if (idx >= r->nmemo) {
		size_t cap = r->nmemo;
		if (pk_grow(r, (void **)&r->memo, &cap, (size_t)idx + 1, sizeof *r->memo) < 0)
			return pk_oom(r);
		memset(r->memo + r->nmemo, 0, (cap - r->nmemo) * sizeof *r->memo);
		r->nmemo = cap;
	}
	r->memo[idx] = v;
	v->memoized = 1;
	return NS_OK;
}

static int memo_get(pk_reader *r, uint64_t idx)
{
	if (idx >= r->nmemo || !r->memo[idx])
		return pk_fail(r, NS_EFORMAT, "memo index %llu not set", (unsigned long long)idx);
	return pk_push(r, r->memo[idx]);
}

/* ----------------------------------------------------------- packed lists */

/* The packed type @items all have: 0 f64, 1 i64, -1 none. */
static int packed_kind(pv *const *items, size_t count)
{
	int kind = count && items[0]->t == PV_FLOAT ? 0 : count && items[0]->t == PV_INT ? 1 : -1;
	for (size_t k = 0; k < count && kind >= 0; k++)
		if (items[k]->t != (kind ? PV_INT : PV_FLOAT))
			kind = -1;
	return kind;
}

/* The elements a packed list of @count has room for: doubling. */
static size_t packed_room(uint64_t count)
{
	size_t room = 2;
	while (room < count)
		room *= 2;
	return room;
}

/* The dtype of packed lists of @kind, made when first needed. */
static pv *packed_dtype(pk_reader *r, int kind)
{
	pv *d = r->packed[kind];
	if (!d && (d = pk_pv_new(r, PV_DTYPE))) {
		d->kind = kind ? 'i' : 'f';
		d->order = '<';
		d->itemsize = 8;
		r->packed[kind] = d;
	}
	return d;
}

/* Append @count numbers of @kind to packed list @v (or make empty list @v
 * a packed one), giving back to the pool what it can. */
static int pack(pk_reader *r, pv *v, int kind, pv *const *items, size_t count)
{
	uint64_t n = v->t == PV_ARRAY ? v->count : 0;
	size_t had = n ? packed_room(n) : 0, room = packed_room(n + count);
	char *s = v->s;
	if (!n) {
		pv *d = packed_dtype(r, kind);
		if (!d || !(v->shape = pk_alloc(r, sizeof *v->shape)))
			return pk_oom(r);
		host->free(v->items); /* an empty list's room, if any */
		v->items = NULL;
		s = NULL;
		v->t = PV_ARRAY;
		v->kind = 'l';
		v->dtype = d;
		v->ndim = 1;
		v->ready = 1;
	}
	if (room > had && !(s = pk_realloc(r, s, had * 8, room * 8)))
		return pk_oom(r);
	v->s = s;
	for (size_t k = 0; k < count; k++) {
		if (kind)
			memcpy(s + 8 * (n + k), &items[k]->i, 8);
		else
			memcpy(s + 8 * (n + k), &items[k]->f, 8);
	}
	v->count = v->shape[0] = n + count;
	v->n = (size_t)v->count * 8;
	pk_pool_give_back(r, items, count);
	return NS_OK;
}

int pk_list_unpack(pk_reader *r, pv *v)
{
	size_t n = (size_t)v->count;
	int kind = v->dtype->kind == 'i';
	char *s = v->s;
	pv **items = pk_alloc(r, (n ? n : 1) * sizeof *items);
	if (!items)
		return pk_oom(r);
	for (size_t k = 0; k < n; k++) {
		int64_t i;
		double f;
		if (kind) {
			memcpy(&i, s + 8 * k, 8);
			if ((items[k] = i >= 0 && i < PK_INTS && r->ints ? r->ints[i] : NULL))
				continue;
			if ((items[k] = pk_pv_new(r, PV_INT)))
				items[k]->i = i;
		} else if ((items[k] = pk_pv_new(r, PV_FLOAT))) {
			memcpy(&f, s + 8 * k, 8);
			items[k]->f = f;
		}
		if (!items[k]) {
			host->free(items);
			return pk_oom(r);
		}
	}
	host->free(s);
	host->free(v->shape);
	v->shape = NULL;
	v->t = PV_LIST;
	v->kind = 0;
	v->ndim = 0;
	v->ready = 0;
	v->i = 0; /* the dtype's place */
	v->items = items;
	v->len = v->cap = n;
	v->depth = 1;
	return NS_OK;
}

/* APPEND or APPENDS of @count @items to list @v: packed when they are
 * numbers of one kind, two or more, that a packed or empty list takes. */
static int append(pk_reader *r, pv *v, pv *const *items, size_t count)
{
	int rc, kind = packed_kind(items, count);
	if (pk_list_packed(v)) {
		if (kind == (v->dtype->kind == 'i'))
			return pack(r, v, kind, items, count);
		if ((rc = pk_list_unpack(r, v)) < 0)
			return rc;
	} else if (v->t == PV_LIST && v->len == 0 && kind >= 0 && count >= 2) {
		return pack(r, v, kind, items, count);
	}
	if (v->t != PV_LIST)
		return pk_fail(r, NS_EUNSUPPORTED, "APPEND to %s", pv_type_name(v));
	for (size_t k = 0; k < count; k++)
		if ((rc = add_item(r, v, items[k])) < 0)
			return rc;
	return NS_OK;
}

/* ------------------------------------------------------------------- text */

/* A protocol 0 quoted string ('...' or "..."), with Python's escapes
 * \\ \' \" \n \r \t \xHH; the rest of its escapes are refused. */
static int push_quoted(pk_reader *r)
{
	const unsigned char *line = NULL;
	size_t len = 0, k = 0;
	char *s;
	int rc;
	if ((rc = pk_take_line_at(r, &line, &len, SIZE_MAX - 1)) < 0)
		return rc;
	if (len < 2 || (line[0] != '\'' && line[0] != '"') || line[len - 1] != line[0])
		return pk_fail(r, NS_EFORMAT, "STRING without quotes");
	if (!(s = pk_alloc(r, len)))
		return pk_oom(r);
	for (size_t i = 1; i + 1 < len; i++) {
		char c = (char)line[i];
		if (c == '\\' && i + 2 < len) {
			c = (char)line[++i];
			if (c == 'n') c = '\n';
			else if (c == 'r') c = '\r';
			else if (c == 't') c = '\t';
			else if (c == 'x' && i + 3 < len) {
				char hex[3] = { (char)line[i + 1], (char)line[i + 2], 0 };
				c = (char)strtol(hex, NULL, 16);
				i += 2;
			} else if (c != '\\' && c != '\'' && c != '"') {
				host->free(s);
				return pk_fail(r, NS_EUNSUPPORTED, "a string escape '\\%c'", c);
			}
		}
		s[k++] = c;
	}
	s[k] = '\0';
	return push_owned(r, PV_STR, s, k);
}

static void utf8_put(char *s, size_t *k, unsigned long cp)
{
	if (cp < 0x80) {
		s[(*k)++] = (char)cp;
	} else if (cp < 0x800) {
		s[(*k)++] = (char)(0xc0 | (cp >> 6));
		s[(*k)++] = (char)(0x80 | (cp & 0x3f));
	} else if (cp < 0x10000) {
		s[(*k)++] = (char)(0xe0 | (cp >> 12));
		s[(*k)++] = (char)(0x80 | ((cp >> 6) & 0x3f));
		s[(*k)++] = (char)(0x80 | (cp & 0x3f));
	} else {
		s[(*k)++] = (char)(0xf0 | (cp >> 18));
		s[(*k)++] = (char)(0x80 | ((cp >> 12) & 0x3f));
		s[(*k)++] = (char)(0x80 | ((cp >> 6) & 0x3f));
		s[(*k)++] = (char)(0x80 | (cp & 0x3f));
	}
}

/* UNICODE of protocol 0: a line in raw-unicode-escape (latin-1 bytes and
 * \uXXXX, \UXXXXXXXX escapes), stored as UTF-8. */
static int push_raw_unicode(pk_reader *r)
{
	const unsigned char *b = NULL;
	size_t len = 0, k = 0;
	char *s;
	int rc;
	if ((rc = pk_take_line_at(r, &b, &len, SIZE_MAX / 2 - 1)) < 0)
		return rc;
	if (!(s = pk_alloc(r, len * 2 + 1)))
		return pk_oom(r);
	for (size_t i = 0; i < len; i++) {
		unsigned long cp = b[i];
		size_t digits = 0;
		if (b[i] == '\\' && i + 1 < len && (b[i + 1] == 'u' || b[i + 1] == 'U'))
			digits = b[i + 1] == 'u' ? 4 : 8;
		if (digits) {
			char hex[9] = { 0 }, *end;
			if (i + 2 + digits > len) {
				host->free(s);
				return pk_fail(r, NS_EFORMAT, "a bad \\u escape");
			}
			memcpy(hex, b + i + 2, digits);
			cp = strtoul(hex, &end, 16);
			if (*end || cp > 0x10ffff) {
				host->free(s);
				return pk_fail(r, NS_EFORMAT, "a bad \\u escape");
			}
			i += 1 + digits;
		}
		utf8_put(s, &k, cp);
	}
	s[k] = '\0';
	return push_owned(r, PV_STR, s, k);
}

/* ------------------------------------------------------------------- loop */

static int run(pk_reader *r, pv **root)
{
	char line[256], line2[256];
	size_t len = 0, len2 = 0;
	const unsigned char *b = NULL;
	uint64_t u = 0;
	size_t first = 0, count = 0;
	pv *v = NULL, *w = NULL, *x = NULL;
	int rc;

	for (;;) {
		unsigned char op;
		r->op = pk_at(r);
		if ((rc = pk_fill(r, 1)) <= 0)
			return rc < 0 ? rc : pk_fail(r, NS_EFORMAT,
						     "truncated: no STOP opcode at the end");
		op = r->opc = r->p[r->pos++];
		switch (op) {
		case 0x80: /* PROTO */
			if ((rc = pk_take_uint(r, &u, 1)) < 0)
				return rc;
			if (u > 5)
				return pk_fail(r, NS_EUNSUPPORTED, "pickle protocol %u", (unsigned)u);
			r->proto = (int)u;
			break;
		case 0x95: /* FRAME: a hint, which must fit the file as Python's */
			if ((rc = pk_take_uint(r, &u, 8)) < 0)
				return rc;
			if (pk_at(r) < r->frame_end)
				return pk_fail(r, NS_EFORMAT, "a FRAME inside the frame at byte %llu",
					       (unsigned long long)r->frame_at);
			/* a stream is checked as far as a window reaches, and at STOP */
			if (!r->in)
				rc = u <= r->n - r->pos;
			else if ((rc = pk_fill(r, u < PK_WINDOW ? (size_t)u : PK_WINDOW)) < 0)
				return rc;
			if (!rc)
				return pk_fail(r, NS_EFORMAT, "a FRAME of %llu bytes, longer than "
					       "the rest of the file (%zu bytes)",
					       (unsigned long long)u, r->n - r->pos);
			r->frame_at = r->op;
			r->frame_end = u > UINT64_MAX - pk_at(r) ? UINT64_MAX : pk_at(r) + u;
			break;
		case '.': /* STOP */
			if (r->frame_end > pk_at(r))
				return pk_fail(r, NS_EFORMAT, "STOP inside the FRAME at byte %llu, "
					       "which declares %llu bytes more",
					       (unsigned long long)r->frame_at,
					       (unsigned long long)(r->frame_end - pk_at(r)));
			if ((rc = pop(r, root)) < 0)
				return rc;
			return NS_OK;
		case '(': /* MARK */
			if (r->nmarks >= PK_MAX_DEPTH)
				return pk_fail(r, NS_EFORMAT, "marks nested more than %d deep",
					    PK_MAX_DEPTH);
			if (pk_grow(r, (void **)&r->marks, &r->mcap, r->nmarks + 1, sizeof *r->marks) < 0)
				return pk_oom(r);
			r->marks[r->nmarks++] = r->sp;
			break;
		case '0': /* POP */
			if ((rc = pop(r, &v)) < 0)
				return rc;
			break;
		case '1': /* POP_MARK */
			if ((rc = pop_mark(r, &first, &count)) < 0)
				return rc;
			break;
		case '2': /* DUP */
			if ((rc = top(r, &v)) < 0 || (rc = pk_push(r, v)) < 0)
				return rc;
			break;
		case 'N':
			if ((rc = pk_push(r, pk_shared(r, &r->none, PV_NONE, 0))) < 0)
				return rc;
			break;
		case 0x88: if ((rc = pk_push_int(r, PV_BOOL, 1)) < 0) return rc; break;
		case 0x89: if ((rc = pk_push_int(r, PV_BOOL, 0)) < 0) return rc; break;
		case 'J': case 'K': case 'M': /* BININT, BININT1, BININT2 */
			if ((rc = pk_take_uint(r, &u, op == 'J' ? 4 : op == 'K' ? 1 : 2)) < 0 ||
			    (rc = pk_push_int(r, PV_INT, op == 'J' ? (int64_t)(int32_t)(uint32_t)u :
					   (int64_t)u)) < 0)
				return rc;
			break;
		case 0x8a: case 0x8b: /* LONG1, LONG4 */
			if ((rc = push_long(r, op == 0x8a ? 1 : 4)) < 0)
				return rc;
			break;
		case 'I': case 'L': { /* INT, LONG (text) */
			char *end;
			long long i;
			if ((rc = pk_take_line(r, line, sizeof line, &len)) < 0)
				return rc;
			if (op == 'I' && (strcmp(line, "00") == 0 || strcmp(line, "01") == 0)) {
				rc = pk_push_int(r, PV_BOOL, line[1] == '1');
			} else {
				errno = 0;
				i = strtoll(line, &end, 10);
				if (end == line || end != line + len - (op == 'L' && len &&
									 line[len - 1] == 'L'))
					return pk_fail(r, NS_EFORMAT, "a bad integer '%.40s'", line);
				/* beyond int64: kept as such, about its value */
				rc = errno == ERANGE ? push_float(r, PV_BIGINT, strtod(line, NULL)) :
				     pk_push_int(r, PV_INT, i);
			}
			if (rc < 0)
				return rc;
			break;
		}
		case 'F': { /* FLOAT (text) */
			char *end;
			double f;
			if ((rc = pk_take_line(r, line, sizeof line, &len)) < 0)
				return rc;
			f = strtod(line, &end);
			if (end == line || end != line + len)
				return pk_fail(r, NS_EFORMAT, "a bad float '%.40s'", line);
			if ((rc = push_float(r, PV_FLOAT, f)) < 0)
				return rc;
			break;
		}
		case 'G': { /* BINFLOAT, big-endian */
			double f;
			if ((rc = pk_take(r, &b, 8)) < 0)
				return rc;
			u = 0;
			for (int k = 0; k < 8; k++)
				u = (u << 8) | b[k];
			memcpy(&f, &u, sizeof f);
			if ((rc = push_float(r, PV_FLOAT, f)) < 0)
				return rc;
			break;
		}
		case 'S': /* STRING */
			if ((rc = push_quoted(r)) < 0)
				return rc;
			break;
		case 'V': /* UNICODE (raw-unicode-escape) */
			if ((rc = push_raw_unicode(r)) < 0)
				return rc;
			break;
		case 'T': case 'U': /* BINSTRING, SHORT_BINSTRING */
			if ((rc = push_sized(r, PV_STR, op == 'T' ? 4 : 1)) < 0)
				return rc;
			break;
		case 0x8c: case 'X': case 0x8d: /* SHORT_BINUNICODE, BINUNICODE(8) */
			if ((rc = push_sized(r, PV_STR, op == 0x8c ? 1 : op == 'X' ? 4 : 8)) < 0)
				return rc;
			break;
		case 'C': case 'B': case 0x8e: case 0x96: /* (SHORT_)BINBYTES(8), BYTEARRAY8 */
			if ((rc = push_sized(r, PV_BYTES, op == 'C' ? 1 : op == 'B' ? 4 : 8)) < 0)
				return rc;
			break;
		case 0x97: /* NEXT_BUFFER */
			return pk_fail(r, NS_EUNSUPPORTED, "an out-of-band buffer (protocol 5 "
				    "buffer_callback)");
		case 0x98: /* READONLY_BUFFER */
			break;
		case ')': if ((rc = make_seq(r, PV_TUPLE, 0, 0)) < 0) return rc; break;
		case ']': if ((rc = make_seq(r, PV_LIST, 0, 0)) < 0) return rc; break;
		case '}': if ((rc = pk_push(r, pk_pv_new(r, PV_DICT))) < 0) return rc; break;
		case 't': case 'l': /* TUPLE, LIST */
			if ((rc = pop_mark(r, &first, &count)) < 0 ||
			    (rc = make_seq(r, op == 't' ? PV_TUPLE : PV_LIST, first, count)) < 0)
				return rc;
			break;
		case 0x85: case 0x86: case 0x87: { /* TUPLE1..3 */
			size_t k = (size_t)(op - 0x84);
			size_t floor = r->nmarks ? r->marks[r->nmarks - 1] : 0;
			if (r->sp - floor < k)
				return pk_fail(r, NS_EFORMAT, "stack underflow (TUPLE%zu)", k);
			r->sp -= k;
			if ((rc = make_seq(r, PV_TUPLE, r->sp, k)) < 0)
				return rc;
			break;
		}
		case 'd': /* DICT */
			if ((rc = pop_mark(r, &first, &count)) < 0)
				return rc;
			if (count % 2)
				return pk_fail(r, NS_EFORMAT, "DICT with an odd number of items");
			if ((rc = make_seq(r, PV_DICT, first, count)) < 0)
				return rc;
			break;
		case 'a': case 'e': /* APPEND, APPENDS */
			if (op == 'a') {
				if ((rc = pop(r, &x)) < 0)
					return rc;
				first = r->sp;
				count = 1;
				r->stack[first] = x;
			} else if ((rc = pop_mark(r, &first, &count)) < 0) {
				return rc;
			}
			if ((rc = top(r, &v)) < 0 || (rc = append(r, v, r->stack + first, count)) < 0)
				return rc;
			break;
		case 's': case 'u': /* SETITEM, SETITEMS */
			if (op == 's') {
				if ((rc = pop(r, &x)) < 0 || (rc = pop(r, &w)) < 0)
					return rc;
				first = r->sp;
				count = 2;
				r->stack[first] = w;
				r->stack[first + 1] = x;
			} else if ((rc = pop_mark(r, &first, &count)) < 0) {
				return rc;
			}
			if ((rc = top(r, &v)) < 0)
				return rc;
			if (v->t != PV_DICT)
				return pk_fail(r, NS_EUNSUPPORTED, "SETITEM on %s", pv_type_name(v));
			if (count % 2)
				return pk_fail(r, NS_EFORMAT, "SETITEMS with an odd number of items");
			for (size_t k = 0; k < count; k++)
				if ((rc = add_item(r, v, r->stack[first + k])) < 0)
					return rc;
			break;
		case 'c': /* GLOBAL */
			if ((rc = pk_take_line(r, line, sizeof line, &len)) < 0 ||
			    (rc = pk_take_line(r, line2, sizeof line2, &len2)) < 0 ||
			    (rc = pk_resolve_global(r, line, len, line2, len2)) < 0)
				return rc;
			break;
		case 0x93: /* STACK_GLOBAL */
			if ((rc = pop(r, &w)) < 0 || (rc = pop(r, &v)) < 0)
				return rc;
			if (v->t != PV_STR || w->t != PV_STR)
				return pk_fail(r, NS_EFORMAT, "STACK_GLOBAL of %s and %s",
					    pv_type_name(v), pv_type_name(w));
			if ((rc = pk_resolve_global(r, v->s, v->n, w->s, w->n)) < 0)
				return rc;
			break;
		case 'R': /* REDUCE */
			if ((rc = pop(r, &w)) < 0 || (rc = pop(r, &v)) < 0 ||
			    (rc = pk_reduce(r, v, w)) < 0)
				return rc;
			break;
		case 'b': /* BUILD */
			if ((rc = pop(r, &w)) < 0 || (rc = top(r, &v)) < 0 ||
			    (rc = pk_build(r, v, w)) < 0)
				return rc;
			break;
		case 'p': case 'g': { /* PUT, GET (text) */
			char *end;
			if ((rc = pk_take_line(r, line, sizeof line, &len)) < 0)
				return rc;
			errno = 0;
			u = strtoull(line, &end, 10);
			if (end == line || end != line + len || errno)
				return pk_fail(r, NS_EFORMAT, "a bad memo index '%.40s'", line);
			if (op == 'g')
				rc = memo_get(r, u);
			else if ((rc = top(r, &v)) == 0)
				rc = memo_put(r, u, v);
			if (rc < 0)
				return rc;
			break;
		}
		case 'q': case 'r': case 0x94: /* BINPUT, LONG_BINPUT, MEMOIZE */
			if (op == 0x94)
				u = r->nmemo_next;
			else if ((rc = pk_take_uint(r, &u, op == 'q' ? 1 : 4)) < 0)
				return rc;
			if ((rc = top(r, &v)) < 0 || (rc = memo_put(r, u, v)) < 0)
				return rc;
			if (op == 0x94)
				r->nmemo_next++;
			break;
		case 'h': case 'j': /* BINGET, LONG_BINGET */
			if ((rc = pk_take_uint(r, &u, op == 'h' ? 1 : 4)) < 0 ||
			    (rc = memo_get(r, u)) < 0)
				return rc;
			break;
		case 'i': case 'o': case 0x81: case 0x92: /* INST, OBJ, NEWOBJ, NEWOBJ_EX */
			return pk_fail(r, NS_EUNSUPPORTED, "opcode 0x%02x (building class instances)",
				    op);
		case 'P': case 'Q': /* PERSID, BINPERSID */
			return pk_fail(r, NS_EUNSUPPORTED, "persistent ids");
		case 0x82: case 0x83: case 0x84: /* EXT1, EXT2, EXT4 */
			return pk_fail(r, NS_EUNSUPPORTED, "the extension registry");
		case 0x8f: case 0x90: case 0x91: /* EMPTY_SET, ADDITEMS, FROZENSET */
			return pk_fail(r, NS_EUNSUPPORTED, "sets");
		default:
			return pk_fail(r, NS_EFORMAT, "unknown opcode 0x%02x", op);
		}
	}
}

int pk_read(pk_reader **out, pv **root, const unsigned char *data, size_t n, const char *path,
	    nsp_budget *budget)
{
	pk_reader *r;
	int rc;
	if ((rc = pk_reader_new(&r, path, budget)) < 0)
		return rc;
	r->p = data;
	r->n = n;
	if ((rc = run(r, root)) < 0) {
		pk_reader_free(r);
		return rc;
	}
	*out = r;
	return NS_OK;
}

/* After STOP: a few bytes (padding) are let be, with a warning; more are
 * refused without reading them all, whatever they would inflate to. */
static int check_end(pk_reader *r)
{
	uint64_t stop = pk_at(r) - 1;
	int rc = pk_fill(r, PK_TRAILING_MAX + 1);
	if (rc < 0)
		return rc;
	if (rc)
		return host->error(NS_EFORMAT, "file '%s': more than %d bytes after the pickle's "
				   "end (its STOP opcode at byte %llu): not a pickle, or one "
				   "followed by something else", r->path, PK_TRAILING_MAX,
				   (unsigned long long)stop);
	if (r->n > r->pos)
		host->log(NS_LOG_WARNING, "file '%s': %zu bytes after the pickle's end (its STOP "
			  "opcode at byte %llu) ignored", r->path, r->n - r->pos,
			  (unsigned long long)stop);
	return NS_OK;
}

int pk_read_stream(pk_reader **out, pv **root, ns_istream *in, const char *path,
		   nsp_budget *budget)
{
	pk_reader *r;
	int rc;
	if ((rc = pk_reader_new(&r, path, budget)) < 0)
		return rc;
	r->in = in;
	if ((rc = run(r, root)) < 0 || (rc = check_end(r)) < 0) {
		pk_reader_free(r);
		return rc;
	}
	*out = r;
	return NS_OK;
}
