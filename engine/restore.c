/* Restore: a version -> a network's bound arrays, checked before written. */
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One array to write into the network. */
struct copy {
	ns_attr *live;
	uint64_t array;       /* in the version */
	ns_dtype from;
	const uint32_t *perm; /* the network's order of a projection's synapses */
};

struct restore {
	const ns_restore_opts *o;
	ns_network *live, *stored;
	ns_version *v;
	struct copy *copies;
	size_t n_copies, cap_copies;
	uint32_t **perms;     /* per live object */
	ns_restore_item *items;
	size_t n_items, cap_items;
	ns_restore_report *report;
	uint8_t *scratch, *converted;
};

static const char *kind_name(ns_object_kind k)
{
	return k == NS_POPULATION ? "population" : "projection";
}

static int add_item(struct restore *r, const char *object, const char *attr,
		    ns_restore_status status, const char *detail)
{
	ns_restore_item *it;
	int rc = grow_array(&r->items, &r->cap_items, r->n_items, sizeof *r->items);
	if (rc < 0)
		return rc;
	it = &r->items[r->n_items];
	it->object = strdup(object);
	it->attr = attr ? strdup(attr) : NULL;
	it->detail = strdup(detail);
	it->status = status;
	r->n_items++;
	if (!it->object || (attr && !it->attr) || !it->detail)
		return ns_err(NS_ENOMEM, "restore: out of memory");
	return NS_OK;
}

/* Something in one of them only: skipped, or with strict an error. */
static int skip(struct restore *r, const char *object, const char *attr, int in_store)
{
	const char *where = in_store ? "in the version, not in the network"
				     : "in the network, not in the version";
	if (r->o->strict)
		return attr ? ns_err(NS_EMISMATCH, "'%s': attribute '%s' is %s (strict restore)",
				     object, attr, where)
			    : ns_err(NS_EMISMATCH, "'%s' is %s (strict restore)", object, where);
	return add_item(r, object, attr, in_store ? NS_STORE_ONLY : NS_NETWORK_ONLY, where);
}

/* ---------------------------------------------------------- the checks */

/* "40x50" */
static const char *shape_text(char *buf, size_t size, const ns_object *o)
{
	size_t n = 0;
	buf[0] = '\0';
	for (unsigned d = 0; d < o->ndim && n < size; d++)
		n += (size_t)snprintf(buf + n, size - n, d ? "x%llu" : "%llu",
				      (unsigned long long)o->shape[d]);
	return buf;
}

static int check_shape(const ns_object *s, const ns_object *l)
{
	char a[NS_MAX_DIMS * 21], b[NS_MAX_DIMS * 21];

	if (s->kind != l->kind)
		return ns_err(NS_EMISMATCH, "'%s' is a %s in the version, a %s in the network",
			      s->name, kind_name(s->kind), kind_name(l->kind));
	if (s->kind == NS_PROJECTION &&
	    (strcmp(s->pre, l->pre) != 0 || strcmp(s->post, l->post) != 0))
		return ns_err(NS_EMISMATCH, "projection '%s': from '%s' to '%s' in the version, "
			      "from '%s' to '%s' in the network", s->name, s->pre, s->post, l->pre,
			      l->post);
	if (s->size != l->size)
		return ns_err(NS_EMISMATCH, "%s '%s': %llu %s in the version, %llu in the network",
			      kind_name(s->kind), s->name, (unsigned long long)s->size,
			      s->kind == NS_POPULATION ? "neurons" : "synapses",
			      (unsigned long long)l->size);
	if (s->kind == NS_POPULATION && (s->ndim != l->ndim ||
					 memcmp(s->shape, l->shape, s->ndim * sizeof *s->shape)))
		return ns_err(NS_EMISMATCH, "population '%s': geometry %s in the version, %s in "
			      "the network", s->name, shape_text(a, sizeof a, s),
			      shape_text(b, sizeof b, l));
	return NS_OK;
}

/* The same synapses: the stored ones (sorted) against the network's in
 * the store's order. */
static int check_synapses(const ns_object *s, const ns_object *l, const uint32_t *perm)
{
	const int32_t *sp = s->syn_pre, *sq = s->syn_post;
	for (uint64_t k = 0; k < s->size; k++) {
		uint64_t i = perm ? perm[k] : k;
		if (sp[k] != l->syn_pre[i] || sq[k] != l->syn_post[i])
			return ns_err(NS_EMISMATCH, "projection '%s': synapse %llu (by post, then "
				      "pre) is (pre %d, post %d) in the version, (pre %d, post %d) "
				      "in the network", s->name, (unsigned long long)k, sp[k], sq[k],
				      l->syn_pre[i], l->syn_post[i]);
	}
	return NS_OK;
}

static int is_float(ns_dtype t)
{
	return t == NS_DTYPE_F64 || t == NS_DTYPE_F32;
}

