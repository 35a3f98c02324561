/* SPDX-License-Identifier: MIT */
/* Snapshot: a network's selected objects, and its network-wide arrays, ->
 * a new version. */
#include "internal.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A projection's local array in the store's synapse order. */
struct gather {
	const uint8_t *src;
	const uint32_t *perm;
	size_t esize;
};

/* Elements [begin, end) of one fill. */
struct gather_part {
	const struct gather *g;
	const uint32_t *perm;
	uint8_t *dst;
};

static void gather_range(void *ctx, uint64_t begin, uint64_t end)
{
	const struct gather_part *p = ctx;
	const uint8_t *src = p->g->src;
	const uint32_t *perm = p->perm;
	uint8_t *dst = p->dst;
	size_t esize = p->g->esize;
	switch (esize) {
	case 8:
		for (uint64_t k = begin; k < end; k++)
			memcpy(dst + 8 * k, src + 8 * (size_t)perm[k], 8);
		break;
	case 4:
		for (uint64_t k = begin; k < end; k++)
			memcpy(dst + 4 * k, src + 4 * (size_t)perm[k], 4);
		break;
	default:
		for (uint64_t k = begin; k < end; k++)
			memcpy(dst + esize * k, src + esize * perm[k], esize);
	}
}

static int gather_fill(void *ctx, uint64_t first, uint64_t n, void *buf)
{
	struct gather_part p = { ctx, ((const struct gather *)ctx)->perm + first, buf };
	ns__parallel(n, NS_PARALLEL_GRAIN, gather_range, &p);
	return NS_OK;
}

/* The first index of @x out of [0, size): the error that names it. */
static int index_error(const ns_object *p, const int32_t *x, const char *which,
		       const ns_object *pop)
{
	uint64_t i = 0;
	while (x[i] >= 0 && (uint64_t)x[i] < pop->size)
		i++;
	return ns_err(NS_EINVAL, "projection '%s': synapse %llu has %s index %d, but population "
		      "'%s' has %llu neurons", p->name, (unsigned long long)i, which, x[i],
		      pop->name, (unsigned long long)pop->size);
}

/* Indices in range, and the pre and post populations there. */
static int validate_projection(const ns_network *net, const ns_object *p,
			       const ns_synapse_scan *scan)
{
	const ns_object *pre = ns_network_object_find(net, p->pre);
	const ns_object *post = ns_network_object_find(net, p->post);
	if (!pre || !post)
		return ns_err(NS_EINVAL, "projection '%s': population '%s' is missing", p->name,
			      pre ? p->post : p->pre);
	if (p->size && scan->max_pre >= pre->size)
		return index_error(p, p->syn_pre, "pre", pre);
	if (p->size && scan->max_post >= post->size)
		return index_error(p, p->syn_post, "post", post);
	return NS_OK;
}

/* A projection's synapses in the store's order. Gathered arrays are keyed
 * by their content (ns__content_key()): snapshots of a learning run find
 * most of a projection's arrays (connectivity, delays) unchanged, and the
 * store then skips gathering them. */
struct perm {
	uint32_t *order; /* NULL when sorted */
	uint64_t hash;
};

struct snap {
	ns_object **objs;
	struct perm *perms;     /* per object */
	struct gather *gathers; /* one per array at most */
	size_t n_objs, n_gathers;
};

/* Add one array: straight from memory, or gathered into the store's order. */
static int add_array(ns_commit *c, struct snap *sn, const ns_object *o, const char *attr,
		     ns_dtype dtype, const void *data, uint64_t count, const struct perm *perm)
{
	char name[2 * NS_OBJ_NAME_MAX + 8];
	uint8_t key[NS_CONTENT_KEY_SIZE];
	struct gather *g;
	int rc;
	if ((rc = ns__array_name(name, sizeof name, o, attr)) < 0)
		return rc;
	if (!perm || !perm->order)
		return ns_commit_add(c, name, dtype, data, count);
	g = &sn->gathers[sn->n_gathers++];
	g->src = data;
	g->perm = perm->order;
	g->esize = ns_dtype_size(dtype);
	ns__content_key(key, data, count * g->esize, perm->hash);
	return ns_commit_add_fill_keyed(c, name, dtype, count, gather_fill, g, key);
}

/* The arrays of @o (@perm: its synapses' store order, NULL for none); the
 * network's own object holds its network-wide arrays. */
static int add_object(ns_commit *c, struct snap *sn, const ns_object *o, const struct perm *perm)
{
	void *data;
	int rc = NS_OK;

	if (o->kind == NS_PROJECTION) {
		NS_TRY(add_array(c, sn, o, "/pre", NS_DTYPE_I32, o->syn_pre, o->size, perm));
		NS_TRY(add_array(c, sn, o, "/post", NS_DTYPE_I32, o->syn_post, o->size, perm));
	}
	for (size_t a = 0; a < o->n_attrs; a++) {
		ns_attr *at = o->attrs[a];
		NS_TRY(ns_attr_data(&data, at));
		NS_TRY(add_array(c, sn, o, at->name, at->dtype, data, at->count,
				 at->scope == NS_LOCAL ? perm : NULL));
	}
done:
	return rc;
}

