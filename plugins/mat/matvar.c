/* SPDX-License-Identifier: MIT */
/* matio's variables read with care: nothing in a matvar_t is trusted
 * beyond what mt_check_v5() checked, so every count, type and pointer is
 * checked again before an element is read. The ANNarchy layout on top of
 * them is read.c's. */
#include "mat.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int mt_fail(const char *path, const char *var, const char *field, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (var && field)
		return host->error(NS_EFORMAT, "file '%s': variable '%s': field '%s' %s",
				      path, var, field, msg);
	if (var)
		return host->error(NS_EFORMAT, "file '%s': variable '%s': %s", path, var, msg);
	return host->error(NS_EFORMAT, "file '%s': %s", path, msg);
}

int mt_oom(void)
{
	return host->error(NS_ENOMEM, "out of memory");
}

matvar_t *mt_field(const mt_fields *f, const char *name)
{
	for (size_t i = 0; i < f->n; i++) {
		const char *n = f->names ? f->names[i] : f->v[i] ? f->v[i]->name : NULL;
		if (n && strcmp(n, name) == 0)
			return f->v[i];
	}
	return NULL;
}

int mt_fields_of(mt_fields *f, const matvar_t *st, const char *var)
{
	size_t count = 1;
	for (int k = 0; k < st->rank; k++)
		count *= st->dims[k];
	f->var = var;
	f->n = Mat_VarGetNumberOfFields((matvar_t *)(uintptr_t)st);
	f->names = Mat_VarGetStructFieldnames(st);
	f->v = st->data;
	if (count != 1)
		return 0;
	if (f->n && (!f->names || !f->v))
		return 0;
	for (size_t i = 0; i < f->n; i++)
		if (!f->names[i] || !f->v[i])
			return 0;
	return 1;
}

/* ----------------------------------------------------------------- arrays */

uint64_t mt_count(const matvar_t *v)
{
	uint64_t n = 1;
	if (!v->dims || v->rank < 1)
		return 0;
	for (int k = 0; k < v->rank; k++)
		n *= v->dims[k];
	return n;
}

int mt_dtype(ns_dtype *t, const matvar_t *v)
{
	if (v->isComplex)
		return 0;
	if (v->isLogical) {
		*t = NS_DTYPE_BOOL;
		return v->class_type >= MAT_C_DOUBLE && v->class_type <= MAT_C_UINT64;
	}
	switch (v->class_type) {
	case MAT_C_DOUBLE: *t = NS_DTYPE_F64; return 1;
	case MAT_C_SINGLE: *t = NS_DTYPE_F32; return 1;
	case MAT_C_INT64: *t = NS_DTYPE_I64; return 1;
	case MAT_C_INT32: *t = NS_DTYPE_I32; return 1;
	case MAT_C_UINT8: *t = NS_DTYPE_U8; return 1;
	case MAT_C_INT8: case MAT_C_INT16: case MAT_C_UINT16: case MAT_C_UINT32:
	case MAT_C_UINT64:
		*t = NS_DTYPE_I64;
		return 1;
	default: return 0;
	}
}

int mt_numeric(const matvar_t *v)
{
	ns_dtype t;
	uint64_t n;
	if (!v || !mt_dtype(&t, v))
		return 0;
	n = mt_count(v);
	return n == 0 || (v->data && v->nbytes / Mat_SizeOfClass(v->class_type) >= n);
}

int mt_num(nsp_num *out, const matvar_t *v, size_t i)
{
	const void *p = v->data;
	out->kind = NSP_INT;
	out->f = 0;
	switch (v->class_type) {
	case MAT_C_DOUBLE: out->kind = NSP_FLOAT; out->f = ((const double *)p)[i]; return 1;
	case MAT_C_SINGLE: out->kind = NSP_FLOAT; out->f = ((const float *)p)[i]; return 1;
	case MAT_C_INT8: out->i = ((const int8_t *)p)[i]; return 1;
	case MAT_C_UINT8: out->i = ((const uint8_t *)p)[i]; return 1;
	case MAT_C_INT16: out->i = ((const int16_t *)p)[i]; return 1;
	case MAT_C_UINT16: out->i = ((const uint16_t *)p)[i]; return 1;
	case MAT_C_INT32: out->i = ((const int32_t *)p)[i]; return 1;
	case MAT_C_UINT32: out->i = ((const uint32_t *)p)[i]; return 1;
	case MAT_C_INT64: out->i = ((const int64_t *)p)[i]; return 1;
	case MAT_C_UINT64:
		if (((const uint64_t *)p)[i] > INT64_MAX) {
			out->kind = NSP_BIG;
			out->f = (double)((const uint64_t *)p)[i];
		} else {
			out->i = (int64_t)((const uint64_t *)p)[i];
		}
		return 1;
	default: return 0;
	}
}

