/* SPDX-License-Identifier: MIT */
/* Export, second step: the matio variables. Populations: name, geometry
 * and size (int64), the lists attributes, parameters, variables
 * (space-padded char matrices), local attributes as arrays shaped by the
 * geometry (a C-order (a, b) array is MATLAB's a x b matrix, as savemat
 * writes numpy's; 1-D as a row), globals 1x1. Every attribute keeps its
 * class: double, single, int64, int32, uint8, logical. Projections: name,
 * pre, post, target, post_ranks (1 x rows int64), pre_ranks (rows x k
 * int64 when every row has k synapses, else a 1 x rows cell of rows),
 * local attributes shaped like pre_ranks, semiglobal ones one per row,
 * globals 1x1; 'delays' outside the lists, as annarchy does. Rows are the
 * post neurons with synapses, ascending; a row's synapses are in the
 * network's order (as the pickle plugin writes them). Attributes of scope
 * array have no field (their planned field name is ""): nsnap's record
 * holds them, and the rest (README.md). */
#include "write.h"
#include "record.h"

#include <stdlib.h>
#include <string.h>

/* ----------------------------------------------------------------- arrays */

static enum matio_classes class_of(ns_dtype t, enum matio_types *type, int *logical)
{
	*logical = 0;
	switch (t) {
	case NS_DTYPE_F32: *type = MAT_T_SINGLE; return MAT_C_SINGLE;
	case NS_DTYPE_I64: *type = MAT_T_INT64; return MAT_C_INT64;
	case NS_DTYPE_I32: *type = MAT_T_INT32; return MAT_C_INT32;
	case NS_DTYPE_U8: *type = MAT_T_UINT8; return MAT_C_UINT8;
	case NS_DTYPE_BOOL: *type = MAT_T_UINT8; *logical = 1; return MAT_C_UINT8;
	default: *type = MAT_T_DOUBLE; return MAT_C_DOUBLE;
	}
}

matvar_t *mt_mk_num(ns_dtype t, size_t d0, size_t d1, const void *data)
{
	size_t dims[2] = { d0, d1 };
	enum matio_types type;
	int logical;
	enum matio_classes c = class_of(t, &type, &logical);
	return Mat_VarCreate(NULL, c, type, 2, dims, (void *)(uintptr_t)data,
			     logical ? MAT_F_LOGICAL : 0);
}

static matvar_t *mk_int64(size_t d0, size_t d1, const int64_t *data)
{
	return mt_mk_num(NS_DTYPE_I64, d0, d1, data);
}

/* UTF-16 code units of the UTF-8 string @s into @u (room for strlen(s));
 * their count. Bytes that are not UTF-8 stay one unit each. */
static size_t utf16(uint16_t *u, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = 0;
	while (*p) {
		uint32_t c = *p;
		int len = c < 0x80 ? 1 : (c & 0xe0) == 0xc0 ? 2 : (c & 0xf0) == 0xe0 ? 3 :
			  (c & 0xf8) == 0xf0 ? 4 : 0;
		int ok = len > 0;
		for (int k = 1; ok && k < len; k++)
			ok = (p[k] & 0xc0) == 0x80;
		if (!ok || len == 1) {
			u[n++] = (uint16_t)c;
			p++;
			continue;
		}
		c &= 0xffu >> (len + 1);
		for (int k = 1; k < len; k++)
			c = c << 6 | (p[k] & 0x3f);
		p += len;
		if (c >= 0x10000) {
			u[n++] = (uint16_t)(0xd800 + ((c - 0x10000) >> 10));
			u[n++] = (uint16_t)(0xdc00 + ((c - 0x10000) & 0x3ff));
		} else {
			u[n++] = (uint16_t)c;
		}
	}
	return n;
}

