/* SPDX-License-Identifier: MIT */
/* Keyed arrays (ns_commit_add_fill_keyed()): produced once per chunk, and
 * not at all when the store handle committed the same content before and
 * still has its chunks. */
#include "util.h"

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
