/* SPDX-License-Identifier: MIT */
/* Snapshot a network, restore it into another built the same way. */
#include "engine_util.h"

#include <stdlib.h>
#include <string.h>

/* Snapshot a seed-1 network into a new store, restore HEAD into a zeroed
 * network built the same way; check the attributes @keep selects. */
static void round_trip(int (*keep)(const et_attr_def *a), unsigned want_dtypes)
{
	ns_store *s = nt_store_new("s.nsnap", 4096, NS_CODEC_RAW);
	et_net src = et_net_new(1, 0), dst = et_net_new(0, 0);
	ns_restore_report *r;
	unsigned dtypes = 0;
	et_snapshot(s, src.net);
	r = et_restore(s, "HEAD", dst.net);
	for (size_t k = 0; k < et_n_attrs; k++) {
		const et_attr_def *a = &et_attrs[k];
		if (!keep(a))
			continue;
		dtypes |= 1u << a->dtype;
		cr_assert(et_attr_equal(src.st, dst.st, a), "%s.%s (%s) was not restored",
			  a->object, a->name, ns_dtype_name(a->dtype));
	}
	cr_assert_eq(dtypes & want_dtypes, want_dtypes, "the fixture lacks some element types");
	ns_restore_report_free(r);
	et_net_free(&src);
	et_net_free(&dst);
	ns_store_close(s);
}

#define ALL_DTYPES                                                                     \
	((1u << NS_DTYPE_F64) | (1u << NS_DTYPE_F32) | (1u << NS_DTYPE_I64) |           \
	 (1u << NS_DTYPE_I32) | (1u << NS_DTYPE_U8) | (1u << NS_DTYPE_BOOL))

static int is_global(const et_attr_def *a) { return a->scope == NS_GLOBAL; }
static int is_pop_local(const et_attr_def *a)
{
	return a->scope == NS_LOCAL && (!strcmp(a->object, "E") || !strcmp(a->object, "I"));
}
static int is_proj_local(const et_attr_def *a)
{
	return a->scope == NS_LOCAL && (!strcmp(a->object, "EE") || !strcmp(a->object, "IE"));
}
static int is_semiglobal(const et_attr_def *a) { return a->scope == NS_SEMIGLOBAL; }
static int is_parameter(const et_attr_def *a) { return a->kind == NS_PARAMETER; }
static int is_variable(const et_attr_def *a) { return a->kind == NS_VARIABLE; }

Test(engine_roundtrip, global_attributes_of_every_element_type_come_back)
{
	round_trip(is_global, ALL_DTYPES);
}

Test(engine_roundtrip, local_population_attributes_of_every_element_type_come_back)
{
	round_trip(is_pop_local, ALL_DTYPES);
}

Test(engine_roundtrip, local_synapse_attributes_of_every_element_type_come_back)
{
	round_trip(is_proj_local, ALL_DTYPES);
}

Test(engine_roundtrip, semiglobal_attributes_of_every_element_type_come_back)
{
	round_trip(is_semiglobal, ALL_DTYPES);
}

Test(engine_roundtrip, parameters_come_back)
{
	round_trip(is_parameter, 0);
}

Test(engine_roundtrip, variables_come_back)
{
	round_trip(is_variable, 0);
}

Test(engine_roundtrip, the_time_step_and_dt_come_back)
{
	ns_store *s = nt_store_new("s.nsnap", 4096, NS_CODEC_RAW);
	et_net src = et_net_new(1, 0), dst = et_net_new(0, 0);
	et_snapshot(s, src.net);
	ns_restore_report_free(et_restore(s, "HEAD", dst.net));
	et_assert_clock_eq(et_clock_of(dst.net), et_clock_of(src.net));
	et_net_free(&src);
	et_net_free(&dst);
	ns_store_close(s);
}

Test(engine_roundtrip, no_time_leaves_the_time_and_dt_as_they_are)
{
	ns_store *s = nt_store_new("s.nsnap", 4096, NS_CODEC_RAW);
	et_net src = et_net_new(1, 0), dst = et_net_new(2, 0);
	ns_restore_opts o = NS_RESTORE_OPTS_INIT;
	ns_restore_report *r = NULL;
	et_clock before = et_clock_of(dst.net);
	o.no_time = 1;
	et_snapshot(s, src.net);
	NT_OK(ns_restore(&r, s, "HEAD", dst.net, &o));
	et_assert_clock_eq(et_clock_of(dst.net), before);
	cr_assert(et_attr_equal(src.st, dst.st, et_attr_def_find("E", "v")),
		  "no_time kept the values too");
	ns_restore_report_free(r);
	et_net_free(&src);
	et_net_free(&dst);
	ns_store_close(s);
}

