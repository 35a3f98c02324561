/* SPDX-License-Identifier: MIT */
/* A semantic diff of two versions: objects by name, synapses by (pre, post),
 * values chunk by chunk, skipping chunks whose hashes are the same. */
#include "internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <nsnap/diff.h>

struct diff {
	ns_diff pub;
	ns_diff_object *objs;
	size_t cap_objs;
	ns_diff_meta *meta;
	size_t cap_meta;
};

/* What one side of a comparison reads: an attribute's (or connectivity's)
 * array in its version. */
struct side {
	ns_version *v;
	uint64_t array;
	ns_dtype dtype;
	uint64_t count;
};

/* The running sums of b - a over the compared values. When both sides are
 * integers (@integer) the values are read as int64 and compared exactly:
 * @max_int is the exact max |b - a|, and |b - a| > tol is decided as
 * |b - a| > @tol_int = floor(tol) (the same for whole numbers), UINT64_MAX
 * when tol >= 2^64 (nothing counts). Otherwise the values are doubles. */
struct sums {
	int integer;
	uint64_t compared, changed, finite;
	double max_abs, sum, sum_sq, tol;
	uint64_t max_int, tol_int;
};

const char *ns_change_name(ns_change change)
{
	static const char *const names[] = { "same", "added", "removed", "changed" };
	return (unsigned)change < 4 ? names[change] : "?";
}

static int is_integer(ns_dtype t)
{
	return t == NS_DTYPE_I64 || t == NS_DTYPE_I32 || t == NS_DTYPE_U8 || t == NS_DTYPE_BOOL;
}

static void sums_init(struct sums *s, ns_dtype a, ns_dtype b, double tol)
{
	memset(s, 0, sizeof *s);
	s->integer = is_integer(a) && is_integer(b);
	s->tol = tol;
	s->tol_int = tol >= 18446744073709551616.0 ? UINT64_MAX : (uint64_t)tol;
}

/* The type the values of both sides are read as: 8 bytes either way. */
static ns_dtype read_type(const struct sums *s)
{
	return s->integer ? NS_DTYPE_I64 : NS_DTYPE_F64;
}

/* Values are the same when equal or both NaN: what was stored came back. */
static int same_f64(double a, double b)
{
	return a == b || (isnan(a) && isnan(b));
}

static void accumulate_f64(struct sums *s, const double *a, const double *b, uint64_t n)
{
	for (uint64_t i = 0; i < n; i++) {
		double d;
		if (same_f64(a[i], b[i]))
			d = 0;
		else
			d = b[i] - a[i];
		if (!isfinite(d)) {
			s->changed++;
			s->max_abs = INFINITY;
			continue;
		}
		if (fabs(d) > s->tol)
			s->changed++;
		if (fabs(d) > s->max_abs)
			s->max_abs = fabs(d);
		s->sum += d;
		s->sum_sq += d * d;
		s->finite++;
	}
	s->compared += n;
}

/* b - a never overflows here: its magnitude is taken as an unsigned number
 * (INT64_MAX - INT64_MIN = 2^64 - 1 fits), its sign goes to the sums. */
static void accumulate_i64(struct sums *s, const int64_t *a, const int64_t *b, uint64_t n)
{
	for (uint64_t i = 0; i < n; i++) {
		uint64_t mag;
		double d;
		if (b[i] >= a[i]) {
			mag = (uint64_t)b[i] - (uint64_t)a[i];
			d = (double)mag;
		} else {
			mag = (uint64_t)a[i] - (uint64_t)b[i];
			d = -(double)mag;
		}
		if (mag > s->tol_int)
			s->changed++;
		if (mag > s->max_int)
			s->max_int = mag;
		s->sum += d;
		s->sum_sq += d * d;
	}
	s->finite += n;
	s->compared += n;
}

/* @n values of each side, as read_type(@s) says. */
static void accumulate(struct sums *s, const void *a, const void *b, uint64_t n)
{
	if (s->integer)
		accumulate_i64(s, a, b, n);
	else
		accumulate_f64(s, a, b, n);
}

/* Chunk @c of @s as @as (8 bytes a value) into @out (room for a chunk's
 * values), through @raw (room for a chunk's bytes); *@n gets the number of
 * values. */
