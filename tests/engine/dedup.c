/* SPDX-License-Identifier: MIT */
/* A snapshot costs only the arrays that changed. */
#include "engine_util.h"

#include <stdlib.h>

enum { N = 1000, NSYN = 20000 };

struct big {
	ns_network *net;
	double va[N], vb[N];
	int32_t pre[NSYN], post[NSYN], delay[NSYN];
	double w[NSYN];
};

/* A (1000) -> B (1000), 20 synapses per post neuron, sorted. */
static struct big *big_new(void)
{
	struct big *b = calloc(1, sizeof *b);
	ns_object *o = NULL;
	ns_attr *a = NULL;
	cr_assert_not_null(b);
	for (int i = 0; i < N; i++) {
		b->va[i] = -65.0 + i * 0.01;
		b->vb[i] = -70.0 + i * 0.02;
	}
	for (int i = 0; i < NSYN; i++) {
		b->post[i] = i / 20;
		b->pre[i] = (i % 20) * 50;
		b->w[i] = 0.001 * i;
		b->delay[i] = 1 + i % 5;
	}
	NT_OK(ns_network_new(&b->net, "big"));
	NT_OK(ns_population_add(&o, b->net, "A", N, NULL, 0, NULL));
	NT_OK(ns_attr_add(&a, o, "v", NS_VARIABLE, NS_LOCAL, NS_DTYPE_F64, b->va, 0));
	NT_OK(ns_population_add(&o, b->net, "B", N, NULL, 0, NULL));
	NT_OK(ns_attr_add(&a, o, "v", NS_VARIABLE, NS_LOCAL, NS_DTYPE_F64, b->vb, 0));
	NT_OK(ns_projection_add(&o, b->net, "AB", "A", "B", "exc", NULL));
	NT_OK(ns_projection_set_synapses(o, b->pre, b->post, NSYN, 0));
	NT_OK(ns_attr_add(&a, o, "w", NS_VARIABLE, NS_LOCAL, NS_DTYPE_F64, b->w, 0));
	NT_OK(ns_attr_add(&a, o, "delay", NS_PARAMETER, NS_LOCAL, NS_DTYPE_I32, b->delay, 0));
	ns_network_set_time(b->net, 1000.0, 10000);
	return b;
}

static void big_free(struct big *b)
{
	ns_network_free(b->net);
	free(b);
}

Test(engine_dedup, a_snapshot_with_only_the_weights_changed_costs_about_the_weights)
{
	ns_store *s = nt_store_new("s.nsnap", 4096, NS_CODEC_RAW);
	struct big *b = big_new();
	const uint64_t wbytes = sizeof b->w;
	uint64_t v, cost;
	et_snapshot(s, b->net);
	for (int i = 0; i < NSYN; i++)
		b->w[i] += 1.0;
	v = et_snapshot(s, b->net);
	cost = nt_new_bytes(s, v);
	cr_assert_geq(cost, wbytes, "%llu new bytes for %llu bytes of new weights",
		      (unsigned long long)cost, (unsigned long long)wbytes);
	cr_assert_leq(cost, wbytes * 105 / 100 + 8192, "%llu new bytes for %llu of weights",
		      (unsigned long long)cost, (unsigned long long)wbytes);
	big_free(b);
	ns_store_close(s);
}

Test(engine_dedup, a_snapshot_of_an_unchanged_network_adds_no_chunks)
{
	ns_store *s = nt_store_new("s.nsnap", 4096, NS_CODEC_RAW);
	struct big *b = big_new();
	ns_store_stats before;
	uint64_t v;
	et_snapshot(s, b->net);
	before = nt_stats(s);
	v = et_snapshot(s, b->net);
	cr_assert_eq(nt_new_bytes(s, v), 0);
	cr_assert_eq(nt_stats(s).chunks, before.chunks);
	cr_assert_eq(nt_stats(s).versions, 2);
	big_free(b);
	ns_store_close(s);
}

Test(engine_dedup, a_snapshot_with_one_weight_changed_costs_one_chunk)
{
	ns_store *s = nt_store_new("s.nsnap", 4096, NS_CODEC_RAW);
	struct big *b = big_new();
	ns_store_stats before;
	uint64_t v;
	et_snapshot(s, b->net);
	before = nt_stats(s);
	b->w[12345] = -1.0;
	v = et_snapshot(s, b->net);
	cr_assert_leq(nt_new_bytes(s, v), 4096);
	cr_assert_gt(nt_new_bytes(s, v), 0);
	cr_assert_eq(nt_stats(s).chunks, before.chunks + 1);
	big_free(b);
	ns_store_close(s);
}
