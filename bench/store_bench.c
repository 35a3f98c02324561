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
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <nsnap/nsnap.h>

#define REPS 5        /* repetitions of each heavy timing */
#define OPEN_REPS 101 /* repetitions of the sub-millisecond open + view */
#define MAX_REPS OPEN_REPS

#define N_EXC 20000   /* excitatory neurons */
#define N_INH 5000    /* inhibitory neurons */
#define K_OUT 250     /* outgoing synapses per neuron: 6.25 M in all */
#define QUICK_DIV 10  /* --quick divides the neuron counts by this */

#define WEIGHTS "syn/weight" /* the array that figure 2 changes and 4 views */

/* ------------------------------------------------------------ errors */

static void die(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("store_bench: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	exit(1);
}

/* Every nsnap call goes through CHECK: a benchmark of a failing call would
 * measure nothing, so stop with the library's own explanation. */
#define CHECK(expr) check_ns((expr), #expr)

static void check_ns(int rc, const char *call)
{
	if (rc != NS_OK)
		die("%s failed (%d): %s", call, rc, ns_error_last()->message);
}

static void check_sys(int failed, const char *call, const char *path)
{
	if (failed)
		die("%s '%s': %s", call, path, strerror(errno));
}

static void *xmalloc(size_t size)
{
	void *p = malloc(size);
	if (!p)
		die("out of memory (%zu bytes)", size);
	return p;
}

/* ------------------------------------------------------------- files */

/* File-scope so that the atexit() handler can remove them after die(). */
static struct {
	char raw[4096];   /* baseline: plain write + fsync */
	char store[4096]; /* the raw-codec store of figures 1, 2 and 4 */
	char zstd[4096];  /* the zstd store of figure 3 */
} paths;

static void path_join(char *out, size_t size, const char *dir, const char *name)
{
	if ((size_t)snprintf(out, size, "%s/%s", dir, name) >= size)
		die("path too long: %s/%s", dir, name);
}

static void unlink_quiet(const char *path)
{
	if (path[0] && unlink(path) != 0 && errno != ENOENT)
		fprintf(stderr, "store_bench: cannot remove '%s': %s\n", path,
			strerror(errno));
}

/* A store is its file and LMDB's "-lock" file beside it. */
static void remove_store(const char *path)
{
	char lock[4096 + 8];
	snprintf(lock, sizeof lock, "%s-lock", path);
	unlink_quiet(path);
	unlink_quiet(lock);
}

static void remove_files(void)
{
	unlink_quiet(paths.raw);
	remove_store(paths.store);
	remove_store(paths.zstd);
}

/* Bytes this process has caused to be written to storage, or -1 when the
 * kernel does not account them. Shows that both sides of a comparison write
 * the same amount, page cache or not. */
static int64_t disk_write_bytes(void)
{
	FILE *f = fopen("/proc/self/io", "r");
	char line[128];
	long long v = -1;
	if (!f)
		return -1;
	while (fgets(line, sizeof line, f))
		if (sscanf(line, "write_bytes: %lld", &v) == 1)
			break;
	fclose(f);
	return v;
}

/* ------------------------------------------------------------ timing */

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static double median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof *v, cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* Reads that exist only to be timed store here, so they are not dropped. */
static volatile unsigned char sink;

/* --------------------------------------------------- random numbers */

/* splitmix64: seeded, so every run builds the same network. */
static uint64_t rng_next(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15u);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
	return z ^ (z >> 31);
}

/* Uniform in (0, 1]: never 0, so log() below is finite. */
static double rng_uniform(uint64_t *s)
{
	return (double)((rng_next(s) >> 11) + 1) * 0x1.0p-53;
}

static double rng_gauss(uint64_t *s)
{
	const double two_pi = 6.283185307179586;
	return sqrt(-2 * log(rng_uniform(s))) * cos(two_pi * rng_uniform(s));
}

/* ----------------------------------------------------------- network */

typedef struct array {
	const char *name;
	ns_dtype dtype;
	void *data;
	uint64_t count;
} array;

enum { A_V, A_U, A_THRESHOLD, A_REFRACTORY, A_EXCITATORY,
       A_PRE, A_POST, A_WEIGHT, A_DELAY, N_ARRAYS };

