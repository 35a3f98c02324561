/* SPDX-License-Identifier: MIT */
/* The collective snapshot: shards first, then one global record. */
#include "internal.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* An array gathered through a sort order, as the store asks for it. */
struct gather {
	const uint8_t *data;
	size_t esize;
	const uint64_t *perm;
};

static int gather_fill(void *ctx, uint64_t first, uint64_t n, void *buf)
{
	const struct gather *g = ctx;
	uint8_t *out = buf;
	for (uint64_t i = 0; i < n; i++)
		memcpy(out + i * g->esize, g->data + g->perm[first + i] * g->esize, g->esize);
	return NS_OK;
}

struct shard_commit {
	ns_commit *commit;
	const uint64_t **perms; /* per object; NULL when in order */
	struct gather *gathers;
	size_t n_gathers;
};

static int add_array(struct shard_commit *sc, const char *name, ns_dtype dtype,
		     const void *data, uint64_t count, const uint64_t *perm)
{
	struct gather *g;
	int rc;
	if (!perm)
		rc = ns_commit_add(sc->commit, name, dtype, data, count);
	else {
		g = &sc->gathers[sc->n_gathers++];
		g->data = data;
		g->esize = ns_dtype_size(dtype);
		g->perm = perm;
		rc = ns_commit_add_fill(sc->commit, name, dtype, count, gather_fill, g);
	}
	return rc < 0 ? nsm_err_ns(rc, "array '%s'", name) : NS_OK;
}

static int shard_arrays(struct shard_commit *sc, ns_mpi_net *net)
{
	char name[600];
	int rc;
	for (size_t i = 0; i < net->n_objs; i++)
		if ((rc = nsm_obj_order(&sc->perms[i], &net->objs[i])) < 0)
			return rc;
	for (size_t i = 0; i < net->n_objs; i++) {
		const struct nsm_obj *o = &net->objs[i];
		const uint64_t *perm = sc->perms[i];
		if (o->kind == NS_POPULATION) {
			snprintf(name, sizeof name, "gid/%s", o->name);
			if ((rc = add_array(sc, name, NS_DTYPE_I64, o->gids, o->n_local, perm)) < 0)
				return rc;
		} else {
			snprintf(name, sizeof name, "pre/%s", o->name);
			if ((rc = add_array(sc, name, NS_DTYPE_I64, o->pre_gids, o->n_local, perm)) < 0)
				return rc;
			snprintf(name, sizeof name, "post/%s", o->name);
			if ((rc = add_array(sc, name, NS_DTYPE_I64, o->post_gids, o->n_local, perm)) < 0)
				return rc;
		}
		for (size_t k = 0; k < o->n_attrs; k++) {
			const struct nsm_attr *a = &o->attrs[k];
			const uint64_t *p = perm;
			if (a->scope == NS_GLOBAL)
				continue; /* in the global record */
			if (a->scope == NS_SEMIGLOBAL)
				p = sc->perms[nsm_obj_find(net, o->post) - net->objs];
			snprintf(name, sizeof name, "attr/%s/%s", o->name, a->name);
			if ((rc = add_array(sc, name, a->dtype, a->data, nsm_attr_count(net, o, a),
					    p)) < 0)
				return rc;
		}
	}
	return NS_OK;
}

static int store_open(ns_store **out, const char *path, const ns_mpi_snapshot_opts *opts)
{
	ns_store_opts so = NS_STORE_OPTS_INIT;
	int rc;
	so.flags = NS_STORE_CREATE;
	so.chunk_size = opts->chunk_size;
	so.codec = opts->codec == NS_CODEC_DEFAULT ? NS_CODEC_RAW : opts->codec;
	so.level = opts->level;
	if ((rc = ns_store_open(out, path, &so)) < 0)
		return nsm_err_ns(rc, "store '%s'", path);
	return NS_OK;
}

