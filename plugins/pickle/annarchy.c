/* The pickle format: ANNarchy's save() and load() files (`.data`, `.pkl`,
 * and through the gzip filter `.gz`). Import reads the pickle safely
 * (reader.c) and maps ANNarchy's dicts onto a network:
 *
 * - a whole network {'time_step', 'net_id', 'obj_names', '<name>': dict},
 *   or one population or projection dict (Population.save());
 * - populations: size, geometry, and the attributes named in
 *   'attributes' (parameters if in 'parameters'), local as numpy arrays of
 *   their dtype, global as Python numbers or 0-d arrays (ANNarchy 4.6);
 * - projections: post_ranks and pre_ranks give one synapse (pre, post)
 *   per entry; attributes as lists of lists (local), lists of one value
 *   per post_ranks row (semiglobal), or one number (global); 'delays' is
 *   kept as a parameter when the attribute lists do not name it. Their
 *   element type is what the file says: a numpy dtype (rows that are
 *   arrays, a 2-D array), else bool or int (i64) when every value is one,
 *   else f64. ANNarchy writes ints there as Python ints, without a width,
 *   so an i32 attribute exported to such a file comes back as i64.
 *
 * A projection's pre or post population missing from the file (a
 * projection saved alone, or populations=False) is created as a
 * placeholder with no attributes, sized by the largest rank it uses + 1:
 * the host needs both populations to add a projection, and the version
 * then shows what the file held. */
#include "pickle.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const ns_host *host;

typedef struct pk_ctx {
	const char *path;
	ns_network *net;
	const ns_plugin_args *args;
	pk_record rec; /* nsnap's own entry */
} pk_ctx;

/* An error about population @pop (NULL: the file as a whole). */
static int bad(pk_ctx *c, const char *pop, const char *what)
{
	if (pop)
		return host->error(NS_EFORMAT, "file '%s': population '%s': %s", c->path, pop,
				      what);
	return host->error(NS_EFORMAT, "file '%s': %s", c->path, what);
}

/* ----------------------------------------------------------- value access */

int pk_number(const pv *v, double *out)
{
	if (!v)
		return 0;
	if (v->t == PV_INT || v->t == PV_BOOL) {
		*out = (double)v->i;
		return 1;
	}
	if (v->t == PV_FLOAT) {
		*out = v->f;
		return 1;
	}
	if (v->t == PV_ARRAY && v->count == 1 && v->dtype->kind != 'O') {
		const char *p = v->s;
		switch (v->dtype->kind) {
		case 'f':
			*out = v->dtype->itemsize == 8 ? *(const double *)(const void *)p :
				*(const float *)(const void *)p;
			return 1;
		case 'b': *out = (unsigned char)*p ? 1 : 0; return 1;
		case 'u': {
			uint64_t u = 0;
			memcpy(&u, p, v->dtype->itemsize);
			*out = (double)u;
			return 1;
		}
		default: {
			int64_t i = 0;
			memcpy(&i, p, v->dtype->itemsize);
			if (v->dtype->itemsize < 8) {
				int sh = 64 - 8 * (int)v->dtype->itemsize;
				i = (int64_t)((uint64_t)i << sh) >> sh;
			}
			*out = (double)i;
			return 1;
		}
		}
	}
	return 0;
}

/* Sequences: lists, tuples, object arrays, 1-D numeric arrays. */
static int pv_is_seq(const pv *v)
{
	return v && (v->t == PV_LIST || v->t == PV_TUPLE ||
		     (v->t == PV_ARRAY && (v->dtype->kind == 'O' || v->ndim == 1)));
}

static size_t pv_seq_len(const pv *v)
{
	return v->t == PV_ARRAY && v->dtype->kind != 'O' ? (size_t)v->count : v->len;
}

/* Element @i of a sequence as a number; 0 when it is not one. */
static int pv_seq_num(const pv *v, size_t i, double *out)
{
	if (v->t == PV_ARRAY && v->dtype->kind != 'O') {
		pv one = *v;
		one.count = 1;
		one.s = v->s + i * v->dtype->itemsize;
		return pk_number(&one, out);
	}
	return pk_number(v->items[i], out);
}

/* Rows of a list of lists, an object array of lists or a 2-D array. */
typedef struct pk_rows {
	const pv *v;
	size_t n;
	int matrix; /* a 2-D numeric array of n rows of k */
	size_t k;
} pk_rows;

