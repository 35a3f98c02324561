/* SPDX-License-Identifier: MIT */
/* A pickle's values as numbers, exactly (plugins/common/number.h): an int
 * stays an integer from the file to an integer attribute, and a value that
 * does not fit the attribute's element type is refused by name. */
#include "pickle.h"

#include <string.h>

int pk_is_dtype(const pv *d, ns_dtype t)
{
	static const struct {
		char kind;
		unsigned size;
	} np[] = { [NS_DTYPE_F64] = { 'f', 8 }, [NS_DTYPE_F32] = { 'f', 4 },
		   [NS_DTYPE_I64] = { 'i', 8 }, [NS_DTYPE_I32] = { 'i', 4 },
		   [NS_DTYPE_U8] = { 'u', 1 },	[NS_DTYPE_BOOL] = { 'b', 1 } };
	return d && t > NS_DTYPE_BYTES && t <= NS_DTYPE_BOOL && d->kind == np[t].kind &&
	       d->itemsize == np[t].size;
}

int pk_elem_num(const pv *dt, const void *p, nsp_num *out)
{
	memset(out, 0, sizeof *out);
	switch (dt->kind) {
	case 'f':
		out->kind = NSP_FLOAT;
		if (dt->itemsize == 8) {
			memcpy(&out->f, p, 8);
		} else {
			float f;
			memcpy(&f, p, 4);
			out->f = f;
		}
		return 1;
	case 'b':
		out->i = *(const unsigned char *)p != 0;
		return 1;
	case 'u': {
		uint64_t u = 0;
		memcpy(&u, p, dt->itemsize); /* little-endian: the reader made it so */
		if (u > INT64_MAX) {
			out->kind = NSP_BIG;
			out->f = (double)u;
		} else {
			out->i = (int64_t)u;
		}
		return 1;
	}
	case 'i': {
		uint64_t u = 0;
		memcpy(&u, p, dt->itemsize);
		if (dt->itemsize < 8 && (u >> (8 * dt->itemsize - 1)))
			u |= ~(uint64_t)0 << (8 * dt->itemsize); /* extend the sign */
		out->i = (int64_t)u;
		return 1;
	}
	default:
		return 0;
	}
}

int pk_num_of(const pv *v, nsp_num *out)
{
	if (!v)
		return 0;
	memset(out, 0, sizeof *out);
	switch (v->t) {
	case PV_INT: case PV_BOOL:
		out->i = v->i;
		return 1;
	case PV_FLOAT:
		out->kind = NSP_FLOAT;
		out->f = v->f;
		return 1;
	case PV_BIGINT:
		out->kind = NSP_BIG;
		out->f = v->f;
		return 1;
	case PV_ARRAY:
		return v->count == 1 && v->dtype->kind != 'O' && pk_elem_num(v->dtype, v->s, out);
	default:
		return 0;
	}
}

int pk_number(const pv *v, double *out)
{
	nsp_num x;
	if (!pk_num_of(v, &x) || x.kind == NSP_BIG)
		return 0;
	*out = x.kind == NSP_INT ? (double)x.i : x.f;
	return 1;
}

int pk_put(void *data, ns_dtype t, size_t i, const nsp_num *x, const char *path,
	   const char *what)
{
	char why[160];
	if (nsp_put(data, t, i, x))
		return NS_OK;
	return host->error(NS_EFORMAT, "file '%s': %s holds %s", path, what,
			   nsp_misfit(why, x, t));
}
