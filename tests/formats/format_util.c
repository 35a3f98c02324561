/* SPDX-License-Identifier: MIT */
/* Helpers shared by the format tests of ANNarchy's layout; see
 * format_util.h. */
#define _GNU_SOURCE
#include "format_util.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int import_file(uint64_t *v, ns_plugins *ps, ns_store *s, const char *path)
{
	ns_import_opts o = NS_IMPORT_OPTS_INIT;
	return ns_import(v, ps, s, path, &o);
}

int python(const char *prog, const char *args)
{
	char cmd[8192];
	const char *script = nt_path("prog.py");
	nt_write_file(script, prog, strlen(prog));
	snprintf(cmd, sizeof cmd, "%s %s %s", NSNAP_TEST_PYTHON, script, args);
	return system(cmd);
}

void expect_attr(ns_network *net, const char *obj, const char *name, ns_attr_kind kind,
		 ns_scope scope, ns_dtype dtype, const double *want, size_t n)
{
	ns_object *o = ns_network_object_find(net, obj);
	ns_attr *a;
	ns_attr_info ai;
	double got[16];
	cr_assert_not_null(o, "no object %s", obj);
	cr_assert_not_null(a = ns_object_attr_find(o, name), "no attribute %s.%s", obj, name);
	ns_attr_get_info(&ai, a);
	cr_assert_eq(ai.kind, kind, "%s.%s kind %d", obj, name, ai.kind);
	cr_assert_eq(ai.scope, scope, "%s.%s scope %d", obj, name, ai.scope);
	cr_assert_eq(ai.dtype, dtype, "%s.%s dtype %d", obj, name, ai.dtype);
	cr_assert_eq(ai.count, n, "%s.%s has %llu values", obj, name,
		     (unsigned long long)ai.count);
	NT_OK(ns_attr_read(got, NS_DTYPE_F64, a));
	for (size_t i = 0; i < n; i++)
		cr_assert_eq(got[i], want[i], "%s.%s[%zu] = %g, not %g", obj, name, i, got[i],
			     want[i]);
}

void expect_population_e(ns_network *net)
{
	static const double tau[] = { 10.5 }, v[] = { -1, -0.5, 0, 0.5, 1, 1.5 };
	static const double r[] = { 0.25, 0.5, 0.75, 1, 1.25, 1.5 }, sc[] = { 1, 2, 3, 4, 5, -6 };
	static const double on[] = { 1, 0, 1, 0, 0, 1 }, thr[] = { 7, 8, 9, 10, 11, 12 };
	ns_object *e = ns_network_object_find(net, "E");
	ns_object_info oi;
	cr_assert_not_null(e);
	ns_object_get_info(&oi, e);
	cr_assert_eq(oi.kind, NS_POPULATION);
	cr_assert_eq(oi.size, 6);
	cr_assert_eq(oi.ndim, 2);
	cr_assert(oi.shape[0] == 2 && oi.shape[1] == 3);
	cr_assert_eq(oi.n_attrs, 6);
	expect_attr(net, "E", "tau", NS_PARAMETER, NS_GLOBAL, NS_DTYPE_F64, tau, 1);
	expect_attr(net, "E", "v", NS_VARIABLE, NS_LOCAL, NS_DTYPE_F64, v, 6);
	expect_attr(net, "E", "r", NS_VARIABLE, NS_LOCAL, NS_DTYPE_F32, r, 6);
	expect_attr(net, "E", "spike_count", NS_VARIABLE, NS_LOCAL, NS_DTYPE_I64, sc, 6);
	expect_attr(net, "E", "on", NS_VARIABLE, NS_LOCAL, NS_DTYPE_BOOL, on, 6);
	expect_attr(net, "E", "thr", NS_PARAMETER, NS_LOCAL, NS_DTYPE_I32, thr, 6);
}

void expect_population_file(ns_plugins *ps, const char *path)
{
	ns_store *s = nt_store_new("s.nsnap", 0, NS_CODEC_RAW);
	ns_network *net = NULL;
	NT_OK(import_file(NULL, ps, s, path));
	NT_OK(ns_network_open(&net, s, "HEAD"));
	cr_assert_eq(ns_network_object_count(net), 1);
	expect_population_e(net);
	ns_network_free(net);
	ns_store_close(s);
	ns_plugins_free(ps);
}