static int rows_of(pk_rows *r, const pv *v)
{
	memset(r, 0, sizeof *r);
	r->v = v;
	if (v && v->t == PV_ARRAY && v->dtype->kind != 'O' && v->ndim == 2) {
		r->matrix = 1;
		r->n = (size_t)v->shape[0];
		r->k = (size_t)v->shape[1];
		return 1;
	}
	if (!v || !(v->t == PV_LIST || v->t == PV_TUPLE ||
		    (v->t == PV_ARRAY && v->dtype->kind == 'O')))
		return 0;
	r->n = v->len;
	for (size_t i = 0; i < r->n; i++)
		if (!pv_is_seq(v->items[i]))
			return 0;
	return 1;
}

static size_t row_len(const pk_rows *r, size_t i)
{
	return r->matrix ? r->k : pv_seq_len(r->v->items[i]);
}

static int row_num(const pk_rows *r, size_t i, size_t j, double *out)
{
	if (r->matrix) {
		pv one = *r->v;
		one.count = 1;
		one.s = r->v->s + (i * r->k + j) * r->v->dtype->itemsize;
		return pk_number(&one, out);
	}
	return pv_seq_num(r->v->items[i], j, out);
}

static int is_list(const pv *v)
{
	return v && (v->t == PV_LIST || v->t == PV_TUPLE);
}

static int in_names(const pv *list, const char *name)
{
	if (!list || !(list->t == PV_LIST || list->t == PV_TUPLE))
		return 0;
	for (size_t i = 0; i < list->len; i++)
		if (list->items[i]->t == PV_STR && strcmp(list->items[i]->s, name) == 0)
			return 1;
	return 0;
}

static ns_dtype dtype_of(const pv *dt)
{
	switch (dt->kind) {
	case 'f': return dt->itemsize == 4 ? NS_DTYPE_F32 : NS_DTYPE_F64;
	case 'b': return NS_DTYPE_BOOL;
	case 'u': return dt->itemsize == 1 ? NS_DTYPE_U8 : NS_DTYPE_I64;
	default: return dt->itemsize == 4 ? NS_DTYPE_I32 :
		 dt->itemsize == 8 ? NS_DTYPE_I64 : NS_DTYPE_I64;
	}
}

/* Store @x as element @i of a @t array. */
static void put_elem(void *data, ns_dtype t, size_t i, double x)
{
	switch (t) {
	case NS_DTYPE_F32: ((float *)data)[i] = (float)x; break;
	case NS_DTYPE_I64: ((int64_t *)data)[i] = (int64_t)x; break;
	case NS_DTYPE_I32: ((int32_t *)data)[i] = (int32_t)x; break;
	case NS_DTYPE_U8: ((uint8_t *)data)[i] = (uint8_t)x; break;
	case NS_DTYPE_BOOL: ((uint8_t *)data)[i] = x != 0; break;
	default: ((double *)data)[i] = x; break;
	}
}

/* A Python number's element type: bool, int (i64) or float (f64). */
static ns_dtype scalar_dtype(const pv *v)
{
	if (v->t == PV_BOOL)
		return NS_DTYPE_BOOL;
	if (v->t == PV_INT)
		return NS_DTYPE_I64;
	if (v->t == PV_ARRAY)
		return dtype_of(v->dtype);
	return NS_DTYPE_F64;
}

/* The kind and element type of attribute @oname.@name: what nsnap's entry
 * recorded, else @kind and @t as the file says. */
static void recorded(const pk_ctx *c, const char *oname, const char *name, ns_attr_kind *kind,
		     ns_dtype *t)
{
	ns_attr_kind k;
	ns_scope s;
	ns_dtype d;
	if (pk_record_attr(&c->rec, oname, name, &k, &s, &d)) {
		*kind = k;
		*t = d;
	}
}

static int add_global(pk_ctx *c, ns_object *obj, const char *oname, const char *name,
		      ns_attr_kind kind, const pv *v)
{
	ns_dtype t = scalar_dtype(v);
	ns_attr *a;
	void *data;
	double x;
	int rc;
	if (!pk_number(v, &x))
		return 1; /* not a number */
	recorded(c, oname, name, &kind, &t);
	if ((rc = host->attr_add(&a, obj, name, kind, NS_GLOBAL, t, NULL, 0)) < 0 ||
	    (rc = host->attr_data(&data, a)) < 0)
		return rc;
	if (v->t == PV_ARRAY && (t == NS_DTYPE_I64 || t == NS_DTYPE_I32) &&
	    dtype_of(v->dtype) == t)
		memcpy(data, v->s, host->dtype_size(t));
	else
		put_elem(data, t, 0, x);
	return NS_OK;
}

