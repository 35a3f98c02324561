/* SPDX-License-Identifier: MIT */
/* The reader's lines and tokens (see text_lex.h). */
#include "text_lex.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int tx_fail(tx_in *r, const char *at, int code, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	return host->error(code, "%s:%u:%zu: %s", r->path, r->line, (size_t)(at - r->bol) + 1,
			      msg);
}

/* A host function's error, placed at the line being read. */
int tx_host_fail(tx_in *r, const char *at, int rc)
{
	char msg[512];
	snprintf(msg, sizeof msg, "%s", host->last_error());
	return tx_fail(r, at, rc, "%s", msg);
}

/* ------------------------------------------------------------------ lines */

/* Move to the next line: 1, or 0 at the end of the file. */
int tx_next_line(tx_in *r, int *rc)
{
	const char *end = r->buf + r->size;
	const char *start = r->line ? r->eol + 1 : r->buf;
	*rc = NS_OK;
	if (start >= end) {
		if (!r->at_end) {
			r->at_end = 1;
			r->bol = r->p = r->eol = end;
			r->line++;
		}
		return 0;
	}
	r->line++;
	r->bol = r->p = start;
	r->eol = memchr(start, '\n', (size_t)(end - start));
	if (!r->eol) {
		r->eol = end;
		*rc = ERR(r, end, "the last line has no end (file truncated?)");
		return 0;
	}
	if (memchr(start, '\0', (size_t)(r->eol - start))) {
		*rc = ERR(r, (const char *)memchr(start, '\0', (size_t)(r->eol - start)),
			  "a NUL byte in a text file");
		return 0;
	}
	if (r->eol > start && r->eol[-1] == '\r')
		*rc = ERR(r, r->eol - 1, "a carriage return: lines end with '\\n' only");
	return *rc == NS_OK;
}

int tx_is_blank(const tx_in *r)
{
	const char *s = r->bol;
	while (s < r->eol && (*s == ' ' || *s == '\t'))
		s++;
	return s == r->eol || *s == '#';
}

/* The next line that is not blank nor a comment: 1, or 0 at the end. */
int tx_next_content(tx_in *r, int *rc)
{
	while (tx_next_line(r, rc))
		if (!tx_is_blank(r))
			return 1;
	return 0;
}

size_t tx_bytes_left(const tx_in *r)
{
	const char *end = r->buf + r->size;
	return r->eol < end ? (size_t)(end - r->eol - 1) : 0;
}

void tx_skip_space(tx_in *r)
{
	while (r->p < r->eol && (*r->p == ' ' || *r->p == '\t'))
		r->p++;
}

/* The bare token at the cursor: [*start, returned end). */
const char *tx_bare(tx_in *r, const char **start)
{
	const char *s;
	tx_skip_space(r);
	*start = s = r->p;
	while (s < r->eol && *s != ' ' && *s != '\t')
		s++;
	return s;
}

int tx_end_of_line(tx_in *r)
{
	tx_skip_space(r);
	if (r->p != r->eol)
		return ERR(r, r->p, "expected the end of the line");
	return NS_OK;
}

/* Whether the line starts with the bare keyword @word. */
int tx_keyword_is(tx_in *r, const char *word)
{
	const char *s, *e;
	const char *save = r->p;
	size_t n = strlen(word);
	r->p = r->bol;
	e = tx_bare(r, &s);
	r->p = save;
	return (size_t)(e - s) == n && memcmp(s, word, n) == 0;
}

int tx_expect_word(tx_in *r, const char *word)
{
	const char *s, *e = tx_bare(r, &s);
	size_t n = strlen(word);
	if ((size_t)(e - s) != n || memcmp(s, word, n) != 0)
		return ERR(r, s, "expected '%s'", word);
	r->p = e;
	return NS_OK;
}

static int tx_slot_put(tx_in *r, int slot, size_t *len, char c)
{
	if (*len + 2 > r->slot_cap[slot]) {
		size_t cap = r->slot_cap[slot] ? r->slot_cap[slot] * 2 : 64;
		char *p = host->realloc(r->slot[slot], cap);
		if (!p)
			return host->error(NS_ENOMEM, "out of memory");
		r->slot[slot] = p;
		r->slot_cap[slot] = cap;
	}
	r->slot[slot][(*len)++] = c;
	r->slot[slot][*len] = '\0';
	return NS_OK;
}

