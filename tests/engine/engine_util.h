/* SPDX-License-Identifier: MIT */
/* Builders shared by the engine tests: a small network bound to arrays the
 * test owns.
 *
 * The network: populations E (8 neurons, geometry 2x4) and I (3 neurons);
 * projections EE (E -> E, 7 synapses, one multapse) and IE (I -> E, 5
 * synapses), both sorted by post then pre; attributes of every element
 * type in every scope, parameters and variables, described by et_attrs[]
 * and bound to the fields of an et_state. */
#ifndef NSNAP_TESTS_ENGINE_UTIL_H
#define NSNAP_TESTS_ENGINE_UTIL_H

#include "util.h"

#include <nsnap/network.h>
#include <nsnap/snapshot.h>

#include <stddef.h>
#include <stdint.h>

enum {
	ET_NE = 8,   /* neurons of E */
	ET_NI = 3,   /* neurons of I (the arrays have room for ET_NI + 1) */
	ET_NEE = 7,  /* synapses of EE */
	ET_NIE = 5,  /* synapses of IE */
};

/* Every array of the network, owned by the test. */
typedef struct et_state {
	/* E: globals of every type, locals of every type */
	double e_tau;
	float e_gain;
	int64_t e_seed;
	int32_t e_n;
	uint8_t e_mode;
	uint8_t e_on;
	double e_v[ET_NE];
	float e_g[ET_NE];
	int64_t e_count[ET_NE];
	int32_t e_refr[ET_NE];
	uint8_t e_mask[ET_NE];
	uint8_t e_spiked[ET_NE];
	/* I */
	double i_tau;
	float i_v[ET_NI + 1];
	/* EE: connectivity, locals, globals, semiglobals */
	int32_t ee_pre[ET_NEE], ee_post[ET_NEE];
	double ee_w[ET_NEE];
	int32_t ee_delay[ET_NEE];
	float ee_eta;
	uint8_t ee_plastic;
	double ee_trace[ET_NE];
	float ee_scale[ET_NE];
	uint8_t ee_active[ET_NE];
	/* IE */
	int32_t ie_pre[ET_NIE], ie_post[ET_NIE];
	float ie_w[ET_NIE];
	int64_t ie_age[ET_NIE];
	uint8_t ie_fix[ET_NIE];
	uint8_t ie_on[ET_NIE];
	double ie_k;
	int64_t ie_hits[ET_NE];
	int32_t ie_cnt[ET_NE];
	uint8_t ie_gate[ET_NE];
	/* arrays of the variants of et_build() */
	int32_t e_v_i32[ET_NE];   /* ET_V_I32 */
	float e_v_f32[ET_NE];     /* ET_V_F32 */
	double e_tau_local[ET_NE];/* ET_TAU_LOCAL */
	double e_u[ET_NE];        /* ET_EXTRA_VAR */
	double x_r[2];            /* ET_EXTRA_POP */
	int32_t ie_post_i[ET_NIE];/* ET_IE_POST_I: post indices within I */
} et_state;

/* One attribute of the standard network. */
typedef struct et_attr_def {
	const char *object;
	const char *name;
	ns_attr_kind kind;
	ns_scope scope;
	ns_dtype dtype;
	size_t offset; /* of its array in et_state */
	uint64_t count;
} et_attr_def;

extern const et_attr_def et_attrs[];
extern const size_t et_n_attrs;

/* Variants of the standard network, for et_build(). */
enum {
	ET_V_I32 = 1u << 0,     /* E.v is i32 (e_v_i32) instead of f64 */
	ET_V_F32 = 1u << 1,     /* E.v is f32 (e_v_f32) instead of f64 */
	ET_TAU_LOCAL = 1u << 2, /* E.tau is local (e_tau_local) instead of global */
	ET_I_SIZE4 = 1u << 3,   /* I has 4 neurons */
	ET_EE_FEWER = 1u << 4,  /* EE has its first 6 synapses only */
	ET_IE_FROM_E = 1u << 5, /* IE goes from E (not I) to E */
	ET_IE_POST_I = 1u << 6, /* IE goes from I to I (ie_post_i), no semiglobals */
	ET_EXTRA_POP = 1u << 7, /* a third population X (2 neurons, local f64 "r") */
	ET_EXTRA_VAR = 1u << 8, /* E has a variable "u" (e_u) more */
	ET_GEOM_4X2 = 1u << 9,  /* E's geometry is 4x2 instead of 2x4 */
};

/* A new state: the connectivity above, every other value 0 for @seed 0,
 * else values that depend on @seed (distinct between seeds). */
et_state *et_state_new(int seed);

/* Fill every attribute array of @st with the values of @seed (0: zeros). */
void et_state_fill(et_state *st, int seed);

/* The network bound to @st, with the variants of @flags. */
ns_network *et_build(et_state *st, unsigned flags);

/* Set the time, dt and dictionary that @seed gives (seed 0: none). */
void et_set_clock(ns_network *net, int seed);

/* A state of @seed and the network bound to it, its clock set. */
typedef struct et_net {
	et_state *st;
	ns_network *net;
} et_net;

et_net et_net_new(int seed, unsigned flags);
void et_net_free(et_net *n);

/* The array of attribute @a of @st. */
void *et_array(et_state *st, const et_attr_def *a);

/* The definition of @object.@name in et_attrs[] (fails when missing). */
const et_attr_def *et_attr_def_find(const char *object, const char *name);

/* Whether attribute @a has the same bytes in @x and @y. */
int et_attr_equal(const et_state *x, const et_state *y, const et_attr_def *a);

/* Snapshot @net into @s with default options; returns the version. */
uint64_t et_snapshot(ns_store *s, const ns_network *net);

/* Snapshot with a selection. */
uint64_t et_snapshot_select(ns_store *s, const ns_network *net, ns_select sel);

/* Restore @rev into @net with default options; returns the report. */
ns_restore_report *et_restore(ns_store *s, const char *rev, ns_network *net);

/* The item of @report for @object (and @attr; NULL for any or none), or
 * NULL. */
const ns_restore_item *et_report_find(const ns_restore_report *report, const char *object,
				      const char *attr);

/* Assert that the counts of @report are those of its items. */
void et_report_check_counts(const ns_restore_report *report);

/* The values of @object.@name of @net read as f64 into @buf (@n max);
 * returns the count. */
uint64_t et_read_f64(double *buf, uint64_t n, ns_network *net, const char *object,
		     const char *name);

/* Whether the last error message names @name in quotes ('x' or "x"). */
int et_message_names(const char *name);

#define ET_MESSAGE_NAMES(name)                                                  \
	cr_assert(et_message_names(name), "message \"%s\" does not name '%s'",    \
		  ns_error_last()->message, (name))

/* The clock of a network, to see that it did not change. */
typedef struct et_clock {
	double t, dt;
	uint64_t step;
} et_clock;

et_clock et_clock_of(const ns_network *net);
void et_assert_clock_eq(et_clock a, et_clock b);

#endif