void expect_synapses(ns_network *net, const char *name, const int32_t *pre,
		     const int32_t *post, uint64_t n)
{
	ns_object *p = ns_network_object_find(net, name);
	const int32_t *gp, *gq;
	cr_assert_not_null(p, "no projection %s", name);
	cr_assert_eq(ns_projection_synapses(p), n);
	ns_projection_connectivity(&gp, &gq, p);
	for (uint64_t i = 0; i < n; i++)
		cr_assert(gp[i] == pre[i] && gq[i] == post[i], "%s synapse %llu: (%d, %d)", name,
			  (unsigned long long)i, gp[i], gq[i]);
}

void expect_projection_ei(ns_network *net)
{
	static const int32_t pre[] = { 0, 1, 2, 3, 4, 5 }, post[] = { 0, 0, 2, 3, 3, 3 };
	static const double eta[] = { 0.01 }, w[] = { 0.5, 0.25, 0.125, 1, 2, 3 };
	static const double trace[] = { 1.5, 0, 2.5, 3.5 }, d[] = { 1, 2, 1, 3, 1, 1 };
	ns_object_info oi;
	expect_synapses(net, "EI", pre, post, 6);
	ns_object_get_info(&oi, ns_network_object_find(net, "EI"));
	cr_assert_str_eq(oi.pre, "E");
	cr_assert_str_eq(oi.post, "I");
	cr_assert_str_eq(oi.target, "exc");
	expect_attr(net, "EI", "eta", NS_PARAMETER, NS_GLOBAL, NS_DTYPE_F64, eta, 1);
	expect_attr(net, "EI", "w", NS_VARIABLE, NS_LOCAL, NS_DTYPE_F64, w, 6);
	expect_attr(net, "EI", "trace", NS_VARIABLE, NS_SEMIGLOBAL, NS_DTYPE_F64, trace, 4);
	expect_attr(net, "EI", "delays", NS_PARAMETER, NS_LOCAL, NS_DTYPE_F64, d, 6);
}

void expect_network(ns_store *s, const char *rev)
{
	static const int32_t pre[] = { 0, 1, 2, 3 }, post[] = { 1, 1, 4, 4 };
	static const double tau[] = { 20 }, v[] = { -70, -65, -60, -55.5 };
	static const double w[] = { 0.75 }, d[] = { 2 };
	ns_network *net = NULL;
	uint64_t step = 0;
	NT_OK(ns_network_open(&net, s, rev));
	ns_network_time(net, NULL, &step);
	cr_assert_eq(step, 1234);
	cr_assert_eq(ns_network_object_count(net), 4);
	expect_population_e(net);
	expect_attr(net, "I", "tau", NS_PARAMETER, NS_GLOBAL, NS_DTYPE_F64, tau, 1);
	expect_attr(net, "I", "v", NS_VARIABLE, NS_LOCAL, NS_DTYPE_F64, v, 4);
	expect_projection_ei(net);
	expect_synapses(net, "IE", pre, post, 4);
	expect_attr(net, "IE", "w", NS_PARAMETER, NS_GLOBAL, NS_DTYPE_F64, w, 1);
	expect_attr(net, "IE", "delays", NS_PARAMETER, NS_GLOBAL, NS_DTYPE_F64, d, 1);
	ns_network_free(net);
}

