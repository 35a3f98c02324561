/* SPDX-License-Identifier: MIT */
/* Keyed arrays (ns_commit_add_fill_keyed()): produced once per chunk, and
 * not at all when the store handle committed the same content before and
 * still has its chunks. */
#define _GNU_SOURCE
#include "util.h"

#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { CHUNK = 4096, N = 10 * CHUNK / 8 };

struct counted {
	const double *data;
	int calls;
};

static int fill_counted(void *ctx, uint64_t first, uint64_t n, void *buf)
{
	struct counted *f = ctx;
	f->calls++;
	memcpy(buf, f->data + first, n * sizeof *f->data);
	return NS_OK;
}

static uint64_t commit_keyed(ns_store *s, struct counted *f, const uint8_t *key)
{
	ns_commit *c = NULL;
	uint64_t v = 0;
	NT_OK(ns_commit_new(&c, s));
	NT_OK(ns_commit_add_fill_keyed(c, "x", NS_DTYPE_F64, N, fill_counted, f, key));
	NT_OK(ns_commit_finish(&v, c, NULL));
	return v;
}

static double *values(double base)
{
	double *d = malloc(N * sizeof *d);
	for (size_t i = 0; i < N; i++)
		d[i] = base + (double)i * 1.25;
	return d;
}

static void assert_holds(ns_store *s, uint64_t v, const double *expected)
{
	char rev[32];
	uint64_t nbytes = 0;
	double *got;
	snprintf(rev, sizeof rev, "%llu", (unsigned long long)v);
	got = nt_read_array(s, rev, "x", &nbytes);
	cr_assert_eq(nbytes, N * sizeof *expected);
	cr_assert(memcmp(got, expected, nbytes) == 0, "version %s does not hold its values", rev);
	free(got);
}

Test(store_memo, a_new_array_is_produced_once_per_chunk, .fini = nt_tmpdir_remove)
{
	ns_store *s = nt_store_new("s.nsnap", CHUNK, NS_CODEC_RAW);
	double *d = values(1);
	struct counted f = { d, 0 };
	ns_commit *c = NULL;
	NT_OK(ns_commit_new(&c, s));
	NT_OK(ns_commit_add_fill(c, "x", NS_DTYPE_F64, N, fill_counted, &f));
	NT_OK(ns_commit_finish(NULL, c, NULL));
	cr_assert_eq(f.calls, 10, "fill ran %d times for 10 chunks", f.calls);
	free(d);
	ns_store_close(s);
}

Test(store_memo, the_same_key_skips_producing_the_chunks_the_store_has, .fini = nt_tmpdir_remove)
{
	ns_store *s = nt_store_new("s.nsnap", CHUNK, NS_CODEC_RAW);
	double *d = values(1);
	struct counted f = { d, 0 };
	uint8_t key[NS_CONTENT_KEY_SIZE] = { 1 };
	uint64_t v1 = commit_keyed(s, &f, key), v2;
	cr_assert_eq(f.calls, 10);
	f.calls = 0;
	v2 = commit_keyed(s, &f, key);
	cr_assert_eq(f.calls, 0, "fill ran %d times for known content", f.calls);
	assert_holds(s, v1, d);
	assert_holds(s, v2, d);
	free(d);
	ns_store_close(s);
}

Test(store_memo, another_key_produces_the_content_again, .fini = nt_tmpdir_remove)
{
	ns_store *s = nt_store_new("s.nsnap", CHUNK, NS_CODEC_RAW);
	double *d = values(1), *e = values(2);
	struct counted f = { d, 0 };
	uint8_t key[NS_CONTENT_KEY_SIZE] = { 1 };
	commit_keyed(s, &f, key);
	f.data = e;
	f.calls = 0;
	key[0] = 2;
	assert_holds(s, commit_keyed(s, &f, key), e);
	cr_assert_eq(f.calls, 10);
	free(d);
	free(e);
	ns_store_close(s);
}