int mt_put(void *data, ns_dtype t, size_t k, const matvar_t *v, size_t i, const char *path,
	   const char *var, const char *field)
{
	char why[160];
	nsp_num x;
	if (!mt_num(&x, v, i))
		return mt_fail(path, var, field, "holds a value that is not a number");
	if (!nsp_put(data, t, k, &x))
		return mt_fail(path, var, field, "holds %s", nsp_misfit(why, &x, t));
	return NS_OK;
}

int mt_whole(uint64_t *out, const matvar_t *v, size_t i, int64_t max)
{
	nsp_num x;
	int64_t k;
	if (!mt_num(&x, v, i) || !nsp_whole(&x, 0, max, &k))
		return 0;
	*out = (uint64_t)k;
	return 1;
}

/* ---------------------------------------------------------------- strings */

static void utf8_put(char **o, uint32_t c)
{
	unsigned char *p = (unsigned char *)*o;
	if (c < 0x80) {
		*p++ = (unsigned char)c;
	} else if (c < 0x800) {
		*p++ = (unsigned char)(0xc0 | c >> 6);
		*p++ = (unsigned char)(0x80 | (c & 0x3f));
	} else if (c < 0x10000) {
		*p++ = (unsigned char)(0xe0 | c >> 12);
		*p++ = (unsigned char)(0x80 | (c >> 6 & 0x3f));
		*p++ = (unsigned char)(0x80 | (c & 0x3f));
	} else {
		*p++ = (unsigned char)(0xf0 | c >> 18);
		*p++ = (unsigned char)(0x80 | (c >> 12 & 0x3f));
		*p++ = (unsigned char)(0x80 | (c >> 6 & 0x3f));
		*p++ = (unsigned char)(0x80 | (c & 0x3f));
	}
	*o = (char *)p;
}

int mt_str_row(char **out, const matvar_t *v, size_t row)
{
	size_t rows = v->rank >= 1 ? v->dims[0] : 0, cols = rows ? (size_t)mt_count(v) / rows : 0;
	int wide = v->data_type == MAT_T_UINT16 || v->data_type == MAT_T_UTF16;
	char *s, *o;
	if (cols && (!v->data || v->nbytes < rows * cols * (wide ? 2 : 1)))
		return 0;
	if (!(s = o = host->alloc(cols * 4 + 1)))
		return -1;
	for (size_t j = 0; j < cols; j++) {
		size_t i = row + j * rows;
		if (!wide) {
			*o++ = ((const char *)v->data)[i];
			continue;
		}
		uint32_t c = ((const uint16_t *)v->data)[i];
		if (c >= 0xd800 && c < 0xdc00 && j + 1 < cols) {
			uint32_t lo = ((const uint16_t *)v->data)[i + rows];
			if (lo >= 0xdc00 && lo < 0xe000) {
				c = 0x10000 + ((c - 0xd800) << 10) + (lo - 0xdc00);
				j++;
			}
		}
		utf8_put(&o, c);
	}
	while (o > s && (o[-1] == ' ' || o[-1] == '\0'))
		o--;
	*o = '\0';
	*out = s;
	return 1;
}

