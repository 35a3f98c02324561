/* SPDX-License-Identifier: MIT */
/* async_bench: how long ns_snapshot_async() blocks the simulator, against
 * the synchronous ns_snapshot() of the same state and memcpy() of the bytes
 * it had to copy, in the same run.
 *
 * The network is engine_bench's (25,000 neurons, 6.25 M synapses, 150 MB of
 * arrays whose chunks do not repeat). Two cases, REPS times each, the
 * sides taking turns:
 * - first: a new store, so every chunk is new (copied);
 * - learning step: the store holds the previous state; then every
 *   population's v and every projection's w change (the state a plastic
 *   network changes each step), connectivity, delays, r and tau do not.
 * Each repetition of the asynchronous side waits for its commit before
 * the next, and reports the total (call to wait) too. Both cases run into
 * a store as it is and into one with NS_STORE_TRACK_WRITES (where the
 * kernel allows it), taking turns; the time of the learning step's own
 * writes is given each way (the writes to tracked pages may fault), and
 * that of a restore of the first version into the same arrays.
 *
 * usage: async_bench [--quick] [DIR]   (DIR: where the store goes, default .)
 */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <nsnap/nsnap.h>

#include "bench_util.h"
#include "model.h"

#define REPS 7

const char bench_name[] = "async_bench";

static char store_path[4096];

struct timing {
	double v[REPS];
	int n;
};

static void add(struct timing *t, double s)
{
	t->v[t->n++] = s;
}

/* "median (min-max)" */
static text spread(struct timing *t)
{
	double lo = INFINITY, hi = 0;
	for (int i = 0; i < t->n; i++) {
		lo = fmin(lo, t->v[i]);
		hi = fmax(hi, t->v[i]);
	}
	double m = median(t->v, t->n);
	return fmt("%7.1f ms (%.1f-%.1f)", 1e3 * m, 1e3 * lo, 1e3 * hi);
}

static double med(struct timing *t)
{
	double copy[REPS];
	memcpy(copy, t->v, sizeof copy);
	return median(copy, t->n);
}

static ns_store *new_store(int track)
{
	ns_store_opts o = NS_STORE_OPTS_INIT;
	ns_store *s = NULL;
	remove_store(store_path);
	o.flags = NS_STORE_CREATE | (track ? NS_STORE_TRACK_WRITES : 0);
	CHECK(ns_store_open(&s, store_path, &o));
	return s;
}

/* A learning step: every v and every w changes. */
static uint64_t learn(model *m, uint64_t step)
{
	uint64_t bytes = 0;
	for (int p = 0; p < N_POPS; p++) {
		for (uint32_t i = 0; i < m->pop[p].size; i++)
			m->pop[p].v[i] += 1e-3 * (double)((i + step) % 17) - 8e-3;
		bytes += (uint64_t)m->pop[p].size * sizeof(double);
	}
	for (int q = 0; q < N_PROJS; q++) {
		for (uint64_t i = 0; i < m->proj[q].n; i++)
			m->proj[q].w[i] *= 1.0 + 1e-4 * (double)((i + step) % 13);
		bytes += m->proj[q].n * sizeof(double);
	}
	return bytes;
}

static double copy_time(void *dst, const model *m, uint64_t changed_only)
{
	double t0 = now();
	uint8_t *p = dst;
	for (int k = 0; k < N_MODEL_ARRAYS; k++) {
		const array *a = &m->arrays[k];
		int changed = strstr(a->name, "/v") || strstr(a->name, "/w");
		if (changed_only && !changed)
			continue;
		memcpy(p, a->data, array_bytes(a));
		p += array_bytes(a);
	}
	return now() - t0;
}

