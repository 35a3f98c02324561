/* SPDX-License-Identifier: MIT */
/*
 * format_bench: nsnap's export and import of ANNarchy's files (the pickle
 * plugin, alone and under the gzip filter) against what ANNarchy does with
 * the same dict in Python: pickle.dump and pickle.load (`.data`), and its
 * `.gz` path, pickle.dump into gzip.open() (level 9) and pickle.load from
 * gzip.open(). The network is store_bench's balanced E-I network cut into
 * populations E and I (v f64, r i32, the global tau) and projections EE,
 * EI, IE and II (w and delay f64): 25,000 neurons, 6.25 million synapses.
 *
 * Usage: format_bench [--quick] [DIR]
 *   DIR      where the store and the files are created (default "."); they
 *            are removed at exit, also after an error.
 *   --quick  a tenth of the network, for a smoke run.
 *
 * The network is snapshot once into a new store; then, as medians of
 * repetitions in which the sides take turns (as in engine_bench):
 *   1. ns_export() of that version to `.data`, against pickle.dump;
 *   2. ns_import() of the `.data` back into the store (a new version),
 *      against pickle.load;
 *   3. ns_export() to `.gz` at level 9 (ANNarchy's) and at the filter's
 *      default, against ANNarchy's `.gz` save;
 *   4. ns_import() of the level 9 `.gz`, against ANNarchy's `.gz` load;
 * and the files' sizes. ns_export() writes a temporary file, fsyncs it and
 * renames it; the Python side flushes and fsyncs its files too. The
 * Python side is bench/format_baseline.py, run by Debian's /usr/bin/python3
 * (it needs python3-numpy) and driven through pipes (pickler.c); it loads
 * nsnap's `.data` export first, so that both sides write the same dict.
 *
 * Run by hand, not by CTest.
 */
#include <inttypes.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <nsnap/nsnap.h>

#include "bench_util.h"
#include "model.h"
#include "pickler.h"

/* Repetitions: a level 9 export takes over 30 s a side at full size, so
 * that one round of it keeps the whole run near 3 minutes. */
#define REPS 5     /* the plain pickle figures */
#define GZ_REPS 3  /* gzip at the default level, and the imports */
#define GZ9_REPS 1 /* gzip level 9 exports */
#ifndef PYTHON /* Debian's, with python3-numpy; not whatever is first on PATH */
#define PYTHON "/usr/bin/python3"
#endif
#ifndef FORMAT_BASELINE /* set by bench/CMakeLists.txt */
#define FORMAT_BASELINE "bench/format_baseline.py"
#endif
#ifndef PLUGIN_DIR /* set by bench/CMakeLists.txt: the build tree's plugins */
#define PLUGIN_DIR "build/plugins"
#endif
#define ANNARCHY_LEVEL 9 /* gzip.open()'s default, which ANNarchy keeps */

const char bench_name[] = "format_bench";

/* ------------------------------------------------------------- files */

/* The files nsnap writes, each exported at its gzip level (0: the
 * filter's default). */
enum { F_DATA, F_GZ9, F_GZ, N_FILES };
static const struct {
	const char *name;
	int level;
} file_kind[N_FILES] = {
	[F_DATA] = { "format_bench.data", 0 },
	[F_GZ9] = { "format_bench.9.data.gz", ANNARCHY_LEVEL },
	[F_GZ] = { "format_bench.data.gz", 0 },
};

/* File-scope so that the atexit() handler can remove them after die(). */
static struct {
	char store[4096];
	char file[N_FILES][4096];
	char py[4096];    /* format_baseline.py's pickle */
	char py_gz[4096]; /* and its .gz */
} paths;

static void remove_files(void)
{
	for (int k = 0; k < N_FILES; k++)
		unlink_quiet(paths.file[k]);
	unlink_quiet(paths.py);
	unlink_quiet(paths.py_gz);
	remove_store(paths.store);
}

static uint64_t network_synapses(const ns_network *net)
{
	uint64_t n = 0;
	for (size_t i = 0; i < ns_network_object_count(net); i++)
		n += ns_projection_synapses(ns_network_object_at(net, i));
	return n;
}

/* --------------------------------------------------- the benchmark */

typedef struct bench {
	ns_plugins *ps;
	ns_store *store;
	char rev[24];         /* the version exported */
	uint64_t n_syn;
	pickler py;
	int64_t size[N_FILES];
	int64_t py_size, py_gz_size;
	uint64_t import_new;  /* bytes the last import added to the store */
} bench;