/* ------------------------------------------------------------ populations */

static int read_population(pk_ctx *c, const char *name, const pv *d)
{
	const pv *size = pv_dict_get(d, "size"), *geom = pv_dict_get(d, "geometry");
	const pv *attrs = pv_dict_get(d, "attributes"), *params = pv_dict_get(d, "parameters");
	const pv *vars = pv_dict_get(d, "variables");
	uint64_t shape[NS_MAX_DIMS], n = 1;
	unsigned ndim = 0;
	ns_object *obj;
	double x;
	int rc;

	if (geom && (geom->t == PV_TUPLE || geom->t == PV_LIST)) {
		if (geom->len > NS_MAX_DIMS)
			return bad(c, name, "a geometry of too many dimensions");
		for (size_t k = 0; k < geom->len; k++) {
			if (!pk_number(geom->items[k], &x) || x < 0 || x != floor(x) || x > 1e15)
				return bad(c, name, "a bad geometry");
			shape[ndim++] = (uint64_t)x;
			n *= (uint64_t)x;
		}
	} else if (geom && geom->t == PV_ARRAY && geom->dtype->kind != 'O' && geom->ndim == 1 &&
		   geom->count != 1) {
		/* a tuple saved as an array (np.savez of a Population.save() dict) */
		if (geom->count > NS_MAX_DIMS)
			return bad(c, name, "a geometry of too many dimensions");
		for (size_t k = 0; k < geom->count; k++) {
			if (!pv_seq_num(geom, k, &x) || x < 0 || x != floor(x) || x > 1e15)
				return bad(c, name, "a bad geometry");
			shape[ndim++] = (uint64_t)x;
			n *= (uint64_t)x;
		}
	} else if (geom && pk_number(geom, &x) && x >= 0 && x == floor(x) && x <= 1e15) {
		shape[ndim++] = (uint64_t)x;
		n = (uint64_t)x;
	}
	if (size) {
		if (!pk_number(size, &x) || x < 0 || x != floor(x) || x > 1e15)
			return bad(c, name, "'size' is not a count");
		if (ndim && (uint64_t)x != n)
			return bad(c, name, "'size' differs from the product of 'geometry'");
		n = (uint64_t)x;
	} else if (!ndim) {
		return bad(c, name, "a population without 'size' or 'geometry'");
	}
	if ((rc = host->population_add(&obj, c->net, name, n, ndim ? shape : NULL, ndim,
					  pk_record_type(&c->rec, name))) < 0)
		return rc;

	/* The attributes in file order; without the list, parameters then variables. */
	for (int pass = 0; pass < 3; pass++) {
		const pv *list = attrs ? (pass ? NULL : attrs) : pass == 0 ? params :
				 pass == 1 ? vars : NULL;
		if (!list)
			continue;
		if (list->t != PV_LIST && list->t != PV_TUPLE)
			return bad(c, name, "an attribute list that is not a list");
		for (size_t k = 0; k < list->len; k++) {
			const char *an = list->items[k]->t == PV_STR ? list->items[k]->s : NULL;
			ns_attr_kind kind = in_names(params, an ? an : "") ? NS_PARAMETER :
					    NS_VARIABLE;
			const pv *v;
			if (!an)
				return bad(c, name, "an attribute name that is not a string");
			if (!(v = pv_dict_get(d, an))) {
				host->log(NS_LOG_WARNING, "file '%s': population '%s': attribute "
					     "'%s' listed but not saved", c->path, name, an);
				continue;
			}
			if (v->t == PV_ARRAY && v->dtype->kind != 'O' && v->ndim > 0) {
				ns_dtype t = dtype_of(v->dtype);
				ns_attr *a;
				recorded(c, name, an, &kind, &t);
				void *data;
				if (v->count != n) {
					char msg[128];
					snprintf(msg, sizeof msg, " has %llu values for %llu neurons",
						 (unsigned long long)v->count, (unsigned long long)n);
					return host->error(NS_EFORMAT, "file '%s': population '%s': "
							      "attribute '%s'%s", c->path, name, an,
							      msg);
				}
				if ((rc = host->attr_add(&a, obj, an, kind, NS_LOCAL, t, NULL,
							    0)) < 0 ||
				    (rc = host->attr_data(&data, a)) < 0)
					return rc;
				/* bools go through put_elem, which makes them 0 or 1 */
				if (host->dtype_size(t) == v->dtype->itemsize &&
				    t != NS_DTYPE_BOOL && dtype_of(v->dtype) == t)
					memcpy(data, v->s, (size_t)n * v->dtype->itemsize);
				else
					for (size_t i = 0; i < n; i++) {
						pv_seq_num(v, i, &x);
						put_elem(data, t, i, x);
					}
			} else if ((rc = add_global(c, obj, name, an, kind, v)) != NS_OK) {
				if (rc < 0)
					return rc;
				return host->error(NS_EFORMAT, "file '%s': population '%s': "
						      "attribute '%s' is %s, not a numpy array or a "
						      "number", c->path, name, an, pv_type_name(v));
			}
		}
	}
	return NS_OK;
}

