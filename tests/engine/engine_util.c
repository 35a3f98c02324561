/* SPDX-License-Identifier: MIT */
#include "engine_util.h"

#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define A(obj, name, kind, scope, dtype, field, count)                             \
	{ obj, name, kind, scope, dtype, offsetof(et_state, field), count }

const et_attr_def et_attrs[] = {
	A("E", "tau", NS_PARAMETER, NS_GLOBAL, NS_DTYPE_F64, e_tau, 1),
	A("E", "gain", NS_VARIABLE, NS_GLOBAL, NS_DTYPE_F32, e_gain, 1),
	A("E", "seed", NS_PARAMETER, NS_GLOBAL, NS_DTYPE_I64, e_seed, 1),
	A("E", "n", NS_PARAMETER, NS_GLOBAL, NS_DTYPE_I32, e_n, 1),
	A("E", "mode", NS_PARAMETER, NS_GLOBAL, NS_DTYPE_U8, e_mode, 1),
	A("E", "on", NS_PARAMETER, NS_GLOBAL, NS_DTYPE_BOOL, e_on, 1),
	A("E", "v", NS_VARIABLE, NS_LOCAL, NS_DTYPE_F64, e_v, ET_NE),
	A("E", "g", NS_VARIABLE, NS_LOCAL, NS_DTYPE_F32, e_g, ET_NE),
	A("E", "count", NS_VARIABLE, NS_LOCAL, NS_DTYPE_I64, e_count, ET_NE),
	A("E", "refr", NS_VARIABLE, NS_LOCAL, NS_DTYPE_I32, e_refr, ET_NE),
	A("E", "mask", NS_PARAMETER, NS_LOCAL, NS_DTYPE_U8, e_mask, ET_NE),
	A("E", "spiked", NS_VARIABLE, NS_LOCAL, NS_DTYPE_BOOL, e_spiked, ET_NE),
	A("I", "tau", NS_PARAMETER, NS_GLOBAL, NS_DTYPE_F64, i_tau, 1),
	A("I", "v", NS_VARIABLE, NS_LOCAL, NS_DTYPE_F32, i_v, ET_NI),
	A("EE", "w", NS_VARIABLE, NS_LOCAL, NS_DTYPE_F64, ee_w, ET_NEE),
	A("EE", "delay", NS_PARAMETER, NS_LOCAL, NS_DTYPE_I32, ee_delay, ET_NEE),
	A("EE", "eta", NS_PARAMETER, NS_GLOBAL, NS_DTYPE_F32, ee_eta, 1),
	A("EE", "plastic", NS_PARAMETER, NS_GLOBAL, NS_DTYPE_BOOL, ee_plastic, 1),
	A("EE", "trace", NS_VARIABLE, NS_SEMIGLOBAL, NS_DTYPE_F64, ee_trace, ET_NE),
	A("EE", "scale", NS_PARAMETER, NS_SEMIGLOBAL, NS_DTYPE_F32, ee_scale, ET_NE),
	A("EE", "active", NS_VARIABLE, NS_SEMIGLOBAL, NS_DTYPE_BOOL, ee_active, ET_NE),
	A("IE", "w", NS_VARIABLE, NS_LOCAL, NS_DTYPE_F32, ie_w, ET_NIE),
	A("IE", "age", NS_VARIABLE, NS_LOCAL, NS_DTYPE_I64, ie_age, ET_NIE),
	A("IE", "fix", NS_PARAMETER, NS_LOCAL, NS_DTYPE_U8, ie_fix, ET_NIE),
	A("IE", "on", NS_VARIABLE, NS_LOCAL, NS_DTYPE_BOOL, ie_on, ET_NIE),
	A("IE", "k", NS_PARAMETER, NS_GLOBAL, NS_DTYPE_F64, ie_k, 1),
	A("IE", "hits", NS_VARIABLE, NS_SEMIGLOBAL, NS_DTYPE_I64, ie_hits, ET_NE),
	A("IE", "cnt", NS_PARAMETER, NS_SEMIGLOBAL, NS_DTYPE_I32, ie_cnt, ET_NE),
	A("IE", "gate", NS_PARAMETER, NS_SEMIGLOBAL, NS_DTYPE_U8, ie_gate, ET_NE),
};
const size_t et_n_attrs = sizeof et_attrs / sizeof et_attrs[0];

