/* SPDX-License-Identifier: MIT */
/* Connectivity in any order: a synapse is its (pre, post) pair, plus its
 * position among the duplicates of that pair. */
#include "engine_util.h"

#include <string.h>

enum { NA = 5, NB = 4, NS = 7 };

/* The synapses of the saved network, not sorted, with the multapse (2, 1)
 * twice: first with weight 2, then with weight 5. */
static const int32_t src_pre[NS] = { 4, 2, 0, 3, 2, 1, 0 };
static const int32_t src_post[NS] = { 3, 1, 0, 1, 1, 3, 2 };
static const double src_w[NS] = { 1, 2, 3, 4, 5, 6, 7 };

/* The same synapses in another order, and the weight each should get. */
static const int32_t dst_pre[NS] = { 1, 2, 0, 3, 4, 0, 2 };
static const int32_t dst_post[NS] = { 3, 1, 2, 1, 3, 0, 1 };
static const double dst_expected[NS] = { 6, 2, 7, 4, 1, 3, 5 };
static const int dst_is_multapse[NS] = { 0, 1, 0, 0, 0, 0, 1 };

/* By post, then pre; the multapse in the saved order. */
static const int32_t sorted_pre[NS] = { 0, 2, 2, 3, 0, 1, 4 };
static const int32_t sorted_post[NS] = { 0, 1, 1, 1, 2, 3, 3 };
static const double sorted_w[NS] = { 3, 2, 5, 4, 7, 6, 1 };

struct arrays {
	int32_t pre[NS], post[NS];
	double w[NS];
	int32_t tag[NS];
	double s[NB];
};

/* Populations A (5) and B (4), projection P from A to B bound to @a. */
static ns_network *build(struct arrays *a)
{
	ns_network *net = NULL;
	ns_object *o = NULL;
	ns_attr *x = NULL;
	NT_OK(ns_network_new(&net, "order"));
	NT_OK(ns_population_add(&o, net, "A", NA, NULL, 0, NULL));
	NT_OK(ns_population_add(&o, net, "B", NB, NULL, 0, NULL));
	NT_OK(ns_projection_add(&o, net, "P", "A", "B", "exc", NULL));
	NT_OK(ns_projection_set_synapses(o, a->pre, a->post, NS, 0));
	NT_OK(ns_attr_add(&x, o, "w", NS_VARIABLE, NS_LOCAL, NS_DTYPE_F64, a->w, 0));
	NT_OK(ns_attr_add(&x, o, "tag", NS_PARAMETER, NS_LOCAL, NS_DTYPE_I32, a->tag, 0));
	NT_OK(ns_attr_add(&x, o, "s", NS_VARIABLE, NS_SEMIGLOBAL, NS_DTYPE_F64, a->s, 0));
	return net;
}

static void saved_arrays(struct arrays *a)
{
	memset(a, 0, sizeof *a);
	memcpy(a->pre, src_pre, sizeof src_pre);
	memcpy(a->post, src_post, sizeof src_post);
	memcpy(a->w, src_w, sizeof src_w);
	for (int i = 0; i < NS; i++)
		a->tag[i] = 10 + (int32_t)src_w[i];
	for (int j = 0; j < NB; j++)
		a->s[j] = 0.5 + j;
}

static void live_arrays(struct arrays *a)
{
	memset(a, 0, sizeof *a);
	memcpy(a->pre, dst_pre, sizeof dst_pre);
	memcpy(a->post, dst_post, sizeof dst_post);
}

/* Snapshot the saved network into @s and restore it into @live. */
static void save_and_restore(ns_store *s, struct arrays *live)
{
	struct arrays saved;
	ns_network *src, *dst;
	saved_arrays(&saved);
	src = build(&saved);
	live_arrays(live);
	dst = build(live);
	et_snapshot(s, src);
	ns_restore_report_free(et_restore(s, "HEAD", dst));
	ns_network_free(src);
	ns_network_free(dst);
}

