/* SPDX-License-Identifier: MIT */
/* A global version of a sharded store assembled into one network, in one
 * process: for tools (show, diff, export) and for checking that a sharded
 * state is the unsharded one. */
#include "internal.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Shards and global record of one version, read-only. */
struct source {
	const char *dir;
	char what[64];
	int n;
	ns_store *global;
	ns_version *gv;
	ns_store **stores;
	ns_version **shards;
	ns_mpi_net *structure;
	struct nsm_decode dec;
};

static int meta(const char **out, const struct source *src, const char *key)
{
	if (ns_version_meta_get(out, src->gv, key) < 0)
		return nsm_err(NS_ECORRUPT, "store directory '%s': %s: no '%s' in the global record",
			       src->dir, src->what, key);
	return NS_OK;
}

static int source_open(struct source *src, const char *dir, const char *rev)
{
	char path[NSM_PATH_MAX], file[64], key[64];
	ns_store_opts so = NS_STORE_OPTS_INIT;
	const char *val, *round, *theirs;
	const void *blob;
	size_t len;
	int rc;
	so.flags = NS_STORE_RDONLY;
	src->dir = dir;
	NSM_TRY(nsm_path(path, dir, NSM_GLOBAL_FILE));
	if ((rc = ns_store_open(&src->global, path, &so)) < 0 ||
	    (rc = ns_version_open(&src->gv, src->global, rev ? rev : "HEAD")) < 0)
		return nsm_err_ns(rc, "store directory '%s'", dir);
	snprintf(src->what, sizeof src->what, "version %" PRIu64,
		 ns_version_get_info(src->gv)->number);
	NSM_TRY(meta(&val, src, "nsnap.mpi.format"));
	if (strtoull(val, NULL, 10) > NSM_FORMAT)
		return nsm_err(NS_EVERSION, "store directory '%s': %s: written by a newer nsnap",
			       dir, src->what);
	NSM_TRY(meta(&val, src, "nsnap.mpi.ranks"));
	src->n = atoi(val);
	NSM_TRY(meta(&round, src, "nsnap.mpi.round"));
	if (src->n <= 0 || src->n > 1 << 20)
		return nsm_err(NS_ECORRUPT, "store directory '%s': %s: %d shards", dir, src->what,
			       src->n);
	ns_version_blob(&blob, &len, src->gv);
	NSM_TRY(nsm_structure_parse(&src->structure, blob, len, src->what));
	src->stores = calloc((size_t)src->n, sizeof *src->stores);
	src->shards = calloc((size_t)src->n, sizeof *src->shards);
	if (!src->stores || !src->shards)
		return nsm_err(NS_ENOMEM, "store directory '%s': out of memory", dir);
	for (int s = 0; s < src->n; s++) {
		nsm_shard_file(file, s);
		NSM_TRY(nsm_path(path, dir, file));
		snprintf(key, sizeof key, "nsnap.mpi.shard.%d", s);
		NSM_TRY(meta(&val, src, key));
		if ((rc = ns_store_open(&src->stores[s], path, &so)) < 0 ||
		    (rc = ns_version_open_number(&src->shards[s], src->stores[s],
						 strtoull(val, NULL, 10))) < 0)
			return nsm_err_ns(rc == NS_ENOTFOUND ? NS_ECORRUPT : rc,
					  "store directory '%s': %s needs version %s of shard '%s'",
					  dir, src->what, val, path);
		if (ns_version_meta_get(&theirs, src->shards[s], "nsnap.mpi.round") < 0 ||
		    strcmp(theirs, round))
			return nsm_err(NS_ECORRUPT, "store directory '%s': %s: shard '%s' is of "
				       "another snapshot", dir, src->what, path);
	}
done:
	return rc;
}

static void source_close(struct source *src)
{
	for (int s = 0; s < src->n && src->shards; s++)
		ns_version_close(src->shards[s]);
	for (int s = 0; s < src->n && src->stores; s++)
		ns_store_close(src->stores[s]);
	free(src->shards);
	free(src->stores);
	free(src->dec.buf);
	ns_mpi_net_free(src->structure);
	ns_version_close(src->gv);
	ns_store_close(src->global);
}

/* Copy a whole array of @v into @dst at [offset, offset + count) elements,
 * or, with @gids, element i to dst[gids[i]] (checked against @size). */
