/* SPDX-License-Identifier: MIT */
/* Tags and branches. */
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t parent_of(ns_store *s, uint64_t number)
{
	ns_version *v = NULL;
	uint64_t p;
	NT_OK(ns_version_open_number(&v, s, number));
	p = ns_version_get_info(v)->parent;
	ns_version_close(v);
	return p;
}

/* Refs as listed by ns_ref_foreach(). */
struct ref_list {
	int n;
	char name[16][64];
	ns_ref ref[16];
};

static int collect_ref(const ns_ref *ref, void *ctx)
{
	struct ref_list *l = ctx;
	cr_assert_lt(l->n, 16);
	snprintf(l->name[l->n], sizeof l->name[0], "%s", ref->name);
	l->ref[l->n] = *ref;
	l->ref[l->n].name = l->name[l->n];
	l->n++;
	return 0;
}

/* The name of the current branch, in a static buffer. */
static const char *current_branch(ns_store *s)
{
	static char name[64];
	struct ref_list l = { 0 };
	name[0] = 0;
	NT_OK(ns_ref_foreach(s, collect_ref, &l));
	for (int i = 0; i < l.n; i++)
		if (l.ref[i].is_head)
			snprintf(name, sizeof name, "%s", l.name[i]);
	cr_assert(name[0], "no current branch listed");
	return name;
}

static const char *bad_names[] = { "", "12", "-x", "a b", "HEAD", ".x", "/x", "a~1", "a:b" };
#define N_BAD (sizeof bad_names / sizeof bad_names[0])

Test(store_refs, creating_an_existing_tag_fails_and_keeps_it)
{
	ns_store *s = nt_three_versions();
	NT_OK(ns_tag_create(s, "t", "1"));
	NT_FAILS(NS_EEXISTS, ns_tag_create(s, "t", "3"));
	cr_assert_eq(nt_resolve(s, "t"), 1);
	ns_store_close(s);
}

Test(store_refs, bad_tag_names_are_refused)
{
	ns_store *s = nt_three_versions();
	for (size_t i = 0; i < N_BAD; i++) {
		int rc = ns_tag_create(s, bad_names[i], "1");
		cr_assert_eq(rc, NS_EINVAL, "tag \"%s\" gave %d", bad_names[i], rc);
	}
	ns_store_close(s);
}

Test(store_refs, bad_branch_names_are_refused)
{
	ns_store *s = nt_three_versions();
	for (size_t i = 0; i < N_BAD; i++) {
		int rc = ns_branch_create(s, bad_names[i], "1", 0);
		cr_assert_eq(rc, NS_EINVAL, "branch \"%s\" gave %d", bad_names[i], rc);
		rc = ns_branch_checkout(s, bad_names[i]);
		cr_assert_eq(rc, NS_EINVAL, "checkout \"%s\" gave %d", bad_names[i], rc);
	}
	ns_store_close(s);
}

Test(store_refs, good_names_use_letters_digits_and_dot_dash_underscore_slash)
{
	ns_store *s = nt_three_versions();
	char longest[256];
	memset(longest, 'a', 255);
	longest[255] = 0;
	NT_OK(ns_tag_create(s, "v1.2_rc-3/final", "1"));
	NT_OK(ns_tag_create(s, "1a", "1"));
	NT_OK(ns_tag_create(s, longest, "2"));
	cr_assert_eq(nt_resolve(s, longest), 2);
	ns_store_close(s);
}

Test(store_refs, a_ref_at_an_unknown_revision_is_not_created)
{
	ns_store *s = nt_three_versions();
	uint64_t n = 0;
	NT_FAILS(NS_ENOTFOUND, ns_tag_create(s, "t", "9"));
	NT_FAILS(NS_ENOTFOUND, ns_branch_create(s, "b", "nope", 0));
	NT_FAILS(NS_EINVAL, ns_branch_create(s, "c", "HEAD~x", 0));
	NT_FAILS(NS_ENOTFOUND, ns_store_resolve(&n, s, "t"));
	NT_FAILS(NS_ENOTFOUND, ns_store_resolve(&n, s, "b"));
	NT_FAILS(NS_ENOTFOUND, ns_store_resolve(&n, s, "c"));
	ns_store_close(s);
}

Test(store_refs, a_tag_can_be_deleted)
{
	ns_store *s = nt_three_versions();
	uint64_t n = 0;
	NT_OK(ns_tag_create(s, "t", "1"));
	NT_OK(ns_tag_delete(s, "t"));
	NT_FAILS(NS_ENOTFOUND, ns_store_resolve(&n, s, "t"));
	NT_FAILS(NS_ENOTFOUND, ns_tag_delete(s, "t"));
	ns_store_close(s);
}

Test(store_refs, a_branch_is_created_at_head_by_default)
{
	ns_store *s = nt_three_versions();
	NT_OK(ns_branch_create(s, "b", NULL, 0));
	cr_assert_eq(nt_resolve(s, "b"), 3);
	ns_store_close(s);
}