/* ------------------------------------------------------------ projections */

/* Placeholder population @name of @size neurons, unless it exists. */
static int ensure_population(pk_ctx *c, const char *proj, const char *name, uint64_t size)
{
	ns_object *obj;
	if (host->network_object_find(c->net, name))
		return NS_OK;
	host->log(NS_LOG_WARNING, "file '%s': projection '%s': population '%s' is not in "
		     "the file; added as a placeholder of %llu neurons", c->path, proj, name,
		     (unsigned long long)size);
	return host->population_add(&obj, c->net, name, size, NULL, 0, NULL);
}

static int proj_error(pk_ctx *c, const char *proj, const char *fmt, const char *detail)
{
	char msg[256];
	snprintf(msg, sizeof msg, fmt, detail ? detail : "");
	return host->error(NS_EFORMAT, "file '%s': projection '%s': %s", c->path, proj, msg);
}

/* The element type of a sequence of numbers: a numpy array's own; for a
 * list, bool or int (i64) when every item is one, else (and when empty)
 * f64. ANNarchy
 * writes the int attributes of projections as lists of Python ints, which
 * keep no width: an i32 written so comes back as i64. */
static ns_dtype seq_dtype(const pv *v)
{
	int all_bool = 1, all_int = 1;
	if (v->t == PV_ARRAY && v->dtype->kind != 'O')
		return dtype_of(v->dtype);
	if (v->len == 0)
		return NS_DTYPE_F64;
	for (size_t i = 0; i < v->len; i++) {
		all_bool &= v->items[i]->t == PV_BOOL;
		all_int &= v->items[i]->t == PV_INT;
	}
	return all_bool ? NS_DTYPE_BOOL : all_int ? NS_DTYPE_I64 : NS_DTYPE_F64;
}

/* The type the rows agree on (an empty list says nothing); f64 when they
 * differ or say nothing. Rows that are numpy arrays keep their dtype: int32 rows give i32. */
static ns_dtype rows_dtype(const pk_rows *rows)
{
	ns_dtype t = NS_DTYPE_BYTES; /* none yet */
	for (size_t i = 0; i < rows->n; i++) {
		const pv *row = rows->v->items[i];
		ns_dtype r;
		if (row->t != PV_ARRAY && row->len == 0)
			continue;
		r = seq_dtype(row);
		if (t != NS_DTYPE_BYTES && r != t)
			return NS_DTYPE_F64;
		t = r;
	}
	return t == NS_DTYPE_BYTES ? NS_DTYPE_F64 : t;
}

