/* SPDX-License-Identifier: MIT */
/*
 * gzip_bench: how fast nsnap writes ANNarchy's `.gz` (the pickle under the
 * gzip filter: libdeflate on every core, one gzip member per 1 MiB block)
 * and `.zst`, against what writes the same bytes otherwise:
 *   - ANNarchy's `.gz` save: pickle.dump into gzip.open() at level 9
 *     (Python's zlib), of the dict nsnap's `.data` export holds, flushed and
 *     fsynced (bench/format_baseline.py's "gzdump");
 *   - zlib at level 6 (the filter's old way: one deflate stream on one core)
 *     of the pickle's bytes, already in memory, written and fsynced: this
 *     side does not even pickle;
 *   - the gzip filter on one thread (NSNAP_THREADS=1), and the zstd filter
 *     on one thread against every core.
 * nsnap's `.gz` is written at the filter's default level (6), at 7 (where
 * float-record blocks get libdeflate's near-optimal parser: ANNarchy's size
 * or less) and at 9.
 * The network is format_bench's: store_bench's balanced E-I network cut
 * into populations E, I and projections EE, EI, IE, II, 6.25 M synapses of
 * random weights and delays that do not repeat.
 *
 * Usage: gzip_bench [--quick] [DIR]
 *   DIR      where the store and the files go (default "."), removed at exit.
 *   --quick  a tenth of the network, for a smoke run.
 *
 * Every step runs REPS times, the steps taking turns (each round starts one
 * step further along); it prints each step's median and its spread (min to
 * max), then the ratios of medians and the files' sizes.
 *
 * Run by hand, not by CTest.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <nsnap/nsnap.h>

#include "bench_util.h"
#include "model.h"
#include "pickler.h"

#define REPS 5
#define ANNARCHY_LEVEL 9 /* gzip.open()'s default, which ANNarchy keeps */
#define ZLIB_LEVEL 6     /* zlib's default, the filter's before libdeflate */
#ifndef PYTHON
#define PYTHON "/usr/bin/python3"
#endif
#ifndef FORMAT_BASELINE /* set by bench/CMakeLists.txt */
#define FORMAT_BASELINE "bench/format_baseline.py"
#endif
#ifndef PLUGIN_DIR /* set by bench/CMakeLists.txt */
#define PLUGIN_DIR "build/plugins"
#endif

const char bench_name[] = "gzip_bench";

enum { S_PY_GZ9, S_ZLIB6, S_GZ, S_GZ7, S_GZ9, S_GZ_1T, S_ZST_1T, S_ZST, S_DATA, N_STEPS };

static const struct {
	const char *what;
	const char *file;  /* NULL: not an nsnap export */
	int level;         /* 0: the filter's default */
	const char *threads; /* NSNAP_THREADS, NULL for every core */
} step_kind[N_STEPS] = {
	[S_PY_GZ9] = { "ANNarchy .gz save (Python, gzip 9)", NULL, 0, NULL },
	[S_ZLIB6] = { "zlib -6 of the pickle bytes, 1 core", NULL, 0, NULL },
	[S_GZ] = { "nsnap export .gz (level 6)", "gzip_bench.data.gz", 0, NULL },
	[S_GZ7] = { "nsnap export .gz, level 7", "gzip_bench.7.data.gz", 7, NULL },
	[S_GZ9] = { "nsnap export .gz, level 9", "gzip_bench.9.data.gz", ANNARCHY_LEVEL, NULL },
	[S_GZ_1T] = { "nsnap export .gz, 1 thread", "gzip_bench.1t.data.gz", 0, "1" },
	[S_ZST_1T] = { "nsnap export .zst, 1 thread", "gzip_bench.1t.data.zst", 0, "1" },
	[S_ZST] = { "nsnap export .zst (level 3)", "gzip_bench.data.zst", 0, NULL },
	[S_DATA] = { "nsnap export .data (no filter)", "gzip_bench.data", 0, NULL },
};

/* The baseline column's names. */
static const char *const short_name[N_STEPS] = {
	[S_PY_GZ9] = "ANNarchy .gz save", [S_ZLIB6] = "zlib -6, 1 core",
	[S_GZ] = ".gz",                   [S_GZ7] = ".gz level 7",
	[S_GZ9] = ".gz level 9",          [S_GZ_1T] = ".gz, 1 thread",
	[S_ZST_1T] = ".zst, 1 thread",    [S_ZST] = ".zst",
	[S_DATA] = ".data export",
};

static struct {
	char store[4096];
	char file[N_STEPS][4096];
	char zlib[4096];  /* the zlib baseline's output */
	char py[4096];    /* format_baseline.py's pickle and its .gz */
	char py_gz[4096];
} paths;

static void remove_files(void)
{
	for (int k = 0; k < N_STEPS; k++)
		if (step_kind[k].file)
			unlink_quiet(paths.file[k]);
	unlink_quiet(paths.zlib);
	unlink_quiet(paths.py);
	unlink_quiet(paths.py_gz);
	remove_store(paths.store);
}

