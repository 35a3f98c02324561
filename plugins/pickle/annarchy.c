/* SPDX-License-Identifier: MIT */
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
 * then shows what the file held.
 *
 * Every array the network gets is charged to the import's budget before
 * it is made, so what a file only references is refused by name: rows
 * shared through the memo count once per use, and a semiglobal attribute
 * of a placeholder as many values as its largest rank says. Numbers go
 * into attributes exactly (number.c): ints as integers, never through a
 * double, and a value that does not fit its attribute is refused. */
#include "pickle.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const ns_host *host;

/* What the network's objects cost beyond their values: the engine's
 * structs and names, charged with them. */
#define PK_OBJECT_COST 512
#define PK_ATTR_COST 256
/* Populations are at most this large (sizes once went through doubles). */
#define PK_MAX_NEURONS INT64_C(1000000000000000)

typedef struct pk_ctx {
	const char *path;
	ns_network *net;
	const ns_plugin_args *args;
	const pv *root;   /* a whole network's dict; NULL for one object's */
	nsp_budget *budget;
	pk_record rec;    /* nsnap's own entry */
} pk_ctx;

/* An error about population @pop (NULL: the file as a whole). */
static int bad(pk_ctx *c, const char *pop, const char *what)
{
	if (pop)
		return host->error(NS_EFORMAT, "file '%s': population '%s': %s", c->path, pop,
				      what);
	return host->error(NS_EFORMAT, "file '%s': %s", c->path, what);
}

/* Charge @count @things of @size bytes (and @extra) that @what
 * ("projection 'P'") is about to make: NS_OK, or an error naming it. */
static int charge(pk_ctx *c, const char *what, uint64_t count, const char *things,
		  uint64_t size, uint64_t extra, const char *why)
{
	char need[32], lim[192];
	uint64_t bytes = size && count > (UINT64_MAX - extra) / size ? UINT64_MAX :
			 count * size + extra;
	if (nsp_charge(c->budget, bytes) == 0)
		return NS_OK;
	return host->error(NS_ENOMEM, "file '%s': %s: %llu %s%s need %s, beyond %s", c->path, what,
			   (unsigned long long)count, things, why ? why : "",
			   nsp_size_text(need, bytes), nsp_budget_text(lim, c->budget));
}