int main(int argc, char **argv)
{
	const char *dir;
	int quick;
	static model m;
	bench_args(&dir, &quick, argc, argv);
	path_join(store_path, sizeof store_path, dir, "async_bench.nsnap");
	{
		network flat = { 0 };
		uint32_t div = quick ? QUICK_DIV : 1;
		network_build(&flat, N_EXC / div, N_INH / div);
		model_from_network(&m, &flat);
		network_free(&flat);
	}
	model_bind(&m, "live");
	uint8_t *buf = xmalloc(m.bytes);
	memset(buf, 1, m.bytes);
	/* check what the copy baseline copies */
	uint64_t changed = learn(&m, 0);

	printf("async_bench: %s of arrays, %" PRIu64 " synapses; in %s; %d repetitions, "
	       "median (min-max)\n\n", fmt_bytes((int64_t)m.bytes).s, m.n_syn, dir, REPS);

	/* [0]: the store as it is; [1]: with tracked writes */
	struct timing sync_first[2] = { 0 }, block_first[2] = { 0 }, total_first[2] = { 0 },
		      copy_all[2] = { 0 }, sync_step[2] = { 0 }, block_step[2] = { 0 },
		      total_step[2] = { 0 }, copy_changed[2] = { 0 }, writes[2] = { 0 },
		      restore[2] = { 0 };
	uint64_t copied_first[2] = { 0 }, copied_step[2] = { 0 };
	int tracking = 0;
	for (int r = 0; r < REPS; r++) {
		for (int v = 0; v < 2; v++) {
			ns_snapshot_job *job = NULL;
			ns_store *s;
			double t0;

			/* first snapshot into a new store, each way */
			s = new_store(v);
			t0 = now();
			CHECK(ns_snapshot(NULL, s, m.net, NULL));
			add(&sync_first[v], now() - t0);
			ns_store_close(s);
			s = new_store(v);
			tracking |= ns_store_tracking(s);
			t0 = now();
			CHECK(ns_snapshot_async(&job, s, m.net, NULL));
			add(&block_first[v], now() - t0);
			copied_first[v] = ns_snapshot_copied(job);
			CHECK(ns_snapshot_wait(NULL, job));
			add(&total_first[v], now() - t0);
			add(&copy_all[v], copy_time(buf, &m, 0));

			/* a learning step after it, each way */
			learn(&m, 4 * (uint64_t)r + 2 * (uint64_t)v + 1);
			t0 = now();
			CHECK(ns_snapshot(NULL, s, m.net, NULL));
			add(&sync_step[v], now() - t0);
			t0 = now();
			learn(&m, 4 * (uint64_t)r + 2 * (uint64_t)v + 2);
			add(&writes[v], now() - t0);
			t0 = now();
			CHECK(ns_snapshot_async(&job, s, m.net, NULL));
			add(&block_step[v], now() - t0);
			copied_step[v] = ns_snapshot_copied(job);
			CHECK(ns_snapshot_wait(NULL, job));
			add(&total_step[v], now() - t0);
			add(&copy_changed[v], copy_time(buf, &m, 1));
			/* back to the first version, into the arrays snapshotted */
			t0 = now();
			CHECK(ns_restore(NULL, s, "1", m.net, NULL));
			add(&restore[v], now() - t0);
			ns_store_close(s);
		}
	}
	remove_store(store_path);

	for (int v = 0; v < 2; v++) {
		if (v && !tracking) {
			printf("(writes cannot be tracked here: this kernel lacks userfaultfd's "
			       "asynchronous write-protect bits, or NSNAP_TRACK=0)\n");
			break;
		}
		printf("%s\n", v ? "== with NS_STORE_TRACK_WRITES ==" : "== the store as it is ==");
		printf("first snapshot (every chunk new, %s copied)\n",
		       fmt_bytes((int64_t)copied_first[v]).s);
		printf("  ns_snapshot()                 %s\n", spread(&sync_first[v]).s);
		printf("  ns_snapshot_async() blocks    %s  = %.3fx the synchronous snapshot\n",
		       spread(&block_first[v]).s, med(&block_first[v]) / med(&sync_first[v]));
		printf("  memcpy of the state           %s  async blocks %.2fx memcpy\n",
		       spread(&copy_all[v]).s, med(&block_first[v]) / med(&copy_all[v]));
		printf("  async, call to wait           %s\n\n", spread(&total_first[v]).s);
		printf("learning step (v and w change: %s; %s copied)\n",
		       fmt_bytes((int64_t)changed).s, fmt_bytes((int64_t)copied_step[v]).s);
		printf("  the step's own writes         %s\n", spread(&writes[v]).s);
		printf("  ns_snapshot()                 %s\n", spread(&sync_step[v]).s);
		printf("  ns_snapshot_async() blocks    %s  = %.3fx the synchronous snapshot\n",
		       spread(&block_step[v]).s, med(&block_step[v]) / med(&sync_step[v]));
		printf("  memcpy of the changed bytes   %s  async blocks %.2fx memcpy\n",
		       spread(&copy_changed[v]).s, med(&block_step[v]) / med(&copy_changed[v]));
		printf("  async, call to wait           %s\n", spread(&total_step[v]).s);
		printf("restore of the first version    %s\n\n", spread(&restore[v]).s);
	}
	free(buf);
	model_free(&m);
	return 0;
}
