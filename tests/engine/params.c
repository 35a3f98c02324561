/* SPDX-License-Identifier: MIT */
/* ns_params_set(): new values of parameters in a new version that shares
 * every other array, as ANNarchy's load_parameters() sets them. */
#include "engine_util.h"

#include <stdlib.h>
#include <string.h>

/* E.tau of the seed-1 network (attribute 0: 1 * 100 + 0). */
#define OLD_TAU 100.0

/* A store with the seed-1 network as version 1. */
static ns_store *saved(void)
{
	ns_store *s = nt_store_new("s.nsnap", 4096, NS_CODEC_RAW);
	et_net src = et_net_new(1, 0);
	et_snapshot(s, src.net);
	et_net_free(&src);
	return s;
}

/* Value @i of @object.@name in version @rev, as f64. */
static double value_in(ns_store *s, const char *rev, const char *object, const char *name,
		       uint64_t i)
{
	ns_network *o = NULL;
	double buf[64], v;
	uint64_t n;
	NT_OK(ns_network_open(&o, s, rev));
	n = et_read_f64(buf, 64, o, object, name);
	cr_assert_lt(i, n);
	v = buf[i];
	ns_network_free(o);
	return v;
}

/* ns_params_set() of @n params from HEAD with @global_only; returns the
 * version (asserting NS_OK). */
static uint64_t set(ns_store *s, const ns_param *p, size_t n, ns_param_result *res,
		    int global_only)
{
	ns_params_opts o = NS_PARAMS_OPTS_INIT;
	uint64_t v = 0;
	o.global_only = global_only;
	NT_OK(ns_params_set(&v, res, s, "HEAD", p, n, &o));
	return v;
}

Test(engine_params, a_changed_global_parameter_has_its_new_value_in_a_new_version)
{
	ns_store *s = saved();
	ns_param p = { "E", "tau", 4242.125 };
	ns_param_result res;
	uint64_t v = set(s, &p, 1, &res, 1);
	cr_assert_eq(v, 2);
	cr_assert_eq(res.applied, 1);
	cr_assert_not_null(res.reason);
	cr_assert_str_eq(res.reason, "");
	cr_assert_eq(value_in(s, "2", "E", "tau", 0), 4242.125);
	ns_store_close(s);
}

Test(engine_params, the_old_version_keeps_the_old_value)
{
	ns_store *s = saved();
	ns_param p = { "E", "tau", 4242.125 };
	set(s, &p, 1, NULL, 1);
	cr_assert_eq(value_in(s, "1", "E", "tau", 0), OLD_TAU);
	ns_store_close(s);
}

Test(engine_params, the_old_value_is_reported)
{
	ns_store *s = saved();
	ns_param p = { "E", "tau", 4242.125 };
	ns_param_result res;
	set(s, &p, 1, &res, 1);
	cr_assert_eq(res.old_value, OLD_TAU);
	ns_store_close(s);
}

Test(engine_params, unchanged_arrays_are_shared_with_the_revision)
{
	ns_store *s = saved();
	ns_param p = { "E", "tau", 4242.125 };
	ns_store_stats before = nt_stats(s), after;
	set(s, &p, 1, NULL, 1);
	after = nt_stats(s);
	cr_assert_geq(after.chunks, before.chunks + 1, "the new value was not stored");
	cr_assert_leq(after.chunks, before.chunks + 2, "%llu chunks were added",
		      (unsigned long long)(after.chunks - before.chunks));
	ns_store_close(s);
}

Test(engine_params, every_other_value_is_that_of_the_revision)
{
	ns_store *s = saved();
	ns_param p = { "E", "tau", 4242.125 };
	et_state *src = et_state_new(1);
	ns_network *o = NULL;
	set(s, &p, 1, NULL, 1);
	NT_OK(ns_network_open(&o, s, "HEAD"));
	for (size_t k = 1; k < et_n_attrs; k++) { /* all but E.tau */
		const et_attr_def *d = &et_attrs[k];
		void *data = NULL;
		NT_OK(ns_attr_data(&data, ns_object_attr_find(ns_network_object_find(o, d->object),
							      d->name)));
		cr_assert(memcmp(data, et_array(src, d), d->count * ns_dtype_size(d->dtype)) == 0,
			  "%s.%s changed", d->object, d->name);
	}
	et_assert_clock_eq(et_clock_of(o), (et_clock){ 100.5, 0.1, 1005 });
	ns_network_free(o);
	free(src);
	ns_store_close(s);
}

