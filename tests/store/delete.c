/* SPDX-License-Identifier: MIT */
/* Deleting versions, and listing them. */
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { M = 4 * 512 }; /* four chunks of 512 doubles at chunk size 4096 */

/* Commit "x" = @x (M doubles); the version number. */
static uint64_t commit_x(ns_store *s, const double *x)
{
	ns_commit *c = NULL;
	uint64_t n = 0;
	NT_OK(ns_commit_new(&c, s));
	NT_OK(ns_commit_add(c, "x", NS_DTYPE_F64, x, M));
	NT_OK(ns_commit_finish(&n, c, NULL));
	return n;
}

/* Versions 1 and 2 of "x", sharing chunks 0 and 1 (in *x1 and *x2). */
static ns_store *two_sharing(double **x1, double **x2)
{
	ns_store *s = nt_store_new("s.nsnap", 4096, NS_CODEC_RAW);
	*x1 = malloc(M * sizeof **x1);
	*x2 = malloc(M * sizeof **x2);
	for (int i = 0; i < M; i++) {
		(*x1)[i] = i;
		(*x2)[i] = i < 1024 ? i : -i;
	}
	cr_assert_eq(commit_x(s, *x1), 1);
	cr_assert_eq(commit_x(s, *x2), 2);
	return s;
}

static void assert_x_is(ns_store *s, const char *rev, const double *x)
{
	uint64_t n = 0;
	double *back = nt_read_array(s, rev, "x", &n);
	cr_assert_eq(n, M * sizeof *x);
	cr_assert(memcmp(back, x, n) == 0, "version %s of x differs", rev);
	free(back);
}

static void assert_verify_clean(ns_store *s)
{
	uint64_t problems = 99;
	NT_OK(ns_store_verify(s, NULL, NULL, &problems));
	cr_assert_eq(problems, 0);
}

Test(store_delete, chunks_only_the_deleted_version_used_are_freed)
{
	double *x1, *x2;
	ns_store *s = two_sharing(&x1, &x2);
	uint64_t n = 0;
	cr_assert_eq(nt_stats(s).chunks, 6);
	NT_OK(ns_version_delete(s, 2));
	cr_assert_eq(nt_stats(s).versions, 1);
	cr_assert_eq(nt_stats(s).chunks, 4);
	cr_assert_eq(nt_stats(s).unique_bytes, 4 * 4096);
	cr_assert_eq(nt_stats(s).logical_bytes, M * sizeof(double));
	NT_FAILS(NS_ENOTFOUND, ns_store_resolve(&n, s, "2"));
	free(x1);
	free(x2);
	ns_store_close(s);
}

Test(store_delete, shared_chunks_stay_for_the_other_version)
{
	double *x1, *x2;
	ns_store *s = two_sharing(&x1, &x2);
	NT_OK(ns_version_delete(s, 1));
	cr_assert_eq(nt_stats(s).chunks, 4);
	assert_x_is(s, "2", x2);
	assert_verify_clean(s);
	free(x1);
	free(x2);
	ns_store_close(s);
}

Test(store_delete, freed_chunks_can_be_stored_again)
{
	double *x1, *x2;
	ns_store *s = two_sharing(&x1, &x2);
	uint64_t n;
	NT_OK(ns_version_delete(s, 2));
	n = commit_x(s, x2);
	cr_assert_eq(n, 3, "version numbers are never reused");
	cr_assert_eq(nt_stats(s).chunks, 6);
	assert_x_is(s, "3", x2);
	assert_verify_clean(s);
	free(x1);
	free(x2);
	ns_store_close(s);
}

Test(store_delete, a_tagged_version_is_busy)
{
	ns_store *s = nt_three_versions();
	NT_OK(ns_tag_create(s, "keep", "2"));
	NT_FAILS(NS_EBUSY, ns_version_delete(s, 2));
	cr_assert_eq(nt_stats(s).versions, 3);
	cr_assert_eq(nt_resolve(s, "keep"), 2);
	NT_OK(ns_tag_delete(s, "keep"));
	NT_OK(ns_version_delete(s, 2));
	ns_store_close(s);
}

Test(store_delete, a_branch_at_the_deleted_version_moves_to_its_parent)
{
	ns_store *s = nt_three_versions();
	NT_OK(ns_branch_create(s, "side", "3", 0));
	NT_OK(ns_version_delete(s, 3));
	cr_assert_eq(nt_resolve(s, "side"), 2);
	cr_assert_eq(nt_resolve(s, "HEAD"), 2);
	ns_store_close(s);
}

Test(store_delete, a_branch_at_a_deleted_root_is_removed)
{
	ns_store *s = nt_store_new("s.nsnap", 4096, NS_CODEC_RAW);
	uint64_t n = 0;
	nt_commit_f64(s, "x", 10, 0.0, NULL);
	NT_OK(ns_branch_create(s, "b", "1", 0));
	NT_OK(ns_version_delete(s, 1));
	NT_FAILS(NS_ENOTFOUND, ns_store_resolve(&n, s, "b"));
	cr_assert_eq(nt_stats(s).versions, 0);
	ns_store_close(s);
}