Test(engine_order, each_synapse_gets_its_own_values_back_in_another_order)
{
	ns_store *s = nt_store_new("s.nsnap", 4096, NS_CODEC_RAW);
	struct arrays live;
	save_and_restore(s, &live);
	for (int i = 0; i < NS; i++) {
		if (dst_is_multapse[i])
			continue;
		cr_assert_eq(live.w[i], dst_expected[i], "synapse (%d, %d): w %g, not %g",
			     dst_pre[i], dst_post[i], live.w[i], dst_expected[i]);
		cr_assert_eq(live.tag[i], 10 + (int32_t)dst_expected[i]);
	}
	ns_store_close(s);
}

Test(engine_order, multapses_keep_their_relative_order)
{
	ns_store *s = nt_store_new("s.nsnap", 4096, NS_CODEC_RAW);
	struct arrays live;
	save_and_restore(s, &live);
	cr_assert_eq(live.w[1], 2.0, "the first (2, 1) got %g", live.w[1]);
	cr_assert_eq(live.w[6], 5.0, "the second (2, 1) got %g", live.w[6]);
	ns_store_close(s);
}

Test(engine_order, semiglobal_values_follow_the_post_neuron_not_the_synapse_order)
{
	ns_store *s = nt_store_new("s.nsnap", 4096, NS_CODEC_RAW);
	struct arrays live;
	save_and_restore(s, &live);
	for (int j = 0; j < NB; j++)
		cr_assert_eq(live.s[j], 0.5 + j);
	ns_store_close(s);
}

Test(engine_order, a_snapshot_leaves_unsorted_bound_arrays_as_they_were)
{
	ns_store *s = nt_store_new("s.nsnap", 4096, NS_CODEC_RAW);
	struct arrays saved, copy;
	ns_network *src;
	saved_arrays(&saved);
	copy = saved;
	src = build(&saved);
	et_snapshot(s, src);
	cr_assert(memcmp(&copy, &saved, sizeof saved) == 0, "the snapshot reordered them");
	ns_network_free(src);
	ns_store_close(s);
}

Test(engine_order, an_opened_version_lists_synapses_by_post_then_pre)
{
	ns_store *s = nt_store_new("s.nsnap", 4096, NS_CODEC_RAW);
	struct arrays saved;
	ns_network *src, *opened = NULL;
	const int32_t *pre = NULL, *post = NULL;
	double w[NS];
	saved_arrays(&saved);
	src = build(&saved);
	et_snapshot(s, src);
	NT_OK(ns_network_open(&opened, s, "HEAD"));
	ns_projection_connectivity(&pre, &post, ns_network_object_find(opened, "P"));
	cr_assert_not_null(pre);
	cr_assert_not_null(post);
	for (int i = 0; i < NS; i++) {
		cr_assert_eq(pre[i], sorted_pre[i], "synapse %d: pre %d", i, pre[i]);
		cr_assert_eq(post[i], sorted_post[i], "synapse %d: post %d", i, post[i]);
	}
	cr_assert_eq(et_read_f64(w, NS, opened, "P", "w"), NS);
	for (int i = 0; i < NS; i++)
		cr_assert_eq(w[i], sorted_w[i], "synapse %d: w %g, not %g", i, w[i], sorted_w[i]);
	ns_network_free(opened);
	ns_network_free(src);
	ns_store_close(s);
}

/* Neuron indices far beyond the synapse count take the comparison sort
 * (a counting sort would need a bucket per neuron): the same order. */
