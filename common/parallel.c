/* SPDX-License-Identifier: MIT */
/* Loops over the parts of large arrays, on every core the process may run
 * on: gathering a projection's arrays into the store's synapse order reads
 * memory at random, a cache miss per element, and two cores have twice the
 * misses in flight (measured: 2.0x on 2 cores); a restore writes runs of
 * chunks on each; a commit compresses chunks side by side. */
#define _GNU_SOURCE
#include "util.h"

#include "threads.h"

#include <pthread.h>
#include <stdint.h>

#define MAX_THREADS 16

struct part {
	void (*fn)(void *ctx, uint64_t begin, uint64_t end);
	void *ctx;
	uint64_t begin, end;
};

static void *run_part(void *arg)
{
	const struct part *p = arg;
	p->fn(p->ctx, p->begin, p->end);
	return NULL;
}

void ns__parallel(uint64_t n, uint64_t grain, void (*fn)(void *ctx, uint64_t begin, uint64_t end),
		  void *ctx)
{
	struct part parts[MAX_THREADS];
	pthread_t threads[MAX_THREADS];
	unsigned k, started = 0, n_parts = nsp_threads();

	if (n_parts > MAX_THREADS)
		n_parts = MAX_THREADS;
	if (grain < 1)
		grain = 1;
	if (n / grain < n_parts)
		n_parts = (unsigned)(n / grain);
	if (n_parts <= 1) {
		fn(ctx, 0, n);
		return;
	}
	for (k = 0; k < n_parts; k++)
		parts[k] = (struct part){ fn, ctx, n * k / n_parts, n * (k + 1) / n_parts };
	/* Part 0 on this thread; a part whose thread cannot start, too. */
	for (k = 1; k < n_parts; k++)
		if (pthread_create(&threads[started], NULL, run_part, &parts[k]) == 0)
			started++;
		else
			run_part(&parts[k]);
	run_part(&parts[0]);
	for (k = 0; k < started; k++)
		pthread_join(threads[k], NULL);
}
