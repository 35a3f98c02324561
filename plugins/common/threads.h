/* SPDX-License-Identifier: MIT */
/* How many threads a compressing filter (gzip, zstd) uses. */
#ifndef NSNAP_PLUGIN_THREADS_H
#define NSNAP_PLUGIN_THREADS_H

#include <stdlib.h>
#include <unistd.h>

/* More would only add memory (each thread keeps blocks in flight). */
#define NSP_MAX_THREADS 64

/* NSNAP_THREADS when it is a number from 1 to NSP_MAX_THREADS (a benchmark
 * or a shared machine may ask for fewer), else the processors online. */
static inline unsigned nsp_threads(void)
{
	const char *env = getenv("NSNAP_THREADS");
	if (env && *env) {
		char *end;
		long n = strtol(env, &end, 10);
		if (*end == '\0' && n >= 1 && n <= NSP_MAX_THREADS)
			return (unsigned)n;
	}
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	if (n < 1)
		return 1;
	return n > NSP_MAX_THREADS ? NSP_MAX_THREADS : (unsigned)n;
}

#endif
