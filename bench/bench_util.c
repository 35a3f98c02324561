/* SPDX-License-Identifier: MIT */
/* What the benchmarks share; see bench_util.h. */
#include "bench_util.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>
#include <unistd.h>

/* ------------------------------------------------------------ errors */

void die(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fprintf(stderr, "%s: ", bench_name);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	exit(1);
}

void check_ns(int rc, const char *call)
{
	if (rc != NS_OK)
		die("%s failed (%d): %s", call, rc, ns_error_last()->message);
}

void check_sys(int failed, const char *call, const char *path)
{
	if (failed)
		die("%s '%s': %s", call, path, strerror(errno));
}

void *xmalloc(size_t size)
{
	void *p = malloc(size);
	if (!p)
		die("out of memory (%zu bytes)", size);
	return p;
}

/* ------------------------------------------------------------- files */

void path_join(char *out, size_t size, const char *dir, const char *name)
{
	if ((size_t)snprintf(out, size, "%s/%s", dir, name) >= size)
		die("path too long: %s/%s", dir, name);
}

void unlink_quiet(const char *path)
{
	if (path[0] && unlink(path) != 0 && errno != ENOENT)
		fprintf(stderr, "%s: cannot remove '%s': %s\n", bench_name, path,
			strerror(errno));
}

void remove_store(const char *path)
{
	char lock[4096 + 8];
	snprintf(lock, sizeof lock, "%s-lock", path);
	unlink_quiet(path);
	unlink_quiet(lock);
}

/* Shows that both sides of a comparison write the same amount, page cache
 * or not; -1 when the kernel does not account it. */
int64_t file_size(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 ? (int64_t)st.st_size : -1;
}

int64_t disk_write_bytes(void)
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

void write_all(int fd, const void *data, size_t size, const char *path)
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

/* ------------------------------------------------------------ timing */

double now(void)
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

double median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof *v, cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

void time_steps(double *medians, void *ctx, const step_fn *steps, int n, int reps)
{
	double *t = xmalloc((size_t)n * (size_t)reps * sizeof *t);
	for (int r = 0; r < reps; r++)
		for (int k = 0; k < n; k++) {
			int s = (r + k) % n;
			t[s * reps + r] = steps[s](ctx);
		}
	for (int s = 0; s < n; s++)
		medians[s] = median(&t[s * reps], reps);
	free(t);
}

void time_pair(double *base_s, double *meas_s, void *ctx, step_fn base, step_fn meas,
	       int reps)
{
	const step_fn steps[2] = { base, meas };
	double m[2];
	time_steps(m, ctx, steps, 2, reps);
	*base_s = m[0];
	*meas_s = m[1];
}

/* --------------------------------------------------- random numbers */

/* splitmix64 */
uint64_t rng_next(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15u);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
	return z ^ (z >> 31);
}

/* Never 0, so log() below is finite. */
double rng_uniform(uint64_t *s)
{
	return (double)((rng_next(s) >> 11) + 1) * 0x1.0p-53;
}

double rng_gauss(uint64_t *s)
{
	const double two_pi = 6.283185307179586;
	return sqrt(-2 * log(rng_uniform(s))) * cos(two_pi * rng_uniform(s));
}

/* ----------------------------------------------------------- network */

void *array_init(array *a, const char *name, ns_dtype dtype, uint64_t count)
{
	a->name = name;
	a->dtype = dtype;
	a->count = count;
	a->data = xmalloc(count * ns_dtype_size(dtype));
	return a->data;
}

uint64_t array_bytes(const array *a)
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

void network_build(network *net, uint32_t n_exc, uint32_t n_inh)
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

void network_free(network *net)
{
	for (int k = 0; k < N_ARRAYS; k++) {
		free(net->a[k].data);
		net->a[k].data = NULL;
	}
}

double raw_write(const array *arrays, int n, const char *path)
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

/* ------------------------------------------------------ command line */

static void usage(FILE *to)
{
	fprintf(to, "usage: %s [--quick] [DIR]\n"
		"  DIR      folder for the temporary files (default: .)\n"
		"  --quick  a tenth of the network, for a smoke run\n", bench_name);
}

void bench_args(const char **dir, int *quick, int argc, char **argv)
{
	*dir = NULL;
	*quick = 0;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--quick") == 0) {
			*quick = 1;
		} else if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
			usage(stdout);
			exit(0);
		} else if (argv[i][0] == '-' || *dir) {
			usage(stderr);
			exit(2);
		} else {
			*dir = argv[i];
		}
	}
	if (!*dir)
		*dir = ".";
}

/* -------------------------------------------------------------- table */

text fmt(const char *format, ...)
{
	text t;
	va_list ap;
	va_start(ap, format);
	vsnprintf(t.s, sizeof t.s, format, ap);
	va_end(ap);
	return t;
}

text fmt_time(double s)
{
	if (isnan(s))
		return fmt("n/a");
	if (s < 1e-3)
		return fmt("%.1f us", s * 1e6);
	if (s < 1)
		return fmt("%.1f ms", s * 1e3);
	return fmt("%.2f s", s);
}

text fmt_bytes(int64_t bytes)
{
	if (bytes < 0)
		return fmt("n/a");
	return fmt("%.2f MB", (double)bytes / 1e6);
}

static int n_missed;

void table_header(void)
{
	printf("%-32s %11s  %-29s %9s  %-10s %s\n", "figure", "measured", "baseline", "ratio",
	       "target", "result");
}

void row(const char *figure, text measured, const char *base_name, text base,
	 double ratio, const char *target, int met)
{
	printf("%-32s %11s  %-17s %11s ", figure, measured.s, base_name, base.s);
	if (isfinite(ratio))
		printf("%8.3fx  ", ratio);
	else
		printf("%9s  ", "-");
	if (met == ROW_INFO)
		printf("%s\n", target);
	else
		printf("%-10s %s\n", target, met == ROW_SKIPPED ? "n/a" : met ? "ok" : "MISSED");
	if (met == ROW_MISSED)
		n_missed++;
}

int table_footer(void)
{
	printf("\n%d target%s missed\n", n_missed, n_missed == 1 ? "" : "s");
	return n_missed;
}
