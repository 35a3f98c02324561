/* SPDX-License-Identifier: MIT */
/* A restore into a network that differs from the version fails with
 * NS_EMISMATCH, says what differs, and writes nothing. */
#include "engine_util.h"

#include <stdlib.h>
#include <string.h>

/* A store "s.nsnap" with the seed-1 network of @src_flags saved. */
static ns_store *saved(unsigned src_flags)
{
	ns_store *s = nt_store_new("s.nsnap", 4096, NS_CODEC_RAW);
	et_net src = et_net_new(1, src_flags);
	et_snapshot(s, src.net);
	et_net_free(&src);
	return s;
}

/* Restore HEAD of @s into @dst, expecting NS_EMISMATCH and no change at all
 * (arrays and clock). The message is left for the caller to check. */
static void restore_refused(ns_store *s, et_net *dst, const ns_restore_opts *o)
{
	et_state *before = malloc(sizeof *before);
	et_clock clock = et_clock_of(dst->net);
	ns_restore_report *r = NULL;
	memcpy(before, dst->st, sizeof *before);
	NT_FAILS(NS_EMISMATCH, ns_restore(&r, s, "HEAD", dst->net, o));
	cr_assert_null(r, "a report written on failure");
	cr_assert(memcmp(before, dst->st, sizeof *before) == 0,
		  "a failed restore changed the live arrays");
	et_assert_clock_eq(et_clock_of(dst->net), clock);
	free(before);
}

Test(engine_mismatch, a_population_of_another_size_is_refused)
{
	ns_store *s = saved(0);
	et_net dst = et_net_new(2, ET_I_SIZE4);
	restore_refused(s, &dst, NULL);
	ET_MESSAGE_NAMES("I");
	NT_MESSAGE_HAS("3");
	NT_MESSAGE_HAS("4");
	et_net_free(&dst);
	ns_store_close(s);
}

Test(engine_mismatch, a_population_of_another_geometry_is_refused)
{
	ns_store *s = saved(0);
	et_net dst = et_net_new(2, ET_GEOM_4X2);
	restore_refused(s, &dst, NULL);
	ET_MESSAGE_NAMES("E");
	et_net_free(&dst);
	ns_store_close(s);
}

Test(engine_mismatch, an_attribute_of_another_element_type_is_refused)
{
	ns_store *s = saved(0);
	et_net dst = et_net_new(2, ET_V_I32);
	restore_refused(s, &dst, NULL);
	ET_MESSAGE_NAMES("v");
	NT_MESSAGE_HAS("f64");
	NT_MESSAGE_HAS("i32");
	et_net_free(&dst);
	ns_store_close(s);
}

Test(engine_mismatch, an_attribute_of_another_scope_is_refused)
{
	ns_store *s = saved(0);
	et_net dst = et_net_new(2, ET_TAU_LOCAL);
	restore_refused(s, &dst, NULL);
	ET_MESSAGE_NAMES("tau");
	NT_MESSAGE_HAS("global");
	NT_MESSAGE_HAS("local");
	et_net_free(&dst);
	ns_store_close(s);
}

Test(engine_mismatch, a_projection_of_another_synapse_count_is_refused)
{
	ns_store *s = saved(0);
	et_net dst = et_net_new(2, ET_EE_FEWER);
	restore_refused(s, &dst, NULL);
	ET_MESSAGE_NAMES("EE");
	NT_MESSAGE_HAS("7");
	NT_MESSAGE_HAS("6");
	et_net_free(&dst);
	ns_store_close(s);
}

Test(engine_mismatch, a_projection_with_one_synapse_moved_is_refused)
{
	ns_store *s = saved(0);
	et_net dst = et_net_new(2, 0);
	dst.st->ee_post[2] = 2; /* (3, 1) becomes (3, 2): same count */
	restore_refused(s, &dst, NULL);
	ET_MESSAGE_NAMES("EE");
	et_net_free(&dst);
	ns_store_close(s);
}

Test(engine_mismatch, a_projection_from_another_population_is_refused)
{
	ns_store *s = saved(0);
	et_net dst = et_net_new(2, ET_IE_FROM_E);
	restore_refused(s, &dst, NULL);
	ET_MESSAGE_NAMES("IE");
	ET_MESSAGE_NAMES("I");
	ET_MESSAGE_NAMES("E");
	et_net_free(&dst);
	ns_store_close(s);
}

