/* SPDX-License-Identifier: MIT */
/* Building a network: names, populations, projections, attributes and who
 * owns their arrays. */
#include "engine_util.h"

#include <stdlib.h>
#include <string.h>

/* A network with populations E (8, 2x4) and I (3). */
static ns_network *two_populations(void)
{
	static const uint64_t shape[] = { 2, 4 };
	ns_network *net = NULL;
	ns_object *o = NULL;
	NT_OK(ns_network_new(&net, "n"));
	NT_OK(ns_population_add(&o, net, "E", 8, shape, 2, "iaf"));
	NT_OK(ns_population_add(&o, net, "I", 3, NULL, 0, NULL));
	return net;
}

Test(engine_build, a_second_population_of_the_same_name_is_refused)
{
	ns_network *net = two_populations();
	ns_object *o = NULL;
	NT_FAILS(NS_EEXISTS, ns_population_add(&o, net, "E", 4, NULL, 0, NULL));
	cr_assert_null(o, "*out written on failure");
	cr_assert_eq(ns_network_object_count(net), 2);
	ns_network_free(net);
}

Test(engine_build, a_projection_cannot_take_the_name_of_a_population)
{
	ns_network *net = two_populations();
	ns_object *o = NULL;
	NT_FAILS(NS_EEXISTS, ns_projection_add(&o, net, "I", "E", "I", "exc", NULL));
	cr_assert_eq(ns_network_object_count(net), 2);
	ns_network_free(net);
}

Test(engine_build, a_population_cannot_take_the_name_of_a_projection)
{
	ns_network *net = two_populations();
	ns_object *o = NULL;
	NT_OK(ns_projection_add(&o, net, "EI", "E", "I", "exc", NULL));
	NT_FAILS(NS_EEXISTS, ns_population_add(&o, net, "EI", 2, NULL, 0, NULL));
	cr_assert_eq(ns_network_object_count(net), 3);
	ns_network_free(net);
}

Test(engine_build, an_empty_object_name_is_refused)
{
	ns_network *net = two_populations();
	ns_object *o = NULL;
	NT_FAILS(NS_EINVAL, ns_population_add(&o, net, "", 4, NULL, 0, NULL));
	NT_FAILS(NS_EINVAL, ns_projection_add(&o, net, "", "E", "I", NULL, NULL));
	cr_assert_eq(ns_network_object_count(net), 2);
	ns_network_free(net);
}

Test(engine_build, an_object_name_with_a_slash_is_refused)
{
	ns_network *net = two_populations();
	ns_object *o = NULL;
	NT_FAILS(NS_EINVAL, ns_population_add(&o, net, "a/b", 4, NULL, 0, NULL));
	NT_FAILS(NS_EINVAL, ns_projection_add(&o, net, "E/I", "E", "I", NULL, NULL));
	cr_assert_null(ns_network_object_find(net, "a/b"));
	cr_assert_eq(ns_network_object_count(net), 2);
	ns_network_free(net);
}

Test(engine_build, an_object_name_with_a_control_character_is_refused)
{
	ns_network *net = two_populations();
	ns_object *o = NULL;
	NT_FAILS(NS_EINVAL, ns_population_add(&o, net, "a\nb", 4, NULL, 0, NULL));
	NT_FAILS(NS_EINVAL, ns_population_add(&o, net, "tab\t", 4, NULL, 0, NULL));
	cr_assert_eq(ns_network_object_count(net), 2);
	ns_network_free(net);
}

