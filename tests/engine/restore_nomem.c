/* SPDX-License-Identifier: MIT */
/* A restore that runs out of memory changes nothing. The library is linked
 * statically with malloc, calloc, realloc, strdup and strndup wrapped
 * (-Wl,--wrap=...): each allocation the library makes inside ns_restore()
 * is made to fail in turn, N = 1, 2, ... until a restore succeeds; after
 * every failure the bound arrays hold exactly their bytes from before, the
 * clock is the same, and the error is NS_ENOMEM. */
#include "util.h"

#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------- failing allocations */

void *__real_malloc(size_t size);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t size);
char *__real_strdup(const char *s);
char *__real_strndup(const char *s, size_t n);
void *__wrap_malloc(size_t size);
void *__wrap_calloc(size_t n, size_t size);
void *__wrap_realloc(void *p, size_t size);
char *__wrap_strdup(const char *s);
char *__wrap_strndup(const char *s, size_t n);

/* Armed: the allocation number fail_at (from 1) returns NULL. */
static int armed;
static unsigned long calls, fail_at;

/* Atomic: a restore decodes chunks on several threads. */
static int fail_now(void)
{
	return armed && __atomic_add_fetch(&calls, 1, __ATOMIC_SEQ_CST) == fail_at;
}

void *__wrap_malloc(size_t size)
{
	return fail_now() ? NULL : __real_malloc(size);
}

void *__wrap_calloc(size_t n, size_t size)
{
	return fail_now() ? NULL : __real_calloc(n, size);
}

void *__wrap_realloc(void *p, size_t size)
{
	return fail_now() ? NULL : __real_realloc(p, size);
}

char *__wrap_strdup(const char *s)
{
	return fail_now() ? NULL : __real_strdup(s);
}

char *__wrap_strndup(const char *s, size_t n)
{
	return fail_now() ? NULL : __real_strndup(s, n);
}

/* ------------------------------------------------------------ network */

/* Populations A (NA neurons, 2 local arrays of several chunks at 4 KiB) and
 * B (NB), projection P from A to B with NS synapses, not in the store's
 * order when @shuffled. */
enum { NA = 1500, NB = 40, NS = 1200 };

struct state {
	double a_v[NA];   /* f64, or read as f32 into a_v32 with F32 */
	float a_v32[NA];
	int32_t a_n[NA];
	double a_tau;
	double b_u[NB];
	int32_t p_pre[NS], p_post[NS];
	double p_w[NS];
	float p_w32[NS];
	uint8_t p_on[NS];
	double p_trace[NB];
	double t_ms, dt;
	uint64_t step;
};

enum {
	F32 = 1u << 0,      /* A.v and P.w are f32 */
	SHUFFLED = 1u << 1, /* P's synapses in another order than the store's */
};

/* Synapse k of the store's order (by post, then pre): from pre to post. */
static void synapse(uint64_t k, int32_t *pre, int32_t *post)
{
	*post = (int32_t)(k / (NS / NB));
	*pre = (int32_t)((k % (NS / NB)) * 7 % NA);
}

/* Position of store synapse k in a shuffled network: a fixed permutation. */
static uint64_t shuffled_at(uint64_t k)
{
	return (k * 7 + 3) % NS; /* 7 and NS = 1200 are coprime */
}

/* Values that depend on @seed (0: zeros, as a simulator's fresh state). */
static struct state *state_new(int seed, unsigned flags)
{
	struct state *st = calloc(1, sizeof *st);
	cr_assert_not_null(st);
	for (uint64_t i = 0; i < NA; i++) {
		st->a_v[i] = seed * 1000.0 + (double)i * 0.25;
		st->a_v32[i] = (float)st->a_v[i];
		st->a_n[i] = seed * 7 + (int32_t)i;
	}
	st->a_tau = 10.0 * seed;
	for (uint64_t j = 0; j < NB; j++) {
		st->b_u[j] = -seed - (double)j;
		st->p_trace[j] = seed * 0.5 + (double)j;
	}
	for (uint64_t k = 0; k < NS; k++) {
		uint64_t at = (flags & SHUFFLED) ? shuffled_at(k) : k;
		synapse(k, &st->p_pre[at], &st->p_post[at]);
		st->p_w[at] = seed + (double)k * 0.125;
		st->p_w32[at] = (float)st->p_w[at];
		st->p_on[at] = (uint8_t)((k + (uint64_t)seed) % 2);
	}
	st->t_ms = 100.0 * seed;
	st->dt = 0.1 * seed;
	st->step = 1000u * (unsigned)seed;
	return st;
}