Test(engine_order, synapses_between_large_populations_are_ordered_the_same)
{
	enum { BIG = 300000 };
	static const int32_t pre[4] = { 5, BIG - 1, 7, 5 }, post[4] = { BIG - 2, 3, 3, BIG - 2 };
	static const double w[4] = { 1, 2, 3, 4 };
	ns_store *s = nt_store_new("big.nsnap", 0, NS_CODEC_RAW);
	int32_t p[4], q[4];
	double ww[4];
	ns_network *net, *opened;
	ns_object *o;
	const int32_t *sp, *sq;
	const double *sw;
	memcpy(p, pre, sizeof p);
	memcpy(q, post, sizeof q);
	memcpy(ww, w, sizeof ww);
	NT_OK(ns_network_new(&net, "big"));
	NT_OK(ns_population_add(NULL, net, "A", BIG, NULL, 0, NULL));
	NT_OK(ns_projection_add(&o, net, "P", "A", "A", "exc", NULL));
	NT_OK(ns_projection_set_synapses(o, p, q, 4, 0));
	NT_OK(ns_attr_add(NULL, o, "w", NS_VARIABLE, NS_LOCAL, NS_DTYPE_F64, ww, 0));
	NT_OK(ns_snapshot(NULL, s, net, NULL));
	NT_OK(ns_network_open(&opened, s, "HEAD"));
	o = ns_network_object_find(opened, "P");
	ns_projection_connectivity(&sp, &sq, o);
	NT_OK(ns_attr_data((void **)&sw, ns_object_attr_find(o, "w")));
	/* By post, then pre, the multapse (5, BIG-2) in its order: w 1 then 4. */
	cr_assert(sq[0] == 3 && sp[0] == 7 && sw[0] == 3);
	cr_assert(sq[1] == 3 && sp[1] == BIG - 1 && sw[1] == 2);
	cr_assert(sq[2] == BIG - 2 && sp[2] == 5 && sw[2] == 1);
	cr_assert(sq[3] == BIG - 2 && sp[3] == 5 && sw[3] == 4);
	ns_network_free(opened);
	ns_network_free(net);
	ns_store_close(s);
}

/* A snapshot keys gathered arrays by their content, and a restore skips
 * what the network holds already: neither may miss a change. */
static void assert_version_w(ns_store *s, const char *rev, const double *expected)
{
	ns_network *opened = NULL;
	double w[NS];
	NT_OK(ns_network_open(&opened, s, rev));
	cr_assert_eq(et_read_f64(w, NS, opened, "P", "w"), NS);
	for (int i = 0; i < NS; i++)
		cr_assert_eq(w[i], expected[i], "version %s, synapse %d: w %g, not %g", rev, i, w[i],
			     expected[i]);
	ns_network_free(opened);
}

Test(engine_order, a_later_snapshot_keeps_what_changed_in_place)
{
	ns_store *s = nt_store_new("s.nsnap", 4096, NS_CODEC_RAW);
	struct arrays a;
	double changed[NS];
	ns_network *net;
	saved_arrays(&a);
	net = build(&a);
	et_snapshot(s, net);
	a.w[0] += 100; /* synapse (4, 3): the last in the store's order */
	memcpy(changed, sorted_w, sizeof changed);
	changed[NS - 1] += 100;
	et_snapshot(s, net);
	assert_version_w(s, "1", sorted_w);
	assert_version_w(s, "2", changed);
	ns_network_free(net);
	ns_store_close(s);
}

Test(engine_order, a_restore_into_the_snapshotted_network_writes_what_changed)
{
	ns_store *s = nt_store_new("s.nsnap", 4096, NS_CODEC_RAW);
	struct arrays a, before;
	ns_network *net;
	saved_arrays(&a);
	before = a;
	net = build(&a);
	et_snapshot(s, net);
	for (int i = 0; i < NS; i++) {
		a.w[i] = -1;
		a.tag[i] = -1;
	}
	ns_restore_report_free(et_restore(s, "1", net));
	cr_assert(memcmp(&a, &before, sizeof a) == 0, "the restore left changed values");
	ns_network_free(net);
	ns_store_close(s);
}

Test(engine_order, a_restore_into_the_snapshotted_network_checks_changed_synapses)
{
	ns_store *s = nt_store_new("s.nsnap", 4096, NS_CODEC_RAW);
	struct arrays a, before;
	ns_restore_report *report = NULL;
	ns_network *net;
	saved_arrays(&a);
	net = build(&a);
	et_snapshot(s, net);
	a.post[0] = 0; /* (4, 3) becomes (4, 0) */
	a.w[1] = -1;
	before = a;
	NT_FAILS(NS_EMISMATCH, ns_restore(&report, s, "1", net, NULL));
	cr_assert(memcmp(&a, &before, sizeof a) == 0, "a failed restore changed the network");
	ns_network_free(net);
	ns_store_close(s);
}

/* Populations A (@ni) and B (@nj), projection P from A to B of @n synapses
 * bound to @pre, @post, with the weights @w. */
