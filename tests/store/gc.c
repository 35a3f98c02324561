/* SPDX-License-Identifier: MIT */
/* Orphan chunks and their collection. Orphans are made for real: a forked
 * writer commits a large array in small batches and is killed partway. */
#include "util.h"

#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define KB ((size_t)1 << 10)
#define CHUNK 4096
#define BATCH (64 * KB)
#define BASE_CHUNKS 16     /* version 1: "base", distinct chunks */
#define BIG_CHUNKS 2048    /* the killed commit: 8 MiB, 128 batches */

static uint64_t mix(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ull;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

/* Bytes [first, first + n) of the noise of @seed: no two chunks equal. */
static int fill_noise(void *ctx, uint64_t first, uint64_t n, void *buf)
{
	uint64_t seed = *(const uint64_t *)ctx;
	uint8_t *out = buf;
	/* Word w holds bytes [8w, 8w + 8); copy the part inside the range. */
	for (uint64_t w = first / 8; w * 8 < first + n; w++) {
		uint64_t word = mix(seed ^ mix(w)), lo = w * 8 < first ? first : w * 8;
		uint64_t hi = w * 8 + 8 < first + n ? w * 8 + 8 : first + n;
		uint8_t bytes[8];
		memcpy(bytes, &word, 8);
		memcpy(out + (lo - first), bytes + (lo - w * 8), hi - lo);
	}
	return NS_OK;
}

static uint8_t *noise(size_t n, uint64_t seed)
{
	uint8_t *b = malloc(n);
	cr_assert_not_null(b);
	fill_noise(&seed, 0, n, b);
	return b;
}

static const uint64_t base_seed = 1, big_seed = 2;

static ns_store *open_batched(const char *path)
{
	ns_store_opts o = NS_STORE_OPTS_INIT;
	ns_store *s = NULL;
	o.write_batch = BATCH;
	return ns_store_open(&s, path, &o) == NS_OK ? s : NULL;
}

/* Commit "big" by fill in batches; no test assertions: the child uses it. */
static int commit_big(ns_store *s, uint64_t *number)
{
	ns_commit *c = NULL;
	uint64_t seed = big_seed;
	int rc = ns_commit_new(&c, s);
	if (rc == NS_OK)
		rc = ns_commit_add_fill(c, "big", NS_DTYPE_BYTES, (uint64_t)BIG_CHUNKS * CHUNK,
					fill_noise, &seed);
	return rc == NS_OK ? ns_commit_finish(number, c, NULL) : rc;
}

/* The killed writer: says 'S' when it starts the commit, 'D' when done. */
static void writer(const char *path, int fd)
{
	ns_store *s = open_batched(path);
	char c = 'S';
	if (!s || write(fd, &c, 1) != 1)
		_exit(2);
	c = commit_big(s, NULL) == NS_OK ? 'D' : 'E';
	if (write(fd, &c, 1) != 1)
		_exit(3);
	ns_store_close(s);
	_exit(0);
}

static void sleep_us(long us)
{
	struct timespec t = { us / 1000000, (us % 1000000) * 1000 };
	while (nanosleep(&t, &t) != 0)
		;
}

/* A new store at @path holding version 1 ("base"), closed. */
static void create_base(const char *path)
{
	ns_store_opts o = NS_STORE_OPTS_INIT;
	ns_store *s = NULL;
	ns_commit *c = NULL;
	uint8_t *base = noise(BASE_CHUNKS * CHUNK, base_seed);
	o.flags = NS_STORE_CREATE;
	o.chunk_size = CHUNK;
	NT_OK(ns_store_open(&s, path, &o));
	NT_OK(ns_commit_new(&c, s));
	NT_OK(ns_commit_add(c, "base", NS_DTYPE_BYTES, base, BASE_CHUNKS * CHUNK));
	NT_OK(ns_commit_finish(NULL, c, NULL));
	ns_store_close(s);
	free(base);
}

/* Fork a writer of "big" into a new store and SIGKILL it partway, until a
 * kill leaves orphans: too early leaves none, too late a whole version.
 * Returns the store, open (never across a fork). */
static ns_store *store_with_orphans(void)
{
	long delay_us = 20000;
	for (int attempt = 0; attempt < 16; attempt++) {
		char name[32], path[4096], got[8] = "";
		int fds[2], status = 0;
		ns_store *s = NULL;
		ssize_t n;
		pid_t pid;
		snprintf(name, sizeof name, "orphans-%d.nsnap", attempt);
		snprintf(path, sizeof path, "%s", nt_path(name));
		create_base(path);
		cr_assert_eq(pipe(fds), 0);
		pid = fork();
		cr_assert_geq(pid, 0, "fork failed");
		if (pid == 0) {
			close(fds[0]);
			writer(path, fds[1]);
		}
		close(fds[1]);
		cr_assert_eq(read(fds[0], got, 1), 1, "the writer did not start");
		cr_assert_eq(got[0], 'S');
		sleep_us(delay_us);
		kill(pid, SIGKILL);
		cr_assert_eq(waitpid(pid, &status, 0), pid);
		n = read(fds[0], got, sizeof got - 1);
		close(fds[0]);
		got[n > 0 ? n : 0] = '\0';
		cr_assert_null(strchr(got, 'E'), "the writer failed");
		NT_OK(ns_store_open(&s, path, NULL));
		if (nt_stats(s).orphan_chunks > 0) {
			cr_log_info("orphans after a kill at %ld us (attempt %d)", delay_us, attempt);
			return s;
		}
		ns_store_close(s);
		/* Done already: kill sooner. Killed before its first batch: later. */
		delay_us = strchr(got, 'D') ? delay_us / 2 : delay_us * 2 + 1000;
	}
	cr_assert_fail("no kill left orphans");
	return NULL;
}

static void assert_base_reads_back(ns_store *s)
{
	uint8_t *want = noise(BASE_CHUNKS * CHUNK, base_seed);
	uint64_t n = 0;
	void *got = nt_read_array(s, "1", "base", &n);
	cr_assert_eq(n, BASE_CHUNKS * CHUNK);
	cr_assert(memcmp(got, want, n) == 0, "version 1 reads back changed");
	free(got);
	free(want);
}

static void assert_verify_clean(ns_store *s)
{
	uint64_t problems = 99;
	NT_OK(ns_store_verify(s, NULL, NULL, &problems));
	cr_assert_eq(problems, 0);
}

Test(store_gc, a_killed_batched_commit_adds_no_version, .fini = nt_tmpdir_remove)
{
	ns_store *s = store_with_orphans();
	cr_assert_eq(nt_stats(s).versions, 1);
	cr_assert_eq(nt_resolve(s, "HEAD"), 1);
	ns_store_close(s);
}

Test(store_gc, verify_does_not_count_orphans_as_problems, .fini = nt_tmpdir_remove)
{
	ns_store *s = store_with_orphans();
	assert_verify_clean(s);
	ns_store_close(s);
}

Test(store_gc, stats_count_the_chunks_no_version_uses, .fini = nt_tmpdir_remove)
{
	ns_store *s = store_with_orphans();
	ns_store_stats st = nt_stats(s);
	cr_assert_gt(st.chunks, BASE_CHUNKS);
	cr_assert_eq(st.orphan_chunks, st.chunks - BASE_CHUNKS);
	ns_store_close(s);
}

Test(store_gc, gc_frees_the_orphans_and_returns_how_many, .fini = nt_tmpdir_remove)
{
	ns_store *s = store_with_orphans();
	ns_store_stats before = nt_stats(s), after;
	uint64_t chunks = 0, bytes = 0;
	NT_OK(ns_store_gc(s, &chunks, &bytes));
	after = nt_stats(s);
	cr_assert_eq(chunks, before.orphan_chunks);
	cr_assert_eq(bytes, before.orphan_chunks * CHUNK, "raw orphans of 4 KiB");
	cr_assert_eq(after.chunks, BASE_CHUNKS);
	cr_assert_eq(after.unique_bytes, BASE_CHUNKS * CHUNK);
	cr_assert_eq(after.stored_bytes, BASE_CHUNKS * CHUNK);
	ns_store_close(s);
}

Test(store_gc, after_gc_no_orphan_is_left, .fini = nt_tmpdir_remove)
{
	ns_store *s = store_with_orphans();
	NT_OK(ns_store_gc(s, NULL, NULL));
	cr_assert_eq(nt_stats(s).orphan_chunks, 0);
	ns_store_close(s);
}

Test(store_gc, after_gc_the_store_verifies_clean, .fini = nt_tmpdir_remove)
{
	ns_store *s = store_with_orphans();
	NT_OK(ns_store_gc(s, NULL, NULL));
	assert_verify_clean(s);
	ns_store_close(s);
}

Test(store_gc, gc_keeps_the_versions, .fini = nt_tmpdir_remove)
{
	ns_store *s = store_with_orphans();
	NT_OK(ns_store_gc(s, NULL, NULL));
	cr_assert_eq(nt_stats(s).versions, 1);
	assert_base_reads_back(s);
	ns_store_close(s);
}

Test(store_gc, gc_after_gc_frees_nothing, .fini = nt_tmpdir_remove)
{
	ns_store *s = store_with_orphans();
	uint64_t chunks = 99, bytes = 99;
	NT_OK(ns_store_gc(s, NULL, NULL));
	NT_OK(ns_store_gc(s, &chunks, &bytes));
	cr_assert_eq(chunks, 0);
	cr_assert_eq(bytes, 0);
	ns_store_close(s);
}

Test(store_gc, committing_the_killed_data_again_adopts_the_orphans, .fini = nt_tmpdir_remove)
{
	ns_store *s = store_with_orphans();
	uint64_t seed = big_seed, nbytes = 0;
	uint8_t *want = malloc((size_t)BIG_CHUNKS * CHUNK);
	char path[4096];
	void *got;
	cr_assert_not_null(want);
	fill_noise(&seed, 0, (uint64_t)BIG_CHUNKS * CHUNK, want);
	snprintf(path, sizeof path, "%s", ns_store_path(s));
	ns_store_close(s);
	s = open_batched(path);
	cr_assert_not_null(s);
	NT_OK(commit_big(s, NULL));
	cr_assert_eq(nt_stats(s).orphan_chunks, 0);
	cr_assert_eq(nt_stats(s).chunks, BASE_CHUNKS + BIG_CHUNKS);
	got = nt_read_array(s, "HEAD", "big", &nbytes);
	cr_assert_eq(nbytes, (uint64_t)BIG_CHUNKS * CHUNK);
	cr_assert(memcmp(got, want, nbytes) == 0, "big reads back changed");
	assert_verify_clean(s);
	free(got);
	free(want);
	ns_store_close(s);
}

Test(store_gc, gc_on_a_read_only_store_is_refused, .fini = nt_tmpdir_remove)
{
	ns_store *s = store_with_orphans();
	ns_store_opts o = NS_STORE_OPTS_INIT;
	uint64_t orphans = nt_stats(s).orphan_chunks, chunks = 77;
	char path[4096];
	snprintf(path, sizeof path, "%s", ns_store_path(s));
	ns_store_close(s);
	s = NULL;
	o.flags = NS_STORE_RDONLY;
	NT_OK(ns_store_open(&s, path, &o));
	NT_FAILS(NS_EREADONLY, ns_store_gc(s, &chunks, NULL));
	cr_assert_eq(chunks, 77, "the count was written on failure");
	cr_assert_eq(nt_stats(s).orphan_chunks, orphans, "orphans changed");
	ns_store_close(s);
}

Test(store_gc, gc_on_a_clean_store_frees_nothing)
{
	ns_store *s = nt_three_versions();
	ns_store_stats before = nt_stats(s), after;
	uint64_t chunks = 99, bytes = 99;
	NT_OK(ns_store_gc(s, &chunks, &bytes));
	after = nt_stats(s);
	cr_assert_eq(chunks, 0);
	cr_assert_eq(bytes, 0);
	cr_assert_eq(after.chunks, before.chunks);
	cr_assert_eq(after.versions, before.versions);
	ns_store_close(s);
}

Test(store_gc, gc_on_an_empty_store_frees_nothing)
{
	ns_store *s = nt_store_new("s.nsnap", 4096, NS_CODEC_RAW);
	uint64_t chunks = 99, bytes = 99;
	NT_OK(ns_store_gc(s, &chunks, &bytes));
	cr_assert_eq(chunks, 0);
	cr_assert_eq(bytes, 0);
	ns_store_close(s);
}

/* ------------------------------------------- gc while another process commits */

#define RACE_COMMITS 6
#define RACE_BYTES ((uint64_t)512 * CHUNK) /* 32 batches each */

/* The collector: runs ns_store_gc() until @stop reaches its end, then
 * writes how many chunks it freed in all to @fd. */
static void collector(const char *path, int stop, int fd)
{
	ns_store *s = NULL;
	uint64_t total = 0;
	char line[64];
	int len;
	if (ns_store_open(&s, path, NULL) != NS_OK || write(fd, "R", 1) != 1)
		_exit(2);
	for (;;) {
		struct pollfd p = { stop, POLLIN, 0 };
		uint64_t chunks = 0;
		if (poll(&p, 1, 0) != 0)
			break;
		if (ns_store_gc(s, &chunks, NULL) != NS_OK)
			_exit(3);
		total += chunks;
	}
	ns_store_close(s);
	len = snprintf(line, sizeof line, "%llu", (unsigned long long)total);
	_exit(write(fd, line, (size_t)len) == len ? 0 : 4);
}

struct race {
	ns_store *s;
	uint64_t number[RACE_COMMITS];
	uint64_t freed; /* chunks the collector freed */
};

/* Batched commits of "big" (seeds 100, 101, ...) while a forked collector
 * runs gc in a loop. */
static void race_gc(struct race *r)
{
	char path[4096], got[64] = "";
	int stop[2], res[2], status = 0;
	ssize_t n;
	pid_t pid;
	snprintf(path, sizeof path, "%s", nt_path("race.nsnap"));
	create_base(path);
	cr_assert_eq(pipe(stop), 0);
	cr_assert_eq(pipe(res), 0);
	pid = fork();
	cr_assert_geq(pid, 0, "fork failed");
	if (pid == 0) {
		close(stop[1]);
		close(res[0]);
		collector(path, stop[0], res[1]);
	}
	close(stop[0]);
	close(res[1]);
	cr_assert_eq(read(res[0], got, 1), 1, "the collector did not start");
	r->s = open_batched(path);
	cr_assert_not_null(r->s);
	for (int k = 0; k < RACE_COMMITS; k++) {
		ns_commit *c = NULL;
		uint64_t seed = 100 + (uint64_t)k;
		NT_OK(ns_commit_new(&c, r->s));
		NT_OK(ns_commit_add_fill(c, "big", NS_DTYPE_BYTES, RACE_BYTES, fill_noise, &seed));
		NT_OK(ns_commit_finish(&r->number[k], c, NULL));
	}
	close(stop[1]);
	n = read(res[0], got, sizeof got - 1);
	close(res[0]);
	cr_assert_eq(waitpid(pid, &status, 0), pid);
	cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0, "the collector failed (%d)",
		  status);
	cr_assert_gt(n, 0);
	got[n] = '\0';
	r->freed = strtoull(got, NULL, 10);
	cr_log_info("the collector freed %llu chunks", (unsigned long long)r->freed);
}