static double export_file(bench *b, int k)
{
	ns_export_opts o = NS_EXPORT_OPTS_INIT;
	o.level = file_kind[k].level;
	unlink_quiet(paths.file[k]);
	double t0 = now();
	CHECK(ns_export(b->ps, b->store, b->rev, paths.file[k], &o));
	double t = now() - t0;
	b->size[k] = file_size(paths.file[k]);
	return t;
}

static double import_file(bench *b, int k)
{
	ns_import_opts o = NS_IMPORT_OPTS_INIT;
	ns_version *v = NULL;
	uint64_t number = 0;
	o.message = file_kind[k].name;
	double t0 = now();
	CHECK(ns_import(&number, b->ps, b->store, paths.file[k], &o));
	double t = now() - t0;
	CHECK(ns_version_open_number(&v, b->store, number));
	b->import_new = ns_version_get_info(v)->new_bytes;
	ns_version_close(v);
	return t;
}

static double step_export_data(void *b) { return export_file(b, F_DATA); }
static double step_export_gz9(void *b) { return export_file(b, F_GZ9); }
static double step_export_gz(void *b) { return export_file(b, F_GZ); }
static double step_import_data(void *b) { return import_file(b, F_DATA); }
static double step_import_gz9(void *b) { return import_file(b, F_GZ9); }

static double step_py_dump(void *arg)
{
	bench *b = arg;
	double t = pickler_time(&b->py, "dump");
	b->py_size = b->py.file_bytes;
	return t;
}

static double step_py_gzdump(void *arg)
{
	bench *b = arg;
	double t = pickler_time(&b->py, "gzdump");
	b->py_gz_size = b->py.file_bytes;
	return t;
}

static double step_py_load(void *b) { return pickler_time(&((bench *)b)->py, "load"); }
static double step_py_gzload(void *b) { return pickler_time(&((bench *)b)->py, "gzload"); }

/* The import of nsnap's own `.data` holds every synapse. */
static void import_check(bench *b)
{
	ns_import_opts o = NS_IMPORT_OPTS_INIT;
	ns_network *net = NULL;
	uint64_t number = 0;
	CHECK(ns_import(&number, b->ps, b->store, paths.file[F_DATA], &o));
	CHECK(ns_network_open(&net, b->store, fmt("%" PRIu64, number).s));
	if (ns_network_object_count(net) != N_POPS + N_PROJS || network_synapses(net) != b->n_syn)
		die("'%s' imports as %zu objects and %" PRIu64 " synapses, not %d and %" PRIu64,
		    paths.file[F_DATA], ns_network_object_count(net), network_synapses(net),
		    N_POPS + N_PROJS, b->n_syn);
	ns_network_free(net);
}

/* The medians of @nsnap and, when it runs, of the Python step @py (NULL:
 * none) into t[0] and t[1]; NAN for what did not run. */
static void time_pair_py(double *t, bench *b, step_fn nsnap, step_fn py, int reps)
{
	const step_fn steps[2] = { nsnap, py };
	t[1] = NAN;
	time_steps(t, b, steps, py && b->py.ok ? 2 : 1, reps);
}

/* -------------------------------------------------------------- table */

static void row_time(const char *figure, double meas, const char *base_name, double base,
		     const pickler *py)
{
	if (py->ok)
		row(figure, fmt_time(meas), base_name, fmt_time(base), meas / base, "-", ROW_INFO);
	else
		row(figure, fmt_time(meas), base_name, fmt("skipped"), NAN, "-", ROW_INFO);
}

static void row_size(const char *figure, int64_t meas, const char *base_name, int64_t base,
		     const pickler *py)
{
	int64_t b = py->ok ? base : -1;
	row(figure, fmt_bytes(meas), base_name, fmt_bytes(b),
	    b > 0 ? (double)meas / (double)b : NAN, "-", ROW_INFO);
}

