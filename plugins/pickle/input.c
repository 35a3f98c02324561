/* SPDX-License-Identifier: MIT */
/* The safe pickle reader's input (reader.h): a buffer, or a stream read
 * through a window that grows only as bytes arrive, so that a length the
 * file declares allocates nothing the file does not hold. */
#include "reader.h"

#include <string.h>

/* The offset in the pickle of the next byte to parse. */
uint64_t pk_at(const pk_reader *r)
{
	return r->base + r->pos;
}

/* Make @len bytes available from pos: 1, 0 when the input ends first, or
 * the stream's error. The window doubles only when it is full of bytes
 * that arrived: a length the file declares allocates nothing it lacks. */
int pk_fill(pk_reader *r, size_t len)
{
	size_t have = r->n - r->pos;
	if (have >= len)
		return 1;
	if (!r->in || r->eof)
		return 0;
	if (r->pos) {
		memmove(r->win, r->win + r->pos, have);
		r->base += r->pos;
		r->n = have;
		r->pos = 0;
	}
	while (r->n < len && !r->eof) {
		ptrdiff_t got;
		if (r->n == r->wcap) {
			size_t cap = r->wcap ? r->wcap * 2 : PK_WINDOW;
			unsigned char *w;
			if (cap < r->wcap || !(w = pk_realloc(r, r->win, r->wcap, cap)))
				return pk_oom(r);
			r->win = w;
			r->wcap = cap;
		}
		if ((got = host->read(r->in, r->win + r->n, r->wcap - r->n)) < 0)
			return (int)got;
		r->eof = got == 0;
		r->n += (size_t)got;
		nsp_budget_read(r->budget, r->base + r->n);
	}
	r->p = r->win;
	return r->n >= len;
}

int pk_truncated(pk_reader *r, uint64_t len, uint64_t left)
{
	return pk_fail(r, NS_EFORMAT, "truncated: %llu bytes declared, %llu left",
		       (unsigned long long)len, (unsigned long long)left);
}

int pk_take(pk_reader *r, const unsigned char **out, size_t len)
{
	int rc = pk_fill(r, len);
	if (rc <= 0)
		return rc < 0 ? rc : pk_truncated(r, len, r->n - r->pos);
	*out = r->p + r->pos;
	r->pos += len;
	return NS_OK;
}

int pk_take_uint(pk_reader *r, uint64_t *out, unsigned size)
{
	const unsigned char *b = NULL;
	int rc;
	if ((rc = pk_take(r, &b, size)) < 0)
		return rc;
	*out = 0;
	for (unsigned k = size; k > 0; k--)
		*out = (*out << 8) | b[k - 1];
	return NS_OK;
}

/* @len bytes of input, copied into a new NUL-terminated block *@out. Long
 * ones are read from the stream straight into it, the block growing as
 * the bytes arrive. */
int pk_take_copy(pk_reader *r, char **out, uint64_t len)
{
	size_t got = 0, cap = 0;
	char *s = NULL, *q;
	int rc;
	/* No file backs such a length (and len + 1 below must not wrap). */
	if (len > SIZE_MAX - 1)
		return pk_truncated(r, len, r->n - r->pos);
	if (!r->in || len <= PK_WINDOW) {
		const unsigned char *b = NULL;
		if ((rc = pk_take(r, &b, (size_t)len)) < 0)
			return rc;
		if (!(s = pk_alloc(r, (size_t)len + 1)))
			return pk_oom(r);
		memcpy(s, b, (size_t)len);
		s[len] = '\0';
		*out = s;
		return NS_OK;
	}
	while (got < len) {
		size_t want = len - got > SIZE_MAX - 1 ? SIZE_MAX - 1 : (size_t)(len - got);
		size_t have = r->n - r->pos;
		if (got + 1 >= cap) {
			size_t c = cap ? cap * 2 : PK_WINDOW * 2;
			if (c > len + 1)
				c = (size_t)len + 1;
			if (!(q = pk_realloc(r, s, cap, c))) {
				host->free(s);
				return pk_oom(r);
			}
			s = q;
			cap = c;
		}
		if (want > cap - 1 - got)
			want = cap - 1 - got;
		if (have) {
			if (want > have)
				want = have;
			memcpy(s + got, r->p + r->pos, want);
			r->pos += want;
		} else {
			ptrdiff_t k = r->eof ? 0 : host->read(r->in, s + got, want);
			if (k <= 0) {
				host->free(s);
				r->eof = 1;
				return k < 0 ? (int)k : pk_truncated(r, len, got);
			}
			want = (size_t)k;
			r->base += want; /* read past the window */
			nsp_budget_read(r->budget, pk_at(r));
		}
		got += want;
	}
	s[got] = '\0';
	*out = s;
	return NS_OK;
}

/* A text line (protocol 0) from pos, without its newline: *@line points
 * into the window (valid until the next read), of *@len bytes; a line
 * longer than @max is refused. */
int pk_take_line_at(pk_reader *r, const unsigned char **line, size_t *len, size_t max)
{
	size_t scanned = 0;
	const unsigned char *nl;
	int rc;
	for (;;) {
		size_t have = r->n - r->pos;
		if (have > scanned && (nl = memchr(r->p + r->pos + scanned, '\n', have - scanned)))
			break;
		scanned = have;
		if (have > max)
			return pk_fail(r, NS_EFORMAT, "a line of more than %zu bytes is too long",
				       max);
		if ((rc = pk_fill(r, have + 1)) <= 0)
			return rc < 0 ? rc : pk_fail(r, NS_EFORMAT,
						     "truncated: a line without its end");
	}
	*line = r->p + r->pos;
	*len = (size_t)(nl - *line);
	if (*len > max)
		return pk_fail(r, NS_EFORMAT, "a line of %zu bytes is too long", *len);
	r->pos += *len + 1;
	return NS_OK;
}

/* A short text line copied NUL-terminated into @buf (which may then hold
 * NULs of the file: its length goes to *@len). */
int pk_take_line(pk_reader *r, char *buf, size_t size, size_t *len)
{
	const unsigned char *line = NULL;
	size_t n = 0;
	int rc;
	if ((rc = pk_take_line_at(r, &line, &n, size - 1)) < 0)
		return rc;
	memcpy(buf, line, n);
	buf[n] = '\0';
	if (len)
		*len = n;
	return NS_OK;
}

/* A value of type @t holding the block @s of @len bytes, which it owns. */