/* As savemat writes a list of str: bytes when all are ASCII, else UTF-16. */
matvar_t *mt_mk_strs(const char *const *s, size_t n)
{
	size_t cols = 0, dims[2];
	uint16_t **u = NULL;
	size_t *len = NULL;
	int wide = 0;
	void *data = NULL;
	matvar_t *v = NULL;

	if (!(u = host->alloc(n * sizeof *u + 1)) || !(len = host->alloc(n * sizeof *len + 1)))
		goto done;
	memset(u, 0, n * sizeof *u + 1);
	for (size_t i = 0; i < n; i++) {
		if (!(u[i] = host->alloc(strlen(s[i]) * 2 + 2)))
			goto done;
		len[i] = utf16(u[i], s[i]);
		cols = len[i] > cols ? len[i] : cols;
		for (size_t j = 0; j < len[i]; j++)
			wide |= u[i][j] >= 0x80;
	}
	dims[0] = n;
	dims[1] = cols;
	if (!(data = host->alloc(n * cols * 2 + 1)))
		goto done;
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < cols; j++) {
			uint16_t c = j < len[i] ? u[i][j] : ' ';
			if (wide)
				((uint16_t *)data)[i + j * n] = c;
			else
				((uint8_t *)data)[i + j * n] = (uint8_t)c;
		}
	if (n * cols == 0)
		dims[0] = dims[1] = 0;
	v = Mat_VarCreate(NULL, MAT_C_CHAR, wide ? MAT_T_UINT16 : MAT_T_UINT8, 2, dims, data, 0);
done:
	for (size_t i = 0; u && i < n; i++)
		host->free(u[i]);
	host->free(u);
	host->free(len);
	host->free(data);
	return v;
}

matvar_t *mt_mk_str(const char *s)
{
	return mt_mk_strs(&s, 1);
}

/* The field names of @o's attributes of @kind (-1: all), 'delays' apart. */
static matvar_t *mk_names(const wobj *o, int kind)
{
	const char **list = host->alloc(o->oi.n_attrs * sizeof *list + 1);
	size_t n = 0;
	matvar_t *v;
	if (!list)
		return NULL;
	for (size_t a = 0; a < o->oi.n_attrs; a++) {
		ns_attr_info ai;
		host->attr_get_info(&ai, host->object_attr_at(o->obj, a));
		if (o->fields[a][0] && strcmp(ai.name, "delays") != 0 &&
		    (kind < 0 || (int)ai.kind == kind))
			list[n++] = o->fields[a];
	}
	v = n ? mt_mk_strs(list, n) : mt_mk_num(NS_DTYPE_F64, 0, 0, NULL); /* savemat's [] */
	host->free((void *)list);
	return v;
}

/* ----------------------------------------------------------------- structs */

/* A 1x1 struct @var with fields @fixed then the attributes' fields. */
static matvar_t *mk_struct(const wobj *o, const char *const *fixed)
{
	size_t nf = 0, dims[2] = { 1, 1 };
	const char **names;
	matvar_t *v;
	while (fixed[nf])
		nf++;
	if (!(names = host->alloc((nf + o->oi.n_attrs + 1) * sizeof *names)))
		return NULL;
	memcpy(names, fixed, nf * sizeof *names);
	for (size_t a = 0; a < o->oi.n_attrs; a++)
		if (o->fields[a][0])
			names[nf++] = o->fields[a];
	names[nf] = NULL;
	v = Mat_VarCreateStruct2(o->var, 2, dims, names);
	host->free((void *)names);
	return v;
}

/* Set field @name of @st to @f (NULL: matio or memory failed). */
static int set(const wr *w, const wobj *o, matvar_t *st, const char *name, matvar_t *f)
{
	if (!f)
		return host->error(NS_ENOMEM, "file '%s': variable '%s': field '%s': out of "
				      "memory%s%s", w->path, o->var, name, mt_log_failed() ?
				      " or matio failed: " : "", mt_log_failed() ? mt_log_text() :
				      "");
	Mat_VarSetStructFieldByName(st, name, 0, f);
	return NS_OK;
}

static int common_fields(const wr *w, const wobj *o, matvar_t *st)
{
	int rc;
	if ((rc = set(w, o, st, "name", mt_mk_str(o->oi.name))) < 0 ||
	    (rc = set(w, o, st, "attributes", mk_names(o, -1))) < 0 ||
	    (rc = set(w, o, st, "parameters", mk_names(o, NS_PARAMETER))) < 0 ||
	    (rc = set(w, o, st, "variables", mk_names(o, NS_VARIABLE))) < 0)
		return rc;
	return NS_OK;
}

