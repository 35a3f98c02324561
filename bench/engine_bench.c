/* SPDX-License-Identifier: MIT */
/*
 * engine_bench: nsnap's engine against the way ANNarchy saves a network
 * (pickle.dump of numpy arrays in nested dicts), on the balanced E-I network
 * of store_bench (25,000 neurons, 6.25 million synapses) described through
 * the engine API: populations E and I (v f64, r i32, the global parameter
 * tau), projections EE, EI, IE and II (connectivity sorted by post, then
 * pre; w and delay f64). Every array is bound: the benchmark owns them.
 *
 * Usage: engine_bench [--quick] [DIR]
 *   DIR      where the files are created (default "."); they are removed
 *            at exit, also after an error.
 *   --quick  a tenth of the network, for a smoke run.
 *
 * Figures, each against baselines measured in the same run (medians of
 * repetitions in which the sides take turns, as in store_bench):
 *   1. ns_snapshot() into a new store (durable) against pickle.dump + flush
 *      + fsync of the same arrays and a plain write + fsync of their bytes;
 *   2. ns_restore() from a store in the page cache into a second network's
 *      preallocated arrays, against pickle.load and a plain read();
 *   3. the peak of resident memory during a snapshot and a restore, above
 *      what was resident before (the arrays): VmHWM after the call, reset
 *      through /proc/self/clear_refs before it, minus VmRSS before.
 * The pickle side is bench/pickle_baseline.py, run by Debian's
 * /usr/bin/python3 (it needs python3-numpy) and driven through pipes
 * (pickler.c) so that its repetitions alternate with ours; it times itself.
 * Without it, the rest is still measured and the report says why.
 *
 * Run by hand, not by CTest.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <math.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#ifdef __GLIBC__
#include <malloc.h> /* malloc_trim() */
#endif

#include <nsnap/nsnap.h>

#include "bench_util.h"
#include "model.h"
#include "pickler.h"

#define REPS 5
#ifndef PYTHON /* Debian's, with python3-numpy; not whatever is first on PATH */
#define PYTHON "/usr/bin/python3"
#endif
#ifndef PICKLE_BASELINE /* set by bench/CMakeLists.txt */
#define PICKLE_BASELINE "bench/pickle_baseline.py"
#endif
#define MEM_TARGET ((int64_t)64 << 20) /* peak memory of a snapshot, bytes */

const char bench_name[] = "engine_bench";

/* ------------------------------------------------------------- files */

/* File-scope so that the atexit() handler can remove them after die(). */
static struct {
	char raw[4096];    /* baseline: plain write + fsync, and read */
	char store[4096];  /* the store */
	char pickle[4096]; /* pickle_baseline.py's file */
} paths;

static void remove_files(void)
{
	unlink_quiet(paths.raw);
	unlink_quiet(paths.pickle);
	remove_store(paths.store);
}

/* The pickle side's arguments: the sizes of @m's objects. */
static void pickle_args(char **argv, char (*sizes)[24], const model *m)
{
	int n = 0;
	for (int i = 0; i < N_POPS; i++) {
		snprintf(sizes[i], sizeof sizes[i], "%" PRIu32, m->pop[i].size);
		argv[n++] = "--pop";
		argv[n++] = (char *)m->pop[i].name;
		argv[n++] = sizes[i];
	}
	for (int q = 0; q < N_PROJS; q++) {
		const projection *j = &m->proj[q];
		snprintf(sizes[N_POPS + q], sizeof sizes[0], "%" PRIu64, j->n);
		argv[n++] = "--proj";
		argv[n++] = (char *)j->name;
		argv[n++] = (char *)m->pop[j->pre].name;
		argv[n++] = (char *)m->pop[j->post].name;
		argv[n++] = sizes[N_POPS + q];
	}
	argv[n] = NULL;
}

/* ---------------------------------------------------- peak memory */

/* A field of /proc/self/status in bytes, or -1. */
static int64_t proc_status(const char *key)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	size_t len = strlen(key);
	long long kb = -1;
	if (!f)
		return -1;
	while (fgets(line, sizeof line, f))
		if (strncmp(line, key, len) == 0 && line[len] == ':') {
			sscanf(line + len + 1, "%lld", &kb);
			break;
		}
	fclose(f);
	return kb < 0 ? -1 : kb * 1024;
}

/* Reset VmHWM to the current VmRSS (Linux >= 4.0); 0 or -1 with errno. */
static int peak_reset(void)
{
	int fd = open("/proc/self/clear_refs", O_WRONLY);
	if (fd < 0)
		return -1;
	int rc = write(fd, "5", 1) == 1 ? 0 : -1;
	close(fd);
	return rc;
}

typedef struct peak {
	int ok;          /* peak_reset() works here */
	char why[256];
} peak;

