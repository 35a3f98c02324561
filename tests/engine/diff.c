/* SPDX-License-Identifier: MIT */
/* The semantic diff of two versions: objects by name, synapses by identity,
 * value statistics, tolerance, and chunks skipped by their hashes. */
#include "engine_util.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Snapshot @a then @b (variants of the fixture) into a new store; *@d gets
 * their diff with tolerance @tol. */
static ns_store *diff_of(ns_diff **d, et_net *a, et_net *b, double tol)
{
	ns_store *s = nt_store_new("s.nsnap", 4096, NS_CODEC_RAW);
	ns_diff_opts o = NS_DIFF_OPTS_INIT;
	et_snapshot(s, a->net);
	et_snapshot(s, b->net);
	o.tol = tol;
	NT_OK(ns_diff_versions(d, s, "1", "2", &o));
	cr_assert_eq((*d)->version_a, 1);
	cr_assert_eq((*d)->version_b, 2);
	return s;
}

static const ns_diff_object *object(const ns_diff *d, const char *name, ns_change change)
{
	for (size_t i = 0; i < d->n_objects; i++)
		if (strcmp(d->objects[i].name, name) == 0 && d->objects[i].change == change)
			return &d->objects[i];
	cr_assert_fail("no object '%s' %s in the diff", name, ns_change_name(change));
	return NULL;
}

static const ns_diff_attr *attr(const ns_diff *d, const char *obj, const char *name)
{
	for (size_t i = 0; i < d->n_objects; i++) {
		const ns_diff_object *o = &d->objects[i];
		if (strcmp(o->name, obj) != 0)
			continue;
		for (size_t k = 0; k < o->n_attrs; k++)
			if (strcmp(o->attrs[k].name, name) == 0)
				return &o->attrs[k];
	}
	cr_assert_fail("no attribute %s.%s in the diff", obj, name);
	return NULL;
}

static void finish(ns_diff *d, ns_store *s, et_net *a, et_net *b)
{
	ns_diff_free(d);
	ns_store_close(s);
	et_net_free(a);
	et_net_free(b);
}

Test(engine_diff, the_same_state_twice_is_equal_and_nothing_is_read)
{
	et_net a = et_net_new(1, 0), b = et_net_new(1, 0);
	ns_diff *d = NULL;
	ns_store *s = diff_of(&d, &a, &b, 0);
	cr_assert(d->equal);
	cr_assert_eq(d->bytes_read, 0);
	cr_assert_eq(d->n_meta, 0);
	cr_assert_eq(d->n_objects, 4);
	for (size_t i = 0; i < d->n_objects; i++) {
		cr_assert_eq(d->objects[i].change, NS_SAME, "%s", d->objects[i].name);
		for (size_t k = 0; k < d->objects[i].n_attrs; k++) {
			const ns_diff_attr *x = &d->objects[i].attrs[k];
			cr_assert_eq(x->change, NS_SAME);
			cr_assert(x->unread, "%s.%s was read", d->objects[i].name, x->name);
			cr_assert_eq(x->compared, x->count_a);
			cr_assert_eq(x->changed, 0);
		}
	}
	cr_assert_eq(object(d, "EE", NS_SAME)->syn_common, ET_NEE);
	finish(d, s, &a, &b);
}

Test(engine_diff, changed_values_are_counted_and_summarised)
{
	et_net a = et_net_new(1, 0), b = et_net_new(1, 0);
	ns_diff *d = NULL;
	ns_store *s;
	const ns_diff_attr *w, *v, *tau;
	b.st->ee_w[2] += 0.5;
	b.st->ee_w[5] -= 1.5;
	b.st->e_v[0] += 1e-9;
	b.st->e_tau = 42.0;
	s = diff_of(&d, &a, &b, 1e-6);
	cr_assert_not(d->equal);
	w = attr(d, "EE", "w");
	cr_assert_eq(w->change, NS_CHANGED);
	cr_assert_eq(w->compared, ET_NEE);
	cr_assert_eq(w->changed, 2);
	cr_assert_float_eq(w->max_abs, 1.5, 1e-12);
	cr_assert_float_eq(w->mean, -1.0 / ET_NEE, 1e-12);
	cr_assert_float_eq(w->rms, sqrt((0.25 + 2.25) / ET_NEE), 1e-12);
	cr_assert_not(w->unread);
	/* Below the tolerance: summarised, not counted. */
	v = attr(d, "E", "v");
	cr_assert_eq(v->change, NS_SAME);
	cr_assert_eq(v->changed, 0);
	cr_assert_float_eq(v->max_abs, 1e-9, 1e-12);
	tau = attr(d, "E", "tau");
	cr_assert_eq(tau->change, NS_CHANGED);
	cr_assert_float_eq(tau->value_a, 100.0, 1e-12);
	cr_assert_float_eq(tau->value_b, 42.0, 1e-12);
	cr_assert_eq(object(d, "EE", NS_CHANGED)->syn_added, 0);
	cr_assert_eq(object(d, "I", NS_SAME)->n_attrs, 2);
	cr_assert(attr(d, "IE", "w")->unread);
	ns_diff_free(d);
	/* Without a tolerance the tiny change counts. */
	NT_OK(ns_diff_versions(&d, s, "1", "2", NULL));
	cr_assert_eq(attr(d, "E", "v")->changed, 1);
	cr_assert_eq(attr(d, "E", "v")->change, NS_CHANGED);
	finish(d, s, &a, &b);
}