Test(engine_params, global_parameters_of_every_type_take_their_value)
{
	ns_store *s = saved();
	ns_param p[] = {
		{ "E", "seed", -7 },       /* i64 */
		{ "E", "n", 123456 },      /* i32 */
		{ "E", "mode", 200 },      /* u8 */
		{ "EE", "eta", 0.25 },     /* f32 */
		{ "IE", "k", -3.5 },       /* f64 */
	};
	ns_param_result res[5];
	set(s, p, 5, res, 1);
	for (size_t i = 0; i < 5; i++) {
		cr_assert_eq(res[i].applied, 1, "%s.%s: %s", p[i].object, p[i].name, res[i].reason);
		cr_assert_eq(value_in(s, "HEAD", p[i].object, p[i].name, 0), p[i].value, "%s.%s",
			     p[i].object, p[i].name);
	}
	ns_store_close(s);
}

Test(engine_params, a_bool_parameter_takes_one)
{
	ns_store *s = saved();
	ns_param p = { "E", "on", 1 }; /* 0 in the version */
	ns_param_result res;
	ns_network *o = NULL;
	uint8_t on = 7;
	set(s, &p, 1, &res, 1);
	cr_assert_eq(res.applied, 1, "%s", res.reason);
	cr_assert_eq(res.old_value, 0.0);
	NT_OK(ns_network_open(&o, s, "HEAD"));
	NT_OK(ns_attr_read(&on, NS_DTYPE_BOOL,
			   ns_object_attr_find(ns_network_object_find(o, "E"), "on")));
	cr_assert_eq(on, 1);
	ns_network_free(o);
	ns_store_close(s);
}

Test(engine_params, a_local_parameter_is_skipped_with_global_only)
{
	ns_store *s = saved();
	ns_param p = { "E", "mask", 5 };
	ns_param_result res;
	uint64_t v = set(s, &p, 1, &res, 1);
	cr_assert_eq(res.applied, 0);
	cr_assert_not_null(res.reason);
	cr_assert_neq(res.reason[0], 0, "a skip without a reason");
	cr_assert_eq(v, 1);
	cr_assert_eq(nt_stats(s).versions, 1);
	ns_store_close(s);
}

Test(engine_params, without_global_only_every_neuron_gets_the_value)
{
	ns_store *s = saved();
	ns_param p = { "E", "mask", 5 };
	ns_param_result res;
	ns_network *o = NULL;
	uint8_t mask[ET_NE];
	set(s, &p, 1, &res, 0);
	cr_assert_eq(res.applied, 1);
	NT_OK(ns_network_open(&o, s, "HEAD"));
	NT_OK(ns_attr_read(mask, NS_DTYPE_U8,
			   ns_object_attr_find(ns_network_object_find(o, "E"), "mask")));
	for (int i = 0; i < ET_NE; i++)
		cr_assert_eq(mask[i], 5, "mask[%d] = %d", i, mask[i]);
	ns_network_free(o);
	ns_store_close(s);
}

Test(engine_params, without_global_only_every_synapse_gets_the_value)
{
	ns_store *s = saved();
	ns_param p = { "EE", "delay", 3 };
	set(s, &p, 1, NULL, 0);
	for (uint64_t i = 0; i < ET_NEE; i++)
		cr_assert_eq(value_in(s, "HEAD", "EE", "delay", i), 3.0, "delay[%d]", (int)i);
	ns_store_close(s);
}

Test(engine_params, without_global_only_every_post_neuron_gets_a_semiglobal_value)
{
	ns_store *s = saved();
	ns_param p = { "IE", "cnt", 9 };
	set(s, &p, 1, NULL, 0);
	for (uint64_t i = 0; i < ET_NE; i++)
		cr_assert_eq(value_in(s, "HEAD", "IE", "cnt", i), 9.0, "cnt[%d]", (int)i);
	ns_store_close(s);
}

/* A single ns_param that must be skipped: a reason, no version. */
static void assert_skipped(ns_param p, int global_only)
{
	ns_store *s = saved();
	ns_param_result res;
	uint64_t v = set(s, &p, 1, &res, global_only);
	cr_assert_eq(res.applied, 0, "%s.%s was applied", p.object, p.name);
	cr_assert_not_null(res.reason);
	cr_assert_neq(res.reason[0], 0, "a skip without a reason");
	cr_assert_eq(v, 1);
	cr_assert_eq(nt_stats(s).versions, 1);
	ns_store_close(s);
}

Test(engine_params, a_variable_is_skipped)
{
	assert_skipped((ns_param){ "E", "gain", 2.0 }, 0); /* a global variable */
}