static peak mem;

/* What is resident now (the arrays and the rest); VmHWM reset to it. */
static int64_t peak_begin(void)
{
	if (!mem.ok)
		return -1;
#ifdef __GLIBC__
	/* Memory an earlier repetition freed but malloc kept would count as
	 * resident before and hide this repetition's use of it. */
	malloc_trim(0);
#endif
	check_sys(peak_reset() != 0, "write", "/proc/self/clear_refs");
	return proc_status("VmRSS");
}

/* How far the peak rose above @rss0 since peak_begin(); -1 when unknown. */
static int64_t peak_end(int64_t rss0)
{
	int64_t hwm = mem.ok ? proc_status("VmHWM") : -1;
	return hwm < 0 || rss0 < 0 ? -1 : hwm - rss0;
}

static void peak_check(void)
{
	mem.ok = 1;
	if (peak_reset() != 0) {
		mem.ok = 0;
		snprintf(mem.why, sizeof mem.why, "/proc/self/clear_refs: %s (needs Linux >= 4.0)",
			 strerror(errno));
	} else if (proc_status("VmHWM") < 0 || proc_status("VmRSS") < 0) {
		mem.ok = 0;
		snprintf(mem.why, sizeof mem.why, "no VmHWM or VmRSS in /proc/self/status");
	}
}

static int64_t max_i64(int64_t a, int64_t b)
{
	return a > b ? a : b;
}

/* --------------------------------------------------- the benchmark */

typedef struct bench {
	model live;     /* what is snapshot */
	model back;     /* what is restored into */
	pickler py;
	ns_store *held; /* figure 2b: a handle kept open */
	/* figure 1: the last repetition of each side */
	int64_t raw_disk, snap_disk, store_file_bytes;
	/* figure 3: the largest over the repetitions */
	int64_t snap_peak, restore_peak, held_peak;
	/* figure 3: how much of the store's map a restore made resident */
	int64_t restore_map;
} bench;

static ns_store *store_open(const char *path, unsigned flags)
{
	ns_store_opts o = NS_STORE_OPTS_INIT;
	ns_store *s = NULL;
	o.flags = flags;
	CHECK(ns_store_open(&s, path, &o));
	return s;
}

/* A new file per repetition, removed at once, like the new store. */
static double step_write(void *arg)
{
	bench *b = arg;
	int64_t before = disk_write_bytes();
	double t = raw_write(b->live.arrays, N_MODEL_ARRAYS, paths.raw);
	b->raw_disk = before < 0 ? -1 : disk_write_bytes() - before;
	unlink_quiet(paths.raw);
	return t;
}

/* Figure 1. Creating the store is not timed: it is paid once per file, not
 * per snapshot. */
static double step_snapshot(void *arg)
{
	bench *b = arg;
	ns_snapshot_opts o = NS_SNAPSHOT_OPTS_INIT;
	ns_store_stats st;
	o.message = "engine_bench";
	ns_store *s = store_open(paths.store, NS_STORE_CREATE);
	int64_t before = disk_write_bytes();
	int64_t rss0 = peak_begin();
	double t0 = now();
	CHECK(ns_snapshot(NULL, s, b->live.net, &o));
	double t = now() - t0;
	b->snap_peak = max_i64(b->snap_peak, peak_end(rss0));
	b->snap_disk = before < 0 ? -1 : disk_write_bytes() - before;
	CHECK(ns_store_stats_get(&st, s));
	b->store_file_bytes = (int64_t)st.file_bytes;
	ns_store_close(s);
	remove_store(paths.store);
	return t;
}

static double step_dump(void *arg)
{
	return pickler_time(&((bench *)arg)->py, "dump");
}

static double step_load(void *arg)
{
	return pickler_time(&((bench *)arg)->py, "load");
}

/* Figure 2 baseline: the same bytes read into the second network's arrays. */
static double step_read(void *arg)
{
	bench *b = arg;
	double t0 = now();
	int fd = open(paths.raw, O_RDONLY);
	check_sys(fd < 0, "open", paths.raw);
	for (int k = 0; k < N_MODEL_ARRAYS; k++) {
		uint8_t *p = b->back.arrays[k].data;
		uint64_t left = array_bytes(&b->back.arrays[k]);
		while (left > 0) {
			ssize_t n = read(fd, p, left);
			if (n < 0 && errno == EINTR)
				continue;
			check_sys(n < 0, "read", paths.raw);
			if (n == 0)
				die("'%s' is shorter than the arrays", paths.raw);
			p += n;
			left -= (uint64_t)n;
		}
	}
	check_sys(close(fd) != 0, "close", paths.raw);
	return now() - t0;
}

/* Figure 2: what a simulator does to load a checkpoint, as pickle.load
 * opens its file. */