static int commit_shard(uint64_t *out, const char *dir, ns_mpi_net *net,
			const ns_mpi_snapshot_opts *opts, const char *round)
{
	char path[NSM_PATH_MAX], file[64], text[64], msg[1100];
	ns_commit_opts co = NS_COMMIT_OPTS_INIT;
	struct shard_commit sc = { 0 };
	ns_store *store = NULL;
	size_t n_arrays = 0;
	int rc;
	nsm_shard_file(file, net->rank);
	NSM_TRY(nsm_path(path, dir, file));
	for (size_t i = 0; i < net->n_objs; i++)
		n_arrays += 2 + net->objs[i].n_attrs;
	sc.perms = calloc(net->n_objs + 1, sizeof *sc.perms);
	sc.gathers = calloc(n_arrays + 1, sizeof *sc.gathers);
	if (!sc.perms || !sc.gathers) {
		rc = nsm_err(NS_ENOMEM, "shard '%s': out of memory", path);
		goto done;
	}
	NSM_TRY(store_open(&store, path, opts));
	if ((rc = ns_commit_new(&sc.commit, store)) < 0) {
		rc = nsm_err_ns(rc, "shard '%s'", path);
		goto done;
	}
	if ((rc = shard_arrays(&sc, net)) < 0) {
		rc = nsm_err_wrap(rc, "shard '%s'", path);
		goto done;
	}
	snprintf(text, sizeof text, "%d", net->rank);
	if ((rc = ns_commit_set_meta(sc.commit, "nsnap.mpi.rank", text)) < 0 ||
	    (snprintf(text, sizeof text, "%d", net->size),
	     rc = ns_commit_set_meta(sc.commit, "nsnap.mpi.ranks", text)) < 0 ||
	    (rc = ns_commit_set_meta(sc.commit, "nsnap.mpi.round", round)) < 0) {
		rc = nsm_err_ns(rc, "shard '%s'", path);
		goto done;
	}
	snprintf(msg, sizeof msg, "shard %d of %d: %s", net->rank, net->size,
		 opts->message ? opts->message : "");
	co.message = msg;
	co.codec = opts->codec;
	co.level = opts->level;
	rc = ns_commit_finish(out, sc.commit, &co);
	sc.commit = NULL;
	if (rc < 0)
		rc = nsm_err_ns(rc, "shard '%s'", path);
done:
	ns_commit_free(sc.commit);
	ns_store_close(store);
	free(sc.perms);
	free(sc.gathers);
	return rc;
}

static int commit_global(uint64_t *out, const char *dir, const ns_mpi_net *net,
			 const ns_mpi_snapshot_opts *opts, const char *round,
			 const uint64_t *shards, const char *structure, size_t len)
{
	char path[NSM_PATH_MAX], key[64], val[64], name[600];
	ns_mpi_snapshot_opts go = *opts;
	ns_commit_opts co = NS_COMMIT_OPTS_INIT;
	ns_commit *c = NULL;
	ns_store *store = NULL;
	int rc;
	NSM_TRY(nsm_path(path, dir, NSM_GLOBAL_FILE));
	go.codec = NS_CODEC_RAW;
	go.chunk_size = 0;
	NSM_TRY(store_open(&store, path, &go));
	if ((rc = ns_commit_new(&c, store)) < 0 ||
	    (rc = ns_commit_set_blob(c, structure, len)) < 0)
		goto ns_failed;
#define META(k, ...) do { snprintf(val, sizeof val, __VA_ARGS__); \
		if ((rc = ns_commit_set_meta(c, k, val)) < 0) goto ns_failed; } while (0)
	META("nsnap.mpi.format", "%d", NSM_FORMAT);
	META("nsnap.mpi.ranks", "%d", net->size);
	META("nsnap.mpi.round", "%s", round);
	META("nsnap.mpi.time", "%.17g", net->t);
	META("nsnap.mpi.step", "%" PRIu64, net->step);
	META("nsnap.mpi.dt", "%.17g", net->dt);
	for (int r = 0; r < net->size; r++) {
		snprintf(key, sizeof key, "nsnap.mpi.shard.%d", r);
		META(key, "%" PRIu64, shards[r]);
	}
#undef META
	for (size_t i = 0; i < net->n_objs; i++)
		for (size_t k = 0; k < net->objs[i].n_attrs; k++) {
			const struct nsm_attr *a = &net->objs[i].attrs[k];
			if (a->scope != NS_GLOBAL)
				continue;
			snprintf(name, sizeof name, "attr/%s/%s", net->objs[i].name, a->name);
			if ((rc = ns_commit_add(c, name, a->dtype, a->data, 1)) < 0)
				goto ns_failed;
		}
	for (size_t k = 0; k < net->n_net_attrs; k++) {
		const struct nsm_attr *a = &net->net_attrs[k];
		snprintf(name, sizeof name, "net/%s", a->name);
		if ((rc = ns_commit_add(c, name, a->dtype, a->data, a->count)) < 0)
			goto ns_failed;
	}
	co.message = opts->message;
	co.branch = opts->branch;
	co.tag = opts->tag;
	rc = ns_commit_finish(out, c, &co);
	c = NULL;
	if (rc == NS_OK)
		goto done;
ns_failed:
	rc = nsm_err_ns(rc, "global store '%s'", path);
done:
	ns_commit_free(c);
	ns_store_close(store);
	return rc;
}

/* Rank 0 makes the directory; a file in its way is an error. */
static int make_dir(const char *dir)
{
	struct stat st;
	if (mkdir(dir, 0777) == 0)
		return NS_OK;
	if (errno != EEXIST)
		return nsm_err(errno == ENOENT ? NS_ENOTFOUND : NS_EIO,
			       "store directory '%s': cannot create it: %s", dir, strerror(errno));
	if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
		return nsm_err(NS_ENOTSTORE, "store directory '%s': exists and is not a directory",
			       dir);
	return NS_OK;
}

