/* SPDX-License-Identifier: MIT */
/* Statistics, compaction, and one large commit. */
#include "util.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

/* Versions 1 (x = 0..2047) and 2 (x and y = 0..1023 each): 4 + 2 chunks of
 * which 2 are shared. */
static ns_store *two_versions(void)
{
	ns_store *s = nt_store_new("s.nsnap", 4096, NS_CODEC_RAW);
	ns_commit *c = NULL;
	static double x[2048];
	for (int i = 0; i < 2048; i++)
		x[i] = i;
	nt_commit_f64(s, "x", 2048, 0.0, NULL);
	NT_OK(ns_commit_new(&c, s));
	NT_OK(ns_commit_add(c, "x", NS_DTYPE_F64, x, 2048));
	NT_OK(ns_commit_add(c, "y", NS_DTYPE_F64, x, 1024));
	NT_OK(ns_commit_finish(NULL, c, NULL));
	return s;
}

Test(store_stats, stats_count_versions_chunks_and_bytes)
{
	ns_store *s = two_versions();
	ns_store_stats st = nt_stats(s);
	cr_assert_eq(st.versions, 2);
	cr_assert_eq(st.chunks, 4);
	cr_assert_eq(st.logical_bytes, (2048 + 2048 + 1024) * 8);
	cr_assert_eq(st.unique_bytes, 4 * 4096);
	cr_assert_geq(st.stored_bytes, st.unique_bytes, "raw chunks stored smaller");
	cr_assert_gt(st.file_bytes, 0);
	cr_assert_eq(st.chunk_size, 4096);
	cr_assert_eq(st.codec, NS_CODEC_RAW);
	cr_assert_eq(st.level, 3, "the default zstd level is 3");
	cr_assert_geq(st.format, 1);
	ns_store_close(s);
}

Test(store_stats, stats_survive_reopen)
{
	ns_store *s = two_versions();
	ns_store_stats before = nt_stats(s), after;
	char path[4096];
	snprintf(path, sizeof path, "%s", ns_store_path(s));
	ns_store_close(s);
	s = NULL;
	NT_OK(ns_store_open(&s, path, NULL));
	after = nt_stats(s);
	cr_assert_eq(after.versions, before.versions);
	cr_assert_eq(after.chunks, before.chunks);
	cr_assert_eq(after.logical_bytes, before.logical_bytes);
	cr_assert_eq(after.unique_bytes, before.unique_bytes);
	cr_assert_eq(after.stored_bytes, before.stored_bytes);
	ns_store_close(s);
}

Test(store_stats, a_compacted_copy_opens_and_reads_back_equal)
{
	ns_store *s = two_versions();
	ns_store *copy = NULL;
	ns_store_stats a, b;
	char dest[4096];
	uint64_t n = 0, head = 0;
	double *x, *y;
	snprintf(dest, sizeof dest, "%s", nt_path("compact.nsnap"));
	NT_OK(ns_tag_create(s, "t", "1"));
	NT_OK(ns_store_compact(s, dest));
	NT_OK(ns_store_open(&copy, dest, NULL));
	a = nt_stats(s);
	b = nt_stats(copy);
	cr_assert_eq(b.versions, a.versions);
	cr_assert_eq(b.chunks, a.chunks);
	cr_assert_eq(b.logical_bytes, a.logical_bytes);
	cr_assert_eq(b.chunk_size, a.chunk_size);
	NT_OK(ns_store_resolve(&head, copy, "t"));
	cr_assert_eq(head, 1);
	x = nt_read_array(copy, "1", "x", &n);
	cr_assert_eq(n, 2048 * 8);
	for (int i = 0; i < 2048; i++)
		cr_assert_eq(x[i], (double)i);
	y = nt_read_array(copy, "HEAD", "y", &n);
	cr_assert_eq(n, 1024 * 8);
	cr_assert(memcmp(x, y, n) == 0);
	free(x);
	free(y);
	NT_OK(ns_store_verify(copy, NULL, NULL, NULL));
	ns_store_close(copy);
	ns_store_close(s);
}