Test(engine_build, names_and_texts_that_are_not_utf8_are_refused_naming_the_byte)
{
	/* a Latin-1 e-acute, an overlong '/', a surrogate, past U+10FFFF, cut short */
	static const char *const bad[] = { "caf\xe9", "a\xc0\xaf" "b", "\xed\xa0\x80",
					   "\xf4\x90\x80\x80", "x\xe2\x82" };
	ns_network *net = two_populations(), *other = NULL;
	ns_object *o = NULL;
	ns_attr *a = NULL;
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		NT_FAILS(NS_EINVAL, ns_population_add(&o, net, bad[i], 4, NULL, 0, NULL));
		cr_assert(strstr(ns_error_last()->message, "is not UTF-8"), "%s",
			  ns_error_last()->message);
		NT_FAILS(NS_EINVAL, ns_population_add(&o, net, "P", 4, NULL, 0, bad[i]));
		NT_FAILS(NS_EINVAL, ns_projection_add(&o, net, "EI", "E", "I", bad[i], NULL));
		NT_FAILS(NS_EINVAL, ns_attr_add(&a, ns_network_object_find(net, "E"), bad[i],
						NS_VARIABLE, NS_LOCAL, NS_DTYPE_F64, NULL, 0));
		NT_FAILS(NS_EINVAL, ns_network_set_meta(net, bad[i], NULL, 1));
		NT_FAILS(NS_EINVAL, ns_network_set_meta(net, "k", bad[i], 0));
		NT_FAILS(NS_EINVAL, ns_network_new(&other, bad[i]));
	}
	cr_assert_eq(ns_network_object_count(net), 2);
	cr_assert_eq(ns_network_meta_count(net), 0);
	/* two-, three- and four-byte characters are names like any other */
	NT_OK(ns_population_add(&o, net, "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\xa7\xa0", 4, NULL,
				0, "\xce\xbb"));
	NT_OK(ns_network_set_meta(net, "\xcf\x84_m", "\xe2\x82\xac", 0));
	ns_network_free(net);
}

Test(engine_build, names_may_have_255_bytes_but_not_256)
{
	ns_network *net = two_populations();
	ns_object *o = NULL;
	char name[257];
	memset(name, 'p', 256);
	name[256] = 0;
	NT_FAILS(NS_EINVAL, ns_population_add(&o, net, name, 4, NULL, 0, NULL));
	name[255] = 0;
	NT_OK(ns_population_add(&o, net, name, 4, NULL, 0, NULL));
	cr_assert_not_null(ns_network_object_find(net, name));
	ns_network_free(net);
}

Test(engine_build, a_projection_from_a_missing_population_is_not_found)
{
	ns_network *net = two_populations();
	ns_object *o = NULL;
	NT_FAILS(NS_ENOTFOUND, ns_projection_add(&o, net, "ZE", "Z", "E", "exc", NULL));
	NT_MESSAGE_HAS("Z");
	cr_assert_eq(ns_network_object_count(net), 2);
	ns_network_free(net);
}

Test(engine_build, a_projection_to_a_missing_population_is_not_found)
{
	ns_network *net = two_populations();
	ns_object *o = NULL;
	NT_FAILS(NS_ENOTFOUND, ns_projection_add(&o, net, "EZ", "E", "Z", "exc", NULL));
	cr_assert_eq(ns_network_object_count(net), 2);
	ns_network_free(net);
}

Test(engine_build, a_geometry_whose_product_is_not_the_size_is_refused)
{
	static const uint64_t shape[] = { 2, 3 };
	ns_network *net = NULL;
	ns_object *o = NULL;
	NT_OK(ns_network_new(&net, NULL));
	NT_FAILS(NS_EINVAL, ns_population_add(&o, net, "E", 8, shape, 2, NULL));
	cr_assert_eq(ns_network_object_count(net), 0);
	ns_network_free(net);
}

/* (2^32, 2^32) wraps to 0 in 64 bits: it must not pass as a population of
 * size 0. */
Test(engine_build, a_geometry_whose_product_overflows_is_refused_naming_the_population)
{
	static const uint64_t shape[] = { UINT64_C(1) << 32, UINT64_C(1) << 32 };
	ns_network *net = NULL;
	ns_object *o = NULL;
	NT_OK(ns_network_new(&net, NULL));
	NT_FAILS(NS_EINVAL, ns_population_add(&o, net, "big", 0, shape, 2, NULL));
	NT_MESSAGE_HAS("population 'big': a geometry of more neurons than 64 bits count");
	cr_assert_eq(ns_network_object_count(net), 0);
	ns_network_free(net);
}

