/* SPDX-License-Identifier: MIT */
/* Import: a MAT file in ANNarchy's layout (as scipy.io.savemat writes
 * ANNarchy's save() dict, or MATLAB/Octave saves the same structs) into a
 * new network, with the choices of the pickle plugin's annarchy.c:
 *
 * - a whole network (1x1 structs shaped as populations or projections,
 *   whatever else the file holds: time_step and obj_names when there,
 *   obj_names checked then), or one object's fields as variables
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
 * - nsnap_names restores names renamed on export;
 * - nsnap's own variable (record.c), when the file has it, gives the
 *   network's name, time in ms, dt and dictionary, the objects' types, and
 *   each attribute's kind, scope and element type where the layout loses
 *   or blurs them.
 *
 * mt_load() (load.c) checks the file and has matio read it; every array
 * is checked again (matvar.c) before a value is taken. */
#include "mat.h"

#include <stdio.h>
#include <string.h>

/* Populations are at most this large (sizes once went through doubles). */
#define MT_MAX_NEURONS UINT64_C(1000000000000000)

typedef struct rd {
	const char *path;
	const ns_plugin_args *args;
	ns_network *net;
	matvar_t **vars;
	size_t n_vars;
	mt_names names;
	mt_record rec; /* nsnap's own variable */
	nsp_budget budget; /* for what no value of the file backs */
} rd;

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

/* An object's lists of attributes, 'attributes', 'parameters' and
 * 'variables', walked by listed_next(). */
typedef struct listed {
	mt_strs attrs, params, vars;
	int pass;
	size_t k;
} listed;

static int listed_read(listed *l, const rd *r, const mt_fields *f)
{
	int rc;
	if ((rc = mt_get_strs(&l->attrs, r->path, f, "attributes")) < 0 ||
	    (rc = mt_get_strs(&l->params, r->path, f, "parameters")) < 0 ||
	    (rc = mt_get_strs(&l->vars, r->path, f, "variables")) < 0)
		return rc;
	return NS_OK;
}

static void listed_free(listed *l)
{
	mt_strs_free(&l->attrs);
	mt_strs_free(&l->params);
	mt_strs_free(&l->vars);
}

/* The next listed attribute that @f holds, in the file's order: the
 * 'attributes' list, else the parameters then the variables (as
 * annarchy.c). Its field @fn, name @an and kind; 0 after the last. One
 * listed but not saved is a warning. */
static int listed_next(listed *l, const rd *r, const mt_fields *f, const char **fn,
		       const char **an, ns_attr_kind *kind)
{
	for (; l->pass < 2; l->pass++, l->k = 0) {
		const mt_strs *list = l->attrs.n != SIZE_MAX ? (l->pass ? NULL : &l->attrs) :
				      l->pass ? &l->vars : &l->params;
		while (list && list->n != SIZE_MAX && l->k < list->n) {
			*fn = list->s[l->k++];
			*an = attr_name(r, f->var, *fn);
			if (mt_field(f, *fn)) {
				*kind = mt_in_strs(&l->params, *fn) ? NS_PARAMETER : NS_VARIABLE;
				return 1;
			}
			host->log(NS_LOG_WARNING, "file '%s': variable '%s': attribute '%s' "
				     "listed but not saved", r->path, f->var, *an);
		}
	}
	return 0;
}

/* ------------------------------------------------------------ populations */

/* Copy the local array @v of a population of geometry @shape (@ndim) into
 * @data in C order. MATLAB's array is column-major: an array of the
 * geometry's shape is reordered; a vector is taken as flat. */
static int copy_local(const rd *r, const mt_fields *f, const char *field, void *data, ns_dtype t,
		      const matvar_t *v, const uint64_t *shape, unsigned ndim, uint64_t n)
{
	size_t idx[NS_MAX_DIMS] = { 0 }, stride[NS_MAX_DIMS];
	unsigned long long ext[NS_MAX_DIMS];
	int vector = 0, same = 1, rc;
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
		return mt_fail(r->path, f->var, field, "is %s, not shaped by the geometry (%s)",
			       dims, geom);
	}
	if (vector || ndim < 2) {
		for (uint64_t i = 0; i < n; i++)
			if ((rc = mt_put(data, t, (size_t)i, v, (size_t)i, r->path, f->var, field)) < 0)
				return rc;
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
		if ((rc = mt_put(data, t, (size_t)i, v, src, r->path, f->var, field)) < 0)
			return rc;
		for (unsigned k = ndim; k-- > 0;) {
			if (++idx[k] < ext[k])
				break;
			idx[k] = 0;
		}
	}
	return NS_OK;
}