Test(engine_diff, synapses_are_matched_by_identity_not_position)
{
	et_net a = et_net_new(1, 0), b = et_net_new(1, 0);
	ns_diff *d = NULL;
	ns_store *s;
	const ns_diff_object *ee;
	const ns_diff_attr *w;
	/* Synapse 4 (2 -> 4) becomes 6 -> 4: one removed, one added. Its
	 * weight changes too, but it has no partner; the others keep theirs
	 * except synapse 6, which changes by 2. */
	b.st->ee_pre[4] = 6;
	b.st->ee_w[4] = 1000;
	b.st->ee_w[6] += 2;
	s = diff_of(&d, &a, &b, 0);
	ee = object(d, "EE", NS_CHANGED);
	cr_assert_eq(ee->syn_removed, 1);
	cr_assert_eq(ee->syn_added, 1);
	cr_assert_eq(ee->syn_common, ET_NEE - 1);
	w = attr(d, "EE", "w");
	cr_assert_eq(w->compared, ET_NEE - 1);
	cr_assert_eq(w->changed, 1);
	cr_assert_float_eq(w->max_abs, 2.0, 1e-12);
	cr_assert_eq(attr(d, "EE", "delay")->change, NS_SAME);
	cr_assert_eq(attr(d, "EE", "delay")->compared, ET_NEE - 1);
	/* Semiglobal values follow the post neurons, which did not change. */
	cr_assert_eq(attr(d, "EE", "trace")->change, NS_SAME);
	finish(d, s, &a, &b);
}

Test(engine_diff, removed_synapses_leave_the_others_compared)
{
	et_net a = et_net_new(1, 0), b = et_net_new(1, ET_EE_FEWER);
	ns_diff *d = NULL;
	ns_store *s = diff_of(&d, &a, &b, 0);
	const ns_diff_object *ee = object(d, "EE", NS_CHANGED);
	cr_assert_eq(ee->size_a, ET_NEE);
	cr_assert_eq(ee->size_b, ET_NEE - 1);
	cr_assert_eq(ee->syn_removed, 1);
	cr_assert_eq(ee->syn_added, 0);
	cr_assert_eq(attr(d, "EE", "w")->change, NS_SAME);
	cr_assert_eq(attr(d, "EE", "w")->compared, ET_NEE - 1);
	finish(d, s, &a, &b);
}

Test(engine_diff, a_resized_population_is_reported_and_not_compared)
{
	et_net a = et_net_new(1, 0), b = et_net_new(1, ET_I_SIZE4);
	ns_diff *d = NULL;
	ns_store *s = diff_of(&d, &a, &b, 0);
	const ns_diff_object *i = object(d, "I", NS_CHANGED);
	cr_assert_eq(i->size_a, ET_NI);
	cr_assert_eq(i->size_b, ET_NI + 1);
	cr_assert_eq(attr(d, "I", "v")->change, NS_CHANGED);
	cr_assert_eq(attr(d, "I", "v")->compared, 0);
	cr_assert_eq(attr(d, "I", "tau")->change, NS_SAME);
	finish(d, s, &a, &b);
}

