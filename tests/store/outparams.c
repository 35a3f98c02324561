/* SPDX-License-Identifier: MIT */
/* Out-parameters of the store's functions: those a caller may not need
 * accept NULL; required ones are checked (NS_EINVAL naming the function and
 * the parameter), never a crash. */
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A store with version 1: array "x" (f64, 10 values), metadata "k" = "v",
 * a blob "abc"; and a tag "t". */
static ns_store *one_version(void)
{
	ns_store *s = nt_store_new("s.nsnap", 4096, NS_CODEC_RAW);
	static const double x[10] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 };
	ns_commit *c = NULL;
	NT_OK(ns_commit_new(&c, s));
	NT_OK(ns_commit_add(c, "x", NS_DTYPE_F64, x, 10));
	NT_OK(ns_commit_set_meta(c, "k", "v"));
	NT_OK(ns_commit_set_blob(c, "abc", 3));
	NT_OK(ns_commit_finish(NULL, c, NULL));
	NT_OK(ns_tag_create(s, "t", "1"));
	return s;
}

#define NT_EINVAL_NAMING(expr, text)                \
	do {                                        \
		NT_FAILS(NS_EINVAL, expr);          \
		NT_MESSAGE_HAS(text);               \
	} while (0)

Test(store_outparams, opening_a_store_needs_a_place_for_the_handle)
{
	ns_store_opts o = NS_STORE_OPTS_INIT;
	o.flags = NS_STORE_CREATE;
	NT_EINVAL_NAMING(ns_store_open(NULL, nt_path("s.nsnap"), &o),
			 "ns_store_open: out must not be NULL");
}

Test(store_outparams, resolving_without_a_place_for_the_number_checks_the_revision)
{
	ns_store *s = one_version();
	NT_OK(ns_store_resolve(NULL, s, "t"));
	NT_OK(ns_store_resolve(NULL, s, "HEAD"));
	NT_FAILS(NS_ENOTFOUND, ns_store_resolve(NULL, s, "nope"));
	ns_store_close(s);
}

Test(store_outparams, a_commit_needs_a_place_for_its_handle)
{
	ns_store *s = one_version();
	NT_EINVAL_NAMING(ns_commit_new(NULL, s), "ns_commit_new: out must not be NULL");
	ns_store_close(s);
}

Test(store_outparams, a_commit_may_leave_out_its_number)
{
	ns_store *s = one_version();
	ns_commit *c = NULL;
	NT_OK(ns_commit_new(&c, s));
	NT_OK(ns_commit_finish(NULL, c, NULL));
	cr_assert_eq(nt_resolve(s, "HEAD"), 2);
	ns_store_close(s);
}

Test(store_outparams, opening_a_version_needs_a_place_for_its_handle)
{
	ns_store *s = one_version();
	NT_EINVAL_NAMING(ns_version_open(NULL, s, "1"), "ns_version_open: out must not be NULL");
	NT_EINVAL_NAMING(ns_version_open_number(NULL, s, 1),
			 "ns_version_open: out must not be NULL");
	ns_store_close(s);
}

Test(store_outparams, metadata_and_blob_parts_may_be_left_out)
{
	ns_store *s = one_version();
	ns_version *v = NULL;
	const char *key = NULL, *value = NULL;
	const void *blob = NULL;
	size_t size = 0;
	NT_OK(ns_version_open(&v, s, "1"));
	NT_OK(ns_version_meta_at(&key, NULL, v, 0));
	cr_assert_str_eq(key, "k");
	NT_OK(ns_version_meta_at(NULL, &value, v, 0));
	cr_assert_str_eq(value, "v");
	NT_OK(ns_version_meta_at(NULL, NULL, v, 0));
	NT_FAILS(NS_EINVAL, ns_version_meta_at(NULL, NULL, v, 1));
	NT_OK(ns_version_meta_get(NULL, v, "k"));
	NT_FAILS(NS_ENOTFOUND, ns_version_meta_get(NULL, v, "nope"));
	ns_version_blob(NULL, &size, v);
	cr_assert_eq(size, 3);
	ns_version_blob(&blob, NULL, v);
	cr_assert_eq(memcmp(blob, "abc", 3), 0);
	ns_version_blob(NULL, NULL, v);
	ns_version_close(v);
	ns_store_close(s);
}

Test(store_outparams, finding_an_array_without_a_place_for_its_index_checks_the_name)
{
	ns_store *s = one_version();
	ns_version *v = NULL;
	NT_OK(ns_version_open(&v, s, "1"));
	NT_OK(ns_version_array_find(NULL, v, "x"));
	NT_FAILS(NS_ENOTFOUND, ns_version_array_find(NULL, v, "y"));
	ns_version_close(v);
	ns_store_close(s);
}

Test(store_outparams, describing_viewing_and_reading_need_their_buffers)
{
	ns_store *s = one_version();
	ns_version *v = NULL;
	NT_OK(ns_version_open(&v, s, "1"));
	NT_EINVAL_NAMING(ns_version_array_at(NULL, v, 0),
			 "ns_version_array_at: out must not be NULL");
	NT_EINVAL_NAMING(ns_version_view(NULL, v, 0, 0, 0), "ns_version_view: out must not be NULL");
	NT_EINVAL_NAMING(ns_version_read_chunk(NULL, 80, v, 0, 0, 0),
			 "ns_version_read_chunk: buf must not be NULL");
	NT_MESSAGE_HAS("array 'x'");
	NT_EINVAL_NAMING(ns_version_read(NULL, 80, v, 0, 0), "ns_version_read: buf must not be NULL");
	NT_MESSAGE_HAS("array 'x'");
	ns_version_close(v);
	ns_store_close(s);
}

Test(store_outparams, verify_gc_and_compaction_may_leave_out_their_counts)
{
	ns_store *s = one_version();
	char path[4096];
	snprintf(path, sizeof path, "%s", ns_store_path(s));
	NT_OK(ns_store_verify(s, NULL, NULL, NULL));
	NT_OK(ns_store_gc(s, NULL, NULL));
	ns_store_close(s);
	NT_OK(ns_store_compact_file(path, NULL, NULL));
	s = NULL;
	NT_OK(ns_store_open(&s, path, NULL));
	cr_assert_eq(nt_resolve(s, "t"), 1);
	ns_store_close(s);
}

Test(store_outparams, statistics_need_a_place_to_go)
{
	ns_store *s = one_version();
	NT_EINVAL_NAMING(ns_store_stats_get(NULL, s), "ns_store_stats_get: out must not be NULL");
	ns_store_close(s);
}