static ns_network *build(struct state *st, unsigned flags)
{
	ns_network *net = NULL;
	ns_object *a = NULL, *b = NULL, *p = NULL;
	int f32 = (flags & F32) != 0;
	NT_OK(ns_network_new(&net, "nomem"));
	NT_OK(ns_population_add(&a, net, "A", NA, NULL, 0, "iaf"));
	NT_OK(ns_population_add(&b, net, "B", NB, NULL, 0, "iaf"));
	NT_OK(ns_projection_add(&p, net, "P", "A", "B", "exc", "stdp"));
	NT_OK(ns_projection_set_synapses(p, st->p_pre, st->p_post, NS, 0));
	NT_OK(ns_attr_add(NULL, a, "v", NS_VARIABLE, NS_LOCAL, f32 ? NS_DTYPE_F32 : NS_DTYPE_F64,
			  f32 ? (void *)st->a_v32 : (void *)st->a_v, 0));
	NT_OK(ns_attr_add(NULL, a, "n", NS_VARIABLE, NS_LOCAL, NS_DTYPE_I32, st->a_n, 0));
	NT_OK(ns_attr_add(NULL, a, "tau", NS_PARAMETER, NS_GLOBAL, NS_DTYPE_F64, &st->a_tau, 0));
	NT_OK(ns_attr_add(NULL, b, "u", NS_VARIABLE, NS_LOCAL, NS_DTYPE_F64, st->b_u, 0));
	NT_OK(ns_attr_add(NULL, p, "w", NS_VARIABLE, NS_LOCAL, f32 ? NS_DTYPE_F32 : NS_DTYPE_F64,
			  f32 ? (void *)st->p_w32 : (void *)st->p_w, 0));
	NT_OK(ns_attr_add(NULL, p, "on", NS_VARIABLE, NS_LOCAL, NS_DTYPE_BOOL, st->p_on, 0));
	NT_OK(ns_attr_add(NULL, p, "trace", NS_VARIABLE, NS_SEMIGLOBAL, NS_DTYPE_F64,
			  st->p_trace, 0));
	ns_network_set_time(net, st->t_ms, st->step);
	ns_network_set_dt(net, st->dt);
	return net;
}

/* The state as the network holds it: its bound arrays and its clock. */
static void capture(struct state *st, const ns_network *net)
{
	ns_network_time(net, &st->t_ms, &st->step);
	st->dt = ns_network_dt(net);
}

/* A store of 4 KiB chunks (A.v: 3 chunks; P.w: 3) holding the network of
 * seed 1 (f64, in the store's order) as version 1. */
static ns_store *saved(ns_codec codec)
{
	ns_store *s = nt_store_new("s.nsnap", 4096, codec);
	struct state *st = state_new(1, 0);
	ns_network *net = build(st, 0);
	uint64_t v = 0;
	NT_OK(ns_snapshot(&v, s, net, NULL));
	cr_assert_eq(v, 1);
	ns_network_free(net);
	free(st);
	return s;
}

/* Which parts a restore takes, for expected(). */
enum { POP_A = 1u << 0, POP_B = 1u << 1, PROJ = 1u << 2, CLOCK = 1u << 3,
       ALL = POP_A | POP_B | PROJ | CLOCK };

/* The state of seed 2 (flags @live) after the parts @parts of version 1
 * were restored into it; arrays the network does not bind stay as they
 * were. */
static struct state *expected(unsigned live, unsigned parts)
{
	struct state *want = state_new(2, live), *one = state_new(1, live);
	int f32 = (live & F32) != 0;
	if (parts & POP_A) {
		memcpy(f32 ? (void *)want->a_v32 : (void *)want->a_v,
		       f32 ? (void *)one->a_v32 : (void *)one->a_v,
		       f32 ? sizeof want->a_v32 : sizeof want->a_v);
		memcpy(want->a_n, one->a_n, sizeof want->a_n);
		want->a_tau = one->a_tau;
	}
	if (parts & POP_B)
		memcpy(want->b_u, one->b_u, sizeof want->b_u);
	if (parts & PROJ) {
		memcpy(f32 ? (void *)want->p_w32 : (void *)want->p_w,
		       f32 ? (void *)one->p_w32 : (void *)one->p_w,
		       f32 ? sizeof want->p_w32 : sizeof want->p_w);
		memcpy(want->p_on, one->p_on, sizeof want->p_on);
		memcpy(want->p_trace, one->p_trace, sizeof want->p_trace);
	}
	if (parts & CLOCK) {
		want->t_ms = one->t_ms;
		want->dt = one->dt;
		want->step = one->step;
	}
	free(one);
	return want;
}

/* Restore version 1 into the network of seed 2 (flags @live) with @o,
 * failing each allocation in turn; then check the successful restore
 * against a restore with nothing failing (into a twin network). Returns
 * how many restores failed. */
