/* SPDX-License-Identifier: MIT */
/* Deduplication: a chunk is stored once, whatever refers to it. */
#include "util.h"

#include <stdlib.h>
#include <string.h>

Test(store_dedup, committing_the_same_data_twice_adds_no_chunks)
{
	ns_store *s = nt_store_new("s.nsnap", 4096, NS_CODEC_RAW);
	ns_store_stats before, after;
	uint64_t n;
	nt_commit_f64(s, "x", 2000, 0.0, NULL);
	before = nt_stats(s);
	n = nt_commit_f64(s, "x", 2000, 0.0, NULL);
	after = nt_stats(s);
	cr_assert_eq(after.versions, 2);
	cr_assert_eq(after.chunks, before.chunks);
	cr_assert_eq(after.unique_bytes, before.unique_bytes);
	cr_assert_eq(nt_new_bytes(s, n), 0);
	ns_store_close(s);
}

Test(store_dedup, the_same_data_under_another_name_adds_no_chunks)
{
	ns_store *s = nt_store_new("s.nsnap", 4096, NS_CODEC_RAW);
	ns_store_stats before;
	nt_commit_f64(s, "x", 2000, 0.0, NULL);
	before = nt_stats(s);
	nt_commit_f64(s, "y", 2000, 0.0, NULL);
	cr_assert_eq(nt_stats(s).chunks, before.chunks);
	ns_store_close(s);
}

Test(store_dedup, changing_one_chunk_adds_exactly_one_chunk)
{
	ns_store *s = nt_store_new("s.nsnap", 4096, NS_CODEC_RAW);
	enum { M = 4 * 512 }; /* four chunks of 512 doubles */
	double *x = malloc(M * sizeof *x);
	ns_commit *c = NULL;
	ns_version *v1 = NULL, *v2 = NULL;
	ns_array_info a1, a2;
	ns_store_stats before, after;
	uint64_t n = 0;
	for (int i = 0; i < M; i++)
		x[i] = i;
	NT_OK(ns_commit_new(&c, s));
	NT_OK(ns_commit_add(c, "x", NS_DTYPE_F64, x, M));
	NT_OK(ns_commit_finish(NULL, c, NULL));
	before = nt_stats(s);
	cr_assert_eq(before.chunks, 4);
	x[2 * 512 + 17] = -1.0; /* inside chunk 2 */
	NT_OK(ns_commit_new(&c, s));
	NT_OK(ns_commit_add(c, "x", NS_DTYPE_F64, x, M));
	NT_OK(ns_commit_finish(&n, c, NULL));
	after = nt_stats(s);
	cr_assert_eq(after.chunks, before.chunks + 1);
	cr_assert_eq(after.unique_bytes, before.unique_bytes + 4096);
	cr_assert_gt(nt_new_bytes(s, n), 0);

	NT_OK(ns_version_open_number(&v1, s, 1));
	NT_OK(ns_version_open_number(&v2, s, 2));
	NT_OK(ns_version_array_at(&a1, v1, 0));
	NT_OK(ns_version_array_at(&a2, v2, 0));
	for (int k = 0; k < 4; k++) {
		int same = memcmp(a1.hashes + 16 * k, a2.hashes + 16 * k, 16) == 0;
		cr_assert_eq(same, k != 2, "chunk %d: hashes %s", k,
			     same ? "equal" : "differ");
	}
	ns_version_close(v1);
	ns_version_close(v2);
	free(x);
	ns_store_close(s);
}

Test(store_dedup, equal_chunks_within_an_array_are_stored_once)
{
	ns_store *s = nt_store_new("s.nsnap", 4096, NS_CODEC_RAW);
	static uint8_t zeros[4 * 4096];
	ns_commit *c = NULL;
	uint64_t n = 0;
	uint8_t *back;
	NT_OK(ns_commit_new(&c, s));
	NT_OK(ns_commit_add(c, "z", NS_DTYPE_U8, zeros, sizeof zeros));
	NT_OK(ns_commit_finish(NULL, c, NULL));
	cr_assert_eq(nt_stats(s).chunks, 1);
	cr_assert_eq(nt_stats(s).logical_bytes, sizeof zeros);
	back = nt_read_array(s, "HEAD", "z", &n);
	cr_assert_eq(n, sizeof zeros);
	cr_assert(memcmp(back, zeros, sizeof zeros) == 0);
	free(back);
	ns_store_close(s);
}