typedef struct network {
	array a[N_ARRAYS];
	uint32_t n_exc, n_inh;
	uint64_t n_syn;
	uint64_t bytes; /* all arrays */
	uint64_t rng;
} network;

static void *array_init(array *a, const char *name, ns_dtype dtype, uint64_t count)
{
	a->name = name;
	a->dtype = dtype;
	a->count = count;
	a->data = xmalloc(count * ns_dtype_size(dtype));
	return a->data;
}

static uint64_t array_bytes(const array *a)
{
	return a->count * ns_dtype_size(a->dtype);
}

/* Synaptic weight in mV: lognormal around J for excitatory synapses, -g J
 * for inhibitory ones, as in Brunel's balanced network. */
static double draw_weight(uint64_t *rng, int excitatory)
{
	const double j = 0.1, g = 5.0;
	double w = j * exp(0.25 * rng_gauss(rng));
	return excitatory ? w : -g * w;
}

static void network_build(network *net, uint32_t n_exc, uint32_t n_inh)
{
	uint32_t n = n_exc + n_inh;
	uint64_t *rng = &net->rng;
	net->n_exc = n_exc;
	net->n_inh = n_inh;
	net->n_syn = (uint64_t)n * K_OUT;
	net->rng = 42;

	double *v = array_init(&net->a[A_V], "neuron/v", NS_DTYPE_F64, n);
	double *u = array_init(&net->a[A_U], "neuron/u", NS_DTYPE_F64, n);
	double *th = array_init(&net->a[A_THRESHOLD], "neuron/threshold", NS_DTYPE_F64, n);
	int32_t *refr = array_init(&net->a[A_REFRACTORY], "neuron/refractory", NS_DTYPE_I32, n);
	uint8_t *exc = array_init(&net->a[A_EXCITATORY], "neuron/excitatory", NS_DTYPE_BOOL, n);
	for (uint32_t i = 0; i < n; i++) {
		v[i] = -65.0 + 5.0 * rng_gauss(rng);
		u[i] = 0.2 * v[i]; /* Izhikevich recovery variable, b = 0.2 */
		th[i] = -50.0 + rng_gauss(rng);
		/* about 5% of neurons are inside a 2 ms (20-step) refractory period */
		refr[i] = rng_uniform(rng) < 0.05 ? (int32_t)(rng_next(rng) % 20) + 1 : 0;
		exc[i] = i < n_exc;
	}

	/* Synapses sorted by presynaptic neuron, as simulators keep them. */
	int32_t *pre = array_init(&net->a[A_PRE], "syn/pre", NS_DTYPE_I32, net->n_syn);
	int32_t *post = array_init(&net->a[A_POST], "syn/post", NS_DTYPE_I32, net->n_syn);
	double *w = array_init(&net->a[A_WEIGHT], WEIGHTS, NS_DTYPE_F64, net->n_syn);
	double *d = array_init(&net->a[A_DELAY], "syn/delay", NS_DTYPE_F64, net->n_syn);
	for (uint64_t s = 0; s < net->n_syn; s++) {
		uint32_t i = (uint32_t)(s / K_OUT);
		pre[s] = (int32_t)i;
		post[s] = (int32_t)(rng_next(rng) % n);
		w[s] = draw_weight(rng, i < n_exc);
		/* 1 to 2 ms, on the 0.1 ms time grid */
		d[s] = round(10.0 + 10.0 * rng_uniform(rng)) / 10.0;
	}

	net->bytes = 0;
	for (int k = 0; k < N_ARRAYS; k++)
		net->bytes += array_bytes(&net->a[k]);
}

/* One step of plasticity: every weight moves by about 0.1%, so every chunk
 * of the weight array changes and no other array does. */
static void network_perturb_weights(network *net)
{
	double *w = net->a[A_WEIGHT].data;
	for (uint64_t s = 0; s < net->n_syn; s++)
		w[s] *= 1.0 + 1e-3 * rng_gauss(&net->rng);
}