static int scatter(uint8_t *dst, ns_version *v, const char *name, ns_dtype dtype,
		   uint64_t count, uint64_t offset, struct nsm_reader *gids, uint64_t size,
		   struct source *src, const char *what)
{
	struct nsm_reader r;
	size_t es = ns_dtype_size(dtype);
	int rc;
	NSM_TRY(nsm_reader_open(&r, v, name, dtype, count, 0, &src->dec, what));
	for (uint64_t i = 0; i < r.info.count; i++) {
		const void *p;
		uint64_t at = offset + i;
		if (gids) {
			int64_t g = nsm_reader_i64(gids, i, &rc);
			if (rc < 0)
				goto done;
			if (g < 0 || (uint64_t)g >= size) {
				rc = nsm_err(NS_ECORRUPT, "%s: gid %" PRId64 " is out of range", what, g);
				goto done;
			}
			at = (uint64_t)g;
		}
		NSM_TRY(nsm_reader_at(&p, &r, i));
		memcpy(dst + at * es, p, es);
	}
done:
	return rc;
}

static int fill_object(ns_network *out, struct source *src, const struct nsm_obj *o)
{
	char name[600], what[NSM_PATH_MAX + 64];
	const struct nsm_obj *post = NULL;
	int32_t *pre_ix = NULL, *post_ix = NULL;
	uint64_t total = 0, *offset = NULL;
	ns_object *obj;
	int rc;
	if (!(offset = calloc((size_t)src->n + 1, sizeof *offset)))
		return nsm_err(NS_ENOMEM, "store directory '%s': out of memory", src->dir);
	/* Synapses: the shards' lists one after the other. */
	for (int s = 0; s < src->n; s++) {
		uint64_t idx;
		ns_array_info info;
		snprintf(name, sizeof name, "%s/%s", o->kind == NS_POPULATION ? "gid" : "post",
			 o->name);
		if (ns_version_array_find(&idx, src->shards[s], name) < 0 ||
		    ns_version_array_at(&info, src->shards[s], idx) < 0) {
			rc = nsm_err(NS_ECORRUPT, "shard %d of %s: no array '%s'", s, src->what, name);
			goto done;
		}
		offset[s] = total;
		total += info.count;
	}
	offset[src->n] = total;
	if (o->kind == NS_POPULATION) {
		if (total != o->size) {
			rc = nsm_err(NS_ECORRUPT, "%s: population '%s': the shards hold %" PRIu64
				     " neurons, not %" PRIu64, src->what, o->name, total, o->size);
			goto done;
		}
		if ((rc = ns_population_add(&obj, out, o->name, o->size, NULL, 0, o->type)) < 0)
			goto ns_failed;
	} else {
		const struct nsm_obj *pre = nsm_obj_find(src->structure, o->pre);
		post = nsm_obj_find(src->structure, o->post);
		if (!pre || !post || pre->size > INT32_MAX || post->size > INT32_MAX) {
			rc = nsm_err(NS_EUNSUPPORTED, "%s: projection '%s': its populations are "
				     "missing or too large for one network (2^31 neurons)", src->what,
				     o->name);
			goto done;
		}
		pre_ix = malloc((total ? total : 1) * sizeof *pre_ix);
		post_ix = malloc((total ? total : 1) * sizeof *post_ix);
		if (!pre_ix || !post_ix) {
			rc = nsm_err(NS_ENOMEM, "store directory '%s': out of memory", src->dir);
			goto done;
		}
		for (int s = 0; s < src->n; s++) {
			struct nsm_reader rp, rq;
			snprintf(what, sizeof what, "shard %d of %s", s, src->what);
			snprintf(name, sizeof name, "pre/%s", o->name);
			NSM_TRY(nsm_reader_open(&rp, src->shards[s], name, NS_DTYPE_I64, UINT64_MAX, 0,
						&src->dec, what));
			snprintf(name, sizeof name, "post/%s", o->name);
			NSM_TRY(nsm_reader_open(&rq, src->shards[s], name, NS_DTYPE_I64,
						offset[s + 1] - offset[s], 0, &src->dec, what));
			for (uint64_t i = 0; i < rq.info.count; i++) {
				int64_t a = nsm_reader_i64(&rp, i, &rc), b;
				if (rc < 0 || (b = nsm_reader_i64(&rq, i, &rc), rc < 0))
					goto done;
				if (a < 0 || (uint64_t)a >= pre->size || b < 0 ||
				    (uint64_t)b >= post->size) {
					rc = nsm_err(NS_ECORRUPT, "%s: projection '%s': synapse %" PRIu64
						     " is out of range", what, o->name, i);
					goto done;
				}
				pre_ix[offset[s] + i] = (int32_t)a;
				post_ix[offset[s] + i] = (int32_t)b;
			}
		}
		if ((rc = ns_projection_add(&obj, out, o->name, o->pre, o->post, o->target,
					    o->type)) < 0 ||
		    (rc = ns_projection_set_synapses(obj, pre_ix, post_ix, total, NS_ARRAY_COPY)) < 0)
			goto ns_failed;
	}
	for (size_t k = 0; k < o->n_attrs; k++) {
		const struct nsm_attr *a = &o->attrs[k];
		ns_attr *attr;
		void *data;
		if ((rc = ns_attr_add(&attr, obj, a->name, a->kind, a->scope, a->dtype, NULL, 0)) < 0 ||
		    (rc = ns_attr_data(&data, attr)) < 0)
			goto ns_failed;
		snprintf(name, sizeof name, "attr/%s/%s", o->name, a->name);
		if (a->scope == NS_GLOBAL) {
			snprintf(what, sizeof what, "global record of %s", src->what);
			NSM_TRY(scatter(data, src->gv, name, a->dtype, 1, 0, NULL, 0, src, what));
			continue;
		}
		for (int s = 0; s < src->n; s++) {
			struct nsm_reader gids;
			char gname[600];
			snprintf(what, sizeof what, "shard %d of %s", s, src->what);
			if (a->scope == NS_LOCAL && o->kind == NS_PROJECTION) {
				NSM_TRY(scatter(data, src->shards[s], name, a->dtype,
						offset[s + 1] - offset[s], offset[s], NULL, 0, src, what));
				continue;
			}
			/* Per neuron: by gid, of the population or of the post one. */
			const struct nsm_obj *pop = a->scope == NS_SEMIGLOBAL ? post : o;
			snprintf(gname, sizeof gname, "gid/%s", pop->name);
			NSM_TRY(nsm_reader_open(&gids, src->shards[s], gname, NS_DTYPE_I64, UINT64_MAX,
						0, &src->dec, what));
			NSM_TRY(scatter(data, src->shards[s], name, a->dtype, gids.info.count, 0, &gids,
					pop->size, src, what));
		}
	}
	rc = NS_OK;
	goto done;
ns_failed:
	rc = nsm_err_ns(rc, "%s: %s '%s'", src->what, ns_object_kind_name(o->kind), o->name);
done:
	free(offset);
	free(pre_ix);
	free(post_ix);
	return rc;
}