Test(engine_diff, added_and_removed_objects_and_attributes)
{
	et_net a = et_net_new(1, 0), b = et_net_new(1, ET_EXTRA_POP | ET_EXTRA_VAR);
	ns_diff *d = NULL;
	ns_store *s = diff_of(&d, &a, &b, 0);
	const ns_diff_object *x = object(d, "X", NS_ADDED);
	cr_assert_eq(x->size_b, 2);
	cr_assert_eq(x->n_attrs, 1);
	cr_assert_eq(x->attrs[0].change, NS_ADDED);
	cr_assert_eq(attr(d, "E", "u")->change, NS_ADDED);
	cr_assert_eq(attr(d, "E", "u")->count_b, ET_NE);
	cr_assert_eq(object(d, "E", NS_CHANGED)->size_b, ET_NE);
	ns_diff_free(d);
	NT_OK(ns_diff_versions(&d, s, "2", "1", NULL));
	cr_assert_eq(object(d, "X", NS_REMOVED)->size_a, 2);
	cr_assert_eq(attr(d, "E", "u")->change, NS_REMOVED);
	finish(d, s, &a, &b);
}

Test(engine_diff, type_scope_and_geometry_changes_are_described)
{
	et_net a = et_net_new(1, 0), b = et_net_new(1, ET_V_F32 | ET_TAU_LOCAL | ET_GEOM_4X2);
	ns_diff *d = NULL;
	ns_store *s = diff_of(&d, &a, &b, 0);
	const ns_diff_attr *v = attr(d, "E", "v"), *tau = attr(d, "E", "tau");
	cr_assert_eq(v->change, NS_CHANGED);
	cr_assert_eq(v->dtype_a, NS_DTYPE_F64);
	cr_assert_eq(v->dtype_b, NS_DTYPE_F32);
	cr_assert_eq(v->compared, ET_NE); /* the values are still compared */
	cr_assert_eq(tau->change, NS_CHANGED);
	cr_assert_eq(tau->scope_a, NS_GLOBAL);
	cr_assert_eq(tau->scope_b, NS_LOCAL);
	cr_assert_eq(tau->compared, 0);
	cr_assert_str_eq(object(d, "E", NS_CHANGED)->detail, "geometry (2, 4) -> (4, 2)");
	finish(d, s, &a, &b);
}

Test(engine_diff, a_projection_between_other_populations_is_described)
{
	et_net a = et_net_new(1, 0), b = et_net_new(1, ET_IE_FROM_E);
	ns_diff *d = NULL;
	ns_store *s = diff_of(&d, &a, &b, 0);
	cr_assert_str_eq(object(d, "IE", NS_CHANGED)->detail, "pre I -> E");
	finish(d, s, &a, &b);
}

Test(engine_diff, clock_and_dictionary_changes)
{
	et_net a = et_net_new(1, 0), b = et_net_new(1, 0);
	ns_diff *d = NULL;
	ns_store *s;
	et_set_clock(b.net, 2);
	NT_OK(ns_network_set_meta(b.net, "extra", NULL, 0.1));
	s = diff_of(&d, &a, &b, 0);
	cr_assert_not(d->equal);
	cr_assert_float_eq(d->t_a, 100.5, 1e-12);
	cr_assert_float_eq(d->t_b, 201.0, 1e-12);
	cr_assert_eq(d->n_meta, 3);
	cr_assert_str_eq(d->meta[0].key, "model");
	cr_assert_eq(d->meta[0].change, NS_CHANGED);
	cr_assert_str_eq(d->meta[0].value_a, "'izhikevich'");
	cr_assert_str_eq(d->meta[0].value_b, "'adex'");
	cr_assert_str_eq(d->meta[1].value_a, "1.25");
	cr_assert_str_eq(d->meta[1].value_b, "2.5");
	cr_assert_str_eq(d->meta[2].key, "extra");
	cr_assert_eq(d->meta[2].change, NS_ADDED);
	cr_assert_null(d->meta[2].value_a);
	cr_assert_str_eq(d->meta[2].value_b, "0.1");
	ns_diff_free(d);
	/* A selection compares its objects only: the clock and dictionary are
	 * still reported, but the versions are equal there. */
	const char *only[] = { "E", NULL };
	ns_diff_opts o = NS_DIFF_OPTS_INIT;
	o.select.only = only;
	NT_OK(ns_diff_versions(&d, s, "1", "2", &o));
	cr_assert(d->equal);
	cr_assert_eq(d->n_meta, 3);
	finish(d, s, &a, &b);
}