Test(store_stats, compacting_onto_an_existing_file_is_refused)
{
	ns_store *s = two_versions();
	static const char keep[] = "precious data\n";
	const char *dest = nt_path("exists.txt");
	size_t size;
	char *now;
	nt_write_file(dest, keep, sizeof keep - 1);
	NT_FAILS(NS_EEXISTS, ns_store_compact(s, dest));
	now = nt_slurp(dest, &size);
	cr_assert_eq(size, sizeof keep - 1);
	cr_assert(memcmp(now, keep, size) == 0, "the existing file changed");
	free(now);
	ns_store_close(s);
}

/* A store that held many versions, most deleted: compacting it in place
 * shrinks the file and keeps every remaining version readable. */
Test(store_stats, compacting_in_place_shrinks_the_file_and_keeps_the_versions)
{
	ns_store *s = nt_store_new("s.nsnap", 4096, NS_CODEC_RAW);
	uint64_t before = 0, after = 0, n = 0, last = 0;
	double *x;
	for (int v = 0; v < 20; v++)
		last = nt_commit_f64(s, "x", 65536, v * 1e6, NULL);
	for (uint64_t v = 1; v < last; v++)
		NT_OK(ns_version_delete(s, v));
	ns_store_close(s);
	NT_OK(ns_store_compact_file(nt_path("s.nsnap"), &before, &after));
	cr_assert_lt(after, before / 4, "compacted %llu -> %llu bytes",
		     (unsigned long long)before, (unsigned long long)after);
	NT_OK(ns_store_open(&s, nt_path("s.nsnap"), NULL));
	cr_assert_eq(nt_stats(s).versions, 1);
	x = nt_read_array(s, "HEAD", "x", &n);
	cr_assert_eq(x[65535], 19e6 + 65535);
	free(x);
	NT_OK(ns_store_verify(s, NULL, NULL, NULL));
	ns_store_close(s);
}

Test(store_stats, compacting_in_place_is_refused_while_the_store_is_open)
{
	ns_store *s = two_versions(), *again = NULL;
	NT_FAILS(NS_EBUSY, ns_store_compact_file(nt_path("s.nsnap"), NULL, NULL));
	NT_MESSAGE_HAS("is open in another process");
	ns_store_close(s);
	NT_FAILS(NS_ENOTFOUND, ns_store_compact_file(nt_path("missing.nsnap"), NULL, NULL));
	/* While a compaction holds the file, opening it fails at once. */
	int fd = open(nt_path("s.nsnap"), O_RDONLY);
	cr_assert_geq(fd, 0);
	cr_assert_eq(flock(fd, LOCK_EX), 0);
	NT_FAILS(NS_EBUSY, ns_store_open(&again, nt_path("s.nsnap"), NULL));
	NT_MESSAGE_HAS("locked by another process");
	close(fd);
	NT_OK(ns_store_open(&again, nt_path("s.nsnap"), NULL));
	ns_store_close(again);
}

Test(store_stats, a_300_mb_array_commits_and_reads_back, .timeout = 120,
     .fini = nt_tmpdir_remove)
{
	const size_t nbytes = (size_t)300 << 20;
	const size_t n = nbytes / 8;
	ns_store *s = nt_store_new("big.nsnap", 0, NS_CODEC_RAW);
	ns_version *v = NULL;
	ns_array_info a;
	ns_commit *c = NULL;
	uint64_t *x = malloc(nbytes), *back;
	cr_assert_not_null(x);
	for (size_t i = 0; i < n; i++)
		x[i] = i * 0x9E3779B97F4A7C15ull; /* no two chunks alike */
	NT_OK(ns_commit_new(&c, s));
	NT_OK(ns_commit_add(c, "big", NS_DTYPE_U8, x, nbytes));
	NT_OK(ns_commit_finish(NULL, c, NULL));
	cr_assert_eq(nt_stats(s).chunks, 300);
	back = malloc(nbytes);
	cr_assert_not_null(back);
	NT_OK(ns_version_open(&v, s, "HEAD"));
	NT_OK(ns_version_array_at(&a, v, 0));
	cr_assert_eq(a.nbytes, nbytes);
	NT_OK(ns_version_read(back, nbytes, v, 0, 0));
	cr_assert(memcmp(back, x, nbytes) == 0, "the 300 MB array differs");
	ns_version_close(v);
	free(x);
	free(back);
	ns_store_close(s);
}
