/* SPDX-License-Identifier: MIT */
/* Sharded stores (a directory that ns_mpi_snapshot() wrote, <nsnap/mpi.h>)
 * as one store to the commands: the global record file holds the versions,
 * tags and branches; a version's network is assembled from the shards
 * (ns_mpi_open()), and diff and export work on the versions they need
 * assembled into a private temporary store. */
#include "cli.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#ifdef NSNAP_HAVE_MPI
#include <nsnap/mpi.h>
#endif

/* The files of a store directory (<nsnap/mpi.h>). */
#define GLOBAL_FILE "global.nsnap"
#define SHARD_FILE "rank-%d.nsnap"

/* Room for the longest file name join() appends: "rank-2147483647.nsnap"
 * or "nsnap-assembly-XXXXXX/s.nsnap-lock". */
#define FILE_ROOM 40

/* @dir/@file into @buf; 0 when it does not fit (callers check the
 * directory's length against FILE_ROOM first, so it always does). */
static int join(char *buf, size_t size, const char *dir, const char *file)
{
	size_t d = strlen(dir), f = strlen(file);
	if (d + 1 + f >= size) {
		buf[0] = '\0';
		return 0;
	}
	memcpy(buf, dir, d);
	buf[d] = '/';
	memcpy(buf + d + 1, file, f + 1);
	return 1;
}

int cli_is_sharded(const char *path)
{
	char global[4096];
	struct stat st;
	if (stat(path, &st) != 0 || !S_ISDIR(st.st_mode))
		return 0;
	return join(global, sizeof global, path, GLOBAL_FILE) && stat(global, &st) == 0;
}

int cli_open_sharded(struct cli *c, int writable)
{
	ns_store_opts o = NS_STORE_OPTS_INIT;
	char global[4096];
	/* Tags, branches and versions are the global record's: a version
	 * removed there leaves shard versions that gc collects. */
	static const char *const writers[] = { "tag", "branch", "rm", "gc" };
	int may = !writable;
	for (size_t i = 0; i < sizeof writers / sizeof *writers; i++)
		may |= strcmp(c->cmd, writers[i]) == 0;
	if (!may)
		return cli_fail(c, "store directory '%s' is sharded (written over MPI): 'nsnap %s' "
				"does not change it; it takes log, show, cat, diff, export, verify, "
				"stats, tag, branch, rm, gc and compact", c->store_path, c->cmd);
	if (strlen(c->store_path) + FILE_ROOM >= sizeof global)
		return cli_fail(c, "store directory '%s': path too long", c->store_path);
	join(global, sizeof global, c->store_path, GLOBAL_FILE);
	o.flags = writable ? 0 : NS_STORE_RDONLY;
	if (ns_store_open(&c->store, global, &o) < 0)
		return cli_fail_ns(c);
	c->sharded = 1;
	return CLI_OK;
}

/* The number of shards of global version @num and the shard version of
 * each (malloc'd), from its record. */
static int shard_versions(struct cli *c, uint64_t **out, int *n, const char *num)
{
	ns_version *v = NULL;
	const char *val;
	char key[64];
	int rc = CLI_OK;
	*out = NULL;
	if (ns_version_open(&v, c->store, num) < 0)
		return cli_fail_ns(c);
	if (ns_version_meta_get(&val, v, "nsnap.mpi.ranks") < 0 || (*n = atoi(val)) <= 0 ||
	    *n > 1 << 20 || !(*out = calloc((size_t)*n, sizeof **out))) {
		rc = cli_fail(c, "store directory '%s': version %s: no shards in its global record",
			      c->store_path, num);
		goto done;
	}
	for (int s = 0; s < *n; s++) {
		snprintf(key, sizeof key, "nsnap.mpi.shard.%d", s);
		if (ns_version_meta_get(&val, v, key) < 0) {
			rc = cli_fail(c, "store directory '%s': version %s: its global record "
				      "names no version of shard %d", c->store_path, num, s);
			goto done;
		}
		(*out)[s] = strtoull(val, NULL, 10);
	}
done:
	if (rc != CLI_OK) {
		free(*out);
		*out = NULL;
	}
	ns_version_close(v);
	return rc;
}