Test(engine_build, a_geometry_of_more_than_the_maximum_dimensions_is_refused)
{
	uint64_t shape[NS_MAX_DIMS + 1];
	ns_network *net = NULL;
	ns_object *o = NULL;
	for (unsigned i = 0; i <= NS_MAX_DIMS; i++)
		shape[i] = 1;
	shape[0] = 2;
	NT_OK(ns_network_new(&net, NULL));
	NT_FAILS(NS_EINVAL, ns_population_add(&o, net, "E", 2, shape, NS_MAX_DIMS + 1, NULL));
	NT_OK(ns_population_add(&o, net, "E", 2, shape, NS_MAX_DIMS, NULL));
	ns_network_free(net);
}

Test(engine_build, a_population_keeps_its_size_geometry_and_type)
{
	ns_network *net = two_populations();
	ns_object_info info;
	ns_object_get_info(&info, ns_network_object_find(net, "E"));
	cr_assert_str_eq(info.name, "E");
	cr_assert_eq(info.kind, NS_POPULATION);
	cr_assert_eq(info.size, 8);
	cr_assert_eq(info.ndim, 2);
	cr_assert_eq(info.shape[0], 2);
	cr_assert_eq(info.shape[1], 4);
	cr_assert_str_eq(info.type, "iaf");
	cr_assert_eq(info.n_attrs, 0);
	ns_object_get_info(&info, ns_network_object_find(net, "I"));
	cr_assert_str_eq(info.type, "", "a type not given is \"\"");
	ns_network_free(net);
}

Test(engine_build, a_projection_keeps_its_populations_target_and_type)
{
	et_net n = et_net_new(1, 0);
	ns_object_info info;
	ns_object_get_info(&info, ns_network_object_find(n.net, "IE"));
	cr_assert_eq(info.kind, NS_PROJECTION);
	cr_assert_str_eq(info.pre, "I");
	cr_assert_str_eq(info.post, "E");
	cr_assert_str_eq(info.target, "inh");
	cr_assert_str_eq(info.type, "static");
	cr_assert_eq(info.size, ET_NIE, "a projection's size is its synapse count");
	cr_assert_eq(ns_projection_synapses(ns_network_object_find(n.net, "IE")), ET_NIE);
	cr_assert_eq(ns_projection_synapses(ns_network_object_find(n.net, "E")), 0);
	et_net_free(&n);
}

Test(engine_build, objects_are_listed_in_the_order_they_were_added)
{
	et_net n = et_net_new(1, 0);
	static const char *names[] = { "E", "I", "EE", "IE" };
	ns_object_info info;
	cr_assert_eq(ns_network_object_count(n.net), 4);
	for (size_t i = 0; i < 4; i++) {
		ns_object_get_info(&info, ns_network_object_at(n.net, i));
		cr_assert_str_eq(info.name, names[i]);
	}
	cr_assert_null(ns_network_object_at(n.net, 4));
	cr_assert_null(ns_network_object_find(n.net, "Z"));
	et_net_free(&n);
}

Test(engine_build, a_second_attribute_of_the_same_name_on_one_object_is_refused)
{
	ns_network *net = two_populations();
	ns_object *e = ns_network_object_find(net, "E");
	ns_attr *a = NULL;
	NT_OK(ns_attr_add(&a, e, "v", NS_VARIABLE, NS_LOCAL, NS_DTYPE_F64, NULL, 0));
	a = NULL;
	NT_FAILS(NS_EEXISTS,
		 ns_attr_add(&a, e, "v", NS_PARAMETER, NS_GLOBAL, NS_DTYPE_F32, NULL, 0));
	cr_assert_null(a);
	cr_assert_eq(ns_object_attr_count(e), 1);
	ns_network_free(net);
}

