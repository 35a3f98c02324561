/* SPDX-License-Identifier: MIT */
/*
 * store_bench: how fast and how compactly nsnap checkpoints a balanced E-I
 * network (25,000 neurons, 6.25 million synapses, about 150 MB).
 *
 * Usage: store_bench [--quick] [DIR]
 *   DIR      where the files are created (default "."); they are removed
 *            at exit, also after an error.
 *   --quick  a tenth of the network, for a smoke run.
 *
 * Run by hand, not by CTest. Machines are shared and noisy, so every figure
 * is printed as a ratio to a baseline measured in the same run, and every
 * timing is the median of several repetitions in which baseline and
 * measurement alternate, so that a burst of noise hits both alike.
 */
#include <fcntl.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <nsnap/nsnap.h>

#include "bench_util.h"

#define REPS 5        /* repetitions of each heavy timing */
#define OPEN_REPS 101 /* repetitions of the sub-millisecond open + view */

const char bench_name[] = "store_bench";

/* ------------------------------------------------------------- files */

/* File-scope so that the atexit() handler can remove them after die(). */
static struct {
	char raw[4096];   /* baseline: plain write + fsync */
	char store[4096]; /* the raw-codec store of figures 1, 2 and 4 */
	char zstd[4096];  /* the zstd store of figure 3 */
} paths;

static void remove_files(void)
{
	unlink_quiet(paths.raw);
	remove_store(paths.store);
	remove_store(paths.zstd);
}

/* Reads that exist only to be timed store here, so they are not dropped. */
static volatile unsigned char sink;

/* ----------------------------------------------------------- network */

/* One step of plasticity: every weight moves by about 0.1%, so every chunk
 * of the weight array changes and no other array does. */
static void network_perturb_weights(network *net)
{
	double *w = net->a[A_WEIGHT].data;
	for (uint64_t s = 0; s < net->n_syn; s++)
		w[s] *= 1.0 + 1e-3 * rng_gauss(&net->rng);
}

/* ------------------------------------------------------ nsnap helpers */

static ns_store *store_open(const char *path, unsigned flags)
{
	ns_store_opts o = NS_STORE_OPTS_INIT;
	ns_store *s = NULL;
	o.flags = flags;
	CHECK(ns_store_open(&s, path, &o));
	return s;
}

/* Commit every array of @net with @codec; returns the seconds it took and
 * the new version's number in @version. */
static double snapshot(uint64_t *version, ns_store *s, const network *net, ns_codec codec)
{
	ns_commit_opts o = NS_COMMIT_OPTS_INIT;
	ns_commit *c = NULL;
	o.message = "store_bench";
	o.codec = codec;
	double t0 = now();
	CHECK(ns_commit_new(&c, s));
	for (int k = 0; k < N_ARRAYS; k++) {
		const array *a = &net->a[k];
		CHECK(ns_commit_add(c, a->name, a->dtype, a->data, a->count));
	}
	CHECK(ns_commit_finish(version, c, &o));
	return now() - t0;
}

static ns_store_stats store_stats(ns_store *s)
{
	ns_store_stats st;
	CHECK(ns_store_stats_get(&st, s));
	return st;
}

static uint64_t version_new_bytes(ns_store *s, uint64_t number)
{
	ns_version *v = NULL;
	CHECK(ns_version_open_number(&v, s, number));
	uint64_t bytes = ns_version_get_info(v)->new_bytes;
	ns_version_close(v);
	return bytes;
}

/* --------------------------------------------------- the benchmark */

typedef struct bench {
	network net;
	ns_store *store;  /* figure 2's read-write handle on paths.store */
	/* figure 1: bytes written by the last repetition of each side */
	int64_t raw_disk, snap_disk;
	uint64_t snap_file_bytes;
	/* figure 2: the largest growth over the repetitions */
	uint64_t incr_new_bytes, incr_stored_delta, incr_file_delta;
	/* figure 3 */
	ns_store_stats zstd_stats;
	/* figure 4: the read-only handles and the caller's buffers */
	ns_store *ro_store;
	ns_version *ro_version;
	uint64_t index[N_ARRAYS];
	void *buf[N_ARRAYS];
} bench;

/* A new file per repetition, removed at once, like the fresh store on the
 * other side: both write the same bytes into new files. */
static double step_raw_all(void *arg)
{
	bench *b = arg;
	int64_t before = disk_write_bytes();
	double t = raw_write(b->net.a, N_ARRAYS, paths.raw);
	b->raw_disk = before < 0 ? -1 : disk_write_bytes() - before;
	unlink_quiet(paths.raw);
	return t;
}

static double step_raw_weights(void *arg)
{
	bench *b = arg;
	double t = raw_write(&b->net.a[A_WEIGHT], 1, paths.raw);
	unlink_quiet(paths.raw);
	return t;
}

/* Figure 1. Creating the store is not timed: it is paid once per file, not
 * per snapshot. */