static int read_population(rd *r, const char *name, const mt_fields *f)
{
	matvar_t *size = mt_field(f, "size"), *geom = mt_field(f, "geometry");
	listed l = { 0 };
	const char *fn, *an;
	ns_attr_kind kind;
	uint64_t shape[NS_MAX_DIMS], n = 1, x;
	unsigned ndim = 0;
	ns_object *obj;
	int rc;

	if (geom) {
		uint64_t k = mt_count(geom);
		if (!mt_numeric(geom) || k > NS_MAX_DIMS)
			return mt_fail(r->path, f->var, "geometry",
				       "is not a list of up to %d extents", NS_MAX_DIMS);
		for (size_t i = 0; i < k; i++) {
			if (!mt_whole(&x, geom, i, MT_MAX_NEURONS))
				return mt_fail(r->path, f->var, "geometry", "holds a bad extent");
			if (x && n > MT_MAX_NEURONS / x)
				return mt_fail(r->path, f->var, "geometry", "holds more than 10^15 "
					       "neurons");
			shape[ndim++] = x;
			n *= x;
		}
	}
	if (size) {
		if (!mt_numeric(size) || mt_count(size) != 1 || !mt_whole(&x, size, 0, MT_MAX_NEURONS))
			return mt_fail(r->path, f->var, "size", "is not a count");
		if (ndim && x != n)
			return mt_fail(r->path, f->var, "size",
				       "differs from the product of 'geometry'");
		n = x;
	} else if (!ndim) {
		return mt_fail(r->path, f->var, NULL, "a population without 'size' or 'geometry'");
	}
	if ((rc = host->population_add(&obj, r->net, name, n, ndim ? shape : NULL, ndim,
					  mt_record_type(&r->rec, name))) < 0)
		return rc;
	if ((rc = listed_read(&l, r, f)) < 0)
		goto done;
	while (listed_next(&l, r, f, &fn, &an, &kind)) {
		matvar_t *v = mt_field(f, fn);
		uint64_t count;
		ns_attr_kind rk;
		ns_scope scope, rs;
		ns_dtype t, rt;
		ns_attr *a;
		void *data;
		if (!mt_numeric(v) || !mt_dtype(&t, v)) {
			rc = mt_fail(r->path, f->var, fn, "is not a real numeric or logical array");
			goto done;
		}
		count = mt_count(v);
		if (count != 1 && count != n) {
			rc = mt_fail(r->path, f->var, fn, "has %llu values for %llu neurons",
				     (unsigned long long)count, (unsigned long long)n);
			goto done;
		}
		scope = count == 1 ? NS_GLOBAL : NS_LOCAL;
		/* nsnap's record tells a local attribute of one neuron from a global */
		if (mt_record_attr(&r->rec, name, an, &rk, &rs, &rt)) {
			kind = rk;
			t = rt;
			if (rs == NS_LOCAL && count == n)
				scope = NS_LOCAL;
		}
		if ((rc = host->attr_add(&a, obj, an, kind, scope, t, NULL, 0)) < 0 ||
		    (rc = host->attr_data(&data, a)) < 0)
			goto done;
		if (scope == NS_GLOBAL)
			rc = mt_put(data, t, 0, v, 0, r->path, f->var, fn);
		else
			rc = copy_local(r, f, fn, data, t, v, shape, ndim, n);
		if (rc < 0)
			goto done;
	}
	rc = NS_OK;
done:
	listed_free(&l);
	return rc;
}

/* ------------------------------------------------------------ projections */

static int ensure_population(rd *r, const char *proj, const char *name, uint64_t size)
{
	ns_object *obj;
	if (host->network_object_find(r->net, name))
		return NS_OK;
	host->log(NS_LOG_WARNING, "file '%s': projection '%s': population '%s' is not in "
		     "the file; added as a placeholder of %llu neurons", r->path, proj, name,
		     (unsigned long long)size);
	return host->population_add(&obj, r->net, name, size, NULL, 0, NULL);
}

/* Semiglobal attribute @an of projection @proj: the values of post
 * neurons without synapses from nsnap's record, when it has them. */