Test(engine_build, two_objects_may_have_attributes_of_the_same_name)
{
	ns_network *net = two_populations();
	ns_attr *a = NULL;
	NT_OK(ns_attr_add(&a, ns_network_object_find(net, "E"), "v", NS_VARIABLE, NS_LOCAL,
			  NS_DTYPE_F64, NULL, 0));
	NT_OK(ns_attr_add(&a, ns_network_object_find(net, "I"), "v", NS_VARIABLE, NS_LOCAL,
			  NS_DTYPE_F64, NULL, 0));
	cr_assert_eq(ns_object_attr_count(ns_network_object_find(net, "I")), 1);
	ns_network_free(net);
}

Test(engine_build, a_bad_attribute_name_is_refused)
{
	ns_network *net = two_populations();
	ns_object *e = ns_network_object_find(net, "E");
	ns_attr *a = NULL;
	NT_FAILS(NS_EINVAL, ns_attr_add(&a, e, "", NS_VARIABLE, NS_LOCAL, NS_DTYPE_F64, NULL, 0));
	NT_FAILS(NS_EINVAL,
		 ns_attr_add(&a, e, "v/w", NS_VARIABLE, NS_LOCAL, NS_DTYPE_F64, NULL, 0));
	NT_FAILS(NS_EINVAL,
		 ns_attr_add(&a, e, "v\x01", NS_VARIABLE, NS_LOCAL, NS_DTYPE_F64, NULL, 0));
	cr_assert_eq(ns_object_attr_count(e), 0);
	ns_network_free(net);
}

Test(engine_build, an_unknown_element_type_or_scope_is_refused)
{
	ns_network *net = two_populations();
	ns_object *e = ns_network_object_find(net, "E");
	ns_attr *a = NULL;
	NT_FAILS(NS_EINVAL,
		 ns_attr_add(&a, e, "v", NS_VARIABLE, NS_LOCAL, (ns_dtype)99, NULL, 0));
	NT_FAILS(NS_EINVAL,
		 ns_attr_add(&a, e, "v", NS_VARIABLE, (ns_scope)7, NS_DTYPE_F64, NULL, 0));
	cr_assert_eq(ns_object_attr_count(e), 0);
	ns_network_free(net);
}

Test(engine_build, a_semiglobal_attribute_of_a_population_is_refused)
{
	ns_network *net = two_populations();
	ns_object *e = ns_network_object_find(net, "E");
	ns_attr *a = NULL;
	NT_FAILS(NS_EINVAL,
		 ns_attr_add(&a, e, "s", NS_VARIABLE, NS_SEMIGLOBAL, NS_DTYPE_F64, NULL, 0));
	cr_assert_eq(ns_object_attr_count(e), 0);
	ns_network_free(net);
}

/* Whichever call refuses it, a projection never ends up with a local
 * attribute whose length is not its synapse count. */
Test(engine_build, a_local_attribute_added_before_the_synapses_is_refused)
{
	ns_network *net = two_populations();
	ns_object *p = NULL;
	ns_attr *a = NULL;
	int32_t pre[3] = { 0, 1, 2 }, post[3] = { 0, 0, 1 };
	int rc;
	NT_OK(ns_projection_add(&p, net, "EI", "E", "I", "exc", NULL));
	rc = ns_attr_add(&a, p, "w", NS_VARIABLE, NS_LOCAL, NS_DTYPE_F64, NULL, 0);
	if (rc == NS_OK)
		NT_FAILS(NS_EBUSY, ns_projection_set_synapses(p, pre, post, 3, 0));
	else
		cr_assert_lt(rc, 0);
	ns_network_free(net);
}

Test(engine_build, synapses_set_again_with_another_count_after_local_attributes_are_busy)
{
	ns_network *net = two_populations();
	ns_object *p = NULL;
	ns_attr *a = NULL;
	int32_t pre[3] = { 0, 1, 2 }, post[3] = { 0, 0, 1 };
	NT_OK(ns_projection_add(&p, net, "EI", "E", "I", "exc", NULL));
	NT_OK(ns_projection_set_synapses(p, pre, post, 3, 0));
	NT_OK(ns_attr_add(&a, p, "w", NS_VARIABLE, NS_LOCAL, NS_DTYPE_F64, NULL, 0));
	NT_FAILS(NS_EBUSY, ns_projection_set_synapses(p, pre, post, 2, 0));
	cr_assert_eq(ns_projection_synapses(p), 3);
	NT_OK(ns_projection_set_synapses(p, pre, post, 3, 0)); /* the same count */
	ns_network_free(net);
}

