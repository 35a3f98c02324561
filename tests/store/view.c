/* SPDX-License-Identifier: MIT */
/* Zero-copy views of raw chunks, straight from the store's map. */
#include "util.h"

#include <inttypes.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { M = 1500 }; /* doubles: chunks of 4096, 4096 and 3808 bytes */

/* A store of chunk size 4096 with one version: "x" = 0, 1, ..., M-1,
 * stored with @codec. */
static ns_store *store_with_x(ns_codec codec)
{
	ns_store *s = nt_store_new("s.nsnap", 4096, codec);
	nt_commit_f64(s, "x", M, 0.0, NULL);
	return s;
}

Test(store_view, a_raw_chunk_is_viewed_in_place_in_the_map)
{
	ns_store *s = store_with_x(NS_CODEC_RAW);
	ns_version *v = NULL;
	ns_view view;
	double *mine = malloc(M * sizeof *mine);
	for (int i = 0; i < M; i++)
		mine[i] = i;
	NT_OK(ns_version_open(&v, s, "HEAD"));
	NT_OK(ns_version_view(&view, v, 0, 1, 0));
	cr_assert_eq(view.size, 4096);
	cr_assert_eq(view.offset, 4096);
	cr_assert(memcmp(view.data, mine + 512, 4096) == 0, "the view's bytes differ");
	cr_assert((const char *)view.data < (const char *)mine ||
			  (const char *)view.data >= (const char *)(mine + M),
		  "the view points into the caller's own buffer");
	cr_assert(nt_in_file_mapping(view.data, ns_store_path(s)),
		  "the view %p is not inside a mapping of the store file", view.data);
	ns_version_close(v);
	free(mine);
	ns_store_close(s);
}

Test(store_view, two_opens_of_a_version_view_the_same_bytes)
{
	ns_store *s = store_with_x(NS_CODEC_RAW);
	ns_version *v1 = NULL, *v2 = NULL;
	ns_view a, b;
	NT_OK(ns_version_open(&v1, s, "HEAD"));
	NT_OK(ns_version_open_number(&v2, s, 1));
	NT_OK(ns_version_view(&a, v1, 0, 0, 0));
	NT_OK(ns_version_view(&b, v2, 0, 0, 0));
	cr_assert_eq(a.data, b.data, "views %p and %p: not zero-copy", a.data, b.data);
	ns_version_close(v1);
	ns_version_close(v2);
	ns_store_close(s);
}

Test(store_view, the_short_last_chunk_has_its_own_size_and_offset)
{
	ns_store *s = store_with_x(NS_CODEC_RAW);
	ns_version *v = NULL;
	ns_view view;
	double first;
	NT_OK(ns_version_open(&v, s, "HEAD"));
	NT_OK(ns_version_view(&view, v, 0, 2, 0));
	cr_assert_eq(view.size, 3808);
	cr_assert_eq(view.offset, 8192);
	memcpy(&first, view.data, sizeof first);
	cr_assert_eq(first, 1024.0);
	if (view.aligned)
		cr_assert_eq((uintptr_t)view.data % 8, 0, "aligned is set but %p is not",
			     view.data);
	ns_version_close(v);
	ns_store_close(s);
}

Test(store_view, a_zstd_chunk_cannot_be_viewed)
{
	ns_store *s = store_with_x(NS_CODEC_ZSTD);
	ns_version *v = NULL;
	ns_view view;
	double buf[512];
	NT_OK(ns_version_open(&v, s, "HEAD"));
	NT_FAILS(NS_EUNSUPPORTED, ns_version_view(&view, v, 0, 0, 0));
	NT_OK(ns_version_read_chunk(buf, sizeof buf, v, 0, 0, 0)); /* the fallback */
	cr_assert_eq(buf[511], 511.0);
	ns_version_close(v);
	ns_store_close(s);
}