/* One attribute of a projection of @rows rows (post_ranks @post_ranks). */
static int read_proj_attr(pk_ctx *c, ns_object *obj, const char *proj, const char *an,
			  ns_attr_kind kind, const pv *v, const pk_rows *ranks,
			  const int32_t *post_ranks, uint64_t post_size)
{
	pk_rows rows;
	ns_attr *a;
	void *data;
	double x;
	int rc;

	if ((rc = add_global(c, obj, proj, an, kind, v)) <= 0)
		return rc;
	if (rows_of(&rows, v) && rows.n == ranks->n) {
		ns_dtype t = rows.matrix ? dtype_of(v->dtype) : rows_dtype(&rows);
		size_t k = 0;
		recorded(c, proj, an, &kind, &t);
		for (size_t i = 0; i < rows.n; i++)
			if (row_len(&rows, i) != row_len(ranks, i))
				return proj_error(c, proj, "attribute '%s': rows differ in length "
						  "from pre_ranks", an);
		if ((rc = host->attr_add(&a, obj, an, kind, NS_LOCAL, t, NULL, 0)) < 0 ||
		    (rc = host->attr_data(&data, a)) < 0)
			return rc;
		for (size_t i = 0; i < rows.n; i++)
			for (size_t j = 0; j < row_len(&rows, i); j++) {
				if (!row_num(&rows, i, j, &x))
					return proj_error(c, proj, "attribute '%s': a value that "
							  "is not a number", an);
				put_elem(data, t, k++, x);
			}
		return NS_OK;
	}
	if (pv_is_seq(v) && pv_seq_len(v) == ranks->n) {
		ns_dtype t = seq_dtype(v);
		const pv *whole = pk_record_semiglobal(&c->rec, proj, an);
		recorded(c, proj, an, &kind, &t);
		if ((rc = host->attr_add(&a, obj, an, kind, NS_SEMIGLOBAL, t, NULL, 0)) < 0 ||
		    (rc = host->attr_data(&data, a)) < 0)
			return rc;
		/* nsnap's entry has the values of post neurons without synapses */
		if (whole && whole->count != post_size)
			host->log(NS_LOG_WARNING, "file '%s': entry 'nsnap': semiglobal '%s.%s' "
				  "has %llu values for %llu post neurons; ignored", c->path, proj,
				  an, (unsigned long long)whole->count,
				  (unsigned long long)post_size);
		else if (whole)
			for (size_t i = 0; i < post_size; i++) {
				pv_seq_num(whole, i, &x);
				put_elem(data, t, i, x);
			}
		for (size_t i = 0; i < ranks->n; i++) {
			if (!pv_seq_num(v, i, &x))
				return proj_error(c, proj, "attribute '%s': a value that is not a "
						  "number", an);
			if ((uint64_t)post_ranks[i] >= post_size)
				return proj_error(c, proj, "attribute '%s': a post rank beyond "
						  "the post population", an);
			put_elem(data, t, (size_t)post_ranks[i], x);
		}
		return NS_OK;
	}
	return host->error(NS_EFORMAT, "file '%s': projection '%s': attribute '%s' is %s, "
			      "not a number, a list per post neuron or a list of lists",
			      c->path, proj, an, pv_type_name(v));
}