/* The dictionary that et_set_clock(net, 1) sets. */
static void assert_dictionary_of_seed_1(const ns_network *net)
{
	int seen_model = 0, seen_r = 0;
	cr_assert_eq(ns_network_meta_count(net), 2);
	for (size_t i = 0; i < 2; i++) {
		const char *key = NULL, *str = NULL;
		double num = -1;
		NT_OK(ns_network_meta_at(&key, &str, &num, net, i));
		if (strcmp(key, "model") == 0) {
			seen_model = 1;
			cr_assert_not_null(str, "the string entry came back as a number");
			cr_assert_str_eq(str, "izhikevich");
		} else if (strcmp(key, "r_max") == 0) {
			seen_r = 1;
			cr_assert_null(str, "the number entry came back as a string");
			cr_assert_eq(num, 1.25);
		} else {
			cr_assert_fail("unexpected entry %s", key);
		}
	}
	cr_assert(seen_model && seen_r);
}

Test(engine_roundtrip, the_network_dictionary_is_kept_in_the_version)
{
	ns_store *s = nt_store_new("s.nsnap", 4096, NS_CODEC_RAW);
	et_net src = et_net_new(1, 0);
	ns_network *opened = NULL;
	et_snapshot(s, src.net);
	NT_OK(ns_network_open(&opened, s, "HEAD"));
	assert_dictionary_of_seed_1(opened);
	ns_network_free(opened);
	et_net_free(&src);
	ns_store_close(s);
}

Test(engine_roundtrip, the_report_lists_every_attribute_as_restored)
{
	ns_store *s = nt_store_new("s.nsnap", 4096, NS_CODEC_RAW);
	et_net src = et_net_new(1, 0), dst = et_net_new(0, 0);
	ns_restore_report *r;
	uint64_t v;
	v = et_snapshot(s, src.net);
	r = et_restore(s, "HEAD", dst.net);
	cr_assert_eq(r->version, v);
	for (size_t k = 0; k < et_n_attrs; k++) {
		const ns_restore_item *it = et_report_find(r, et_attrs[k].object, et_attrs[k].name);
		cr_assert_not_null(it, "%s.%s is not in the report", et_attrs[k].object,
				   et_attrs[k].name);
		cr_assert_eq(it->status, NS_RESTORED);
		cr_assert_not_null(it->detail);
	}
	cr_assert_eq(r->converted, 0);
	cr_assert_eq(r->skipped, 0);
	et_report_check_counts(r);
	ns_restore_report_free(r);
	et_net_free(&src);
	et_net_free(&dst);
	ns_store_close(s);
}

Test(engine_roundtrip, restoring_into_the_same_network_undoes_later_changes)
{
	ns_store *s = nt_store_new("s.nsnap", 4096, NS_CODEC_RAW);
	et_net n = et_net_new(1, 0);
	et_state *saved = malloc(sizeof *saved);
	memcpy(saved, n.st, sizeof *saved);
	et_snapshot(s, n.net);
	et_state_fill(n.st, 3);
	ns_network_set_time(n.net, 999.0, 9990);
	ns_restore_report_free(et_restore(s, "HEAD", n.net));
	for (size_t k = 0; k < et_n_attrs; k++)
		cr_assert(et_attr_equal(saved, n.st, &et_attrs[k]), "%s.%s is not as saved",
			  et_attrs[k].object, et_attrs[k].name);
	et_assert_clock_eq(et_clock_of(n.net), (et_clock){ 100.5, 0.1, 1005 });
	free(saved);
	et_net_free(&n);
	ns_store_close(s);
}

Test(engine_roundtrip, an_older_revision_restores_its_own_values)
{
	ns_store *s = nt_store_new("s.nsnap", 4096, NS_CODEC_RAW);
	et_net n = et_net_new(1, 0), dst = et_net_new(0, 0);
	et_state *first = et_state_new(1);
	ns_restore_report *r;
	et_snapshot(s, n.net);
	et_state_fill(n.st, 2);
	et_snapshot(s, n.net);
	r = et_restore(s, "HEAD~1", dst.net);
	cr_assert_eq(r->version, 1);
	for (size_t k = 0; k < et_n_attrs; k++)
		cr_assert(et_attr_equal(first, dst.st, &et_attrs[k]), "%s.%s", et_attrs[k].object,
			  et_attrs[k].name);
	ns_restore_report_free(r);
	free(first);
	et_net_free(&n);
	et_net_free(&dst);
	ns_store_close(s);
}