static void snap_free(struct snap *sn)
{
	for (size_t i = 0; sn->perms && i < sn->n_objs; i++)
		ns__synapse_order_release(sn->perms[i].order);
	free(sn->perms);
	free(sn->objs);
	free(sn->gathers);
	memset(sn, 0, sizeof *sn);
}

/* The commit of the selected objects of @net, its arrays borrowed from
 * @net and from @sn (the gathers' permutations), not finished yet. */
static int prepare(ns_commit **out, ns_store *store, const ns_network *net,
		   const ns_snapshot_opts *o, struct snap *sn)
{
	ns_commit *c = NULL;
	uint8_t *blob = NULL;
	size_t blob_size, arrays = 0;
	int rc;

	NS_TRY(ns__opts_check(o->version, NS_SNAPSHOT_OPTS_VERSION, "snapshot"));
	NS_TRY(ns__select_check(&o->select, net, NULL));
	sn->objs = calloc(net->n_objs + 1, sizeof *sn->objs);
	sn->perms = calloc(net->n_objs + 1, sizeof *sn->perms);
	if (!sn->objs || !sn->perms) {
		rc = ns_err(NS_ENOMEM, "snapshot: out of memory");
		goto done;
	}
	for (size_t i = 0; i < net->n_objs; i++) {
		ns_object *obj = net->objs[i];
		if (!ns__selected(&o->select, obj))
			continue;
		if (obj->kind == NS_PROJECTION) {
			struct perm *p = &sn->perms[sn->n_objs];
			ns_synapse_scan scan;
			if (ns_store_tracking(store))
				ns__synapse_scan_tracked(&scan, obj);
			else
				ns__synapse_scan(&scan, obj);
			NS_TRY(validate_projection(net, obj, &scan));
			NS_TRY(ns__synapse_order_scanned(&p->order, &p->hash, obj, &scan));
		}
		arrays += obj->n_attrs + 2;
		sn->objs[sn->n_objs++] = obj;
	}
	if (!(sn->gathers = calloc(arrays + 1, sizeof *sn->gathers))) {
		rc = ns_err(NS_ENOMEM, "snapshot: out of memory");
		goto done;
	}
	NS_TRY(ns__manifest_encode(&blob, &blob_size, net, sn->objs, sn->n_objs));
	NS_TRY(ns_commit_new(&c, store));
	NS_TRY(ns_commit_set_blob(c, blob, blob_size));
	for (size_t i = 0; i < sn->n_objs; i++)
		NS_TRY(add_object(c, sn, sn->objs[i], &sn->perms[i]));
	if (net->self)
		NS_TRY(add_object(c, sn, net->self, NULL));
	*out = c;
	c = NULL;
done:
	ns_commit_free(c);
	free(blob);
	if (rc < 0)
		ns_err_wrap(rc, "network '%s': snapshot", net->name);
	return rc;
}

static void commit_opts(ns_commit_opts *co, const ns_snapshot_opts *o)
{
	co->message = o->message;
	co->branch = o->branch;
	co->tag = o->tag;
	co->codec = o->codec;
	co->level = o->level;
}

int ns_snapshot(uint64_t *out, ns_store *store, const ns_network *net,
		const ns_snapshot_opts *opts)
{
	ns_snapshot_opts defaults = NS_SNAPSHOT_OPTS_INIT;
	const ns_snapshot_opts *o = opts ? opts : &defaults;
	ns_commit_opts co = NS_COMMIT_OPTS_INIT;
	struct snap sn = { NULL, NULL, NULL, 0, 0 };
	ns_commit *c = NULL;
	int rc;

	if ((rc = prepare(&c, store, net, o, &sn)) == NS_OK) {
		commit_opts(&co, o);
		if ((rc = ns_commit_finish(out, c, &co)) < 0)
			ns_err_wrap(rc, "network '%s': snapshot", net->name);
	}
	snap_free(&sn);
	return rc;
}

/* ------------------------------------------------------------ in the background */

/* An asynchronous snapshot: its commit, captured, finished by a thread of
 * its own. One runs per store at a time: jobs[] lists those running, and
 * a new one waits (in ns_snapshot_async(), before it captures anything)
 * until the store has none, so that memory holds the copies of one
 * snapshot per store, not of every snapshot taken faster than the disk. */