static double step_snapshot_new(void *arg)
{
	bench *b = arg;
	uint64_t version;
	ns_store *s = store_open(paths.store, NS_STORE_CREATE);
	int64_t before = disk_write_bytes();
	double t = snapshot(&version, s, &b->net, NS_CODEC_DEFAULT);
	b->snap_disk = before < 0 ? -1 : disk_write_bytes() - before;
	b->snap_file_bytes = store_stats(s).file_bytes;
	ns_store_close(s);
	remove_store(paths.store);
	return t;
}

static uint64_t max_u64(uint64_t a, uint64_t b)
{
	return a > b ? a : b;
}

/* Figure 2: all arrays are committed again, only the weights differ. */
static double step_incremental(void *arg)
{
	bench *b = arg;
	uint64_t version;
	network_perturb_weights(&b->net);
	ns_store_stats before = store_stats(b->store);
	double t = snapshot(&version, b->store, &b->net, NS_CODEC_DEFAULT);
	ns_store_stats after = store_stats(b->store);
	b->incr_new_bytes = max_u64(b->incr_new_bytes, version_new_bytes(b->store, version));
	b->incr_stored_delta = max_u64(b->incr_stored_delta,
				       after.stored_bytes - before.stored_bytes);
	b->incr_file_delta = max_u64(b->incr_file_delta, after.file_bytes - before.file_bytes);
	return t;
}

/* Figure 3, with the store's default zstd level (3). */
static double step_snapshot_zstd(void *arg)
{
	bench *b = arg;
	uint64_t version;
	ns_store *s = store_open(paths.zstd, NS_STORE_CREATE);
	double t = snapshot(&version, s, &b->net, NS_CODEC_ZSTD);
	b->zstd_stats = store_stats(s);
	ns_store_close(s);
	remove_store(paths.zstd);
	return t;
}

/* Figure 4 baseline: the least it takes to reach bytes of a file in place. */
static double step_open_mmap(void *arg)
{
	(void)arg;
	struct stat st;
	double t0 = now();
	int fd = open(paths.raw, O_RDONLY);
	check_sys(fd < 0, "open", paths.raw);
	check_sys(fstat(fd, &st) != 0, "fstat", paths.raw);
	void *map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_SHARED, fd, 0);
	check_sys(map == MAP_FAILED, "mmap", paths.raw);
	sink = *(const unsigned char *)map;
	double t = now() - t0;
	munmap(map, (size_t)st.st_size);
	close(fd);
	return t;
}

/* Figure 4: what a reader does to look at a checkpoint's weights. */
static double step_open_view(void *arg)
{
	(void)arg;
	ns_version *v = NULL;
	uint64_t index;
	ns_view view;
	double t0 = now();
	ns_store *s = store_open(paths.store, NS_STORE_RDONLY);
	CHECK(ns_version_open(&v, s, "HEAD"));
	CHECK(ns_version_array_find(&index, v, WEIGHTS));
	CHECK(ns_version_view(&view, v, index, 0, 0));
	sink = *(const unsigned char *)view.data;
	double t = now() - t0;
	ns_version_close(v);
	ns_store_close(s);
	return t;
}

static double step_memcpy(void *arg)
{
	bench *b = arg;
	double t0 = now();
	for (int k = 0; k < N_ARRAYS; k++)
		memcpy(b->buf[k], b->net.a[k].data, array_bytes(&b->net.a[k]));
	return now() - t0;
}

static double step_read(void *arg)
{
	bench *b = arg;
	double t0 = now();
	for (int k = 0; k < N_ARRAYS; k++)
		CHECK(ns_version_read(b->buf[k], array_bytes(&b->net.a[k]), b->ro_version,
				      b->index[k], 0));
	return now() - t0;
}

/* Open HEAD read-only and give each array a buffer. Buffers are written
 * and the store read once first, so no side pays page faults or cold
 * cache in the timed part. Also checks that HEAD reads back right. */
static void readers_open(bench *b)
{
	b->ro_store = store_open(paths.store, NS_STORE_RDONLY);
	CHECK(ns_version_open(&b->ro_version, b->ro_store, "HEAD"));
	for (int k = 0; k < N_ARRAYS; k++) {
		const array *a = &b->net.a[k];
		ns_array_info info;
		CHECK(ns_version_array_find(&b->index[k], b->ro_version, a->name));
		CHECK(ns_version_array_at(&info, b->ro_version, b->index[k]));
		if (info.nbytes != array_bytes(a))
			die("array '%s': %" PRIu64 " bytes in the store, %" PRIu64 " written",
			    a->name, info.nbytes, array_bytes(a));
		b->buf[k] = xmalloc(info.nbytes);
		memset(b->buf[k], 0xa5, info.nbytes);
	}
	step_read(b);
	for (int k = 0; k < N_ARRAYS; k++)
		if (memcmp(b->buf[k], b->net.a[k].data, array_bytes(&b->net.a[k])) != 0)
			die("array '%s' reads back different from what was committed",
			    b->net.a[k].name);
}