Test(engine_build, synapses_of_a_population_are_refused)
{
	ns_network *net = two_populations();
	int32_t pre[1] = { 0 }, post[1] = { 0 };
	NT_FAILS(NS_EINVAL,
		 ns_projection_set_synapses(ns_network_object_find(net, "E"), pre, post, 1, 0));
	ns_network_free(net);
}

Test(engine_build, null_synapse_arrays_with_a_count_are_refused)
{
	ns_network *net = two_populations();
	ns_object *p = NULL;
	int32_t pre[1] = { 0 };
	NT_OK(ns_projection_add(&p, net, "EI", "E", "I", "exc", NULL));
	NT_FAILS(NS_EINVAL, ns_projection_set_synapses(p, pre, NULL, 1, 0));
	NT_FAILS(NS_EINVAL, ns_projection_set_synapses(p, NULL, pre, 1, 0));
	cr_assert_eq(ns_projection_synapses(p), 0);
	ns_network_free(net);
}

Test(engine_build, bound_synapses_are_the_callers_arrays)
{
	ns_network *net = two_populations();
	ns_object *p = NULL;
	int32_t pre[2] = { 0, 1 }, post[2] = { 0, 2 };
	const int32_t *gp = NULL, *gq = NULL;
	NT_OK(ns_projection_add(&p, net, "EI", "E", "I", "exc", NULL));
	NT_OK(ns_projection_set_synapses(p, pre, post, 2, 0));
	ns_projection_connectivity(&gp, &gq, p);
	cr_assert_eq(gp, pre);
	cr_assert_eq(gq, post);
	ns_network_free(net);
}

Test(engine_build, copied_synapses_do_not_follow_the_callers_arrays)
{
	ns_network *net = two_populations();
	ns_object *p = NULL;
	int32_t pre[2] = { 0, 1 }, post[2] = { 0, 2 };
	const int32_t *gp = NULL, *gq = NULL;
	NT_OK(ns_projection_add(&p, net, "EI", "E", "I", "exc", NULL));
	NT_OK(ns_projection_set_synapses(p, pre, post, 2, NS_ARRAY_COPY));
	pre[1] = 7;
	post[1] = 1;
	ns_projection_connectivity(&gp, &gq, p);
	cr_assert_neq(gp, pre);
	cr_assert_eq(gp[1], 1);
	cr_assert_eq(gq[1], 2);
	ns_network_free(net);
}

Test(engine_build, an_attribute_without_data_is_owned_and_zeroed)
{
	ns_network *net = two_populations();
	ns_attr *a = NULL;
	ns_attr_info info;
	void *d = NULL;
	static const double zeros[8];
	NT_OK(ns_attr_add(&a, ns_network_object_find(net, "E"), "v", NS_VARIABLE, NS_LOCAL,
			  NS_DTYPE_F64, NULL, 0));
	cr_assert_not_null(a);
	ns_attr_get_info(&info, a);
	cr_assert_eq(info.bound, 0);
	cr_assert_eq(info.count, 8);
	NT_OK(ns_attr_data(&d, a));
	cr_assert_not_null(d);
	cr_assert(memcmp(d, zeros, sizeof zeros) == 0, "an owned array is not zeroed");
	ns_network_free(net);
}