int mt_get_str(char **out, const char *path, const mt_fields *f, const char *name, int required)
{
	matvar_t *v = mt_field(f, name);
	int rc;
	*out = NULL;
	if (!v) {
		if (required)
			return mt_fail(path, f->var, name, "is missing");
		return NS_OK;
	}
	if (v->class_type == MAT_C_CELL && mt_count(v) >= 1 && v->data)
		v = ((matvar_t **)v->data)[0]; /* a list of targets: the first */
	if (!v || v->class_type != MAT_C_CHAR) {
		if (v && mt_numeric(v) && mt_count(v) == 0 && !required)
			return NS_OK;
		return mt_fail(path, f->var, name, "is not a string");
	}
	if (mt_count(v) == 0) {
		if (!(*out = host->alloc(1)))
			return mt_oom();
		**out = '\0';
		return NS_OK;
	}
	if ((rc = mt_str_row(out, v, 0)) < 0)
		return mt_oom();
	return rc ? NS_OK : mt_fail(path, f->var, name, "is a damaged char array");
}

void mt_strs_free(mt_strs *l)
{
	if (l->s)
		for (size_t i = 0; i < l->n; i++)
			host->free(l->s[i]);
	host->free(l->s);
	l->s = NULL;
}

int mt_get_strs(mt_strs *l, const char *path, const mt_fields *f, const char *name)
{
	matvar_t *v = mt_field(f, name);
	size_t n;
	int cell;
	l->s = NULL;
	l->n = SIZE_MAX;
	if (!v)
		return NS_OK;
	l->n = 0;
	if (mt_count(v) == 0 && (v->class_type == MAT_C_CHAR || v->class_type == MAT_C_CELL ||
				 mt_numeric(v)))
		return NS_OK;
	cell = v->class_type == MAT_C_CELL;
	if (!cell && v->class_type != MAT_C_CHAR)
		return mt_fail(path, f->var, name, "is not a list of names (a char matrix or a "
			       "cell)");
	if (cell && !v->data)
		return mt_fail(path, f->var, name, "is a damaged cell");
	n = cell ? (size_t)mt_count(v) : v->dims[0];
	if (!(l->s = host->alloc(n * sizeof *l->s + 1)))
		return mt_oom();
	for (size_t i = 0; i < n; i++) {
		const matvar_t *e = cell ? ((matvar_t **)v->data)[i] : v;
		int rc;
		if (!e || e->class_type != MAT_C_CHAR || (cell && e->rank >= 1 && e->dims[0] > 1))
			return mt_fail(path, f->var, name, "holds a member that is not a string");
		if (mt_count(e) == 0) {
			if (!(l->s[i] = host->alloc(1)))
				return mt_oom();
			l->s[i][0] = '\0';
		} else if ((rc = mt_str_row(&l->s[i], e, cell ? 0 : i)) <= 0) {
			return rc < 0 ? mt_oom() : mt_fail(path, f->var, name,
							   "is a damaged char array");
		}
		l->n = i + 1;
	}
	return NS_OK;
}

int mt_in_strs(const mt_strs *l, const char *s)
{
	for (size_t i = 0; l->s && i < l->n; i++)
		if (strcmp(l->s[i], s) == 0)
			return 1;
	return 0;
}

/* ------------------------------------------------------------------- rows */

int mt_rows_of(mt_rows *o, const matvar_t *v, size_t n)
{
	memset(o, 0, sizeof *o);
	o->v = v;
	o->n = n;
	if (v->class_type == MAT_C_CELL) {
		if (mt_count(v) != n || (n && !v->data))
			return 0;
		o->cell = 1;
		for (size_t i = 0; i < n; i++) {
			const matvar_t *e = ((matvar_t **)v->data)[i];
			int non1 = 0;
			if (!e || !mt_numeric(e))
				return 0;
			for (int k = 0; k < e->rank; k++)
				non1 += e->dims[k] != 1;
			if (non1 > 1 && mt_count(e) != 0)
				return 0;
		}
		return 1;
	}
	if (!mt_numeric(v))
		return 0;
	if (n == 0)
		return mt_count(v) == 0;
	if (v->rank != 2 || v->dims[0] != n)
		return 0;
	o->k = v->dims[1];
	return 1;
}

size_t mt_row_len(const mt_rows *o, size_t i)
{
	return o->cell ? (size_t)mt_count(((matvar_t **)o->v->data)[i]) : o->k;
}

const matvar_t *mt_row_at(const mt_rows *o, size_t i, size_t j, size_t *pos)
{
	if (o->cell) {
		*pos = j;
		return ((matvar_t **)o->v->data)[i];
	}
	*pos = i + j * o->n;
	return o->v;
}
