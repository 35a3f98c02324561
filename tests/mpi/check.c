/* SPDX-License-Identifier: MIT */
/* The MPI tests' driver, run under mpirun by run.sh. A plain C program,
 * not Criterion: Criterion forks its tests into workers, which does not
 * go with MPI_Init under mpirun. It exits non-zero when a check fails.
 *
 *   check snapshot DIR DIST STATE EXPECT [zstd]  snapshot STATE; EXPECT: the version
 *   check restore DIR DIST REV STATE             restore REV; values must be STATE's
 *   check inject DIR DIST STATE                  the last rank's hook fails: same error everywhere
 *   check kill DIR DIST STATE                    the last rank dies after its shard (mpirun fails)
 *   check mismatch DIR DIST REV KIND             a differing network: same error, nothing changed
 *   check bad OP DIR KIND                        OP (snapshot, restore) on a bad distribution
 *                                                fails with NS_EINVAL on every rank
 *   check missing DIR REV                        restoring REV fails with NS_ENOTFOUND everywhere
 *   check damaged DIR STATE1 STATE2              versions 1 and 2 (of STATE1, STATE2), shard 1 damaged:
 *                                                restored, or NS_ECORRUPT everywhere and no change
 *   check open DIR_A DIR_B STATE                 HEAD of both, assembled by ns_mpi_open(), holds
 *                                                STATE and snapshots to the same arrays
 *   check versions DIR N                         the global store has N versions, HEAD is N
 *   check gc DIR ALL EXPECT                      ns_mpi_gc deletes at least EXPECT shard versions
 *   check shards DIR N EXPECT                    rank-0..N-1.nsnap hold EXPECT versions each
 */
#include "model.h"

#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The model's sizes; MPI_TEST_SIZES="NE NI" changes them (run.sh's tiny
 * scenario leaves ranks without neurons). */
static uint64_t NE = 3000, NI = 700;
static int rank, size;

static int fail(const char *what, int rc)
{
	fprintf(stderr, "rank %d: %s: %d (%s): %s\n", rank, what, rc, ns_strerror(rc),
		ns_mpi_error_last()->message);
	return 1;
}

