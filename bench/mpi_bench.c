/* SPDX-License-Identifier: MIT */
/* Sharded snapshot and restore over MPI, per rank, against what a rank
 * does today without nsnap: write the same bytes to a file of its own and
 * fsync it (and, for a restore, read them back).
 *
 * Run under mpirun on 1 to 4 ranks (oversubscribed on small machines):
 *   mpirun --oversubscribe -np K mpi_bench [--neurons N] [--fanin F] [--reps R] [--dir D]
 * The network: one population of N neurons (three f64 arrays), a
 * projection of F synapses per neuron (two f64 arrays), kept on the post
 * neuron's rank; neurons dealt round-robin. Each repetition changes every
 * value (so that every chunk is new), then times, with every rank
 * starting together and the slowest rank's time counted:
 *   raw write   each rank writes its bytes to its own file and fsyncs it
 *   snapshot    ns_mpi_snapshot() of the same state
 *   raw read    each rank reads its file back (page cache: as the restore)
 *   restore     ns_mpi_restore() on the same ranks, another distribution
 *   restore M   ns_mpi_restore() on the first M = max(1, K-1) ranks only
 * and prints, per measure, the median time, min-max over repetitions, and
 * the median of the per-repetition ratio to the raw write (or raw read).
 * For the restores it also prints what the most-reading rank read (the
 * chunk bytes ns_mpi_restore() counts) against what it owns plus the
 * index (every shard's gids and synapse pairs, which every rank reads). */
#include <nsnap/mpi.h>

#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define MAX_REPS 51

static int rank, size;

static void die(const char *what, int rc)
{
	fprintf(stderr, "mpi_bench: rank %d: %s: %d: %s\n", rank, what, rc,
		rc < 0 ? ns_mpi_error_last()->message : "");
	MPI_Abort(MPI_COMM_WORLD, 1);
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* One rank's part of the network, on @comm, neurons dealt round-robin
 * (shifted by @shift, so that restores see another distribution). */
struct part {
	ns_mpi_net *net;
	int64_t *gid, *pre, *post;
	double *v, *u, *i_syn, *w, *trace;
	uint64_t n, m;
};

static void part_build(struct part *p, MPI_Comm comm, uint64_t neurons, uint64_t fanin,
		       int shift)
{
	int r, k;
	MPI_Comm_rank(comm, &r);
	MPI_Comm_size(comm, &k);
	memset(p, 0, sizeof *p);
	uint64_t cap = neurons / (uint64_t)k + 1;
	p->gid = malloc(cap * sizeof *p->gid);
	p->v = malloc(cap * sizeof *p->v);
	p->u = malloc(cap * sizeof *p->u);
	p->i_syn = malloc(cap * sizeof *p->i_syn);
	p->pre = malloc(cap * fanin * sizeof *p->pre);
	p->post = malloc(cap * fanin * sizeof *p->post);
	p->w = malloc(cap * fanin * sizeof *p->w);
	p->trace = malloc(cap * fanin * sizeof *p->trace);
	if (!p->gid || !p->v || !p->u || !p->i_syn || !p->pre || !p->post || !p->w || !p->trace)
		die("out of memory", 0);
	for (uint64_t g = 0; g < neurons; g++)
		if ((int)((g + (uint64_t)shift) % (uint64_t)k) == r) {
			p->gid[p->n] = (int64_t)g;
			for (uint64_t j = 0; j < fanin; j++) {
				p->pre[p->m] = (int64_t)((g * 2654435761u + j * 40503u) % neurons);
				p->post[p->m] = (int64_t)g;
				p->m++;
			}
			p->n++;
		}
	int rc;
	if ((rc = ns_mpi_net_new(&p->net, comm, "bench")) < 0 ||
	    (rc = ns_mpi_population_add(p->net, "P", neurons, "izhikevich", p->gid, p->n)) < 0 ||
	    (rc = ns_mpi_projection_add(p->net, "PP", "P", "P", "exc", "stdp", p->pre, p->post,
					p->m)) < 0 ||
	    (rc = ns_mpi_attr_add(p->net, "P", "v", NS_VARIABLE, NS_LOCAL, NS_DTYPE_F64, p->v)) < 0 ||
	    (rc = ns_mpi_attr_add(p->net, "P", "u", NS_VARIABLE, NS_LOCAL, NS_DTYPE_F64, p->u)) < 0 ||
	    (rc = ns_mpi_attr_add(p->net, "P", "i_syn", NS_VARIABLE, NS_LOCAL, NS_DTYPE_F64,
				  p->i_syn)) < 0 ||
	    (rc = ns_mpi_attr_add(p->net, "PP", "w", NS_VARIABLE, NS_LOCAL, NS_DTYPE_F64, p->w)) < 0 ||
	    (rc = ns_mpi_attr_add(p->net, "PP", "trace", NS_VARIABLE, NS_LOCAL, NS_DTYPE_F64,
				  p->trace)) < 0)
		die("building the network", rc);
}

static void part_fill(struct part *p, int rep)
{
	for (uint64_t i = 0; i < p->n; i++) {
		p->v[i] = -65.0 + (double)p->gid[i] * 1e-6 + rep;
		p->u[i] = (double)p->gid[i] * 0.5 - rep;
		p->i_syn[i] = (double)(p->gid[i] % 97) + rep * 0.25;
	}
	for (uint64_t i = 0; i < p->m; i++) {
		p->w[i] = (double)p->pre[i] * 1e-3 + (double)p->post[i] * 1e-7 + rep;
		p->trace[i] = (double)(p->pre[i] ^ p->post[i]) + rep;
	}
}

static uint64_t part_bytes(const struct part *p)
{
	return p->n * (3 * 8 + 8) + p->m * (2 * 8 + 16); /* values, gids, synapse pairs */
}

static uint64_t part_value_bytes(const struct part *p)
{
	return p->n * 3 * 8 + p->m * 2 * 8;
}

static void part_free(struct part *p)
{
	ns_mpi_net_free(p->net);
	free(p->gid);
	free(p->v);
	free(p->u);
	free(p->i_syn);
	free(p->pre);
	free(p->post);
	free(p->w);
	free(p->trace);
}

/* The arrays of @p, one after the other, as a rank would dump them. */
static void raw_write(const char *path, const struct part *p)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	const void *arrays[] = { p->gid, p->v, p->u, p->i_syn, p->pre, p->post, p->w, p->trace };
	size_t sizes[] = { p->n * 8, p->n * 8, p->n * 8, p->n * 8,
			   p->m * 8, p->m * 8, p->m * 8, p->m * 8 };
	if (fd < 0)
		die(path, 0);
	for (int a = 0; a < 8; a++) {
		const char *q = arrays[a];
		size_t left = sizes[a];
		while (left) {
			ssize_t n = write(fd, q, left);
			if (n <= 0)
				die(path, 0);
			q += n;
			left -= (size_t)n;
		}
	}
	if (fsync(fd) != 0)
		die(path, 0);
	close(fd);
}