static int read_chunk(void *out, ns_dtype as, uint64_t *n, void *raw, size_t raw_size,
		      const struct side *s, uint64_t c, const ns_array_info *info,
		      unsigned flags, uint64_t *bytes_read)
{
	uint64_t bytes = info->nbytes - c * info->chunk_size;
	int rc;

	if (bytes > info->chunk_size)
		bytes = info->chunk_size;
	if ((rc = ns_version_read_chunk(raw, raw_size, s->v, s->array, c, flags)) < 0)
		return rc;
	*bytes_read += bytes;
	*n = bytes / ns_dtype_size(s->dtype);
	return ns__convert_values(out, as, raw, s->dtype, *n, info->name);
}

/* The whole array of @s as @as, 8 bytes a value (malloc'd). */
static int read_all(void **out, ns_dtype as, const struct side *s, unsigned flags,
		    uint64_t *bytes_read)
{
	ns_array_info info;
	size_t esize = ns_dtype_size(s->dtype);
	void *d = NULL, *raw = NULL;
	int rc;

	NS_TRY(ns_version_array_at(&info, s->v, s->array));
	d = malloc(s->count ? s->count * 8 : 1);
	raw = malloc(info.nbytes ? info.nbytes : 1);
	if (!d || !raw) {
		rc = ns_err(NS_ENOMEM, "array '%s': %llu values", info.name,
			    (unsigned long long)s->count);
		goto done;
	}
	NS_TRY(ns_version_read(raw, info.nbytes, s->v, s->array, flags));
	*bytes_read += s->count * esize;
	NS_TRY(ns__convert_values(d, as, raw, s->dtype, s->count, info.name));
	*out = d;
	d = NULL;
done:
	free(raw);
	free(d);
	return rc;
}

/* Compare two arrays of the same length value by value. Chunks with the
 * same hash (same type, same chunking) are equal without being read. */
static int compare_aligned(struct sums *s, int *unread, const struct side *a,
			   const struct side *b, unsigned flags, uint64_t *bytes_read)
{
	ns_array_info ia, ib;
	void *da = NULL, *db = NULL, *raw = NULL;
	ns_dtype as = read_type(s);
	int rc;

	*unread = 1;
	NS_TRY(ns_version_array_at(&ia, a->v, a->array));
	NS_TRY(ns_version_array_at(&ib, b->v, b->array));
	if (a->dtype == b->dtype && ia.chunk_size == ib.chunk_size && ia.n_chunks == ib.n_chunks) {
		size_t per = (size_t)(ia.chunk_size / ns_dtype_size(a->dtype));
		for (uint64_t c = 0; c < ia.n_chunks; c++) {
			uint64_t na, nb;
			if (memcmp(ia.hashes + 16 * c, ib.hashes + 16 * c, 16) == 0) {
				/* Equal values: differences of 0, in every sum. */
				uint64_t rest = a->count - c * per, n = rest < per ? rest : per;
				s->compared += n;
				s->finite += n;
				continue;
			}
			*unread = 0;
			if (!raw && (!(raw = malloc(ia.chunk_size)) || !(da = malloc(per * 8)) ||
				     !(db = malloc(per * 8)))) {
				rc = ns_err(NS_ENOMEM, "array '%s': chunk buffers", ia.name);
				goto done;
			}
			NS_TRY(read_chunk(da, as, &na, raw, ia.chunk_size, a, c, &ia, flags,
					  bytes_read));
			NS_TRY(read_chunk(db, as, &nb, raw, ib.chunk_size, b, c, &ib, flags,
					  bytes_read));
			accumulate(s, da, db, na);
		}
		goto done;
	}
	*unread = 0;
	NS_TRY(read_all(&da, as, a, flags, bytes_read));
	NS_TRY(read_all(&db, as, b, flags, bytes_read));
	accumulate(s, da, db, a->count);
done:
	free(raw);
	free(da);
	free(db);
	return rc;
}

/* Keep the values of @d (8 bytes each) whose bit in @keep is set, in
 * order; the count. */
static uint64_t compact(void *d, const uint8_t *keep, uint64_t n)
{
	unsigned char *p = d;
	uint64_t k = 0;
	for (uint64_t i = 0; i < n; i++)
		if (keep[i / 8] >> (i % 8) & 1)
			memmove(p + 8 * k++, p + 8 * i, 8);
	return k;
}