Test(engine_params, an_unknown_object_is_skipped)
{
	assert_skipped((ns_param){ "Z", "tau", 2.0 }, 1);
}

Test(engine_params, an_unknown_attribute_is_skipped)
{
	assert_skipped((ns_param){ "E", "zz", 2.0 }, 1);
}

Test(engine_params, applied_and_skipped_entries_make_one_version)
{
	ns_store *s = saved();
	ns_param p[] = { { "E", "v", 1.0 }, { "E", "tau", 20.0 }, { "Z", "a", 1.0 },
			 { "I", "tau", 30.0 } };
	ns_param_result res[4];
	uint64_t v = set(s, p, 4, res, 1);
	cr_assert_eq(v, 2);
	cr_assert_eq(nt_stats(s).versions, 2);
	cr_assert_eq(res[0].applied, 0);
	cr_assert_eq(res[1].applied, 1);
	cr_assert_eq(res[2].applied, 0);
	cr_assert_eq(res[3].applied, 1);
	cr_assert_eq(value_in(s, "HEAD", "I", "tau", 0), 30.0);
	ns_store_close(s);
}

Test(engine_params, a_fraction_for_an_i32_parameter_fails_and_makes_no_version)
{
	ns_store *s = saved();
	ns_param p[] = { { "E", "tau", 20.0 }, { "E", "n", 0.5 } };
	ns_params_opts o = NS_PARAMS_OPTS_INIT;
	uint64_t v = 99;
	NT_FAILS(NS_EINVAL, ns_params_set(&v, NULL, s, "HEAD", p, 2, &o));
	ET_MESSAGE_NAMES("n");
	cr_assert_eq(v, 99, "*out written on failure");
	cr_assert_eq(nt_stats(s).versions, 1);
	cr_assert_eq(value_in(s, "HEAD", "E", "tau", 0), OLD_TAU);
	ns_store_close(s);
}

Test(engine_params, two_for_a_bool_parameter_fails)
{
	ns_store *s = saved();
	ns_param p = { "EE", "plastic", 2 };
	ns_params_opts o = NS_PARAMS_OPTS_INIT;
	NT_FAILS(NS_EINVAL, ns_params_set(NULL, NULL, s, "HEAD", &p, 1, &o));
	cr_assert_eq(nt_stats(s).versions, 1);
	ns_store_close(s);
}

Test(engine_params, when_nothing_applies_no_version_is_made)
{
	ns_store *s = saved();
	ns_param p[] = { { "E", "v", 1.0 }, { "Z", "a", 1.0 }, { "E", "mask", 1 } };
	ns_param_result res[3];
	uint64_t v = set(s, p, 3, res, 1);
	cr_assert_eq(v, 1, "*out is not the revision's number");
	cr_assert_eq(nt_stats(s).versions, 1);
	ns_store_close(s);
}

Test(engine_params, values_it_already_has_make_no_version)
{
	ns_store *s = saved();
	ns_param p[] = { { "E", "tau", OLD_TAU } };
	ns_param_result res[1];
	uint64_t v = set(s, p, 1, res, 1);
	cr_assert(res[0].applied);
	cr_assert_eq(res[0].old_value, OLD_TAU);
	cr_assert_eq(v, 1, "a version was made for a value it already had");
	cr_assert_eq(nt_stats(s).versions, 1);
	ns_store_close(s);
}

Test(engine_params, the_new_version_is_made_from_the_revision_given)
{
	ns_store *s = saved();
	et_net n = et_net_new(2, 0);
	ns_param p = { "E", "tau", 77.0 };
	ns_params_opts o = NS_PARAMS_OPTS_INIT;
	uint64_t v = 0;
	et_snapshot(s, n.net); /* version 2, other values */
	NT_OK(ns_params_set(&v, NULL, s, "1", &p, 1, &o));
	cr_assert_eq(v, 3);
	cr_assert_eq(value_in(s, "3", "E", "tau", 0), 77.0);
	cr_assert_eq(value_in(s, "3", "E", "v", 1), value_in(s, "1", "E", "v", 1),
		     "E.v is not that of revision 1");
	et_net_free(&n);
	ns_store_close(s);
}

Test(engine_params, the_new_version_is_called_parameters_by_default)
{
	ns_store *s = saved();
	ns_param p = { "E", "tau", 4242.125 };
	ns_version *ver = NULL;
	uint64_t v = set(s, &p, 1, NULL, 1);
	NT_OK(ns_version_open_number(&ver, s, v));
	cr_assert_str_eq(ns_version_get_info(ver)->message, "parameters");
	ns_version_close(ver);
	ns_store_close(s);
}