static unsigned long restore_failing_each(ns_store *s, unsigned live, const ns_restore_opts *o,
					  unsigned parts)
{
	struct state *want = expected(live, parts);
	struct state *st = state_new(2, live), *before = malloc(sizeof *before);
	struct state *twin_st = state_new(2, live);
	ns_network *net = build(st, live), *twin = build(twin_st, live);
	ns_restore_report *rep = NULL, *twin_rep = NULL;
	unsigned long failures = 0;
	int rc;

	cr_assert_not_null(before);
	NT_OK(ns_restore(&twin_rep, s, "1", twin, o));
	capture(twin_st, twin);
	capture(st, net);
	for (fail_at = 1;; fail_at++) {
		memcpy(before, st, sizeof *st);
		ns_error_clear();
		calls = 0;
		armed = 1;
		rc = ns_restore(&rep, s, "1", net, o);
		armed = 0;
		if (rc == NS_OK) {
			cr_assert_lt(calls, fail_at, "restore succeeded though allocation %lu failed",
				     fail_at);
			break;
		}
		failures++;
		cr_assert_eq(rc, NS_ENOMEM, "allocation %lu of %lu failed: %d (%s), not NS_ENOMEM",
			     fail_at, calls, rc, ns_error_last()->message);
		cr_assert_neq(ns_error_last()->message[0], '\0', "allocation %lu: no message",
			      fail_at);
		capture(st, net);
		cr_assert_eq(memcmp(before, st, sizeof *st), 0,
			     "allocation %lu failed (\"%s\"), and the network changed", fail_at,
			     ns_error_last()->message);
		cr_assert_null(rep, "allocation %lu: a report of a failed restore", fail_at);
	}
	/* The restore that succeeded did what one with nothing failing does,
	 * and that is what version 1 holds. */
	capture(st, net);
	cr_assert_eq(memcmp(twin_st, want, sizeof *st), 0, "the restore did not restore");
	cr_assert_eq(memcmp(st, twin_st, sizeof *st), 0, "the network differs from its twin's");
	cr_assert_not_null(rep);
	cr_assert_eq(rep->n_items, twin_rep->n_items);
	cr_assert_eq(rep->restored, twin_rep->restored);
	cr_assert_eq(rep->converted, twin_rep->converted);
	cr_assert_eq(rep->skipped, twin_rep->skipped);
	ns_restore_report_free(rep);
	ns_restore_report_free(twin_rep);
	ns_network_free(net);
	ns_network_free(twin);
	free(st);
	free(twin_st);
	free(before);
	free(want);
	cr_assert_gt(failures, 10, "only %lu allocations to fail: the test proves little",
		     failures);
	return failures;
}

Test(restore_nomem, a_plain_restore_changes_nothing_when_memory_runs_out)
{
	ns_store *s = saved(NS_CODEC_RAW);
	restore_failing_each(s, 0, NULL, ALL);
	ns_store_close(s);
}

Test(restore_nomem, a_restore_from_compressed_chunks_changes_nothing_when_memory_runs_out)
{
	ns_store *s = saved(NS_CODEC_ZSTD);
	restore_failing_each(s, 0, NULL, ALL);
	ns_store_close(s);
}

Test(restore_nomem, a_converting_restore_changes_nothing_when_memory_runs_out)
{
	ns_restore_opts o = NS_RESTORE_OPTS_INIT;
	ns_store *s = saved(NS_CODEC_RAW);
	o.convert = 1;
	restore_failing_each(s, F32, &o, ALL);
	ns_store_close(s);
}

Test(restore_nomem, a_reordering_restore_changes_nothing_when_memory_runs_out)
{
	ns_store *s = saved(NS_CODEC_RAW);
	restore_failing_each(s, SHUFFLED, NULL, ALL);
	ns_store_close(s);
}

Test(restore_nomem, a_converting_reordering_compressed_restore_changes_nothing)
{
	ns_restore_opts o = NS_RESTORE_OPTS_INIT;
	ns_store *s = saved(NS_CODEC_ZSTD);
	o.convert = 1;
	o.verify = 1;
	restore_failing_each(s, F32 | SHUFFLED, &o, ALL);
	ns_store_close(s);
}

Test(restore_nomem, a_restore_of_projections_only_changes_nothing_when_memory_runs_out)
{
	ns_restore_opts o = NS_RESTORE_OPTS_INIT;
	ns_store *s = saved(NS_CODEC_RAW);
	o.select.no_populations = 1;
	o.no_time = 1;
	restore_failing_each(s, SHUFFLED, &o, PROJ);
	ns_store_close(s);
}

Test(restore_nomem, a_restore_of_a_selection_changes_nothing_when_memory_runs_out)
{
	static const char *const only[] = { "A", "P", NULL };
	ns_restore_opts o = NS_RESTORE_OPTS_INIT;
	ns_store *s = saved(NS_CODEC_ZSTD);
	o.select.only = only;
	o.convert = 1;
	restore_failing_each(s, F32 | SHUFFLED, &o, POP_A | PROJ | CLOCK);
	ns_store_close(s);
}