static int plan_attr(struct restore *r, const ns_object *so, const ns_attr *sa, ns_attr *la,
		     const uint32_t *perm)
{
	struct copy *c;
	int rc;
	if (sa->scope != la->scope || sa->count != la->count)
		return ns_err(NS_EMISMATCH, "'%s': attribute '%s' is %s with %llu values in the "
			      "version, %s with %llu in the network", so->name, sa->name,
			      ns_scope_name(sa->scope), (unsigned long long)sa->count,
			      ns_scope_name(la->scope), (unsigned long long)la->count);
	if (sa->dtype != la->dtype && !(is_float(sa->dtype) && is_float(la->dtype)))
		return ns_err(NS_EMISMATCH, "'%s': attribute '%s' is %s in the version, %s in the "
			      "network", so->name, sa->name, ns_dtype_name(sa->dtype),
			      ns_dtype_name(la->dtype));
	if (sa->dtype != la->dtype && !r->o->convert)
		return ns_err(NS_EMISMATCH, "'%s': attribute '%s' is %s in the version, %s in the "
			      "network (restore with conversion allowed to convert it)", so->name,
			      sa->name, ns_dtype_name(sa->dtype), ns_dtype_name(la->dtype));
	if ((rc = grow_array(&r->copies, &r->cap_copies, r->n_copies, sizeof *r->copies)) < 0)
		return rc;
	c = &r->copies[r->n_copies++];
	c->live = la;
	c->array = sa->array;
	c->from = sa->dtype;
	c->perm = la->scope == NS_LOCAL ? perm : NULL;
	return NS_OK;
}

static int plan_object(struct restore *r, const ns_object *so, ns_object *lo, size_t li)
{
	uint32_t *perm = NULL;
	int rc;

	NS_TRY(check_shape(so, lo));
	if (so->kind == NS_PROJECTION) {
		NS_TRY(synapse_order(&perm, lo));
		r->perms[li] = perm;
		NS_TRY(check_synapses(so, lo, perm));
	}
	for (size_t a = 0; a < so->n_attrs; a++) {
		const ns_attr *sa = so->attrs[a];
		ns_attr *la = ns_object_attr_find(lo, sa->name);
		if (!la)
			NS_TRY(skip(r, so->name, sa->name, 1));
		else
			NS_TRY(plan_attr(r, so, sa, la, perm));
	}
	for (size_t a = 0; a < lo->n_attrs; a++)
		if (!ns_object_attr_find(so, lo->attrs[a]->name))
			NS_TRY(skip(r, lo->name, lo->attrs[a]->name, 0));
done:
	return rc;
}

static int plan(struct restore *r)
{
	const ns_select *sel = &r->o->select;
	int rc;

	NS_TRY(select_check(sel, r->stored, r->live));
	for (size_t i = 0; i < r->stored->n_objs; i++) {
		const ns_object *so = r->stored->objs[i];
		ns_object *lo = ns_network_object_find(r->live, so->name);
		if (!selected(sel, so))
			continue;
		if (!lo) {
			NS_TRY(skip(r, so->name, NULL, 1));
			continue;
		}
		for (size_t li = 0; li < r->live->n_objs; li++)
			if (r->live->objs[li] == lo)
				NS_TRY(plan_object(r, so, lo, li));
	}
	for (size_t i = 0; i < r->live->n_objs; i++) {
		const ns_object *lo = r->live->objs[i];
		if (selected(sel, lo) && !ns_network_object_find(r->stored, lo->name))
			NS_TRY(skip(r, lo->name, NULL, 0));
	}
	/* Every chunk there and decodable: the writes below cannot fail. */
	for (size_t i = 0; i < r->n_copies; i++)
		NS_TRY(ns_version_check(r->v, r->copies[i].array,
					r->o->verify ? NS_READ_VERIFY : 0));
done:
	return rc;
}

/* ---------------------------------------------------------- the writes */

/* dst[perm[k]] = src[k] for n elements of @esize bytes. */
static void scatter(uint8_t *dst, const uint8_t *src, const uint32_t *perm, uint64_t n,
		    size_t esize)
{
	switch (esize) {
	case 8:
		for (uint64_t k = 0; k < n; k++)
			memcpy(dst + 8 * (size_t)perm[k], src + 8 * k, 8);
		break;
	case 4:
		for (uint64_t k = 0; k < n; k++)
			memcpy(dst + 4 * (size_t)perm[k], src + 4 * k, 4);
		break;
	default:
		for (uint64_t k = 0; k < n; k++)
			memcpy(dst + esize * perm[k], src + esize * k, esize);
	}
}

