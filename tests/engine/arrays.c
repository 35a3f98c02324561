/* SPDX-License-Identifier: MIT */
/* Arrays of any length: network-wide arrays (a random generator's state)
 * and attributes of scope NS_ARRAY (spikes in transit of a projection),
 * snapshot, opened, restored, diffed and checked like every attribute. */
#include "util.h"

#include <nsnap/diff.h>
#include <string.h>

/* A population E of 4 neurons, a projection EE with 3 synapses, a queue
 * of 5 spikes in transit on EE and a 6-word random state of the network. */
typedef struct arrays_net {
	ns_network *net;
	double v[4];
	int32_t pre[3], post[3];
	int32_t queue[5];
	int64_t rng[6];
} arrays_net;

static void arrays_build(arrays_net *a, int64_t seed)
{
	ns_object *e, *ee;
	static const int32_t pre[3] = { 0, 1, 3 }, post[3] = { 1, 2, 2 };
	memcpy(a->pre, pre, sizeof pre);
	memcpy(a->post, post, sizeof post);
	for (int i = 0; i < 4; i++)
		a->v[i] = -70 + i;
	for (int i = 0; i < 5; i++)
		a->queue[i] = 10 * i;
	for (int i = 0; i < 6; i++)
		a->rng[i] = seed + ((int64_t)1 << 62) + i;
	NT_OK(ns_network_new(&a->net, "n"));
	NT_OK(ns_population_add(&e, a->net, "E", 4, NULL, 0, NULL));
	NT_OK(ns_attr_add(NULL, e, "v", NS_VARIABLE, NS_LOCAL, NS_DTYPE_F64, a->v, 0));
	NT_OK(ns_projection_add(&ee, a->net, "EE", "E", "E", "exc", NULL));
	NT_OK(ns_projection_set_synapses(ee, a->pre, a->post, 3, 0));
	NT_OK(ns_attr_add_array(NULL, ee, "queue", NS_VARIABLE, NS_DTYPE_I32, 5, a->queue, 0));
	NT_OK(ns_network_attr_add(NULL, a->net, "rng", NS_VARIABLE, NS_DTYPE_I64, 6, a->rng, 0));
	ns_network_set_time(a->net, 100, 1000);
}

Test(engine_arrays, network_wide_and_array_attributes_read_back_from_an_opened_version)
{
	ns_store *s = nt_store_new("s.nsnap", 0, NS_CODEC_RAW);
	arrays_net a;
	ns_network *o;
	ns_attr *at;
	ns_attr_info info;
	const int64_t *rng;
	const int32_t *q;
	arrays_build(&a, 7);
	NT_OK(ns_snapshot(NULL, s, a.net, NULL));
	NT_OK(ns_network_open(&o, s, "HEAD"));
	cr_assert_eq(ns_network_attr_count(o), 1);
	cr_assert_not_null(at = ns_network_attr_find(o, "rng"));
	ns_attr_get_info(&info, at);
	cr_assert_eq(info.scope, NS_ARRAY);
	cr_assert_eq(info.count, 6);
	NT_OK(ns_attr_data((void **)&rng, at));
	cr_assert(memcmp(rng, a.rng, sizeof a.rng) == 0);
	cr_assert_not_null(at = ns_object_attr_find(ns_network_object_find(o, "EE"), "queue"));
	NT_OK(ns_attr_data((void **)&q, at));
	cr_assert(memcmp(q, a.queue, sizeof a.queue) == 0);
	/* Not among the objects. */
	cr_assert_eq(ns_network_object_count(o), 2);
	ns_network_free(o);
	ns_network_free(a.net);
	ns_store_close(s);
}

Test(engine_arrays, restore_writes_them_with_the_time_and_no_time_leaves_them)
{
	ns_store *s = nt_store_new("s.nsnap", 0, NS_CODEC_ZSTD);
	ns_restore_opts ro = NS_RESTORE_OPTS_INIT;
	arrays_net a, b;
	arrays_build(&a, 7);
	arrays_build(&b, 9);
	NT_OK(ns_snapshot(NULL, s, a.net, NULL));
	ro.no_time = 1;
	NT_OK(ns_restore(NULL, s, "HEAD", b.net, &ro));
	cr_assert_eq(b.rng[0], 9 + ((int64_t)1 << 62), "no_time restored the network's arrays");
	cr_assert(memcmp(b.queue, a.queue, sizeof a.queue) == 0);
	NT_OK(ns_restore(NULL, s, "HEAD", b.net, NULL));
	cr_assert(memcmp(b.rng, a.rng, sizeof a.rng) == 0);
	ns_network_free(a.net);
	ns_network_free(b.net);
	ns_store_close(s);
}

Test(engine_arrays, a_different_length_is_a_mismatch_and_changes_nothing)
{
	ns_store *s = nt_store_new("s.nsnap", 0, NS_CODEC_RAW);
	arrays_net a;
	ns_network *b;
	ns_object *e;
	double v[4] = { 1, 2, 3, 4 };
	int64_t rng[5] = { 1, 2, 3, 4, 5 };
	arrays_build(&a, 7);
	NT_OK(ns_snapshot(NULL, s, a.net, NULL));
	NT_OK(ns_network_new(&b, "n"));
	NT_OK(ns_population_add(&e, b, "E", 4, NULL, 0, NULL));
	NT_OK(ns_attr_add(NULL, e, "v", NS_VARIABLE, NS_LOCAL, NS_DTYPE_F64, v, 0));
	NT_OK(ns_network_attr_add(NULL, b, "rng", NS_VARIABLE, NS_DTYPE_I64, 5, rng, 0));
	NT_FAILS(NS_EMISMATCH, ns_restore(NULL, s, "HEAD", b, NULL));
	NT_MESSAGE_HAS("'network': attribute 'rng' is array with 6 values in the version");
	cr_assert_eq(v[0], 1);
	cr_assert_eq(rng[4], 5);
	ns_network_free(b);
	ns_network_free(a.net);
	ns_store_close(s);
}