/* Arrays of the variants, filled like the others. */
static const et_attr_def extra_attrs[] = {
	A("E", "v", NS_VARIABLE, NS_LOCAL, NS_DTYPE_I32, e_v_i32, ET_NE),
	A("E", "v", NS_VARIABLE, NS_LOCAL, NS_DTYPE_F32, e_v_f32, ET_NE),
	A("E", "tau", NS_PARAMETER, NS_LOCAL, NS_DTYPE_F64, e_tau_local, ET_NE),
	A("E", "u", NS_VARIABLE, NS_LOCAL, NS_DTYPE_F64, e_u, ET_NE),
	A("X", "r", NS_VARIABLE, NS_LOCAL, NS_DTYPE_F64, x_r, 2),
};
enum { X_V_I32, X_V_F32, X_TAU_LOCAL, X_U, X_R };

#undef A

static const int32_t ee_pre[ET_NEE] = { 0, 1, 3, 3, 2, 7, 0 };
static const int32_t ee_post[ET_NEE] = { 0, 0, 1, 1, 4, 5, 7 };
static const int32_t ie_pre[ET_NIE] = { 0, 2, 1, 0, 2 };
static const int32_t ie_post[ET_NIE] = { 0, 1, 3, 6, 7 };

void *et_array(et_state *st, const et_attr_def *a)
{
	return (char *)st + a->offset;
}

/* Element @i of attribute number @k for @seed: exact in every type. */
static void fill_one(et_state *st, const et_attr_def *a, unsigned k, int seed)
{
	void *p = et_array(st, a);
	uint64_t n = a->count;
	if (strcmp(a->object, "I") == 0 && a->scope == NS_LOCAL)
		n = ET_NI + 1; /* room for ET_I_SIZE4 */
	for (uint64_t i = 0; i < n; i++) {
		double f = seed ? seed * 100.0 + k + (double)i * 0.5 : 0.0;
		switch (a->dtype) {
		case NS_DTYPE_F64: ((double *)p)[i] = f; break;
		case NS_DTYPE_F32: ((float *)p)[i] = (float)f; break;
		case NS_DTYPE_I64:
			((int64_t *)p)[i] = seed ? seed * INT64_C(1000000007) + k * 1000 + (int64_t)i : 0;
			break;
		case NS_DTYPE_I32:
			((int32_t *)p)[i] = seed ? seed * 1000 + (int32_t)k * 10 + (int32_t)i : 0;
			break;
		case NS_DTYPE_U8:
			((uint8_t *)p)[i] = seed ? (uint8_t)((seed * 31 + k * 7 + i) & 0xff) : 0;
			break;
		case NS_DTYPE_BOOL:
			((uint8_t *)p)[i] = seed ? (uint8_t)((seed + k + i) & 1) : 0;
			break;
		default: cr_assert_fail("bad dtype");
		}
	}
}

void et_state_fill(et_state *st, int seed)
{
	for (size_t k = 0; k < et_n_attrs; k++)
		fill_one(st, &et_attrs[k], (unsigned)k, seed);
	for (size_t k = 0; k < sizeof extra_attrs / sizeof extra_attrs[0]; k++)
		fill_one(st, &extra_attrs[k], (unsigned)(k + 50), seed);
}

et_state *et_state_new(int seed)
{
	et_state *st = calloc(1, sizeof *st);
	cr_assert_not_null(st);
	memcpy(st->ee_pre, ee_pre, sizeof ee_pre);
	memcpy(st->ee_post, ee_post, sizeof ee_post);
	memcpy(st->ie_pre, ie_pre, sizeof ie_pre);
	memcpy(st->ie_post, ie_post, sizeof ie_post);
	et_state_fill(st, seed);
	return st;
}