Test(engine_diff, a_selection_limits_the_objects)
{
	et_net a = et_net_new(1, 0), b = et_net_new(2, 0);
	ns_store *s = nt_store_new("s.nsnap", 4096, NS_CODEC_RAW);
	const char *only[] = { "EE", NULL }, *missing[] = { "nope", NULL };
	ns_diff_opts o = NS_DIFF_OPTS_INIT;
	ns_diff *d = NULL;
	et_snapshot(s, a.net);
	et_snapshot(s, b.net);
	o.select.only = only;
	NT_OK(ns_diff_versions(&d, s, "1", "2", &o));
	cr_assert_eq(d->n_objects, 1);
	cr_assert_str_eq(d->objects[0].name, "EE");
	ns_diff_free(d);
	o.select.only = NULL;
	o.select.no_projections = 1;
	NT_OK(ns_diff_versions(&d, s, "1", "2", &o));
	cr_assert_eq(d->n_objects, 2);
	ns_diff_free(d);
	o.select.only = missing;
	NT_FAILS(NS_ENOTFOUND, ns_diff_versions(&d, s, "1", "2", &o));
	NT_MESSAGE_HAS("'nope'");
	finish(NULL, s, &a, &b);
}

Test(engine_diff, bad_revisions_tolerances_and_versions_without_network_fail)
{
	et_net a = et_net_new(1, 0);
	ns_store *s = nt_store_new("s.nsnap", 4096, NS_CODEC_RAW);
	ns_diff_opts o = NS_DIFF_OPTS_INIT;
	ns_diff *d = NULL;
	et_snapshot(s, a.net);
	nt_commit_f64(s, "x", 10, 0, "raw");
	NT_FAILS(NS_ENOTFOUND, ns_diff_versions(&d, s, "1", "v9", NULL));
	NT_MESSAGE_HAS("v9");
	NT_FAILS(NS_EFORMAT, ns_diff_versions(&d, s, "1", "2", NULL));
	NT_MESSAGE_HAS("no network");
	o.tol = -1;
	NT_FAILS(NS_EINVAL, ns_diff_versions(&d, s, "1", "1", &o));
	o.tol = NAN;
	NT_FAILS(NS_EINVAL, ns_diff_versions(&d, s, "1", "1", &o));
	cr_assert_null(d);
	ns_store_close(s);
	et_net_free(&a);
}

enum { NSYN = 100000 };

/* One weight of a large projection changes: only its chunk is read, in
 * both versions, and the connectivity not at all. */
Test(engine_diff, only_the_chunks_that_differ_are_read)
{
	static int32_t pre[NSYN], post[NSYN];
	static double w[NSYN];
	ns_store *s = nt_store_new("s.nsnap", 4096, NS_CODEC_ZSTD);
	ns_network *net = NULL;
	ns_object *p = NULL;
	ns_attr *at = NULL;
	ns_diff *d = NULL;
	for (int i = 0; i < NSYN; i++) {
		post[i] = i / 100;
		pre[i] = i % 100;
		w[i] = i * 1e-3;
	}
	NT_OK(ns_network_new(&net, "big"));
	NT_OK(ns_population_add(&p, net, "A", 1000, NULL, 0, NULL));
	NT_OK(ns_projection_add(&p, net, "AA", "A", "A", "exc", NULL));
	NT_OK(ns_projection_set_synapses(p, pre, post, NSYN, 0));
	NT_OK(ns_attr_add(&at, p, "w", NS_VARIABLE, NS_LOCAL, NS_DTYPE_F64, w, 0));
	et_snapshot(s, net);
	w[NSYN / 2] += 0.25;
	et_snapshot(s, net);
	NT_OK(ns_diff_versions(&d, s, "1", "2", NULL));
	cr_assert_eq(d->bytes_read, 2 * 4096);
	cr_assert_eq(attr(d, "AA", "w")->changed, 1);
	cr_assert_eq(attr(d, "AA", "w")->compared, NSYN);
	cr_assert_float_eq(attr(d, "AA", "w")->max_abs, 0.25, 1e-12);
	/* Over every value, the unread ones too (their differences are 0). */
	cr_assert_float_eq(attr(d, "AA", "w")->mean, 0.25 / NSYN, 1e-15);
	cr_assert_float_eq(attr(d, "AA", "w")->rms, sqrt(0.0625 / NSYN), 1e-15);
	ns_diff_free(d);
	ns_network_free(net);
	ns_store_close(s);
}

/* ------------------------------------------------- integers, exactly */

