/* SPDX-License-Identifier: MIT */
/* A structural check of MAT v5 bytes before matio reads them. matio trusts
 * the sizes in a file: a damaged dimension makes it allocate gigabytes or
 * loop for minutes over cells that are not there, and a damaged struct
 * leaves it holding NULL fields. So every element is checked to fit in its
 * parent, every array to hold the bytes its dimensions need, every cell
 * and struct to have room for its members, and compressed elements to
 * inflate (with zlib) to exactly one such array.
 *
 * Arrays inside structs and cells are read one after the other, as scipy
 * and Octave read them, not by their declared sizes: Octave 7 counts a
 * char matrix of 3 or 4 characters as 12 bytes where it writes 8, so the
 * sizes of that array and of every one around it are too large. Such a
 * size is set to what the array takes, and compressed variables are
 * inflated into the copy matio reads, so that matio (which goes by the
 * sizes) reads what scipy reads. */
#include "mat.h"

#include <string.h>
#include <zlib.h>

#define MAX_DEPTH 32

enum {
	MI_INT8 = 1, MI_UINT8 = 2, MI_INT16 = 3, MI_UINT16 = 4, MI_INT32 = 5, MI_UINT32 = 6,
	MI_SINGLE = 7, MI_DOUBLE = 9, MI_INT64 = 12, MI_UINT64 = 13, MI_MATRIX = 14,
	MI_COMPRESSED = 15, MI_UTF8 = 16, MI_UTF16 = 17, MI_UTF32 = 18,
};

typedef struct ck {
	const char *path;
	char var[MT_NAME_MAX + 1]; /* the top-level variable being checked */
	int swap;                   /* a big-endian file */
} ck;

typedef struct span {
	const unsigned char *p;
	size_t n;
} span;