Test(engine_mismatch, a_projection_to_another_population_is_refused)
{
	static const int32_t posts_in_i[ET_NIE] = { 0, 1, 1, 2, 2 };
	ns_store *s = nt_store_new("s.nsnap", 4096, NS_CODEC_RAW);
	et_net src = et_net_new(1, 0), dst;
	/* the same synapses, onto E in the version and onto I in the network */
	memcpy(src.st->ie_post, posts_in_i, sizeof posts_in_i);
	et_snapshot(s, src.net);
	dst.st = et_state_new(2);
	memcpy(dst.st->ie_post, posts_in_i, sizeof posts_in_i);
	dst.net = et_build(dst.st, ET_IE_POST_I);
	restore_refused(s, &dst, NULL);
	ET_MESSAGE_NAMES("IE");
	ET_MESSAGE_NAMES("I");
	ET_MESSAGE_NAMES("E");
	et_net_free(&src);
	et_net_free(&dst);
	ns_store_close(s);
}

Test(engine_mismatch, f64_values_into_an_f32_array_are_refused_without_convert)
{
	ns_store *s = saved(0);
	et_net dst = et_net_new(2, ET_V_F32);
	restore_refused(s, &dst, NULL);
	ET_MESSAGE_NAMES("v");
	NT_MESSAGE_HAS("f64");
	NT_MESSAGE_HAS("f32");
	et_net_free(&dst);
	ns_store_close(s);
}

Test(engine_mismatch, f64_values_into_an_f32_array_are_converted_with_convert)
{
	ns_store *s = saved(0);
	et_net dst = et_net_new(2, ET_V_F32);
	et_state *src = et_state_new(1);
	ns_restore_opts o = NS_RESTORE_OPTS_INIT;
	ns_restore_report *r = NULL;
	const ns_restore_item *it;
	o.convert = 1;
	NT_OK(ns_restore(&r, s, "HEAD", dst.net, &o));
	for (int i = 0; i < ET_NE; i++)
		cr_assert_eq(dst.st->e_v_f32[i], (float)src->e_v[i], "v[%d] = %g, not %g", i,
			     (double)dst.st->e_v_f32[i], src->e_v[i]);
	it = et_report_find(r, "E", "v");
	cr_assert_not_null(it);
	cr_assert_eq(it->status, NS_CONVERTED);
	cr_assert_eq(r->converted, 1);
	et_report_check_counts(r);
	cr_assert(et_attr_equal(src, dst.st, et_attr_def_find("E", "g")),
		  "the other attributes were not restored");
	ns_restore_report_free(r);
	free(src);
	et_net_free(&dst);
	ns_store_close(s);
}

Test(engine_mismatch, f32_values_into_an_f64_array_are_converted_with_convert)
{
	ns_store *s = saved(ET_V_F32);
	et_net dst = et_net_new(2, 0);
	et_state *src = et_state_new(1);
	ns_restore_opts o = NS_RESTORE_OPTS_INIT;
	ns_restore_report *r = NULL;
	o.convert = 1;
	NT_OK(ns_restore(&r, s, "HEAD", dst.net, &o));
	for (int i = 0; i < ET_NE; i++)
		cr_assert_eq(dst.st->e_v[i], (double)src->e_v_f32[i]);
	cr_assert_not_null(et_report_find(r, "E", "v"));
	cr_assert_eq(et_report_find(r, "E", "v")->status, NS_CONVERTED);
	ns_restore_report_free(r);
	free(src);
	et_net_free(&dst);
	ns_store_close(s);
}

Test(engine_mismatch, convert_does_not_turn_floats_into_integers)
{
	ns_store *s = saved(0);
	et_net dst = et_net_new(2, ET_V_I32);
	ns_restore_opts o = NS_RESTORE_OPTS_INIT;
	o.convert = 1;
	restore_refused(s, &dst, &o);
	ET_MESSAGE_NAMES("v");
	et_net_free(&dst);
	ns_store_close(s);
}

Test(engine_mismatch, a_mismatch_in_one_object_keeps_the_others_unwritten)
{
	/* restore_refused() checks every array; this one names the case: the
	 * projection differs, the populations match and must stay as they were. */
	ns_store *s = saved(0);
	et_net dst = et_net_new(2, ET_EE_FEWER);
	et_state *mine = et_state_new(2);
	restore_refused(s, &dst, NULL);
	cr_assert(et_attr_equal(mine, dst.st, et_attr_def_find("E", "v")));
	cr_assert(et_attr_equal(mine, dst.st, et_attr_def_find("I", "v")));
	free(mine);
	et_net_free(&dst);
	ns_store_close(s);
}