static void raw_read(const char *path, void *buf, size_t len)
{
	int fd = open(path, O_RDONLY);
	size_t got = 0;
	if (fd < 0)
		die(path, 0);
	while (got < len) {
		ssize_t n = read(fd, (char *)buf + got, len - got);
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	close(fd);
}

/* The slowest rank's time of @t (seconds, this rank's). */
static double slowest(double t)
{
	double max;
	MPI_Allreduce(&t, &max, 1, MPI_DOUBLE, MPI_MAX, MPI_COMM_WORLD);
	return max;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static double median(const double *x, int n)
{
	double s[MAX_REPS];
	memcpy(s, x, (size_t)n * sizeof *s);
	qsort(s, (size_t)n, sizeof *s, cmp_double);
	return n % 2 ? s[n / 2] : 0.5 * (s[n / 2 - 1] + s[n / 2]);
}

/* Bytes read by the most-reading rank of @comm against its owned values
 * plus @index; printed by @comm's rank 0. */
static void read_row(const char *what, MPI_Comm comm, uint64_t read, const struct part *p,
		     uint64_t index)
{
	double ratio = (double)read / (double)(part_value_bytes(p) + index), max;
	uint64_t most;
	int r;
	MPI_Allreduce(&ratio, &max, 1, MPI_DOUBLE, MPI_MAX, comm);
	MPI_Allreduce(&read, &most, 1, MPI_UINT64_T, MPI_MAX, comm);
	MPI_Comm_rank(comm, &r);
	if (r == 0)
		printf("  %-22s read %.1f MiB per rank at most: %.2fx its values + the index "
		       "(%.1f MiB)\n", what, (double)most / 1048576.0, max,
		       (double)index / 1048576.0);
}

static void row(const char *what, const double *t, const double *base, int n)
{
	double r[MAX_REPS], lo = t[0], hi = t[0];
	for (int i = 0; i < n; i++) {
		r[i] = base ? t[i] / base[i] : 1;
		lo = t[i] < lo ? t[i] : lo;
		hi = t[i] > hi ? t[i] : hi;
	}
	printf("  %-22s %9.2f ms  (%.2f-%.2f)", what, 1e3 * median(t, n), 1e3 * lo, 1e3 * hi);
	if (base)
		printf("  %5.2fx", median(r, n));
	printf("\n");
}

int main(int argc, char **argv)
{
	uint64_t neurons = 200000, fanin = 20;
	int reps = 5, rc;
	const char *dir = "mpi_bench.d";
	char path[4200];
	MPI_Init(&argc, &argv);
	MPI_Comm_rank(MPI_COMM_WORLD, &rank);
	MPI_Comm_size(MPI_COMM_WORLD, &size);
	for (int i = 1; i + 1 < argc; i += 2) {
		if (!strcmp(argv[i], "--neurons"))
			neurons = strtoull(argv[i + 1], NULL, 10);
		else if (!strcmp(argv[i], "--fanin"))
			fanin = strtoull(argv[i + 1], NULL, 10);
		else if (!strcmp(argv[i], "--reps"))
			reps = atoi(argv[i + 1]);
		else if (!strcmp(argv[i], "--dir"))
			dir = argv[i + 1];
	}
	if (reps < 1 || reps > MAX_REPS)
		reps = 5;
	if (rank == 0)
		mkdir(dir, 0777);
	MPI_Barrier(MPI_COMM_WORLD);

	/* The first M ranks restore alone on a communicator of their own. */
	int m = size > 1 ? size - 1 : 1;
	MPI_Comm sub;
	MPI_Comm_split(MPI_COMM_WORLD, rank < m ? 0 : MPI_UNDEFINED, rank, &sub);

	struct part p, q, s;
	part_build(&p, MPI_COMM_WORLD, neurons, fanin, 0);
	part_build(&q, MPI_COMM_WORLD, neurons, fanin, 1);
	if (sub != MPI_COMM_NULL)
		part_build(&s, sub, neurons, fanin, 0);
	uint64_t bytes = part_bytes(&p), all;
	MPI_Allreduce(&bytes, &all, 1, MPI_UINT64_T, MPI_SUM, MPI_COMM_WORLD);
	void *back = malloc(bytes + 1);
	snprintf(path, sizeof path, "%s/raw-%d.bin", dir, rank);

	ns_mpi_restore_opts ro = NS_MPI_RESTORE_OPTS_INIT;
	uint64_t read_q = 0, read_s = 0, index = neurons * 8 + neurons * fanin * 16;
	double t_raw[MAX_REPS], t_snap[MAX_REPS], t_read[MAX_REPS], t_rest[MAX_REPS],
		t_rest_m[MAX_REPS];
	for (int r = 0; r < reps; r++) {
		double t0;
		part_fill(&p, r + 1);
		MPI_Barrier(MPI_COMM_WORLD);
		t0 = now();
		raw_write(path, &p);
		t_raw[r] = slowest(now() - t0);

		MPI_Barrier(MPI_COMM_WORLD);
		t0 = now();
		if ((rc = ns_mpi_snapshot(NULL, dir, p.net, NULL)) < 0)
			die("snapshot", rc);
		t_snap[r] = slowest(now() - t0);

		MPI_Barrier(MPI_COMM_WORLD);
		t0 = now();
		raw_read(path, back, bytes);
		t_read[r] = slowest(now() - t0);

		MPI_Barrier(MPI_COMM_WORLD);
		t0 = now();
		ro.bytes_read = &read_q;
		if ((rc = ns_mpi_restore(NULL, dir, NULL, q.net, &ro)) < 0)
			die("restore", rc);
		t_rest[r] = slowest(now() - t0);
		for (uint64_t i = 0; i < q.n; i++)
			if (q.v[i] != -65.0 + (double)q.gid[i] * 1e-6 + r + 1)
				die("restore gave wrong values", 0);

		MPI_Barrier(MPI_COMM_WORLD);
		t0 = now();
		ro.bytes_read = &read_s;
		if (sub != MPI_COMM_NULL && (rc = ns_mpi_restore(NULL, dir, NULL, s.net, &ro)) < 0)
			die("restore on fewer ranks", rc);
		t_rest_m[r] = slowest(now() - t0);
	}
	char what_m[64];
	snprintf(what_m, sizeof what_m, "restore on %d rank%s", m, m > 1 ? "s" : "");
	if (rank == 0) {
		printf("mpi_bench: %d ranks, %" PRIu64 " neurons, %" PRIu64
		       " synapses, %.1f MiB in all (%.1f MiB per rank); %d repetitions\n",
		       size, neurons, neurons * fanin, (double)all / 1048576.0,
		       (double)all / 1048576.0 / size, reps);
		printf("  %-22s %9s     %-13s %s\n", "slowest rank", "median", "(min-max)",
		       "ratio (median)");
		row("raw write+fsync", t_raw, NULL, reps);
		row("ns_mpi_snapshot", t_snap, t_raw, reps);
		row("raw read", t_read, NULL, reps);
		row("ns_mpi_restore", t_rest, t_read, reps);
		row(what_m, t_rest_m, t_read, reps);
	}
	read_row("ns_mpi_restore", MPI_COMM_WORLD, read_q, &q, index);
	if (sub != MPI_COMM_NULL)
		read_row(what_m, sub, read_s, &s, index);
	unlink(path);
	free(back);
	part_free(&p);
	part_free(&q);
	if (sub != MPI_COMM_NULL) {
		part_free(&s);
		MPI_Comm_free(&sub);
	}
	MPI_Finalize();
	return 0;
}