/* The synapses of a projection in both versions, matched by (post, pre):
 * a bit per synapse of each side saying it has a partner. The k-th copy of
 * a multapse in a matches the k-th in b. */
struct matching {
	uint8_t *keep_a, *keep_b;
	uint64_t common, removed, added;
	int aligned; /* same connectivity, same order: no bits needed */
};

static int load_conn(int32_t **pre, int32_t **post, ns_version *v, const ns_object *o,
		     unsigned flags)
{
	size_t bytes = o->size * sizeof(int32_t);
	int rc = NS_OK;

	*pre = malloc(bytes ? bytes : 1);
	*post = malloc(bytes ? bytes : 1);
	if (!*pre || !*post)
		return ns_err(NS_ENOMEM, "projection '%s': %llu synapses", o->name,
			      (unsigned long long)o->size);
	if ((rc = ns_version_read(*pre, bytes, v, o->syn_arrays[0], flags)) < 0 ||
	    (rc = ns_version_read(*post, bytes, v, o->syn_arrays[1], flags)) < 0)
		return rc;
	return NS_OK;
}

static int same_chunks(ns_version *va, uint64_t a, ns_version *vb, uint64_t b)
{
	ns_array_info ia, ib;
	if (ns_version_array_at(&ia, va, a) < 0 || ns_version_array_at(&ib, vb, b) < 0)
		return 0;
	return ia.nbytes == ib.nbytes && ia.chunk_size == ib.chunk_size &&
	       memcmp(ia.hashes, ib.hashes, 16 * ia.n_chunks) == 0;
}

static int match_synapses(struct matching *m, const ns_object *a, const ns_object *b,
			  unsigned flags, uint64_t *bytes_read)
{
	int32_t *pa = NULL, *qa = NULL, *pb = NULL, *qb = NULL;
	uint64_t i = 0, j = 0;
	int rc;

	memset(m, 0, sizeof *m);
	ns_version *va = a->net->version, *vb = b->net->version;
	if (a->size == b->size && same_chunks(va, a->syn_arrays[0], vb, b->syn_arrays[0]) &&
	    same_chunks(va, a->syn_arrays[1], vb, b->syn_arrays[1])) {
		m->aligned = 1;
		m->common = a->size;
		return NS_OK;
	}
	NS_TRY(load_conn(&pa, &qa, va, a, flags));
	NS_TRY(load_conn(&pb, &qb, vb, b, flags));
	*bytes_read += 8 * (a->size + b->size);
	m->keep_a = calloc(a->size / 8 + 1, 1);
	m->keep_b = calloc(b->size / 8 + 1, 1);
	if (!m->keep_a || !m->keep_b) {
		rc = ns_err(NS_ENOMEM, "projection '%s': matching synapses", a->name);
		goto done;
	}
	/* Both are sorted by post, then pre: one merge pass. */
	while (i < a->size && j < b->size) {
		if (qa[i] == qb[j] && pa[i] == pb[j]) {
			m->keep_a[i / 8] |= (uint8_t)(1u << (i % 8));
			m->keep_b[j / 8] |= (uint8_t)(1u << (j % 8));
			m->common++;
			i++;
			j++;
		} else if (qa[i] < qb[j] || (qa[i] == qb[j] && pa[i] < pb[j])) {
			m->removed++;
			i++;
		} else {
			m->added++;
			j++;
		}
	}
	m->removed += a->size - i;
	m->added += b->size - j;
done:
	free(pa);
	free(qa);
	free(pb);
	free(qb);
	return rc;
}

static void matching_free(struct matching *m)
{
	free(m->keep_a);
	free(m->keep_b);
}

static void attr_describe(ns_diff_attr *d, const ns_attr *a, const ns_attr *b)
{
	const ns_attr *any = b ? b : a;
	d->kind = any->kind;
	if (a) {
		d->scope_a = a->scope;
		d->dtype_a = a->dtype;
		d->count_a = a->count;
	}
	if (b) {
		d->scope_b = b->scope;
		d->dtype_b = b->dtype;
		d->count_b = b->count;
	}
}

/* Compare attribute @a of one version with @b of the other. Values are
 * aligned by position, except local attributes of a projection whose
 * synapses differ, which go through @m. @comparable says the objects
 * (sizes, post populations) allow values to be compared at all. */