static double step_restore(void *arg)
{
	bench *b = arg;
	int64_t rss0 = peak_begin();
	double t0 = now();
	ns_store *s = store_open(paths.store, NS_STORE_RDONLY);
	CHECK(ns_restore(NULL, s, "HEAD", b->back.net, NULL));
	ns_store_close(s);
	double t = now() - t0;
	b->restore_peak = max_i64(b->restore_peak, peak_end(rss0));
	return t;
}

/* Figure 2b: restore alone, the store open already. */
static double step_restore_held(void *arg)
{
	bench *b = arg;
	int64_t rss0 = peak_begin();
	double t0 = now();
	CHECK(ns_restore(NULL, b->held, "HEAD", b->back.net, NULL));
	double t = now() - t0;
	b->held_peak = max_i64(b->held_peak, peak_end(rss0));
	return t;
}

/* Restore once with a report, into zeroed arrays, and check that every
 * attribute came back as it was snapshot. Also how much of the store's
 * file it left mapped in (resident, but page cache, not memory of ours). */
static void restore_check(bench *b)
{
	ns_restore_report *rep = NULL;
	const size_t attrs = 3 * N_POPS + 2 * N_PROJS;
	model_zero_state(&b->back);
	ns_store *s = store_open(paths.store, NS_STORE_RDONLY);
	int64_t file0 = proc_status("RssFile");
	CHECK(ns_restore(&rep, s, "HEAD", b->back.net, NULL));
	int64_t file1 = proc_status("RssFile");
	b->restore_map = file0 < 0 || file1 < 0 ? -1 : file1 - file0;
	if (rep->restored != attrs || rep->converted || rep->skipped)
		die("restore: %zu attributes restored, %zu converted, %zu skipped; expected %zu "
		    "restored", rep->restored, rep->converted, rep->skipped, attrs);
	ns_restore_report_free(rep);
	ns_store_close(s);
	for (int k = 0; k < N_MODEL_ARRAYS; k++)
		if (memcmp(b->back.arrays[k].data, b->live.arrays[k].data,
			   array_bytes(&b->live.arrays[k])) != 0)
			die("array '%s' restores different from what was snapshot",
			    b->live.arrays[k].name);
}

/* -------------------------------------------------------------- table */

static text fmt_mib(int64_t bytes)
{
	if (bytes < 0)
		return fmt("n/a");
	return fmt("%.1f MiB", (double)bytes / (1 << 20));
}

/* @meas against the pickle side: faster is the target. */
static void row_vs_pickle(const char *figure, double meas, const char *base_name,
			  double base, const pickler *py)
{
	if (py->ok)
		row(figure, fmt_time(meas), base_name, fmt_time(base), meas / base, "< 1.00x",
		    meas < base);
	else
		row(figure, fmt_time(meas), base_name, fmt("skipped"), NAN, "< 1.00x",
		    ROW_SKIPPED);
}

