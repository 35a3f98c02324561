/* SPDX-License-Identifier: MIT */
/* Revisions: numbers, HEAD, tags, branches and ~N, via ns_store_resolve(). */
#include "util.h"

#include <string.h>

Test(store_revision, a_number_names_that_version)
{
	ns_store *s = nt_three_versions();
	cr_assert_eq(nt_resolve(s, "2"), 2);
	cr_assert_eq(nt_resolve(s, "1"), 1);
	ns_store_close(s);
}

Test(store_revision, a_number_without_a_version_is_not_found)
{
	ns_store *s = nt_three_versions();
	uint64_t n = 77;
	NT_FAILS(NS_ENOTFOUND, ns_store_resolve(&n, s, "4"));
	cr_assert_eq(n, 77, "*out was written on failure");
	ns_store_close(s);
}

Test(store_revision, head_is_the_tip_of_the_current_branch)
{
	ns_store *s = nt_three_versions();
	cr_assert_eq(nt_resolve(s, "HEAD"), 3);
	ns_store_close(s);
}

Test(store_revision, a_tag_names_its_version)
{
	ns_store *s = nt_three_versions();
	NT_OK(ns_tag_create(s, "v1.0", "2"));
	cr_assert_eq(nt_resolve(s, "v1.0"), 2);
	ns_store_close(s);
}

Test(store_revision, a_branch_names_its_tip)
{
	ns_store *s = nt_three_versions();
	NT_OK(ns_branch_create(s, "side/x", "1", 0));
	cr_assert_eq(nt_resolve(s, "side/x"), 1);
	ns_store_close(s);
}

Test(store_revision, tilde_n_walks_n_parents_back)
{
	ns_store *s = nt_three_versions();
	NT_OK(ns_tag_create(s, "top", "3"));
	cr_assert_eq(nt_resolve(s, "HEAD~2"), 1);
	cr_assert_eq(nt_resolve(s, "top~1"), 2);
	cr_assert_eq(nt_resolve(s, "3~2"), 1);
	cr_assert_eq(nt_resolve(s, "HEAD~0"), 3);
	ns_store_close(s);
}

Test(store_revision, a_bare_tilde_walks_one_parent_back)
{
	ns_store *s = nt_three_versions();
	cr_assert_eq(nt_resolve(s, "HEAD~"), 2);
	cr_assert_eq(nt_resolve(s, "2~"), 1);
	ns_store_close(s);
}

Test(store_revision, an_unknown_name_is_not_found_and_named)
{
	ns_store *s = nt_three_versions();
	uint64_t n = 0;
	NT_FAILS(NS_ENOTFOUND, ns_store_resolve(&n, s, "nosuchthing"));
	NT_MESSAGE_HAS("nosuchthing");
	ns_store_close(s);
}

Test(store_revision, walking_past_the_first_version_is_not_found)
{
	ns_store *s = nt_three_versions();
	uint64_t n = 0;
	NT_FAILS(NS_ENOTFOUND, ns_store_resolve(&n, s, "HEAD~3"));
	NT_FAILS(NS_ENOTFOUND, ns_store_resolve(&n, s, "1~"));
	ns_store_close(s);
}

Test(store_revision, malformed_revisions_are_invalid)
{
	static const char *bad[] = { "", "HEAD~x", "HEAD~1x", "HEAD~-1", "~1" };
	ns_store *s = nt_three_versions();
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		uint64_t n = 0;
		int rc = ns_store_resolve(&n, s, bad[i]);
		cr_assert_eq(rc, NS_EINVAL, "\"%s\" gave %d (%s)", bad[i], rc,
			     ns_error_last()->message);
	}
	ns_store_close(s);
}

Test(store_revision, a_tag_wins_over_a_branch_of_the_same_name)
{
	ns_store *s = nt_three_versions();
	NT_OK(ns_branch_create(s, "same", "1", 0));
	NT_OK(ns_tag_create(s, "same", "2"));
	cr_assert_eq(nt_resolve(s, "same"), 2);
	ns_store_close(s);
}

Test(store_revision, a_version_opens_by_revision)
{
	ns_store *s = nt_three_versions();
	ns_version *v = NULL;
	NT_OK(ns_version_open(&v, s, "HEAD~1"));
	cr_assert_eq(ns_version_get_info(v)->number, 2);
	ns_version_close(v);
	ns_store_close(s);
}

Test(store_revision, opening_an_unknown_revision_fails_like_resolve)
{
	ns_store *s = nt_three_versions();
	ns_version *sentinel = (ns_version *)&s, *v = sentinel;
	NT_FAILS(NS_ENOTFOUND, ns_version_open(&v, s, "nope"));
	NT_FAILS(NS_EINVAL, ns_version_open(&v, s, "HEAD~x"));
	NT_FAILS(NS_ENOTFOUND, ns_version_open_number(&v, s, 9));
	cr_assert_eq(v, sentinel, "*out was written on failure");
	ns_store_close(s);
}
