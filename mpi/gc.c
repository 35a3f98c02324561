/* SPDX-License-Identifier: MIT */
/* Collecting what failed rounds left: shard versions no global record
 * names, and orphan chunks of killed commits. */
#include "internal.h"

#include <dirent.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct u64s {
	uint64_t *v;
	size_t n, cap;
};

static int push(struct u64s *a, uint64_t x)
{
	if (a->n == a->cap) {
		size_t cap = a->cap ? 2 * a->cap : 64;
		uint64_t *v = realloc(a->v, cap * sizeof *v);
		if (!v)
			return nsm_err(NS_ENOMEM, "gc: out of memory");
		a->v = v;
		a->cap = cap;
	}
	a->v[a->n++] = x;
	return NS_OK;
}

static int collect(const ns_version_info *info, void *ctx)
{
	return push(ctx, info->number) < 0 ? NS_ENOMEM : 0;
}

/* A name "rank-R.nsnap": R, else -1. */
static long shard_rank(const char *name)
{
	char *end;
	long r;
	if (strncmp(name, "rank-", 5) != 0 || name[5] < '0' || name[5] > '9')
		return -1;
	r = strtol(name + 5, &end, 10);
	return strcmp(end, ".nsnap") == 0 && r >= 0 && r < (1L << 20) ? r : -1;
}

/* Every (shard, version) pair the global records name: two lists side by
 * side. */
struct refs {
	struct u64s shard, version;
};

static int referenced(const struct refs *rf, long shard, uint64_t v, uint64_t *newest)
{
	int found = 0;
	*newest = 0;
	for (size_t i = 0; i < rf->shard.n; i++)
		if (rf->shard.v[i] == (uint64_t)shard) {
			if (rf->version.v[i] == v)
				found = 1;
			if (rf->version.v[i] > *newest)
				*newest = rf->version.v[i];
		}
	return found;
}

static int read_refs(struct refs *rf, const char *dir, const char *path)
{
	ns_store_opts so = NS_STORE_OPTS_INIT;
	ns_store *g = NULL;
	struct u64s numbers = { 0 };
	char key[64];
	int rc;
	so.flags = NS_STORE_RDONLY;
	if ((rc = ns_store_open(&g, path, &so)) < 0) {
		rc = nsm_err_ns(rc, "store directory '%s'", dir);
		goto done;
	}
	if ((rc = ns_store_foreach_version(g, collect, &numbers)) < 0) {
		rc = nsm_err_ns(rc, "store directory '%s': global store", dir);
		goto done;
	}
	for (size_t i = 0; i < numbers.n; i++) {
		ns_version *v;
		const char *val;
		uint64_t ranks;
		if ((rc = ns_version_open_number(&v, g, numbers.v[i])) < 0) {
			rc = nsm_err_ns(rc, "store directory '%s': global store", dir);
			goto done;
		}
		if (ns_version_meta_get(&val, v, "nsnap.mpi.ranks") < 0 ||
		    (ranks = strtoull(val, NULL, 10)) == 0) {
			ns_version_close(v);
			rc = nsm_err(NS_ECORRUPT, "store directory '%s': global version %" PRIu64
				     " names no shards", dir, numbers.v[i]);
			goto done;
		}
		for (uint64_t r = 0; r < ranks && rc == NS_OK; r++) {
			snprintf(key, sizeof key, "nsnap.mpi.shard.%" PRIu64, r);
			if (ns_version_meta_get(&val, v, key) < 0)
				rc = nsm_err(NS_ECORRUPT, "store directory '%s': global version %"
					     PRIu64 " lacks '%s'", dir, numbers.v[i], key);
			else if ((rc = push(&rf->shard, r)) == NS_OK)
				rc = push(&rf->version, strtoull(val, NULL, 10));
		}
		ns_version_close(v);
		if (rc < 0)
			goto done;
	}
done:
	free(numbers.v);
	ns_store_close(g);
	return rc;
}

static int gc_shard(uint64_t *deleted, uint64_t *freed, const struct refs *rf, const char *dir,
		    const char *file, long shard, unsigned flags)
{
	char path[NSM_PATH_MAX];
	ns_store *s = NULL;
	struct u64s numbers = { 0 };
	uint64_t newest, bytes = 0;
	int rc;
	NSM_TRY(nsm_path(path, dir, file));
	if ((rc = ns_store_open(&s, path, NULL)) < 0 ||
	    (rc = ns_store_foreach_version(s, collect, &numbers)) < 0) {
		rc = nsm_err_ns(rc, "shard '%s'", path);
		goto done;
	}
	for (size_t i = 0; i < numbers.n; i++) {
		uint64_t v = numbers.v[i];
		if (referenced(rf, shard, v, &newest))
			continue;
		if (!(flags & NS_MPI_GC_ALL) && v > newest)
			continue; /* maybe a round under way */
		if ((rc = ns_version_delete(s, v)) < 0) {
			rc = nsm_err_ns(rc, "shard '%s': version %" PRIu64, path, v);
			goto done;
		}
		(*deleted)++;
	}
	if ((rc = ns_store_gc(s, NULL, &bytes)) < 0) {
		rc = nsm_err_ns(rc, "shard '%s'", path);
		goto done;
	}
	*freed += bytes;
done:
	free(numbers.v);
	ns_store_close(s);
	return rc;
}

int ns_mpi_gc(uint64_t *versions, uint64_t *bytes, const char *dir, unsigned flags)
{
	char path[NSM_PATH_MAX];
	struct refs rf = { { 0 }, { 0 } };
	uint64_t deleted = 0, freed = 0;
	DIR *d = NULL;
	struct dirent *e;
	int rc;
	if (!dir || !*dir)
		return nsm_err(NS_EINVAL, "ns_mpi_gc: no store directory given");
	NSM_TRY(nsm_path(path, dir, NSM_GLOBAL_FILE));
	NSM_TRY(read_refs(&rf, dir, path));
	if (!(d = opendir(dir))) {
		rc = nsm_err(NS_ENOTFOUND, "store directory '%s': cannot read it", dir);
		goto done;
	}
	while ((e = readdir(d))) {
		long r = shard_rank(e->d_name);
		if (r >= 0)
			NSM_TRY(gc_shard(&deleted, &freed, &rf, dir, e->d_name, r, flags));
	}
	if (versions)
		*versions = deleted;
	if (bytes)
		*bytes = freed;
done:
	if (d)
		closedir(d);
	free(rf.shard.v);
	free(rf.version.v);
	return rc;
}