Test(store_refs, an_existing_branch_moves_only_with_force)
{
	ns_store *s = nt_three_versions();
	NT_OK(ns_branch_create(s, "b", "1", 0));
	NT_FAILS(NS_EEXISTS, ns_branch_create(s, "b", "2", 0));
	cr_assert_eq(nt_resolve(s, "b"), 1);
	NT_OK(ns_branch_create(s, "b", "2", 1));
	cr_assert_eq(nt_resolve(s, "b"), 2);
	ns_store_close(s);
}

Test(store_refs, a_deleted_branch_is_gone_and_its_versions_stay)
{
	ns_store *s = nt_three_versions();
	uint64_t n = 0;
	NT_OK(ns_branch_create(s, "b", "2", 0));
	NT_OK(ns_branch_delete(s, "b"));
	NT_FAILS(NS_ENOTFOUND, ns_store_resolve(&n, s, "b"));
	NT_FAILS(NS_ENOTFOUND, ns_branch_delete(s, "b"));
	cr_assert_eq(nt_stats(s).versions, 3);
	cr_assert_eq(nt_resolve(s, "2"), 2);
	ns_store_close(s);
}

Test(store_refs, deleting_the_current_branch_is_refused)
{
	ns_store *s = nt_three_versions();
	char name[64];
	snprintf(name, sizeof name, "%s", current_branch(s));
	NT_FAILS(NS_EBUSY, ns_branch_delete(s, name));
	cr_assert_eq(nt_resolve(s, name), 3);
	ns_store_close(s);
}

Test(store_refs, a_commit_to_another_branch_leaves_head_alone)
{
	ns_store *s = nt_three_versions();
	ns_commit *c = NULL;
	ns_commit_opts o = NS_COMMIT_OPTS_INIT;
	uint64_t n = 0;
	double x = 1;
	o.branch = "exp";
	NT_OK(ns_commit_new(&c, s));
	NT_OK(ns_commit_add(c, "x", NS_DTYPE_F64, &x, 1));
	NT_OK(ns_commit_finish(&n, c, &o));
	cr_assert_eq(n, 4);
	cr_assert_eq(nt_resolve(s, "exp"), 4);
	cr_assert_eq(parent_of(s, 4), 3, "a new branch starts at the current tip");
	cr_assert_eq(nt_resolve(s, "HEAD"), 3);
	ns_store_close(s);
}

Test(store_refs, commits_to_an_existing_branch_extend_it)
{
	ns_store *s = nt_three_versions();
	ns_commit *c = NULL;
	ns_commit_opts o = NS_COMMIT_OPTS_INIT;
	uint64_t n = 0;
	double x = 1;
	NT_OK(ns_branch_create(s, "old", "1", 0));
	o.branch = "old";
	NT_OK(ns_commit_new(&c, s));
	NT_OK(ns_commit_add(c, "x", NS_DTYPE_F64, &x, 1));
	NT_OK(ns_commit_finish(&n, c, &o));
	cr_assert_eq(nt_resolve(s, "old"), n);
	cr_assert_eq(parent_of(s, n), 1);
	cr_assert_eq(nt_resolve(s, "HEAD"), 3);
	ns_store_close(s);
}

Test(store_refs, checkout_moves_where_commits_go)
{
	ns_store *s = nt_three_versions();
	char first[64];
	uint64_t n;
	snprintf(first, sizeof first, "%s", current_branch(s));
	NT_OK(ns_branch_create(s, "b", "1", 0));
	NT_OK(ns_branch_checkout(s, "b"));
	cr_assert_str_eq(current_branch(s), "b");
	cr_assert_eq(nt_resolve(s, "HEAD"), 1);
	n = nt_commit_f64(s, "x", 10, 0.0, NULL);
	cr_assert_eq(nt_resolve(s, "b"), n);
	cr_assert_eq(nt_resolve(s, "HEAD"), n);
	cr_assert_eq(parent_of(s, n), 1);
	cr_assert_eq(nt_resolve(s, first), 3);
	ns_store_close(s);
}

Test(store_refs, checking_out_a_new_branch_creates_it_at_the_next_commit)
{
	ns_store *s = nt_three_versions();
	uint64_t n;
	NT_OK(ns_branch_checkout(s, "fresh"));
	n = nt_commit_f64(s, "x", 10, 0.0, NULL);
	cr_assert_eq(nt_resolve(s, "fresh"), n);
	cr_assert_eq(nt_resolve(s, "HEAD"), n);
	cr_assert_str_eq(current_branch(s), "fresh");
	ns_store_close(s);
}

Test(store_refs, the_current_branch_is_kept_across_reopen)
{
	ns_store *s = nt_three_versions();
	char path[4096];
	snprintf(path, sizeof path, "%s", ns_store_path(s));
	NT_OK(ns_branch_create(s, "b", "2", 0));
	NT_OK(ns_branch_checkout(s, "b"));
	ns_store_close(s);
	s = NULL;
	NT_OK(ns_store_open(&s, path, NULL));
	cr_assert_eq(nt_resolve(s, "HEAD"), 2);
	ns_store_close(s);
}

