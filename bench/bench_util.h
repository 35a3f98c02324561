/* SPDX-License-Identifier: MIT */
/* What the benchmarks share: errors, files, timing, the network they
 * checkpoint and the table they print. Not part of nsnap. */
#ifndef NSNAP_BENCH_UTIL_H
#define NSNAP_BENCH_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <nsnap/nsnap.h>

/* Defined by each benchmark: the prefix of its messages and its usage. */
extern const char bench_name[];

/* ------------------------------------------------------------ errors */

void die(const char *fmt, ...);

/* Every nsnap call goes through CHECK: a benchmark of a failing call would
 * measure nothing, so stop with the library's own explanation. */
#define CHECK(expr) check_ns((expr), #expr)
void check_ns(int rc, const char *call);
void check_sys(int failed, const char *call, const char *path);
void *xmalloc(size_t size);

/* ------------------------------------------------------------- files */

void path_join(char *out, size_t size, const char *dir, const char *name);
/* Remove @path if it exists; a failure is reported, not fatal. */
void unlink_quiet(const char *path);
/* A store is its file and LMDB's "-lock" file beside it. */
void remove_store(const char *path);
/* The size of the file @path, or -1 when it cannot be stat()ed. */
int64_t file_size(const char *path);
/* Bytes this process has caused to be written to storage, or -1. */
int64_t disk_write_bytes(void);
void write_all(int fd, const void *data, size_t size, const char *path);

/* ------------------------------------------------------------ timing */

#define BENCH_MAX_REPS 101

/* Seconds on the monotonic clock. */
double now(void);
/* The median of @v (reordered). */
double median(double *v, int n);

/* One timed step: returns its duration in seconds; set-up and clean-up it
 * does around the timed part are not counted. */
typedef double (*step_fn)(void *ctx);

/* Run the @n steps in turn @reps times and put their medians in @medians.
 * Each repetition starts one step further along, so that no step always
 * runs in the wake of the same other (its writeback, its freed pages). */
void time_steps(double *medians, void *ctx, const step_fn *steps, int n, int reps);
/* time_steps() of a baseline and a measurement. */
void time_pair(double *base_s, double *meas_s, void *ctx, step_fn base, step_fn meas,
	       int reps);

/* --------------------------------------------------- random numbers */

uint64_t rng_next(uint64_t *s);
/* Uniform in (0, 1]. */
double rng_uniform(uint64_t *s);
double rng_gauss(uint64_t *s);

/* ----------------------------------------------------------- network */

#define N_EXC 20000   /* excitatory neurons */
#define N_INH 5000    /* inhibitory neurons */
#define K_OUT 250     /* outgoing synapses per neuron: 6.25 M in all */
#define QUICK_DIV 10  /* --quick divides the neuron counts by this */

#define WEIGHTS "syn/weight" /* the array store_bench changes and views */

typedef struct array {
	const char *name;
	ns_dtype dtype;
	void *data;
	uint64_t count;
} array;

void *array_init(array *a, const char *name, ns_dtype dtype, uint64_t count);
uint64_t array_bytes(const array *a);

enum { A_V, A_U, A_THRESHOLD, A_REFRACTORY, A_EXCITATORY,
       A_PRE, A_POST, A_WEIGHT, A_DELAY, N_ARRAYS };

/* A balanced E-I network as flat arrays: neurons 0 .. n_exc - 1 are
 * excitatory; synapses sorted by presynaptic neuron, K_OUT per neuron, to
 * random postsynaptic neurons. Seeded: every run builds the same one. */
typedef struct network {
	array a[N_ARRAYS];
	uint32_t n_exc, n_inh;
	uint64_t n_syn;
	uint64_t bytes; /* all arrays */
	uint64_t rng;
} network;

void network_build(network *net, uint32_t n_exc, uint32_t n_inh);
void network_free(network *net);

/* The baseline of every write: @n arrays into a new file at @path, made
 * durable with fsync as ns_commit_finish() does; returns the seconds. */
double raw_write(const array *arrays, int n, const char *path);

/* ------------------------------------------------------ command line */

/* [--quick] [DIR]; exits after -h or a bad argument. */
void bench_args(const char **dir, int *quick, int argc, char **argv);

/* -------------------------------------------------------------- table */

typedef struct text {
	char s[64];
} text;

text fmt(const char *format, ...);
text fmt_time(double s);
/* In MB; "n/a" for a negative count. */
text fmt_bytes(int64_t bytes);

enum {
	ROW_MISSED = 0,
	ROW_OK = 1,
	ROW_INFO = -1,    /* no target */
	ROW_SKIPPED = -2, /* a target, but its baseline could not be measured */
};

void table_header(void);
/* One line of the table; @met is 1 (ok), 0 (MISSED) or a ROW_ value. */
void row(const char *figure, text measured, const char *base_name, text base,
	 double ratio, const char *target, int met);
/* The count of missed targets; returns it. */
int table_footer(void);

#endif
