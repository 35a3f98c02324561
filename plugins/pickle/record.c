/* SPDX-License-Identifier: MIT */
/* nsnap's own entry of a whole-network pickle: the key 'nsnap', which
 * ANNarchy's load() never looks up (it reads 'time_step' and its own
 * objects' names only), holding what ANNarchy's layout has no place for:
 *
 *   'nsnap': {'version': 1, 'network': name, 't': ms, 'dt': ms,
 *             'dictionary': [[key, str or float], ...],
 *             'objects': [[name, neuron or synapse type], ...],
 *             'attributes': [[object, attribute, kind, scope, dtype], ...],
 *             'semiglobal': [[projection, attribute, numpy array], ...],
 *             'arrays': [[object or '', attribute, kind, dtype, numpy array],
 *                        ...]}
 *
 * 'semiglobal' holds the whole array of a semiglobal attribute when some
 * post neurons have no synapses (ANNarchy's list has one value per row).
 * 'arrays' holds the arrays of any length, which ANNarchy's layout has no
 * place for: the network's own ('' for the object) and the attributes of
 * scope array of objects (neither in their dicts nor in their lists), as
 * 1-D numpy arrays of their element type.
 * The mat plugin writes the same entry as a struct of cells (see
 * plugins/mat/README.md). Reading checks the entry's shape; the import
 * (annarchy.c) asks it about each object and attribute it adds. */
#include "pickle.h"
#include "record.h"

#include <string.h>

static int bad(const char *path, const char *field, const char *what, size_t row)
{
	if (row)
		return host->error(NS_EFORMAT, "file '%s': entry 'nsnap': '%s' row %zu %s", path,
				   field, row, what);
	return host->error(NS_EFORMAT, "file '%s': entry 'nsnap': '%s' %s", path, field, what);
}

static int is_list(const pv *v)
{
	return v && (v->t == PV_LIST || v->t == PV_TUPLE);
}

/* Field @name of the entry: a list of rows of @width items whose first
 * @strs are strings; NULL when it is missing. */
static int table(const pv **out, const pv *e, const char *name, size_t width, size_t strs,
		 const char *path)
{
	const pv *t = pv_dict_get(e, name);
	*out = NULL;
	if (!t)
		return NS_OK;
	if (!is_list(t))
		return bad(path, name, "is not a list of rows", 0);
	for (size_t i = 0; i < t->len; i++) {
		const pv *row = t->items[i];
		if (!is_list(row) || row->len != width)
			return bad(path, name, "is not a row of the right length", i + 1);
		for (size_t k = 0; k < strs; k++)
			if (row->items[k]->t != PV_STR)
				return bad(path, name, "holds a name that is not a string", i + 1);
	}
	*out = t;
	return NS_OK;
}

int pk_record_read(pk_record *r, const pv *e, const char *path)
{
	const pv *v;
	double x;
	int rc;

	memset(r, 0, sizeof *r);
	if (!e)
		return NS_OK;
	if (e->t != PV_DICT)
		return host->error(NS_EFORMAT, "file '%s': entry 'nsnap' is %s, not a dict", path,
				   pv_type_name(e));
	if ((v = pv_dict_get(e, "version")) && (!pk_number(v, &x) || x < 1))
		return bad(path, "version", "is not a version number", 0);
	if ((v = pv_dict_get(e, "network"))) {
		if (v->t != PV_STR)
			return bad(path, "network", "is not a string", 0);
		r->name = v->s;
	}
	if ((v = pv_dict_get(e, "t"))) {
		if (!pk_number(v, &r->t))
			return bad(path, "t", "is not a number", 0);
		r->has_t = 1;
	}
	if ((v = pv_dict_get(e, "dt"))) {
		if (!pk_number(v, &r->dt))
			return bad(path, "dt", "is not a number", 0);
		r->has_dt = 1;
	}
	if ((rc = table(&r->dict, e, "dictionary", 2, 1, path)) < 0 ||
	    (rc = table(&r->objects, e, "objects", 2, 2, path)) < 0 ||
	    (rc = table(&r->attrs, e, "attributes", 5, 5, path)) < 0 ||
	    (rc = table(&r->semiglobal, e, "semiglobal", 3, 2, path)) < 0 ||
	    (rc = table(&r->arrays, e, "arrays", 5, 4, path)) < 0)
		return rc;
	for (size_t i = 0; r->dict && i < r->dict->len; i++) {
		const pv *val = r->dict->items[i]->items[1];
		if (val->t != PV_STR && !pk_number(val, &x))
			return bad(path, "dictionary", "holds a value that is neither a string nor "
				   "a number", i + 1);
	}
	for (size_t i = 0; r->attrs && i < r->attrs->len; i++) {
		pv *const *it = r->attrs->items[i]->items;
		ns_attr_kind k;
		ns_scope s;
		ns_dtype t;
		if (!nsp_attr_desc(&k, &s, &t, it[2]->s, it[3]->s, it[4]->s))
			return bad(path, "attributes", "has an unknown kind, scope or element type",
				   i + 1);
	}
	for (size_t i = 0; r->semiglobal && i < r->semiglobal->len; i++) {
		const pv *a = r->semiglobal->items[i]->items[2];
		if (!(a->t == PV_ARRAY && a->dtype->kind != 'O' && a->ndim == 1))
			return bad(path, "semiglobal", "holds values that are not a 1-D numpy array",
				   i + 1);
	}
	for (size_t i = 0; r->arrays && i < r->arrays->len; i++) {
		pv *const *it = r->arrays->items[i]->items;
		ns_attr_kind k;
		ns_dtype t;
		if (!nsp_array_desc(&k, &t, it[2]->s, it[3]->s))
			return bad(path, "arrays", "has an unknown kind or element type", i + 1);
		if (!(it[4]->t == PV_ARRAY && it[4]->ndim == 1 && pk_is_dtype(it[4]->dtype, t)))
			return bad(path, "arrays", "holds values that are not a 1-D numpy array of "
				   "the element type it names", i + 1);
	}
	r->present = 1;
	return NS_OK;
}