Test(store_view, out_of_range_indices_are_refused)
{
	ns_store *s = store_with_x(NS_CODEC_RAW);
	ns_version *v = NULL;
	ns_view view;
	static double buf[M];
	ns_array_info a;
	NT_OK(ns_version_open(&v, s, "HEAD"));
	NT_FAILS(NS_EINVAL, ns_version_view(&view, v, 1, 0, 0));
	NT_FAILS(NS_EINVAL, ns_version_view(&view, v, 0, 3, 0));
	NT_FAILS(NS_EINVAL, ns_version_view(&view, v, UINT64_MAX, 0, 0));
	NT_FAILS(NS_EINVAL, ns_version_read_chunk(buf, sizeof buf, v, 0, 3, 0));
	NT_FAILS(NS_EINVAL, ns_version_read_chunk(buf, sizeof buf, v, 1, 0, 0));
	NT_FAILS(NS_EINVAL, ns_version_read(buf, sizeof buf, v, 1, 0));
	NT_FAILS(NS_EINVAL, ns_version_array_at(&a, v, 1));
	ns_version_close(v);
	ns_store_close(s);
}

Test(store_view, verify_passes_on_good_data)
{
	ns_store *s = store_with_x(NS_CODEC_RAW);
	ns_version *v = NULL;
	ns_view view;
	static double buf[M];
	NT_OK(ns_version_open(&v, s, "HEAD"));
	for (uint64_t k = 0; k < 3; k++)
		NT_OK(ns_version_view(&view, v, 0, k, NS_READ_VERIFY));
	NT_OK(ns_version_read(buf, sizeof buf, v, 0, NS_READ_VERIFY));
	cr_assert_eq(buf[M - 1], (double)(M - 1));
	ns_version_close(v);
	ns_store_close(s);
}

Test(store_view, an_open_version_does_not_see_later_commits)
{
	ns_store *s = store_with_x(NS_CODEC_RAW);
	ns_version *v = NULL;
	ns_view before, after;
	double d;
	NT_OK(ns_version_open(&v, s, "HEAD"));
	NT_OK(ns_version_view(&before, v, 0, 0, 0));
	nt_commit_f64(s, "x", M, 1000.0, NULL);
	nt_commit_f64(s, "y", M, 0.0, NULL);
	cr_assert_eq(ns_version_get_info(v)->number, 1);
	cr_assert_eq(ns_version_get_info(v)->n_arrays, 1);
	NT_OK(ns_version_view(&after, v, 0, 0, 0));
	cr_assert_eq(after.data, before.data);
	memcpy(&d, (const char *)after.data + 8, sizeof d);
	cr_assert_eq(d, 1.0);
	ns_version_close(v);
	ns_store_close(s);
}

struct reader {
	ns_store *s;
	int rc;
	int wrong;
};

static void *read_many(void *arg)
{
	struct reader *r = arg;
	double *buf = malloc(M * sizeof *buf);
	if (!buf)
		r->rc = NS_ENOMEM;
	for (int i = 0; i < 50 && r->rc == NS_OK; i++) {
		ns_version *v = NULL;
		r->rc = ns_version_open(&v, r->s, "HEAD");
		if (r->rc == NS_OK)
			r->rc = ns_version_read(buf, M * sizeof *buf, v, 0, NS_READ_VERIFY);
		for (int j = 0; r->rc == NS_OK && j < M; j++)
			r->wrong += buf[j] != (double)j;
		ns_version_close(v);
	}
	free(buf);
	return NULL;
}

Test(store_view, versions_are_read_from_several_threads_at_once)
{
	ns_store *s = store_with_x(NS_CODEC_ZSTD);
	struct reader r[3] = { { s, 0, 0 }, { s, 0, 0 }, { s, 0, 0 } };
	pthread_t t[3];
	for (int i = 0; i < 3; i++)
		cr_assert_eq(pthread_create(&t[i], NULL, read_many, &r[i]), 0);
	for (int i = 0; i < 3; i++) {
		cr_assert_eq(pthread_join(t[i], NULL), 0);
		cr_assert_eq(r[i].rc, NS_OK, "thread %d: %d", i, r[i].rc);
		cr_assert_eq(r[i].wrong, 0, "thread %d read wrong values", i);
	}
	ns_store_close(s);
}