int main(int argc, char **argv)
{
	const char *dir;
	int quick;
	bench_args(&dir, &quick, argc, argv);
	path_join(paths.store, sizeof paths.store, dir, "format_bench.nsnap");
	for (int k = 0; k < N_FILES; k++)
		path_join(paths.file[k], sizeof paths.file[k], dir, file_kind[k].name);
	path_join(paths.py, sizeof paths.py, dir, "format_bench.py.data");
	path_join(paths.py_gz, sizeof paths.py_gz, dir, "format_bench.py.data.gz");
	remove_files();
	atexit(remove_files);
	/* a format_baseline.py that dies must not take us with it */
	signal(SIGPIPE, SIG_IGN);

	static bench b; /* static: zero-initialised */
	const char *const plugin_dirs[] = { PLUGIN_DIR, NULL };
	CHECK(ns_plugins_new(&b.ps, plugin_dirs, NS_PLUGINS_NO_ENV | NS_PLUGINS_NO_DEFAULT));

	uint32_t div = quick ? QUICK_DIV : 1;
	static model m;
	uint64_t bytes;
	{
		static network flat;
		network_build(&flat, N_EXC / div, N_INH / div);
		model_from_network(&m, &flat);
		network_free(&flat);
		model_bind(&m, "format_bench");
		bytes = m.bytes;
	}
	ns_network *net = m.net;
	b.n_syn = network_synapses(net);
	ns_store_opts so = NS_STORE_OPTS_INIT;
	so.flags = NS_STORE_CREATE;
	CHECK(ns_store_open(&b.store, paths.store, &so));
	uint64_t number = 0;
	CHECK(ns_snapshot(&number, b.store, net, NULL));
	model_free(&m);
	snprintf(b.rev, sizeof b.rev, "%" PRIu64, number);

	/* One untimed export, which the Python side loads its dict from. */
	export_file(&b, F_DATA);
	import_check(&b);
	{
		char level[8];
		snprintf(level, sizeof level, "%d", ANNARCHY_LEVEL);
		char *args[] = { "--source", paths.file[F_DATA], "--level", level, NULL };
		pickler_start(&b.py, PYTHON, FORMAT_BASELINE, paths.py, args);
		pickler_ready(&b.py, b.n_syn); /* "ready" counts synapses here */
	}
	const int py_ready = b.py.ok;

	printf("format_bench: %u neurons, %" PRIu64 " synapses in populations E, I and "
	       "projections EE, EI, IE, II; arrays %s; in %s\n", (N_EXC + N_INH) / div, b.n_syn,
	       fmt_bytes((int64_t)bytes).s, dir);
	printf("nsnap: pickle protocol 4 (ANNarchy's layout), gzip filter at level %d and at "
	       "its default; ns_export() fsyncs its temporary file before renaming it\n",
	       ANNARCHY_LEVEL);
	if (b.py.ok)
		printf("python: %s %s: pickle.dump/load (highest protocol, as ANNarchy) of the "
		       "dict nsnap's .data holds; .gz as ANNarchy, pickle.dump into gzip level "
		       "%d; every file flushed and fsynced\n", PYTHON, FORMAT_BASELINE,
		       ANNARCHY_LEVEL);
	else
		printf("python baseline skipped: %s\n", b.py.why);
	printf("timings: medians of %d repetitions (gzip: %d; level 9 exports: %d), the "
	       "sides taking turns; an import commits a new version into the store\n\n", REPS,
	       GZ_REPS, GZ9_REPS);

	double t_data[2], t_load[2], t_gz9[2], t_gz[2], t_gzload[2];
	time_pair_py(t_data, &b, step_export_data, step_py_dump, REPS);
	time_pair_py(t_load, &b, step_import_data, step_py_load, REPS);
	const uint64_t import_new = b.import_new;
	time_pair_py(t_gz9, &b, step_export_gz9, step_py_gzdump, GZ9_REPS);
	time_pair_py(t_gz, &b, step_export_gz, NULL, GZ_REPS);
	time_pair_py(t_gzload, &b, step_import_gz9, step_py_gzload, GZ_REPS);
	pickler_stop(&b.py);

	if (py_ready && !b.py.ok)
		printf("python baseline failed: %s\n\n", b.py.why);
	table_header();
	row_time("export .data", t_data[0], "pickle.dump", t_data[1], &b.py);
	row_time("import .data", t_load[0], "pickle.load", t_load[1], &b.py);
	row_time("export .gz, level 9", t_gz9[0], "ANNarchy .gz save", t_gz9[1], &b.py);
	row_time("export .gz, default level", t_gz[0], "ANNarchy .gz save", t_gz9[1], &b.py);
	row_time("import .gz (level 9)", t_gzload[0], "ANNarchy .gz load", t_gzload[1], &b.py);
	row_size(".data size", b.size[F_DATA], "pickle file", b.py_size, &b.py);
	row_size(".gz size, level 9", b.size[F_GZ9], "ANNarchy .gz", b.py_gz_size, &b.py);
	row_size(".gz size, default level", b.size[F_GZ], "ANNarchy .gz", b.py_gz_size, &b.py);
	row("import: bytes added to the store", fmt_bytes((int64_t)import_new), "arrays",
	    fmt_bytes((int64_t)bytes), (double)import_new / (double)bytes, "-", ROW_INFO);

	ns_store_close(b.store);
	ns_plugins_free(b.ps);
	return 0;
}