int pk_record_network(const pk_record *r, ns_network *net, const char *path)
{
	nsp_set_clock(net, r->has_t, r->t, r->has_dt, r->dt);
	for (size_t i = 0; r->dict && i < r->dict->len; i++) {
		pv *const *it = r->dict->items[i]->items;
		double x = 0;
		int rc;
		if (it[1]->t != PV_STR)
			pk_number(it[1], &x);
		if ((rc = host->network_set_meta(net, it[0]->s, it[1]->t == PV_STR ? it[1]->s : NULL,
						 x)) < 0)
			return bad(path, "dictionary", "is not a dictionary entry nsnap takes", i + 1);
	}
	return NS_OK;
}

const char *pk_record_type(const pk_record *r, const char *obj)
{
	for (size_t i = 0; r->objects && i < r->objects->len; i++) {
		pv *const *it = r->objects->items[i]->items;
		if (strcmp(it[0]->s, obj) == 0)
			return *it[1]->s ? it[1]->s : NULL;
	}
	return NULL;
}

int pk_record_attr(const pk_record *r, const char *obj, const char *attr, ns_attr_kind *kind,
		   ns_scope *scope, ns_dtype *dtype)
{
	for (size_t i = 0; r->attrs && i < r->attrs->len; i++) {
		pv *const *it = r->attrs->items[i]->items;
		if (strcmp(it[0]->s, obj) == 0 && strcmp(it[1]->s, attr) == 0)
			return nsp_attr_desc(kind, scope, dtype, it[2]->s, it[3]->s, it[4]->s);
	}
	return 0;
}

const pv *pk_record_semiglobal(const pk_record *r, const char *obj, const char *attr)
{
	for (size_t i = 0; r->semiglobal && i < r->semiglobal->len; i++) {
		pv *const *it = r->semiglobal->items[i]->items;
		if (strcmp(it[0]->s, obj) == 0 && strcmp(it[1]->s, attr) == 0)
			return it[2];
	}
	return NULL;
}

int pk_record_listed(const pk_record *r, const char *obj)
{
	for (size_t i = 0; r->objects && i < r->objects->len; i++)
		if (strcmp(r->objects->items[i]->items[0]->s, obj) == 0)
			return 1;
	return 0;
}

int pk_record_arrays(const pk_record *r, ns_network *net, const char *path,
		     nsp_budget *budget)
{
	for (size_t i = 0; r->arrays && i < r->arrays->len; i++) {
		pv *const *it = r->arrays->items[i]->items;
		char lim[192];
		ns_attr_kind k;
		ns_dtype t;
		int rc;
		nsp_array_desc(&k, &t, it[2]->s, it[3]->s);
		/* the bytes are the file's: only the copy the network makes is new */
		if (nsp_charge(budget, it[4]->count * host->dtype_size(t)) < 0)
			return host->error(NS_ENOMEM, "file '%s': entry 'nsnap': 'arrays' row %zu: "
					   "%llu values, beyond %s", path, i + 1,
					   (unsigned long long)it[4]->count,
					   nsp_budget_text(lim, budget));
		if ((rc = nsp_add_array(net, path, "entry 'nsnap'", i + 1, it[0]->s, it[1]->s, k, t,
					it[4]->count, it[4]->s)) < 0)
			return rc;
	}
	return NS_OK;
}