void build_all_types(ns_store *s)
{
	static double f64[24], g_f64 = -2.5;
	static float f32[24], g_f32 = 0.25f;
	static int64_t i64[24], g_i64 = -(INT64_C(1) << 40);
	static int32_t i32[24], g_i32 = -7;
	static uint8_t u8[24], b[24], g_u8 = 200, g_b = 1;
	static int32_t ab_pre[12], ab_post[12], ba_pre[6], ba_post[6];
	static double ab_w[12], sg_f64[6];
	static int32_t ab_i[12], sg_i32[6];
	static uint8_t ab_b[12], ba_b[6];
	static float ba_w[6], ba_sg[4] = { 0.5f, -1.5f, 2.5f, 3.5f };
	static double d_v = -65.5, d_w = 0.75;
	static int64_t d_s = -3;
	static int32_t dd_pre = 0;
	static const uint64_t shape2[] = { 2, 3 }, shape3[] = { 2, 3, 4 }, shape1[] = { 4 };
	static const ns_dtype types[] = { NS_DTYPE_F64, NS_DTYPE_F32, NS_DTYPE_I64, NS_DTYPE_I32,
					  NS_DTYPE_U8, NS_DTYPE_BOOL };
	static const char *const names[] = { "f64", "f32", "i64", "i32", "u8", "b" };
	void *locals[] = { f64, f32, i64, i32, u8, b };
	void *globals[] = { &g_f64, &g_f32, &g_i64, &g_i32, &g_u8, &g_b };
	ns_network *net = NULL;
	ns_object *a, *bp, *c, *ab, *ba, *d, *dd;
	char gname[16];

	for (int i = 0; i < 24; i++) {
		f64[i] = i * 1.5 - 3;
		f32[i] = (float)i / 8;
		i64[i] = (int64_t)i * 1000000007 - 5;
		i32[i] = -i * 3;
		u8[i] = (uint8_t)(250 - i);
		b[i] = (uint8_t)(i % 3 == 0);
	}
	NT_OK(ns_network_new(&net, "all"));
	NT_OK(ns_population_add(&a, net, "A", 4, shape1, 1, NULL));
	NT_OK(ns_population_add(&bp, net, "B", 6, shape2, 2, NULL));
	NT_OK(ns_population_add(&c, net, "C", 24, shape3, 3, NULL));
	for (int t = 0; t < 6; t++) {
		snprintf(gname, sizeof gname, "g_%s", names[t]);
		NT_OK(ns_attr_add(NULL, a, names[t], NS_VARIABLE, NS_LOCAL, types[t], locals[t], 0));
		NT_OK(ns_attr_add(NULL, a, gname, NS_PARAMETER, NS_GLOBAL, types[t], globals[t], 0));
		NT_OK(ns_attr_add(NULL, bp, names[t], t % 2 ? NS_PARAMETER : NS_VARIABLE, NS_LOCAL,
				  types[t], locals[t], 0));
		NT_OK(ns_attr_add(NULL, c, names[t], NS_VARIABLE, NS_LOCAL, types[t], locals[t], 0));
	}
	/* A -> B: every B neuron gets 2 synapses (rectangular), in a shuffled order. */
	for (int i = 0; i < 12; i++) {
		ab_post[i] = (i * 5) % 6;
		ab_pre[i] = (i * 7) % 4;
		ab_w[i] = i * 0.125;
		ab_i[i] = 100 - i;
		ab_b[i] = (uint8_t)(i & 1);
	}
	for (int i = 0; i < 6; i++) {
		sg_f64[i] = 10 + i;
		sg_i32[i] = -20 - i;
	}
	NT_OK(ns_projection_add(&ab, net, "AB", "A", "B", "exc", NULL));
	NT_OK(ns_projection_set_synapses(ab, ab_pre, ab_post, 12, 0));
	NT_OK(ns_attr_add(NULL, ab, "w", NS_VARIABLE, NS_LOCAL, NS_DTYPE_F64, ab_w, 0));
	NT_OK(ns_attr_add(NULL, ab, "n", NS_VARIABLE, NS_LOCAL, NS_DTYPE_I32, ab_i, 0));
	NT_OK(ns_attr_add(NULL, ab, "on", NS_VARIABLE, NS_LOCAL, NS_DTYPE_BOOL, ab_b, 0));
	NT_OK(ns_attr_add(NULL, ab, "sg", NS_VARIABLE, NS_SEMIGLOBAL, NS_DTYPE_F64, sg_f64, 0));
	NT_OK(ns_attr_add(NULL, ab, "sgi", NS_PARAMETER, NS_SEMIGLOBAL, NS_DTYPE_I32, sg_i32, 0));
	NT_OK(ns_attr_add(NULL, ab, "g", NS_PARAMETER, NS_GLOBAL, NS_DTYPE_I64, &g_i64, 0));
	NT_OK(ns_attr_add(NULL, ab, "gb", NS_PARAMETER, NS_GLOBAL, NS_DTYPE_BOOL, &g_b, 0));
	/* B -> A: ragged rows of 1, 2 and 3 synapses; A's neuron 1 has none. */
	for (int i = 0; i < 6; i++) {
		static const int32_t post[] = { 3, 0, 3, 2, 2, 3 };
		ba_post[i] = post[i];
		ba_pre[i] = 5 - i;
		ba_w[i] = (float)i / 4;
		ba_b[i] = (uint8_t)(i == 2);
	}
	NT_OK(ns_projection_add(&ba, net, "BA", "B", "A", "inh", NULL));
	NT_OK(ns_projection_set_synapses(ba, ba_pre, ba_post, 6, 0));
	NT_OK(ns_attr_add(NULL, ba, "w", NS_VARIABLE, NS_LOCAL, NS_DTYPE_F32, ba_w, 0));
	NT_OK(ns_attr_add(NULL, ba, "on", NS_VARIABLE, NS_LOCAL, NS_DTYPE_BOOL, ba_b, 0));
	NT_OK(ns_attr_add(NULL, ba, "delays", NS_PARAMETER, NS_LOCAL, NS_DTYPE_F64, f64, 0));
	NT_OK(ns_attr_add(NULL, ba, "sg", NS_VARIABLE, NS_SEMIGLOBAL, NS_DTYPE_F32, ba_sg, 0));
	/* D of one neuron and DD of one synapse: one value, not a global */
	NT_OK(ns_population_add(&d, net, "D", 1, NULL, 0, "Izhikevich"));
	NT_OK(ns_attr_add(NULL, d, "v", NS_VARIABLE, NS_LOCAL, NS_DTYPE_F64, &d_v, 0));
	NT_OK(ns_attr_add(NULL, d, "g", NS_PARAMETER, NS_GLOBAL, NS_DTYPE_I32, &g_i32, 0));
	NT_OK(ns_projection_add(&dd, net, "DD", "D", "D", "exc", "STDP"));
	NT_OK(ns_projection_set_synapses(dd, &dd_pre, &dd_pre, 1, 0));
	NT_OK(ns_attr_add(NULL, dd, "w", NS_VARIABLE, NS_LOCAL, NS_DTYPE_F64, &d_w, 0));
	NT_OK(ns_attr_add(NULL, dd, "s", NS_VARIABLE, NS_SEMIGLOBAL, NS_DTYPE_I64, &d_s, 0));
	/* Arrays of any length: ANNarchy's layouts have no place for them. */
	{
		static int64_t rng[6] = { (INT64_C(1) << 53) + 1, INT64_MIN, INT64_MAX,
					  -(INT64_C(1) << 60) - 1, 0, 1 };
		static double state[6] = { 0.1, -0.0, 5e-324, 0, 1.0 / 3, -1e300 };
		static float vals[3] = { 0.1f, -1.5e-30f, 3.5f };
		static int32_t refrac[3] = { 2, 0, -7 };
		static double queue[7] = { 0.5, -0.0, 1e-310, 2.5, 0, 7, -3.25 };
		static const uint64_t payload = UINT64_C(0x7ff4000000000123); /* a signalling NaN */
		memcpy(&state[3], &payload, 8);
		NT_OK(ns_network_attr_add(NULL, net, "rng", NS_VARIABLE, NS_DTYPE_I64, 6, rng, 0));
		NT_OK(ns_network_attr_add(NULL, net, "state", NS_VARIABLE, NS_DTYPE_F64, 6, state,
					  0));
		NT_OK(ns_network_attr_add(NULL, net, "values", NS_PARAMETER, NS_DTYPE_F32, 3, vals,
					  0));
		NT_OK(ns_attr_add_array(NULL, a, "refrac", NS_VARIABLE, NS_DTYPE_I32, 3, refrac, 0));
		NT_OK(ns_attr_add_array(NULL, ab, "queue", NS_VARIABLE, NS_DTYPE_F64, 7, queue, 0));
		NT_OK(ns_attr_add_array(NULL, ba, "none", NS_PARAMETER, NS_DTYPE_BOOL, 0, NULL, 0));
	}
	NT_OK(ns_network_set_meta(net, "experiment", "seed 7, \u00e9t\u00e9", 0));
	NT_OK(ns_network_set_meta(net, "lr", NULL, 0.01));
	ns_network_set_dt(net, 0.1);
	ns_network_set_time(net, 12.5, 125);
	NT_OK(ns_snapshot(NULL, s, net, NULL));
	ns_network_free(net);
}

