/* SPDX-License-Identifier: MIT */
/*
 * diff_bench: how fast `nsnap diff` (ns_diff_versions) compares two versions
 * of the balanced E-I network (25,000 neurons, 6.25 million synapses).
 *
 * Usage: diff_bench [--quick] [DIR]
 *
 * Three pairs of versions of one store:
 *   1. every weight changed (learning everywhere): every weight chunk read;
 *   2. only the weights of the smallest projection (I -> I) changed: the
 *      other arrays are known equal from their chunk hashes;
 *   3. a thousand synapses of E -> E rewired and every weight changed: the
 *      synapses are matched by (pre, post).
 * Targets (issue 6): under 1 s for a whole network, under 10 ms when only
 * one small projection differs. The baseline, measured in the same run, is
 * the same summary computed from both states' weights in memory (count of
 * changes, max |dw|, mean and RMS): what a script holding both checkpoints
 * loaded would still have to do.
 */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <nsnap/nsnap.h>

#include "bench_util.h"
#include "model.h"

#define REPS 5

const char bench_name[] = "diff_bench";

static char store_path[4096];

static void remove_files(void)
{
	remove_store(store_path);
}

typedef struct bench {
	model m;
	ns_store *s;
	double *old_w[N_PROJS]; /* the weights of version 1 */
	const char *a, *b;      /* the pair being timed */
	ns_diff *last;          /* the diff of the last repetition */
} bench;

static uint64_t snapshot(bench *b, const char *message)
{
	ns_snapshot_opts o = NS_SNAPSHOT_OPTS_INIT;
	uint64_t v;
	o.message = message;
	CHECK(ns_snapshot(&v, b->s, b->m.net, &o));
	return v;
}

static double step_diff(void *arg)
{
	bench *b = arg;
	double t = now();
	ns_diff_free(b->last);
	b->last = NULL;
	CHECK(ns_diff_versions(&b->last, b->s, b->a, b->b, NULL));
	return now() - t;
}

/* The baseline: the diff's summary of every projection's weights, from
 * the two states in memory (version 1's are kept in old_w). */
static double step_in_memory(void *arg)
{
	bench *b = arg;
	volatile double keep;
	double t = now(), sum = 0, sq = 0, max = 0;
	uint64_t changed = 0;
	for (int q = 0; q < N_PROJS; q++) {
		const double *x = b->old_w[q], *y = b->m.proj[q].w;
		for (uint64_t i = 0; i < b->m.proj[q].n; i++) {
			double d = y[i] - x[i];
			changed += d != 0;
			sum += d;
			sq += d * d;
			max = fabs(d) > max ? fabs(d) : max;
		}
	}
	keep = sum + sq + max + (double)changed;
	(void)keep;
	return now() - t;
}

/* Add @dw to every weight of projection @q (all when @q < 0). */
static void nudge(bench *b, int q, double dw)
{
	for (int k = 0; k < N_PROJS; k++)
		if (q < 0 || k == q)
			for (uint64_t i = 0; i < b->m.proj[k].n; i++)
				b->m.proj[k].w[i] += dw;
}

static void report(bench *b, const char *figure, const char *target, double limit)
{
	double base, meas;
	time_pair(&base, &meas, b, step_in_memory, step_diff, REPS);
	row(figure, fmt_time(meas), "in memory", fmt_time(base), meas / base, target,
	    meas < limit);
	row("  bytes read by the diff", fmt_bytes((int64_t)b->last->bytes_read), "-",
	    fmt("-"), NAN, "-", ROW_INFO);
}

int main(int argc, char **argv)
{
	static bench b;
	static network flat;
	const char *dir;
	int quick, ee = 0, ii = N_PROJS - 1;
	ns_store_opts so = NS_STORE_OPTS_INIT;

	bench_args(&dir, &quick, argc, argv);
	path_join(store_path, sizeof store_path, dir, "diff_bench.nsnap");
	remove_files();
	atexit(remove_files);
	uint32_t div = quick ? QUICK_DIV : 1;
	network_build(&flat, N_EXC / div, N_INH / div);
	model_from_network(&b.m, &flat);
	network_free(&flat);
	model_bind(&b.m, "diff_bench");
	for (int q = 0; q < N_PROJS; q++) {
		b.old_w[q] = xmalloc(b.m.proj[q].n * sizeof(double) + 1);
		memcpy(b.old_w[q], b.m.proj[q].w, b.m.proj[q].n * sizeof(double));
	}
	so.flags = NS_STORE_CREATE;
	CHECK(ns_store_open(&b.s, store_path, &so));

	printf("diff_bench: %u neurons, %" PRIu64 " synapses (I -> I: %" PRIu64 "), %s; "
	       "in %s\ntimings: median of %d repetitions, baseline and measurement "
	       "alternating\n\n", b.m.pop[0].size + b.m.pop[1].size, b.m.n_syn, b.m.proj[ii].n,
	       fmt_bytes((int64_t)b.m.bytes).s, dir, REPS);
	table_header();

	snapshot(&b, "start");                 /* 1 */
	nudge(&b, -1, 1e-3);
	snapshot(&b, "every weight changed"); /* 2 */
	for (int q = 0; q < N_PROJS; q++)
		memcpy(b.m.proj[q].w, b.old_w[q], b.m.proj[q].n * sizeof(double));
	nudge(&b, ii, 1e-3);
	snapshot(&b, "I -> I changed");       /* 3 */
	memcpy(b.m.proj[ii].w, b.old_w[ii], b.m.proj[ii].n * sizeof(double));
	/* Rewire: the last synapse onto every 5th E neuron (up to 1000) comes
	 * from E's last neuron instead, which keeps the (post, pre) order. */
	projection *j = &b.m.proj[ee];
	for (uint64_t i = 0, ends = 0, moved = 0; i + 1 < j->n && moved < 1000; i++)
		if (j->post_rank[i + 1] != j->post_rank[i] && ends++ % 5 == 0 &&
		    j->pre_rank[i] != (int32_t)b.m.pop[0].size - 1) {
			j->pre_rank[i] = (int32_t)b.m.pop[0].size - 1;
			moved++;
		}
	nudge(&b, -1, 1e-3);
	snapshot(&b, "rewired");               /* 4 */

	b.a = "1";
	b.b = "2";
	report(&b, "1 diff, every weight changed", "< 1 s", 1.0);
	b.b = "3";
	report(&b, "2 diff, I -> I weights changed", "< 10 ms", 0.010);
	b.b = "4";
	report(&b, "3 diff, E -> E rewired", "< 1 s", 1.0);
	printf("\nversion 1 -> 4: E -> E %" PRIu64 " synapses removed, %" PRIu64 " added\n",
	       b.last->objects[2].syn_removed, b.last->objects[2].syn_added);
	ns_diff_free(b.last);
	ns_store_close(b.s);
	for (int q = 0; q < N_PROJS; q++)
		free(b.old_w[q]);
	model_free(&b.m);
	return table_footer() ? 1 : 0;
}