/* 2^53 + 1 has no double: as doubles it would equal 2^53. */
#define P53 INT64_C(9007199254740992)

/* Two RNG words (of NEST's kind) that differ in their low bits only: the
 * same double, -8.680809336176398e+18. */
#define RNG_A INT64_C(-8680809336176398335)
#define RNG_B INT64_C(-8680809336176398336)

Test(engine_diff, i64_values_past_2_to_53_are_compared_exactly)
{
	et_net a = et_net_new(1, 0), b = et_net_new(1, 0);
	ns_diff *d = NULL;
	ns_store *s;
	const ns_diff_attr *count, *seed, *hits;
	cr_assert_eq((double)RNG_A, (double)RNG_B);
	a.st->e_count[3] = P53;
	b.st->e_count[3] = P53 + 1;
	a.st->e_seed = RNG_A;
	b.st->e_seed = RNG_B;
	a.st->ie_hits[5] = RNG_B;
	b.st->ie_hits[5] = RNG_A;
	s = diff_of(&d, &a, &b, 0);
	cr_assert_not(d->equal);
	count = attr(d, "E", "count");
	cr_assert_eq(count->change, NS_CHANGED);
	cr_assert(count->integer);
	cr_assert_eq(count->compared, ET_NE);
	cr_assert_eq(count->changed, 1);
	cr_assert_eq(count->max_abs_u64, 1);
	cr_assert_float_eq(count->mean, 1.0 / ET_NE, 1e-15);
	seed = attr(d, "E", "seed");
	cr_assert_eq(seed->change, NS_CHANGED);
	cr_assert_eq(seed->changed, 1);
	cr_assert_eq(seed->max_abs_u64, 1);
	cr_assert_eq(seed->value_a_i64, RNG_A);
	cr_assert_eq(seed->value_b_i64, RNG_B);
	hits = attr(d, "IE", "hits"); /* semiglobal */
	cr_assert_eq(hits->changed, 1);
	cr_assert_eq(hits->max_abs_u64, 1);
	cr_assert_float_eq(hits->mean, 1.0 / ET_NE, 1e-15);
	/* Floats are compared as before. */
	cr_assert_not(attr(d, "E", "v")->integer);
	cr_assert_eq(attr(d, "E", "v")->change, NS_SAME);
	finish(d, s, &a, &b);
}

Test(engine_diff, int64_min_against_int64_max_has_the_whole_distance)
{
	et_net a = et_net_new(1, 0), b = et_net_new(1, 0);
	ns_diff *d = NULL;
	ns_store *s;
	const ns_diff_attr *count;
	a.st->e_count[0] = INT64_MIN;
	b.st->e_count[0] = INT64_MAX;
	a.st->e_count[7] = INT64_MAX;
	b.st->e_count[7] = INT64_MIN;
	a.st->e_seed = INT64_MIN;
	b.st->e_seed = INT64_MAX;
	s = diff_of(&d, &a, &b, 0);
	count = attr(d, "E", "count");
	cr_assert_eq(count->changed, 2);
	cr_assert_eq(count->max_abs_u64, UINT64_MAX);
	cr_assert_float_eq(count->max_abs, 18446744073709551616.0, 1);
	/* +(2^64 - 1) and -(2^64 - 1): a mean of 0, an RMS of about 2^64 / 2. */
	cr_assert_float_eq(count->mean, 0.0, 1e-9);
	cr_assert_float_eq(count->rms, 18446744073709551616.0 / 2, 1e4);
	cr_assert_eq(attr(d, "E", "seed")->max_abs_u64, UINT64_MAX);
	cr_assert_eq(attr(d, "E", "seed")->value_a_i64, INT64_MIN);
	cr_assert_eq(attr(d, "E", "seed")->value_b_i64, INT64_MAX);
	cr_assert_eq(attr(d, "E", "seed")->mean, 18446744073709551616.0);
	ns_diff_free(d);
	/* Only a tolerance of 2^64 or more hides that distance. */
	ns_diff_opts o = NS_DIFF_OPTS_INIT;
	o.tol = 18446744073709549568.0; /* the double below 2^64 */
	NT_OK(ns_diff_versions(&d, s, "1", "2", &o));
	cr_assert_eq(attr(d, "E", "count")->changed, 2);
	ns_diff_free(d);
	o.tol = 18446744073709551616.0;
	NT_OK(ns_diff_versions(&d, s, "1", "2", &o));
	cr_assert_eq(attr(d, "E", "count")->changed, 0);
	cr_assert_eq(attr(d, "E", "count")->change, NS_SAME);
	cr_assert_eq(attr(d, "E", "count")->max_abs_u64, UINT64_MAX);
	finish(d, s, &a, &b);
}

