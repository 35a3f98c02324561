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
