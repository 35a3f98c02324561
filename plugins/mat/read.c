/* Import: a MAT file in ANNarchy's layout (as scipy.io.savemat writes
 * ANNarchy's save() dict, or MATLAB/Octave saves the same structs) into a
 * new network, with the choices of the pickle plugin's annarchy.c:
 *
 * - a whole network (time_step, net_id, obj_names and one 1x1 struct per
 *   population and projection), or one object's fields as variables
 *   (Population.save('x.mat'));
 * - populations: size, geometry and the attributes the lists name, local
 *   ones as arrays of size values (shaped by the geometry, column-major as
 *   MATLAB keeps them, or flat), global ones as 1x1;
 * - projections: post_ranks and pre_ranks (a matrix of one row per post
 *   rank, or a cell of rows) give the synapses; attributes as rows like
 *   pre_ranks (local), one value per row (semiglobal) or 1x1 (global);
 *   the lists 'attributes', 'parameters', 'variables' name fields;
 *   'delays' is a parameter when the lists do not name it;
 * - a projection's population missing from the file is a placeholder
 *   sized by the largest rank used + 1;
 * - nsnap_names restores names renamed on export.
 *
 * The file goes through mt_check_v5() (v5) before matio reads it from a
 * private temporary copy; every array is checked again here. */
#include "mat.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define READ_CHUNK ((size_t)1 << 20)

typedef struct rd {
	const char *path;
	const ns_plugin_args *args;
	ns_network *net;
	matvar_t **vars;
	size_t n_vars, cap;
	mt_names names;
} rd;

/* Fields of a 1x1 struct, or the file's variables as the fields of one
 * object. */
typedef struct fields {
	matvar_t **v;
	char *const *names; /* NULL: each v[i]->name */
	size_t n;
	const char *var;    /* the variable, for messages and renamed names */
} fields;