Test(engine_diff, the_tolerance_applies_to_the_exact_integer_distance)
{
	et_net a = et_net_new(1, 0), b = et_net_new(1, 0);
	ns_diff *d = NULL;
	ns_store *s;
	ns_diff_opts o = NS_DIFF_OPTS_INIT;
	/* Distances 2^53 + 1 (a double would make it 2^53), 3 and 2. */
	a.st->e_count[1] = 0;
	b.st->e_count[1] = P53 + 1;
	b.st->e_refr[2] = a.st->e_refr[2] + 3;
	b.st->e_refr[4] = a.st->e_refr[4] - 2;
	s = diff_of(&d, &a, &b, (double)P53);
	cr_assert_eq(attr(d, "E", "count")->changed, 1);
	cr_assert_eq(attr(d, "E", "count")->max_abs_u64, (uint64_t)P53 + 1);
	cr_assert_eq(attr(d, "E", "refr")->changed, 0);
	cr_assert_eq(attr(d, "E", "refr")->max_abs_u64, 3);
	ns_diff_free(d);
	o.tol = 2.5;
	NT_OK(ns_diff_versions(&d, s, "1", "2", &o));
	cr_assert_eq(attr(d, "E", "refr")->changed, 1);
	ns_diff_free(d);
	o.tol = 1;
	NT_OK(ns_diff_versions(&d, s, "1", "2", &o));
	cr_assert_eq(attr(d, "E", "refr")->changed, 2);
	ns_diff_free(d);
	o.tol = 3;
	NT_OK(ns_diff_versions(&d, s, "1", "2", &o));
	cr_assert_eq(attr(d, "E", "refr")->changed, 0);
	cr_assert_eq(attr(d, "E", "refr")->change, NS_SAME);
	finish(d, s, &a, &b);
}

/* Synapses that moved make the local values go through the matching: i64
 * values there are compared exactly too, and equal ones are equal. */
Test(engine_diff, matched_synapses_compare_i64_exactly)
{
	et_net a = et_net_new(1, 0), b = et_net_new(1, 0);
	ns_diff *d = NULL;
	ns_store *s;
	const ns_diff_attr *age;
	a.st->ie_age[0] = RNG_A;
	b.st->ie_age[0] = RNG_A;
	a.st->ie_age[3] = P53;
	b.st->ie_age[3] = P53 + 1;
	b.st->ie_pre[2] = 0; /* synapse 1 -> 3 becomes 0 -> 3 */
	s = diff_of(&d, &a, &b, 0);
	cr_assert_eq(object(d, "IE", NS_CHANGED)->syn_common, ET_NIE - 1);
	age = attr(d, "IE", "age");
	cr_assert(age->integer);
	cr_assert_not(age->unread);
	cr_assert_eq(age->compared, ET_NIE - 1);
	cr_assert_eq(age->changed, 1);
	cr_assert_eq(age->max_abs_u64, 1);
	ns_diff_free(d);
	/* Equal values, read through the matching: the same. */
	b.st->ie_age[3] = P53;
	et_snapshot(s, b.net);
	NT_OK(ns_diff_versions(&d, s, "1", "3", NULL));
	age = attr(d, "IE", "age");
	cr_assert_not(age->unread);
	cr_assert_eq(age->change, NS_SAME);
	cr_assert_eq(age->changed, 0);
	cr_assert_eq(age->max_abs_u64, 0);
	finish(d, s, &a, &b);
}

/* An integer against a float: compared as doubles, as before. */
Test(engine_diff, an_integer_against_a_float_is_compared_as_doubles)
{
	et_net a = et_net_new(1, 0), b = et_net_new(1, ET_V_I32);
	ns_diff *d = NULL;
	ns_store *s = diff_of(&d, &a, &b, 0);
	cr_assert_not(attr(d, "E", "v")->integer);
	cr_assert_eq(attr(d, "E", "v")->change, NS_CHANGED);
	cr_assert_eq(attr(d, "E", "v")->compared, ET_NE);
	cr_assert(attr(d, "E", "refr")->integer);
	finish(d, s, &a, &b);
}