/* Every rank got code @rc and the same message as rank 0. */
static int same_everywhere(int rc)
{
	char msg[1024] = { 0 };
	int code = rc, bad = 0, all_bad;
	if (rank == 0)
		snprintf(msg, sizeof msg, "%s", ns_mpi_error_last()->message);
	MPI_Bcast(&code, 1, MPI_INT, 0, MPI_COMM_WORLD);
	MPI_Bcast(msg, sizeof msg, MPI_CHAR, 0, MPI_COMM_WORLD);
	if (code != rc || strcmp(msg, ns_mpi_error_last()->message) != 0) {
		fprintf(stderr, "rank %d: error %d '%s', rank 0 had %d '%s'\n", rank, rc,
			ns_mpi_error_last()->message, code, msg);
		bad = 1;
	}
	MPI_Allreduce(&bad, &all_bad, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
	return all_bad;
}

static int hook_fail(void *ctx, int r, uint64_t v)
{
	(void)ctx;
	(void)v;
	return r == size - 1 ? NS_EIO : NS_OK;
}

static int hook_kill(void *ctx, int r, uint64_t v)
{
	(void)ctx;
	(void)v;
	if (r == size - 1)
		raise(SIGKILL);
	return NS_OK;
}

static int cmd_snapshot(const char *dir, dist d, int state, uint64_t expect, int zstd,
			int (*hook)(void *, int, uint64_t))
{
	ns_mpi_snapshot_opts o = NS_MPI_SNAPSHOT_OPTS_INIT;
	struct model m;
	uint64_t v = 0;
	int rc;
	char msg[64];
	if ((rc = model_build(&m, MPI_COMM_WORLD, d, DIFF_NONE, state, NE, NI)) < 0)
		return fail("build", rc);
	snprintf(msg, sizeof msg, "state %d on %d ranks", state, size);
	o.message = msg;
	o.chunk_size = 4096; /* many chunks per array */
	o.on_shard = hook;
	if (zstd)
		o.codec = NS_CODEC_ZSTD;
	rc = ns_mpi_snapshot(&v, dir, m.net, &o);
	model_free(&m);
	if (hook) {
		if (rc != NS_EIO)
			return fail("snapshot with a failing rank did not fail with NS_EIO", rc);
		if (!strstr(ns_mpi_error_last()->message, "on_shard hook"))
			return fail("message lacks the hook", rc);
		return same_everywhere(rc);
	}
	if (rc < 0)
		return fail("snapshot", rc);
	if (v != expect) {
		fprintf(stderr, "rank %d: snapshot made version %" PRIu64 ", not %" PRIu64 "\n",
			rank, v, expect);
		return 1;
	}
	return 0;
}

/* The bytes of the shard versions of global revision @rev of @dir. */
static uint64_t shard_bytes(const char *dir, const char *rev)
{
	ns_store_opts so = NS_STORE_OPTS_INIT;
	ns_store *g = NULL;
	ns_version *gv = NULL;
	const char *val;
	char path[4200], key[64];
	uint64_t sum = 0;
	int n;
	so.flags = NS_STORE_RDONLY;
	snprintf(path, sizeof path, "%s/global.nsnap", dir);
	if (ns_store_open(&g, path, &so) < 0 || ns_version_open(&gv, g, rev) < 0 ||
	    ns_version_meta_get(&val, gv, "nsnap.mpi.ranks") < 0)
		goto done;
	n = atoi(val);
	for (int r = 0; r < n; r++) {
		ns_store *s = NULL;
		ns_version *sv = NULL;
		snprintf(key, sizeof key, "nsnap.mpi.shard.%d", r);
		snprintf(path, sizeof path, "%s/rank-%d.nsnap", dir, r);
		if (ns_version_meta_get(&val, gv, key) == NS_OK &&
		    ns_store_open(&s, path, &so) == NS_OK &&
		    ns_version_open_number(&sv, s, strtoull(val, NULL, 10)) == NS_OK)
			sum += ns_version_get_info(sv)->logical_bytes;
		ns_version_close(sv);
		ns_store_close(s);
	}
done:
	ns_version_close(gv);
	ns_store_close(g);
	return sum;
}

static int cmd_restore(const char *dir, dist d, const char *rev, int state)
{
	ns_mpi_restore_opts o;
	struct model m;
	uint64_t v = 0, bad, read = 0, stored;
	int rc;
	if (ns_mpi_restore_opts_init(&o, NS_MPI_RESTORE_OPTS_VERSION + 1) != NS_EINVAL)
		return fail("options of an unknown version were accepted", NS_OK);
	if ((rc = ns_mpi_restore_opts_init(&o, NS_MPI_RESTORE_OPTS_VERSION)) < 0)
		return fail("restore options", rc);
	o.verify = 1;
	o.bytes_read = &read;
	if ((rc = model_build(&m, MPI_COMM_WORLD, d, DIFF_NONE, -1, NE, NI)) < 0)
		return fail("build", rc);
	if ((rc = ns_mpi_restore(&v, dir, rev, m.net, &o)) < 0) {
		model_free(&m);
		return fail("restore", rc);
	}
	bad = model_check(&m, state);
	model_free(&m);
	if (bad) {
		fprintf(stderr, "rank %d: %" PRIu64 " values differ after restoring %s (version %"
			PRIu64 ")\n", rank, bad, rev, v);
		return 1;
	}
	/* Each rank reads the index and about its share of the values (the
	 * chunks it serves to their owners), hashes checked (verify): on 2
	 * ranks or more, of the default model (its index is about half of it),
	 * less than 0.9 of what the shards hold, whatever the distributions. */
	stored = shard_bytes(dir, rev);
	if (read == 0 || !stored || read > stored + 4096 ||
	    (size >= 2 && !getenv("MPI_TEST_SIZES") && read > stored / 10 * 9)) {
		fprintf(stderr, "rank %d of %d: restoring %s read %" PRIu64 " of the %" PRIu64
			" bytes its shards hold\n", rank, size, rev, read, stored);
		return 1;
	}
	return 0;
}

static int cmd_mismatch(const char *dir, dist d, const char *rev, const char *kind)
{
	static const struct { const char *name; diff df; const char *needle; } kinds[] = {
		{ "size", DIFF_SIZE, "population 'E' has 3000 neurons in version" },
		{ "dtype", DIFF_DTYPE, "attribute 'v' is f64 in version" },
		{ "attr", DIFF_ATTR, "attribute 'extra' is in the network" },
		{ "synapse", DIFF_SYNAPSE, "is not in version" },
	};
	struct model m;
	diff df = DIFF_NONE;
	const char *needle = "";
	uint64_t bad;
	int rc;
	for (size_t i = 0; i < sizeof kinds / sizeof *kinds; i++)
		if (strcmp(kind, kinds[i].name) == 0) {
			df = kinds[i].df;
			needle = kinds[i].needle;
		}
	if (df == DIFF_NONE) {
		fprintf(stderr, "unknown mismatch '%s'\n", kind);
		return 2;
	}
	if ((rc = model_build(&m, MPI_COMM_WORLD, d, df, -1, NE, NI)) < 0)
		return fail("build", rc);
	rc = ns_mpi_restore(NULL, dir, rev, m.net, NULL);
	bad = df == DIFF_DTYPE ? 0 : model_check(&m, -1); /* E.v is bound elsewhere there */
	model_free(&m);
	if (rc != NS_EMISMATCH)
		return fail("restore of a differing network did not fail with NS_EMISMATCH", rc);
	if (!strstr(ns_mpi_error_last()->message, needle)) {
		fprintf(stderr, "rank %d: message '%s' lacks '%s'\n", rank,
			ns_mpi_error_last()->message, needle);
		return 1;
	}
	if (bad) {
		fprintf(stderr, "rank %d: a failed restore changed %" PRIu64 " values\n", rank, bad);
		return 1;
	}
	if (rank == 0)
		printf("mismatch %s: %s\n", kind, ns_mpi_error_last()->message);
	return same_everywhere(rc);
}

/* Restore versions 1 and 2 of @dir (of states @states), where a chunk of
 * shard 1 is damaged,
 * hashes checked: each restores its state, or fails with NS_ECORRUPT on
 * every rank with the same message, naming the shard, and changes
 * nothing; at least one fails. */
static int cmd_damaged(const char *dir, const int states[2])
{
	ns_mpi_restore_opts o = NS_MPI_RESTORE_OPTS_INIT;
	int failed = 0;
	o.verify = 1;
	for (int v = 1; v <= 2; v++) {
		struct model m;
		char rev[8];
		uint64_t bad;
		int rc, state = states[v - 1];
		snprintf(rev, sizeof rev, "%d", v);
		if ((rc = model_build(&m, MPI_COMM_WORLD, DIST_RR, DIFF_NONE, -1, NE, NI)) < 0)
			return fail("build", rc);
		rc = ns_mpi_restore(NULL, dir, rev, m.net, &o);
		bad = model_check(&m, rc == NS_OK ? state : -1);
		model_free(&m);
		if (bad) {
			fprintf(stderr, "rank %d: restore of %s (%d) left %" PRIu64 " values wrong\n",
				rank, rev, rc, bad);
			return 1;
		}
		if (same_everywhere(rc))
			return 1;
		if (rc == NS_OK)
			continue;
		if (rc != NS_ECORRUPT || !strstr(ns_mpi_error_last()->message, "rank-1.nsnap"))
			return fail("restore of a damaged shard", rc);
		if (rank == 0)
			printf("damaged, version %s: %s\n", rev, ns_mpi_error_last()->message);
		failed++;
	}
	if (!failed && rank == 0)
		fprintf(stderr, "both versions restored although a chunk of shard 1 is damaged\n");
	return !failed;
}

/* A distribution that is wrong on the last rank: a structure of its own,
 * a neuron rank 0 owns too (and one nobody owns), a gid out of range. */
static int cmd_bad(const char *op, const char *dir, const char *kind)
{
	static const struct { const char *name; const char *needle; } kinds[] = {
		{ "structure", "attribute 'extra' is in rank" },
		{ "partition", "some neurons are owned by two ranks and others by none" },
		{ "range", "population 'E': gid 3000 (entry 0) is outside 0..2999" },
	};
	struct model m;
	const char *needle = NULL;
	int rc, last = rank == size - 1;
	for (size_t i = 0; i < sizeof kinds / sizeof *kinds; i++)
		if (strcmp(kind, kinds[i].name) == 0)
			needle = kinds[i].needle;
	if (!needle || size < 2) {
		fprintf(stderr, "bad: unknown kind '%s', or fewer than 2 ranks\n", kind);
		return 2;
	}
	if ((rc = model_build(&m, MPI_COMM_WORLD, DIST_RR,
			      last && !strcmp(kind, "structure") ? DIFF_ATTR : DIFF_NONE,
			      strcmp(op, "restore") ? 5 : -1, NE, NI)) < 0)
		return fail("build", rc);
	if (last && !strcmp(kind, "partition"))
		m.e_gid[0] = 0;
	if (last && !strcmp(kind, "range"))
		m.e_gid[0] = NE;
	if (strcmp(op, "restore") == 0)
		rc = ns_mpi_restore(NULL, dir, NULL, m.net, NULL);
	else
		rc = ns_mpi_snapshot(NULL, dir, m.net, NULL);
	if (strcmp(op, "restore") == 0 && strcmp(kind, "structure") == 0)
		needle = "attribute 'extra' is in the network"; /* compared with the version */
	if (last && strcmp(kind, "structure"))
		m.e_gid[0] = m.e_gid[1]; /* any owned gid: only the values are checked */
	uint64_t changed = strcmp(op, "restore") == 0 ? model_check(&m, -1) : 0;
	model_free(&m);
	if (rc != NS_EINVAL && !(strcmp(op, "restore") == 0 && strcmp(kind, "structure") == 0 &&
				 rc == NS_EMISMATCH))
		return fail("a bad distribution did not fail as it should", rc);
	if (!strstr(ns_mpi_error_last()->message, needle)) {
		fprintf(stderr, "rank %d: message '%s' lacks '%s'\n", rank,
			ns_mpi_error_last()->message, needle);
		return 1;
	}
	if (changed) {
		fprintf(stderr, "rank %d: a failed restore changed %" PRIu64 " values\n", rank,
			changed);
		return 1;
	}
	if (rank == 0)
		printf("bad %s %s: %s\n", op, kind, ns_mpi_error_last()->message);
	return same_everywhere(rc);
}

static int cmd_missing(const char *dir, const char *rev)
{
	struct model m;
	int rc;
	if ((rc = model_build(&m, MPI_COMM_WORLD, DIST_RR, DIFF_NONE, -1, NE, NI)) < 0)
		return fail("build", rc);
	rc = ns_mpi_restore(NULL, dir, rev, m.net, NULL);
	model_free(&m);
	if (rc != NS_ENOTFOUND)
		return fail("restoring a missing revision did not fail with NS_ENOTFOUND", rc);
	if (rank == 0)
		printf("missing %s: %s\n", rev, ns_mpi_error_last()->message);
	return same_everywhere(rc);
}

/* Snapshot @net into the plain store @path; its open version into *v. */
static int plain(ns_store **store, ns_version **v, const char *path, ns_network *net)
{
	ns_store_opts so = NS_STORE_OPTS_INIT;
	uint64_t number;
	so.flags = NS_STORE_CREATE;
	if (ns_store_open(store, path, &so) < 0 || ns_snapshot(&number, *store, net, NULL) < 0 ||
	    ns_version_open_number(v, *store, number) < 0)
		return fprintf(stderr, "%s: %s\n", path, ns_error_last()->message), 1;
	return 0;
}

static int cmd_open(const char *a, const char *b, int state)
{
	ns_network *na = NULL, *nb = NULL;
	ns_store *sa = NULL, *sb = NULL;
	ns_version *va = NULL, *vb = NULL;
	char pa[4200], pb[4200];
	int bad = 0, rc;
	if (rank != 0)
		return 0;
	if ((rc = ns_mpi_open(&na, a, NULL)) < 0 || (rc = ns_mpi_open(&nb, b, NULL)) < 0)
		return fail("ns_mpi_open", rc);
	if (model_check_network(na, state) || model_check_network(nb, state))
		bad = 1;
	snprintf(pa, sizeof pa, "%s.plain.nsnap", a);
	snprintf(pb, sizeof pb, "%s.plain.nsnap", b);
	if (!bad && (plain(&sa, &va, pa, na) || plain(&sb, &vb, pb, nb)))
		bad = 1;
	/* The same state makes the same arrays, chunk for chunk. */
	for (uint64_t i = 0; !bad && i < ns_version_get_info(va)->n_arrays; i++) {
		ns_array_info x, y;
		uint64_t j;
		ns_version_array_at(&x, va, i);
		if (ns_version_array_find(&j, vb, x.name) < 0) {
			fprintf(stderr, "array '%s' is only in %s\n", x.name, pa);
			bad = 1;
			break;
		}
		ns_version_array_at(&y, vb, j);
		if (x.nbytes != y.nbytes || x.n_chunks != y.n_chunks ||
		    memcmp(x.hashes, y.hashes, 16 * x.n_chunks) != 0) {
			fprintf(stderr, "array '%s' differs between %s and %s\n", x.name, pa, pb);
			bad = 1;
		}
	}
	if (!bad && ns_version_get_info(va)->n_arrays != ns_version_get_info(vb)->n_arrays)
		bad = fprintf(stderr, "%s and %s have different arrays\n", pa, pb) > 0;
	if (!bad)
		printf("open: %s and %s hold the same state (%" PRIu64 " arrays, %" PRIu64
		       " bytes)\n", a, b, ns_version_get_info(va)->n_arrays,
		       ns_version_get_info(va)->logical_bytes);
	ns_version_close(va);
	ns_version_close(vb);
	ns_store_close(sa);
	ns_store_close(sb);
	ns_network_free(na);
	ns_network_free(nb);
	return bad;
}

static int count_version(const ns_version_info *info, void *ctx)
{
	(void)info;
	++*(uint64_t *)ctx;
	return 0;
}

static int cmd_versions(const char *dir, uint64_t expect)
{
	char path[4200];
	ns_store_opts so = NS_STORE_OPTS_INIT;
	ns_store *s;
	uint64_t n = 0, head = 0;
	int rc;
	if (rank != 0)
		return 0;
	snprintf(path, sizeof path, "%s/global.nsnap", dir);
	so.flags = NS_STORE_RDONLY;
	if ((rc = ns_store_open(&s, path, &so)) < 0)
		return fprintf(stderr, "%s: %s\n", path, ns_error_last()->message), 1;
	rc = ns_store_foreach_version(s, count_version, &n);
	if (rc == NS_OK)
		rc = ns_store_resolve(&head, s, "HEAD");
	ns_store_close(s);
	if (rc < 0 || n != expect || head != expect) {
		fprintf(stderr, "%s: %" PRIu64 " versions, HEAD %" PRIu64 "; expected %" PRIu64
			" (%s)\n", path, n, head, expect, rc < 0 ? ns_error_last()->message : "");
		return 1;
	}
	return 0;
}

static int cmd_gc(const char *dir, int all, uint64_t expect)
{
	uint64_t versions = 0, bytes = 0;
	int rc;
	if (rank != 0)
		return 0;
	if ((rc = ns_mpi_gc(&versions, &bytes, dir, all ? NS_MPI_GC_ALL : 0)) < 0)
		return fail("gc", rc);
	printf("gc%s: %" PRIu64 " shard versions deleted, %" PRIu64 " orphan bytes freed\n",
	       all ? " --all" : "", versions, bytes);
	if (versions < expect || (expect == 0 && versions)) {
		fprintf(stderr, "gc deleted %" PRIu64 " shard versions, expected %s%" PRIu64 "\n",
			versions, expect ? "at least " : "", expect);
		return 1;
	}
	return 0;
}

static int cmd_shards(const char *dir, int n, uint64_t expect)
{
	char path[4200];
	ns_store_opts so = NS_STORE_OPTS_INIT;
	so.flags = NS_STORE_RDONLY;
	if (rank != 0)
		return 0;
	for (int r = 0; r < n; r++) {
		ns_store *s;
		uint64_t count = 0;
		snprintf(path, sizeof path, "%s/rank-%d.nsnap", dir, r);
		if (ns_store_open(&s, path, &so) < 0)
			return fprintf(stderr, "%s: %s\n", path, ns_error_last()->message), 1;
		ns_store_foreach_version(s, count_version, &count);
		ns_store_close(s);
		if (count != expect)
			return fprintf(stderr, "%s: %" PRIu64 " versions, not %" PRIu64 "\n", path,
				       count, expect), 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	int status = 2;
	MPI_Init(&argc, &argv);
	MPI_Comm_rank(MPI_COMM_WORLD, &rank);
	MPI_Comm_size(MPI_COMM_WORLD, &size);
	if (getenv("MPI_TEST_SIZES"))
		sscanf(getenv("MPI_TEST_SIZES"), "%" SCNu64 " %" SCNu64, &NE, &NI);
	const char *cmd = argc > 1 ? argv[1] : "";
	if (strcmp(cmd, "snapshot") == 0 && argc >= 6)
		status = cmd_snapshot(argv[2], dist_parse(argv[3]), atoi(argv[4]),
				      strtoull(argv[5], NULL, 10), argc > 6 && !strcmp(argv[6], "zstd"),
				      NULL);
	else if (strcmp(cmd, "restore") == 0 && argc == 6)
		status = cmd_restore(argv[2], dist_parse(argv[3]), argv[4], atoi(argv[5]));
	else if (strcmp(cmd, "inject") == 0 && argc == 5)
		status = cmd_snapshot(argv[2], dist_parse(argv[3]), atoi(argv[4]), 0, 0, hook_fail);
	else if (strcmp(cmd, "kill") == 0 && argc == 5)
		status = cmd_snapshot(argv[2], dist_parse(argv[3]), atoi(argv[4]), 0, 0, hook_kill);
	else if (strcmp(cmd, "mismatch") == 0 && argc == 6)
		status = cmd_mismatch(argv[2], dist_parse(argv[3]), argv[4], argv[5]);
	else if (strcmp(cmd, "versions") == 0 && argc == 4)
		status = cmd_versions(argv[2], strtoull(argv[3], NULL, 10));
	else if (strcmp(cmd, "gc") == 0 && argc == 5)
		status = cmd_gc(argv[2], atoi(argv[3]), strtoull(argv[4], NULL, 10));
	else if (strcmp(cmd, "open") == 0 && argc == 5)
		status = cmd_open(argv[2], argv[3], atoi(argv[4]));
	else if (strcmp(cmd, "bad") == 0 && argc == 5)
		status = cmd_bad(argv[2], argv[3], argv[4]);
	else if (strcmp(cmd, "damaged") == 0 && argc == 5)
		status = cmd_damaged(argv[2], (const int[2]){ atoi(argv[3]), atoi(argv[4]) });
	else if (strcmp(cmd, "missing") == 0 && argc == 4)
		status = cmd_missing(argv[2], argv[3]);
	else if (strcmp(cmd, "shards") == 0 && argc == 5)
		status = cmd_shards(argv[2], atoi(argv[3]), strtoull(argv[4], NULL, 10));
	else if (rank == 0)
		fprintf(stderr, "usage: see the comment at the top of tests/mpi/check.c\n");
	/* Every rank's verdict counts. */
	int worst;
	MPI_Allreduce(&status, &worst, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
	MPI_Finalize();
	return worst;
}