/* @x and @y, arrays of any length of the same owner @owner, agree bit for bit. */
static void expect_same_array(ns_attr *x, ns_attr *y, const char *owner, const char *name)
{
	ns_attr_info ix, iy;
	void *dx, *dy;
	cr_assert_not_null(y, "'%s': no array '%s' after the round trip", owner, name);
	ns_attr_get_info(&ix, x);
	ns_attr_get_info(&iy, y);
	cr_assert(ix.scope == NS_ARRAY && iy.scope == NS_ARRAY, "'%s': '%s' scope %d", owner,
		  name, iy.scope);
	cr_assert(ix.kind == iy.kind && ix.dtype == iy.dtype && ix.count == iy.count,
		  "'%s': array '%s' is %s %s of %llu, not %s %s of %llu", owner, name,
		  ns_attr_kind_name(iy.kind), ns_dtype_name(iy.dtype), (unsigned long long)iy.count,
		  ns_attr_kind_name(ix.kind), ns_dtype_name(ix.dtype), (unsigned long long)ix.count);
	NT_OK(ns_attr_data(&dx, x));
	NT_OK(ns_attr_data(&dy, y));
	cr_assert(ix.count == 0 || memcmp(dx, dy, ix.count * ns_dtype_size(ix.dtype)) == 0,
		  "'%s': array '%s' changed its bits", owner, name);
}

