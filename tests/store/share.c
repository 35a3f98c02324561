/* SPDX-License-Identifier: MIT */
/* Shared arrays: an array of an open version added to a new commit by its
 * chunks, without reading or writing them again. */
#include "util.h"

#include <stdlib.h>
#include <string.h>

enum { M = 3 * 512 + 300 }; /* doubles: 4 chunks at chunk size 4096 */

/* A store whose version 1 holds "x" = 0, 1, ..., M-1. */
static ns_store *store_with_x(ns_codec codec)
{
	ns_store *s = nt_store_new("s.nsnap", 4096, codec);
	cr_assert_eq(nt_commit_f64(s, "x", M, 0.0, NULL), 1);
	return s;
}

/* Commit array 0 of version @from_number under @name (NULL: its own name);
 * the new version's number. */
static uint64_t share(ns_store *s, uint64_t from_number, const char *name)
{
	ns_version *from = NULL;
	ns_commit *c = NULL;
	uint64_t n = 0;
	NT_OK(ns_version_open_number(&from, s, from_number));
	NT_OK(ns_commit_new(&c, s));
	NT_OK(ns_commit_add_from(c, name, from, 0));
	NT_OK(ns_commit_finish(&n, c, NULL));
	ns_version_close(from);
	return n;
}

static void assert_reads_x(ns_store *s, const char *rev, const char *name)
{
	double *want = malloc(M * sizeof *want), *got;
	uint64_t n = 0;
	for (int i = 0; i < M; i++)
		want[i] = i;
	got = nt_read_array(s, rev, name, &n);
	cr_assert_eq(n, M * sizeof(double), "%s of %s has %llu bytes", name, rev,
		     (unsigned long long)n);
	cr_assert(memcmp(got, want, n) == 0, "%s of %s differs", name, rev);
	free(got);
	free(want);
}

static void assert_verify_clean(ns_store *s)
{
	uint64_t problems = 99;
	NT_OK(ns_store_verify(s, NULL, NULL, &problems));
	cr_assert_eq(problems, 0);
}

Test(store_share, sharing_an_array_under_its_own_name_adds_no_chunk)
{
	ns_store *s = store_with_x(NS_CODEC_RAW);
	ns_store_stats before = nt_stats(s), after;
	uint64_t n = share(s, 1, NULL);
	after = nt_stats(s);
	cr_assert_eq(after.versions, 2);
	cr_assert_eq(after.chunks, before.chunks);
	cr_assert_eq(after.unique_bytes, before.unique_bytes);
	cr_assert_eq(after.stored_bytes, before.stored_bytes);
	cr_assert_eq(nt_new_bytes(s, n), 0);
	ns_store_close(s);
}

Test(store_share, sharing_an_array_under_a_new_name_adds_no_chunk)
{
	ns_store *s = store_with_x(NS_CODEC_RAW);
	ns_store_stats before = nt_stats(s);
	uint64_t n = share(s, 1, "y");
	cr_assert_eq(nt_stats(s).chunks, before.chunks);
	cr_assert_eq(nt_stats(s).unique_bytes, before.unique_bytes);
	cr_assert_eq(nt_new_bytes(s, n), 0);
	ns_store_close(s);
}

Test(store_share, a_shared_compressed_array_adds_no_chunk)
{
	ns_store *s = store_with_x(NS_CODEC_ZSTD);
	ns_store_stats before = nt_stats(s);
	uint64_t n = share(s, 1, "y");
	cr_assert_eq(nt_stats(s).chunks, before.chunks);
	cr_assert_eq(nt_stats(s).stored_bytes, before.stored_bytes);
	cr_assert_eq(nt_new_bytes(s, n), 0);
	assert_reads_x(s, "2", "y");
	ns_store_close(s);
}

Test(store_share, a_shared_array_reads_back_equal)
{
	ns_store *s = store_with_x(NS_CODEC_RAW);
	share(s, 1, "y");
	assert_reads_x(s, "2", "y");
	ns_store_close(s);
}

