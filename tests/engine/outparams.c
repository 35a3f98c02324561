/* SPDX-License-Identifier: MIT */
/* Out-parameters of the engine's functions: those a caller may not need
 * accept NULL (as ns_attr_add() always did); required ones are checked
 * (NS_EINVAL naming the function and the parameter), never a crash. */
#include "engine_util.h"

#include <string.h>

#define NT_EINVAL_NAMING(expr, text)                \
	do {                                        \
		NT_FAILS(NS_EINVAL, expr);          \
		NT_MESSAGE_HAS(text);               \
	} while (0)

Test(engine_outparams, a_network_needs_a_place_for_its_handle)
{
	NT_EINVAL_NAMING(ns_network_new(NULL, "n"), "ns_network_new: out must not be NULL");
}

Test(engine_outparams, objects_and_attributes_may_be_added_without_their_handle)
{
	static const uint64_t shape[] = { 2, 3 };
	int32_t pre[2] = { 0, 1 }, post[2] = { 1, 0 };
	double v[6] = { 0 }, w[2] = { 0 };
	ns_network *net = NULL;
	ns_object *p;
	ns_object_info info;
	NT_OK(ns_network_new(&net, "n"));
	NT_OK(ns_population_add(NULL, net, "A", 6, shape, 2, "iaf"));
	NT_OK(ns_population_add(NULL, net, "B", 2, NULL, 0, NULL));
	NT_OK(ns_projection_add(NULL, net, "P", "A", "B", "exc", NULL));
	cr_assert_eq(ns_network_object_count(net), 3);
	cr_assert_not_null(p = ns_network_object_find(net, "P"));
	NT_OK(ns_projection_set_synapses(p, pre, post, 2, 0));
	NT_OK(ns_attr_add(NULL, ns_network_object_find(net, "A"), "v", NS_VARIABLE, NS_LOCAL,
			  NS_DTYPE_F64, v, 0));
	NT_OK(ns_attr_add(NULL, p, "w", NS_VARIABLE, NS_LOCAL, NS_DTYPE_F64, w, 0));
	ns_object_get_info(&info, ns_network_object_find(net, "A"));
	cr_assert_eq(info.ndim, 2);
	cr_assert_eq(info.n_attrs, 1);
	ns_object_get_info(&info, p);
	cr_assert_str_eq(info.pre, "A");
	cr_assert_eq(info.n_attrs, 1);
	/* The failures are still failures without a handle. */
	NT_FAILS(NS_EEXISTS, ns_population_add(NULL, net, "A", 1, NULL, 0, NULL));
	NT_FAILS(NS_ENOTFOUND, ns_projection_add(NULL, net, "Q", "A", "C", NULL, NULL));
	cr_assert_eq(ns_network_object_count(net), 3);
	ns_network_free(net);
}

Test(engine_outparams, dictionary_entries_and_connectivity_may_be_read_in_part)
{
	int32_t pre[2] = { 0, 1 }, post[2] = { 1, 0 };
	const int32_t *got = NULL;
	const char *key = NULL, *string = "unset";
	double number = 0;
	ns_network *net = NULL;
	ns_object *p = NULL;
	NT_OK(ns_network_new(&net, "n"));
	NT_OK(ns_network_set_meta(net, "seed", NULL, 42));
	NT_OK(ns_network_meta_at(&key, NULL, NULL, net, 0));
	cr_assert_str_eq(key, "seed");
	NT_OK(ns_network_meta_at(NULL, &string, NULL, net, 0));
	cr_assert_null(string);
	NT_OK(ns_network_meta_at(NULL, NULL, &number, net, 0));
	cr_assert_eq(number, 42);
	NT_FAILS(NS_EINVAL, ns_network_meta_at(NULL, NULL, NULL, net, 1));
	NT_OK(ns_population_add(NULL, net, "A", 2, NULL, 0, NULL));
	NT_OK(ns_projection_add(&p, net, "P", "A", "A", NULL, NULL));
	NT_OK(ns_projection_set_synapses(p, pre, post, 2, 0));
	ns_projection_connectivity(&got, NULL, p);
	cr_assert_eq(got, pre);
	ns_projection_connectivity(NULL, &got, p);
	cr_assert_eq(got, post);
	ns_projection_connectivity(NULL, NULL, p);
	ns_network_free(net);
}

Test(engine_outparams, describing_into_null_does_nothing)
{
	et_net n = et_net_new(1, 0);
	ns_object *e = ns_network_object_find(n.net, "E");
	ns_object_get_info(NULL, e);
	ns_attr_get_info(NULL, ns_object_attr_find(e, "v"));
	cr_assert_eq(ns_object_attr_count(e), 12);
	et_net_free(&n);
}

Test(engine_outparams, attribute_data_and_reads_need_their_buffers)
{
	et_net n = et_net_new(1, 0);
	ns_attr *v = ns_object_attr_find(ns_network_object_find(n.net, "E"), "v");
	NT_EINVAL_NAMING(ns_attr_data(NULL, v), "ns_attr_data: out must not be NULL");
	NT_MESSAGE_HAS("attribute 'v'");
	NT_EINVAL_NAMING(ns_attr_read(NULL, NS_DTYPE_F64, v), "ns_attr_read: buf must not be NULL");
	NT_MESSAGE_HAS("attribute 'v'");
	et_net_free(&n);
}

Test(engine_outparams, snapshot_restore_and_parameters_may_leave_out_their_results)
{
	ns_store *s = nt_store_new("s.nsnap", 0, NS_CODEC_RAW);
	et_net a = et_net_new(1, 0), b = et_net_new(2, 0);
	ns_param p = { "E", "tau", 7.5 };
	NT_OK(ns_snapshot(NULL, s, a.net, NULL));
	NT_OK(ns_restore(NULL, s, "HEAD", b.net, NULL));
	cr_assert(et_attr_equal(a.st, b.st, et_attr_def_find("E", "v")));
	NT_OK(ns_params_set(NULL, NULL, s, "HEAD", &p, 1, NULL));
	cr_assert_eq(nt_resolve(s, "HEAD"), 2);
	et_net_free(&a);
	et_net_free(&b);
	ns_store_close(s);
}

Test(engine_outparams, opening_a_network_needs_a_place_for_its_handle)
{
	ns_store *s = nt_store_new("s.nsnap", 0, NS_CODEC_RAW);
	et_net a = et_net_new(1, 0);
	et_snapshot(s, a.net);
	NT_EINVAL_NAMING(ns_network_open(NULL, s, "HEAD"), "ns_network_open: out must not be NULL");
	et_net_free(&a);
	ns_store_close(s);
}

Test(engine_outparams, a_restore_needs_a_network)
{
	ns_store *s = nt_store_new("s.nsnap", 0, NS_CODEC_RAW);
	et_net a = et_net_new(1, 0);
	et_snapshot(s, a.net);
	NT_EINVAL_NAMING(ns_restore(NULL, s, "HEAD", NULL, NULL), "ns_restore: no network given");
	et_net_free(&a);
	ns_store_close(s);
}

Test(engine_outparams, a_diff_needs_a_place_for_its_result)
{
	ns_store *s = nt_store_new("s.nsnap", 0, NS_CODEC_RAW);
	et_net a = et_net_new(1, 0);
	et_snapshot(s, a.net);
	NT_EINVAL_NAMING(ns_diff_versions(NULL, s, "HEAD", "HEAD", NULL),
			 "ns_diff_versions: out must not be NULL");
	et_net_free(&a);
	ns_store_close(s);
}