static void readers_close(bench *b)
{
	for (int k = 0; k < N_ARRAYS; k++)
		free(b->buf[k]);
	ns_version_close(b->ro_version);
	ns_store_close(b->ro_store);
}

int main(int argc, char **argv)
{
	const char *dir;
	int quick;
	bench_args(&dir, &quick, argc, argv);
	path_join(paths.raw, sizeof paths.raw, dir, "store_bench.raw");
	path_join(paths.store, sizeof paths.store, dir, "store_bench.nsnap");
	path_join(paths.zstd, sizeof paths.zstd, dir, "store_bench-zstd.nsnap");
	remove_files();
	atexit(remove_files);

	static bench b; /* static: zero-initialised, and large */
	uint32_t div = quick ? QUICK_DIV : 1;
	network_build(&b.net, N_EXC / div, N_INH / div);
	const uint64_t w_bytes = array_bytes(&b.net.a[A_WEIGHT]);

	printf("store_bench: %u neurons (%u E + %u I), %" PRIu64 " synapses, "
	       "%d arrays, %s; in %s\n", b.net.n_exc + b.net.n_inh, b.net.n_exc,
	       b.net.n_inh, b.net.n_syn, N_ARRAYS, fmt_bytes((int64_t)b.net.bytes).s, dir);
	printf("timings: median of %d repetitions (open + view: of %d), baseline and "
	       "measurement alternating\n\n", REPS, OPEN_REPS);
	table_header();

	double base, meas;

	time_pair(&base, &meas, &b, step_raw_all, step_snapshot_new, REPS);
	row("1 snapshot, new store", fmt_time(meas), "write+fsync", fmt_time(base),
	    meas / base, "<= 1.20x", meas <= 1.2 * base);
	row("  bytes written (/proc/self/io)", fmt_bytes(b.snap_disk), "write+fsync",
	    fmt_bytes(b.raw_disk), (double)b.snap_disk / (double)b.raw_disk, "-", ROW_INFO);
	row("  store file size", fmt_bytes((int64_t)b.snap_file_bytes), "arrays",
	    fmt_bytes((int64_t)b.net.bytes), (double)b.snap_file_bytes / (double)b.net.bytes,
	    "-", ROW_INFO);

	/* Figure 2 starts from one full snapshot, not timed. */
	uint64_t first;
	b.store = store_open(paths.store, NS_STORE_CREATE);
	snapshot(&first, b.store, &b.net, NS_CODEC_DEFAULT);
	time_pair(&base, &meas, &b, step_raw_weights, step_incremental, REPS);
	row("2 incremental (weights changed)", fmt_time(meas), "write+fsync w",
	    fmt_time(base), meas / base, "-", ROW_INFO);
	row("  version new_bytes (max)", fmt_bytes((int64_t)b.incr_new_bytes), "weights",
	    fmt_bytes((int64_t)w_bytes), (double)b.incr_new_bytes / (double)w_bytes,
	    "<= 1.05x", b.incr_new_bytes <= 1.05 * (double)w_bytes);
	row("  stats stored_bytes delta (max)", fmt_bytes((int64_t)b.incr_stored_delta),
	    "weights", fmt_bytes((int64_t)w_bytes),
	    (double)b.incr_stored_delta / (double)w_bytes, "<= 1.05x",
	    b.incr_stored_delta <= 1.05 * (double)w_bytes);
	row("  store file growth (max)", fmt_bytes((int64_t)b.incr_file_delta), "weights",
	    fmt_bytes((int64_t)w_bytes), (double)b.incr_file_delta / (double)w_bytes,
	    "-", ROW_INFO);
	/* Figure 4 reads this store read-only: one handle per file and process. */
	ns_store_close(b.store);
	b.store = NULL;

	time_pair(&base, &meas, &b, step_raw_all, step_snapshot_zstd, REPS);
	row("3 zstd snapshot, new store", fmt_time(meas), "write+fsync", fmt_time(base),
	    meas / base, "-", ROW_INFO);
	row("  stored / logical", fmt_bytes((int64_t)b.zstd_stats.stored_bytes), "logical",
	    fmt_bytes((int64_t)b.zstd_stats.logical_bytes),
	    (double)b.zstd_stats.stored_bytes / (double)b.zstd_stats.logical_bytes, "-", ROW_INFO);

	/* The raw file stays for the baseline of figure 4; warm, like the store. */
	raw_write(b.net.a, N_ARRAYS, paths.raw);
	time_pair(&base, &meas, &b, step_open_mmap, step_open_view, OPEN_REPS);
	row("4 open+HEAD+find+view chunk 0", fmt_time(meas), "open+mmap file",
	    fmt_time(base), meas / base, "< 1000 us", meas < 1e-3);

	readers_open(&b);
	time_pair(&base, &meas, &b, step_memcpy, step_read, REPS);
	row("  read all arrays (copy-out)", fmt_time(meas), "memcpy", fmt_time(base),
	    meas / base, "<= 2.00x", meas <= 2 * base);
	readers_close(&b);

	table_footer();
	network_free(&b.net);
	return 0;
}