Test(engine_roundtrip, values_come_back_into_arrays_nsnap_owns)
{
	ns_store *s = nt_store_new("s.nsnap", 4096, NS_CODEC_RAW);
	et_net src = et_net_new(1, 0);
	ns_network *dst = NULL;
	ns_object *o = NULL;
	ns_attr *v = NULL, *w = NULL;
	void *d = NULL;
	NT_OK(ns_network_new(&dst, "owned"));
	NT_OK(ns_population_add(&o, dst, "E", ET_NE, (const uint64_t[]){ 2, 4 }, 2, NULL));
	NT_OK(ns_attr_add(&v, o, "v", NS_VARIABLE, NS_LOCAL, NS_DTYPE_F64, NULL, 0));
	NT_OK(ns_projection_add(&o, dst, "EE", "E", "E", "exc", NULL));
	NT_OK(ns_projection_set_synapses(o, src.st->ee_pre, src.st->ee_post, ET_NEE,
					 NS_ARRAY_COPY));
	NT_OK(ns_attr_add(&w, o, "w", NS_VARIABLE, NS_LOCAL, NS_DTYPE_F64, NULL, 0));
	et_snapshot(s, src.net);
	ns_restore_report_free(et_restore(s, "HEAD", dst));
	NT_OK(ns_attr_data(&d, v));
	cr_assert(memcmp(d, src.st->e_v, sizeof src.st->e_v) == 0);
	NT_OK(ns_attr_data(&d, w));
	cr_assert(memcmp(d, src.st->ee_w, sizeof src.st->ee_w) == 0);
	ns_network_free(dst);
	et_net_free(&src);
	ns_store_close(s);
}

Test(engine_roundtrip, an_unknown_revision_is_not_found_and_changes_nothing)
{
	ns_store *s = nt_store_new("s.nsnap", 4096, NS_CODEC_RAW);
	et_net src = et_net_new(1, 0), dst = et_net_new(2, 0);
	et_state *before = et_state_new(2);
	ns_restore_report *r = NULL;
	et_snapshot(s, src.net);
	NT_FAILS(NS_ENOTFOUND, ns_restore(&r, s, "v9", dst.net, NULL));
	cr_assert_null(r, "a report written on failure");
	cr_assert(memcmp(before, dst.st, sizeof *before) == 0);
	free(before);
	et_net_free(&src);
	et_net_free(&dst);
	ns_store_close(s);
}

Test(engine_roundtrip, a_zstd_store_gives_the_same_values)
{
	ns_store *s = nt_store_new("s.nsnap", 4096, NS_CODEC_ZSTD);
	et_net src = et_net_new(1, 0), dst = et_net_new(0, 0);
	et_snapshot(s, src.net);
	ns_restore_report_free(et_restore(s, "HEAD", dst.net));
	for (size_t k = 0; k < et_n_attrs; k++)
		cr_assert(et_attr_equal(src.st, dst.st, &et_attrs[k]), "%s.%s",
			  et_attrs[k].object, et_attrs[k].name);
	et_net_free(&src);
	et_net_free(&dst);
	ns_store_close(s);
}

/* Types and targets have no length limit: a type may be an equation. */
Test(engine_roundtrip, types_and_targets_longer_than_names_come_back)
{
	ns_store *s = nt_store_new("long.nsnap", 0, NS_CODEC_RAW);
	char type[600], target[400];
	int32_t pre[1] = { 0 }, post[1] = { 1 };
	ns_network *net, *opened;
	ns_object_info info;
	ns_object *o;
	memset(type, 'T', sizeof type - 1);
	type[sizeof type - 1] = '\0';
	memset(target, 'x', sizeof target - 1);
	target[sizeof target - 1] = '\0';
	NT_OK(ns_network_new(&net, "long"));
	NT_OK(ns_population_add(NULL, net, "A", 2, NULL, 0, type));
	NT_OK(ns_projection_add(&o, net, "P", "A", "A", target, type));
	NT_OK(ns_projection_set_synapses(o, pre, post, 1, 0));
	NT_OK(ns_snapshot(NULL, s, net, NULL));
	NT_OK(ns_network_open(&opened, s, "HEAD"));
	ns_object_get_info(&info, ns_network_object_find(opened, "A"));
	cr_assert_str_eq(info.type, type);
	ns_object_get_info(&info, ns_network_object_find(opened, "P"));
	cr_assert_str_eq(info.type, type);
	cr_assert_str_eq(info.target, target);
	ns_network_free(opened);
	ns_network_free(net);
	ns_store_close(s);
}