static int read_projection(pk_ctx *c, const char *name, const pv *d)
{
	const pv *pre = pv_dict_get(d, "pre"), *post = pv_dict_get(d, "post");
	const pv *target = pv_dict_get(d, "target"), *pr = pv_dict_get(d, "post_ranks");
	const pv *attrs = pv_dict_get(d, "attributes"), *params = pv_dict_get(d, "parameters");
	const pv *vars = pv_dict_get(d, "variables"), *delays = pv_dict_get(d, "delays");
	pk_rows ranks;
	int32_t *pre_idx = NULL, *post_idx = NULL, *post_ranks = NULL;
	uint64_t n = 0, max_pre = 0, max_post = 0;
	ns_object *obj, *post_pop;
	ns_object_info oi;
	const char *tname = NULL;
	double x;
	int rc;

	if (!pre || pre->t != PV_STR || !post || post->t != PV_STR)
		return proj_error(c, name, "no 'pre' and 'post' population names%s", NULL);
	if (target && target->t == PV_STR)
		tname = target->s;
	else if (target && target->t == PV_LIST && target->len && target->items[0]->t == PV_STR)
		tname = target->items[0]->s;
	if (!pv_is_seq(pr) || !rows_of(&ranks, pv_dict_get(d, "pre_ranks")) ||
	    ranks.n != pv_seq_len(pr))
		return proj_error(c, name, "'post_ranks' and 'pre_ranks' are not a list and "
				  "rows of the same length%s", NULL);
	for (size_t i = 0; i < ranks.n; i++)
		n += row_len(&ranks, i);
	if (!(pre_idx = host->alloc((size_t)n * 4 + 4)) ||
	    !(post_idx = host->alloc((size_t)n * 4 + 4)) ||
	    !(post_ranks = host->alloc(ranks.n * 4 + 4))) {
		rc = host->error(NS_ENOMEM, "out of memory");
		goto done;
	}
	n = 0;
	for (size_t i = 0; i < ranks.n; i++) {
		if (!pv_seq_num(pr, i, &x) || x < 0 || x > INT32_MAX || x != floor(x)) {
			rc = proj_error(c, name, "a post rank that is not a rank%s", NULL);
			goto done;
		}
		post_ranks[i] = (int32_t)x;
		if ((uint64_t)x > max_post)
			max_post = (uint64_t)x;
		for (size_t j = 0; j < row_len(&ranks, i); j++) {
			if (!row_num(&ranks, i, j, &x) || x < 0 || x > INT32_MAX || x != floor(x)) {
				rc = proj_error(c, name, "a pre rank that is not a rank%s", NULL);
				goto done;
			}
			pre_idx[n] = (int32_t)x;
			post_idx[n++] = post_ranks[i];
			if ((uint64_t)x > max_pre)
				max_pre = (uint64_t)x;
		}
	}
	if ((rc = ensure_population(c, name, pre->s, max_pre + 1)) < 0 ||
	    (rc = ensure_population(c, name, post->s, max_post + 1)) < 0 ||
	    (rc = host->projection_add(&obj, c->net, name, pre->s, post->s, tname,
					  pk_record_type(&c->rec, name))) < 0 ||
	    (rc = host->projection_set_synapses(obj, pre_idx, post_idx, n, NS_ARRAY_COPY)) < 0)
		goto done;
	post_pop = host->network_object_find(c->net, post->s);
	host->object_get_info(&oi, post_pop);

	for (int pass = 0; pass < 4; pass++) {
		const pv *list = pass == 0 ? (attrs ? attrs : params) : pass == 1 && !attrs ? vars :
				 NULL;
		if (pass == 3 && delays && !in_names(attrs, "delays") &&
		    !in_names(params, "delays") && !in_names(vars, "delays")) {
			if ((rc = read_proj_attr(c, obj, name, "delays", NS_PARAMETER, delays,
						 &ranks, post_ranks, oi.size)) < 0)
				goto done;
			continue;
		}
		if (!list)
			continue;
		if (list->t != PV_LIST && list->t != PV_TUPLE) {
			rc = proj_error(c, name, "an attribute list that is not a list%s", NULL);
			goto done;
		}
		for (size_t k = 0; k < list->len; k++) {
			const char *an = list->items[k]->t == PV_STR ? list->items[k]->s : NULL;
			const pv *v;
			if (!an) {
				rc = proj_error(c, name, "an attribute name that is not a string%s",
						NULL);
				goto done;
			}
			if (!(v = pv_dict_get(d, an))) {
				host->log(NS_LOG_WARNING, "file '%s': projection '%s': attribute "
					     "'%s' listed but not saved", c->path, name, an);
				continue;
			}
			if ((rc = read_proj_attr(c, obj, name, an,
						 in_names(params, an) ? NS_PARAMETER : NS_VARIABLE,
						 v, &ranks, post_ranks, oi.size)) < 0)
				goto done;
		}
	}
	rc = NS_OK;
done:
	host->free(pre_idx);
	host->free(post_idx);
	host->free(post_ranks);
	return rc;
}

/* ------------------------------------------------------------------ files */

static int read_object(pk_ctx *c, const char *name, const pv *d)
{
	if (pv_dict_get(d, "post_ranks") || pv_dict_get(d, "pre_ranks"))
		return read_projection(c, name, d);
	return read_population(c, name, d);
}

static const char *name_of(const pv *d, const char *dflt)
{
	const pv *n = pv_dict_get(d, "name");
	return n && n->t == PV_STR ? n->s : dflt;
}

/* A population or projection dict, known by its shape (as ANNarchy's
 * load() knows its objects by name only): a projection has 'post_ranks'
 * as a sequence, a population 'size' as a number or 'geometry' as a
 * tuple, list or number. */
static int is_object(const pv *v)
{
	const pv *size, *geom, *pr;
	double x;
	if (!v || v->t != PV_DICT)
		return 0;
	size = pv_dict_get(v, "size");
	geom = pv_dict_get(v, "geometry");
	pr = pv_dict_get(v, "post_ranks");
	return (pr && pv_is_seq(pr)) || (size && pk_number(size, &x)) ||
	       (geom && (is_list(geom) || pk_number(geom, &x)));
}

/* A dict holding objects (a whole network, whatever else it holds). */
static int holds_objects(const pv *root)
{
	for (size_t i = 0; i + 1 < root->len; i += 2)
		if (root->items[i]->t == PV_STR && is_object(root->items[i + 1]))
			return 1;
	return 0;
}