Test(store_gc, gc_alongside_batched_commits_loses_no_chunk, .fini = nt_tmpdir_remove)
{
	struct race r;
	race_gc(&r);
	/* Otherwise gc never ran between two batches and proved nothing. */
	cr_assert_gt(r.freed, 0, "the collector freed no in-flight chunk");
	for (int k = 0; k < RACE_COMMITS; k++) {
		uint64_t seed = 100 + (uint64_t)k, nbytes = 0;
		uint8_t *want = malloc(RACE_BYTES);
		char rev[24];
		void *got;
		cr_assert_not_null(want);
		fill_noise(&seed, 0, RACE_BYTES, want);
		snprintf(rev, sizeof rev, "%llu", (unsigned long long)r.number[k]);
		got = nt_read_array(r.s, rev, "big", &nbytes);
		cr_assert_eq(nbytes, RACE_BYTES);
		cr_assert(memcmp(got, want, nbytes) == 0, "version %s reads back changed", rev);
		free(got);
		free(want);
	}
	assert_verify_clean(r.s);
	ns_store_close(r.s);
}

Test(store_gc, a_commit_whose_batches_gc_freed_counts_its_bytes_once, .fini = nt_tmpdir_remove)
{
	struct race r;
	race_gc(&r);
	cr_assert_gt(r.freed, 0, "the collector freed no in-flight chunk");
	for (int k = 0; k < RACE_COMMITS; k++) {
		ns_version *v = NULL;
		NT_OK(ns_version_open_number(&v, r.s, r.number[k]));
		cr_assert_eq(ns_version_get_info(v)->new_bytes, RACE_BYTES,
			     "version %llu: new_bytes %llu for %llu distinct bytes",
			     (unsigned long long)r.number[k],
			     (unsigned long long)ns_version_get_info(v)->new_bytes,
			     (unsigned long long)RACE_BYTES);
		ns_version_close(v);
	}
	ns_store_close(r.s);
}
