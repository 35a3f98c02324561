/* Export: ANNarchy's save() dict as scipy.io.savemat writes it, through
 * matio into a private temporary file, then copied into the stream.
 *
 * Variables time_step and net_id (1x1 int64), one 1x1 struct per
 * population and projection, obj_names last (import checks that the
 * objects it lists are there: a cut file is not a smaller network).
 * Populations: name, geometry and size (int64), the lists attributes,
 * parameters, variables (space-padded char matrices), local attributes as
 * arrays shaped by the geometry (a C-order (a, b) array is MATLAB's a x b
 * matrix, as savemat writes numpy's; 1-D as a row), globals 1x1. Every
 * attribute keeps its class: double, single, int64, int32, uint8, logical.
 * Projections: name, pre, post, target, post_ranks (1 x rows int64),
 * pre_ranks (rows x k int64 when every row has k synapses, else a 1 x rows
 * cell of rows), local attributes shaped like pre_ranks, semiglobal ones
 * one per row, globals 1x1; 'delays' outside the lists, as annarchy does.
 * Rows are the post neurons with synapses, ascending; a row's synapses are
 * in the network's order (as the pickle plugin writes them). */
#include "mat.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

/* MAT v5 sizes are 32-bit; MATLAB's limit for one variable is 2^31-1. */
#define V5_MAX_BYTES ((uint64_t)INT32_MAX)
#define COPY_CHUNK ((size_t)64 << 10)

static const char *const pop_fields[] = { "name", "geometry", "size", "attributes",
					  "parameters", "variables", NULL };
static const char *const proj_fields[] = { "name", "pre", "post", "target", "post_ranks",
					   "pre_ranks", "attributes", "parameters", "variables",
					   NULL };
static const char *const top_vars[] = { "time_step", "net_id", "obj_names", MT_NAMES_VAR,
					NULL };

/* An object to write: its variable and field names. */
typedef struct wobj {
	ns_object *obj;
	ns_object_info oi;
	char var[MT_NAME_MAX + 1];
	char (*fields)[MT_NAME_MAX + 1]; /* one per attribute */
} wobj;

typedef struct wr {
	const char *path;
	int rename;
	enum matio_compression compress;
	mat_t *mat;
	mt_names names;
	wobj *objs;
	size_t n_objs;
} wr;

static int oom(void)
{
	return host->error(NS_ENOMEM, "out of memory");
}

static int in_list(const char *const *list, const char *s)
{
	for (; *list; list++)
		if (strcmp(*list, s) == 0)
			return 1;
	return 0;
}

/* ------------------------------------------------------------------ names */

/* The MATLAB name of @name into @out: itself, or (with rename) escaped and
 * recorded under @prefix.out. @what names it for messages. */
static int mat_name(wr *w, char out[MT_NAME_MAX + 1], const char *name, const char *prefix,
		    const char *what)
{
	char key[2 * MT_NAME_MAX + 2];
	if (mt_name_valid(name)) {
		strcpy(out, name);
		return NS_OK;
	}
	if (!w->rename)
		return host->error(NS_EINVAL, "file '%s': %s '%s' is not a valid MATLAB name "
				      "(1 to 63 characters: a letter, then letters, digits and "
				      "'_'); rename it, or export with the option rename to rename "
				      "it reversibly", w->path, what, name);
	mt_name_escape(out, name);
	snprintf(key, sizeof key, "%s%s%s", prefix ? prefix : "", prefix ? "." : "", out);
	return mt_names_add(&w->names, key, name);
}

static int clash(const wr *w, const char *what, const char *a, const char *b, const char *as)
{
	return host->error(NS_EINVAL, "file '%s': %s '%s' and '%s' would both be written "
			      "as '%s'", w->path, what, a, b, as);
}

/* Names of every object and attribute, checked before anything is
 * written. */