Test(engine_build, a_copied_attribute_does_not_follow_the_callers_array)
{
	ns_network *net = two_populations();
	ns_attr *a = NULL;
	ns_attr_info info;
	int32_t mine[3] = { 4, 5, 6 };
	void *d = NULL;
	NT_OK(ns_attr_add(&a, ns_network_object_find(net, "I"), "r", NS_VARIABLE, NS_LOCAL,
			  NS_DTYPE_I32, mine, NS_ARRAY_COPY));
	mine[0] = 99;
	ns_attr_get_info(&info, a);
	cr_assert_eq(info.bound, 0);
	NT_OK(ns_attr_data(&d, a));
	cr_assert_neq(d, (void *)mine);
	cr_assert_eq(((int32_t *)d)[0], 4);
	cr_assert_eq(((int32_t *)d)[2], 6);
	ns_network_free(net);
}

Test(engine_build, a_bound_attribute_is_the_callers_array)
{
	ns_network *net = two_populations();
	ns_attr *a = NULL;
	ns_attr_info info;
	float mine[3] = { 1, 2, 3 };
	void *d = NULL;
	NT_OK(ns_attr_add(&a, ns_network_object_find(net, "I"), "r", NS_VARIABLE, NS_LOCAL,
			  NS_DTYPE_F32, mine, 0));
	ns_attr_get_info(&info, a);
	cr_assert_eq(info.bound, 1);
	NT_OK(ns_attr_data(&d, a));
	cr_assert_eq(d, (void *)mine);
	ns_network_free(net);
	cr_assert_eq(mine[2], 3.0f, "freeing the network touched a bound array");
}

Test(engine_build, the_length_of_an_attribute_follows_its_scope)
{
	et_net n = et_net_new(1, 0);
	for (size_t k = 0; k < et_n_attrs; k++) {
		const et_attr_def *d = &et_attrs[k];
		ns_attr *a = ns_object_attr_find(ns_network_object_find(n.net, d->object), d->name);
		ns_attr_info info;
		cr_assert_not_null(a, "%s.%s", d->object, d->name);
		ns_attr_get_info(&info, a);
		cr_assert_eq(info.count, d->count, "%s.%s has %llu values, not %llu", d->object,
			     d->name, (unsigned long long)info.count,
			     (unsigned long long)d->count);
		cr_assert_eq(info.scope, d->scope);
		cr_assert_eq(info.dtype, d->dtype);
		cr_assert_eq(info.kind, d->kind);
	}
	et_net_free(&n);
}

Test(engine_build, the_time_and_dt_are_kept)
{
	ns_network *net = NULL;
	double t = -1;
	uint64_t step = 0;
	NT_OK(ns_network_new(&net, "clock"));
	cr_assert_str_eq(ns_network_name(net), "clock");
	ns_network_set_time(net, 12.5, 125);
	ns_network_set_dt(net, 0.1);
	ns_network_time(net, &t, &step);
	cr_assert_eq(t, 12.5);
	cr_assert_eq(step, 125);
	cr_assert_eq(ns_network_dt(net), 0.1);
	ns_network_free(net);
}

Test(engine_build, a_dictionary_entry_set_again_is_replaced)
{
	ns_network *net = NULL;
	const char *key = NULL, *str = NULL;
	double num = 0;
	NT_OK(ns_network_new(&net, NULL));
	NT_OK(ns_network_set_meta(net, "r_min", "low", 0));
	NT_OK(ns_network_set_meta(net, "r_min", NULL, 0.25));
	cr_assert_eq(ns_network_meta_count(net), 1);
	NT_OK(ns_network_meta_at(&key, &str, &num, net, 0));
	cr_assert_str_eq(key, "r_min");
	cr_assert_null(str, "a number entry has a string");
	cr_assert_eq(num, 0.25);
	ns_network_free(net);
}

Test(engine_build, a_dictionary_entry_with_an_empty_key_is_refused)
{
	ns_network *net = NULL;
	const char *key = NULL, *str = NULL;
	double num = 0;
	NT_OK(ns_network_new(&net, NULL));
	NT_FAILS(NS_EINVAL, ns_network_set_meta(net, "", "x", 0));
	cr_assert_eq(ns_network_meta_count(net), 0);
	NT_FAILS(NS_EINVAL, ns_network_meta_at(&key, &str, &num, net, 0));
	ns_network_free(net);
}