static int whole_semiglobal(const rd *r, const char *proj, const char *an, void *data,
			    ns_dtype t, uint64_t post_size)
{
	const matvar_t *w = mt_record_semiglobal(&r->rec, proj, an);
	int rc;
	if (!w)
		return NS_OK;
	if (mt_count(w) != post_size) {
		host->log(NS_LOG_WARNING, "file '%s': variable '%s': semiglobal '%s.%s' has "
			  "%llu values for %llu post neurons; ignored", r->path, MT_RECORD_VAR,
			  proj, an, (unsigned long long)mt_count(w),
			  (unsigned long long)post_size);
		return NS_OK;
	}
	for (size_t i = 0; i < post_size; i++)
		if ((rc = mt_put(data, t, i, w, i, r->path, MT_RECORD_VAR, "semiglobal")) < 0)
			return rc;
	return NS_OK;
}

/* One attribute @an (field @fn) of a projection of rows @ranks. A 1x1
 * value is a global, rows like pre_ranks a local, one value per row a
 * semiglobal attribute; where that is ambiguous (one synapse, rows of one
 * synapse), nsnap's record says which it was. */
static int read_proj_attr(rd *r, const mt_fields *f, ns_object *obj, const char *an,
			  const char *fn, ns_attr_kind kind, const mt_rows *ranks,
			  const int32_t *post_ranks, uint64_t post_size)
{
	const matvar_t *v = mt_field(f, fn);
	uint64_t count = mt_count(v);
	mt_rows rw;
	ns_dtype t = NS_DTYPE_F64, ft = NS_DTYPE_F64, rt = NS_DTYPE_F64;
	ns_attr_kind rk;
	ns_scope rs = NS_GLOBAL;
	ns_object_info oi;
	ns_attr *a;
	void *data;
	int rc, rec;

	host->object_get_info(&oi, obj);
	if (v->class_type == MAT_C_CELL ? !mt_rows_of(&rw, v, ranks->n) :
	    !mt_numeric(v) || !mt_dtype(&ft, v))
		return mt_fail(r->path, f->var, fn, "is not a numeric array or a cell of rows like "
			       "'pre_ranks'");
	if ((rec = mt_record_attr(&r->rec, oi.name, an, &rk, &rs, &rt)))
		kind = rk;
	/* First as the record says, then as the file's shapes say. */
	for (int any = !rec; any < 2; any++) {
		t = any ? ft : rt;
		if (count == 1 && v->class_type != MAT_C_CELL && (any || rs == NS_GLOBAL)) {
			if ((rc = host->attr_add(&a, obj, an, kind, NS_GLOBAL, t, NULL, 0)) < 0 ||
			    (rc = host->attr_data(&data, a)) < 0)
				return rc;
			return mt_put(data, t, 0, v, 0, r->path, f->var, fn);
		}
		if ((any || rs == NS_LOCAL) && mt_rows_of(&rw, v, ranks->n)) {
			size_t k = 0, pos;
			int same = 1;
			for (size_t i = 0; i < rw.n; i++)
				same &= mt_row_len(&rw, i) == mt_row_len(ranks, i);
			if (!same && v->class_type == MAT_C_CELL)
				return mt_fail(r->path, f->var, fn,
					       "has rows of other lengths than 'pre_ranks'");
			if (same) {
				if (rw.cell && any) /* the type of the first row that has values */
					for (size_t i = 0; i < rw.n; i++)
						if (mt_row_len(&rw, i) &&
						    mt_dtype(&t, ((matvar_t **)v->data)[i]))
							break;
				if ((rc = host->attr_add(&a, obj, an, kind, NS_LOCAL, t, NULL,
							    0)) < 0 ||
				    (rc = host->attr_data(&data, a)) < 0)
					return rc;
				for (size_t i = 0; i < rw.n; i++)
					for (size_t j = 0; j < mt_row_len(&rw, i); j++) {
						const matvar_t *e = mt_row_at(&rw, i, j, &pos);
						if ((rc = mt_put(data, t, k++, e, pos, r->path,
								 f->var, fn)) < 0)
							return rc;
					}
				return NS_OK;
			}
		}
		if (v->class_type != MAT_C_CELL && count == ranks->n &&
		    (any || rs == NS_SEMIGLOBAL)) {
			/* one value per post neuron, though the file has one per row */
			if (nsp_charge(&r->budget, post_size * host->dtype_size(t)) < 0) {
				char need[32], lim[192];
				return host->error(NS_ENOMEM, "file '%s': variable '%s': field "
						   "'%s': a semiglobal attribute of %llu values "
						   "(one per post neuron) needs %s, beyond %s",
						   r->path, f->var, fn,
						   (unsigned long long)post_size,
						   nsp_size_text(need, post_size *
								 host->dtype_size(t)),
						   nsp_budget_text(lim, &r->budget));
			}
			if ((rc = host->attr_add(&a, obj, an, kind, NS_SEMIGLOBAL, t, NULL,
						    0)) < 0 ||
			    (rc = host->attr_data(&data, a)) < 0)
				return rc;
			for (size_t i = 0; i < ranks->n; i++) {
				if ((uint64_t)post_ranks[i] >= post_size)
					return mt_fail(r->path, f->var, fn,
						       "holds a value out of range");
				if ((rc = mt_put(data, t, (size_t)post_ranks[i], v, i, r->path,
						 f->var, fn)) < 0)
					return rc;
			}
			return whole_semiglobal(r, oi.name, an, data, t, post_size);
		}
	}
	return mt_fail(r->path, f->var, fn, "has %llu values: not 1 (global), one per row of "
		       "'pre_ranks' (semiglobal) or rows like 'pre_ranks' (local)",
		       (unsigned long long)count);
}

