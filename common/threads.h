/* SPDX-License-Identifier: MIT */
/* How many threads nsnap's parallel loops (engine/parallel.c) and its
 * compressing filters (gzip, zstd) use. Header-only: the plugins build it
 * in too. */
#ifndef NSNAP_COMMON_THREADS_H
#define NSNAP_COMMON_THREADS_H

#include <sched.h>
#include <stdlib.h>
#include <unistd.h>

/* More would only add memory (each thread keeps blocks in flight). */
#define NSP_MAX_THREADS 64

/* NSNAP_THREADS when it is a number from 1 to NSP_MAX_THREADS (a benchmark
 * or a shared machine may ask for fewer), else the processors this process
 * may run on where the includer has _GNU_SOURCE (its affinity: under
 * mpirun, 1 per rank bound to a core), else the processors online. */
static inline unsigned nsp_threads(void)
{
	const char *env = getenv("NSNAP_THREADS");
	if (env && *env) {
		char *end;
		long n = strtol(env, &end, 10);
		if (*end == '\0' && n >= 1 && n <= NSP_MAX_THREADS)
			return (unsigned)n;
	}
	long n;
#ifdef CPU_COUNT
	cpu_set_t set;
	if (sched_getaffinity(0, sizeof set, &set) == 0)
		n = CPU_COUNT(&set);
	else
#endif
		n = sysconf(_SC_NPROCESSORS_ONLN);
	if (n < 1)
		return 1;
	return n > NSP_MAX_THREADS ? NSP_MAX_THREADS : (unsigned)n;
}

#endif