static int compare_attr(ns_diff_attr *d, ns_attr *a, ns_attr *b, const struct matching *m,
			int comparable, const ns_diff_opts *o, uint64_t *bytes_read)
{
	struct side sa = { a->obj->net->version, a->array, a->dtype, a->count };
	struct side sb = { b->obj->net->version, b->array, b->dtype, b->count };
	unsigned flags = o->verify ? NS_READ_VERIFY : 0;
	struct sums s;
	void *da = NULL, *db = NULL;
	int rc = NS_OK;
	int matched = a->scope == NS_LOCAL && m && !m->aligned;

	attr_describe(d, a, b);
	d->change = NS_SAME;
	if (a->scope != b->scope || !comparable || (!matched && a->count != b->count)) {
		d->change = NS_CHANGED;
		return NS_OK;
	}
	sums_init(&s, a->dtype, b->dtype, o->tol);
	if (matched) {
		uint64_t na, nb;
		NS_TRY(read_all(&da, read_type(&s), &sa, flags, bytes_read));
		NS_TRY(read_all(&db, read_type(&s), &sb, flags, bytes_read));
		na = compact(da, m->keep_a, a->count);
		nb = compact(db, m->keep_b, b->count);
		if (na != nb || na != m->common) {
			rc = ns_err(NS_ECORRUPT, "attribute '%s': %llu and %llu values for %llu "
				    "synapses in both", a->name, (unsigned long long)na,
				    (unsigned long long)nb, (unsigned long long)m->common);
			goto done;
		}
		accumulate(&s, da, db, na);
	} else {
		NS_TRY(compare_aligned(&s, &d->unread, &sa, &sb, flags, bytes_read));
	}
	if (a->scope == NS_GLOBAL && a->count == 1 && s.integer) {
		NS_TRY(ns_attr_read(&d->value_a_i64, NS_DTYPE_I64, a));
		NS_TRY(ns_attr_read(&d->value_b_i64, NS_DTYPE_I64, b));
		d->value_a = (double)d->value_a_i64;
		d->value_b = (double)d->value_b_i64;
	} else if (a->scope == NS_GLOBAL && a->count == 1) {
		NS_TRY(ns_attr_read(&d->value_a, NS_DTYPE_F64, a));
		NS_TRY(ns_attr_read(&d->value_b, NS_DTYPE_F64, b));
	}
	d->integer = s.integer;
	d->compared = s.compared;
	d->changed = s.changed;
	d->max_abs_u64 = s.max_int;
	d->max_abs = s.integer ? (double)s.max_int : s.max_abs;
	d->mean = s.finite ? s.sum / (double)s.finite : 0;
	d->rms = s.finite ? sqrt(s.sum_sq / (double)s.finite) : 0;
	if (s.changed || a->dtype != b->dtype)
		d->change = NS_CHANGED;
done:
	free(da);
	free(db);
	return rc;
}

/* Append to a growing array of @size-byte items; the new item, zeroed. */
static void *push(void *items, size_t *n, size_t *cap, size_t size)
{
	char **p = items;
	if (ns__grow_array(items, cap, *n, size) < 0)
		return NULL;
	memset(*p + *n * size, 0, size);
	return *p + (*n)++ * size;
}

static char *dup_or_null(const char *s, int *rc)
{
	char *d;
	if (!s)
		return NULL;
	if (!(d = strdup(s)))
		*rc = ns_err(NS_ENOMEM, "diff: copying '%s'", s);
	return d;
}

/* What else differs between two objects of the same kind (""). */
static void describe_object(char *buf, size_t size, const ns_object *a, const ns_object *b)
{
	size_t used = 0;
	buf[0] = '\0';
#define NOTE(...) \
	(used += (size_t)snprintf(buf + used, used < size ? size - used : 0, __VA_ARGS__))
	if (a->kind == NS_POPULATION) {
		int shape_same = a->ndim == b->ndim;
		for (unsigned k = 0; shape_same && k < a->ndim; k++)
			shape_same = a->shape[k] == b->shape[k];
		if (!shape_same && a->size == b->size) {
			NOTE("geometry (");
			for (unsigned k = 0; k < a->ndim; k++)
				NOTE("%s%llu", k ? ", " : "", (unsigned long long)a->shape[k]);
			NOTE(") -> (");
			for (unsigned k = 0; k < b->ndim; k++)
				NOTE("%s%llu", k ? ", " : "", (unsigned long long)b->shape[k]);
			NOTE(")");
		}
	} else {
		if (strcmp(a->pre, b->pre) != 0)
			NOTE("%spre %s -> %s", used ? "; " : "", a->pre, b->pre);
		if (strcmp(a->post, b->post) != 0)
			NOTE("%spost %s -> %s", used ? "; " : "", a->post, b->post);
		if (strcmp(a->target, b->target) != 0)
			NOTE("%starget '%s' -> '%s'", used ? "; " : "", a->target, b->target);
	}
	if (strcmp(a->type, b->type) != 0)
		NOTE("%stype '%s' -> '%s'", used ? "; " : "", a->type, b->type);
#undef NOTE
}