typedef struct bench {
	ns_plugins *ps;
	ns_store *store;
	char rev[24];
	pickler py;
	unsigned char *pickle; /* the `.data` export's bytes */
	size_t pickle_n;
	int64_t size[N_STEPS];
	double t[N_STEPS][REPS];
} bench;

static double export_step(bench *b, int k)
{
	ns_export_opts o = NS_EXPORT_OPTS_INIT;
	o.level = step_kind[k].level;
	o.overwrite = 1;
	if (step_kind[k].threads)
		setenv("NSNAP_THREADS", step_kind[k].threads, 1);
	else
		unsetenv("NSNAP_THREADS");
	double t0 = now();
	CHECK(ns_export(b->ps, b->store, b->rev, paths.file[k], &o));
	double t = now() - t0;
	unsetenv("NSNAP_THREADS");
	b->size[k] = file_size(paths.file[k]);
	return t;
}

/* One deflate stream at ZLIB_LEVEL of the pickle's bytes, written in 64 KiB
 * pieces to a new file and fsynced, as ns_export() does. */
static double zlib_step(bench *b)
{
	static unsigned char out[1 << 16];
	z_stream z = { 0 };
	unlink_quiet(paths.zlib);
	double t0 = now();
	int fd = open(paths.zlib, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	check_sys(fd < 0, "open", paths.zlib);
	if (deflateInit2(&z, ZLIB_LEVEL, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		die("zlib: deflateInit2 failed");
	size_t left = b->pickle_n;
	z.next_in = b->pickle;
	int rc;
	do {
		uInt in = left > (1u << 30) ? 1u << 30 : (uInt)left;
		z.avail_in = in;
		left -= in;
		do {
			z.next_out = out;
			z.avail_out = sizeof out;
			rc = deflate(&z, left ? Z_NO_FLUSH : Z_FINISH);
			write_all(fd, out, sizeof out - z.avail_out, paths.zlib);
		} while (z.avail_out == 0);
	} while (left > 0 || rc != Z_STREAM_END);
	deflateEnd(&z);
	check_sys(fsync(fd) != 0, "fsync", paths.zlib);
	check_sys(close(fd) != 0, "close", paths.zlib);
	double t = now() - t0;
	b->size[S_ZLIB6] = file_size(paths.zlib);
	return t;
}

static double run_step(bench *b, int k)
{
	if (k == S_PY_GZ9) {
		double t = pickler_time(&b->py, "gzdump");
		b->size[k] = b->py.file_bytes;
		return t;
	}
	if (k == S_ZLIB6)
		return zlib_step(b);
	return export_step(b, k);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

typedef struct stats {
	double median, min, max;
} stats;

static stats stats_of(const double *v, int n)
{
	double s[REPS];
	memcpy(s, v, (size_t)n * sizeof *s);
	qsort(s, (size_t)n, sizeof *s, cmp_double);
	stats r = { n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2, s[0], s[n - 1] };
	return r;
}

/* A ratio row of medians, the two spreads beside it. */
static void ratio_row(const char *figure, const bench *b, int meas, int base, const char *target,
		      double limit)
{
	if (isnan(b->t[base][0]) || isnan(b->t[meas][0])) {
		row(figure, fmt("-"), short_name[base], fmt("skipped"), NAN, target,
		    limit > 0 ? ROW_SKIPPED : ROW_INFO);
		return;
	}
	stats m = stats_of(b->t[meas], REPS), s = stats_of(b->t[base], REPS);
	double r = m.median / s.median;
	row(figure, fmt_time(m.median), short_name[base], fmt_time(s.median), r, target,
	    limit > 0 ? r <= limit : ROW_INFO);
	printf("%-32s   (ratio over the spreads: %.3fx .. %.3fx)\n", "", m.min / s.max,
	       m.max / s.min);
}

static void size_row(const char *figure, const bench *b, int meas, int base, const char *target,
		     double limit)
{
	int64_t m = b->size[meas], s = b->size[base];
	double r = m > 0 && s > 0 ? (double)m / (double)s : NAN;
	row(figure, fmt_bytes(m), short_name[base], fmt_bytes(s), r, target,
	    limit > 0 ? (isfinite(r) ? r <= limit : ROW_SKIPPED) : ROW_INFO);
}

int main(int argc, char **argv)
{
	const char *dir;
	int quick;
	bench_args(&dir, &quick, argc, argv);
	path_join(paths.store, sizeof paths.store, dir, "gzip_bench.nsnap");
	for (int k = 0; k < N_STEPS; k++)
		if (step_kind[k].file)
			path_join(paths.file[k], sizeof paths.file[k], dir, step_kind[k].file);
	path_join(paths.zlib, sizeof paths.zlib, dir, "gzip_bench.zlib6.data.gz");
	path_join(paths.py, sizeof paths.py, dir, "gzip_bench.py.data");
	path_join(paths.py_gz, sizeof paths.py_gz, dir, "gzip_bench.py.data.gz");
	remove_files();
	atexit(remove_files);
	signal(SIGPIPE, SIG_IGN);

	static bench b;
	const char *const plugin_dirs[] = { PLUGIN_DIR, NULL };
	CHECK(ns_plugins_new(&b.ps, plugin_dirs, NS_PLUGINS_NO_ENV | NS_PLUGINS_NO_DEFAULT));

	uint32_t div = quick ? QUICK_DIV : 1;
	static model m;
	{
		static network flat;
		network_build(&flat, N_EXC / div, N_INH / div);
		model_from_network(&m, &flat);
		network_free(&flat);
		model_bind(&m, "gzip_bench");
	}
	uint64_t bytes = m.bytes, n_syn = m.n_syn;
	ns_store_opts so = NS_STORE_OPTS_INIT;
	so.flags = NS_STORE_CREATE;
	CHECK(ns_store_open(&b.store, paths.store, &so));
	uint64_t number = 0;
	CHECK(ns_snapshot(&number, b.store, m.net, NULL));
	model_free(&m);
	snprintf(b.rev, sizeof b.rev, "%" PRIu64, number);

	/* The pickle, untimed: Python loads its dict from it, zlib reads it. */
	export_step(&b, S_DATA);
	{
		FILE *f = fopen(paths.file[S_DATA], "rb");
		check_sys(!f, "fopen", paths.file[S_DATA]);
		b.pickle_n = (size_t)b.size[S_DATA];
		b.pickle = xmalloc(b.pickle_n);
		if (fread(b.pickle, 1, b.pickle_n, f) != b.pickle_n)
			die("cannot read '%s'", paths.file[S_DATA]);
		fclose(f);
		char level[8];
		snprintf(level, sizeof level, "%d", ANNARCHY_LEVEL);
		char *args[] = { "--source", paths.file[S_DATA], "--level", level, NULL };
		pickler_start(&b.py, PYTHON, FORMAT_BASELINE, paths.py, args);
		pickler_ready(&b.py, n_syn);
	}

	long cores = sysconf(_SC_NPROCESSORS_ONLN);
	printf("gzip_bench: %u neurons, %" PRIu64 " synapses; arrays %s, pickle %s; %ld cores "
	       "online; in %s\n", (N_EXC + N_INH) / div, n_syn, fmt_bytes((int64_t)bytes).s,
	       fmt_bytes((int64_t)b.pickle_n).s, cores, dir);
	if (!b.py.ok)
		printf("python baseline skipped: %s\n", b.py.why);
	printf("%d repetitions of each step, the steps taking turns; every file fsynced\n\n",
	       REPS);

	for (int r = 0; r < REPS; r++)
		for (int i = 0; i < N_STEPS; i++) {
			int k = (r + i) % N_STEPS;
			b.t[k][r] = k == S_PY_GZ9 && !b.py.ok ? NAN : run_step(&b, k);
		}
	pickler_stop(&b.py);
	if (!b.py.ok && !isnan(b.t[S_PY_GZ9][0]))
		printf("python baseline failed: %s\n", b.py.why);

	printf("%-40s %10s %10s %10s %10s\n", "step", "median", "min", "max", "size");
	for (int k = 0; k < N_STEPS; k++) {
		stats s = stats_of(b.t[k], REPS);
		printf("%-40s %10s %10s %10s %10s\n", step_kind[k].what, fmt_time(s.median).s,
		       fmt_time(s.min).s, fmt_time(s.max).s, fmt_bytes(b.size[k]).s);
	}
	printf("\n");

	table_header();
	ratio_row(".gz export / ANNarchy .gz save", &b, S_GZ, S_PY_GZ9, "<= 0.1x", 0.1);
	size_row("  its size / ANNarchy's", &b, S_GZ, S_PY_GZ9, "<= 1.0x", 1.0);
	ratio_row(".gz level 7 / ANNarchy .gz save", &b, S_GZ7, S_PY_GZ9, "-", 0);
	size_row("  its size / ANNarchy's", &b, S_GZ7, S_PY_GZ9, "-", 0);
	ratio_row(".gz level 9 / ANNarchy .gz save", &b, S_GZ9, S_PY_GZ9, "-", 0);
	size_row("  its size / ANNarchy's", &b, S_GZ9, S_PY_GZ9, "-", 0);
	ratio_row(".gz export / zlib -6 (1 core)", &b, S_GZ, S_ZLIB6, "-", 0);
	size_row("  its size / zlib -6's", &b, S_GZ, S_ZLIB6, "-", 0);
	ratio_row(".gz every core / 1 thread", &b, S_GZ, S_GZ_1T, "-", 0);
	size_row("  its size / 1 thread's", &b, S_GZ, S_GZ_1T, "-", 0);
	ratio_row(".zst every core / 1 thread", &b, S_ZST, S_ZST_1T, "-", 0);
	size_row("  its size / 1 thread's", &b, S_ZST, S_ZST_1T, "-", 0);
	ratio_row(".zst export / ANNarchy .gz save", &b, S_ZST, S_PY_GZ9, "-", 0);
	ratio_row(".gz export / .data export", &b, S_GZ, S_DATA, "-", 0);
	int missed = table_footer();

	free(b.pickle);
	ns_store_close(b.store);
	ns_plugins_free(b.ps);
	return missed ? 1 : 0;
}