static int tx_hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* A name or string, bare or quoted, into r->slot[slot]; @quoted tells
 * which (may be NULL). */
int tx_name(tx_in *r, int slot, int *quoted, const char *what)
{
	size_t len = 0;
	int rc;
	tx_skip_space(r);
	if ((rc = tx_slot_put(r, slot, &len, 'x')) < 0)
		return rc;
	len = 0;
	r->slot[slot][0] = '\0';
	if (quoted)
		*quoted = r->p < r->eol && *r->p == '"';
	if (r->p < r->eol && *r->p == '"') {
		const char *q = r->p + 1;
		for (;;) {
			char c;
			if (q >= r->eol)
				return ERR(r, q, "a string without its closing quote");
			if (*q == '"')
				break;
			c = *q++;
			if ((unsigned char)c < 0x20 || c == 0x7f)
				return ERR(r, q - 1,
					   "a control character in a string: write it "
					   "as an escape");
			if (c == '\\') {
				int h, l;
				switch (q < r->eol ? *q : 0) {
				case '"': c = '"'; break;
				case '\\': c = '\\'; break;
				case 'n': c = '\n'; break;
				case 't': c = '\t'; break;
				case 'r': c = '\r'; break;
				case 'x':
					if (q + 2 >= r->eol || (h = tx_hex_digit(q[1])) < 0 ||
					    (l = tx_hex_digit(q[2])) < 0 || (h == 0 && l == 0))
						return ERR(r, q - 1,
							   "expected \\x and two hex digits "
							   "(not 00)");
					c = (char)(h * 16 + l);
					q += 2;
					break;
				default: return ERR(r, q - 1, "unknown escape");
				}
				q++;
			}
			if ((rc = tx_slot_put(r, slot, &len, c)) < 0)
				return rc;
		}
		r->p = q + 1;
		if (r->p < r->eol && *r->p != ' ' && *r->p != '\t')
			return ERR(r, r->p, "expected a space after the string");
		return NS_OK;
	}
	{
		const char *s, *e = tx_bare(r, &s);
		if (s == e)
			return ERR(r, s, "expected %s", what);
		for (const char *c = s; c < e; c++)
			if (!tx_is_bare((unsigned char)*c))
				return ERR(r, c, "%s: a character that needs quotes", what);
		if (tx_is_keyword(s, (size_t)(e - s), r->version))
			return ERR(r, s, "expected %s, not a keyword", what);
		for (const char *c = s; c < e; c++)
			if ((rc = tx_slot_put(r, slot, &len, *c)) < 0)
				return rc;
		r->p = e;
	}
	return NS_OK;
}

/* ---------------------------------------------------------------- numbers */

static int tx_chars_in(const char *s, const char *e, const char *set)
{
	for (; s < e; s++)
		if (!strchr(set, *s))
			return 0;
	return 1;
}

int tx_parse_u64(tx_in *r, uint64_t *v, const char *what)
{
	const char *s, *e = tx_bare(r, &s);
	char buf[32], *end;
	if (s == e || e - s >= (ptrdiff_t)sizeof buf || !tx_chars_in(s, e, "0123456789"))
		return ERR(r, s, "expected %s", what);
	memcpy(buf, s, (size_t)(e - s));
	buf[e - s] = '\0';
	errno = 0;
	*v = strtoull(buf, &end, 10);
	if (errno || *end)
		return ERR(r, s, "%s out of range", what);
	r->p = e;
	return NS_OK;
}

int tx_parse_i64(tx_in *r, int64_t *v, int64_t min, int64_t max)
{
	const char *s, *e = tx_bare(r, &s);
	char buf[32], *end;
	long long x;
	if (s == e || e - s >= (ptrdiff_t)sizeof buf || !tx_chars_in(s, e, "-0123456789"))
		return ERR(r, s, "expected an integer");
	memcpy(buf, s, (size_t)(e - s));
	buf[e - s] = '\0';
	errno = 0;
	x = strtoll(buf, &end, 10);
	if (*end || end == buf)
		return ERR(r, s, "expected an integer");
	if (errno || x < min || x > max)
		return ERR(r, s, "integer out of range [%" PRId64 ", %" PRId64 "]", min, max);
	*v = x;
	r->p = e;
	return NS_OK;
}