Test(store_delete, children_take_the_deleted_versions_parent)
{
	ns_store *s = nt_three_versions();
	ns_version *v = NULL;
	NT_OK(ns_version_delete(s, 2));
	NT_OK(ns_version_open_number(&v, s, 3));
	cr_assert_eq(ns_version_get_info(v)->parent, 1);
	ns_version_close(v);
	cr_assert_eq(nt_resolve(s, "HEAD~1"), 1);
	cr_assert_eq(nt_resolve(s, "3~"), 1);
	ns_store_close(s);
}

/* Records of many chunks sit on LMDB's overflow pages; re-parenting them
 * through a cursor once lost a version. */
Test(store_delete, large_records_of_children_stay_intact_when_reparented)
{
	ns_store *s = nt_store_new("big.nsnap", 4096, NS_CODEC_RAW);
	ns_version *v = NULL;
	for (int i = 1; i <= 6; i++)
		nt_commit_f64(s, "x", 100000, i, NULL); /* 196 chunks: a 3 KiB record */
	NT_OK(ns_branch_create(s, "side", "2", 0));
	NT_OK(ns_version_delete(s, 2));
	NT_OK(ns_version_delete(s, 4));
	for (uint64_t n = 1; n <= 6; n++) {
		if (n == 2 || n == 4)
			continue;
		NT_OK(ns_version_open_number(&v, s, n));
		cr_assert_eq(ns_version_get_info(v)->number, n);
		cr_assert_eq(ns_version_get_info(v)->parent, n == 1 ? 0 : n == 3 ? 1 : n == 5 ? 3 : 5);
		ns_version_close(v);
	}
	cr_assert_eq(nt_resolve(s, "side"), 1);
	NT_OK(ns_store_verify(s, NULL, NULL, NULL));
	ns_store_close(s);
}

Test(store_delete, an_unknown_version_is_not_found)
{
	ns_store *s = nt_three_versions();
	NT_FAILS(NS_ENOTFOUND, ns_version_delete(s, 4));
	NT_FAILS(NS_ENOTFOUND, ns_version_delete(s, 0));
	NT_OK(ns_version_delete(s, 1));
	NT_FAILS(NS_ENOTFOUND, ns_version_delete(s, 1));
	cr_assert_eq(nt_stats(s).versions, 2);
	ns_store_close(s);
}

Test(store_delete, a_read_only_store_refuses_deletes)
{
	ns_store *s = nt_three_versions();
	ns_store_opts o = NS_STORE_OPTS_INIT;
	char path[4096];
	snprintf(path, sizeof path, "%s", ns_store_path(s));
	ns_store_close(s);
	s = NULL;
	o.flags = NS_STORE_RDONLY;
	NT_OK(ns_store_open(&s, path, &o));
	NT_FAILS(NS_EREADONLY, ns_version_delete(s, 1));
	cr_assert_eq(nt_stats(s).versions, 3);
	ns_store_close(s);
}

Test(store_delete, an_open_version_still_reads_after_its_delete)
{
	double *x1, *x2;
	ns_store *s = two_sharing(&x1, &x2);
	ns_version *v = NULL;
	double *back = malloc(M * sizeof *back);
	NT_OK(ns_version_open_number(&v, s, 2));
	NT_OK(ns_version_delete(s, 2));
	NT_OK(ns_version_read(back, M * sizeof *back, v, 0, NS_READ_VERIFY));
	cr_assert(memcmp(back, x2, M * sizeof *back) == 0);
	ns_version_close(v);
	free(back);
	free(x1);
	free(x2);
	ns_store_close(s);
}

/* Version numbers seen by the callback, in order. */
struct seen {
	int n;
	uint64_t number[8];
	int stop_after; /* return 42 after this many calls; 0 never */
};

static int record_version(const ns_version_info *info, void *ctx)
{
	struct seen *seen = ctx;
	cr_assert_lt(seen->n, 8);
	seen->number[seen->n++] = info->number;
	return seen->n == seen->stop_after ? 42 : 0;
}

Test(store_versions, foreach_lists_newest_first)
{
	ns_store *s = nt_three_versions();
	struct seen seen = { 0 };
	NT_OK(ns_version_delete(s, 2));
	nt_commit_f64(s, "x", 10, 4, NULL);
	NT_OK(ns_store_foreach_version(s, record_version, &seen));
	cr_assert_eq(seen.n, 3);
	cr_assert_eq(seen.number[0], 4);
	cr_assert_eq(seen.number[1], 3);
	cr_assert_eq(seen.number[2], 1);
	ns_store_close(s);
}

Test(store_versions, foreach_stops_and_returns_what_the_callback_returned)
{
	ns_store *s = nt_three_versions();
	struct seen seen = { 0 };
	seen.stop_after = 2;
	cr_assert_eq(ns_store_foreach_version(s, record_version, &seen), 42);
	cr_assert_eq(seen.n, 2);
	cr_assert_eq(seen.number[1], 2);
	ns_store_close(s);
}

static int check_info(const ns_version_info *info, void *ctx)
{
	(void)ctx;
	cr_assert_str_eq(info->message, "m");
	cr_assert_eq(info->n_arrays, 1);
	cr_assert_eq(info->logical_bytes, 80);
	return 0;
}

Test(store_versions, foreach_passes_each_versions_info)
{
	ns_store *s = nt_store_new("s.nsnap", 4096, NS_CODEC_RAW);
	nt_commit_f64(s, "x", 10, 0.0, "m");
	nt_commit_f64(s, "x", 10, 1.0, "m");
	NT_OK(ns_store_foreach_version(s, check_info, NULL));
	ns_store_close(s);
}