void expect_arrays_identical(ns_store *s, const char *a, const char *b)
{
	ns_network *x = NULL, *y = NULL;
	NT_OK(ns_network_open(&x, s, a));
	NT_OK(ns_network_open(&y, s, b));
	cr_assert_eq(ns_network_attr_count(x), ns_network_attr_count(y),
		     "%zu network-wide arrays, not %zu", ns_network_attr_count(y),
		     ns_network_attr_count(x));
	for (size_t i = 0; i < ns_network_attr_count(x); i++) {
		ns_attr *ax = ns_network_attr_at(x, i);
		ns_attr_info ai;
		ns_attr_get_info(&ai, ax);
		expect_same_array(ax, ns_network_attr_find(y, ai.name), "network", ai.name);
	}
	for (size_t i = 0; i < ns_network_object_count(x); i++) {
		ns_object *ox = ns_network_object_at(x, i), *oy;
		ns_object_info oi;
		ns_object_get_info(&oi, ox);
		cr_assert_not_null(oy = ns_network_object_find(y, oi.name), "no object '%s'",
				   oi.name);
		for (size_t k = 0; k < oi.n_attrs; k++) {
			ns_attr_info ai;
			ns_attr_get_info(&ai, ns_object_attr_at(ox, k));
			if (ai.scope != NS_ARRAY)
				continue;
			expect_same_array(ns_object_attr_at(ox, k), ns_object_attr_find(oy, ai.name),
					  oi.name, ai.name);
		}
	}
	ns_network_free(x);
	ns_network_free(y);
}

void expect_round_trip_equal(ns_plugins *ps, ns_store *s, const char *path,
			     const char *const *options)
{
	ns_export_opts eo = NS_EXPORT_OPTS_INIT;
	ns_diff *d = NULL;
	ns_network *x = NULL, *y = NULL;
	uint64_t v = 0, head = 0;
	char rev[24];
	eo.options = options;
	eo.overwrite = 1;
	NT_OK(ns_store_resolve(&head, s, "HEAD"));
	snprintf(rev, sizeof rev, "%llu", (unsigned long long)head);
	NT_OK(ns_export(ps, s, rev, path, &eo));
	NT_OK(import_file(&v, ps, s, path));
	NT_OK(ns_diff_versions(&d, s, rev, "HEAD", NULL));
	for (size_t i = 0; i < d->n_objects; i++)
		cr_expect_eq(d->objects[i].change, NS_SAME, "%s: object '%s' changed: %s", path,
			     d->objects[i].name, d->objects[i].detail);
	for (size_t i = 0; i < d->n_meta; i++)
		cr_expect_fail("%s: dictionary entry '%s': %s -> %s", path, d->meta[i].key,
			       d->meta[i].value_a ? d->meta[i].value_a : "(none)",
			       d->meta[i].value_b ? d->meta[i].value_b : "(none)");
	cr_assert(d->t_a == d->t_b && d->dt_a == d->dt_b, "%s: time %g -> %g ms, dt %g -> %g",
		  path, d->t_a, d->t_b, d->dt_a, d->dt_b);
	cr_assert(d->equal, "%s: nsnap diff finds the round trip different", path);
	ns_diff_free(d);
	/* What diff does not compare: the network's name, attributes' kinds. */
	NT_OK(ns_network_open(&x, s, rev));
	NT_OK(ns_network_open(&y, s, "HEAD"));
	cr_assert_str_eq(ns_network_name(x), ns_network_name(y));
	for (size_t i = 0; i < ns_network_object_count(x); i++) {
		ns_object *ox = ns_network_object_at(x, i);
		ns_object_info oi;
		ns_object_get_info(&oi, ox);
		for (size_t k = 0; k < oi.n_attrs; k++) {
			ns_attr_info ax, ay;
			ns_attr_get_info(&ax, ns_object_attr_at(ox, k));
			ns_attr_get_info(&ay, ns_object_attr_find(ns_network_object_find(y, oi.name),
								  ax.name));
			cr_expect_eq(ax.kind, ay.kind, "%s: %s.%s kind", path, oi.name, ax.name);
		}
	}
	ns_network_free(x);
	ns_network_free(y);
	expect_arrays_identical(s, rev, "HEAD");
}