/* Every rank compares its structure with rank 0's. */
static int same_structure(const ns_mpi_net *net, const char *text, size_t len)
{
	unsigned long long n = len;
	char *theirs = NULL, here[32];
	ns_mpi_net *zero = NULL;
	int rc = NS_OK;
	MPI_Bcast(&n, 1, MPI_UNSIGNED_LONG_LONG, 0, net->comm);
	if (n > (unsigned long long)INT32_MAX)
		return nsm_err(NS_EINVAL, "network '%s': structure too large", net->name);
	if (net->rank == 0) {
		theirs = (char *)text;
	} else if (!(theirs = malloc(n ? n : 1))) {
		rc = nsm_err(NS_ENOMEM, "network '%s': out of memory", net->name);
	}
	if ((rc = nsm_agree(net->comm, rc)) < 0)
		return rc;
	MPI_Bcast(theirs, (int)n, MPI_CHAR, 0, net->comm);
	if (net->rank != 0) {
		snprintf(here, sizeof here, "rank %d", net->rank);
		if ((rc = nsm_structure_parse(&zero, theirs, n, "rank 0's structure")) == NS_OK)
			rc = nsm_structure_compare(zero, "rank 0", net, here, NS_EINVAL);
		ns_mpi_net_free(zero);
		free(theirs);
	}
	return nsm_agree(net->comm, rc);
}

int ns_mpi_snapshot(uint64_t *out, const char *dir, ns_mpi_net *net,
		    const ns_mpi_snapshot_opts *opts)
{
	static const ns_mpi_snapshot_opts defaults = NS_MPI_SNAPSHOT_OPTS_INIT;
	char *text = NULL, round[40];
	uint64_t shard = 0, global = 0, *shards = NULL;
	size_t len = 0;
	int rc = NS_OK;
	if (!net)
		return nsm_err(NS_EINVAL, "ns_mpi_snapshot: no network given");
	if (!opts)
		opts = &defaults;
	if (opts->version < 1 || opts->version > NS_MPI_SNAPSHOT_OPTS_VERSION)
		rc = nsm_err(NS_EINVAL, "ns_mpi_snapshot: options of version %u (this nsnap knows 1 to %d)",
			     opts->version, NS_MPI_SNAPSHOT_OPTS_VERSION);
	else if (!dir || !*dir)
		rc = nsm_err(NS_EINVAL, "ns_mpi_snapshot: no store directory given");
	else if ((rc = nsm_check_local(net)) == NS_OK)
		rc = nsm_structure_write(&text, &len, net);
	NSM_TRY(nsm_agree(net->comm, rc));
	NSM_TRY(same_structure(net, text, len));
	NSM_TRY(nsm_check_partition(net));

	/* A token that ties the shards of this round to its global record. */
	if (net->rank == 0) {
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		snprintf(round, sizeof round, "%016" PRIx64,
			 nsm_mix((uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec) ^
			 nsm_mix((uint64_t)getpid()));
		rc = make_dir(dir);
	}
	MPI_Bcast(round, sizeof round, MPI_CHAR, 0, net->comm);
	NSM_TRY(nsm_agree(net->comm, rc));

	/* Phase 2: every shard. */
	rc = commit_shard(&shard, dir, net, opts, round);
	if (rc == NS_OK && opts->on_shard) {
		nsm_err(NS_OK, "%s", "");
		rc = opts->on_shard(opts->ctx, net->rank, shard);
		if (rc < 0 && ns_mpi_error_last()->code != rc)
			nsm_err(rc, "shard of rank %d: on_shard hook returned %d (%s)", net->rank, rc,
				ns_strerror(rc));
		else if (rc > 0)
			rc = NS_OK;
	}
	/* Phase 3: the vote. */
	NSM_TRY(nsm_agree(net->comm, rc));

	/* Phase 4: rank 0 writes the global record, which makes it visible. */
	if (net->rank == 0 && !(shards = calloc((size_t)net->size, sizeof *shards)))
		rc = nsm_err(NS_ENOMEM, "global record: out of memory");
	NSM_TRY(nsm_agree(net->comm, rc));
	MPI_Gather(&shard, 1, MPI_UINT64_T, shards, 1, MPI_UINT64_T, 0, net->comm);
	if (net->rank == 0)
		rc = commit_global(&global, dir, net, opts, round, shards, text, len);
	NSM_TRY(nsm_agree(net->comm, rc));
	MPI_Bcast(&global, 1, MPI_UINT64_T, 0, net->comm);
	if (out)
		*out = global;
done:
	free(text);
	free(shards);
	return rc;
}
