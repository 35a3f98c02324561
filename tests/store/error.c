/* SPDX-License-Identifier: MIT */
/* Error codes, ns_strerror() and the per-thread last error. */
#include "util.h"

#include <pthread.h>
#include <string.h>

#define FIRST_CODE NS_OK
#define LAST_CODE NS_EPLUGIN

Test(store_error, every_code_has_its_own_description)
{
	for (int a = FIRST_CODE; a >= LAST_CODE; a--) {
		const char *da = ns_strerror(a);
		cr_assert_not_null(da, "code %d", a);
		cr_assert_neq(da[0], 0, "code %d has an empty description", a);
		cr_assert_str_neq(da, "unknown error", "code %d", a);
		for (int b = a - 1; b >= LAST_CODE; b--)
			cr_assert_str_neq(da, ns_strerror(b), "codes %d and %d share \"%s\"",
					  a, b, da);
	}
}

Test(store_error, unknown_codes_are_unknown_errors)
{
	cr_assert_str_eq(ns_strerror(1), "unknown error");
	cr_assert_str_eq(ns_strerror(-1000), "unknown error");
	cr_assert_str_eq(ns_strerror(LAST_CODE - 100), "unknown error");
}

Test(store_error, the_last_error_is_never_null)
{
	const ns_error *e = ns_error_last();
	cr_assert_not_null(e);
	cr_assert_not_null(e->message);
	ns_error_clear();
	e = ns_error_last();
	cr_assert_not_null(e);
	cr_assert_eq(e->code, NS_OK);
	cr_assert_not_null(e->message);
	cr_assert_str_eq(e->message, "");
}

Test(store_error, a_failure_records_its_code_and_a_message)
{
	ns_store *s = NULL;
	int rc;
	ns_error_clear();
	rc = ns_store_open(&s, nt_path("missing.nsnap"), NULL);
	cr_assert_eq(rc, NS_ENOTFOUND);
	cr_assert_eq(ns_error_last()->code, rc);
	cr_assert_neq(ns_error_last()->message[0], 0, "no message");
}

Test(store_error, clearing_forgets_the_last_error)
{
	ns_store *s = NULL;
	cr_assert_neq(ns_store_open(&s, nt_path("missing.nsnap"), NULL), NS_OK);
	ns_error_clear();
	cr_assert_eq(ns_error_last()->code, NS_OK);
	cr_assert_str_eq(ns_error_last()->message, "");
}

static void *fail_in_thread(void *arg)
{
	ns_store *s = NULL;
	int *rc = arg;
	*rc = ns_store_open(&s, (const char *)"no/such/dir/x.nsnap", NULL);
	return NULL;
}

Test(store_error, the_last_error_belongs_to_its_thread)
{
	pthread_t t;
	int rc = 0;
	ns_error_clear();
	cr_assert_eq(pthread_create(&t, NULL, fail_in_thread, &rc), 0);
	cr_assert_eq(pthread_join(t, NULL), 0);
	cr_assert_neq(rc, NS_OK);
	cr_assert_eq(ns_error_last()->code, NS_OK, "another thread's error is seen here");
	cr_assert_str_eq(ns_error_last()->message, "");
}