Test(store_refs, a_commit_can_tag_its_version)
{
	ns_store *s = nt_three_versions();
	ns_commit *c = NULL;
	ns_commit_opts o = NS_COMMIT_OPTS_INIT;
	uint64_t n = 0;
	double x = 1;
	o.tag = "release";
	NT_OK(ns_commit_new(&c, s));
	NT_OK(ns_commit_add(c, "x", NS_DTYPE_F64, &x, 1));
	NT_OK(ns_commit_finish(&n, c, &o));
	cr_assert_eq(nt_resolve(s, "release"), n);
	ns_store_close(s);
}

Test(store_refs, a_commit_whose_tag_exists_writes_nothing)
{
	ns_store *s = nt_three_versions();
	ns_commit *c = NULL;
	ns_commit_opts o = NS_COMMIT_OPTS_INIT;
	ns_store_stats before, after;
	uint64_t n = 99;
	double x[600]; /* a chunk the store has not seen */
	for (int i = 0; i < 600; i++)
		x[i] = -i;
	NT_OK(ns_tag_create(s, "t", "1"));
	NT_OK(ns_store_stats_get(&before, s));
	o.tag = "t";
	NT_OK(ns_commit_new(&c, s));
	NT_OK(ns_commit_add(c, "x", NS_DTYPE_F64, x, 600));
	NT_FAILS(NS_EEXISTS, ns_commit_finish(&n, c, &o));
	NT_OK(ns_store_stats_get(&after, s));
	cr_assert_eq(n, 99, "*out was written on failure");
	cr_assert_eq(after.versions, 3);
	cr_assert_eq(after.chunks, before.chunks, "chunks were written");
	cr_assert_eq(nt_resolve(s, "HEAD"), 3);
	cr_assert_eq(nt_resolve(s, "t"), 1);
	ns_store_close(s);
}

Test(store_refs, a_commit_with_a_bad_tag_or_branch_name_is_refused)
{
	ns_store *s = nt_three_versions();
	ns_commit *c = NULL;
	ns_commit_opts o = NS_COMMIT_OPTS_INIT;
	double x = 1;
	o.tag = "a b";
	NT_OK(ns_commit_new(&c, s));
	NT_OK(ns_commit_add(c, "x", NS_DTYPE_F64, &x, 1));
	NT_FAILS(NS_EINVAL, ns_commit_finish(NULL, c, &o));
	o.tag = NULL;
	o.branch = "HEAD";
	NT_OK(ns_commit_new(&c, s));
	NT_FAILS(NS_EINVAL, ns_commit_finish(NULL, c, &o));
	cr_assert_eq(nt_stats(s).versions, 3);
	ns_store_close(s);
}

Test(store_refs, foreach_lists_tags_then_branches_by_name_with_the_head)
{
	ns_store *s = nt_three_versions();
	struct ref_list l = { 0 };
	int branches = 0, heads = 0;
	NT_OK(ns_tag_create(s, "zz", "3"));
	NT_OK(ns_tag_create(s, "aa", "1"));
	NT_OK(ns_branch_create(s, "mid", "2", 0));
	NT_OK(ns_branch_create(s, "b0", "1", 0));
	NT_OK(ns_branch_checkout(s, "mid"));
	NT_OK(ns_ref_foreach(s, collect_ref, &l));
	cr_assert_geq(l.n, 5, "%d refs listed", l.n); /* and the first branch */
	cr_assert_str_eq(l.name[0], "aa");
	cr_assert_eq(l.ref[0].kind, NS_REF_TAG);
	cr_assert_eq(l.ref[0].version, 1);
	cr_assert_str_eq(l.name[1], "zz");
	cr_assert_eq(l.ref[1].kind, NS_REF_TAG);
	cr_assert_eq(l.ref[1].version, 3);
	for (int i = 2; i < l.n; i++) {
		cr_assert_eq(l.ref[i].kind, NS_REF_BRANCH, "%s", l.name[i]);
		if (i > 2)
			cr_assert_lt(strcmp(l.name[i - 1], l.name[i]), 0, "%s before %s",
				     l.name[i - 1], l.name[i]);
		branches++;
		heads += l.ref[i].is_head;
		if (l.ref[i].is_head) {
			cr_assert_str_eq(l.name[i], "mid");
			cr_assert_eq(l.ref[i].version, 2);
		}
	}
	cr_assert_eq(l.ref[0].is_head + l.ref[1].is_head, 0, "a tag is the head");
	cr_assert_eq(branches, 3);
	cr_assert_eq(heads, 1);
	ns_store_close(s);
}

static int stop_at_second(const ns_ref *ref, void *ctx)
{
	int *calls = ctx;
	(void)ref;
	return ++*calls == 2 ? 5 : 0;
}

Test(store_refs, foreach_stops_when_the_callback_says_so)
{
	ns_store *s = nt_three_versions();
	int calls = 0;
	NT_OK(ns_tag_create(s, "a", "1"));
	NT_OK(ns_tag_create(s, "b", "1"));
	NT_OK(ns_tag_create(s, "c", "1"));
	cr_assert_eq(ns_ref_foreach(s, stop_at_second, &calls), 5);
	cr_assert_eq(calls, 2);
	ns_store_close(s);
}