static int fail(const rd *r, const char *var, const char *field, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int fail(const rd *r, const char *var, const char *field, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (var && field)
		return mt_host->error(NS_EFORMAT, "file '%s': variable '%s': field '%s' %s",
				      r->path, var, field, msg);
	if (var)
		return mt_host->error(NS_EFORMAT, "file '%s': variable '%s': %s", r->path, var,
				      msg);
	return mt_host->error(NS_EFORMAT, "file '%s': %s", r->path, msg);
}

static int oom(void)
{
	return mt_host->error(NS_ENOMEM, "out of memory");
}

static matvar_t *get(const fields *f, const char *name)
{
	for (size_t i = 0; i < f->n; i++) {
		const char *n = f->names ? f->names[i] : f->v[i] ? f->v[i]->name : NULL;
		if (n && strcmp(n, name) == 0)
			return f->v[i];
	}
	return NULL;
}

static int fields_of(fields *f, const matvar_t *st, const char *var)
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

static uint64_t count_of(const matvar_t *v)
{
	uint64_t n = 1;
	if (!v->dims || v->rank < 1)
		return 0;
	for (int k = 0; k < v->rank; k++)
		n *= v->dims[k];
	return n;
}

/* The element type of a numeric or logical array; 0 when it is not one. */
static int dtype_of(ns_dtype *t, const matvar_t *v)
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

/* A numeric array whose data matio holds for its count: 1, else 0. */
static int numeric(const matvar_t *v)
{
	ns_dtype t;
	uint64_t n;
	if (!v || !dtype_of(&t, v))
		return 0;
	n = count_of(v);
	return n == 0 || (v->data && v->nbytes / Mat_SizeOfClass(v->class_type) >= n);
}

/* Element @i as an integer (exact for every integer class) and a double. */
static int elem(const matvar_t *v, size_t i, int64_t *l, double *d)
{
	const void *p = v->data;
	switch (v->class_type) {
	case MAT_C_DOUBLE: *d = ((const double *)p)[i]; *l = (int64_t)*d; return 1;
	case MAT_C_SINGLE: *d = ((const float *)p)[i]; *l = (int64_t)*d; return 1;
	case MAT_C_INT8: *l = ((const int8_t *)p)[i]; break;
	case MAT_C_UINT8: *l = ((const uint8_t *)p)[i]; break;
	case MAT_C_INT16: *l = ((const int16_t *)p)[i]; break;
	case MAT_C_UINT16: *l = ((const uint16_t *)p)[i]; break;
	case MAT_C_INT32: *l = ((const int32_t *)p)[i]; break;
	case MAT_C_UINT32: *l = ((const uint32_t *)p)[i]; break;
	case MAT_C_INT64: *l = ((const int64_t *)p)[i]; break;
	case MAT_C_UINT64:
		if (((const uint64_t *)p)[i] > INT64_MAX)
			return 0;
		*l = (int64_t)((const uint64_t *)p)[i];
		break;
	default: return 0;
	}
	*d = (double)*l;
	return 1;
}

/* Store element @i of @v as element @k of the @t array @data. */
static int put(void *data, ns_dtype t, size_t k, const matvar_t *v, size_t i)
{
	int64_t l;
	double d;
	if (!elem(v, i, &l, &d))
		return 0;
	switch (t) {
	case NS_DTYPE_F64: ((double *)data)[k] = d; break;
	case NS_DTYPE_F32: ((float *)data)[k] = (float)d; break;
	case NS_DTYPE_I64: ((int64_t *)data)[k] = l; break;
	case NS_DTYPE_I32: ((int32_t *)data)[k] = (int32_t)l; break;
	case NS_DTYPE_U8: ((uint8_t *)data)[k] = (uint8_t)l; break;
	default: ((uint8_t *)data)[k] = d != 0; break;
	}
	return 1;
}

/* A count or rank: a whole number from 0 to @max. */
static int whole(uint64_t *out, const matvar_t *v, size_t i, double max)
{
	int64_t l;
	double d;
	if (!elem(v, i, &l, &d) || !(d >= 0 && d <= max) || d != floor(d))
		return 0;
	*out = (uint64_t)l;
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

/* Row @row of the char array @v (trailing blanks cut) in a new string:
 * UTF-16 (v7.3, and nsnap's non-ASCII text) becomes UTF-8; bytes stay. */
static int str_row(char **out, const matvar_t *v, size_t row)
{
	size_t rows = v->rank >= 1 ? v->dims[0] : 0, cols = rows ? (size_t)count_of(v) / rows : 0;
	int wide = v->data_type == MAT_T_UINT16 || v->data_type == MAT_T_UTF16;
	char *s, *o;
	if (cols && (!v->data || v->nbytes < rows * cols * (wide ? 2 : 1)))
		return 0;
	if (!(s = o = mt_host->alloc(cols * 4 + 1)))
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

/* A string field (a char row, or the first row of a char matrix). */
static int get_str(char **out, const rd *r, const fields *f, const char *name, int required)
{
	matvar_t *v = get(f, name);
	int rc;
	*out = NULL;
	if (!v) {
		if (required)
			return fail(r, f->var, name, "is missing");
		return NS_OK;
	}
	if (v->class_type == MAT_C_CELL && count_of(v) >= 1 && v->data)
		v = ((matvar_t **)v->data)[0]; /* a list of targets: the first */
	if (!v || v->class_type != MAT_C_CHAR) {
		if (v && numeric(v) && count_of(v) == 0 && !required)
			return NS_OK;
		return fail(r, f->var, name, "is not a string");
	}
	if (count_of(v) == 0) {
		if (!(*out = mt_host->alloc(1)))
			return oom();
		**out = '\0';
		return NS_OK;
	}
	if ((rc = str_row(out, v, 0)) < 0)
		return oom();
	return rc ? NS_OK : fail(r, f->var, name, "is a damaged char array");
}

/* A list of names: a char matrix (one per row), a cell of strings, or an
 * empty array. @n is SIZE_MAX when the field is missing. */
typedef struct strs {
	char **s;
	size_t n;
} strs;

static void strs_free(strs *l)
{
	if (l->s)
		for (size_t i = 0; i < l->n; i++)
			mt_host->free(l->s[i]);
	mt_host->free(l->s);
	l->s = NULL;
}

static int get_strs(strs *l, const rd *r, const fields *f, const char *name)
{
	matvar_t *v = get(f, name);
	size_t n;
	int cell;
	l->s = NULL;
	l->n = SIZE_MAX;
	if (!v)
		return NS_OK;
	l->n = 0;
	if (count_of(v) == 0 && (v->class_type == MAT_C_CHAR || v->class_type == MAT_C_CELL ||
				 numeric(v)))
		return NS_OK;
	cell = v->class_type == MAT_C_CELL;
	if (!cell && v->class_type != MAT_C_CHAR)
		return fail(r, f->var, name, "is not a list of names (a char matrix or a cell)");
	if (cell && !v->data)
		return fail(r, f->var, name, "is a damaged cell");
	n = cell ? (size_t)count_of(v) : v->dims[0];
	if (!(l->s = mt_host->alloc(n * sizeof *l->s + 1)))
		return oom();
	for (size_t i = 0; i < n; i++) {
		const matvar_t *e = cell ? ((matvar_t **)v->data)[i] : v;
		int rc;
		if (!e || e->class_type != MAT_C_CHAR || (cell && e->rank >= 1 && e->dims[0] > 1))
			return fail(r, f->var, name, "holds a member that is not a string");
		if (count_of(e) == 0) {
			if (!(l->s[i] = mt_host->alloc(1)))
				return oom();
			l->s[i][0] = '\0';
		} else if ((rc = str_row(&l->s[i], e, cell ? 0 : i)) <= 0) {
			return rc < 0 ? oom() : fail(r, f->var, name, "is a damaged char array");
		}
		l->n = i + 1;
	}
	return NS_OK;
}

static int in_strs(const strs *l, const char *s)
{
	for (size_t i = 0; l->s && i < l->n; i++)
		if (strcmp(l->s[i], s) == 0)
			return 1;
	return 0;
}

/* The attribute held by field @fn of object variable @var: its original
 * name when it was renamed on export, else the field's name. */
static const char *attr_name(const rd *r, const char *var, const char *fn)
{
	size_t len = strlen(var);
	for (size_t i = 0; i < r->names.n; i++) {
		const char *k = r->names.keys[i];
		if (strncmp(k, var, len) == 0 && k[len] == '.' && strcmp(k + len + 1, fn) == 0)
			return r->names.originals[i];
	}
	return fn;
}

/* The name of object variable @var: its original when it was renamed. */
static const char *object_name(const rd *r, const char *var)
{
	const char *o = mt_names_find(&r->names, var);
	return o ? o : var;
}

/* ------------------------------------------------------------ populations */

/* Copy the local array @v of a population of geometry @shape (@ndim) into
 * @data in C order. MATLAB's array is column-major: an array of the
 * geometry's shape is reordered; a vector is taken as flat. */
static int copy_local(const rd *r, const fields *f, const char *field, void *data, ns_dtype t,
		      const matvar_t *v, const uint64_t *shape, unsigned ndim, uint64_t n)
{
	size_t idx[NS_MAX_DIMS] = { 0 }, stride[NS_MAX_DIMS];
	unsigned long long ext[NS_MAX_DIMS];
	int vector = 0, same = 1;
	char geom[160] = "", dims[160] = "";

	for (int k = 0; k < v->rank; k++)
		if (v->dims[k] != 1)
			vector++;
	vector = vector <= 1;
	for (unsigned k = 0; k < ndim || (int)k < v->rank; k++) {
		uint64_t a = k < ndim ? shape[k] : 1, b = (int)k < v->rank ? v->dims[k] : 1;
		same &= a == b;
	}
	if (!vector && !same) {
		for (unsigned k = 0; k < ndim; k++)
			snprintf(geom + strlen(geom), sizeof geom - strlen(geom), "%s%llu",
				 k ? ", " : "", (unsigned long long)shape[k]);
		for (int k = 0; k < v->rank; k++)
			snprintf(dims + strlen(dims), sizeof dims - strlen(dims), "%s%zu",
				 k ? "x" : "", v->dims[k]);
		return fail(r, f->var, field, "is %s, not shaped by the geometry (%s)", dims, geom);
	}
	if (vector || ndim < 2) {
		for (uint64_t i = 0; i < n; i++)
			put(data, t, (size_t)i, v, (size_t)i);
		return NS_OK;
	}
	/* C-order position -> column-major position of the same subscripts */
	for (unsigned k = 0; k < ndim; k++) {
		ext[k] = shape[k];
		stride[k] = k ? stride[k - 1] * (size_t)ext[k - 1] : 1;
	}
	for (uint64_t i = 0; i < n; i++) {
		size_t src = 0;
		for (unsigned k = 0; k < ndim; k++)
			src += idx[k] * stride[k];
		put(data, t, (size_t)i, v, src);
		for (unsigned k = ndim; k-- > 0;) {
			if (++idx[k] < ext[k])
				break;
			idx[k] = 0;
		}
	}
	return NS_OK;
}

/* Attribute names in the file's order: the 'attributes' list, else the
 * parameters then the variables (as annarchy.c). */
static const strs *attr_list(const strs *attrs, const strs *params, const strs *vars, int pass)
{
	if (attrs->n != SIZE_MAX)
		return pass == 0 ? attrs : NULL;
	return pass == 0 ? params : pass == 1 ? vars : NULL;
}

static int read_population(rd *r, const char *name, const fields *f)
{
	matvar_t *size = get(f, "size"), *geom = get(f, "geometry");
	strs attrs = { 0 }, params = { 0 }, vars = { 0 };
	uint64_t shape[NS_MAX_DIMS], n = 1, x;
	unsigned ndim = 0;
	ns_object *obj;
	int rc;

	if (geom) {
		uint64_t k = count_of(geom);
		if (!numeric(geom) || k > NS_MAX_DIMS)
			return fail(r, f->var, "geometry", "is not a list of up to %d extents",
				    NS_MAX_DIMS);
		for (size_t i = 0; i < k; i++) {
			if (!whole(&x, geom, i, 1e15))
				return fail(r, f->var, "geometry", "holds a bad extent");
			shape[ndim++] = x;
			n *= x;
		}
	}
	if (size) {
		if (!numeric(size) || count_of(size) != 1 || !whole(&x, size, 0, 1e15))
			return fail(r, f->var, "size", "is not a count");
		if (ndim && x != n)
			return fail(r, f->var, "size", "differs from the product of 'geometry'");
		n = x;
	} else if (!ndim) {
		return fail(r, f->var, NULL, "a population without 'size' or 'geometry'");
	}
	if ((rc = mt_host->population_add(&obj, r->net, name, n, ndim ? shape : NULL, ndim,
					  NULL)) < 0)
		return rc;
	if ((rc = get_strs(&attrs, r, f, "attributes")) < 0 ||
	    (rc = get_strs(&params, r, f, "parameters")) < 0 ||
	    (rc = get_strs(&vars, r, f, "variables")) < 0)
		goto done;
	for (int pass = 0; pass < 2; pass++) {
		const strs *list = attr_list(&attrs, &params, &vars, pass);
		for (size_t k = 0; list && k < list->n && list->n != SIZE_MAX; k++) {
			const char *fn = list->s[k], *an = attr_name(r, f->var, fn);
			ns_attr_kind kind = in_strs(&params, fn) ? NS_PARAMETER : NS_VARIABLE;
			matvar_t *v = get(f, fn);
			uint64_t count;
			ns_dtype t;
			ns_attr *a;
			void *data;
			if (!v) {
				mt_host->log(NS_LOG_WARNING, "file '%s': variable '%s': attribute '%s' "
					     "listed but not saved", r->path, f->var, an);
				continue;
			}
			if (!numeric(v) || !dtype_of(&t, v)) {
				rc = fail(r, f->var, fn, "is not a real numeric or logical array");
				goto done;
			}
			count = count_of(v);
			if (count != 1 && count != n) {
				rc = fail(r, f->var, fn, "has %llu values for %llu neurons",
					  (unsigned long long)count, (unsigned long long)n);
				goto done;
			}
			if ((rc = mt_host->attr_add(&a, obj, an, kind, count == 1 ? NS_GLOBAL :
						    NS_LOCAL, t, NULL, 0)) < 0 ||
			    (rc = mt_host->attr_data(&data, a)) < 0)
				goto done;
			if (count == 1)
				put(data, t, 0, v, 0);
			else if ((rc = copy_local(r, f, fn, data, t, v, shape, ndim, n)) < 0)
				goto done;
		}
	}
	rc = NS_OK;
done:
	strs_free(&attrs);
	strs_free(&params);
	strs_free(&vars);
	return rc;
}

/* ------------------------------------------------------------ projections */

/* Rows of a projection: a numeric matrix of @n rows, or a cell of @n
 * numeric vectors. */
typedef struct rows {
	const matvar_t *v;
	size_t n, k;
	int cell;
} rows;

static int rows_of(rows *o, const matvar_t *v, size_t n)
{
	memset(o, 0, sizeof *o);
	o->v = v;
	o->n = n;
	if (v->class_type == MAT_C_CELL) {
		if (count_of(v) != n || (n && !v->data))
			return 0;
		o->cell = 1;
		for (size_t i = 0; i < n; i++) {
			const matvar_t *e = ((matvar_t **)v->data)[i];
			int non1 = 0;
			if (!e || !numeric(e))
				return 0;
			for (int k = 0; k < e->rank; k++)
				non1 += e->dims[k] != 1;
			if (non1 > 1 && count_of(e) != 0)
				return 0;
		}
		return 1;
	}
	if (!numeric(v))
		return 0;
	if (n == 0)
		return count_of(v) == 0;
	if (v->rank != 2 || v->dims[0] != n)
		return 0;
	o->k = v->dims[1];
	return 1;
}

static size_t row_len(const rows *o, size_t i)
{
	return o->cell ? (size_t)count_of(((matvar_t **)o->v->data)[i]) : o->k;
}

/* The array and position of element @j of row @i. */
static const matvar_t *row_at(const rows *o, size_t i, size_t j, size_t *pos)
{
	if (o->cell) {
		*pos = j;
		return ((matvar_t **)o->v->data)[i];
	}
	*pos = i + j * o->n;
	return o->v;
}

static int ensure_population(rd *r, const char *proj, const char *name, uint64_t size)
{
	ns_object *obj;
	if (mt_host->network_object_find(r->net, name))
		return NS_OK;
	mt_host->log(NS_LOG_WARNING, "file '%s': projection '%s': population '%s' is not in "
		     "the file; added as a placeholder of %llu neurons", r->path, proj, name,
		     (unsigned long long)size);
	return mt_host->population_add(&obj, r->net, name, size, NULL, 0, NULL);
}

/* One attribute @an (field @fn) of a projection of rows @ranks. */
static int read_proj_attr(rd *r, const fields *f, ns_object *obj, const char *an,
			  const char *fn, ns_attr_kind kind, const rows *ranks,
			  const int32_t *post_ranks, uint64_t post_size)
{
	const matvar_t *v = get(f, fn);
	uint64_t count = count_of(v);
	rows rw;
	ns_dtype t = NS_DTYPE_F64;
	ns_attr *a;
	void *data;
	int rc;

	if (v->class_type == MAT_C_CELL ? !rows_of(&rw, v, ranks->n) :
	    !numeric(v) || !dtype_of(&t, v))
		return fail(r, f->var, fn, "is not a numeric array or a cell of rows like "
			    "'pre_ranks'");
	if (count == 1 && v->class_type != MAT_C_CELL) {
		if ((rc = mt_host->attr_add(&a, obj, an, kind, NS_GLOBAL, t, NULL, 0)) < 0 ||
		    (rc = mt_host->attr_data(&data, a)) < 0)
			return rc;
		put(data, t, 0, v, 0);
		return NS_OK;
	}
	if (rows_of(&rw, v, ranks->n)) {
		size_t k = 0, pos;
		int same = 1;
		for (size_t i = 0; i < rw.n; i++)
			same &= row_len(&rw, i) == row_len(ranks, i);
		if (!same && v->class_type == MAT_C_CELL)
			return fail(r, f->var, fn, "has rows of other lengths than 'pre_ranks'");
		if (same) {
			if (rw.cell) /* the type of the first row that has values */
				for (size_t i = 0; i < rw.n; i++)
					if (row_len(&rw, i) &&
					    dtype_of(&t, ((matvar_t **)v->data)[i]))
						break;
			if ((rc = mt_host->attr_add(&a, obj, an, kind, NS_LOCAL, t, NULL, 0)) < 0 ||
			    (rc = mt_host->attr_data(&data, a)) < 0)
				return rc;
			for (size_t i = 0; i < rw.n; i++)
				for (size_t j = 0; j < row_len(&rw, i); j++) {
					const matvar_t *e = row_at(&rw, i, j, &pos);
					if (!put(data, t, k++, e, pos))
						return fail(r, f->var, fn, "holds a value out of "
							    "range");
				}
			return NS_OK;
		}
	}
	if (v->class_type != MAT_C_CELL && count == ranks->n) {
		if ((rc = mt_host->attr_add(&a, obj, an, kind, NS_SEMIGLOBAL, t, NULL, 0)) < 0 ||
		    (rc = mt_host->attr_data(&data, a)) < 0)
			return rc;
		for (size_t i = 0; i < ranks->n; i++)
			if ((uint64_t)post_ranks[i] >= post_size ||
			    !put(data, t, (size_t)post_ranks[i], v, i))
				return fail(r, f->var, fn, "holds a value out of range");
		return NS_OK;
	}
	return fail(r, f->var, fn, "has %llu values: not 1 (global), one per row of "
		    "'pre_ranks' (semiglobal) or rows like 'pre_ranks' (local)",
		    (unsigned long long)count);
}

static int read_projection(rd *r, const char *name, const fields *f)
{
	matvar_t *pr = get(f, "post_ranks"), *prr = get(f, "pre_ranks");
	strs attrs = { 0 }, params = { 0 }, vars = { 0 };
	char *pre = NULL, *post = NULL, *target = NULL;
	int32_t *pre_idx = NULL, *post_idx = NULL, *post_ranks = NULL;
	uint64_t n = 0, max_pre = 0, max_post = 0, x, pre_size, post_size;
	ns_object *obj, *pop;
	ns_object_info oi;
	rows ranks;
	size_t pos;
	int rc;

	if ((rc = get_str(&pre, r, f, "pre", 1)) < 0 || (rc = get_str(&post, r, f, "post", 1)) < 0 ||
	    (rc = get_str(&target, r, f, "target", 0)) < 0)
		goto done;
	if (!pr) {
		rc = fail(r, f->var, "post_ranks", "is missing");
		goto done;
	}
	if (!prr) {
		rc = fail(r, f->var, "pre_ranks", "is missing");
		goto done;
	}
	if (!numeric(pr)) {
		rc = fail(r, f->var, "post_ranks", "is not a numeric vector");
		goto done;
	}
	if (!rows_of(&ranks, prr, (size_t)count_of(pr))) {
		rc = fail(r, f->var, "pre_ranks", "is not a matrix of %llu rows or a cell of "
			  "%llu numeric vectors (one per post rank)",
			  (unsigned long long)count_of(pr), (unsigned long long)count_of(pr));
		goto done;
	}
	for (size_t i = 0; i < ranks.n; i++)
		n += row_len(&ranks, i);
	if (!(pre_idx = mt_host->alloc((size_t)n * 4 + 4)) ||
	    !(post_idx = mt_host->alloc((size_t)n * 4 + 4)) ||
	    !(post_ranks = mt_host->alloc(ranks.n * 4 + 4))) {
		rc = oom();
		goto done;
	}
	n = 0;
	for (size_t i = 0; i < ranks.n; i++) {
		if (!whole(&x, pr, i, INT32_MAX)) {
			rc = fail(r, f->var, "post_ranks", "holds %s", "a value that is not a rank");
			goto done;
		}
		post_ranks[i] = (int32_t)x;
		max_post = x > max_post ? x : max_post;
		for (size_t j = 0; j < row_len(&ranks, i); j++) {
			const matvar_t *e = row_at(&ranks, i, j, &pos);
			if (!whole(&x, e, pos, INT32_MAX)) {
				rc = fail(r, f->var, "pre_ranks", "holds %s",
					  "a value that is not a rank");
				goto done;
			}
			pre_idx[n] = (int32_t)x;
			post_idx[n++] = post_ranks[i];
			max_pre = x > max_pre ? x : max_pre;
		}
	}
	if ((rc = ensure_population(r, name, pre, max_pre + 1)) < 0 ||
	    (rc = ensure_population(r, name, post, max_post + 1)) < 0)
		goto done;
	mt_host->object_get_info(&oi, mt_host->network_object_find(r->net, pre));
	pre_size = oi.size;
	pop = mt_host->network_object_find(r->net, post);
	mt_host->object_get_info(&oi, pop);
	post_size = oi.size;
	if (oi.kind != NS_POPULATION) {
		rc = fail(r, f->var, "post", "names '%s', which is not a population", post);
		goto done;
	}
	if (n && max_pre >= pre_size) {
		rc = fail(r, f->var, "pre_ranks", "holds rank %llu, beyond population '%s' of %llu",
			  (unsigned long long)max_pre, pre, (unsigned long long)pre_size);
		goto done;
	}
	if (ranks.n && max_post >= post_size) {
		rc = fail(r, f->var, "post_ranks", "holds rank %llu, beyond population '%s' of "
			  "%llu", (unsigned long long)max_post, post, (unsigned long long)post_size);
		goto done;
	}
	if ((rc = mt_host->projection_add(&obj, r->net, name, pre, post,
					  target && *target ? target : NULL, NULL)) < 0 ||
	    (rc = mt_host->projection_set_synapses(obj, pre_idx, post_idx, n, NS_ARRAY_COPY)) < 0)
		goto done;
	if ((rc = get_strs(&attrs, r, f, "attributes")) < 0 ||
	    (rc = get_strs(&params, r, f, "parameters")) < 0 ||
	    (rc = get_strs(&vars, r, f, "variables")) < 0)
		goto done;
	for (int pass = 0; pass < 2; pass++) {
		const strs *list = attr_list(&attrs, &params, &vars, pass);
		for (size_t k = 0; list && list->n != SIZE_MAX && k < list->n; k++) {
			const char *fn = list->s[k], *an = attr_name(r, f->var, fn);
			if (!get(f, fn)) {
				mt_host->log(NS_LOG_WARNING, "file '%s': variable '%s': attribute '%s' "
					     "listed but not saved", r->path, f->var, an);
				continue;
			}
			if ((rc = read_proj_attr(r, f, obj, an, fn, in_strs(&params, fn) ?
						 NS_PARAMETER : NS_VARIABLE, &ranks, post_ranks,
						 post_size)) < 0)
				goto done;
		}
	}
	if (get(f, "delays") && !in_strs(&attrs, "delays") && !in_strs(&params, "delays") &&
	    !in_strs(&vars, "delays") &&
	    (rc = read_proj_attr(r, f, obj, "delays", "delays", NS_PARAMETER, &ranks, post_ranks,
				 post_size)) < 0)
		goto done;
	rc = NS_OK;
done:
	strs_free(&attrs);
	strs_free(&params);
	strs_free(&vars);
	mt_host->free(pre);
	mt_host->free(post);
	mt_host->free(target);
	mt_host->free(pre_idx);
	mt_host->free(post_idx);
	mt_host->free(post_ranks);
	return rc;
}

/* ------------------------------------------------------------------ files */

static int is_projection(const fields *f)
{
	return get(f, "post_ranks") || get(f, "pre_ranks");
}

static int is_object(const fields *f)
{
	return is_projection(f) || get(f, "size") || get(f, "geometry");
}

/* nsnap_names: an n x 2 cell of {key, original name}. */
static int read_names(rd *r, const matvar_t *v)
{
	size_t n = v->rank == 2 ? v->dims[0] : 0;
	int rc;
	if (v->class_type != MAT_C_CELL || v->rank != 2 || v->dims[1] != 2 || (n && !v->data))
		return fail(r, MT_NAMES_VAR, NULL, "is not a cell of 2 columns (name in the file, "
			    "original name)");
	for (size_t i = 0; i < n; i++) {
		const matvar_t *k = ((matvar_t **)v->data)[i], *o = ((matvar_t **)v->data)[i + n];
		char *ks = NULL, *os = NULL;
		if (!k || !o || k->class_type != MAT_C_CHAR || o->class_type != MAT_C_CHAR ||
		    count_of(k) == 0 || count_of(o) == 0 || str_row(&ks, k, 0) <= 0 ||
		    str_row(&os, o, 0) <= 0) {
			mt_host->free(ks);
			return fail(r, MT_NAMES_VAR, NULL, "row %zu is not two strings", i + 1);
		}
		rc = mt_names_add(&r->names, ks, os);
		mt_host->free(ks);
		mt_host->free(os);
		if (rc < 0)
			return rc;
	}
	return NS_OK;
}

/* Every object obj_names lists is in the file: a file cut short is not
 * taken for a smaller network. */
static int check_obj_names(rd *r, const fields *top)
{
	const matvar_t *v = get(top, "obj_names");
	fields on;
	if (!v)
		return fail(r, "obj_names", NULL, "is missing, though 'time_step' says the file "
			    "is a whole network (ANNarchy writes it last: the file may be cut "
			    "short)");
	if (v->class_type != MAT_C_STRUCT || !fields_of(&on, v, "obj_names"))
		return fail(r, "obj_names", NULL, "is not a 1x1 struct");
	for (int k = 0; k < 2; k++) {
		const char *fn = k ? "projections" : "populations";
		strs l;
		int rc = get_strs(&l, r, &on, fn);
		for (size_t i = 0; rc == NS_OK && l.n != SIZE_MAX && i < l.n; i++) {
			const matvar_t *o = get(top, l.s[i]);
			fields of;
			if (!o || o->class_type != MAT_C_STRUCT || !fields_of(&of, o, l.s[i]) ||
			    !is_object(&of))
				rc = fail(r, "obj_names", fn, "lists '%s', which is not a population "
					  "or projection of the file", l.s[i]);
		}
		strs_free(&l);
		if (rc < 0)
			return rc;
	}
	return NS_OK;
}

static int read_network(rd *r, const fields *top)
{
	const matvar_t *step = get(top, "time_step");
	const matvar_t *names = get(top, MT_NAMES_VAR);
	uint64_t x;
	int rc, objects = 0;

	if (names && (rc = read_names(r, names)) < 0)
		return rc;
	if (step) {
		if (!numeric(step) || count_of(step) != 1 || !whole(&x, step, 0, 1e18))
			return fail(r, "time_step", NULL, "is not a step count");
		mt_host->network_set_time(r->net, 0, x);
		if ((rc = check_obj_names(r, top)) < 0)
			return rc;
	}
	/* Populations first: projections need theirs. */
	for (int proj = 0; proj < 2; proj++)
		for (size_t i = 0; i < r->n_vars; i++) {
			const matvar_t *v = r->vars[i];
			fields f;
			if (v->class_type != MAT_C_STRUCT || !v->name ||
			    strcmp(v->name, "obj_names") == 0)
				continue;
			if (!fields_of(&f, v, v->name)) {
				mt_host->log(NS_LOG_WARNING, "file '%s': variable '%s' is not a 1x1 "
					     "struct; skipped", r->path, v->name);
				continue;
			}
			if (!is_object(&f) || is_projection(&f) != proj)
				continue;
			objects++;
			rc = proj ? read_projection(r, object_name(r, v->name), &f) :
			     read_population(r, object_name(r, v->name), &f);
			if (rc < 0)
				return rc;
		}
	if (!objects && !step) {
		/* One object saved alone: its fields are the variables. */
		char *name = NULL;
		if (!is_object(top))
			return fail(r, NULL, NULL, "neither an ANNarchy network (time_step and "
				    "structs) nor a population or projection");
		if ((rc = get_str(&name, r, top, "name", 0)) < 0)
			return rc;
		rc = is_projection(top) ?
			read_projection(r, name && *name ? name : "proj0", top) :
			read_population(r, name && *name ? name : "pop0", top);
		mt_host->free(name);
		return rc;
	}
	return NS_OK;
}

/* ------------------------------------------------------------------ import */

static int read_all(unsigned char **out, size_t *size, ns_istream *in)
{
	unsigned char *buf = NULL, *p;
	size_t n = 0, cap = 0;
	ptrdiff_t got;
	for (;;) {
		if (cap - n < READ_CHUNK) {
			cap = cap ? cap * 2 : READ_CHUNK;
			if (!(p = mt_host->realloc(buf, cap))) {
				mt_host->free(buf);
				return oom();
			}
			buf = p;
		}
		if ((got = mt_host->read(in, buf + n, cap - n)) < 0) {
			mt_host->free(buf);
			return (int)got;
		}
		if (got == 0)
			break;
		n += (size_t)got;
	}
	*out = buf;
	*size = n;
	return NS_OK;
}

/* The header: v5 (checked whole) or v7.3 (an HDF5 file after the block). */
static int check_header(const rd *r, const unsigned char *b, size_t n)
{
	if (n >= 128 && memcmp(b, "MATLAB 5.0 MAT-file", 19) == 0)
		return mt_check_v5(b, n, r->path);
	if (n >= 128 && memcmp(b, "MATLAB 7.3 MAT-file", 19) == 0) {
		if (n < 520 || memcmp(b + 512, "\x89HDF\r\n\x1a\n", 8) != 0)
			return fail(r, NULL, NULL, "a MAT v7.3 header without HDF5 data at byte "
				    "512 (damaged or cut short)");
		return NS_OK;
	}
	return fail(r, NULL, NULL, "not a MAT file of version 5 or 7.3 (no \"MATLAB 5.0 "
		    "MAT-file\" or \"MATLAB 7.3 MAT-file\" header%s)",
		    n < 128 ? "; shorter than a header" : "");
}

static int read_file(rd *r, const char *tmp)
{
	mat_t *m;
	matvar_t *v;
	int rc = NS_OK;

	mt_log_reset();
	if (!(m = Mat_Open(tmp, MAT_ACC_RDONLY)) || mt_log_failed()) {
		rc = fail(r, NULL, NULL, "matio cannot open it: %s", mt_log_text());
		goto done;
	}
	for (;;) {
		v = Mat_VarReadNext(m);
		if (mt_log_failed()) {
			rc = fail(r, v && v->name ? v->name : NULL, NULL, "matio cannot read it: %s",
				  mt_log_text());
			Mat_VarFree(v);
			goto done;
		}
		if (!v)
			break;
		if (r->n_vars == r->cap) {
			size_t cap = r->cap ? r->cap * 2 : 16;
			matvar_t **p = mt_host->realloc(r->vars, cap * sizeof *p);
			if (!p) {
				Mat_VarFree(v);
				rc = oom();
				goto done;
			}
			r->vars = p;
			r->cap = cap;
		}
		r->vars[r->n_vars++] = v;
	}
done:
	if (m)
		Mat_Close(m);
	return rc;
}

int mt_import(ns_network **out, ns_istream *in, const ns_plugin_args *args)
{
	rd r = { mt_path(args), args, NULL, NULL, 0, 0, { 0 } };
	unsigned char *buf = NULL;
	char tmp[4096] = "";
	fields top;
	size_t n = 0;
	FILE *fp;
	int rc;

	if ((rc = read_all(&buf, &n, in)) < 0 || (rc = check_header(&r, buf, n)) < 0 ||
	    (rc = mt_tmpfile(tmp, sizeof tmp, r.path)) < 0)
		goto done;
	if ((fp = fopen(tmp, "wb"))) {
		int short_write = fwrite(buf, 1, n, fp) != n;
		if (fclose(fp) != 0 || short_write)
			fp = NULL;
	}
	if (!fp) {
		rc = mt_host->error(NS_EIO, "file '%s': cannot copy it to the temporary file '%s' "
				    "for matio", r.path, tmp);
		goto done;
	}
	mt_host->free(buf);
	buf = NULL;
	if ((rc = read_file(&r, tmp)) < 0 || (rc = mt_host->network_new(&r.net, NULL)) < 0)
		goto done;
	top.v = r.vars;
	top.names = NULL;
	top.n = r.n_vars;
	top.var = "(file)";
	if ((rc = read_network(&r, &top)) < 0)
		goto done;
	if (args && args->verbose)
		mt_host->log(NS_LOG_INFO, "file '%s': %zu objects", r.path,
			     mt_host->network_object_count(r.net));
	*out = r.net;
	r.net = NULL;
done:
	if (tmp[0])
		unlink(tmp);
	mt_host->free(buf);
	for (size_t i = 0; i < r.n_vars; i++)
		Mat_VarFree(r.vars[i]);
	mt_host->free(r.vars);
	mt_names_free(&r.names);
	mt_host->network_free(r.net);
	return rc;
}