static int plan_names(wr *w, const ns_network *net)
{
	size_t n = host->network_object_count(net);
	char what[320];
	int rc;

	if (!(w->objs = host->alloc(n * sizeof *w->objs + 1)))
		return oom();
	memset(w->objs, 0, n * sizeof *w->objs + 1);
	for (size_t i = 0; i < n; i++) {
		wobj *o = &w->objs[i];
		const char *const *reserved;
		o->obj = host->network_object_at(net, i);
		host->object_get_info(&o->oi, o->obj);
		w->n_objs = i + 1;
		reserved = o->oi.kind == NS_POPULATION ? pop_fields : proj_fields;
		snprintf(what, sizeof what, "%s", o->oi.kind == NS_POPULATION ? "population" :
			 "projection");
		if ((rc = mat_name(w, o->var, o->oi.name, NULL, what)) < 0)
			return rc;
		if (in_list(top_vars, o->var))
			return host->error(NS_EINVAL, "file '%s': %s '%s' has the name of a "
					      "variable of ANNarchy's layout", w->path, what,
					      o->oi.name);
		for (size_t j = 0; j < i; j++)
			if (strcmp(w->objs[j].var, o->var) == 0)
				return clash(w, "objects", w->objs[j].oi.name, o->oi.name, o->var);
		if (!(o->fields = host->alloc(o->oi.n_attrs * sizeof *o->fields + 1)))
			return oom();
		for (size_t a = 0; a < o->oi.n_attrs; a++) {
			ns_attr_info ai, bi;
			host->attr_get_info(&ai, host->object_attr_at(o->obj, a));
			snprintf(what, sizeof what, "%s '%s': attribute", o->oi.kind == NS_POPULATION ?
				 "population" : "projection", o->oi.name);
			if ((rc = mat_name(w, o->fields[a], ai.name, o->var, what)) < 0)
				return rc;
			if (in_list(reserved, o->fields[a]))
				return host->error(NS_EINVAL, "file '%s': %s '%s' has the name of "
						      "a field of ANNarchy's layout", w->path,
						      what, ai.name);
			for (size_t b = 0; b < a; b++)
				if (strcmp(o->fields[b], o->fields[a]) == 0) {
					host->attr_get_info(&bi, host->object_attr_at(o->obj, b));
					return clash(w, "attributes", bi.name, ai.name, o->fields[a]);
				}
		}
	}
	return NS_OK;
}

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

/* An array of @t (matio copies @data). */
static matvar_t *mk_num(ns_dtype t, size_t d0, size_t d1, const void *data)
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
	return mk_num(NS_DTYPE_I64, d0, d1, data);
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

/* A char matrix of @n strings, one per row, space-padded (as savemat
 * writes a list of str): bytes when all are ASCII, else UTF-16. */
static matvar_t *mk_strs(const char *const *s, size_t n)
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

static matvar_t *mk_str(const char *s)
{
	return mk_strs(&s, 1);
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
		if (strcmp(ai.name, "delays") != 0 && (kind < 0 || (int)ai.kind == kind))
			list[n++] = o->fields[a];
	}
	v = n ? mk_strs(list, n) : mk_num(NS_DTYPE_F64, 0, 0, NULL); /* savemat's [] */
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
		names[nf + a] = o->fields[a];
	names[nf + o->oi.n_attrs] = NULL;
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
	if ((rc = set(w, o, st, "name", mk_str(o->oi.name))) < 0 ||
	    (rc = set(w, o, st, "attributes", mk_names(o, -1))) < 0 ||
	    (rc = set(w, o, st, "parameters", mk_names(o, NS_PARAMETER))) < 0 ||
	    (rc = set(w, o, st, "variables", mk_names(o, NS_VARIABLE))) < 0)
		return rc;
	return NS_OK;
}