/* The attributes of an object in one version only, all @change. */
static int add_attrs(ns_diff_object *d, ns_attr **list, size_t n, ns_change change)
{
	ns_diff_attr *attrs = calloc(n + 1, sizeof *attrs);
	int rc = NS_OK;
	if (!(d->attrs = attrs))
		return ns_err(NS_ENOMEM, "diff: object '%s'", d->name);
	for (size_t i = 0; i < n && rc == NS_OK; i++) {
		d->n_attrs = i + 1;
		attrs[i].name = dup_or_null(list[i]->name, &rc);
		attrs[i].change = change;
		attr_describe(&attrs[i], change == NS_REMOVED ? list[i] : NULL,
			      change == NS_ADDED ? list[i] : NULL);
	}
	return rc;
}

/* Whether the values of attribute @x can be compared with its namesake's:
 * globals and arrays always (arrays of other lengths differ), local values of projections through the matching of
 * synapses, others when their object (@same_size) or the projection's
 * post population (@same_post) kept its size. */
static int comparable(const ns_attr *x, int same_size, int same_post)
{
	if (x->scope == NS_GLOBAL || x->scope == NS_ARRAY)
		return 1;
	if (x->scope == NS_LOCAL)
		return x->obj->kind == NS_PROJECTION || same_size;
	return same_post;
}

static int diff_object(ns_diff_object *d, ns_object *a, ns_object *b, const ns_diff_opts *o,
		       uint64_t *bytes_read)
{
	struct matching m = { NULL, NULL, 0, 0, 0, 1 };
	char detail[1024];
	size_t n_attrs = 0;
	int same_post = 0, rc = NS_OK;
	ns_diff_attr *attrs;

	d->size_a = a->size;
	d->size_b = b->size;
	describe_object(detail, sizeof detail, a, b);
	if (a->kind == NS_PROJECTION) {
		NS_TRY(match_synapses(&m, a, b, o->verify ? NS_READ_VERIFY : 0, bytes_read));
		d->syn_common = m.common;
		d->syn_removed = m.removed;
		d->syn_added = m.added;
		/* Semiglobal values follow the post population's neurons. */
		ns_object *post_a = ns_network_object_find(a->net, a->post);
		ns_object *post_b = ns_network_object_find(b->net, b->post);
		same_post = post_a && post_b && post_a->size == post_b->size;
	}
	if (!(attrs = calloc(a->n_attrs + b->n_attrs + 1, sizeof *attrs))) {
		rc = ns_err(NS_ENOMEM, "diff: object '%s'", a->name);
		goto done;
	}
	d->attrs = attrs;
	for (size_t i = 0; i < a->n_attrs; i++) {
		ns_attr *x = a->attrs[i], *y = ns_object_attr_find(b, x->name);
		ns_diff_attr *t = &attrs[n_attrs++];
		d->n_attrs = n_attrs;
		if (!(t->name = dup_or_null(x->name, &rc)))
			goto done;
		if (!y) {
			t->change = NS_REMOVED;
			attr_describe(t, x, NULL);
			continue;
		}
		NS_TRY(compare_attr(t, x, y, a->kind == NS_PROJECTION ? &m : NULL,
				    comparable(x, a->size == b->size, same_post), o, bytes_read));
	}
	for (size_t i = 0; i < b->n_attrs; i++) {
		ns_diff_attr *t;
		if (ns_object_attr_find(a, b->attrs[i]->name))
			continue;
		t = &attrs[n_attrs++];
		d->n_attrs = n_attrs;
		if (!(t->name = dup_or_null(b->attrs[i]->name, &rc)))
			goto done;
		t->change = NS_ADDED;
		attr_describe(t, NULL, b->attrs[i]);
	}
	d->change = detail[0] || a->size != b->size || m.removed || m.added ? NS_CHANGED : NS_SAME;
	for (size_t i = 0; i < n_attrs; i++)
		if (attrs[i].change != NS_SAME)
			d->change = NS_CHANGED;
	d->detail = dup_or_null(detail, &rc);
done:
	matching_free(&m);
	return rc;
}