Test(store_memo, chunks_a_gc_freed_are_produced_and_stored_again, .fini = nt_tmpdir_remove)
{
	ns_store *s = nt_store_new("s.nsnap", CHUNK, NS_CODEC_RAW);
	double *d = values(1);
	struct counted f = { d, 0 };
	uint8_t key[NS_CONTENT_KEY_SIZE] = { 7 };
	uint64_t v1 = commit_keyed(s, &f, key);
	NT_OK(ns_version_delete(s, v1));
	NT_OK(ns_store_gc(s, NULL, NULL));
	cr_assert_eq(nt_stats(s).chunks, 0);
	f.calls = 0;
	assert_holds(s, commit_keyed(s, &f, key), d);
	cr_assert_eq(f.calls, 10, "fill ran %d times for 10 freed chunks", f.calls);
	NT_OK(ns_store_verify(s, NULL, NULL, NULL));
	free(d);
	ns_store_close(s);
}

Test(store_memo, a_version_holds_a_key_only_for_the_content_committed_with_it,
     .fini = nt_tmpdir_remove)
{
	ns_store *s = nt_store_new("s.nsnap", CHUNK, NS_CODEC_RAW);
	double *d = values(1), *e = values(2);
	struct counted f = { d, 0 };
	uint8_t k1[NS_CONTENT_KEY_SIZE] = { 1 }, k2[NS_CONTENT_KEY_SIZE] = { 2 };
	ns_version *a = NULL, *b = NULL;
	commit_keyed(s, &f, k1);
	f.data = e;
	commit_keyed(s, &f, k2);
	NT_OK(ns_version_open(&a, s, "1"));
	NT_OK(ns_version_open(&b, s, "2"));
	/* The handle remembers the latest key of "x": k2, with version 2's chunks. */
	cr_assert_eq(ns_version_array_has_key(b, 0, k2), 1);
	cr_assert_eq(ns_version_array_has_key(a, 0, k2), 0, "version 1 holds other values");
	cr_assert_eq(ns_version_array_has_key(b, 0, k1), 0);
	cr_assert_eq(ns_version_array_has_key(b, 5, k2), 0, "no array 5");
	cr_assert_eq(ns_version_array_has_key(b, 0, NULL), 0);
	ns_version_close(a);
	ns_version_close(b);
	free(d);
	free(e);
	ns_store_close(s);
}

Test(store_memo, a_null_key_is_refused, .fini = nt_tmpdir_remove)
{
	ns_store *s = nt_store_new("s.nsnap", CHUNK, NS_CODEC_RAW);
	struct counted f = { NULL, 0 };
	ns_commit *c = NULL;
	NT_OK(ns_commit_new(&c, s));
	NT_FAILS(NS_EINVAL, ns_commit_add_fill_keyed(c, "x", NS_DTYPE_F64, N, fill_counted, &f,
						    NULL));
	ns_commit_free(c);
	ns_store_close(s);
}

/* On more than one core, a thread of the commit's own fills and hashes
 * keyed arrays ahead, into a ring of chunks (8 of them here, where 40 pass
 * through it) that this thread stores; a fill's failure there is taken
 * again by this one, for its message. */
enum { MANY = 40 * CHUNK / 8 };

struct failing {
	const double *data;
	int fail_chunk; /* the chunk (from 1) whose fills fail, 0 for none */
	_Atomic int calls;
	pthread_t caller;
	_Atomic int elsewhere; /* calls on another thread than the caller's */
};

static int fill_failing(void *ctx, uint64_t first, uint64_t n, void *buf)
{
	struct failing *f = ctx;
	f->calls++;
	if (!pthread_equal(pthread_self(), f->caller))
		f->elsewhere++;
	if (first / (CHUNK / 8) + 1 == (uint64_t)f->fail_chunk)
		return NS_EIO;
	memcpy(buf, f->data + first, n * sizeof *f->data);
	return NS_OK;
}