Test(engine_arrays, arrays_on_one_side_only_are_skipped_and_reported_or_refused_when_strict)
{
	ns_store *s = nt_store_new("s.nsnap", 0, NS_CODEC_RAW);
	ns_restore_opts ro = NS_RESTORE_OPTS_INIT;
	ns_restore_report *rep = NULL;
	arrays_net a;
	ns_network *b;
	ns_object *e;
	double v[4] = { 0 };
	int found = 0;
	arrays_build(&a, 7);
	NT_OK(ns_snapshot(NULL, s, a.net, NULL));
	NT_OK(ns_network_new(&b, "n"));
	NT_OK(ns_population_add(&e, b, "E", 4, NULL, 0, NULL));
	NT_OK(ns_attr_add(NULL, e, "v", NS_VARIABLE, NS_LOCAL, NS_DTYPE_F64, v, 0));
	NT_OK(ns_restore(&rep, s, "HEAD", b, NULL));
	for (size_t i = 0; i < rep->n_items; i++)
		if (strcmp(rep->items[i].object, "") == 0 && strcmp(rep->items[i].attr, "rng") == 0)
			found = rep->items[i].status == NS_STORE_ONLY;
	cr_assert(found, "the network's array is not reported as in the version only");
	cr_assert_eq(v[3], -67);
	ns_restore_report_free(rep);
	ro.strict = 1;
	NT_FAILS(NS_EMISMATCH, ns_restore(NULL, s, "HEAD", b, &ro));
	ns_network_free(b);
	ns_network_free(a.net);
	ns_store_close(s);
}

Test(engine_arrays, a_changed_random_state_makes_versions_differ)
{
	ns_store *s = nt_store_new("s.nsnap", 0, NS_CODEC_RAW);
	arrays_net a;
	ns_diff *d;
	const ns_diff_object *net_obj = NULL;
	arrays_build(&a, 7);
	NT_OK(ns_snapshot(NULL, s, a.net, NULL));
	NT_OK(ns_snapshot(NULL, s, a.net, NULL));
	a.rng[5] ^= 1;
	NT_OK(ns_snapshot(NULL, s, a.net, NULL));
	NT_OK(ns_diff_versions(&d, s, "1", "2", NULL));
	cr_assert(d->equal);
	ns_diff_free(d);
	NT_OK(ns_diff_versions(&d, s, "2", "3", NULL));
	cr_assert(!d->equal);
	for (size_t i = 0; i < d->n_objects; i++)
		if (d->objects[i].kind == NS_NETWORK_ITSELF)
			net_obj = &d->objects[i];
	cr_assert_not_null(net_obj);
	cr_assert_str_eq(net_obj->name, "");
	cr_assert_eq(net_obj->change, NS_CHANGED);
	cr_assert_eq(net_obj->attrs[0].changed, 1);
	cr_assert_eq(net_obj->attrs[0].max_abs_u64, 1);
	ns_diff_free(d);
	ns_network_free(a.net);
	ns_store_close(s);
}

Test(engine_arrays, adding_them_checks_scope_and_names)
{
	ns_network *net;
	ns_object *e;
	int64_t x[2];
	NT_OK(ns_network_new(&net, "n"));
	NT_OK(ns_population_add(&e, net, "E", 4, NULL, 0, NULL));
	NT_FAILS(NS_EINVAL, ns_attr_add(NULL, e, "q", NS_VARIABLE, NS_ARRAY, NS_DTYPE_I64, x, 0));
	NT_MESSAGE_HAS("ns_attr_add_array()");
	NT_OK(ns_network_attr_add(NULL, net, "rng", NS_VARIABLE, NS_DTYPE_I64, 2, x, 0));
	NT_FAILS(NS_EEXISTS, ns_network_attr_add(NULL, net, "rng", NS_VARIABLE, NS_DTYPE_I64, 2,
						 x, 0));
	NT_FAILS(NS_EINVAL, ns_network_attr_add(NULL, net, "a/b", NS_VARIABLE, NS_DTYPE_I64, 2,
						x, 0));
	/* An object may share a name with a network-wide array. */
	NT_OK(ns_population_add(NULL, net, "rng", 1, NULL, 0, NULL));
	cr_assert_eq(ns_network_attr_count(net), 1);
	cr_assert_null(ns_network_attr_at(net, 1));
	ns_network_free(net);
}

Test(engine_arrays, a_network_without_them_keeps_the_first_manifest_format)
{
	ns_store *s = nt_store_new("s.nsnap", 0, NS_CODEC_RAW);
	arrays_net a;
	ns_network *plain;
	ns_version *v;
	const void *blob;
	size_t size;
	NT_OK(ns_network_new(&plain, "p"));
	NT_OK(ns_population_add(NULL, plain, "E", 4, NULL, 0, NULL));
	NT_OK(ns_snapshot(NULL, s, plain, NULL));
	arrays_build(&a, 7);
	NT_OK(ns_snapshot(NULL, s, a.net, NULL));
	NT_OK(ns_version_open(&v, s, "1"));
	ns_version_blob(&blob, &size, v);
	cr_assert_eq(((const unsigned char *)blob)[3], 1, "an older nsnap could not read it");
	ns_version_close(v);
	NT_OK(ns_version_open(&v, s, "2"));
	ns_version_blob(&blob, &size, v);
	cr_assert_eq(((const unsigned char *)blob)[3], 2);
	ns_version_close(v);
	ns_network_free(plain);
	ns_network_free(a.net);
	ns_store_close(s);
}