/* The network dictionary entry @i of @net as text. */
static void meta_text(char *buf, size_t size, const ns_network *net, size_t i)
{
	const char *key, *string;
	double number;
	ns_network_meta_at(&key, &string, &number, net, i);
	char num[32];
	if (string)
		snprintf(buf, size, "'%s'", string);
	else
		snprintf(buf, size, "%s", ns__shortest_double(num, number));
}

static size_t meta_find(const ns_network *net, const char *key)
{
	size_t n = ns_network_meta_count(net);
	for (size_t i = 0; i < n; i++) {
		const char *k, *s;
		double x;
		ns_network_meta_at(&k, &s, &x, net, i);
		if (strcmp(k, key) == 0)
			return i;
	}
	return n;
}

static int push_meta(struct diff *d, const char *key, ns_change change, const char *va,
		     const char *vb)
{
	ns_diff_meta *m = push(&d->meta, &d->pub.n_meta, &d->cap_meta, sizeof *m);
	int rc = NS_OK;
	if (!m)
		return NS_ENOMEM;
	m->change = change;
	m->key = dup_or_null(key, &rc);
	m->value_a = dup_or_null(va, &rc);
	m->value_b = dup_or_null(vb, &rc);
	return rc;
}

static int diff_meta(struct diff *d, const ns_network *a, const ns_network *b)
{
	size_t na = ns_network_meta_count(a), nb = ns_network_meta_count(b);
	const char *key, *s;
	char ta[512], tb[512];
	double x;
	int rc = NS_OK;

	for (size_t i = 0; i < na && rc == NS_OK; i++) {
		size_t j;
		ns_network_meta_at(&key, &s, &x, a, i);
		meta_text(ta, sizeof ta, a, i);
		if ((j = meta_find(b, key)) == nb) {
			rc = push_meta(d, key, NS_REMOVED, ta, NULL);
			continue;
		}
		meta_text(tb, sizeof tb, b, j);
		if (strcmp(ta, tb) != 0)
			rc = push_meta(d, key, NS_CHANGED, ta, tb);
	}
	for (size_t j = 0; j < nb && rc == NS_OK; j++) {
		ns_network_meta_at(&key, &s, &x, b, j);
		meta_text(tb, sizeof tb, b, j);
		if (meta_find(a, key) == na)
			rc = push_meta(d, key, NS_ADDED, NULL, tb);
	}
	return rc;
}

static int add_object(struct diff *d, ns_diff_object **out, const ns_object *x,
		      ns_change change)
{
	ns_diff_object *t = push(&d->objs, &d->pub.n_objects, &d->cap_objs, sizeof *t);
	int rc = NS_OK;
	if (!t)
		return NS_ENOMEM;
	d->pub.objects = d->objs;
	t->name = dup_or_null(x->name, &rc);
	t->kind = x->kind;
	t->change = change;
	*out = t;
	return rc;
}

/* An object of one version only, with its attributes. */
static int add_one_sided(struct diff *d, const ns_object *x, ns_change change)
{
	ns_diff_object *t;
	int rc = add_object(d, &t, x, change);
	if (rc < 0)
		return rc;
	*(change == NS_ADDED ? &t->size_b : &t->size_a) = x->size;
	t->detail = dup_or_null("", &rc);
	return rc < 0 ? rc : add_attrs(t, x->attrs, x->n_attrs, change);
}