/* When the file has 'obj_names' (ANNarchy's save() writes it last), every
 * object it lists must be in the file, and so must every object nsnap's
 * entry lists: a file that lost objects is not a smaller network. */
static int check_listed(pk_ctx *c, const pv *root)
{
	const pv *on = pv_dict_get(root, "obj_names");
	if (on) {
		if (on->t != PV_DICT)
			return bad(c, NULL, "'obj_names' is not a dict");
		for (int k = 0; k < 2; k++) {
			const char *key = k ? "projections" : "populations";
			const pv *l = pv_dict_get(on, key);
			if (!l)
				continue;
			if (!is_list(l))
				return host->error(NS_EFORMAT, "file '%s': 'obj_names': '%s' is not "
						   "a list of names", c->path, key);
			for (size_t i = 0; i < l->len; i++)
				if (l->items[i]->t != PV_STR || !is_object(pv_dict_get(root,
											l->items[i]->s)))
					return host->error(NS_EFORMAT, "file '%s': 'obj_names': "
							   "'%s' lists %s%s%s, which is not a "
							   "population or projection of the file",
							   c->path, key,
							   l->items[i]->t == PV_STR ? "'" : "",
							   l->items[i]->t == PV_STR ? l->items[i]->s :
							   pv_type_name(l->items[i]),
							   l->items[i]->t == PV_STR ? "'" : "");
		}
	}
	for (size_t i = 0; c->rec.objects && i < c->rec.objects->len; i++) {
		const char *name = c->rec.objects->items[i]->items[0]->s;
		if (!is_object(pv_dict_get(root, name)))
			return host->error(NS_EFORMAT, "file '%s': entry 'nsnap': 'objects' lists "
					   "'%s', which is not a population or projection of "
					   "the file", c->path, name);
	}
	return NS_OK;
}

static int read_network(pk_ctx *c, const pv *root)
{
	const pv *step = pv_dict_get(root, "time_step");
	double x;
	int rc;
	if ((rc = check_listed(c, root)) < 0)
		return rc;
	if (step && pk_number(step, &x) && x >= 0)
		host->network_set_time(c->net, 0, (uint64_t)x);
	if ((rc = pk_record_network(&c->rec, c->net, c->path)) < 0)
		return rc;
	/* Populations first: projections need theirs. */
	for (int proj = 0; proj < 2; proj++)
		for (size_t i = 0; i + 1 < root->len; i += 2) {
			const pv *k = root->items[i], *v = root->items[i + 1];
			if (k->t != PV_STR || !is_object(v) ||
			    (pv_dict_get(v, "post_ranks") != NULL) != proj)
				continue;
			if ((rc = read_object(c, k->s, v)) < 0)
				return rc;
		}
	return pk_record_arrays(&c->rec, c->net, c->path);
}

int pk_import_root(ns_network **out, const pv *root, const ns_plugin_args *args)
{
	pk_ctx c = { args && args->path ? args->path : "(stream)", NULL, args, { 0 } };
	int rc, whole;

	if (root->t != PV_DICT)
		return host->error(NS_EFORMAT, "file '%s': the pickle holds %s, not an "
				   "ANNarchy dict", c.path, pv_type_name(root));
	/* The network's keys first: a population may be called "size". Older
	 * ANNarchy versions wrote neither 'time_step' nor 'obj_names'. */
	whole = pv_dict_get(root, "obj_names") || pv_dict_get(root, "time_step") ||
		holds_objects(root);
	if (whole && (rc = pk_record_read(&c.rec, pv_dict_get(root, "nsnap"), c.path)) < 0)
		goto done;
	if ((rc = host->network_new(&c.net, c.rec.name)) < 0)
		goto done;
	if (whole)
		rc = read_network(&c, root);
	else if (is_object(root))
		rc = read_object(&c, name_of(root, pv_dict_get(root, "post_ranks") ? "proj0" :
					     "pop0"), root);
	else
		rc = bad(&c, NULL, "a dict that is neither an ANNarchy network nor a population "
			 "or projection");
	if (rc < 0)
		goto done;
	if (args && args->verbose)
		host->log(NS_LOG_INFO, "file '%s': %zu objects", c.path,
			     host->network_object_count(c.net));
	*out = c.net;
	c.net = NULL;
done:
	host->network_free(c.net);
	return rc;
}