int ns_mpi_open(ns_network **out, const char *dir, const char *rev)
{
	struct source src = { 0 };
	ns_network *net = NULL;
	const char *val;
	char what[128];
	double t = 0, dt = 0;
	uint64_t step = 0;
	int rc;
	if (!out)
		return nsm_err(NS_EINVAL, "ns_mpi_open: no out-parameter given");
	if (!dir || !*dir)
		return nsm_err(NS_EINVAL, "ns_mpi_open: no store directory given");
	NSM_TRY(source_open(&src, dir, rev));
	if ((rc = ns_network_new(&net, src.structure->name)) < 0) {
		rc = nsm_err_ns(rc, "store directory '%s'", dir);
		goto done;
	}
	if (meta(&val, &src, "nsnap.mpi.time") == NS_OK)
		t = strtod(val, NULL);
	if (meta(&val, &src, "nsnap.mpi.step") == NS_OK)
		step = strtoull(val, NULL, 10);
	if (meta(&val, &src, "nsnap.mpi.dt") == NS_OK)
		dt = strtod(val, NULL);
	ns_network_set_time(net, t, step);
	ns_network_set_dt(net, dt);
	for (size_t i = 0; i < src.structure->n_objs; i++)
		NSM_TRY(fill_object(net, &src, &src.structure->objs[i]));
	snprintf(what, sizeof what, "global record of %s", src.what);
	for (size_t k = 0; k < src.structure->n_net_attrs; k++) {
		const struct nsm_attr *a = &src.structure->net_attrs[k];
		char name[600];
		ns_attr *attr;
		void *data;
		if ((rc = ns_network_attr_add(&attr, net, a->name, a->kind, a->dtype, a->count, NULL,
					      0)) < 0 ||
		    (rc = ns_attr_data(&data, attr)) < 0) {
			rc = nsm_err_ns(rc, "%s: network array '%s'", src.what, a->name);
			goto done;
		}
		snprintf(name, sizeof name, "net/%s", a->name);
		NSM_TRY(scatter(data, src.gv, name, a->dtype, a->count, 0, NULL, 0, &src, what));
	}
	*out = net;
	net = NULL;
done:
	ns_network_free(net);
	source_close(&src);
	return rc;
}