static ns_network *one_projection(const char *name, uint64_t ni, uint64_t nj, int32_t *pre,
				  int32_t *post, double *w, uint64_t n)
{
	ns_network *net;
	ns_object *o;
	NT_OK(ns_network_new(&net, name));
	NT_OK(ns_population_add(NULL, net, "A", ni, NULL, 0, NULL));
	NT_OK(ns_population_add(NULL, net, "B", nj, NULL, 0, NULL));
	NT_OK(ns_projection_add(&o, net, "P", "A", "B", "exc", NULL));
	NT_OK(ns_projection_set_synapses(o, pre, post, n, 0));
	NT_OK(ns_attr_add(NULL, o, "w", NS_VARIABLE, NS_LOCAL, NS_DTYPE_F64, w, 0));
	return net;
}

/* Synapses i -> j of A (NI) to B (NJ), listed by pre (as Brian2 lists them),
 * post j shifted by @shift, each weighted by its pair. Large enough that a
 * gather is split over the cores. */
enum { NI = 400, NJ = 250, NBIG = NI * NJ };

static void by_pre(int32_t *pre, int32_t *post, double *w, int shift)
{
	for (int i = 0; i < NI; i++)
		for (int j = 0; j < NJ; j++) {
			int k = i * NJ + j;
			pre[k] = i;
			post[k] = (j + shift) % NJ;
			w[k] = 1000.0 * pre[k] + post[k];
		}
}

/* Version @rev lists the synapses by post, then pre, each with its weight. */
static void assert_ordered(ns_store *s, const char *rev)
{
	ns_network *opened = NULL;
	const int32_t *sp, *sq;
	const double *sw;
	ns_object *o;
	NT_OK(ns_network_open(&opened, s, rev));
	o = ns_network_object_find(opened, "P");
	ns_projection_connectivity(&sp, &sq, o);
	NT_OK(ns_attr_data((void **)&sw, ns_object_attr_find(o, "w")));
	for (int m = 0; m < NBIG; m++) {
		cr_assert(sq[m] == m / NI && sp[m] == m % NI, "version %s, synapse %d: (%d, %d)", rev,
			  m, sp[m], sq[m]);
		cr_assert(sw[m] == 1000.0 * sp[m] + sq[m], "version %s, synapse %d: w %g", rev, m,
			  sw[m]);
	}
	ns_network_free(opened);
}

Test(engine_order, orders_kept_for_unchanged_synapses_follow_changed_ones)
{
	static int32_t pre[NBIG], post[NBIG];
	static double w[NBIG];
	ns_store *s = nt_store_new("kept.nsnap", 0, NS_CODEC_RAW);
	ns_restore_report *report = NULL;
	ns_network *net = one_projection("kept", NI, NJ, pre, post, w, NBIG);
	/* 1 and 3: the same synapses; 2: the same count, other synapses. */
	for (int v = 0; v < 3; v++) {
		by_pre(pre, post, w, v == 1 ? 7 : 0);
		NT_OK(ns_snapshot(NULL, s, net, NULL));
	}
	assert_ordered(s, "1");
	assert_ordered(s, "2");
	assert_ordered(s, "3");
	/* Into the network's synapses as version 2 has them. */
	by_pre(pre, post, w, 7);
	memset(w, 0, sizeof w);
	NT_OK(ns_restore(&report, s, "2", net, NULL));
	ns_restore_report_free(report);
	for (int k = 0; k < NBIG; k++)
		cr_assert(w[k] == 1000.0 * pre[k] + post[k], "synapse %d: w %g", k, w[k]);
	ns_network_free(net);
	ns_store_close(s);
}

/* Whether synapses are sorted is found on every core, each part of the
 * synapses on its own: a descent anywhere, also where one part ends and
 * the next begins, is seen (or the version would keep them unsorted). */
enum { NSCAN = 300000, SCAN_POPS = 1000 };

static void one_descent(int32_t *pre, int32_t *post, double *w, uint64_t at)
{
	for (int k = 0; k < NSCAN; k++) {
		post[k] = k / (NSCAN / SCAN_POPS);
		pre[k] = k % (NSCAN / SCAN_POPS);
		w[k] = 1000.0 * pre[k] + post[k];
	}
	/* swap synapses at - 1 and at: a descent at @at, one only */
	int32_t p = pre[at - 1], q = post[at - 1];
	double ww = w[at - 1];
	pre[at - 1] = pre[at], post[at - 1] = post[at], w[at - 1] = w[at];
	pre[at] = p, post[at] = q, w[at] = ww;
}