static void add_attr(ns_network *net, et_state *st, const et_attr_def *a)
{
	ns_object *obj = ns_network_object_find(net, a->object);
	ns_attr *attr = NULL;
	cr_assert_not_null(obj, "no object %s", a->object);
	NT_OK(ns_attr_add(&attr, obj, a->name, a->kind, a->scope, a->dtype, et_array(st, a), 0));
}

ns_network *et_build(et_state *st, unsigned flags)
{
	static const uint64_t shape24[] = { 2, 4 }, shape42[] = { 4, 2 };
	ns_network *net = NULL;
	ns_object *o = NULL;
	int ie_post_i = (flags & ET_IE_POST_I) != 0;
	NT_OK(ns_network_new(&net, "small"));
	NT_OK(ns_population_add(&o, net, "E", ET_NE,
				(flags & ET_GEOM_4X2) ? shape42 : shape24, 2, "iaf"));
	NT_OK(ns_population_add(&o, net, "I", (flags & ET_I_SIZE4) ? ET_NI + 1 : ET_NI, NULL, 0,
				"iaf"));
	if (flags & ET_EXTRA_POP)
		NT_OK(ns_population_add(&o, net, "X", 2, NULL, 0, "poisson"));
	NT_OK(ns_projection_add(&o, net, "EE", "E", "E", "exc", "stdp"));
	NT_OK(ns_projection_set_synapses(o, st->ee_pre, st->ee_post,
					 (flags & ET_EE_FEWER) ? ET_NEE - 1 : ET_NEE, 0));
	NT_OK(ns_projection_add(&o, net, "IE", (flags & ET_IE_FROM_E) ? "E" : "I",
				ie_post_i ? "I" : "E", "inh", "static"));
	NT_OK(ns_projection_set_synapses(o, st->ie_pre, st->ie_post, ET_NIE, 0));

	for (size_t k = 0; k < et_n_attrs; k++) {
		const et_attr_def *a = &et_attrs[k];
		int is_e = strcmp(a->object, "E") == 0;
		if (is_e && strcmp(a->name, "v") == 0 && (flags & ET_V_I32))
			a = &extra_attrs[X_V_I32];
		else if (is_e && strcmp(a->name, "v") == 0 && (flags & ET_V_F32))
			a = &extra_attrs[X_V_F32];
		else if (is_e && strcmp(a->name, "tau") == 0 && (flags & ET_TAU_LOCAL))
			a = &extra_attrs[X_TAU_LOCAL];
		else if (ie_post_i && strcmp(a->object, "IE") == 0 && a->scope == NS_SEMIGLOBAL)
			continue;
		add_attr(net, st, a);
	}
	if (flags & ET_EXTRA_VAR)
		add_attr(net, st, &extra_attrs[X_U]);
	if (flags & ET_EXTRA_POP)
		add_attr(net, st, &extra_attrs[X_R]);
	return net;
}

void et_set_clock(ns_network *net, int seed)
{
	if (!seed)
		return;
	ns_network_set_time(net, 100.5 * seed, 1005u * (uint64_t)seed);
	ns_network_set_dt(net, 0.1 * seed);
	NT_OK(ns_network_set_meta(net, "model", seed == 1 ? "izhikevich" : "adex", 0));
	NT_OK(ns_network_set_meta(net, "r_max", NULL, 1.25 * seed));
}

et_net et_net_new(int seed, unsigned flags)
{
	et_net n;
	n.st = et_state_new(seed);
	n.net = et_build(n.st, flags);
	et_set_clock(n.net, seed);
	return n;
}

void et_net_free(et_net *n)
{
	ns_network_free(n->net);
	free(n->st);
	n->net = NULL;
	n->st = NULL;
}

const et_attr_def *et_attr_def_find(const char *object, const char *name)
{
	for (size_t k = 0; k < et_n_attrs; k++)
		if (strcmp(et_attrs[k].object, object) == 0 && strcmp(et_attrs[k].name, name) == 0)
			return &et_attrs[k];
	cr_assert_fail("no attribute %s.%s in the fixture", object, name);
	return NULL;
}