static double *many_values(void)
{
	double *d = malloc(MANY * sizeof *d);
	for (size_t i = 0; i < MANY; i++)
		d[i] = (double)(i * 2654435761u % 1000003u) / 7.0;
	return d;
}

static int commit_failing(ns_store *s, struct failing *f)
{
	uint8_t key[NS_CONTENT_KEY_SIZE] = { 9 };
	ns_commit *c = NULL;
	NT_OK(ns_commit_new(&c, s));
	NT_OK(ns_commit_add_fill_keyed(c, "E/w", NS_DTYPE_F64, MANY, fill_failing, f, key));
	return ns_commit_finish(NULL, c, NULL);
}

static void keyed_chunks_read_back(ns_codec codec)
{
	ns_store_opts o = NS_STORE_OPTS_INIT;
	ns_store *s = NULL;
	double *d = many_values(), *got;
	struct failing f = { d, 0, 0, pthread_self(), 0 };
	uint64_t nbytes = 0;
	o.flags = NS_STORE_CREATE;
	o.chunk_size = CHUNK;
	o.codec = codec;
	o.write_batch = 3 * CHUNK; /* 14 transactions */
	NT_OK(ns_store_open(&s, nt_path("s.nsnap"), &o));
	NT_OK(commit_failing(s, &f));
	cr_assert_eq(f.calls, 40, "fill ran %d times for 40 chunks", (int)f.calls);
	got = nt_read_array(s, "HEAD", "E/w", &nbytes);
	cr_assert_eq(nbytes, MANY * sizeof *d);
	cr_assert(memcmp(got, d, nbytes) == 0, "the chunks filled ahead read back changed");
	cr_assert_eq(nt_stats(s).chunks, 40);
	NT_OK(ns_store_verify(s, NULL, NULL, NULL));
	free(got);
	free(d);
	ns_store_close(s);
}

Test(store_memo, keyed_chunks_filled_ahead_read_back_equal, .fini = nt_tmpdir_remove)
{
	keyed_chunks_read_back(NS_CODEC_RAW);
}

Test(store_memo, keyed_chunks_filled_ahead_read_back_equal_through_zstd, .fini = nt_tmpdir_remove)
{
	keyed_chunks_read_back(NS_CODEC_ZSTD);
}

Test(store_memo, a_keyed_fill_failing_at_any_chunk_fails_the_commit_naming_the_array,
     .fini = nt_tmpdir_remove)
{
	ns_store *s = nt_three_versions();
	ns_store_stats before = nt_stats(s), after;
	double *d = many_values();
	for (int k = 1; k <= 40; k += 3) { /* chunk k fails, wherever it is filled */
		struct failing f = { d, k, 0, pthread_self(), 0 };
		NT_FAILS(NS_EIO, commit_failing(s, &f));
		NT_MESSAGE_HAS("array 'E/w'");
		after = nt_stats(s);
		cr_assert_eq(after.versions, before.versions, "chunk %d", k);
		cr_assert_eq(after.chunks, before.chunks, "chunk %d", k);
		cr_assert_eq(after.orphan_chunks, 0, "chunk %d", k);
	}
	free(d);
	ns_store_close(s);
}

Test(store_memo, keyed_fills_run_ahead_on_a_thread_of_the_commits_own, .fini = nt_tmpdir_remove)
{
	ns_store *s;
	double *d;
	cpu_set_t cpus;
	struct failing f;
	if (getenv("NSNAP_THREADS") || sched_getaffinity(0, sizeof cpus, &cpus) != 0 ||
	    CPU_COUNT(&cpus) < 2)
		cr_skip_test("fills run ahead on more than one core only");
	s = nt_store_new("s.nsnap", CHUNK, NS_CODEC_RAW);
	d = many_values();
	f = (struct failing){ d, 0, 0, pthread_self(), 0 };
	NT_OK(commit_failing(s, &f));
	cr_assert_eq(f.elsewhere, 40, "%d of 40 fills ran ahead", (int)f.elsewhere);
	free(d);
	ns_store_close(s);
}