/* Open shard @s of the store directory read-only. */
static int shard_open(struct cli *c, ns_store **out, char path[4096], int s)
{
	ns_store_opts o = NS_STORE_OPTS_INIT;
	char file[64];
	snprintf(file, sizeof file, SHARD_FILE, s);
	join(path, 4096, c->store_path, file);
	o.flags = NS_STORE_RDONLY;
	if (ns_store_open(out, path, &o) < 0)
		return cli_fail_ns(c);
	return CLI_OK;
}

int cli_check_shards(struct cli *c, const char *num)
{
	uint64_t *sv = NULL;
	char path[4096], message[8192];
	int n = 0, rc;
	if (!c->verify || c->assembled)
		return CLI_OK;
	if ((rc = shard_versions(c, &sv, &n, num)) != CLI_OK)
		return rc;
	for (int s = 0; s < n && rc == CLI_OK; s++) {
		ns_store *st = NULL;
		ns_version *v = NULL;
		if ((rc = shard_open(c, &st, path, s)) != CLI_OK)
			break;
		if (ns_version_open_number(&v, st, sv[s]) < 0) {
			rc = cli_fail(c, "store directory '%s': version %s needs version %llu of "
				      "shard '%s': %s", c->store_path, num,
				      (unsigned long long)sv[s], path, ns_error_last()->message);
		} else {
			for (uint64_t i = 0; i < ns_version_get_info(v)->n_arrays && rc == CLI_OK;
			     i++)
				if (ns_version_check(v, i, NS_READ_VERIFY) < 0) {
					snprintf(message, sizeof message, "%s",
						 ns_error_last()->message);
					rc = cli_fail(c, "%s", message); /* names the shard */
				}
		}
		ns_version_close(v);
		ns_store_close(st);
	}
	free(sv);
	return rc;
}

int cli_sharded_bytes(struct cli *c, uint64_t *logical, uint64_t *added, uint64_t v)
{
	uint64_t *sv = NULL;
	char num[24], path[4096];
	int n = 0;
	*logical = *added = 0;
	snprintf(num, sizeof num, "%llu", (unsigned long long)v);
	if (shard_versions(c, &sv, &n, num) != CLI_OK)
		return CLI_ERROR;
	for (int s = 0; s < n; s++) {
		ns_store *st = NULL;
		ns_version *ver = NULL;
		if (shard_open(c, &st, path, s) == CLI_OK &&
		    ns_version_open_number(&ver, st, sv[s]) == NS_OK) {
			*logical += ns_version_get_info(ver)->logical_bytes;
			*added += ns_version_get_info(ver)->new_bytes;
		}
		ns_version_close(ver);
		ns_store_close(st);
	}
	free(sv);
	return CLI_OK;
}

int cli_sharded_stats(struct cli *c, ns_store_stats *sum, int *shards)
{
	ns_store_stats st;
	char path[4096];
	struct stat f;
	uint64_t versions;
	if (ns_store_stats_get(sum, c->store) < 0)
		return cli_fail_ns(c);
	versions = sum->versions; /* the global ones */
	for (*shards = 0;; ++*shards) {
		char file[64];
		ns_store *s = NULL;
		snprintf(file, sizeof file, SHARD_FILE, *shards);
		join(path, sizeof path, c->store_path, file);
		if (stat(path, &f) != 0)
			break;
		if (shard_open(c, &s, path, *shards) != CLI_OK)
			return CLI_ERROR;
		if (ns_store_stats_get(&st, s) < 0) {
			ns_store_close(s);
			return cli_fail_ns(c);
		}
		ns_store_close(s);
		sum->chunks += st.chunks;
		sum->logical_bytes += st.logical_bytes;
		sum->unique_bytes += st.unique_bytes;
		sum->stored_bytes += st.stored_bytes;
		sum->file_bytes += st.file_bytes;
		sum->orphan_chunks += st.orphan_chunks;
		/* the shards' chunking and codec, not the global record's */
		sum->chunk_size = st.chunk_size;
		sum->codec = st.codec;
		sum->level = st.level;
	}
	sum->versions = versions;
	return CLI_OK;
}