int et_attr_equal(const et_state *x, const et_state *y, const et_attr_def *a)
{
	return memcmp((const char *)x + a->offset, (const char *)y + a->offset,
		      a->count * ns_dtype_size(a->dtype)) == 0;
}

uint64_t et_snapshot_select(ns_store *s, const ns_network *net, ns_select sel)
{
	ns_snapshot_opts o = NS_SNAPSHOT_OPTS_INIT;
	uint64_t v = 0;
	o.select = sel;
	NT_OK(ns_snapshot(&v, s, net, &o));
	cr_assert_gt(v, 0);
	return v;
}

uint64_t et_snapshot(ns_store *s, const ns_network *net)
{
	ns_select sel = { 0, 0, NULL };
	return et_snapshot_select(s, net, sel);
}

ns_restore_report *et_restore(ns_store *s, const char *rev, ns_network *net)
{
	ns_restore_report *r = NULL;
	NT_OK(ns_restore(&r, s, rev, net, NULL));
	cr_assert_not_null(r, "a successful restore gave no report");
	return r;
}

const ns_restore_item *et_report_find(const ns_restore_report *report, const char *object,
				      const char *attr)
{
	const ns_restore_item *any = NULL;
	for (size_t i = 0; i < report->n_items; i++) {
		const ns_restore_item *it = &report->items[i];
		if (!it->object || strcmp(it->object, object) != 0)
			continue;
		if (attr ? (it->attr && strcmp(it->attr, attr) == 0) : !it->attr)
			return it;
		if (!attr && !any)
			any = it;
	}
	return any;
}

void et_report_check_counts(const ns_restore_report *report)
{
	size_t restored = 0, converted = 0, skipped = 0;
	for (size_t i = 0; i < report->n_items; i++)
		switch (report->items[i].status) {
		case NS_RESTORED: restored++; break;
		case NS_CONVERTED: converted++; break;
		case NS_STORE_ONLY:
		case NS_NETWORK_ONLY: skipped++; break;
		default: cr_assert_fail("item %zu has status %d", i, (int)report->items[i].status);
		}
	cr_assert_eq(report->restored, restored, "restored %zu, items say %zu", report->restored,
		     restored);
	cr_assert_eq(report->converted, converted, "converted %zu, items say %zu",
		     report->converted, converted);
	cr_assert_eq(report->skipped, skipped, "skipped %zu, items say %zu", report->skipped,
		     skipped);
}

uint64_t et_read_f64(double *buf, uint64_t n, ns_network *net, const char *object,
		     const char *name)
{
	ns_object *o = ns_network_object_find(net, object);
	ns_attr *a;
	ns_attr_info info;
	cr_assert_not_null(o, "no object %s", object);
	a = ns_object_attr_find(o, name);
	cr_assert_not_null(a, "no attribute %s.%s", object, name);
	ns_attr_get_info(&info, a);
	cr_assert_leq(info.count, n, "%s.%s has %" PRIu64 " values", object, name, info.count);
	NT_OK(ns_attr_read(buf, NS_DTYPE_F64, a));
	return info.count;
}

int et_message_names(const char *name)
{
	char q[300];
	const char *m = ns_error_last()->message;
	snprintf(q, sizeof q, "'%s'", name);
	if (strstr(m, q))
		return 1;
	snprintf(q, sizeof q, "\"%s\"", name);
	return strstr(m, q) != NULL;
}


et_clock et_clock_of(const ns_network *net)
{
	et_clock c;
	ns_network_time(net, &c.t, &c.step);
	c.dt = ns_network_dt(net);
	return c;
}

void et_assert_clock_eq(et_clock a, et_clock b)
{
	cr_assert_eq(a.t, b.t, "time %g, expected %g", a.t, b.t);
	cr_assert_eq(a.step, b.step, "step %" PRIu64 ", expected %" PRIu64, a.step, b.step);
	cr_assert_eq(a.dt, b.dt, "dt %g, expected %g", a.dt, b.dt);
}
