/* SPDX-License-Identifier: MIT */
/* What only one side has is skipped and reported, as ANNarchy's load()
 * skips it; strict mode refuses it. */
#include "engine_util.h"

#include <stdlib.h>
#include <string.h>

static ns_store *saved(unsigned src_flags)
{
	ns_store *s = nt_store_new("s.nsnap", 4096, NS_CODEC_RAW);
	et_net src = et_net_new(1, src_flags);
	et_snapshot(s, src.net);
	et_net_free(&src);
	return s;
}

static void assert_all_restored(const et_state *want, const et_state *got)
{
	for (size_t k = 0; k < et_n_attrs; k++)
		cr_assert(et_attr_equal(want, got, &et_attrs[k]), "%s.%s was not restored",
			  et_attrs[k].object, et_attrs[k].name);
}

Test(engine_skip, a_population_only_in_the_version_is_skipped_and_the_rest_restored)
{
	ns_store *s = saved(ET_EXTRA_POP);
	et_net dst = et_net_new(2, 0);
	et_state *src = et_state_new(1);
	ns_restore_report *r = et_restore(s, "HEAD", dst.net);
	const ns_restore_item *it = et_report_find(r, "X", NULL);
	cr_assert_not_null(it, "X is not in the report");
	cr_assert_eq(it->status, NS_STORE_ONLY);
	cr_assert_geq(r->skipped, 1);
	assert_all_restored(src, dst.st);
	ns_restore_report_free(r);
	free(src);
	et_net_free(&dst);
	ns_store_close(s);
}

Test(engine_skip, a_population_only_in_the_network_is_left_as_it_is)
{
	ns_store *s = saved(0);
	et_net dst = et_net_new(2, ET_EXTRA_POP);
	et_state *src = et_state_new(1), *mine = et_state_new(2);
	ns_restore_report *r = et_restore(s, "HEAD", dst.net);
	const ns_restore_item *it = et_report_find(r, "X", NULL);
	cr_assert_not_null(it, "X is not in the report");
	cr_assert_eq(it->status, NS_NETWORK_ONLY);
	cr_assert(memcmp(dst.st->x_r, mine->x_r, sizeof mine->x_r) == 0, "X.r was written");
	assert_all_restored(src, dst.st);
	ns_restore_report_free(r);
	free(src);
	free(mine);
	et_net_free(&dst);
	ns_store_close(s);
}

Test(engine_skip, a_variable_only_in_the_network_is_left_as_it_is)
{
	ns_store *s = saved(0);
	et_net dst = et_net_new(2, ET_EXTRA_VAR);
	et_state *src = et_state_new(1), *mine = et_state_new(2);
	ns_restore_report *r = et_restore(s, "HEAD", dst.net);
	const ns_restore_item *it = et_report_find(r, "E", "u");
	cr_assert_not_null(it, "E.u is not in the report");
	cr_assert_eq(it->status, NS_NETWORK_ONLY);
	cr_assert(memcmp(dst.st->e_u, mine->e_u, sizeof mine->e_u) == 0, "E.u was written");
	assert_all_restored(src, dst.st);
	ns_restore_report_free(r);
	free(src);
	free(mine);
	et_net_free(&dst);
	ns_store_close(s);
}

Test(engine_skip, a_variable_only_in_the_version_is_skipped)
{
	ns_store *s = saved(ET_EXTRA_VAR);
	et_net dst = et_net_new(2, 0);
	et_state *src = et_state_new(1);
	ns_restore_report *r = et_restore(s, "HEAD", dst.net);
	const ns_restore_item *it = et_report_find(r, "E", "u");
	cr_assert_not_null(it, "E.u is not in the report");
	cr_assert_eq(it->status, NS_STORE_ONLY);
	assert_all_restored(src, dst.st);
	ns_restore_report_free(r);
	free(src);
	et_net_free(&dst);
	ns_store_close(s);
}

/* Strict restore of HEAD into @dst: NS_EMISMATCH, nothing written. */
static void strict_refused(ns_store *s, et_net *dst)
{
	et_state *before = malloc(sizeof *before);
	ns_restore_opts o = NS_RESTORE_OPTS_INIT;
	ns_restore_report *r = NULL;
	et_clock clock = et_clock_of(dst->net);
	memcpy(before, dst->st, sizeof *before);
	o.strict = 1;
	NT_FAILS(NS_EMISMATCH, ns_restore(&r, s, "HEAD", dst->net, &o));
	cr_assert_null(r);
	cr_assert(memcmp(before, dst->st, sizeof *before) == 0, "strict mode wrote arrays");
	et_assert_clock_eq(et_clock_of(dst->net), clock);
	free(before);
}

Test(engine_skip, strict_refuses_a_population_only_in_the_version)
{
	ns_store *s = saved(ET_EXTRA_POP);
	et_net dst = et_net_new(2, 0);
	strict_refused(s, &dst);
	ET_MESSAGE_NAMES("X");
	et_net_free(&dst);
	ns_store_close(s);
}

Test(engine_skip, strict_refuses_a_variable_only_in_the_network)
{
	ns_store *s = saved(0);
	et_net dst = et_net_new(2, ET_EXTRA_VAR);
	strict_refused(s, &dst);
	ET_MESSAGE_NAMES("u");
	et_net_free(&dst);
	ns_store_close(s);
}

Test(engine_skip, strict_restores_a_network_that_matches_exactly)
{
	ns_store *s = saved(0);
	et_net dst = et_net_new(2, 0);
	et_state *src = et_state_new(1);
	ns_restore_opts o = NS_RESTORE_OPTS_INIT;
	ns_restore_report *r = NULL;
	o.strict = 1;
	NT_OK(ns_restore(&r, s, "HEAD", dst.net, &o));
	cr_assert_eq(r->skipped, 0);
	assert_all_restored(src, dst.st);
	ns_restore_report_free(r);
	free(src);
	et_net_free(&dst);
	ns_store_close(s);
}

Test(engine_skip, the_report_counts_are_those_of_its_items)
{
	/* a store-only population, a network-only variable, a conversion */
	ns_store *s = saved(ET_EXTRA_POP);
	et_net dst = et_net_new(2, ET_EXTRA_VAR | ET_V_F32);
	ns_restore_opts o = NS_RESTORE_OPTS_INIT;
	ns_restore_report *r = NULL;
	o.convert = 1;
	NT_OK(ns_restore(&r, s, "HEAD", dst.net, &o));
	cr_assert_eq(r->converted, 1);
	cr_assert_geq(r->skipped, 2);
	cr_assert_geq(r->restored, et_n_attrs - 1);
	et_report_check_counts(r);
	ns_restore_report_free(r);
	et_net_free(&dst);
	ns_store_close(s);
}