int ns_diff_versions(ns_diff **out, ns_store *store, const char *rev_a, const char *rev_b,
		     const ns_diff_opts *opts)
{
	ns_diff_opts defaults = NS_DIFF_OPTS_INIT;
	const ns_diff_opts *o = opts ? opts : &defaults;
	ns_network *a = NULL, *b = NULL;
	struct diff *d = NULL;
	ns_diff_object *t;
	int rc, network_changed = 0;

	if (!out)
		return ns_err(NS_EINVAL, "ns_diff_versions: out must not be NULL");
	if ((rc = ns__opts_check(o->version, NS_DIFF_OPTS_VERSION, "diff")) < 0)
		return rc;
	if (!(o->tol >= 0))
		return ns_err(NS_EINVAL, "diff: tolerance %g is not a number >= 0", o->tol);
	NS_TRY(ns__network_open(&a, store, rev_a, 0));
	NS_TRY(ns__network_open(&b, store, rev_b, 0));
	NS_TRY(ns__select_check(&o->select, a, b));
	if (!(d = calloc(1, sizeof *d))) {
		rc = ns_err(NS_ENOMEM, "diff");
		goto done;
	}
	d->pub.version_a = ns_network_version(a);
	d->pub.version_b = ns_network_version(b);
	d->pub.t_a = a->t_ms;
	d->pub.t_b = b->t_ms;
	d->pub.dt_a = a->dt_ms;
	d->pub.dt_b = b->dt_ms;
	for (size_t i = 0; i < a->n_objs; i++) {
		ns_object *x = a->objs[i], *y = ns_network_object_find(b, x->name);
		if (!ns__selected(&o->select, x) && !(y && ns__selected(&o->select, y)))
			continue;
		if (!y || y->kind != x->kind) {
			/* A name now of another kind: one removed, one added. */
			NS_TRY(add_one_sided(d, x, NS_REMOVED));
			if (y)
				NS_TRY(add_one_sided(d, y, NS_ADDED));
			continue;
		}
		NS_TRY(add_object(d, &t, x, NS_SAME));
		NS_TRY(diff_object(t, x, y, o, &d->pub.bytes_read));
	}
	for (size_t i = 0; i < b->n_objs; i++) {
		ns_object *y = b->objs[i];
		if (!ns__selected(&o->select, y) || ns_network_object_find(a, y->name))
			continue;
		NS_TRY(add_one_sided(d, y, NS_ADDED));
	}
	/* The network-wide arrays, as the object "", when either has some. */
	if (ns_network_attr_count(a) || ns_network_attr_count(b)) {
		ns_object *sa, *sb;
		NS_TRY(ns__network_self(&sa, a));
		NS_TRY(ns__network_self(&sb, b));
		NS_TRY(add_object(d, &t, sa, NS_SAME));
		NS_TRY(diff_object(t, sa, sb, o, &d->pub.bytes_read));
		network_changed = t->change != NS_SAME;
	}
	NS_TRY(diff_meta(d, a, b));
	d->pub.meta = d->meta;
	/* A selection compares those objects only; the whole network also has
	 * its clock and dictionary. */
	d->pub.equal = o->select.only || o->select.no_populations || o->select.no_projections ||
		       (d->pub.n_meta == 0 && same_f64(a->t_ms, b->t_ms) && a->step == b->step &&
			same_f64(a->dt_ms, b->dt_ms) && !network_changed);
	for (size_t i = 0; i < d->pub.n_objects; i++)
		if (d->objs[i].change != NS_SAME && d->objs[i].kind != NS_NETWORK_ITSELF)
			d->pub.equal = 0;
	*out = &d->pub;
	d = NULL;
done:
	ns_diff_free(d ? &d->pub : NULL);
	ns_network_free(a);
	ns_network_free(b);
	if (rc < 0)
		return ns_err_wrap(rc, "diff '%s' '%s'", rev_a, rev_b);
	return rc;
}

void ns_diff_free(ns_diff *pub)
{
	struct diff *d = (struct diff *)pub;
	if (!d)
		return;
	for (size_t i = 0; i < pub->n_objects; i++) {
		ns_diff_object *t = &d->objs[i];
		for (size_t k = 0; k < t->n_attrs; k++)
			free((char *)t->attrs[k].name);
		free((void *)t->attrs);
		free((char *)t->name);
		free((char *)t->detail);
	}
	for (size_t i = 0; i < pub->n_meta; i++) {
		free((char *)d->meta[i].key);
		free((char *)d->meta[i].value_a);
		free((char *)d->meta[i].value_b);
	}
	free(d->objs);
	free(d->meta);
	free(d);
}