struct ns_snapshot_job {
	ns_store *store;
	ns_commit *c;
	ns_commit_opts co;
	char *message, *branch, *tag, *net_name;
	pthread_t thread;
	uint64_t copied, number;
	int rc;
	char error[1024];
	int done; /* guarded by jobs_lock */
	struct ns_snapshot_job *next;
};

static pthread_mutex_t jobs_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t jobs_cond = PTHREAD_COND_INITIALIZER;
static struct ns_snapshot_job *running;

static int store_busy(const ns_store *store)
{
	for (const struct ns_snapshot_job *j = running; j; j = j->next)
		if (j->store == store)
			return 1;
	return 0;
}

/* Take @j off the running list, marked done. */
static void job_over(struct ns_snapshot_job *j)
{
	pthread_mutex_lock(&jobs_lock);
	for (struct ns_snapshot_job **p = &running; *p; p = &(*p)->next)
		if (*p == j) {
			*p = j->next;
			break;
		}
	j->done = 1;
	pthread_cond_broadcast(&jobs_cond);
	pthread_mutex_unlock(&jobs_lock);
}

static void job_free(struct ns_snapshot_job *j)
{
	ns_commit_free(j->c);
	free(j->message);
	free(j->branch);
	free(j->tag);
	free(j->net_name);
	free(j);
}

static void *job_run(void *arg)
{
	struct ns_snapshot_job *j = arg;
	j->rc = ns_commit_finish(&j->number, j->c, &j->co);
	j->c = NULL;
	if (j->rc < 0)
		snprintf(j->error, sizeof j->error, "network '%s': snapshot in the background: %s",
			 j->net_name, ns_error_last()->message);
	job_over(j);
	return NULL;
}

static int dup_opt(char **out, const char *s)
{
	if (s && !(*out = strdup(s)))
		return ns_err(NS_ENOMEM, "snapshot: out of memory");
	return NS_OK;
}

int ns_snapshot_async(ns_snapshot_job **out, ns_store *store, const ns_network *net,
		      const ns_snapshot_opts *opts)
{
	ns_snapshot_opts defaults = NS_SNAPSHOT_OPTS_INIT;
	const ns_snapshot_opts *o = opts ? opts : &defaults;
	struct snap sn = { NULL, NULL, NULL, 0, 0 };
	struct ns_snapshot_job *j;
	int rc;

	if (!out)
		return ns_err(NS_EINVAL, "ns_snapshot_async: out must not be NULL");
	if (!(j = calloc(1, sizeof *j)))
		return ns_err(NS_ENOMEM, "snapshot: out of memory");
	j->store = store;
	j->co = (ns_commit_opts)NS_COMMIT_OPTS_INIT;
	commit_opts(&j->co, o);
	if ((rc = dup_opt(&j->message, o->message)) < 0 || (rc = dup_opt(&j->branch, o->branch)) < 0 ||
	    (rc = dup_opt(&j->tag, o->tag)) < 0 || (rc = dup_opt(&j->net_name, net->name)) < 0) {
		job_free(j);
		return rc;
	}
	j->co.message = j->message;
	j->co.branch = j->branch;
	j->co.tag = j->tag;

	pthread_mutex_lock(&jobs_lock);
	while (store_busy(store))
		pthread_cond_wait(&jobs_cond, &jobs_lock);
	j->next = running;
	running = j;
	pthread_mutex_unlock(&jobs_lock);

	if ((rc = prepare(&j->c, store, net, o, &sn)) == NS_OK &&
	    (rc = ns_commit_capture(j->c, &j->copied)) < 0)
		ns_err_wrap(rc, "network '%s': snapshot", net->name);
	snap_free(&sn);
	if (rc == NS_OK && (rc = pthread_create(&j->thread, NULL, job_run, j)) != 0)
		rc = ns_err(NS_ENOMEM, "network '%s': snapshot: cannot start a thread: %s",
			    net->name, strerror(rc));
	if (rc < 0) {
		job_over(j);
		job_free(j);
		return rc;
	}
	*out = j;
	return NS_OK;
}

int ns_snapshot_poll(const ns_snapshot_job *job)
{
	int done;
	if (!job)
		return ns_err(NS_EINVAL, "ns_snapshot_poll: no job");
	pthread_mutex_lock(&jobs_lock);
	done = job->done;
	pthread_mutex_unlock(&jobs_lock);
	return done;
}

uint64_t ns_snapshot_copied(const ns_snapshot_job *job)
{
	return job ? job->copied : 0;
}

int ns_snapshot_wait(uint64_t *out, ns_snapshot_job *job)
{
	int rc;
	if (!job)
		return ns_err(NS_EINVAL, "ns_snapshot_wait: no job");
	pthread_join(job->thread, NULL);
	rc = job->rc;
	if (rc < 0)
		ns_err(rc, "%s", job->error);
	else if (out)
		*out = job->number;
	job_free(job);
	return rc;
}