Test(store_share, a_shared_array_keeps_type_count_and_hashes)
{
	ns_store *s = store_with_x(NS_CODEC_RAW);
	ns_version *v1 = NULL, *v2 = NULL;
	ns_array_info a1, a2;
	share(s, 1, "y");
	NT_OK(ns_version_open_number(&v1, s, 1));
	NT_OK(ns_version_open_number(&v2, s, 2));
	NT_OK(ns_version_array_at(&a1, v1, 0));
	NT_OK(ns_version_array_at(&a2, v2, 0));
	cr_assert_str_eq(a2.name, "y");
	cr_assert_eq(a2.dtype, a1.dtype);
	cr_assert_eq(a2.count, a1.count);
	cr_assert_eq(a2.n_chunks, a1.n_chunks);
	cr_assert(memcmp(a1.hashes, a2.hashes, 16 * a1.n_chunks) == 0, "hashes differ");
	ns_version_close(v1);
	ns_version_close(v2);
	ns_store_close(s);
}

Test(store_share, a_null_name_keeps_the_source_name)
{
	ns_store *s = store_with_x(NS_CODEC_RAW);
	ns_version *v = NULL;
	uint64_t i = 99;
	share(s, 1, NULL);
	NT_OK(ns_version_open_number(&v, s, 2));
	NT_OK(ns_version_array_find(&i, v, "x"));
	cr_assert_eq(i, 0);
	ns_version_close(v);
	ns_store_close(s);
}

Test(store_share, deleting_the_source_version_keeps_the_shared_array)
{
	ns_store *s = store_with_x(NS_CODEC_RAW);
	ns_store_stats before = nt_stats(s);
	share(s, 1, "y");
	NT_OK(ns_version_delete(s, 1));
	cr_assert_eq(nt_stats(s).chunks, before.chunks, "shared chunks were freed");
	assert_reads_x(s, "2", "y");
	assert_verify_clean(s);
	ns_store_close(s);
}

Test(store_share, deleting_the_sharing_version_keeps_the_source)
{
	ns_store *s = store_with_x(NS_CODEC_RAW);
	ns_store_stats before = nt_stats(s);
	share(s, 1, "y");
	NT_OK(ns_version_delete(s, 2));
	cr_assert_eq(nt_stats(s).chunks, before.chunks, "shared chunks were freed");
	assert_reads_x(s, "1", "x");
	assert_verify_clean(s);
	ns_store_close(s);
}

Test(store_share, deleting_both_versions_frees_the_chunks)
{
	ns_store *s = store_with_x(NS_CODEC_RAW);
	share(s, 1, "y");
	nt_commit_f64(s, "z", 10, -5.0, NULL); /* one chunk that stays */
	NT_OK(ns_version_delete(s, 1));
	NT_OK(ns_version_delete(s, 2));
	cr_assert_eq(nt_stats(s).chunks, 1);
	cr_assert_eq(nt_stats(s).orphan_chunks, 0);
	assert_verify_clean(s);
	ns_store_close(s);
}

Test(store_share, an_array_shared_twice_in_one_commit_is_counted_twice)
{
	ns_store *s = store_with_x(NS_CODEC_RAW);
	ns_version *from = NULL;
	ns_commit *c = NULL;
	NT_OK(ns_version_open_number(&from, s, 1));
	NT_OK(ns_commit_new(&c, s));
	NT_OK(ns_commit_add_from(c, "a", from, 0));
	NT_OK(ns_commit_add_from(c, "b", from, 0));
	NT_OK(ns_commit_finish(NULL, c, NULL));
	ns_version_close(from);
	NT_OK(ns_version_delete(s, 1));
	assert_reads_x(s, "2", "a");
	assert_reads_x(s, "2", "b");
	assert_verify_clean(s);
	ns_store_close(s);
}

