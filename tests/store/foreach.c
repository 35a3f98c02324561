/* SPDX-License-Identifier: MIT */
/* The listing callbacks of ns_store_foreach_version() and ns_ref_foreach():
 * what their return values mean, and the message of a silent failure. */
#include "util.h"

#include <stdio.h>
#include <string.h>

/* A callback's plan: return @code at call number @at (from 1). */
struct plan {
	int at, code, calls;
	uint64_t last_version;
	char last_ref[64];
};

static int on_version(const ns_version_info *info, void *ctx)
{
	struct plan *p = ctx;
	p->last_version = info->number;
	return ++p->calls == p->at ? p->code : 0;
}

static int on_ref(const ns_ref *ref, void *ctx)
{
	struct plan *p = ctx;
	snprintf(p->last_ref, sizeof p->last_ref, "%s", ref->name);
	return ++p->calls == p->at ? p->code : 0;
}

/* Leave a stale error behind: a revision that does not exist. */
static void stale_error(ns_store *s)
{
	NT_FAILS(NS_ENOTFOUND, ns_store_resolve(NULL, s, "no-such-tag"));
	NT_MESSAGE_HAS("no-such-tag");
}

static void assert_not_stale(void)
{
	cr_assert_null(strstr(ns_error_last()->message, "no-such-tag"), "stale message: %s",
		       ns_error_last()->message);
}

Test(store_foreach, every_version_is_listed_newest_first)
{
	ns_store *s = nt_three_versions();
	struct plan p = { 0, 0, 0, 0, "" };
	NT_OK(ns_store_foreach_version(s, on_version, &p));
	cr_assert_eq(p.calls, 3);
	cr_assert_eq(p.last_version, 1);
	ns_store_close(s);
}

Test(store_foreach, a_version_callback_failing_silently_is_named_not_a_stale_error)
{
	ns_store *s = nt_three_versions();
	struct plan p = { 2, NS_EINVAL, 0, 0, "" };
	stale_error(s);
	NT_FAILS(NS_EINVAL, ns_store_foreach_version(s, on_version, &p));
	cr_assert_eq(p.calls, 2, "it went on after the failure");
	NT_MESSAGE_HAS("ns_store_foreach_version callback returned -3 (invalid argument) at "
		       "version 2");
	assert_not_stale();
	ns_store_close(s);
}

/* A callback that fails with the error of an nsnap call it made. */
static int version_with_message(const ns_version_info *info, void *ctx)
{
	(void)info;
	return ns_network_set_meta(ctx, "", NULL, 0.0);
}

Test(store_foreach, a_version_callback_failing_with_its_own_message_keeps_it)
{
	ns_store *s = nt_three_versions();
	ns_network *net = NULL;
	NT_OK(ns_network_new(&net, "lister"));
	stale_error(s);
	NT_FAILS(NS_EINVAL, ns_store_foreach_version(s, version_with_message, net));
	NT_MESSAGE_HAS("network 'lister': a dictionary entry needs a key");
	ns_network_free(net);
	ns_store_close(s);
}

Test(store_foreach, a_positive_return_stops_the_listing_and_is_returned)
{
	ns_store *s = nt_three_versions();
	struct plan p = { 1, 7, 0, 0, "" };
	cr_assert_eq(ns_store_foreach_version(s, on_version, &p), 7);
	cr_assert_eq(p.calls, 1);
	cr_assert_eq(p.last_version, 3);
	ns_store_close(s);
}

Test(store_foreach, a_version_listing_without_a_callback_is_invalid)
{
	ns_store *s = nt_three_versions();
	NT_FAILS(NS_EINVAL, ns_store_foreach_version(s, NULL, NULL));
	NT_MESSAGE_HAS("ns_store_foreach_version: fn must not be NULL");
	ns_store_close(s);
}

static ns_store *with_refs(void)
{
	ns_store *s = nt_three_versions();
	NT_OK(ns_tag_create(s, "v1", "1"));
	NT_OK(ns_tag_create(s, "v2", "2"));
	NT_OK(ns_branch_create(s, "exp", "1", 0));
	return s;
}

Test(store_foreach, a_ref_callback_failing_silently_is_named_not_a_stale_error)
{
	ns_store *s = with_refs();
	struct plan p = { 2, NS_EIO, 0, 0, "" };
	stale_error(s);
	NT_FAILS(NS_EIO, ns_ref_foreach(s, on_ref, &p));
	cr_assert_eq(p.calls, 2);
	/* Tags first, by name. */
	cr_assert_str_eq(p.last_ref, "v2");
	NT_MESSAGE_HAS("ns_ref_foreach callback returned -4 (input/output error) at tag 'v2'");
	assert_not_stale();
	ns_store_close(s);
}

Test(store_foreach, a_positive_ref_callback_return_stops_and_is_returned)
{
	ns_store *s = with_refs();
	struct plan p = { 1, 1, 0, 0, "" };
	cr_assert_eq(ns_ref_foreach(s, on_ref, &p), 1);
	cr_assert_eq(p.calls, 1);
	ns_store_close(s);
}

Test(store_foreach, a_ref_listing_without_a_callback_is_invalid)
{
	ns_store *s = with_refs();
	NT_FAILS(NS_EINVAL, ns_ref_foreach(s, NULL, NULL));
	NT_MESSAGE_HAS("ns_ref_foreach: fn must not be NULL");
	ns_store_close(s);
}