/* ----------------------------------------------------------- value access */

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
static int pv_seq_num(const pv *v, size_t i, nsp_num *out)
{
	if (v->t == PV_ARRAY && v->dtype->kind != 'O')
		return pk_elem_num(v->dtype, v->s + i * v->dtype->itemsize, out);
	return pk_num_of(v->items[i], out);
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

static int row_num(const pk_rows *r, size_t i, size_t j, nsp_num *out)
{
	if (r->matrix)
		return pk_elem_num(r->v->dtype, r->v->s + (i * r->k + j) * r->v->dtype->itemsize,
				   out);
	return pv_seq_num(r->v->items[i], j, out);
}

/* The values of row @i when they are numbers of type @t already (a packed
 * list or a numpy array of it: their bits are the values, in native
 * order), to copy whole; else NULL. Not bools, whose bytes may be any. */
static const void *same_type_row(const pk_rows *r, size_t i, ns_dtype t)
{
	const pv *row = r->matrix ? NULL : r->v->items[i];
	if (!row || row->t != PV_ARRAY || t == NS_DTYPE_BOOL || !pk_is_dtype(row->dtype, t))
		return NULL;
	return row->count ? row->s : "";
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

/* nsnap's element type for numpy's dtype @dt: the same, else the one that
 * holds it (int8, int16, uint16, uint32 and uint64 as i64; uint64 values
 * beyond it are refused when read). */
static ns_dtype dtype_of(const pv *dt)
{
	switch (dt->kind) {
	case 'f': return dt->itemsize == 4 ? NS_DTYPE_F32 : NS_DTYPE_F64;
	case 'b': return NS_DTYPE_BOOL;
	case 'u': return dt->itemsize == 1 ? NS_DTYPE_U8 : NS_DTYPE_I64;
	default: return dt->itemsize == 4 ? NS_DTYPE_I32 : NS_DTYPE_I64;
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

/* "population 'E': attribute 'v'", for messages. */
static const char *attr_what(char buf[300], const char *okind, const char *oname,
			     const char *name)
{
	snprintf(buf, 300, "%s '%.100s': attribute '%.100s'", okind, oname, name);
	return buf;
}

/* @v as attribute @name of scope global, when it is a number (1 when it
 * is not). */
static int add_global(pk_ctx *c, ns_object *obj, const char *okind, const char *oname,
		      const char *name, ns_attr_kind kind, const pv *v)
{
	ns_dtype t = scalar_dtype(v);
	char what[300];
	ns_attr *a;
	void *data;
	nsp_num x;
	int rc;
	if (!pk_num_of(v, &x))
		return 1;
	recorded(c, oname, name, &kind, &t);
	attr_what(what, okind, oname, name);
	if ((rc = charge(c, what, 1, "value", 8, PK_ATTR_COST, NULL)) < 0 ||
	    (rc = host->attr_add(&a, obj, name, kind, NS_GLOBAL, t, NULL, 0)) < 0 ||
	    (rc = host->attr_data(&data, a)) < 0)
		return rc;
	return pk_put(data, t, 0, &x, c->path, what);
}

/* ------------------------------------------------------------ populations */

/* One extent of a geometry, into @shape (@ndim so far) and the product @n. */
static int extent(pk_ctx *c, const char *name, const nsp_num *x, uint64_t *shape,
		  unsigned *ndim, uint64_t *n)
{
	int64_t e;
	if (!nsp_whole(x, 0, PK_MAX_NEURONS, &e))
		return bad(c, name, "a bad geometry");
	if (e && *n > (uint64_t)PK_MAX_NEURONS / (uint64_t)e)
		return bad(c, name, "a geometry of more than 10^15 neurons");
	shape[(*ndim)++] = (uint64_t)e;
	*n *= (uint64_t)e;
	return NS_OK;
}

static int read_population(pk_ctx *c, const char *name, const pv *d)
{
	const pv *size = pv_dict_get(d, "size"), *geom = pv_dict_get(d, "geometry");
	const pv *attrs = pv_dict_get(d, "attributes"), *params = pv_dict_get(d, "parameters");
	const pv *vars = pv_dict_get(d, "variables");
	uint64_t shape[NS_MAX_DIMS], n = 1;
	unsigned ndim = 0;
	ns_object *obj;
	char what[300];
	nsp_num x;
	int rc;

	if (geom && (geom->t == PV_TUPLE || geom->t == PV_LIST)) {
		if (geom->len > NS_MAX_DIMS)
			return bad(c, name, "a geometry of too many dimensions");
		for (size_t k = 0; k < geom->len; k++) {
			if (!pk_num_of(geom->items[k], &x))
				return bad(c, name, "a bad geometry");
			if ((rc = extent(c, name, &x, shape, &ndim, &n)) < 0)
				return rc;
		}
	} else if (geom && geom->t == PV_ARRAY && geom->dtype->kind != 'O' && geom->ndim == 1 &&
		   geom->count != 1) {
		/* a tuple saved as an array (np.savez of a Population.save() dict) */
		if (geom->count > NS_MAX_DIMS)
			return bad(c, name, "a geometry of too many dimensions");
		for (size_t k = 0; k < geom->count; k++) {
			if (!pv_seq_num(geom, k, &x))
				return bad(c, name, "a bad geometry");
			if ((rc = extent(c, name, &x, shape, &ndim, &n)) < 0)
				return rc;
		}
	} else if (geom && pk_num_of(geom, &x)) {
		if ((rc = extent(c, name, &x, shape, &ndim, &n)) < 0)
			return rc;
	}
	if (size) {
		int64_t k;
		if (!pk_num_of(size, &x) || !nsp_whole(&x, 0, PK_MAX_NEURONS, &k))
			return bad(c, name, "'size' is not a count");
		if (ndim && (uint64_t)k != n)
			return bad(c, name, "'size' differs from the product of 'geometry'");
		n = (uint64_t)k;
	} else if (!ndim) {
		return bad(c, name, "a population without 'size' or 'geometry'");
	}
	snprintf(what, sizeof what, "population '%.100s'", name);
	if ((rc = charge(c, what, 1, "object", PK_OBJECT_COST, 0, NULL)) < 0 ||
	    (rc = host->population_add(&obj, c->net, name, n, ndim ? shape : NULL, ndim,
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
			attr_what(what, "population", name, an);
			if (v->t == PV_ARRAY && v->dtype->kind != 'O' && v->ndim > 0) {
				ns_dtype t = dtype_of(v->dtype);
				ns_attr *a;
				void *data;
				recorded(c, name, an, &kind, &t);
				if (v->count != n) {
					char msg[128];
					snprintf(msg, sizeof msg, " has %llu values for %llu neurons",
						 (unsigned long long)v->count, (unsigned long long)n);
					return host->error(NS_EFORMAT, "file '%s': %s%s", c->path,
							   what, msg);
				}
				if ((rc = charge(c, what, n, "values", host->dtype_size(t),
						 PK_ATTR_COST, NULL)) < 0 ||
				    (rc = host->attr_add(&a, obj, an, kind, NS_LOCAL, t, NULL,
							    0)) < 0 ||
				    (rc = host->attr_data(&data, a)) < 0)
					return rc;
				/* bools go through pk_put, which makes them 0 or 1 */
				if (t != NS_DTYPE_BOOL && pk_is_dtype(v->dtype, t)) {
					memcpy(data, v->s, (size_t)n * v->dtype->itemsize);
					continue;
				}
				for (size_t i = 0; i < n; i++)
					if (!pv_seq_num(v, i, &x) ||
					    (rc = pk_put(data, t, i, &x, c->path, what)) < 0)
						return rc;
			} else if ((rc = add_global(c, obj, "population", name, an, kind, v)) !=
				   NS_OK) {
				if (rc < 0)
					return rc;
				return host->error(NS_EFORMAT, "file '%s': %s is %s, not a numpy "
						   "array of numbers or a number", c->path, what,
						   pv_type_name(v));
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
 * f64. ANNarchy writes the int attributes of projections as lists of
 * Python ints, which keep no width: an i32 written so comes back as i64. */
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

/* Whether population @name is a placeholder: not in the file. */
static int is_placeholder(const pk_ctx *c, const char *name);

/* One attribute of a projection of @rows rows (post_ranks @post_ranks) of
 * @n synapses onto @post (of @post_size neurons). */
static int read_proj_attr(pk_ctx *c, ns_object *obj, const char *proj, const char *an,
			  ns_attr_kind kind, const pv *v, const pk_rows *ranks, uint64_t n,
			  const int32_t *post_ranks, const char *post, uint64_t post_size)
{
	char what[300];
	pk_rows rows;
	ns_attr *a;
	void *data;
	nsp_num x;
	int rc;

	if ((rc = add_global(c, obj, "projection", proj, an, kind, v)) <= 0)
		return rc;
	attr_what(what, "projection", proj, an);
	if (rows_of(&rows, v) && rows.n == ranks->n) {
		ns_dtype t = rows.matrix ? dtype_of(v->dtype) : rows_dtype(&rows);
		size_t k = 0;
		recorded(c, proj, an, &kind, &t);
		for (size_t i = 0; i < rows.n; i++)
			if (row_len(&rows, i) != row_len(ranks, i))
				return proj_error(c, proj, "attribute '%s': rows differ in length "
						  "from pre_ranks", an);
		if ((rc = charge(c, what, n, "values", host->dtype_size(t), PK_ATTR_COST,
				 NULL)) < 0 ||
		    (rc = host->attr_add(&a, obj, an, kind, NS_LOCAL, t, NULL, 0)) < 0 ||
		    (rc = host->attr_data(&data, a)) < 0)
			return rc;
		for (size_t i = 0; i < rows.n; i++) {
			const void *same = same_type_row(&rows, i, t);
			if (same) {
				size_t bytes = row_len(&rows, i) * host->dtype_size(t);
				memcpy((char *)data + k * host->dtype_size(t), same, bytes);
				k += row_len(&rows, i);
				continue;
			}
			for (size_t j = 0; j < row_len(&rows, i); j++) {
				if (!row_num(&rows, i, j, &x))
					return proj_error(c, proj, "attribute '%s': a value that "
							  "is not a number", an);
				if ((rc = pk_put(data, t, k++, &x, c->path, what)) < 0)
					return rc;
			}
		}
		return NS_OK;
	}
	if (pv_is_seq(v) && pv_seq_len(v) == ranks->n) {
		ns_dtype t = seq_dtype(v);
		const pv *whole = pk_record_semiglobal(&c->rec, proj, an);
		char why[300];
		recorded(c, proj, an, &kind, &t);
		/* one value per post neuron: as many as the post population
		 * says, which for a placeholder is only the largest rank */
		snprintf(why, sizeof why, " (one per neuron of %spopulation '%.100s')",
			 is_placeholder(c, post) ? "the placeholder " : "", post);
		if ((rc = charge(c, what, post_size, "values", host->dtype_size(t), PK_ATTR_COST,
				 why)) < 0 ||
		    (rc = host->attr_add(&a, obj, an, kind, NS_SEMIGLOBAL, t, NULL, 0)) < 0 ||
		    (rc = host->attr_data(&data, a)) < 0)
			return rc;
		/* nsnap's entry has the values of post neurons without synapses */
		if (whole && whole->count != post_size)
			host->log(NS_LOG_WARNING, "file '%s': entry 'nsnap': semiglobal '%s.%s' "
				  "has %llu values for %llu post neurons; ignored", c->path, proj,
				  an, (unsigned long long)whole->count,
				  (unsigned long long)post_size);
		else if (whole)
			for (size_t i = 0; i < post_size; i++)
				if (!pv_seq_num(whole, i, &x) ||
				    (rc = pk_put(data, t, i, &x, c->path, what)) < 0)
					return rc;
		for (size_t i = 0; i < ranks->n; i++) {
			if (!pv_seq_num(v, i, &x))
				return proj_error(c, proj, "attribute '%s': a value that is not a "
						  "number", an);
			if ((uint64_t)post_ranks[i] >= post_size)
				return proj_error(c, proj, "attribute '%s': a post rank beyond "
						  "the post population", an);
			if ((rc = pk_put(data, t, (size_t)post_ranks[i], &x, c->path, what)) < 0)
				return rc;
		}
		return NS_OK;
	}
	if (pv_is_seq(v))
		return host->error(NS_EFORMAT, "file '%s': %s has %zu values for the %zu rows of "
				   "post_ranks, neither one per row nor a list of rows", c->path,
				   what, pv_seq_len(v), ranks->n);
	return host->error(NS_EFORMAT, "file '%s': %s is %s, not a number, a list per post "
			   "neuron or a list of lists", c->path, what, pv_type_name(v));
}

/* A rank of the file: an integer of [0, INT32_MAX]. */
static int rank_of(int32_t *out, const nsp_num *x)
{
	int64_t i;
	if (!nsp_whole(x, 0, INT32_MAX, &i))
		return 0;
	*out = (int32_t)i;
	return 1;
}

/* Row @i of @ranks into @out when it is i64 numbers (a packed list of
 * ints, a numpy int64 array) that are all ranks, raising *@max to the
 * largest: 1; else 0, and the row is read number by number (which names
 * what is wrong). */
static int i64_ranks(const pk_rows *ranks, size_t i, int32_t *out, uint64_t *max)
{
	const char *p = same_type_row(ranks, i, NS_DTYPE_I64);
	size_t len = row_len(ranks, i);
	uint64_t m = *max, bad = 0;
	if (!p)
		return 0;
	for (size_t j = 0; j < len; j++) {
		int64_t v;
		memcpy(&v, p + 8 * j, 8);
		bad |= (uint64_t)v > INT32_MAX;
		out[j] = (int32_t)v;
		m = (uint64_t)v > m ? (uint64_t)v : m;
	}
	if (bad)
		return 0;
	*max = m;
	return 1;
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
	char what[300];
	nsp_num x;
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
	/* pre and post of each synapse, here and in the engine's copy: rows
	 * that the file shares (the same list many times) count each time */
	snprintf(what, sizeof what, "projection '%.100s'", name);
	if ((rc = charge(c, what, n, "synapses", 16, ranks.n * 4 + PK_OBJECT_COST, NULL)) < 0)
		return rc;
	if (!(pre_idx = host->alloc((size_t)n * 4 + 4)) ||
	    !(post_idx = host->alloc((size_t)n * 4 + 4)) ||
	    !(post_ranks = host->alloc(ranks.n * 4 + 4))) {
		rc = host->error(NS_ENOMEM, "out of memory");
		goto done;
	}
	n = 0;
	for (size_t i = 0; i < ranks.n; i++) {
		if (!pv_seq_num(pr, i, &x) || !rank_of(&post_ranks[i], &x)) {
			rc = proj_error(c, name, "a post rank that is not a rank%s", NULL);
			goto done;
		}
		if ((uint64_t)post_ranks[i] > max_post)
			max_post = (uint64_t)post_ranks[i];
		if (i64_ranks(&ranks, i, pre_idx + n, &max_pre)) {
			for (size_t j = 0; j < row_len(&ranks, i); j++)
				post_idx[n++] = post_ranks[i];
			continue;
		}
		for (size_t j = 0; j < row_len(&ranks, i); j++) {
			if (!row_num(&ranks, i, j, &x) || !rank_of(&pre_idx[n], &x)) {
				rc = proj_error(c, name, "a pre rank that is not a rank%s", NULL);
				goto done;
			}
			if ((uint64_t)pre_idx[n] > max_pre)
				max_pre = (uint64_t)pre_idx[n];
			post_idx[n++] = post_ranks[i];
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
						 &ranks, n, post_ranks, post->s, oi.size)) < 0)
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
						 v, &ranks, n, post_ranks, post->s, oi.size)) < 0)
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
	nsp_num x;
	if (!v || v->t != PV_DICT)
		return 0;
	size = pv_dict_get(v, "size");
	geom = pv_dict_get(v, "geometry");
	pr = pv_dict_get(v, "post_ranks");
	return (pr && pv_is_seq(pr)) || (size && pk_num_of(size, &x)) ||
	       (geom && (is_list(geom) || pk_list_packed(geom) || pk_num_of(geom, &x)));
}

static int is_placeholder(const pk_ctx *c, const char *name)
{
	return !c->root || !is_object(pv_dict_get(c->root, name));
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
	nsp_num x;
	int rc;
	if ((rc = check_listed(c, root)) < 0)
		return rc;
	if (step) {
		int64_t k;
		if (!pk_num_of(step, &x) || !nsp_whole(&x, 0, INT64_MAX, &k))
			return bad(c, NULL, "'time_step' is not a step count");
		host->network_set_time(c->net, 0, (uint64_t)k);
	}
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
	return pk_record_arrays(&c->rec, c->net, c->path, c->budget);
}

int pk_import_root(ns_network **out, const pv *root, const ns_plugin_args *args,
		   nsp_budget *budget)
{
	pk_ctx c = { args && args->path ? args->path : "(stream)", NULL, args, NULL, budget,
		     { 0 } };
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
	c.root = whole ? root : NULL;
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