int mt_build_population(matvar_t **out, const wr *w, const wobj *o)
{
	const ns_object_info *oi = &o->oi;
	uint64_t flat = oi->size;
	const uint64_t *shape = oi->ndim ? oi->shape : &flat;
	unsigned ndim = oi->ndim ? oi->ndim : 1;
	int64_t geom[NS_MAX_DIMS], size = (int64_t)oi->size;
	size_t dims[NS_MAX_DIMS];
	matvar_t *st = mk_struct(o, mt_pop_fields);
	unsigned char *buf = NULL;
	int rc;

	if (!st)
		return mt_oom();
	for (unsigned k = 0; k < ndim; k++)
		geom[k] = (int64_t)shape[k];
	if ((rc = common_fields(w, o, st)) < 0 ||
	    (rc = set(w, o, st, "geometry", mk_int64(1, ndim, geom))) < 0 ||
	    (rc = set(w, o, st, "size", mk_int64(1, 1, &size))) < 0)
		goto done;
	for (size_t a = 0; a < oi->n_attrs; a++) {
		ns_attr *attr = host->object_attr_at(o->obj, a);
		ns_attr_info ai;
		size_t es, idx[NS_MAX_DIMS] = { 0 }, stride[NS_MAX_DIMS];
		void *data;
		matvar_t *f;
		enum matio_types type;
		int logical;
		enum matio_classes c;

		host->attr_get_info(&ai, attr);
		if (ai.scope == NS_ARRAY)
			continue;
		es = host->dtype_size(ai.dtype);
		if ((rc = host->attr_data(&data, attr)) < 0)
			goto done;
		if (ai.scope == NS_GLOBAL || ndim < 2) {
			f = mt_mk_num(ai.dtype, 1, (size_t)ai.count, data);
		} else {
			/* C order -> column-major: MATLAB's a x b x ... array */
			host->free(buf);
			if (!(buf = host->alloc((size_t)ai.count * es + 1))) {
				rc = mt_oom();
				goto done;
			}
			for (unsigned k = 0; k < ndim; k++) {
				dims[k] = (size_t)shape[k];
				stride[k] = k ? stride[k - 1] * dims[k - 1] : 1;
			}
			for (uint64_t i = 0; i < ai.count; i++) {
				size_t dst = 0;
				for (unsigned k = 0; k < ndim; k++)
					dst += idx[k] * stride[k];
				memcpy(buf + dst * es, (const unsigned char *)data + i * es, es);
				for (unsigned k = ndim; k-- > 0;) {
					if (++idx[k] < dims[k])
						break;
					idx[k] = 0;
				}
			}
			c = class_of(ai.dtype, &type, &logical);
			f = Mat_VarCreate(NULL, c, type, (int)ndim, dims, buf,
					  logical ? MAT_F_LOGICAL : 0);
		}
		if ((rc = set(w, o, st, o->fields[a], f)) < 0)
			goto done;
	}
	*out = st;
	st = NULL;
done:
	host->free(buf);
	Mat_VarFree(st);
	return rc;
}

typedef struct syn {
	int32_t post, pre;
	size_t idx;
} syn;

