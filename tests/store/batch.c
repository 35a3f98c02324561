/* SPDX-License-Identifier: MIT */
/* Batched commits: a commit larger than the store's write batch stores its
 * chunks in several transactions, then adds the version. */
#include "util.h"

#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* store/internal.h: the static library's test hook. */
extern void (*ns__commit_batch_hook)(void);

#define KB ((size_t)1 << 10)
#define MB ((size_t)1 << 20)
#define CHUNK 4096

static uint64_t mix(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ull;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

/* @n bytes no two chunks of which are equal. */
static uint8_t *noise(size_t n, uint64_t seed)
{
	uint8_t *b = malloc(n + 8);
	cr_assert_not_null(b);
	for (size_t i = 0; i < n; i += 8) {
		uint64_t w = mix(seed ^ mix(i));
		memcpy(b + i, &w, 8);
	}
	return b;
}

/* A new store of 4 KiB chunks whose commits go in batches of @batch bytes. */
static ns_store *batched_store(const char *name, uint64_t batch, ns_codec codec,
			       uint64_t map_size)
{
	ns_store_opts o = NS_STORE_OPTS_INIT;
	ns_store *s = NULL;
	o.flags = NS_STORE_CREATE;
	o.chunk_size = CHUNK;
	o.codec = codec;
	o.write_batch = batch;
	o.map_size = map_size;
	NT_OK(ns_store_open(&s, nt_path(name), &o));
	return s;
}

/* The existing store @path, with commits in batches of 64 KiB. */
static ns_store *batched_store_open(const char *path)
{
	ns_store_opts o = NS_STORE_OPTS_INIT;
	ns_store *s = NULL;
	o.write_batch = 64 * KB;
	NT_OK(ns_store_open(&s, path, &o));
	return s;
}

static int commit_bytes(uint64_t *number, ns_store *s, const char *name, const uint8_t *data,
			size_t n, const ns_commit_opts *o)
{
	ns_commit *c = NULL;
	NT_OK(ns_commit_new(&c, s));
	NT_OK(ns_commit_add(c, name, NS_DTYPE_BYTES, data, n));
	return ns_commit_finish(number, c, o);
}

static void assert_reads_back(ns_store *s, const char *rev, const char *name,
			      const void *want, size_t n)
{
	uint64_t nbytes = 0;
	void *got = nt_read_array(s, rev, name, &nbytes);
	cr_assert_eq(nbytes, n, "%s of %s has %llu bytes, not %zu", name, rev,
		     (unsigned long long)nbytes, n);
	cr_assert(memcmp(got, want, n) == 0, "%s of %s reads back changed", name, rev);
	free(got);
}

static void assert_verify_clean(ns_store *s)
{
	uint64_t problems = 99;
	NT_OK(ns_store_verify(s, NULL, NULL, &problems));
	cr_assert_eq(problems, 0);
}

/* 3 MiB and a short last chunk: about 48 batches of 64 KiB. */
#define BIG (3 * MB + 1000)

Test(store_batch, a_batched_commit_reads_back_equal)
{
	ns_store *s = batched_store("s.nsnap", 64 * KB, NS_CODEC_RAW, 0);
	uint8_t *data = noise(BIG, 1);
	NT_OK(commit_bytes(NULL, s, "x", data, BIG, NULL));
	assert_reads_back(s, "HEAD", "x", data, BIG);
	free(data);
	ns_store_close(s);
}

Test(store_batch, a_batched_commit_verifies_clean)
{
	ns_store *s = batched_store("s.nsnap", 64 * KB, NS_CODEC_RAW, 0);
	uint8_t *data = noise(BIG, 2);
	NT_OK(commit_bytes(NULL, s, "x", data, BIG, NULL));
	assert_verify_clean(s);
	free(data);
	ns_store_close(s);
}

Test(store_batch, a_batched_commit_leaves_no_orphans)
{
	ns_store *s = batched_store("s.nsnap", 64 * KB, NS_CODEC_RAW, 0);
	uint8_t *data = noise(BIG, 3);
	NT_OK(commit_bytes(NULL, s, "x", data, BIG, NULL));
	cr_assert_eq(nt_stats(s).orphan_chunks, 0);
	free(data);
	ns_store_close(s);
}

Test(store_batch, a_batched_commit_counts_every_chunk_and_byte)
{
	ns_store *s = batched_store("s.nsnap", 64 * KB, NS_CODEC_RAW, 0);
	uint8_t *data = noise(BIG, 4);
	uint64_t n = 0;
	ns_store_stats st;
	NT_OK(commit_bytes(&n, s, "x", data, BIG, NULL));
	st = nt_stats(s);
	cr_assert_eq(st.chunks, (BIG + CHUNK - 1) / CHUNK);
	cr_assert_eq(st.unique_bytes, BIG);
	cr_assert_eq(st.logical_bytes, BIG);
	cr_assert_eq(nt_new_bytes(s, n), BIG, "new_bytes %llu",
		     (unsigned long long)nt_new_bytes(s, n));
	free(data);
	ns_store_close(s);
}

Test(store_batch, a_batched_commit_of_stored_data_adds_nothing)
{
	ns_store *s = batched_store("s.nsnap", 64 * KB, NS_CODEC_RAW, 0);
	uint8_t *data = noise(BIG, 5);
	ns_store_stats before;
	uint64_t n = 0;
	NT_OK(commit_bytes(NULL, s, "x", data, BIG, NULL));
	before = nt_stats(s);
	NT_OK(commit_bytes(&n, s, "y", data, BIG, NULL));
	cr_assert_eq(nt_stats(s).chunks, before.chunks);
	cr_assert_eq(nt_new_bytes(s, n), 0);
	assert_verify_clean(s);
	free(data);
	ns_store_close(s);
}

Test(store_batch, changing_a_few_chunks_of_a_batched_commit_adds_only_those)
{
	ns_store *s = batched_store("s.nsnap", 64 * KB, NS_CODEC_RAW, 0);
	uint8_t *data = noise(BIG, 6);
	ns_store_stats before;
	uint64_t n = 0;
	NT_OK(commit_bytes(NULL, s, "x", data, BIG, NULL));
	before = nt_stats(s);
	data[5] ^= 1;              /* chunk 0 */
	data[100 * CHUNK + 7] ^= 1; /* chunk 100 */
	data[BIG - 1] ^= 1;        /* the short last chunk */
	NT_OK(commit_bytes(&n, s, "x", data, BIG, NULL));
	cr_assert_eq(nt_stats(s).chunks, before.chunks + 3);
	cr_assert_eq(nt_new_bytes(s, n), 2 * CHUNK + BIG % CHUNK);
	assert_reads_back(s, "HEAD", "x", data, BIG);
	free(data);
	ns_store_close(s);
}

Test(store_batch, a_write_batch_smaller_than_a_chunk_still_commits)
{
	ns_store *s = batched_store("s.nsnap", 1, NS_CODEC_RAW, 0);
	size_t n = 64 * CHUNK + 5;
	uint8_t *data = noise(n, 7);
	NT_OK(commit_bytes(NULL, s, "x", data, n, NULL));
	assert_reads_back(s, "HEAD", "x", data, n);
	cr_assert_eq(nt_stats(s).orphan_chunks, 0);
	free(data);
	ns_store_close(s);
}

Test(store_batch, a_batched_zstd_commit_reads_back_equal)
{
	ns_store *s = batched_store("s.nsnap", 64 * KB, NS_CODEC_ZSTD, 0);
	size_t count = BIG / 8;
	double *x = malloc(count * sizeof *x);
	ns_commit *c = NULL;
	uint64_t nbytes = 0;
	void *got;
	/* Compresses; chunks repeat only every 125, so ~125 distinct ones
	 * (500 KB) still take several batches. */
	for (size_t i = 0; i < count; i++)
		x[i] = (double)(i % 1000) * 0.25;
	NT_OK(ns_commit_new(&c, s));
	NT_OK(ns_commit_add(c, "x", NS_DTYPE_F64, x, count));
	NT_OK(ns_commit_finish(NULL, c, NULL));
	cr_assert_lt(nt_stats(s).stored_bytes, nt_stats(s).unique_bytes, "nothing compressed");
	got = nt_read_array(s, "HEAD", "x", &nbytes);
	cr_assert_eq(nbytes, count * sizeof *x);
	cr_assert(memcmp(got, x, nbytes) == 0, "x reads back changed");
	assert_verify_clean(s);
	free(got);
	free(x);
	ns_store_close(s);
}

/* A fill producing the bytes of noise(n, seed), failing at call fail_at. */
struct noise_fill {
	const uint8_t *data;
	int calls, fail_at;
};

static int fill_noise(void *ctx, uint64_t first, uint64_t n, void *buf)
{
	struct noise_fill *f = ctx;
	if (++f->calls == f->fail_at)
		return NS_EIO;
	memcpy(buf, f->data + first, n);
	return NS_OK;
}

Test(store_batch, a_batched_commit_of_several_kinds_of_arrays_reads_back_equal)
{
	ns_store *s = batched_store("s.nsnap", 64 * KB, NS_CODEC_RAW, 0);
	size_t na = 300 * KB + 13, nb = 1 * MB + 4096, nc = 700 * KB + 1;
	uint8_t *a = noise(na, 10), *b = noise(nb, 11), *c3 = noise(nc, 12);
	struct noise_fill f = { b, 0, 0 };
	ns_version *from = NULL;
	ns_commit *c = NULL;
	NT_OK(commit_bytes(NULL, s, "c", c3, nc, NULL));
	NT_OK(ns_version_open_number(&from, s, 1));
	NT_OK(ns_commit_new(&c, s));
	NT_OK(ns_commit_add(c, "a", NS_DTYPE_BYTES, a, na));
	NT_OK(ns_commit_add_from(c, "c", from, 0));
	NT_OK(ns_commit_add_fill(c, "b", NS_DTYPE_BYTES, nb, fill_noise, &f));
	NT_OK(ns_commit_add(c, "a2", NS_DTYPE_BYTES, a, na)); /* all chunks known */
	NT_OK(ns_commit_finish(NULL, c, NULL));
	ns_version_close(from);
	assert_reads_back(s, "2", "a", a, na);
	assert_reads_back(s, "2", "b", b, nb);
	assert_reads_back(s, "2", "c", c3, nc);
	assert_reads_back(s, "2", "a2", a, na);
	assert_verify_clean(s);
	cr_assert_eq(nt_stats(s).orphan_chunks, 0);
	free(a);
	free(b);
	free(c3);
	ns_store_close(s);
}

/* Calls a successful batched commit of fill_noise() makes. */
static int calls_of_a_batched_fill(const uint8_t *data, size_t n)
{
	ns_store *s = batched_store("probe.nsnap", 64 * KB, NS_CODEC_RAW, 0);
	struct noise_fill f = { data, 0, 0 };
	ns_commit *c = NULL;
	NT_OK(ns_commit_new(&c, s));
	NT_OK(ns_commit_add_fill(c, "x", NS_DTYPE_BYTES, n, fill_noise, &f));
	NT_OK(ns_commit_finish(NULL, c, NULL));
	ns_store_close(s);
	return f.calls;
}

Test(store_batch, a_fill_failing_between_batches_leaves_no_orphans_and_no_version)
{
	size_t n = 1 * MB; /* 256 chunks, 16 batches */
	uint8_t *data = noise(n, 20);
	int total = calls_of_a_batched_fill(data, n);
	ns_store *s = batched_store("s.nsnap", 64 * KB, NS_CODEC_RAW, 0);
	ns_store_stats before;
	uint8_t *other = noise(100 * KB, 21);
	NT_OK(commit_bytes(NULL, s, "other", other, 100 * KB, NULL));
	before = nt_stats(s);
	/* Calls past the first 256 are those of the batches, if chunks are
	 * hashed first; step through them all either way. */
	for (int k = 1; k <= total; k += 7) {
		struct noise_fill f = { data, 0, k };
		ns_commit *c = NULL;
		ns_store_stats after;
		NT_OK(ns_commit_new(&c, s));
		NT_OK(ns_commit_add_fill(c, "x", NS_DTYPE_BYTES, n, fill_noise, &f));
		NT_FAILS(NS_EIO, ns_commit_finish(NULL, c, NULL));
		after = nt_stats(s);
		cr_assert_eq(after.orphan_chunks, 0, "failing at call %d of %d", k, total);
		cr_assert_eq(after.chunks, before.chunks, "failing at call %d of %d", k, total);
		cr_assert_eq(after.unique_bytes, before.unique_bytes, "call %d", k);
		cr_assert_eq(after.versions, before.versions, "failing at call %d of %d", k, total);
	}
	assert_verify_clean(s);
	free(data);
	free(other);
	ns_store_close(s);
}

Test(store_batch, a_failed_batched_commit_keeps_the_chunks_of_other_versions)
{
	size_t n = 1 * MB;
	uint8_t *data = noise(n, 22);
	ns_store *s = batched_store("s.nsnap", 64 * KB, NS_CODEC_RAW, 0);
	struct noise_fill f = { data, 0, 0 };
	ns_commit *c = NULL;
	uint64_t probe = 0;
	/* Version 1 holds the first half of the data: the failed commit
	 * meets those chunks and must leave them be. */
	NT_OK(commit_bytes(NULL, s, "half", data, n / 2, NULL));
	/* Count the calls of a successful commit, then undo it. */
	NT_OK(ns_commit_new(&c, s));
	NT_OK(ns_commit_add_fill(c, "x", NS_DTYPE_BYTES, n, fill_noise, &f));
	NT_OK(ns_commit_finish(&probe, c, NULL));
	NT_OK(ns_version_delete(s, probe));
	f.fail_at = f.calls - 3; /* in the last batches */
	f.calls = 0;
	NT_OK(ns_commit_new(&c, s));
	NT_OK(ns_commit_add_fill(c, "x", NS_DTYPE_BYTES, n, fill_noise, &f));
	NT_FAILS(NS_EIO, ns_commit_finish(NULL, c, NULL));
	cr_assert_eq(nt_stats(s).chunks, n / 2 / CHUNK);
	assert_reads_back(s, "1", "half", data, n / 2);
	assert_verify_clean(s);
	free(data);
	ns_store_close(s);
}

Test(store_batch, a_batched_commit_to_a_taken_tag_fails_without_orphans)
{
	ns_store *s = batched_store("s.nsnap", 64 * KB, NS_CODEC_RAW, 0);
	uint8_t *data = noise(BIG, 30), *small = noise(100, 31);
	ns_commit_opts o = NS_COMMIT_OPTS_INIT;
	ns_store_stats before;
	NT_OK(commit_bytes(NULL, s, "small", small, 100, NULL));
	NT_OK(ns_tag_create(s, "t", "1"));
	before = nt_stats(s);
	o.tag = "t";
	NT_FAILS(NS_EEXISTS, commit_bytes(NULL, s, "x", data, BIG, &o));
	cr_assert_eq(nt_stats(s).versions, before.versions);
	cr_assert_eq(nt_stats(s).chunks, before.chunks);
	cr_assert_eq(nt_stats(s).orphan_chunks, 0);
	cr_assert_eq(nt_resolve(s, "t"), 1);
	free(data);
	free(small);
	ns_store_close(s);
}

Test(store_batch, a_batched_commit_grows_a_small_map, .fini = nt_tmpdir_remove)
{
	ns_store *s = batched_store("s.nsnap", 256 * KB, NS_CODEC_RAW, MB);
	size_t n = 24 * MB;
	uint8_t *data = noise(n, 40);
	NT_OK(commit_bytes(NULL, s, "x", data, n, NULL));
	assert_reads_back(s, "HEAD", "x", data, n);
	cr_assert_eq(nt_stats(s).orphan_chunks, 0);
	free(data);
	ns_store_close(s);
}

Test(store_batch, a_batched_commit_that_fills_the_map_frees_its_batches)
{
	/* An open version keeps the small map from growing: the commit fails
	 * with NS_EFULL after storing some batches, and must free them. */
	ns_store *s = batched_store("s.nsnap", 64 * KB, NS_CODEC_RAW, 0);
	uint8_t *small = noise(100, 60), *data = noise(8 * MB, 61);
	ns_store_opts o = NS_STORE_OPTS_INIT;
	ns_version *v = NULL;
	ns_store_stats before;
	char path[4096];
	int rc;
	NT_OK(commit_bytes(NULL, s, "small", small, 100, NULL));
	snprintf(path, sizeof path, "%s", ns_store_path(s));
	ns_store_close(s);
	s = NULL;
	o.map_size = MB; /* honoured down to the size in use */
	o.write_batch = 64 * KB;
	NT_OK(ns_store_open(&s, path, &o));
	before = nt_stats(s);
	NT_OK(ns_version_open(&v, s, "HEAD"));
	rc = commit_bytes(NULL, s, "x", data, 8 * MB, NULL);
	ns_version_close(v);
	cr_assert_eq(rc, NS_EFULL, "the commit returned %d: %s", rc, ns_error_last()->message);
	cr_assert_eq(nt_stats(s).versions, before.versions);
	cr_assert_eq(nt_stats(s).orphan_chunks, 0, "%llu orphans after a failed commit",
		     (unsigned long long)nt_stats(s).orphan_chunks);
	cr_assert_eq(nt_stats(s).chunks, before.chunks);
	free(small);
	free(data);
	ns_store_close(s);
}

/* Another process: creates tag "t" at version 1 when told on @go, then
 * answers 'T' (or 'E') on @done. */
static void tagger(const char *path, int go, int done)
{
	ns_store *s = NULL;
	char c;
	if (ns_store_open(&s, path, NULL) != NS_OK || read(go, &c, 1) != 1)
		_exit(2);
	c = ns_tag_create(s, "t", "1") == NS_OK ? 'T' : 'E';
	ns_store_close(s);
	_exit(write(done, &c, 1) == 1 ? 0 : 3);
}

/* After the first batch (no transaction open), has the tagger tag and
 * waits for its answer. */
static struct tagging {
	int go, done;
	char answer;
} tagging;

static void tag_between_batches(void)
{
	struct pollfd p = { tagging.done, POLLIN, 0 };
	char c = 'G';
	if (tagging.answer)
		return;
	tagging.answer = '?';
	if (write(tagging.go, &c, 1) == 1 && poll(&p, 1, 5000) == 1 &&
	    read(tagging.done, &c, 1) == 1)
		tagging.answer = c;
}

Test(store_batch, a_tag_taken_during_a_batched_commit_fails_it_without_orphans)
{
	ns_store *s = batched_store("s.nsnap", 64 * KB, NS_CODEC_RAW, 0);
	uint8_t *small = noise(100, 70), *data = noise(MB, 71);
	ns_commit_opts o = NS_COMMIT_OPTS_INIT;
	ns_commit *c = NULL;
	ns_store_stats before;
	char path[4096];
	int go[2], done[2], status = 0;
	pid_t pid;
	NT_OK(commit_bytes(NULL, s, "small", small, 100, NULL));
	before = nt_stats(s);
	snprintf(path, sizeof path, "%s", ns_store_path(s));
	ns_store_close(s); /* never open across fork */
	s = NULL;
	cr_assert_eq(pipe(go), 0);
	cr_assert_eq(pipe(done), 0);
	pid = fork();
	cr_assert_geq(pid, 0, "fork failed");
	if (pid == 0)
		tagger(path, go[0], done[1]);
	tagging.go = go[1];
	tagging.done = done[0];
	ns__commit_batch_hook = tag_between_batches;
	s = batched_store_open(path);
	o.tag = "t";
	NT_OK(ns_commit_new(&c, s));
	NT_OK(ns_commit_add(c, "x", NS_DTYPE_BYTES, data, MB));
	NT_FAILS(NS_EEXISTS, ns_commit_finish(NULL, c, &o));
	ns__commit_batch_hook = NULL;
	cr_assert_eq(waitpid(pid, &status, 0), pid);
	cr_assert_eq(tagging.answer, 'T', "the tagger did not tag during the commit");
	cr_assert_eq(nt_stats(s).versions, before.versions);
	cr_assert_eq(nt_stats(s).orphan_chunks, 0);
	cr_assert_eq(nt_stats(s).chunks, before.chunks);
	cr_assert_eq(nt_resolve(s, "t"), 1);
	close(go[0]);
	close(go[1]);
	close(done[0]);
	close(done[1]);
	free(small);
	free(data);
	ns_store_close(s);
}