static int read_projection(rd *r, const char *name, const mt_fields *f)
{
	matvar_t *pr = mt_field(f, "post_ranks"), *prr = mt_field(f, "pre_ranks");
	listed l = { 0 };
	const char *fn, *an;
	ns_attr_kind kind;
	char *pre = NULL, *post = NULL, *target = NULL;
	int32_t *pre_idx = NULL, *post_idx = NULL, *post_ranks = NULL;
	uint64_t n = 0, max_pre = 0, max_post = 0, x, pre_size, post_size;
	ns_object *obj, *pop;
	ns_object_info oi;
	mt_rows ranks;
	size_t pos;
	int rc;

	if ((rc = mt_get_str(&pre, r->path, f, "pre", 1)) < 0 ||
	    (rc = mt_get_str(&post, r->path, f, "post", 1)) < 0 ||
	    (rc = mt_get_str(&target, r->path, f, "target", 0)) < 0)
		goto done;
	if (!pr) {
		rc = mt_fail(r->path, f->var, "post_ranks", "is missing");
		goto done;
	}
	if (!prr) {
		rc = mt_fail(r->path, f->var, "pre_ranks", "is missing");
		goto done;
	}
	if (!mt_numeric(pr)) {
		rc = mt_fail(r->path, f->var, "post_ranks", "is not a numeric vector");
		goto done;
	}
	if (!mt_rows_of(&ranks, prr, (size_t)mt_count(pr))) {
		rc = mt_fail(r->path, f->var, "pre_ranks", "is not a matrix of %llu rows or a "
			     "cell of %llu numeric vectors (one per post rank)",
			     (unsigned long long)mt_count(pr), (unsigned long long)mt_count(pr));
		goto done;
	}
	for (size_t i = 0; i < ranks.n; i++)
		n += mt_row_len(&ranks, i);
	if (!(pre_idx = host->alloc((size_t)n * 4 + 4)) ||
	    !(post_idx = host->alloc((size_t)n * 4 + 4)) ||
	    !(post_ranks = host->alloc(ranks.n * 4 + 4))) {
		rc = mt_oom();
		goto done;
	}
	n = 0;
	for (size_t i = 0; i < ranks.n; i++) {
		if (!mt_whole(&x, pr, i, INT32_MAX)) {
			rc = mt_fail(r->path, f->var, "post_ranks", "holds %s",
				     "a value that is not a rank");
			goto done;
		}
		post_ranks[i] = (int32_t)x;
		max_post = x > max_post ? x : max_post;
		for (size_t j = 0; j < mt_row_len(&ranks, i); j++) {
			const matvar_t *e = mt_row_at(&ranks, i, j, &pos);
			if (!mt_whole(&x, e, pos, INT32_MAX)) {
				rc = mt_fail(r->path, f->var, "pre_ranks", "holds %s",
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
	host->object_get_info(&oi, host->network_object_find(r->net, pre));
	pre_size = oi.size;
	pop = host->network_object_find(r->net, post);
	host->object_get_info(&oi, pop);
	post_size = oi.size;
	if (oi.kind != NS_POPULATION) {
		rc = mt_fail(r->path, f->var, "post", "names '%s', which is not a population",
			     post);
		goto done;
	}
	if (n && max_pre >= pre_size) {
		rc = mt_fail(r->path, f->var, "pre_ranks", "holds rank %llu, beyond population "
			     "'%s' of %llu", (unsigned long long)max_pre, pre,
			     (unsigned long long)pre_size);
		goto done;
	}
	if (ranks.n && max_post >= post_size) {
		rc = mt_fail(r->path, f->var, "post_ranks", "holds rank %llu, beyond population "
			     "'%s' of %llu", (unsigned long long)max_post, post,
			     (unsigned long long)post_size);
		goto done;
	}
	if ((rc = host->projection_add(&obj, r->net, name, pre, post,
					  target && *target ? target : NULL,
					  mt_record_type(&r->rec, name))) < 0 ||
	    (rc = host->projection_set_synapses(obj, pre_idx, post_idx, n, NS_ARRAY_COPY)) < 0)
		goto done;
	if ((rc = listed_read(&l, r, f)) < 0)
		goto done;
	while (listed_next(&l, r, f, &fn, &an, &kind))
		if ((rc = read_proj_attr(r, f, obj, an, fn, kind, &ranks, post_ranks,
					 post_size)) < 0)
			goto done;
	if (mt_field(f, "delays") && !mt_in_strs(&l.attrs, "delays") &&
	    !mt_in_strs(&l.params, "delays") && !mt_in_strs(&l.vars, "delays") &&
	    (rc = read_proj_attr(r, f, obj, "delays", "delays", NS_PARAMETER, &ranks, post_ranks,
				 post_size)) < 0)
		goto done;
	rc = NS_OK;
done:
	listed_free(&l);
	host->free(pre);
	host->free(post);
	host->free(target);
	host->free(pre_idx);
	host->free(post_idx);
	host->free(post_ranks);
	return rc;
}

/* ------------------------------------------------------------------ files */

static int is_projection(const mt_fields *f)
{
	return mt_field(f, "post_ranks") || mt_field(f, "pre_ranks");
}

static int is_object(const mt_fields *f)
{
	return is_projection(f) || mt_field(f, "size") || mt_field(f, "geometry");
}

/* nsnap_names: an n x 2 cell of {key, original name}. */
static int read_names(rd *r, const matvar_t *v)
{
	size_t n = v->rank == 2 ? v->dims[0] : 0;
	int rc;
	if (v->class_type != MAT_C_CELL || v->rank != 2 || v->dims[1] != 2 || (n && !v->data))
		return mt_fail(r->path, MT_NAMES_VAR, NULL, "is not a cell of 2 columns (name in "
			       "the file, original name)");
	for (size_t i = 0; i < n; i++) {
		const matvar_t *k = ((matvar_t **)v->data)[i], *o = ((matvar_t **)v->data)[i + n];
		char *ks = NULL, *os = NULL;
		if (!k || !o || k->class_type != MAT_C_CHAR || o->class_type != MAT_C_CHAR ||
		    mt_count(k) == 0 || mt_count(o) == 0 || mt_str_row(&ks, k, 0) <= 0 ||
		    mt_str_row(&os, o, 0) <= 0) {
			host->free(ks);
			return mt_fail(r->path, MT_NAMES_VAR, NULL, "row %zu is not two strings",
				       i + 1);
		}
		rc = mt_names_add(&r->names, ks, os);
		host->free(ks);
		host->free(os);
		if (rc < 0)
			return rc;
	}
	return NS_OK;
}

/* Every object obj_names lists, when the file has it, is in the file: a
 * file cut short is not taken for a smaller network. ANNarchy's load()
 * never reads it, and older versions did not write it. */
static int check_obj_names(rd *r, const mt_fields *top)
{
	const matvar_t *v = mt_field(top, "obj_names");
	mt_fields on;
	if (!v)
		return NS_OK;
	if (v->class_type != MAT_C_STRUCT || !mt_fields_of(&on, v, "obj_names"))
		return mt_fail(r->path, "obj_names", NULL, "is not a 1x1 struct");
	for (int k = 0; k < 2; k++) {
		const char *fn = k ? "projections" : "populations";
		mt_strs l;
		int rc = mt_get_strs(&l, r->path, &on, fn);
		for (size_t i = 0; rc == NS_OK && l.n != SIZE_MAX && i < l.n; i++) {
			const matvar_t *o = mt_field(top, l.s[i]);
			mt_fields of;
			if (!o || o->class_type != MAT_C_STRUCT || !mt_fields_of(&of, o, l.s[i]) ||
			    !is_object(&of))
				rc = mt_fail(r->path, "obj_names", fn, "lists '%s', which is not a "
					     "population or projection of the file", l.s[i]);
		}
		mt_strs_free(&l);
		if (rc < 0)
			return rc;
	}
	return NS_OK;
}

static int read_network(rd *r, const mt_fields *top)
{
	const matvar_t *step = mt_field(top, "time_step");
	const matvar_t *names = mt_field(top, MT_NAMES_VAR);
	uint64_t x;
	int rc, objects = 0;

	if (names && (rc = read_names(r, names)) < 0)
		return rc;
	if (step) {
		if (!mt_numeric(step) || mt_count(step) != 1 || !mt_whole(&x, step, 0, INT64_MAX))
			return mt_fail(r->path, "time_step", NULL, "is not a step count");
		host->network_set_time(r->net, 0, x);
	}
	if ((rc = check_obj_names(r, top)) < 0 ||
	    (rc = mt_record_network(&r->rec, r->net, r->path)) < 0)
		return rc;
	/* Populations first: projections need theirs. */
	for (int proj = 0; proj < 2; proj++)
		for (size_t i = 0; i < r->n_vars; i++) {
			const matvar_t *v = r->vars[i];
			mt_fields f;
			if (v->class_type != MAT_C_STRUCT || !v->name ||
			    strcmp(v->name, "obj_names") == 0 || strcmp(v->name, MT_RECORD_VAR) == 0)
				continue;
			if (!mt_fields_of(&f, v, v->name)) {
				host->log(NS_LOG_WARNING, "file '%s': variable '%s' is not a 1x1 "
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
	/* Every object the record lists was read: the file lost none. */
	for (size_t i = 0; i < r->rec.objects.n; i++) {
		const char *name = mt_table_str(&r->rec.objects, i, 0);
		if (!host->network_object_find(r->net, name))
			return mt_fail(r->path, MT_RECORD_VAR, "objects", "lists '%s', which is not "
				       "a population or projection of the file", name);
	}
	if ((rc = mt_record_arrays(&r->rec, r->net, r->path)) < 0)
		return rc;
	if (!objects && !step && !r->rec.present) {
		/* One object saved alone: its fields are the variables. */
		char *name = NULL;
		if (!is_object(top))
			return mt_fail(r->path, NULL, NULL, "neither an ANNarchy network "
				       "(time_step and structs) nor a population or projection");
		if ((rc = mt_get_str(&name, r->path, top, "name", 0)) < 0)
			return rc;
		rc = is_projection(top) ?
			read_projection(r, name && *name ? name : "proj0", top) :
			read_population(r, name && *name ? name : "pop0", top);
		host->free(name);
		return rc;
	}
	return NS_OK;
}

/* ------------------------------------------------------------------ import */

int mt_import(ns_network **out, ns_istream *in, const ns_plugin_args *args)
{
	rd r = { mt_path(args), args, NULL, NULL, 0, { 0 }, { 0 }, { 0 } };
	const matvar_t *rec;
	mt_fields top;
	uint64_t bytes;
	int rc;

	if ((rc = mt_load(&r.vars, &r.n_vars, &bytes, in, r.path)) < 0 ||
	    (rc = nsp_budget_init(&r.budget, args, bytes, r.path)) < 0)
		goto done;
	top.v = r.vars;
	top.names = NULL;
	top.n = r.n_vars;
	top.var = "(file)";
	/* nsnap's record is a struct; a field of an object saved alone may
	 * have its name. */
	rec = mt_field(&top, MT_RECORD_VAR);
	if ((rc = mt_record_read(&r.rec, r.path, rec && rec->class_type == MAT_C_STRUCT ? rec :
				 NULL)) < 0 ||
	    (rc = host->network_new(&r.net, r.rec.name)) < 0)
		goto done;
	if ((rc = read_network(&r, &top)) < 0)
		goto done;
	if (args && args->verbose)
		host->log(NS_LOG_INFO, "file '%s': %zu objects", r.path,
			     host->network_object_count(r.net));
	*out = r.net;
	r.net = NULL;
done:
	mt_vars_free(r.vars, r.n_vars);
	mt_names_free(&r.names);
	mt_record_free(&r.rec);
	host->network_free(r.net);
	return rc;
}
