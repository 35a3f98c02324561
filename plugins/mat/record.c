/* SPDX-License-Identifier: MIT */
/* nsnap's own variable of a MAT file, MT_RECORD_VAR ("nsnap"): what
 * ANNarchy's layout has no place for (README.md: "nsnap's own variable"),
 * read before the objects so that the import asks it about each object
 * and attribute it adds. The pickle plugin writes the same entry. */
#include "mat.h"
#include "record.h"

#include <string.h>

static int bad(const char *path, const char *field, const char *what, size_t row)
{
	if (row)
		return mt_fail(path, MT_RECORD_VAR, field, "row %zu %s", row, what);
	return mt_fail(path, MT_RECORD_VAR, field, "%s", what);
}

/* Element @e of a cell as a new string ("" for an empty array): 1, 0 when
 * it is not a string, -1 out of memory. */
static int cell_str(char **out, const matvar_t *e)
{
	*out = NULL;
	if (!e || e->class_type != MAT_C_CHAR) {
		if (e && mt_numeric(e) && mt_count(e) == 0)
			goto empty;
		return 0;
	}
	if (mt_count(e) == 0)
		goto empty;
	if (e->rank >= 1 && e->dims[0] != 1)
		return 0;
	return mt_str_row(out, e, 0);
empty:
	if (!(*out = host->alloc(1)))
		return -1;
	**out = '\0';
	return 1;
}

/* Field @name of the record @f: a cell of rows of @width members, the
 * first @strs of them strings (into r->s, row after row). */
static int table(mt_table *t, const char *path, const mt_fields *f, const char *name,
		 size_t width, size_t strs)
{
	const matvar_t *v = mt_field(f, name);
	size_t n;
	memset(t, 0, sizeof *t);
	if (!v)
		return NS_OK;
	if (mt_count(v) == 0 && (v->class_type == MAT_C_CELL || mt_numeric(v)))
		return NS_OK;
	if (v->class_type != MAT_C_CELL || v->rank != 2 || v->dims[1] != width || !v->data)
		return bad(path, name, "is not a cell of rows of the right length", 0);
	n = v->dims[0];
	if (!(t->s = host->alloc(n * strs * sizeof *t->s + 1)))
		return mt_oom();
	memset(t->s, 0, n * strs * sizeof *t->s + 1);
	t->v = v;
	t->n = n;
	t->width = strs;
	for (size_t i = 0; i < n; i++)
		for (size_t k = 0; k < strs; k++) {
			int rc = cell_str(&t->s[i * strs + k], mt_cell_at(t, i, k));
			if (rc < 0)
				return mt_oom();
			if (!rc)
				return bad(path, name, "holds a name that is not a string", i + 1);
		}
	return NS_OK;
}

const matvar_t *mt_cell_at(const mt_table *t, size_t row, size_t col)
{
	return ((matvar_t *const *)t->v->data)[row + col * t->v->dims[0]];
}

const char *mt_table_str(const mt_table *t, size_t row, size_t col)
{
	return t->s[row * t->width + col];
}

static void table_free(mt_table *t)
{
	for (size_t i = 0; t->s && i < t->n * t->width; i++)
		host->free(t->s[i]);
	host->free(t->s);
	memset(t, 0, sizeof *t);
}

/* A 1x1 number field. */
static int number(double *out, int *has, const char *path, const mt_fields *f, const char *name)
{
	const matvar_t *v = mt_field(f, name);
	ns_dtype t;
	nsp_num x;
	if (!v)
		return NS_OK;
	if (!mt_numeric(v) || mt_count(v) != 1 || !mt_dtype(&t, v) || !mt_num(&x, v, 0) ||
	    !nsp_put(out, NS_DTYPE_F64, 0, &x))
		return bad(path, name, "is not a number", 0);
	*has = 1;
	return NS_OK;
}