/* A float as the writer writes it, into its bits (@is32: a float's). */
int tx_parse_float(tx_in *r, uint64_t *bits, int is32)
{
	const char *s, *e = tx_bare(r, &s);
	char buf[64], *end;
	size_t n = (size_t)(e - s);
	int neg = n && *s == '-';
	if (n == 0 || n >= sizeof buf)
		return ERR(r, s, "expected a number");
	memcpy(buf, s, n);
	buf[n] = '\0';
	r->p = e;
	if (strcmp(buf + neg, "nan") == 0) {
		*bits = is32 ? 0x7fc00000u | (neg ? 0x80000000u : 0)
			     : UINT64_C(0x7ff8000000000000) | ((uint64_t)neg << 63);
		return NS_OK;
	}
	if (strncmp(buf, "nan:0x", 6) == 0) {
		uint64_t exp = is32 ? 0x7f800000u : UINT64_C(0x7ff0000000000000);
		uint64_t man = is32 ? 0x007fffffu : UINT64_C(0x000fffffffffffff);
		if (n != (is32 ? 14u : 22u) || !tx_chars_in(buf + 6, buf + n, "0123456789abcdef"))
			return ERR(r, s, "expected nan:0x and %d hex digits", is32 ? 8 : 16);
		*bits = strtoull(buf + 6, NULL, 16);
		if ((*bits & exp) != exp || !(*bits & man))
			return ERR(r, s, "not the bits of a NaN");
		return NS_OK;
	}
	if (strcmp(buf + neg, "inf") == 0) {
		*bits = is32 ? 0x7f800000u | (neg ? 0x80000000u : 0)
			     : UINT64_C(0x7ff0000000000000) | ((uint64_t)neg << 63);
		return NS_OK;
	}
	if (!tx_chars_in(buf, buf + n, "0123456789+-.eE"))
		return ERR(r, s, "expected a number");
	if (is32) {
		float f = strtof(buf, &end);
		uint32_t b;
		if (*end || end == buf)
			return ERR(r, s, "expected a number");
		if (isinf(f))
			return ERR(r, s, "number out of range of f32");
		memcpy(&b, &f, 4);
		*bits = b;
	} else {
		double d = strtod(buf, &end);
		if (*end || end == buf)
			return ERR(r, s, "expected a number");
		if (isinf(d))
			return ERR(r, s, "number out of range of f64");
		memcpy(bits, &d, 8);
	}
	return NS_OK;
}

/* Value @i of an array of @dtype at @data. */
int tx_parse_value(tx_in *r, ns_dtype dtype, void *data, uint64_t i)
{
	uint64_t bits;
	int64_t v;
	int rc;
	switch (dtype) {
	case NS_DTYPE_F64:
		if ((rc = tx_parse_float(r, &bits, 0)) < 0)
			return rc;
		memcpy((double *)data + i, &bits, 8);
		return NS_OK;
	case NS_DTYPE_F32: {
		uint32_t b;
		if ((rc = tx_parse_float(r, &bits, 1)) < 0)
			return rc;
		b = (uint32_t)bits;
		memcpy((float *)data + i, &b, 4);
		return NS_OK;
	}
	case NS_DTYPE_I64: return tx_parse_i64(r, (int64_t *)data + i, INT64_MIN, INT64_MAX);
	case NS_DTYPE_I32:
		if ((rc = tx_parse_i64(r, &v, INT32_MIN, INT32_MAX)) < 0)
			return rc;
		((int32_t *)data)[i] = (int32_t)v;
		return NS_OK;
	default:
		if ((rc = tx_parse_i64(r, &v, 0, dtype == NS_DTYPE_BOOL ? 1 : 255)) < 0)
			return rc;
		((uint8_t *)data)[i] = (uint8_t)v;
		return NS_OK;
	}
}