static int write_copy(struct restore *r, const struct copy *c)
{
	ns_attr *la = c->live;
	size_t to = ns_dtype_size(la->dtype), from = ns_dtype_size(c->from);
	unsigned flags = r->o->verify ? NS_READ_VERIFY : 0;
	ns_array_info info;
	uint8_t *dst = la->data;
	int rc;

	if (!c->perm && c->from == la->dtype)
		return ns_version_read(la->data, (size_t)(la->count * to), r->v, c->array, flags);
	NS_TRY(ns_version_array_at(&info, r->v, c->array));
	for (uint64_t ci = 0; ci < info.n_chunks; ci++) {
		uint64_t off = ci * info.chunk_size, first = off / from;
		uint64_t n = (info.nbytes - off < info.chunk_size ? info.nbytes - off
								   : info.chunk_size) / from;
		const uint8_t *src = r->scratch;
		NS_TRY(ns_version_read_chunk(r->scratch, (size_t)info.chunk_size, r->v, c->array,
					     ci, flags));
		if (c->from != la->dtype) {
			/* f64 <-> f32 only (checked): it cannot fail. */
			NS_TRY(convert_values(r->converted, la->dtype, r->scratch, c->from, n,
					      la->name));
			src = r->converted;
		}
		if (c->perm)
			scatter(dst, src, c->perm + first, n, to);
		else
			memcpy(dst + first * to, src, (size_t)n * to);
	}
done:
	return rc;
}

static int apply(struct restore *r)
{
	ns_array_info info;
	uint64_t biggest = 0;
	int rc;

	for (size_t i = 0; i < r->n_copies; i++) {
		NS_TRY(ns_version_array_at(&info, r->v, r->copies[i].array));
		if (info.chunk_size > biggest)
			biggest = info.chunk_size;
	}
	/* f32 -> f64 doubles a chunk's size. */
	if (!(r->scratch = malloc(biggest + 1)) || !(r->converted = malloc(2 * biggest + 1))) {
		rc = ns_err(NS_ENOMEM, "restore: out of memory");
		goto done;
	}
	for (size_t i = 0; i < r->n_copies; i++) {
		const struct copy *c = &r->copies[i];
		NS_TRY(write_copy(r, c));
		NS_TRY(add_item(r, c->live->obj->name, c->live->name,
				c->from == c->live->dtype ? NS_RESTORED : NS_CONVERTED,
				c->from == c->live->dtype ? "" : c->from == NS_DTYPE_F64
				? "f64 -> f32" : "f32 -> f64"));
	}
	if (!r->o->no_time) {
		r->live->t_ms = r->stored->t_ms;
		r->live->step = r->stored->step;
		r->live->dt_ms = r->stored->dt_ms;
	}
done:
	return rc;
}

static int make_report(struct restore *r)
{
	ns_restore_report *rep = calloc(1, sizeof *rep);
	if (!rep)
		return ns_err(NS_ENOMEM, "restore: out of memory");
	rep->items = r->items;
	rep->n_items = r->n_items;
	rep->version = ns_network_version(r->stored);
	for (size_t i = 0; i < r->n_items; i++) {
		if (r->items[i].status == NS_RESTORED)
			rep->restored++;
		else if (r->items[i].status == NS_CONVERTED)
			rep->converted++;
		else
			rep->skipped++;
	}
	r->items = NULL;
	r->n_items = 0;
	r->report = rep;
	return NS_OK;
}

static void free_items(const ns_restore_item *items, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free((char *)items[i].object);
		free((char *)items[i].attr);
		free((char *)items[i].detail);
	}
	free((void *)items);
}

void ns_restore_report_free(ns_restore_report *rep)
{
	if (!rep)
		return;
	free_items(rep->items, rep->n_items);
	free(rep);
}

int ns_restore(ns_restore_report **report, ns_store *store, const char *rev, ns_network *net,
	       const ns_restore_opts *opts)
{
	ns_restore_opts defaults = NS_RESTORE_OPTS_INIT;
	struct restore r = { .o = opts ? opts : &defaults, .live = net };
	int rc;

	if (r.o->version != NS_RESTORE_OPTS_VERSION)
		return ns_err(NS_EINVAL, "restore: options version %u, expected %u",
			      r.o->version, NS_RESTORE_OPTS_VERSION);
	if (net->version)
		return ns_err(NS_EREADONLY, "network '%s' was opened from a store: it is "
			      "read-only, restore into a network the simulator built", net->name);
	NS_TRY(ns_network_open(&r.stored, store, rev));
	r.v = r.stored->version;
	if (!(r.perms = calloc(net->n_objs + 1, sizeof *r.perms))) {
		rc = ns_err(NS_ENOMEM, "restore: out of memory");
		goto done;
	}
	if ((rc = plan(&r)) < 0) {
		ns_err_wrap(rc, "restore of version %llu into network '%s'",
			    (unsigned long long)ns_network_version(r.stored), net->name);
		goto done;
	}
	NS_TRY(apply(&r));
	NS_TRY(make_report(&r));
	if (report)
		*report = r.report;
	else
		ns_restore_report_free(r.report);
done:
	for (size_t i = 0; r.perms && i < net->n_objs; i++)
		free(r.perms[i]);
	free(r.perms);
	free(r.copies);
	free(r.scratch);
	free(r.converted);
	free_items(r.items, r.n_items);
	ns_network_free(r.stored);
	return rc;
}