int cli_sharded_compact(struct cli *c, uint64_t *before, uint64_t *after)
{
	char path[4096], file[64];
	struct stat f;
	*before = *after = 0;
	for (int s = -1;; s++) {
		uint64_t b = 0, a = 0;
		if (s < 0)
			snprintf(file, sizeof file, "%s", GLOBAL_FILE);
		else
			snprintf(file, sizeof file, SHARD_FILE, s);
		join(path, sizeof path, c->store_path, file);
		if (s >= 0 && stat(path, &f) != 0)
			return CLI_OK;
		if (ns_store_compact_file(path, &b, &a) < 0)
			return cli_fail_ns(c);
		*before += b;
		*after += a;
	}
}

#ifdef NSNAP_HAVE_MPI
static int fail_mpi(struct cli *c)
{
	return cli_fail(c, "%s", ns_mpi_error_last()->message);
}

int cli_sharded_gc(struct cli *c, uint64_t *versions, uint64_t *bytes)
{
	if (ns_mpi_gc(versions, bytes, c->store_path, 0) < 0)
		return fail_mpi(c);
	return CLI_OK;
}

int cli_sharded_network(struct cli *c, ns_network **net, const char *num)
{
	if (ns_mpi_open(net, c->store_path, num) < 0)
		return fail_mpi(c);
	c->sharded_version = strtoull(num, NULL, 10);
	return CLI_OK;
}
#else
static int no_mpi(struct cli *c)
{
	return cli_fail(c, "store directory '%s' is sharded (written over MPI), and this nsnap "
			"was built without MPI (libnsnap_mpi) to read it", c->store_path);
}

int cli_sharded_gc(struct cli *c, uint64_t *versions, uint64_t *bytes)
{
	(void)versions;
	(void)bytes;
	return no_mpi(c);
}

int cli_sharded_network(struct cli *c, ns_network **net, const char *num)
{
	(void)net;
	(void)num;
	return no_mpi(c);
}
#endif

int cli_assemble(struct cli *c, char (*nums)[24], int n)
{
	ns_store_opts so = NS_STORE_OPTS_INIT;
	const char *tmp = getenv("TMPDIR");
	char path[4096];
	ns_store *store = NULL;
	int rc = CLI_OK;
	for (int i = 0; i < n; i++)
		if ((rc = cli_check_shards(c, nums[i])) != CLI_OK)
			return rc;
	if (!tmp || !*tmp)
		tmp = "/tmp";
	if (strlen(tmp) + FILE_ROOM >= sizeof path)
		return cli_fail(c, "store directory '%s': temporary directory '%s': path too long",
				c->store_path, tmp);
	join(c->assembly_dir, sizeof c->assembly_dir, tmp, "nsnap-assembly-XXXXXX");
	if (!mkdtemp(c->assembly_dir)) {
		c->assembly_dir[0] = '\0';
		return cli_fail(c, "store directory '%s': a temporary directory in '%s': %s",
				c->store_path, tmp, strerror(errno));
	}
	join(path, sizeof path, c->assembly_dir, "s.nsnap");
	so.flags = NS_STORE_CREATE;
	if (ns_store_open(&store, path, &so) < 0)
		return cli_fail_ns(c);
	for (int i = 0; i < n && rc == CLI_OK; i++) {
		ns_snapshot_opts o = NS_SNAPSHOT_OPTS_INIT;
		ns_network *net = NULL;
		uint64_t v = 0;
		int same = -1;
		for (int j = 0; j < i; j++)
			if (strcmp(nums[j], nums[i]) == 0)
				same = j;
		if (same >= 0) {
			memcpy(nums[i], nums[same], sizeof nums[i]);
			continue;
		}
		if ((rc = cli_sharded_network(c, &net, nums[i])) == CLI_OK) {
			o.message = nums[i];
			if (ns_snapshot(&v, store, net, &o) < 0)
				rc = cli_fail_ns(c);
			snprintf(nums[i], sizeof nums[i], "%llu", (unsigned long long)v);
		}
		ns_network_free(net);
	}
	/* From here on the command reads the assembled versions. */
	ns_store_close(c->store);
	c->store = store;
	c->assembled = 1;
	return rc;
}