int main(int argc, char **argv)
{
	const char *dir;
	int quick;
	bench_args(&dir, &quick, argc, argv);
	path_join(paths.raw, sizeof paths.raw, dir, "engine_bench.raw");
	path_join(paths.store, sizeof paths.store, dir, "engine_bench.nsnap");
	path_join(paths.pickle, sizeof paths.pickle, dir, "engine_bench.pickle");
	remove_files();
	atexit(remove_files);
	/* a pickle_baseline.py that dies must not take us with it */
	signal(SIGPIPE, SIG_IGN);

	static bench b; /* static: zero-initialised, and large */
	uint32_t div = quick ? QUICK_DIV : 1;
	{
		network flat = { 0 };
		network_build(&flat, N_EXC / div, N_INH / div);
		model_from_network(&b.live, &flat);
		network_free(&flat);
	}
	{
		char *args[3 * N_POPS + 5 * N_PROJS + 1];
		char sizes[N_POPS + N_PROJS][24];
		pickle_args(args, sizes, &b.live);
		pickler_start(&b.py, PYTHON, PICKLE_BASELINE, paths.pickle, args);
	}
	model_like(&b.back, &b.live);
	model_bind(&b.live, "live");
	model_bind(&b.back, "restored");
	peak_check();
	pickler_ready(&b.py, b.live.bytes);
	const int py_ready = b.py.ok;

	printf("engine_bench: %u neurons (E %u, I %u), %" PRIu64 " synapses (EE %" PRIu64
	       ", EI %" PRIu64 ", IE %" PRIu64 ", II %" PRIu64 "), %d arrays, %s; in %s\n",
	       b.live.pop[0].size + b.live.pop[1].size, b.live.pop[0].size, b.live.pop[1].size,
	       b.live.n_syn, b.live.proj[0].n, b.live.proj[1].n, b.live.proj[2].n,
	       b.live.proj[3].n, N_MODEL_ARRAYS, fmt_bytes((int64_t)b.live.bytes).s, dir);
	if (b.py.ok)
		printf("pickle baseline: %s %s, protocol 5, numpy arrays in nested dicts\n",
		       PYTHON, PICKLE_BASELINE);
	else
		printf("pickle baseline skipped: %s\n", b.py.why);
	if (!mem.ok)
		printf("peak memory not measured: %s\n", mem.why);
	printf("timings: median of %d repetitions, the sides taking turns\n\n", REPS);

	double t[3] = { NAN, NAN, NAN };
	int n_steps;

	/* Figure 1 */
	const step_fn snap_steps[3] = { step_write, step_snapshot, step_dump };
	n_steps = b.py.ok ? 3 : 2;
	time_steps(t, &b, snap_steps, n_steps, REPS);
	const double write_s = t[0], snap_s = t[1], dump_s = t[2];
	const int64_t dump_bytes = b.py.file_bytes;

	/* Figure 2, from a store (and files) in the page cache; one untimed
	 * round of each side first. */
	ns_store *s = store_open(paths.store, NS_STORE_CREATE);
	CHECK(ns_snapshot(NULL, s, b.live.net, NULL));
	ns_store_close(s);
	raw_write(b.live.arrays, N_MODEL_ARRAYS, paths.raw);
	restore_check(&b);
	step_read(&b);
	step_load(&b);
	const step_fn restore_steps[3] = { step_read, step_restore, step_load };
	n_steps = b.py.ok ? 3 : 2;
	time_steps(t, &b, restore_steps, n_steps, REPS);
	const double read_s = t[0], restore_s = t[1], load_s = t[2];

	b.held = store_open(paths.store, NS_STORE_RDONLY);
	step_restore_held(&b);
	b.held_peak = 0;
	double held_s;
	double read2_s;
	time_pair(&read2_s, &held_s, &b, step_read, step_restore_held, REPS);
	ns_store_close(b.held);
	b.held = NULL;
	pickler_stop(&b.py);

	if (py_ready && !b.py.ok)
		printf("pickle baseline failed: %s\n\n", b.py.why);
	table_header();
	row_vs_pickle("1 snapshot, new store", snap_s, "pickle.dump+fsync", dump_s, &b.py);
	row("  snapshot", fmt_time(snap_s), "write+fsync", fmt_time(write_s), snap_s / write_s,
	    "-", ROW_INFO);
	if (b.py.ok)
		row("  pickle.dump+fsync", fmt_time(dump_s), "write+fsync", fmt_time(write_s),
		    dump_s / write_s, "-", ROW_INFO);
	row("  bytes written (/proc/self/io)", fmt_bytes(b.snap_disk), "write+fsync",
	    fmt_bytes(b.raw_disk), (double)b.snap_disk / (double)b.raw_disk, "-", ROW_INFO);
	row("  store file size", fmt_bytes(b.store_file_bytes), "pickle file",
	    fmt_bytes(b.py.ok ? dump_bytes : -1),
	    b.py.ok ? (double)b.store_file_bytes / (double)dump_bytes : NAN, "-", ROW_INFO);

	row_vs_pickle("2 open + restore + close", restore_s, "pickle.load", load_s, &b.py);
	row("  open + restore + close", fmt_time(restore_s), "read", fmt_time(read_s),
	    restore_s / read_s, "-", ROW_INFO);
	row("  restore, store kept open", fmt_time(held_s), "read", fmt_time(read2_s),
	    held_s / read2_s, "-", ROW_INFO);
	if (b.py.ok)
		row("  pickle.load", fmt_time(load_s), "read", fmt_time(read_s), load_s / read_s,
		    "-", ROW_INFO);

	const int64_t arrays = (int64_t)b.live.bytes;
	const double per = mem.ok ? 1.0 / (double)b.live.bytes : NAN;
	row("3 peak memory, snapshot", fmt_mib(b.snap_peak), "arrays", fmt_bytes(arrays),
	    (double)b.snap_peak * per, "<= 64 MiB",
	    mem.ok ? b.snap_peak <= MEM_TARGET : ROW_SKIPPED);
	row("  open + restore + close", fmt_mib(b.restore_peak), "arrays", fmt_bytes(arrays),
	    (double)b.restore_peak * per, "-", ROW_INFO);
	row("  of which the store's map", fmt_mib(b.restore_map), "arrays", fmt_bytes(arrays),
	    (double)b.restore_map * per, "-", ROW_INFO);
	row("  restore, store kept open", fmt_mib(b.held_peak), "arrays", fmt_bytes(arrays),
	    (double)b.held_peak * per, "-", ROW_INFO);

	table_footer();
	model_free(&b.back);
	model_free(&b.live);
	return 0;
}
