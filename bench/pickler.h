/* SPDX-License-Identifier: MIT */
/* The pickle side of engine_bench: pickle_baseline.py --serve, run as a
 * child process and driven one command at a time through pipes, so that
 * its repetitions take turns with the C program's. */
#ifndef NSNAP_BENCH_PICKLER_H
#define NSNAP_BENCH_PICKLER_H

#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

typedef struct pickler {
	pid_t pid;        /* 0 when not started */
	FILE *to, *from;
	int ok;           /* running and answering */
	char why[512];    /* why not, for the report */
	int64_t file_bytes;
} pickler;

/* Run @python @script --serve @path @args (NULL-terminated: the sizes). It
 * builds its arrays meanwhile; pickler_ready() waits for it. On failure
 * p->ok is 0 and p->why says why. */
void pickler_start(pickler *p, const char *python, const char *script, const char *path,
		   char *const *args);
/* Wait until it is ready, and check that its arrays are @bytes in all. */
void pickler_ready(pickler *p, uint64_t bytes);
/* One "dump" (which sets p->file_bytes) or "load", in seconds as Python
 * timed it; NAN once it failed. */
double pickler_time(pickler *p, const char *cmd);
/* Tell it to quit and wait for it. */
void pickler_stop(pickler *p);

#endif