int mt_record_read(mt_record *r, const char *path, const matvar_t *v)
{
	mt_fields f;
	int rc, has = 0;
	double version = 1;

	memset(r, 0, sizeof *r);
	if (!v)
		return NS_OK;
	if (v->class_type != MAT_C_STRUCT || !mt_fields_of(&f, v, MT_RECORD_VAR))
		return mt_fail(path, MT_RECORD_VAR, NULL, "is not a 1x1 struct");
	if ((rc = number(&version, &has, path, &f, "version")) < 0)
		return rc;
	if (version < 1)
		return bad(path, "version", "is not a version number", 0);
	if ((rc = mt_get_str(&r->name, path, &f, "network", 0)) < 0 ||
	    (rc = number(&r->t, &r->has_t, path, &f, "t")) < 0 ||
	    (rc = number(&r->dt, &r->has_dt, path, &f, "dt")) < 0 ||
	    (rc = table(&r->dict, path, &f, "dictionary", 2, 1)) < 0 ||
	    (rc = table(&r->objects, path, &f, "objects", 2, 2)) < 0 ||
	    (rc = table(&r->attrs, path, &f, "attributes", 5, 5)) < 0 ||
	    (rc = table(&r->semiglobal, path, &f, "semiglobal", 3, 2)) < 0 ||
	    (rc = table(&r->arrays, path, &f, "arrays", 5, 4)) < 0)
		return rc;
	for (size_t i = 0; i < r->dict.n; i++) {
		const matvar_t *e = mt_cell_at(&r->dict, i, 1);
		char *s = NULL;
		int is_str = cell_str(&s, e);
		host->free(s);
		if (is_str < 0)
			return mt_oom();
		if (!is_str && !(mt_numeric(e) && mt_count(e) == 1))
			return bad(path, "dictionary", "holds a value that is neither a string "
				   "nor a number", i + 1);
	}
	for (size_t i = 0; i < r->attrs.n; i++) {
		ns_attr_kind k;
		ns_scope s;
		ns_dtype t;
		if (!nsp_attr_desc(&k, &s, &t, mt_table_str(&r->attrs, i, 2),
				   mt_table_str(&r->attrs, i, 3), mt_table_str(&r->attrs, i, 4)))
			return bad(path, "attributes", "has an unknown kind, scope or element "
				   "type", i + 1);
	}
	for (size_t i = 0; i < r->semiglobal.n; i++)
		if (!mt_numeric(mt_cell_at(&r->semiglobal, i, 2)))
			return bad(path, "semiglobal", "holds values that are not a numeric array",
				   i + 1);
	for (size_t i = 0; i < r->arrays.n; i++) {
		const matvar_t *a = mt_cell_at(&r->arrays, i, 4);
		ns_attr_kind k;
		ns_dtype t, at;
		if (!nsp_array_desc(&k, &t, mt_table_str(&r->arrays, i, 2),
				    mt_table_str(&r->arrays, i, 3)))
			return bad(path, "arrays", "has an unknown kind or element type", i + 1);
		/* the class it was written with: values copied as they are */
		if (!mt_numeric(a) || !mt_dtype(&at, a) || at != t ||
		    (mt_count(a) && Mat_SizeOfClass(a->class_type) != host->dtype_size(t)))
			return bad(path, "arrays", "holds values that are not a numeric array of "
				   "the element type it names", i + 1);
	}
	r->present = 1;
	return NS_OK;
}

void mt_record_free(mt_record *r)
{
	host->free(r->name);
	table_free(&r->dict);
	table_free(&r->objects);
	table_free(&r->attrs);
	table_free(&r->semiglobal);
	table_free(&r->arrays);
	memset(r, 0, sizeof *r);
}

int mt_record_network(const mt_record *r, ns_network *net, const char *path)
{
	nsp_set_clock(net, r->has_t, r->t, r->has_dt, r->dt);
	for (size_t i = 0; i < r->dict.n; i++) {
		const matvar_t *e = mt_cell_at(&r->dict, i, 1);
		char *s = NULL;
		double x[1] = { 0 };
		nsp_num num;
		int rc;
		if (cell_str(&s, e) < 0)
			return mt_oom();
		if (!s && (!mt_num(&num, e, 0) || !nsp_put(x, NS_DTYPE_F64, 0, &num)))
			return bad(path, "dictionary", "holds a value that is neither a string nor "
				   "a number", i + 1);
		rc = host->network_set_meta(net, mt_table_str(&r->dict, i, 0), s, x[0]);
		host->free(s);
		if (rc < 0)
			return bad(path, "dictionary", "is not a dictionary entry nsnap takes", i + 1);
	}
	return NS_OK;
}

int mt_record_arrays(const mt_record *r, ns_network *net, const char *path)
{
	for (size_t i = 0; i < r->arrays.n; i++) {
		const matvar_t *a = mt_cell_at(&r->arrays, i, 4);
		ns_attr_kind k;
		ns_dtype t;
		int rc;
		nsp_array_desc(&k, &t, mt_table_str(&r->arrays, i, 2),
			       mt_table_str(&r->arrays, i, 3));
		if ((rc = nsp_add_array(net, path, "variable '" MT_RECORD_VAR "'", i + 1,
					mt_table_str(&r->arrays, i, 0),
					mt_table_str(&r->arrays, i, 1), k, t, mt_count(a),
					mt_count(a) ? a->data : NULL)) < 0)
			return rc;
	}
	return NS_OK;
}

const char *mt_record_type(const mt_record *r, const char *obj)
{
	for (size_t i = 0; i < r->objects.n; i++)
		if (strcmp(mt_table_str(&r->objects, i, 0), obj) == 0)
			return *mt_table_str(&r->objects, i, 1) ? mt_table_str(&r->objects, i, 1) :
			       NULL;
	return NULL;
}

int mt_record_attr(const mt_record *r, const char *obj, const char *attr, ns_attr_kind *kind,
		   ns_scope *scope, ns_dtype *dtype)
{
	for (size_t i = 0; i < r->attrs.n; i++)
		if (strcmp(mt_table_str(&r->attrs, i, 0), obj) == 0 &&
		    strcmp(mt_table_str(&r->attrs, i, 1), attr) == 0)
			return nsp_attr_desc(kind, scope, dtype, mt_table_str(&r->attrs, i, 2),
					     mt_table_str(&r->attrs, i, 3),
					     mt_table_str(&r->attrs, i, 4));
	return 0;
}

const matvar_t *mt_record_semiglobal(const mt_record *r, const char *obj, const char *attr)
{
	for (size_t i = 0; i < r->semiglobal.n; i++)
		if (strcmp(mt_table_str(&r->semiglobal, i, 0), obj) == 0 &&
		    strcmp(mt_table_str(&r->semiglobal, i, 1), attr) == 0)
			return mt_cell_at(&r->semiglobal, i, 2);
	return NULL;
}
