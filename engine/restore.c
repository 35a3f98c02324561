/* SPDX-License-Identifier: MIT */
/* Restore: a version -> a network's bound arrays, checked before written.
 *
 * A failed restore changes nothing, so everything that can fail happens in
 * plan(), before the first write: the checks, every allocation, the report,
 * and every read from the store. A raw chunk is read where it lies in the
 * map (a view); a compressed one is decoded into a buffer of the restore.
 * apply() then only copies, converts (f64 <-> f32) and reorders, which
 * cannot fail. */
#include "internal.h"
#include "track.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One array to write into the network. */
struct copy {
	ns_attr *live;
	uint64_t array;       /* in the version */
	ns_dtype from;
	const uint32_t *perm; /* the network's order of a projection's synapses */
	ns_array_info info;   /* of the array in the version */
	const uint8_t **src;  /* info.n_chunks: each chunk's bytes, read already */
	uint8_t *decoded;     /* the compressed chunks' bytes, at their offsets */
	int held;             /* the network holds the version's values already */
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
	/* For conversions: a chunk, aligned (views may not be), and converted. */
	uint8_t *scratch, *converted;
};

static int add_item(struct restore *r, const char *object, const char *attr,
		    ns_restore_status status, const char *detail)
{
	ns_restore_item *it;
	int rc = ns__grow_array(&r->items, &r->cap_items, r->n_items, sizeof *r->items);
	if (rc < 0)
		return ns_err_wrap(rc, "the report");
	it = &r->items[r->n_items];
	it->object = strdup(object);
	it->attr = attr ? strdup(attr) : NULL;
	it->detail = strdup(detail);
	it->status = status;
	r->n_items++;
	if (!it->object || (attr && !it->attr) || !it->detail)
		return ns_err(NS_ENOMEM, "out of memory for the report");
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
			      s->name, ns_object_kind_name(s->kind), ns_object_kind_name(l->kind));
	if (s->kind == NS_PROJECTION &&
	    (strcmp(s->pre, l->pre) != 0 || strcmp(s->post, l->post) != 0))
		return ns_err(NS_EMISMATCH, "projection '%s': from '%s' to '%s' in the version, "
			      "from '%s' to '%s' in the network", s->name, s->pre, s->post, l->pre,
			      l->post);
	if (s->size != l->size)
		return ns_err(NS_EMISMATCH, "%s '%s': %llu %s in the version, %llu in the network",
			      ns_object_kind_name(s->kind), s->name, (unsigned long long)s->size,
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
/* Chunk @ci (@size bytes) of connectivity array @array: a view of the map,
 * or decoded into *@buf (allocated once, @chunk_size bytes). */
static int conn_chunk(const uint8_t **out, uint8_t **buf, struct restore *r, uint64_t array,
		      uint64_t ci, size_t size, uint64_t chunk_size)
{
	unsigned flags = r->o->verify ? NS_READ_VERIFY : 0;
	ns_view view;
	int rc = ns_version_view(&view, r->v, array, ci, flags);
	if (rc != NS_EUNSUPPORTED) {
		*out = view.data;
		return rc;
	}
	if (!*buf && !(*buf = malloc(chunk_size)))
		return ns_err(NS_ENOMEM, "out of memory for a chunk of %llu bytes",
			      (unsigned long long)chunk_size);
	*out = *buf;
	return ns_version_read_chunk(*buf, size, r->v, array, ci, flags);
}

static int32_t load_i32(const uint8_t *p, uint64_t k)
{
	int32_t x;
	memcpy(&x, p + 4 * k, 4); /* views are not always aligned */
	return x;
}

/* Whether the version's synapses of @s are the network's of @l (read
 * through @perm), compared chunk by chunk where they lie in the map,
 * without loading them. With @same NULL a difference is an error naming
 * the first synapse that differs; else *@same tells. */
static int compare_synapses(int *same, struct restore *r, const ns_object *s, const ns_object *l,
			    const uint32_t *perm)
{
	ns_array_info info;
	uint8_t *buf[2] = { NULL, NULL };
	const uint8_t *sp = NULL, *sq = NULL;
	int rc;

	if (same)
		*same = 1;
	NS_TRY(ns_version_array_at(&info, r->v, s->syn_arrays[0]));
	for (uint64_t ci = 0; ci < info.n_chunks; ci++) {
		uint64_t off = ci * info.chunk_size, first = off / 4;
		size_t size = (size_t)(info.nbytes - off < info.chunk_size ? info.nbytes - off
									 : info.chunk_size);
		NS_TRY(conn_chunk(&sp, &buf[0], r, s->syn_arrays[0], ci, size, info.chunk_size));
		NS_TRY(conn_chunk(&sq, &buf[1], r, s->syn_arrays[1], ci, size, info.chunk_size));
		if (!perm && !memcmp(sp, l->syn_pre + first, size) &&
		    !memcmp(sq, l->syn_post + first, size))
			continue;
		if (same) {
			*same = 0;
			break;
		}
		for (uint64_t j = 0; j < size / 4; j++) {
			uint64_t k = first + j, i = perm ? perm[k] : k;
			int32_t a = load_i32(sp, j), b = load_i32(sq, j);
			if (a != l->syn_pre[i] || b != l->syn_post[i]) {
				rc = ns_err(NS_EMISMATCH, "projection '%s': synapse %llu (by post, "
					    "then pre) is (pre %d, post %d) in the version, (pre %d, "
					    "post %d) in the network", s->name, (unsigned long long)k,
					    a, b, l->syn_pre[i], l->syn_post[i]);
				goto done;
			}
		}
	}
	rc = NS_OK;
done:
	free(buf[0]);
	free(buf[1]);
	return rc;
}

static int is_float(ns_dtype t)
{
	return t == NS_DTYPE_F64 || t == NS_DTYPE_F32;
}

/* How messages name @o: the network's own arrays belong to "network". */
static const char *label(const ns_object *o)
{
	return o->kind == NS_NETWORK_ITSELF ? "network" : o->name;
}

/* Whether the network's array @data (read through @perm) holds what array
 * @array of the version holds, as far as the store handle remembers: what
 * the last snapshot through it gathered (see ns__content_key()). Spares
 * scattering, and checking, what a restore into the same network would
 * write unchanged (the connectivity and delays of a learning run). */
static int held(struct restore *r, uint64_t array, const void *data, size_t size,
		const uint32_t *perm, uint64_t perm_hash)
{
	uint8_t key[NS_CONTENT_KEY_SIZE];
	if (!perm)
		return 0;
	ns__content_key(key, data, size, perm_hash);
	return ns_version_array_has_key(r->v, array, key);
}

static int connectivity_held(struct restore *r, const ns_object *so, const ns_object *lo,
			     const uint32_t *perm, uint64_t perm_hash)
{
	size_t size = lo->size * sizeof *lo->syn_pre;
	return held(r, so->syn_arrays[0], lo->syn_pre, size, perm, perm_hash) &&
	       held(r, so->syn_arrays[1], lo->syn_post, size, perm, perm_hash);
}

static int plan_attr(struct restore *r, const ns_object *so, const ns_attr *sa, ns_attr *la,
		     const uint32_t *perm, uint64_t perm_hash)
{
	struct copy *c;
	int rc;
	if (sa->scope != la->scope || sa->count != la->count)
		return ns_err(NS_EMISMATCH, "'%s': attribute '%s' is %s with %llu values in the "
			      "version, %s with %llu in the network", label(so), sa->name,
			      ns_scope_name(sa->scope), (unsigned long long)sa->count,
			      ns_scope_name(la->scope), (unsigned long long)la->count);
	if (sa->dtype != la->dtype && !(is_float(sa->dtype) && is_float(la->dtype)))
		return ns_err(NS_EMISMATCH, "'%s': attribute '%s' is %s in the version, %s in the "
			      "network", label(so), sa->name, ns_dtype_name(sa->dtype),
			      ns_dtype_name(la->dtype));
	if (sa->dtype != la->dtype && !r->o->convert)
		return ns_err(NS_EMISMATCH, "'%s': attribute '%s' is %s in the version, %s in the "
			      "network (restore with conversion allowed to convert it)", label(so),
			      sa->name, ns_dtype_name(sa->dtype), ns_dtype_name(la->dtype));
	if ((rc = ns__grow_array(&r->copies, &r->cap_copies, r->n_copies, sizeof *r->copies)) < 0)
		return ns_err_wrap(rc, "'%s': attribute '%s'", label(so), sa->name);
	c = &r->copies[r->n_copies++];
	*c = (struct copy){ .live = la, .array = sa->array, .from = sa->dtype,
			    .perm = la->scope == NS_LOCAL ? perm : NULL };
	c->held = sa->dtype == la->dtype &&
		  held(r, sa->array, la->data, la->count * ns_dtype_size(la->dtype), c->perm,
		       perm_hash);
	return NS_OK;
}

/* The network-wide arrays, which go with the time: their report items
 * have the object "". */
static int plan_network(struct restore *r)
{
	const ns_object *so = r->stored->self, *lo = r->live->self;
	int rc = NS_OK;
	for (size_t a = 0; so && a < so->n_attrs; a++) {
		const ns_attr *sa = so->attrs[a];
		ns_attr *la = lo ? ns_object_attr_find(lo, sa->name) : NULL;
		if (!la)
			NS_TRY(skip(r, "", sa->name, 1));
		else
			NS_TRY(plan_attr(r, so, sa, la, NULL, 0));
	}
	for (size_t a = 0; lo && a < lo->n_attrs; a++)
		if (!so || !ns_object_attr_find(so, lo->attrs[a]->name))
			NS_TRY(skip(r, "", lo->attrs[a]->name, 0));
done:
	return rc;
}

static int plan_object(struct restore *r, ns_object *so, ns_object *lo, size_t li)
{
	uint32_t *perm = NULL;
	uint64_t perm_hash = 0;
	int rc;

	NS_TRY(check_shape(so, lo));
	if (so->kind == NS_PROJECTION) {
		/* The network's synapses in the version's order need no order
		 * (and then they are sorted: no need to check that either). */
		int same;
		NS_TRY(compare_synapses(&same, r, so, lo, NULL));
		if (!same) {
			NS_TRY(ns__synapse_order(&perm, &perm_hash, lo));
			r->perms[li] = perm;
			if (!connectivity_held(r, so, lo, perm, perm_hash))
				NS_TRY(compare_synapses(NULL, r, so, lo, perm));
		}
	}
	for (size_t a = 0; a < so->n_attrs; a++) {
		const ns_attr *sa = so->attrs[a];
		ns_attr *la = ns_object_attr_find(lo, sa->name);
		if (!la)
			NS_TRY(skip(r, so->name, sa->name, 1));
		else
			NS_TRY(plan_attr(r, so, sa, la, perm, perm_hash));
	}
	for (size_t a = 0; a < lo->n_attrs; a++)
		if (!ns_object_attr_find(so, lo->attrs[a]->name))
			NS_TRY(skip(r, lo->name, lo->attrs[a]->name, 0));
done:
	return rc;
}

static int make_report(struct restore *r)
{
	ns_restore_report *rep = calloc(1, sizeof *rep);
	if (!rep)
		return ns_err(NS_ENOMEM, "out of memory for the report");
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

/* Read array @c from the version, chunk by chunk: views of raw chunks,
 * compressed ones decoded into c->decoded. With opts->verify, each
 * chunk's hash is checked. */
static int read_copy(struct restore *r, struct copy *c)
{
	unsigned flags = r->o->verify ? NS_READ_VERIFY : 0;
	const ns_array_info *a = &c->info;
	ns_view view;
	int rc;

	NS_TRY(ns_version_array_at(&c->info, r->v, c->array));
	if (!(c->src = calloc(a->n_chunks + 1, sizeof *c->src))) {
		rc = ns_err(NS_ENOMEM, "'%s': attribute '%s': out of memory", c->live->obj->name,
			    c->live->name);
		goto done;
	}
	for (uint64_t ci = 0; ci < a->n_chunks; ci++) {
		rc = ns_version_view(&view, r->v, c->array, ci, flags);
		if (rc == NS_OK) {
			c->src[ci] = view.data;
			continue;
		}
		if (rc != NS_EUNSUPPORTED)
			goto done;
		/* Compressed: the whole array decoded at once, on every core. */
		if (!(c->decoded = malloc((size_t)a->nbytes))) {
			rc = ns_err(NS_ENOMEM, "'%s': attribute '%s': out of memory for %llu bytes",
				    c->live->obj->name, c->live->name,
				    (unsigned long long)a->nbytes);
			goto done;
		}
		NS_TRY(ns_version_read(c->decoded, (size_t)a->nbytes, r->v, c->array, flags));
		for (ci = 0; ci < a->n_chunks; ci++)
			c->src[ci] = c->decoded + ci * a->chunk_size;
		break;
	}
	rc = NS_OK;
done:
	return rc;
}

static const char *conversion(const struct copy *c)
{
	if (c->from == c->live->dtype)
		return "";
	return c->from == NS_DTYPE_F64 ? "f64 -> f32" : "f32 -> f64";
}

static int plan(struct restore *r)
{
	const ns_select *sel = &r->o->select;
	uint64_t biggest = 0;
	int rc, convert = 0;

	NS_TRY(ns__select_check(sel, r->stored, r->live));
	for (size_t i = 0; i < r->stored->n_objs; i++) {
		ns_object *so = r->stored->objs[i];
		ns_object *lo = ns_network_object_find(r->live, so->name);
		if (!ns__selected(sel, so))
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
		if (ns__selected(sel, lo) && !ns_network_object_find(r->stored, lo->name))
			NS_TRY(skip(r, lo->name, NULL, 0));
	}
	if (!r->o->no_time)
		NS_TRY(plan_network(r));
	/* Every chunk read (and checked) now: the writes cannot fail. */
	for (size_t i = 0; i < r->n_copies; i++) {
		struct copy *c = &r->copies[i];
		if (c->held)
			continue;
		NS_TRY(read_copy(r, c));
		if (c->from != c->live->dtype) {
			convert = 1;
			if (c->info.chunk_size > biggest)
				biggest = c->info.chunk_size;
		}
	}
	/* f32 -> f64 doubles a chunk's size. */
	if (convert && (!(r->scratch = malloc(biggest + 1)) ||
			!(r->converted = malloc(2 * biggest + 1)))) {
		rc = ns_err(NS_ENOMEM, "out of memory for converting chunks of %llu bytes",
			    (unsigned long long)biggest);
		goto done;
	}
	for (size_t i = 0; i < r->n_copies; i++) {
		const struct copy *c = &r->copies[i];
		NS_TRY(add_item(r, c->live->obj->name, c->live->name,
				c->from == c->live->dtype ? NS_RESTORED : NS_CONVERTED,
				conversion(c)));
	}
	NS_TRY(make_report(r));
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

/* Chunks [begin, end) of a copy that converts nothing. */
static void write_chunks(void *ctx, uint64_t begin, uint64_t end)
{
	const struct copy *c = ctx;
	const ns_array_info *a = &c->info;
	size_t esize = ns_dtype_size(c->from);
	uint8_t *dst = c->live->data;
	for (uint64_t ci = begin; ci < end; ci++) {
		uint64_t off = ci * a->chunk_size;
		size_t size = (size_t)(a->nbytes - off < a->chunk_size ? a->nbytes - off
								       : a->chunk_size);
		if (c->perm)
			scatter(dst, c->src[ci], c->perm + off / esize, size / esize, esize);
		else
			memcpy(dst + off, c->src[ci], size);
	}
}

/* On every core, each its run of chunks: the parts of a scatter through a
 * simulator's order write far apart (parts of one chunk would write the
 * same cache lines: a line of Brian2's order holds synapses of one pre
 * neuron to posts hundreds apart). */
static void write_copy(struct restore *r, const struct copy *c)
{
	ns_attr *la = c->live;
	const ns_array_info *a = &c->info;
	size_t to = ns_dtype_size(la->dtype), from = ns_dtype_size(c->from);
	uint8_t *dst = la->data;

	ns__track_forget(dst, la->count * to);
	if (c->from == la->dtype) {
		ns__parallel(a->n_chunks, 1, write_chunks, (void *)c);
		return;
	}
	/* The conversion reads typed values: from an aligned copy. Between f64
	 * and f32 (checked) it cannot fail. */
	for (uint64_t ci = 0; ci < a->n_chunks; ci++) {
		uint64_t off = ci * a->chunk_size, first = off / from;
		size_t size = (size_t)(a->nbytes - off < a->chunk_size ? a->nbytes - off
								       : a->chunk_size);
		uint64_t n = size / from;
		uint8_t *out = c->perm ? r->converted : dst + first * to;
		memcpy(r->scratch, c->src[ci], size);
		ns__convert_values(out, la->dtype, r->scratch, c->from, n, la->name);
		if (c->perm)
			scatter(dst, out, c->perm + first, n, to);
	}
}

static void apply(struct restore *r)
{
	for (size_t i = 0; i < r->n_copies; i++)
		if (!r->copies[i].held)
			write_copy(r, &r->copies[i]);
	if (!r->o->no_time) {
		r->live->t_ms = r->stored->t_ms;
		r->live->step = r->stored->step;
		r->live->dt_ms = r->stored->dt_ms;
	}
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

	if ((rc = ns__opts_check(r.o->version, NS_RESTORE_OPTS_VERSION, "restore")) < 0)
		return rc;
	if (!net)
		return ns_err(NS_EINVAL, "ns_restore: no network given (net is NULL)");
	if (net->version)
		return ns_err(NS_EREADONLY, "network '%s' was opened from a store: it is "
			      "read-only, restore into a network the simulator built", net->name);
	NS_TRY(ns__network_open(&r.stored, store, rev, 0));
	r.v = r.stored->version;
	if (!(r.perms = calloc(net->n_objs + 1, sizeof *r.perms))) {
		rc = ns_err(NS_ENOMEM, "restore into network '%s': out of memory", net->name);
		goto done;
	}
	if ((rc = plan(&r)) < 0) {
		ns_err_wrap(rc, "restore of version %llu into network '%s'",
			    (unsigned long long)ns_network_version(r.stored), net->name);
		goto done;
	}
	apply(&r);
	if (report) {
		*report = r.report;
		r.report = NULL;
	}
done:
	for (size_t i = 0; r.perms && i < net->n_objs; i++)
		ns__synapse_order_release(r.perms[i]);
	for (size_t i = 0; i < r.n_copies; i++) {
		free((void *)r.copies[i].src);
		free(r.copies[i].decoded);
	}
	free(r.perms);
	free(r.copies);
	free(r.scratch);
	free(r.converted);
	free_items(r.items, r.n_items);
	ns_restore_report_free(r.report);
	ns_network_free(r.stored);
	return rc;
}