Test(store_share, deleting_the_source_before_finish_still_commits_the_array)
{
	ns_store *s = store_with_x(NS_CODEC_RAW);
	ns_version *from = NULL;
	ns_commit *c = NULL;
	uint64_t n = 0;
	nt_commit_f64(s, "keep", 10, 0.5, NULL); /* version 2: HEAD moves off 1 */
	NT_OK(ns_version_open_number(&from, s, 1));
	NT_OK(ns_commit_new(&c, s));
	NT_OK(ns_commit_add_from(c, "y", from, 0));
	NT_OK(ns_version_delete(s, 1)); /* its chunks are freed now */
	NT_OK(ns_commit_finish(&n, c, NULL));
	ns_version_close(from);
	assert_reads_x(s, "3", "y");
	assert_verify_clean(s);
	ns_store_close(s);
}

Test(store_share, only_the_new_arrays_of_a_mixed_commit_add_bytes)
{
	ns_store *s = store_with_x(NS_CODEC_RAW);
	static double z[1024];
	ns_version *from = NULL;
	ns_commit *c = NULL;
	ns_store_stats before = nt_stats(s);
	uint64_t n = 0;
	for (int i = 0; i < 1024; i++)
		z[i] = -i - 1.0;
	NT_OK(ns_version_open_number(&from, s, 1));
	NT_OK(ns_commit_new(&c, s));
	NT_OK(ns_commit_add_from(c, "x", from, 0));
	NT_OK(ns_commit_add(c, "z", NS_DTYPE_F64, z, 1024));
	NT_OK(ns_commit_finish(&n, c, NULL));
	ns_version_close(from);
	cr_assert_eq(nt_stats(s).chunks, before.chunks + 2);
	cr_assert_eq(nt_new_bytes(s, n), sizeof z);
	assert_reads_x(s, "2", "x");
	ns_store_close(s);
}

Test(store_share, a_version_of_another_store_is_invalid)
{
	ns_store *s = store_with_x(NS_CODEC_RAW);
	ns_store *other = nt_store_new("other.nsnap", 4096, NS_CODEC_RAW);
	ns_version *from = NULL;
	ns_commit *c = NULL;
	nt_commit_f64(other, "x", M, 0.0, NULL);
	NT_OK(ns_version_open_number(&from, other, 1));
	NT_OK(ns_commit_new(&c, s));
	NT_FAILS(NS_EINVAL, ns_commit_add_from(c, NULL, from, 0));
	ns_commit_free(c);
	ns_version_close(from);
	cr_assert_eq(nt_stats(s).versions, 1);
	ns_store_close(other);
	ns_store_close(s);
}

Test(store_share, an_index_out_of_range_is_invalid)
{
	ns_store *s = store_with_x(NS_CODEC_RAW);
	ns_version *from = NULL;
	ns_commit *c = NULL;
	NT_OK(ns_version_open_number(&from, s, 1));
	NT_OK(ns_commit_new(&c, s));
	NT_FAILS(NS_EINVAL, ns_commit_add_from(c, "y", from, 1));
	NT_FAILS(NS_EINVAL, ns_commit_add_from(c, "y", from, UINT64_MAX));
	ns_commit_free(c);
	ns_version_close(from);
	ns_store_close(s);
}

Test(store_share, sharing_under_a_taken_name_fails)
{
	ns_store *s = store_with_x(NS_CODEC_RAW);
	ns_version *from = NULL;
	ns_commit *c = NULL;
	NT_OK(ns_version_open_number(&from, s, 1));
	NT_OK(ns_commit_new(&c, s));
	NT_OK(ns_commit_add_from(c, NULL, from, 0));
	NT_FAILS(NS_EEXISTS, ns_commit_add_from(c, NULL, from, 0));
	ns_commit_free(c);
	ns_version_close(from);
	ns_store_close(s);
}