Test(store_dedup, a_chunk_stored_raw_is_reused_by_a_zstd_commit)
{
	ns_store *s = nt_store_new("s.nsnap", 4096, NS_CODEC_RAW);
	ns_commit *c = NULL;
	ns_commit_opts o = NS_COMMIT_OPTS_INIT;
	double x[1024];
	uint64_t n = 0;
	for (int i = 0; i < 1024; i++)
		x[i] = i;
	nt_commit_f64(s, "x", 1024, 0.0, NULL);
	o.codec = NS_CODEC_ZSTD;
	NT_OK(ns_commit_new(&c, s));
	NT_OK(ns_commit_add(c, "x", NS_DTYPE_F64, x, 1024));
	NT_OK(ns_commit_finish(&n, c, &o));
	cr_assert_eq(nt_stats(s).chunks, 2);
	cr_assert_eq(nt_new_bytes(s, n), 0);
	ns_store_close(s);
}

/* zstd on several cores: a transaction's new chunks are compressed side by
 * side, in a queue, then stored in order. The same commit on one core and
 * on four stores the same: each chunk once (the zeros repeat, also within
 * one queue), the same sizes, the same bytes back. */
enum { QN = 20 * 512 }; /* 20 chunks of 512 doubles: zeros, then a ramp */

static int ramp_fill(void *ctx, uint64_t first, uint64_t n, void *buf)
{
	double *out = buf;
	(void)ctx;
	for (uint64_t i = 0; i < n; i++)
		out[i] = first + i < QN / 2 ? 0.0 : (double)(first + i) / 3;
	return NS_OK;
}

static ns_store_stats commit_queued(const char *name, const char *threads, uint64_t *new_bytes,
				    double **back)
{
	ns_store *s = nt_store_new(name, 4096, NS_CODEC_ZSTD);
	static double x[QN];
	ns_store_stats st;
	ns_commit *c = NULL;
	uint64_t n = 0, v = 0;
	for (int i = 0; i < QN; i++)
		x[i] = i % 512 < 256 ? 0.0 : i * 0.25;
	cr_assert_eq(setenv("NSNAP_THREADS", threads, 1), 0);
	NT_OK(ns_commit_new(&c, s));
	NT_OK(ns_commit_add(c, "mem", NS_DTYPE_F64, x, QN));
	NT_OK(ns_commit_add_fill(c, "fill", NS_DTYPE_F64, QN, ramp_fill, NULL));
	NT_OK(ns_commit_finish(&v, c, NULL));
	unsetenv("NSNAP_THREADS");
	st = nt_stats(s);
	*new_bytes = nt_new_bytes(s, v);
	*back = nt_read_array(s, "HEAD", "fill", &n);
	cr_assert_eq(n, QN * sizeof(double));
	NT_OK(ns_store_verify(s, NULL, NULL, NULL));
	ns_store_close(s);
	return st;
}

Test(store_dedup, chunks_compressed_on_several_cores_are_stored_as_on_one)
{
	uint64_t new1, new4;
	double *back1, *back4, want[512];
	ns_store_stats one = commit_queued("one.nsnap", "1", &new1, &back1);
	ns_store_stats four = commit_queued("four.nsnap", "4", &new4, &back4);
	cr_assert_eq(four.chunks, one.chunks);
	cr_assert_eq(four.unique_bytes, one.unique_bytes);
	cr_assert_eq(four.stored_bytes, one.stored_bytes);
	cr_assert_lt(four.stored_bytes, four.unique_bytes, "zstd compressed nothing");
	cr_assert_eq(new4, new1);
	cr_assert(memcmp(back1, back4, QN * sizeof(double)) == 0);
	for (int k = 0; k < QN / 512; k++) {
		ramp_fill(NULL, (uint64_t)k * 512, 512, want);
		cr_assert(memcmp(back4 + k * 512, want, sizeof want) == 0, "chunk %d differs", k);
	}
	free(back1);
	free(back4);
}