static uint32_t u32(const ck *c, const unsigned char *p)
{
	if (c->swap)
		return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
	return (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}

static void u32_put(const ck *c, unsigned char *p, uint32_t v)
{
	for (int k = 0; k < 4; k++)
		p[c->swap ? 3 - k : k] = (unsigned char)(v >> (8 * k));
}

static int bad(const ck *c, const char *what, size_t at)
{
	if (c->var[0])
		return host->error(NS_EFORMAT, "file '%s': variable '%s': %s (a damaged or "
				      "truncated MAT file; byte %zu of the variable)", c->path,
				      c->var, what, at);
	return host->error(NS_EFORMAT, "file '%s': %s (a damaged or truncated MAT file, "
			      "byte %zu)", c->path, what, at);
}

/* The next element of @s: its type and data; @s moves past it (padding
 * included). 0 when it does not fit. */
static int element(const ck *c, span *s, uint32_t *type, span *data, int padded)
{
	uint32_t t, n;
	size_t whole;
	if (s->n < 8)
		return 0;
	t = u32(c, s->p);
	if (t >> 16) { /* small element: type and size in 4 bytes, data in the next 4 */
		n = t >> 16;
		if (n > 4)
			return 0;
		*type = t & 0xffff;
		data->p = s->p + 4;
		data->n = n;
		s->p += 8;
		s->n -= 8;
		return 1;
	}
	n = u32(c, s->p + 4);
	if (n > s->n - 8)
		return 0;
	whole = padded ? ((size_t)n + 7) / 8 * 8 : n;
	if (whole > s->n - 8)
		whole = s->n - 8; /* the last element's padding may be missing */
	*type = t;
	data->p = s->p + 8;
	data->n = n;
	s->p += 8 + whole;
	s->n -= 8 + whole;
	return 1;
}

static size_t type_size(uint32_t t)
{
	switch (t) {
	case MI_INT8: case MI_UINT8: case MI_UTF8: return 1;
	case MI_INT16: case MI_UINT16: case MI_UTF16: return 2;
	case MI_INT32: case MI_UINT32: case MI_SINGLE: case MI_UTF32: return 4;
	case MI_DOUBLE: case MI_INT64: case MI_UINT64: return 8;
	default: return 0;
	}
}

static int check_matrix(const ck *c, span m, const unsigned char *base, int depth, size_t *used);

/* The miMATRIX element at @p, with @avail bytes left in its parent: its
 * contents read one after the other; a declared size larger than they take
 * is set to what they take. *used: the bytes of the element. */
static int check_element(const ck *c, unsigned char *p, size_t avail, const unsigned char *base,
			 int depth, size_t *used)
{
	uint32_t n;
	span m;
	size_t took = 0;
	int rc;
	if (avail < 8 || u32(c, p) != MI_MATRIX)
		return bad(c, "a member that is missing or not an array", (size_t)(p - base));
	n = u32(c, p + 4);
	m.p = p + 8;
	m.n = n < avail - 8 ? n : avail - 8;
	if ((rc = check_matrix(c, m, base, depth, &took)) < 0)
		return rc;
	if (took < n)
		u32_put(c, p + 4, (uint32_t)took);
	*used = 8 + took;
	return NS_OK;
}

/* One part (real or imaginary) of a numeric, char or logical array. */
static int check_part(const ck *c, span *s, uint64_t count, uint32_t cls,
		      const unsigned char *base)
{
	uint32_t t;
	span d;
	size_t size;
	if (!element(c, s, &t, &d, 1))
		return bad(c, "an array's data does not fit in it", (size_t)(s->p - base));
	if (!(size = type_size(t)))
		return bad(c, "an array's data has an unknown type", (size_t)(s->p - base));
	if (cls == MAT_C_CHAR && t == MI_UTF8) /* a character may take several bytes */
		return d.n >= count ? NS_OK :
			bad(c, "a char array has fewer bytes than characters", (size_t)(d.p - base));
	if (d.n / size != count || d.n % size)
		return bad(c, "an array's data does not match its dimensions",
			   (size_t)(d.p - base));
	return NS_OK;
}

/* The array (miMATRIX data) @m; *used: the bytes its contents take. */
static int check_matrix(const ck *c, span m, const unsigned char *base, int depth, size_t *used)
{
	const unsigned char *start = m.p;
	uint32_t t, flags, cls;
	span d, name;
	uint64_t count = 1;
	size_t took;
	int rc;

	*used = 0;
	if (m.n == 0) /* an empty cell member */
		return NS_OK;
	if (depth > MAX_DEPTH)
		return bad(c, "arrays nested too deeply", (size_t)(m.p - base));
	if (!element(c, &m, &t, &d, 1) || t != MI_UINT32 || d.n != 8)
		return bad(c, "an array without its flags", (size_t)(m.p - base));
	flags = u32(c, d.p);
	cls = flags & 0xff;
	if (!element(c, &m, &t, &d, 1) || t != MI_INT32 || d.n < 8 || d.n % 4)
		return bad(c, "an array without its dimensions", (size_t)(m.p - base));
	for (size_t k = 0; k < d.n; k += 4) {
		uint32_t dim = u32(c, d.p + k);
		if (dim > INT32_MAX)
			return bad(c, "a negative dimension", (size_t)(d.p - base));
		if (dim && count > UINT64_MAX / 2 / dim)
			return bad(c, "dimensions too large", (size_t)(d.p - base));
		count *= dim;
	}
	if (!element(c, &m, &t, &name, 1) || (t != MI_INT8 && t != MI_UINT8))
		return bad(c, "an array without its name", (size_t)(m.p - base));

	switch (cls) {
	case MAT_C_CELL:
		if (count > m.n / 8)
			return bad(c, "a cell array with more members than bytes",
				   (size_t)(m.p - base));
		for (uint64_t i = 0; i < count; i++) {
			if ((rc = check_element(c, (unsigned char *)(uintptr_t)m.p, m.n, base,
						depth + 1, &took)) < 0)
				return rc;
			m.p += took;
			m.n -= took;
		}
		break;
	case MAT_C_STRUCT: {
		uint32_t len, nfields;
		if (!element(c, &m, &t, &d, 1) || t != MI_INT32 || d.n != 4 ||
		    (len = u32(c, d.p)) == 0 || len > 4096)
			return bad(c, "a struct without the length of its field names",
				   (size_t)(m.p - base));
		if (!element(c, &m, &t, &d, 1) || (t != MI_INT8 && t != MI_UINT8) || d.n % len)
			return bad(c, "a struct without its field names", (size_t)(m.p - base));
		nfields = (uint32_t)(d.n / len);
		if (nfields && count > m.n / 8 / nfields)
			return bad(c, "a struct with more fields than bytes", (size_t)(m.p - base));
		for (uint64_t i = 0; i < count * nfields; i++) {
			if ((rc = check_element(c, (unsigned char *)(uintptr_t)m.p, m.n, base,
						depth + 1, &took)) < 0)
				return rc;
			m.p += took;
			m.n -= took;
		}
		break;
	}
	case MAT_C_CHAR: case MAT_C_DOUBLE: case MAT_C_SINGLE: case MAT_C_INT8: case MAT_C_UINT8:
	case MAT_C_INT16: case MAT_C_UINT16: case MAT_C_INT32: case MAT_C_UINT32:
	case MAT_C_INT64: case MAT_C_UINT64:
		if ((rc = check_part(c, &m, count, cls, base)) < 0)
			return rc;
		if ((flags & MAT_F_COMPLEX) && (rc = check_part(c, &m, count, cls, base)) < 0)
			return rc;
		break;
	case MAT_C_SPARSE:
		return bad(c, "a sparse matrix, which nsnap does not read", (size_t)(m.p - base));
	case MAT_C_OBJECT: case MAT_C_FUNCTION: case MAT_C_OPAQUE:
		return bad(c, "a MATLAB object or function handle, which nsnap does not read",
			   (size_t)(m.p - base));
	default:
		return bad(c, "an array of an unknown class", (size_t)(m.p - base));
	}
	*used = (size_t)(m.p - start);
	return NS_OK;
}

/* The name of the array @m, for messages. */
static void matrix_name(ck *c, span m)
{
	uint32_t t;
	span d;
	c->var[0] = '\0';
	if (!element(c, &m, &t, &d, 1) || !element(c, &m, &t, &d, 1) ||
	    !element(c, &m, &t, &d, 1))
		return;
	if (d.n > MT_NAME_MAX)
		d.n = MT_NAME_MAX;
	for (size_t i = 0; i < d.n; i++)
		if (d.p[i] < 0x20 || d.p[i] > 0x7e)
			return;
	memcpy(c->var, d.p, d.n);
	c->var[d.n] = '\0';
}

/* Inflate the compressed element @z; it must hold one array, which goes
 * to *out (*out_n bytes, its tag and sizes set to what it takes). */
static int check_compressed(ck *c, span z, size_t at, unsigned char **out, size_t *out_n)
{
	z_stream zs;
	unsigned char head[8], *buf = NULL;
	span s;
	size_t took;
	uint32_t n;
	int zrc, rc;

	memset(&zs, 0, sizeof zs);
	if (inflateInit(&zs) != Z_OK)
		return host->error(NS_ENOMEM, "out of memory");
	zs.next_in = (unsigned char *)(uintptr_t)z.p;
	zs.avail_in = (uInt)z.n;
	zs.next_out = head;
	zs.avail_out = sizeof head;
	zrc = inflate(&zs, Z_SYNC_FLUSH);
	if ((zrc != Z_OK && zrc != Z_STREAM_END) || zs.avail_out) {
		rc = bad(c, "a compressed variable does not inflate", at);
		goto done;
	}
	if (u32(c, head) != MI_MATRIX || (n = u32(c, head + 4)) > z.n * (size_t)1032 + 1024) {
		/* zlib's ratio is at most 1032:1; a bigger size is a lie */
		rc = bad(c, "a compressed variable that is not one array", at);
		goto done;
	}
	if (!(buf = host->alloc((size_t)n + 8))) {
		rc = host->error(NS_ENOMEM, "out of memory");
		goto done;
	}
	memcpy(buf, head, 8);
	zs.next_out = buf + 8;
	zs.avail_out = n;
	zrc = n ? inflate(&zs, Z_FINISH) : Z_STREAM_END;
	if (zrc != Z_STREAM_END && !(zrc == Z_OK && zs.avail_out == 0)) {
		rc = bad(c, "a compressed variable is damaged or cut short", at);
		goto done;
	}
	/* zlib's checksum vouches for a stream that ended early: matio's own
	 * writer declares sizes larger than the arrays it writes. */
	n -= zs.avail_out;
	s.p = buf + 8;
	s.n = n;
	if (u32(c, buf) != MI_MATRIX) {
		rc = bad(c, "a compressed variable that is not one array", at);
		goto done;
	}
	matrix_name(c, s);
	if ((rc = check_element(c, buf, (size_t)n + 8, buf, 0, &took)) < 0)
		goto done;
	*out = buf;
	*out_n = took;
	buf = NULL;
done:
	inflateEnd(&zs);
	host->free(buf);
	return rc;
}

/* Append @n bytes to @o (of @used, room for @cap). */
static int append(unsigned char **o, size_t *used, size_t *cap, const void *p, size_t n)
{
	if (*cap - *used < n) {
		size_t c = *cap ? *cap : 4096;
		unsigned char *q;
		while (c - *used < n)
			c *= 2;
		if (!(q = host->realloc(*o, c)))
			return host->error(NS_ENOMEM, "out of memory");
		*o = q;
		*cap = c;
	}
	memcpy(*o + *used, p, n);
	*used += n;
	return NS_OK;
}

int mt_check_v5(unsigned char **data_io, size_t *n_io, const char *path)
{
	ck c = { path, "", 0 };
	unsigned char *data = *data_io, *o = NULL; /* o: the copy, once a variable was inflated */
	size_t n = *n_io, o_n = 0, o_cap = 0, took;
	span s, d;
	uint32_t t;
	int rc = NS_OK;

	if (n < 128)
		return bad(&c, "shorter than a MAT file's header", n);
	c.swap = data[126] == 'M';
	s.p = data + 128;
	s.n = n - 128;
	while (s.n) {
		size_t at = (size_t)(s.p - data);
		const unsigned char *el = s.p;
		c.var[0] = '\0';
		if (!element(&c, &s, &t, &d, 0)) {
			rc = bad(&c, "a variable does not fit in the file", at);
			goto done;
		}
		if (t == MI_COMPRESSED) {
			unsigned char *z = NULL;
			if ((rc = check_compressed(&c, d, at, &z, &took)) < 0 ||
			    (!o && (rc = append(&o, &o_n, &o_cap, data, at)) < 0) ||
			    (rc = append(&o, &o_n, &o_cap, z, took)) < 0) {
				host->free(z);
				goto done;
			}
			host->free(z);
			continue;
		}
		if (t != MI_MATRIX) {
			rc = bad(&c, "an element that is not a variable", at);
			goto done;
		}
		matrix_name(&c, d);
		if ((rc = check_matrix(&c, d, d.p, 0, &took)) < 0 ||
		    (o && (rc = append(&o, &o_n, &o_cap, el, (size_t)(s.p - el))) < 0))
			goto done;
	}
	if (o) {
		host->free(*data_io);
		*data_io = o;
		*n_io = o_n;
		o = NULL;
	}
done:
	host->free(o);
	return rc;
}