static void network_free(network *net)
{
	for (int k = 0; k < N_ARRAYS; k++)
		free(net->a[k].data);
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

/* One timed step: returns its duration in seconds; set-up and clean-up it
 * does around the timed part are not counted. */
typedef double (*step_fn)(bench *b);

/* Run @base and @meas alternately @reps times; their medians. Which one
 * goes first alternates too, so that neither always runs in the wake of
 * the other (its writeback, its freed pages). */
static void time_pair(double *base_s, double *meas_s, bench *b, step_fn base,
		      step_fn meas, int reps)
{
	double tb[MAX_REPS], tm[MAX_REPS];
	for (int r = 0; r < reps; r++) {
		if (r % 2 == 0)
			tb[r] = base(b);
		tm[r] = meas(b);
		if (r % 2 == 1)
			tb[r] = base(b);
	}
	*base_s = median(tb, reps);
	*meas_s = median(tm, reps);
}

static void write_all(int fd, const void *data, size_t size, const char *path)
{
	const unsigned char *p = data;
	while (size > 0) {
		ssize_t n = write(fd, p, size);
		if (n < 0 && errno == EINTR)
			continue;
		check_sys(n < 0, "write", path);
		p += n;
		size -= (size_t)n;
	}
}

/* The baseline of every write: the same bytes into a new file, made durable
 * with fsync as ns_commit_finish() does. */
static double raw_write(const array *arrays, int n, const char *path)
{
	double t0 = now();
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	check_sys(fd < 0, "open", path);
	for (int k = 0; k < n; k++)
		write_all(fd, arrays[k].data, array_bytes(&arrays[k]), path);
	check_sys(fsync(fd) != 0, "fsync", path);
	check_sys(close(fd) != 0, "close", path);
	return now() - t0;
}

/* A new file per repetition, removed at once, like the fresh store on the
 * other side: both write the same bytes into new files. */
static double step_raw_all(bench *b)
{
	int64_t before = disk_write_bytes();
	double t = raw_write(b->net.a, N_ARRAYS, paths.raw);
	b->raw_disk = before < 0 ? -1 : disk_write_bytes() - before;
	unlink_quiet(paths.raw);
	return t;
}

static double step_raw_weights(bench *b)
{
	double t = raw_write(&b->net.a[A_WEIGHT], 1, paths.raw);
	unlink_quiet(paths.raw);
	return t;
}

/* Figure 1. Creating the store is not timed: it is paid once per file, not
 * per snapshot. */
static double step_snapshot_new(bench *b)
{
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
static double step_incremental(bench *b)
{
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
static double step_snapshot_zstd(bench *b)
{
	uint64_t version;
	ns_store *s = store_open(paths.zstd, NS_STORE_CREATE);
	double t = snapshot(&version, s, &b->net, NS_CODEC_ZSTD);
	b->zstd_stats = store_stats(s);
	ns_store_close(s);
	remove_store(paths.zstd);
	return t;
}

/* Figure 4 baseline: the least it takes to reach bytes of a file in place. */
static double step_open_mmap(bench *b)
{
	(void)b;
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
static double step_open_view(bench *b)
{
	(void)b;
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

static double step_memcpy(bench *b)
{
	double t0 = now();
	for (int k = 0; k < N_ARRAYS; k++)
		memcpy(b->buf[k], b->net.a[k].data, array_bytes(&b->net.a[k]));
	return now() - t0;
}

static double step_read(bench *b)
{
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

/* -------------------------------------------------------------- table */

typedef struct text {
	char s[64];
} text;

static text fmt(const char *format, ...)
{
	text t;
	va_list ap;
	va_start(ap, format);
	vsnprintf(t.s, sizeof t.s, format, ap);
	va_end(ap);
	return t;
}

static text fmt_time(double s)
{
	if (s < 1e-3)
		return fmt("%.1f us", s * 1e6);
	if (s < 1)
		return fmt("%.1f ms", s * 1e3);
	return fmt("%.2f s", s);
}

static text fmt_bytes(int64_t bytes)
{
	if (bytes < 0)
		return fmt("n/a");
	return fmt("%.2f MB", (double)bytes / 1e6);
}

static int n_missed;

/* One line of the table; @met is 1 (ok), 0 (MISSED) or -1 (no target). */
static void row(const char *figure, text measured, const char *base_name,
		text base, double ratio, const char *target, int met)
{
	printf("%-32s %11s  %-17s %11s %8.3fx  ", figure, measured.s, base_name,
	       base.s, ratio);
	if (met < 0)
		printf("%s\n", target);
	else
		printf("%-10s %s\n", target, met ? "ok" : "MISSED");
	if (met == 0)
		n_missed++;
}

static void usage(FILE *to)
{
	fputs("usage: store_bench [--quick] [DIR]\n"
	      "  DIR      folder for the temporary files (default: .)\n"
	      "  --quick  a tenth of the network, for a smoke run\n", to);
}

int main(int argc, char **argv)
{
	const char *dir = NULL;
	int quick = 0;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--quick") == 0) {
			quick = 1;
		} else if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
			usage(stdout);
			return 0;
		} else if (argv[i][0] == '-' || dir) {
			usage(stderr);
			return 2;
		} else {
			dir = argv[i];
		}
	}
	if (!dir)
		dir = ".";
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
	printf("%-32s %11s  %-29s %9s  %-10s %s\n", "figure", "measured", "baseline",
	       "ratio", "target", "result");

	double base, meas;

	time_pair(&base, &meas, &b, step_raw_all, step_snapshot_new, REPS);
	row("1 snapshot, new store", fmt_time(meas), "write+fsync", fmt_time(base),
	    meas / base, "<= 1.20x", meas <= 1.2 * base);
	row("  bytes written (/proc/self/io)", fmt_bytes(b.snap_disk), "write+fsync",
	    fmt_bytes(b.raw_disk), (double)b.snap_disk / (double)b.raw_disk, "-", -1);
	row("  store file size", fmt_bytes((int64_t)b.snap_file_bytes), "arrays",
	    fmt_bytes((int64_t)b.net.bytes), (double)b.snap_file_bytes / (double)b.net.bytes,
	    "-", -1);

	/* Figure 2 starts from one full snapshot, not timed. */
	uint64_t first;
	b.store = store_open(paths.store, NS_STORE_CREATE);
	snapshot(&first, b.store, &b.net, NS_CODEC_DEFAULT);
	time_pair(&base, &meas, &b, step_raw_weights, step_incremental, REPS);
	row("2 incremental (weights changed)", fmt_time(meas), "write+fsync w",
	    fmt_time(base), meas / base, "-", -1);
	row("  version new_bytes (max)", fmt_bytes((int64_t)b.incr_new_bytes), "weights",
	    fmt_bytes((int64_t)w_bytes), (double)b.incr_new_bytes / (double)w_bytes,
	    "<= 1.05x", b.incr_new_bytes <= 1.05 * (double)w_bytes);
	row("  stats stored_bytes delta (max)", fmt_bytes((int64_t)b.incr_stored_delta),
	    "weights", fmt_bytes((int64_t)w_bytes),
	    (double)b.incr_stored_delta / (double)w_bytes, "<= 1.05x",
	    b.incr_stored_delta <= 1.05 * (double)w_bytes);
	row("  store file growth (max)", fmt_bytes((int64_t)b.incr_file_delta), "weights",
	    fmt_bytes((int64_t)w_bytes), (double)b.incr_file_delta / (double)w_bytes,
	    "-", -1);
	/* Figure 4 reads this store read-only: one handle per file and process. */
	ns_store_close(b.store);
	b.store = NULL;

	time_pair(&base, &meas, &b, step_raw_all, step_snapshot_zstd, REPS);
	row("3 zstd snapshot, new store", fmt_time(meas), "write+fsync", fmt_time(base),
	    meas / base, "-", -1);
	row("  stored / logical", fmt_bytes((int64_t)b.zstd_stats.stored_bytes), "logical",
	    fmt_bytes((int64_t)b.zstd_stats.logical_bytes),
	    (double)b.zstd_stats.stored_bytes / (double)b.zstd_stats.logical_bytes, "-", -1);

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

	printf("\n%d target%s missed\n", n_missed, n_missed == 1 ? "" : "s");
	network_free(&b.net);
	return 0;
}