static int build_population(matvar_t **out, const wr *w, const wobj *o)
{
	const ns_object_info *oi = &o->oi;
	uint64_t flat = oi->size;
	const uint64_t *shape = oi->ndim ? oi->shape : &flat;
	unsigned ndim = oi->ndim ? oi->ndim : 1;
	int64_t geom[NS_MAX_DIMS], size = (int64_t)oi->size;
	size_t dims[NS_MAX_DIMS];
	matvar_t *st = mk_struct(o, pop_fields);
	unsigned char *buf = NULL;
	int rc;

	if (!st)
		return oom();
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
		es = host->dtype_size(ai.dtype);
		if ((rc = host->attr_data(&data, attr)) < 0)
			goto done;
		if (ai.scope == NS_GLOBAL || ndim < 2) {
			f = mk_num(ai.dtype, 1, (size_t)ai.count, data);
		} else {
			/* C order -> column-major: MATLAB's a x b x ... array */
			host->free(buf);
			if (!(buf = host->alloc((size_t)ai.count * es + 1))) {
				rc = oom();
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
		return oom();
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
		v = mk_num(t, r->n, k, buf);
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
			if (!(row = mk_num(t, 1, len, buf))) {
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

static int build_projection(matvar_t **out, const wr *w, const wobj *o)
{
	prows r = { 0 };
	matvar_t *st = mk_struct(o, proj_fields);
	unsigned char *buf = NULL;
	int64_t *post_ranks = NULL;
	int rc;

	if (!st)
		return oom();
	if ((rc = rows_of(&r, o->obj)) < 0)
		goto done;
	if (!(post_ranks = host->alloc(r.n * sizeof *post_ranks + 1))) {
		rc = oom();
		goto done;
	}
	for (size_t i = 0; i < r.n; i++)
		post_ranks[i] = r.s[r.start[i]].post;
	if ((rc = common_fields(w, o, st)) < 0 ||
	    (rc = set(w, o, st, "pre", mk_str(o->oi.pre))) < 0 ||
	    (rc = set(w, o, st, "post", mk_str(o->oi.post))) < 0 ||
	    (rc = set(w, o, st, "target", mk_str(o->oi.target))) < 0 ||
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
		es = host->dtype_size(ai.dtype);
		if ((rc = host->attr_data(&data, attr)) < 0)
			goto done;
		if (ai.scope == NS_GLOBAL) {
			f = mk_num(ai.dtype, 1, 1, data);
		} else if (ai.scope == NS_SEMIGLOBAL) {
			host->free(buf);
			if (!(buf = host->alloc(r.n * es + 1))) {
				rc = oom();
				goto done;
			}
			for (size_t i = 0; i < r.n; i++) {
				size_t p = (size_t)r.s[r.start[i]].post;
				memcpy(buf + i * es, (const unsigned char *)data +
				       (p < ai.count ? p : 0) * es, es);
			}
			f = mk_num(ai.dtype, 1, r.n, buf);
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

/* ------------------------------------------------------------------ sizes */

/* About the bytes object @o takes in a v5 file: its arrays, and tags and
 * headers for each array (a cell row costs one). */
static uint64_t estimate(const wobj *o)
{
	uint64_t bytes = 4096, rows = 0, n = 0;
	if (o->oi.kind == NS_PROJECTION) {
		n = host->projection_synapses(o->obj);
		rows = n; /* at most one row per synapse: the upper bound is enough */
		bytes += 16 * n + 64 * rows;
	}
	for (size_t a = 0; a < o->oi.n_attrs; a++) {
		ns_attr_info ai;
		host->attr_get_info(&ai, host->object_attr_at(o->obj, a));
		bytes += 128 + ai.count * host->dtype_size(ai.dtype) +
			 (ai.scope == NS_LOCAL ? 64 * rows : 0);
	}
	return bytes;
}

/* ----------------------------------------------------------------- export */

/* An on/off option: absent or "0", "no", "false", "off" is off. */
static int flag(int *out, const wr *w, const ns_plugin_args *args, const char *name)
{
	const char *v = host->option(args, name);
	*out = 0;
	if (!v || strcmp(v, "0") == 0 || strcmp(v, "no") == 0 || strcmp(v, "false") == 0 ||
	    strcmp(v, "off") == 0)
		return NS_OK;
	if (!*v || strcmp(v, "1") == 0 || strcmp(v, "yes") == 0 || strcmp(v, "true") == 0 ||
	    strcmp(v, "on") == 0) {
		*out = 1;
		return NS_OK;
	}
	return host->error(NS_EINVAL, "file '%s': option %s=%s of the mat format: give %s, "
			      "%s=1 or %s=0", w->path, name, v, name, name, name);
}

static int write_var(wr *w, matvar_t *v, const char *var)
{
	int failed;
	if (!v)
		return host->error(NS_ENOMEM, "file '%s': variable '%s': out of memory", w->path,
				      var);
	mt_log_reset();
	failed = Mat_VarWrite(w->mat, v, w->compress) != 0 || mt_log_failed();
	Mat_VarFree(v);
	if (failed)
		return host->error(NS_EIO, "file '%s': variable '%s': matio cannot write it: %s",
				      w->path, var, mt_log_text());
	return NS_OK;
}

static int write_names(wr *w)
{
	size_t dims[2] = { w->names.n, 2 };
	matvar_t *v = Mat_VarCreate(MT_NAMES_VAR, MAT_C_CELL, MAT_T_CELL, 2, dims, NULL, 0);
	for (size_t i = 0; v && i < w->names.n; i++) {
		matvar_t *k = mk_str(w->names.keys[i]), *o = mk_str(w->names.originals[i]);
		if (!k || !o) {
			Mat_VarFree(k);
			Mat_VarFree(o);
			Mat_VarFree(v);
			return write_var(w, NULL, MT_NAMES_VAR);
		}
		Mat_VarSetCell(v, (int)i, k);
		Mat_VarSetCell(v, (int)(i + w->names.n), o);
	}
	return write_var(w, v, MT_NAMES_VAR);
}

static int write_obj_names(wr *w)
{
	static const char *const fields[] = { "populations", "projections", NULL };
	size_t dims[2] = { 1, 1 };
	matvar_t *st = Mat_VarCreateStruct2("obj_names", 2, dims, fields);
	const char **list = host->alloc(w->n_objs * sizeof *list + 1);
	int rc = NS_OK;
	for (int kind = 0; st && list && kind < 2; kind++) {
		size_t n = 0;
		matvar_t *f;
		for (size_t i = 0; i < w->n_objs; i++)
			if ((int)w->objs[i].oi.kind == kind)
				list[n++] = w->objs[i].var;
		f = n ? mk_strs(list, n) : mk_num(NS_DTYPE_F64, 0, 0, NULL);
		if (!f) {
			Mat_VarFree(st);
			st = NULL;
			break;
		}
		Mat_VarSetStructFieldByName(st, fields[kind], 0, f);
	}
	host->free((void *)list);
	rc = write_var(w, st, "obj_names");
	return rc;
}

/* Deflate one v5 element (@n bytes: tag and data) into an miCOMPRESSED
 * element, as MATLAB writes them. matio's own compressed writer declares
 * sizes that do not match the arrays it writes (1.5.23: a struct's size
 * counts small elements as full ones), so nsnap compresses matio's plain
 * output instead. */
static int put_compressed(ns_ostream *out, const unsigned char *el, size_t n, const char *path)
{
	uLongf zn = compressBound((uLong)n);
	unsigned char *z = host->alloc((size_t)zn + 8);
	int rc;
	if (!z)
		return oom();
	if (compress2(z + 8, &zn, el, (uLong)n, Z_DEFAULT_COMPRESSION) != Z_OK || zn > UINT32_MAX) {
		host->free(z);
		return host->error(NS_EIO, "file '%s': zlib cannot compress a variable", path);
	}
	for (int k = 0; k < 4; k++) {
		z[k] = (unsigned char)(15u >> (8 * k));
		z[4 + k] = (unsigned char)((uint32_t)zn >> (8 * k));
	}
	rc = host->write(out, z, (size_t)zn + 8);
	host->free(z);
	return rc;
}

/* matio's file into the stream; a v5 file's variables compressed one by
 * one when @compress. */
static int copy_out(ns_ostream *out, const char *tmp, const char *path, int compress)
{
	unsigned char *buf = NULL;
	size_t n = 0, got;
	FILE *fp = fopen(tmp, "rb");
	int rc = NS_OK;

	if (!fp)
		return host->error(NS_EIO, "file '%s': cannot read back matio's temporary file "
				      "'%s'", path, tmp);
	if (!compress) {
		if (!(buf = host->alloc(COPY_CHUNK))) {
			rc = oom();
			goto done;
		}
		while (rc == NS_OK && (got = fread(buf, 1, COPY_CHUNK, fp)) > 0)
			rc = host->write(out, buf, got);
	} else {
		unsigned char head[128];
		if (fread(head, 1, sizeof head, fp) != sizeof head) {
			rc = host->error(NS_EIO, "file '%s': matio wrote no header", path);
			goto done;
		}
		rc = host->write(out, head, sizeof head);
		while (rc == NS_OK && fread(head, 1, 8, fp) == 8) {
			size_t len = (size_t)head[4] | (size_t)head[5] << 8 | (size_t)head[6] << 16 |
				     (size_t)head[7] << 24;
			unsigned char *p;
			if (len + 8 > n) {
				if (!(p = host->realloc(buf, len + 8))) {
					rc = oom();
					goto done;
				}
				buf = p;
				n = len + 8;
			}
			memcpy(buf, head, 8);
			if (fread(buf + 8, 1, len, fp) != len) {
				rc = host->error(NS_EIO, "file '%s': matio's temporary file '%s' "
						    "is cut short", path, tmp);
				goto done;
			}
			rc = put_compressed(out, buf, len + 8, path);
		}
	}
	if (rc == NS_OK && ferror(fp))
		rc = host->error(NS_EIO, "file '%s': cannot read back matio's temporary file "
				    "'%s'", path, tmp);
done:
	fclose(fp);
	host->free(buf);
	return rc;
}

int mt_export(ns_ostream *out, const ns_network *net, const ns_plugin_args *args)
{
	wr w = { mt_path(args), 0, MAT_COMPRESSION_NONE, NULL, { 0 }, NULL, 0 };
	const char *version = host->option(args, "version");
	enum mat_ft ft = MAT_FT_MAT5;
	char tmp[4096] = "";
	uint64_t step = 0;
	int64_t v64;
	int rc, compress;

	if (version && strcmp(version, "7.3") == 0)
		ft = MAT_FT_MAT73;
	else if (version && strcmp(version, "5") != 0)
		return host->error(NS_EINVAL, "file '%s': option version=%s of the mat format: "
				      "give version=5 or version=7.3", w.path, version);
	if ((rc = flag(&compress, &w, args, "compress")) < 0 ||
	    (rc = flag(&w.rename, &w, args, "rename")) < 0 || (rc = plan_names(&w, net)) < 0)
		goto done;
	for (size_t i = 0; ft == MAT_FT_MAT5 && i < w.n_objs; i++)
		if (estimate(&w.objs[i]) > V5_MAX_BYTES) {
			host->log(NS_LOG_WARNING, "file '%s': %s '%s' is too large for MAT v5 "
				     "(2 GiB per variable); writing MAT v7.3 (HDF5) instead", w.path,
				     w.objs[i].oi.kind == NS_POPULATION ? "population" :
				     "projection", w.objs[i].oi.name);
			ft = MAT_FT_MAT73;
		}
	/* v5: compressed by copy_out(); v7.3: by HDF5 through matio */
	w.compress = compress && ft == MAT_FT_MAT73 ? MAT_COMPRESSION_ZLIB : MAT_COMPRESSION_NONE;
	if ((rc = mt_tmpfile(tmp, sizeof tmp, w.path)) < 0)
		goto done;
	mt_log_reset();
	if (!(w.mat = Mat_CreateVer(tmp, NULL, ft)) || mt_log_failed()) {
		rc = host->error(NS_EIO, "file '%s': matio cannot create a MAT %s file: %s",
				    w.path, ft == MAT_FT_MAT73 ? "v7.3" : "v5", mt_log_text());
		goto done;
	}
	host->network_time(net, NULL, &step);
	v64 = (int64_t)step;
	if ((rc = write_var(&w, Mat_VarCreate("time_step", MAT_C_INT64, MAT_T_INT64, 2,
					      (size_t[2]){ 1, 1 }, &v64, 0), "time_step")) < 0)
		goto done;
	v64 = 0;
	if ((rc = write_var(&w, Mat_VarCreate("net_id", MAT_C_INT64, MAT_T_INT64, 2,
					      (size_t[2]){ 1, 1 }, &v64, 0), "net_id")) < 0)
		goto done;
	for (size_t i = 0; i < w.n_objs; i++) {
		matvar_t *v = NULL;
		rc = w.objs[i].oi.kind == NS_POPULATION ? build_population(&v, &w, &w.objs[i]) :
		     build_projection(&v, &w, &w.objs[i]);
		if (rc < 0 || (rc = write_var(&w, v, w.objs[i].var)) < 0)
			goto done;
	}
	if ((w.names.n && (rc = write_names(&w)) < 0) || (rc = write_obj_names(&w)) < 0)
		goto done;
	mt_log_reset();
	rc = Mat_Close(w.mat);
	w.mat = NULL;
	if (rc != 0 || mt_log_failed()) {
		rc = host->error(NS_EIO, "file '%s': matio cannot finish the file: %s", w.path,
				    mt_log_text());
		goto done;
	}
	if ((rc = copy_out(out, tmp, w.path, compress && ft == MAT_FT_MAT5)) < 0)
		goto done;
	if (args && args->verbose)
		host->log(NS_LOG_INFO, "file '%s': MAT %s%s, %zu objects%s", w.path,
			     ft == MAT_FT_MAT73 ? "v7.3" : "v5", compress ? " compressed" : "",
			     w.n_objs, w.names.n ? ", names renamed (see nsnap_names)" : "");
done:
	if (w.mat)
		Mat_Close(w.mat);
	if (tmp[0])
		unlink(tmp);
	for (size_t i = 0; i < w.n_objs; i++)
		host->free(w.objs[i].fields);
	host->free(w.objs);
	mt_names_free(&w.names);
	return rc;
}