void cli_assembly_remove(struct cli *c)
{
	char path[4096];
	if (!c->assembly_dir[0])
		return;
	join(path, sizeof path, c->assembly_dir, "s.nsnap");
	unlink(path);
	join(path, sizeof path, c->assembly_dir, "s.nsnap-lock");
	unlink(path);
	rmdir(c->assembly_dir);
	c->assembly_dir[0] = '\0';
}

/* ------------------------------------------------------------------ verify */

struct problems {
	const char *file;
	uint64_t n;
};

static int problem(const ns_problem *p, void *ctx)
{
	struct problems *pr = ctx;
	cli_progress_end();
	printf("problem: %s: %s\n", pr->file, p->message);
	pr->n++;
	return 0;
}

/* Verify the store file @path: its problems are counted in @pr. */
static int verify_file(struct cli *c, struct problems *pr, const char *path, uint64_t *versions)
{
	ns_store_opts o = NS_STORE_OPTS_INIT;
	ns_store_stats st = { 0 };
	ns_store *s = NULL;
	uint64_t n = 0;
	int rc;
	o.flags = NS_STORE_RDONLY;
	pr->file = path;
	if (ns_store_open(&s, path, &o) < 0) {
		if (ns_error_last()->code != NS_ECORRUPT)
			return cli_fail_ns(c);
		printf("problem: %s: %s\n", path, ns_error_last()->message);
		pr->n++;
		return CLI_OK;
	}
	rc = ns_store_verify(s, problem, pr, &n);
	if (rc < 0 && rc != NS_ECORRUPT) {
		ns_store_close(s);
		return cli_fail_ns(c);
	}
	ns_store_stats_get(&st, s);
	*versions = st.versions;
	ns_store_close(s);
	return CLI_OK;
}

struct globals {
	struct cli *c;
	struct problems *pr;
	int rc;
};

static int assemble_one(const ns_version_info *v, void *ctx)
{
	struct globals *g = ctx;
	ns_network *net = NULL;
	char num[24];
	snprintf(num, sizeof num, "%llu", (unsigned long long)v->number);
#ifdef NSNAP_HAVE_MPI
	if (ns_mpi_open(&net, g->c->store_path, num) < 0) {
		printf("problem: %s: %s\n", g->c->store_path, ns_mpi_error_last()->message);
		g->pr->n++;
	}
#else
	g->rc = cli_sharded_network(g->c, &net, num);
#endif
	ns_network_free(net);
	return g->rc != CLI_OK;
}

int cli_verify_sharded(struct cli *c)
{
	struct problems pr = { NULL, 0 };
	struct globals g = { c, &pr, CLI_OK };
	char path[4096], file[64];
	uint64_t versions = 0, shard_versions_n = 0, n;
	int shards = 0, rc;
	struct stat st;
	join(path, sizeof path, c->store_path, GLOBAL_FILE);
	if ((rc = verify_file(c, &pr, path, &versions)) != CLI_OK)
		return rc;
	for (;; shards++) {
		snprintf(file, sizeof file, SHARD_FILE, shards);
		join(path, sizeof path, c->store_path, file);
		if (stat(path, &st) != 0)
			break;
		if ((rc = verify_file(c, &pr, path, &n)) != CLI_OK)
			return rc;
		shard_versions_n += n;
	}
	/* Every global version's shards are there and of its snapshot. */
	if (ns_store_foreach_version(c->store, assemble_one, &g) < 0)
		return cli_fail_ns(c);
	if (g.rc != CLI_OK)
		return g.rc;
	if (pr.n) {
		printf("store directory '%s': %llu problem%s found\n", c->store_path,
		       (unsigned long long)pr.n, pr.n == 1 ? "" : "s");
		return CLI_DIFFERENT;
	}
	printf("store directory '%s': %llu version%s over %d shard%s (%llu shard versions) "
	       "checked: no problems\n", c->store_path, (unsigned long long)versions,
	       versions == 1 ? "" : "s", shards, shards == 1 ? "" : "s",
	       (unsigned long long)shard_versions_n);
	return CLI_OK;
}