Test(engine_order, a_descent_where_the_scan_splits_the_synapses_is_seen)
{
	static int32_t pre[NSCAN], post[NSCAN];
	static double w[NSCAN];
	static const char *const threads[] = { "2", "3" };
	ns_store *s = nt_store_new("scan.nsnap", 0, NS_CODEC_RAW);
	ns_network *net;
	ns_object *o;
	NT_OK(ns_network_new(&net, "scan"));
	NT_OK(ns_population_add(NULL, net, "A", SCAN_POPS, NULL, 0, NULL));
	NT_OK(ns_projection_add(&o, net, "P", "A", "A", "exc", NULL));
	NT_OK(ns_projection_set_synapses(o, pre, post, NSCAN, 0));
	NT_OK(ns_attr_add(NULL, o, "w", NS_VARIABLE, NS_LOCAL, NS_DTYPE_F64, w, 0));
	for (size_t t = 0; t < 2; t++) {
		uint64_t parts = (uint64_t)(t + 2);
		const uint64_t at[] = { 1, NSCAN / parts, NSCAN / parts + 1, NSCAN - 1 };
		cr_assert_eq(setenv("NSNAP_THREADS", threads[t], 1), 0);
		for (size_t k = 0; k < sizeof at / sizeof *at; k++) {
			ns_network *opened = NULL;
			const int32_t *sp, *sq;
			one_descent(pre, post, w, at[k]);
			NT_OK(ns_snapshot(NULL, s, net, NULL));
			NT_OK(ns_network_open(&opened, s, "HEAD"));
			ns_projection_connectivity(&sp, &sq, ns_network_object_find(opened, "P"));
			for (int m = 1; m < NSCAN; m++)
				cr_assert(sq[m - 1] < sq[m] || (sq[m - 1] == sq[m] && sp[m - 1] <= sp[m]),
					  "%s threads, descent at %llu: synapse %d not in order", threads[t],
					  (unsigned long long)at[k], m);
			ns_network_free(opened);
		}
	}
	/* and an index out of range at a split is refused */
	one_descent(pre, post, w, 1);
	pre[NSCAN / 2] = SCAN_POPS;
	cr_assert_eq(setenv("NSNAP_THREADS", "2", 1), 0);
	cr_assert_eq(ns_snapshot(NULL, s, net, NULL), NS_EINVAL);
	cr_assert(strstr(ns_error_last()->message, "synapse 150000 has pre index 1000"), "%s",
		  ns_error_last()->message);
	unsetenv("NSNAP_THREADS");
	ns_network_free(net);
	ns_store_close(s);
}

/* A restore skips an array in the network's order that holds what the
 * version holds, by its content key: keys of arrays of several 1 MiB
 * pieces (hashed on every core) see a change in any piece. */
enum { NKI = 1000, NKJ = 400, NKEY = NKI * NKJ };

Test(engine_order, a_change_in_any_piece_of_an_array_is_restored)
{
	static int32_t pre[NKEY], post[NKEY];
	static double w[NKEY];
	static const int changed[] = { 0, NKEY / 2, NKEY - 1 };
	ns_store *s = nt_store_new("pieces.nsnap", 0, NS_CODEC_RAW);
	ns_restore_report *report = NULL;
	ns_network *net = one_projection("pieces", NKI, NKJ, pre, post, w, NKEY);
	/* listed by pre, as Brian2 lists them: not the store's order */
	for (int k = 0; k < NKEY; k++) {
		pre[k] = k / NKJ;
		post[k] = k % NKJ;
		w[k] = 0.5 * k;
	}
	NT_OK(ns_snapshot(NULL, s, net, NULL));
	for (size_t c = 0; c < sizeof changed / sizeof *changed; c++) {
		int k = changed[c];
		w[k] = -1;
		NT_OK(ns_restore(&report, s, "1", net, NULL));
		ns_restore_report_free(report);
		cr_assert(w[k] == 0.5 * k, "synapse %d: w %g, not restored", k, w[k]);
	}
	ns_network_free(net);
	ns_store_close(s);
}