static int by_post(const void *a, const void *b)
{
	const syn *x = a, *y = b;
	if (x->post != y->post)
		return x->post < y->post ? -1 : 1;
	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

/* The rows of a projection: synapses grouped by post neuron. */
typedef struct prows {
	syn *s;
	size_t *start, n; /* n rows; row r is s[start[r]] .. s[start[r + 1] - 1] */
	int rect;
} prows;

static int rows_of(prows *r, const ns_object *obj)
{
	const int32_t *pre, *post;
	uint64_t n = host->projection_synapses(obj);
	host->projection_connectivity(&pre, &post, obj);
	r->n = 0;
	r->rect = 1;
	if (!(r->s = host->alloc((size_t)n * sizeof *r->s + 1)) ||
	    !(r->start = host->alloc(((size_t)n + 1) * sizeof *r->start)))
		return mt_oom();
	for (size_t i = 0; i < n; i++) {
		r->s[i].post = post[i];
		r->s[i].pre = pre[i];
		r->s[i].idx = i;
	}
	qsort(r->s, (size_t)n, sizeof *r->s, by_post);
	for (size_t i = 0; i < n; i++)
		if (i == 0 || r->s[i].post != r->s[i - 1].post)
			r->start[r->n++] = i;
	r->start[r->n] = (size_t)n;
	for (size_t k = 1; k < r->n; k++)
		if (r->start[k + 1] - r->start[k] != r->start[1] - r->start[0])
			r->rect = 0;
	return NS_OK;
}

/* Values per synapse (@vals of element size @es, indexed by synapse) as
 * rows: a rows x k matrix, or a 1 x rows cell of rows. @pre: the ranks. */
static matvar_t *mk_rows(const prows *r, ns_dtype t, const void *vals, int pre)
{
	size_t es = pre ? 8 : host->dtype_size(t), k = r->n ? r->start[1] - r->start[0] : 0;
	unsigned char *buf;
	matvar_t *v = NULL;
	if (pre)
		t = NS_DTYPE_I64;
	if (!(buf = host->alloc((r->rect ? r->n * k : r->start[r->n]) * es + 1)))
		return NULL;
	if (r->rect) {
		for (size_t i = 0; i < r->n; i++)
			for (size_t j = 0; j < k; j++) {
				const syn *s = &r->s[r->start[i] + j];
				int64_t p = s->pre;
				memcpy(buf + (i + j * r->n) * es,
				       pre ? (const void *)&p : (const unsigned char *)vals + s->idx * es,
				       es);
			}
		v = mt_mk_num(t, r->n, k, buf);
	} else {
		size_t dims[2] = { 1, r->n };
		v = Mat_VarCreate(NULL, MAT_C_CELL, MAT_T_CELL, 2, dims, NULL, 0);
		for (size_t i = 0; v && i < r->n; i++) {
			size_t len = r->start[i + 1] - r->start[i];
			matvar_t *row;
			for (size_t j = 0; j < len; j++) {
				const syn *s = &r->s[r->start[i] + j];
				int64_t p = s->pre;
				memcpy(buf + j * es,
				       pre ? (const void *)&p : (const unsigned char *)vals + s->idx * es,
				       es);
			}
			if (!(row = mt_mk_num(t, 1, len, buf))) {
				Mat_VarFree(v);
				v = NULL;
			} else {
				Mat_VarSetCell(v, (int)i, row);
			}
		}
	}
	host->free(buf);
	return v;
}

int mt_build_projection(matvar_t **out, const wr *w, const wobj *o)
{
	prows r = { 0 };
	matvar_t *st = mk_struct(o, mt_proj_fields);
	unsigned char *buf = NULL;
	int64_t *post_ranks = NULL;
	int rc;

	if (!st)
		return mt_oom();
	if ((rc = rows_of(&r, o->obj)) < 0)
		goto done;
	if (!(post_ranks = host->alloc(r.n * sizeof *post_ranks + 1))) {
		rc = mt_oom();
		goto done;
	}
	for (size_t i = 0; i < r.n; i++)
		post_ranks[i] = r.s[r.start[i]].post;
	if ((rc = common_fields(w, o, st)) < 0 ||
	    (rc = set(w, o, st, "pre", mt_mk_str(o->oi.pre))) < 0 ||
	    (rc = set(w, o, st, "post", mt_mk_str(o->oi.post))) < 0 ||
	    (rc = set(w, o, st, "target", mt_mk_str(o->oi.target))) < 0 ||
	    (rc = set(w, o, st, "post_ranks", mk_int64(1, r.n, post_ranks))) < 0 ||
	    (rc = set(w, o, st, "pre_ranks", mk_rows(&r, NS_DTYPE_I64, NULL, 1))) < 0)
		goto done;
	for (size_t a = 0; a < o->oi.n_attrs; a++) {
		ns_attr *attr = host->object_attr_at(o->obj, a);
		ns_attr_info ai;
		size_t es;
		void *data;
		matvar_t *f;
		host->attr_get_info(&ai, attr);
		if (ai.scope == NS_ARRAY)
			continue;
		es = host->dtype_size(ai.dtype);
		if ((rc = host->attr_data(&data, attr)) < 0)
			goto done;
		if (ai.scope == NS_GLOBAL) {
			f = mt_mk_num(ai.dtype, 1, 1, data);
		} else if (ai.scope == NS_SEMIGLOBAL) {
			host->free(buf);
			if (!(buf = host->alloc(r.n * es + 1))) {
				rc = mt_oom();
				goto done;
			}
			for (size_t i = 0; i < r.n; i++) {
				size_t p = (size_t)r.s[r.start[i]].post;
				memcpy(buf + i * es, (const unsigned char *)data +
				       (p < ai.count ? p : 0) * es, es);
			}
			f = mt_mk_num(ai.dtype, 1, r.n, buf);
		} else {
			f = mk_rows(&r, ai.dtype, data, 0);
		}
		if ((rc = set(w, o, st, o->fields[a], f)) < 0)
			goto done;
	}
	*out = st;
	st = NULL;
done:
	host->free(buf);
	host->free(post_ranks);
	host->free(r.s);
	host->free(r.start);
	Mat_VarFree(st);
	return rc;
}

/* ----------------------------------------------------------------- record */

/* An n x @width cell; its members set with put(). */
static matvar_t *mk_cell(size_t n, size_t width)
{
	size_t dims[2] = { n, width };
	return Mat_VarCreate(NULL, MAT_C_CELL, MAT_T_CELL, 2, dims, NULL, 0);
}

/* Member (@row, @col) of cell @c (of @n rows) to @e; 0 when @e is NULL. */
static int put(matvar_t *c, size_t n, size_t row, size_t col, matvar_t *e)
{
	if (!e)
		return 0;
	Mat_VarSetCell(c, (int)(row + col * n), e);
	return 1;
}

int mt_build_record(matvar_t **out, const wr *w, const ns_network *net)
{
	static const char *const fields[] = { "version", "network", "t", "dt", "dictionary",
					      "objects", "attributes", "semiglobal", "arrays",
					      NULL };
	size_t dims[2] = { 1, 1 }, n_obj = w->n_objs, n_meta = host->network_meta_count(net);
	size_t n_attr = 0, n_sg = 0, a_row = 0, s_row = 0, n_arr = nsp_arrays_count(net);
	matvar_t *st = Mat_VarCreateStruct2(MT_RECORD_VAR, 2, dims, fields);
	matvar_t *dict = NULL, *objs = NULL, *attrs = NULL, *sg = NULL, *arr = NULL;
	double one = 1, t = 0, dt = host->network_dt(net);
	int rc = NS_OK, ok;

	host->network_time(net, &t, NULL);
	for (size_t i = 0; i < n_obj; i++)
		for (size_t k = 0; k < w->objs[i].oi.n_attrs; k++)
			n_attr += w->objs[i].fields[k][0] != '\0';
	/* semiglobal attributes whose post neurons do not all have synapses */
	for (size_t i = 0; i < n_obj; i++)
		for (size_t k = 0; k < w->objs[i].oi.n_attrs; k++) {
			ns_attr_info ai;
			int all;
			host->attr_get_info(&ai, host->object_attr_at(w->objs[i].obj, k));
			if (ai.scope != NS_SEMIGLOBAL)
				continue;
			if ((rc = nsp_rows_cover(&all, w->objs[i].obj, ai.count)) < 0)
				goto done;
			n_sg += !all;
		}
	if (!st || !(dict = mk_cell(n_meta, 2)) || !(objs = mk_cell(n_obj, 2)) ||
	    !(attrs = mk_cell(n_attr, 5)) || !(sg = mk_cell(n_sg, 3)) ||
	    !(arr = mk_cell(n_arr, 5)))
		goto oom;
	for (size_t i = 0; i < n_meta; i++) {
		const char *key, *str;
		double x;
		if ((rc = host->network_meta_at(&key, &str, &x, net, i)) < 0)
			goto done;
		if (!put(dict, n_meta, i, 0, mt_mk_str(key)) ||
		    !put(dict, n_meta, i, 1, str ? mt_mk_str(str) : mt_mk_num(NS_DTYPE_F64, 1, 1, &x)))
			goto oom;
	}
	for (size_t i = 0; i < n_obj; i++) {
		const wobj *o = &w->objs[i];
		if (!put(objs, n_obj, i, 0, mt_mk_str(o->oi.name)) ||
		    !put(objs, n_obj, i, 1, mt_mk_str(o->oi.type)))
			goto oom;
		for (size_t k = 0; k < o->oi.n_attrs; k++) {
			ns_attr *a = host->object_attr_at(o->obj, k);
			ns_attr_info ai;
			void *data;
			int all;
			host->attr_get_info(&ai, a);
			if (ai.scope == NS_ARRAY) /* in 'arrays' */
				continue;
			ok = put(attrs, n_attr, a_row, 0, mt_mk_str(o->oi.name)) &&
			     put(attrs, n_attr, a_row, 1, mt_mk_str(ai.name)) &&
			     put(attrs, n_attr, a_row, 2, mt_mk_str(host->attr_kind_name(ai.kind))) &&
			     put(attrs, n_attr, a_row, 3, mt_mk_str(host->scope_name(ai.scope))) &&
			     put(attrs, n_attr, a_row, 4, mt_mk_str(host->dtype_name(ai.dtype)));
			a_row++;
			if (!ok)
				goto oom;
			if (ai.scope != NS_SEMIGLOBAL)
				continue;
			if ((rc = nsp_rows_cover(&all, o->obj, ai.count)) < 0)
				goto done;
			if (all)
				continue;
			if ((rc = host->attr_data(&data, a)) < 0)
				goto done;
			ok = put(sg, n_sg, s_row, 0, mt_mk_str(o->oi.name)) &&
			     put(sg, n_sg, s_row, 1, mt_mk_str(ai.name)) &&
			     put(sg, n_sg, s_row, 2, mt_mk_num(ai.dtype, 1, (size_t)ai.count, data));
			s_row++;
			if (!ok)
				goto oom;
		}
	}
	{
		nsp_arrays it = { net, 0, 0 };
		const char *owner;
		ns_attr *a;
		for (size_t row = 0; nsp_arrays_next(&it, &owner, &a); row++) {
			ns_attr_info ai;
			void *data;
			host->attr_get_info(&ai, a);
			if ((rc = host->attr_data(&data, a)) < 0)
				goto done;
			ok = put(arr, n_arr, row, 0, mt_mk_str(owner)) &&
			     put(arr, n_arr, row, 1, mt_mk_str(ai.name)) &&
			     put(arr, n_arr, row, 2, mt_mk_str(host->attr_kind_name(ai.kind))) &&
			     put(arr, n_arr, row, 3, mt_mk_str(host->dtype_name(ai.dtype))) &&
			     put(arr, n_arr, row, 4, mt_mk_num(ai.dtype, 1, (size_t)ai.count, data));
			if (!ok)
				goto oom;
		}
	}
	{
		matvar_t *f[] = { mt_mk_num(NS_DTYPE_F64, 1, 1, &one), mt_mk_str(host->network_name(net)),
				  mt_mk_num(NS_DTYPE_F64, 1, 1, &t), mt_mk_num(NS_DTYPE_F64, 1, 1, &dt) };
		for (int k = 0; k < 4; k++)
			if (f[k])
				Mat_VarSetStructFieldByName(st, fields[k], 0, f[k]);
		for (int k = 0; k < 4; k++)
			if (!f[k])
				goto oom;
	}
	Mat_VarSetStructFieldByName(st, "dictionary", 0, dict);
	Mat_VarSetStructFieldByName(st, "objects", 0, objs);
	Mat_VarSetStructFieldByName(st, "attributes", 0, attrs);
	Mat_VarSetStructFieldByName(st, "semiglobal", 0, sg);
	Mat_VarSetStructFieldByName(st, "arrays", 0, arr);
	dict = objs = attrs = sg = arr = NULL;
	*out = st;
	st = NULL;
	goto done;
oom:
	rc = host->error(NS_ENOMEM, "file '%s': variable '%s': out of memory%s%s", w->path,
			 MT_RECORD_VAR, mt_log_failed() ? " or matio failed: " : "",
			 mt_log_failed() ? mt_log_text() : "");
done:
	Mat_VarFree(dict);
	Mat_VarFree(objs);
	Mat_VarFree(attrs);
	Mat_VarFree(sg);
	Mat_VarFree(arr);
	Mat_VarFree(st);
	return rc;
}
