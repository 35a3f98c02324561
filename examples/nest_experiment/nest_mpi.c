/* SPDX-License-Identifier: MIT */
/* NEST's store/restore experiment over MPI, which NEST's example refuses
 * ("Storing and restoring is currently not supported for MPI-parallel
 * simulations"): the network of nest_experiment on K ranks (dsim.h) is
 * simulated for a while, snapshotted into a sharded store
 * (ns_mpi_snapshot: one shard per rank), and continued as long. The
 * snapshot is then restored on 1, 2, ..., K ranks (ns_mpi_restore: each
 * rank reads the neurons and synapses it owns under the new distribution)
 * and continued: each run must repeat the K-rank continuation spike for
 * spike, as must the same network simulated in one process without MPI
 * (sim.c).
 *
 *   mpirun -np K nest_mpi [--n-exc N] [--time MS] [--seed N] [--out DIR] [--check]
 */
#define _XOPEN_SOURCE 700
#include <ftw.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dsim.h"

typedef struct run {
	const char *title;
	int ranks;
	int64_t start;            /* step */
	sim_spike *spk;           /* by time, then neuron */
	size_t n;
	double ms;                /* wall time of the simulation */
	double restore_ms;        /* of the restore; < 0 for none */
	uint64_t read;            /* bytes the most-reading rank read to restore */
} run;

static int rank, size;

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* Stop every rank: a collective run cannot go on without one of them. */
static void fail(const char *what, int rc)
{
	fprintf(stderr, "nest_mpi: rank %d: %s%s%s\n", rank, what, rc < 0 ? ": " : "",
		rc < 0 ? ns_mpi_error_last()->message : "");
	MPI_Abort(MPI_COMM_WORLD, 1);
}

static int usage(FILE *f, int rc)
{
	if (rank == 0)
		fprintf(f, "usage: mpirun -np K nest_mpi [--n-exc N] [--time MS] [--seed N] "
			   "[--out DIR] [--check]\n"
			   "  --n-exc N   excitatory neurons (2000; inhibitory: N/4)\n"
			   "  --time MS   length of each run (1000)\n"
			   "  --seed N    of the network and its drive (143202461)\n"
			   "  --out DIR   where the store directory nest_mpi.nsnapd goes (.)\n"
			   "  --check     exit 3 unless every resumed run equals the continuation\n");
	return rc;
}

/* A whole positive number of at most @max from option @opt, or -1. */
static double number(const char *opt, const char *s, double max)
{
	char *end;
	double x = s ? strtod(s, &end) : 0;
	if (!s || end == s || *end || !(x > 0) || x > max) {
		if (rank == 0)
			fprintf(stderr, "nest_mpi: %s wants a positive number up to %g, not '%s'\n",
				opt, max, s ? s : "");
		return -1;
	}
	return x;
}

static int rm_entry(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void)st, (void)type, (void)ftw;
	return remove(path);
}

/* Collective over @comm: this communicator's spikes of the run just done. */
static void collect(run *r, dsim *s, int64_t start, double t0)
{
	r->ms = now_ms() - t0;
	r->start = start;
	r->ranks = s->size;
	if (dsim_gather_spikes(s, &r->spk, &r->n))
		fail("gathering the spikes: out of memory", 0);
}

static int same_train(const run *a, const run *b)
{
	return sim_same_train(a->spk, a->n, a->start, b->spk, b->n, b->start);
}

static void print_run(int no, const run *r, const run *cont, const sim_params *p, double t_ms)
{
	uint64_t e = 0;
	for (size_t k = 0; k < r->n; k++)
		e += r->spk[k].neuron < p->n_exc;
	printf("  %d %-34s %5d %6.0f-%-6.0f %8zu %7.2f %7.2f  %-11s %8.0f ms", no, r->title,
	       r->ranks, r->start * p->dt, r->start * p->dt + t_ms, r->n,
	       e / (p->n_exc * t_ms * 1e-3), (r->n - e) / (p->n_inh * t_ms * 1e-3),
	       !cont ? "-" : same_train(r, cont) ? "yes" : "no", r->ms);
	if (r->restore_ms >= 0)
		printf("  restored in %.0f ms, %.1f MB read", r->restore_ms, r->read / 1e6);
	printf("\n");
}

int main(int argc, char **argv)
{
	uint32_t n_exc = 2000;
	double t_ms = 1000;
	uint64_t seed = 143202461;
	const char *out = ".";
	int check = 0, ok = 1;
	char dir[4200];
	sim_params p;

	MPI_Init(&argc, &argv);
	MPI_Comm_rank(MPI_COMM_WORLD, &rank);
	MPI_Comm_size(MPI_COMM_WORLD, &size);
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		double x;
		if (!strcmp(a, "--check")) {
			check = 1;
			continue;
		}
		if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			MPI_Finalize();
			return usage(stdout, 0);
		}
		i++;
		if (!strcmp(a, "--out") && v) {
			out = v;
			continue;
		}
		if (strcmp(a, "--n-exc") && strcmp(a, "--time") && strcmp(a, "--seed")) {
			MPI_Finalize();
			return usage(stderr, 2);
		}
		if ((x = number(a, v, !strcmp(a, "--seed") ? 1e15 : 1e7)) < 0 ||
		    (!strcmp(a, "--n-exc") && x < 4)) {
			if (x >= 0 && rank == 0)
				fprintf(stderr, "nest_mpi: --n-exc wants at least 4\n");
			MPI_Finalize();
			return 2;
		}
		if (!strcmp(a, "--n-exc"))
			n_exc = (uint32_t)x;
		else if (!strcmp(a, "--time"))
			t_ms = x;
		else
			seed = (uint64_t)x;
	}
	sim_params_default(&p, n_exc);
	const int64_t steps = llround(t_ms / p.dt);
	snprintf(dir, sizeof dir, "%s/nest_mpi.nsnapd", out);
	if (rank == 0)
		nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS); /* replaced at each run */
	MPI_Barrier(MPI_COMM_WORLD);

	/* 1 and 2: simulate, snapshot, continue, on every rank. */
	run runs[3 + 64] = { { "Initial simulation", 0, 0, NULL, 0, 0, -1, 0 } };
	run *cont = &runs[1];
	dsim *s;
	ns_mpi_net *net;
	ns_mpi_snapshot_opts so = NS_MPI_SNAPSHOT_OPTS_INIT;
	uint64_t version;
	double t0, snap_ms;
	int rc;
	if (dsim_new(&s, MPI_COMM_WORLD, &p, seed) || dsim_bind(&net, s))
		fail("building the network", 0);
	t0 = now_ms();
	dsim_run(s, steps);
	collect(&runs[0], s, 0, t0);
	ns_mpi_net_set_time(net, (double)s->step * p.dt, (uint64_t)s->step);
	so.message = "after the initial simulation";
	so.tag = "stored";
	t0 = now_ms();
	if ((rc = ns_mpi_snapshot(&version, dir, net, &so)) < 0)
		fail("snapshot", rc);
	snap_ms = now_ms() - t0;
	cont->title = "Continued simulation";
	cont->restore_ms = -1;
	t0 = now_ms();
	dsim_run(s, steps);
	collect(cont, s, steps, t0);
	ns_mpi_net_free(net);
	dsim_free(s);

	/* 3: the same network in one process, without MPI. */
	if (rank == 0) {
		sim *one;
		run *r = &runs[2];
		*r = (run){ "The same in one process (no MPI)", 1, steps, NULL, 0, 0, -1, 0 };
		if (sim_new(&one, &p, seed) || sim_run(one, steps))
			fail("the run in one process", 0);
		sim_clear_spikes(one);
		t0 = now_ms();
		if (sim_run(one, steps))
			fail("the run in one process", 0);
		r->ms = now_ms() - t0;
		r->n = one->n_spikes;
		if (!(r->spk = malloc((r->n ? r->n : 1) * sizeof *r->spk)))
			fail("the run in one process: out of memory", 0);
		memcpy(r->spk, one->spikes, r->n * sizeof *r->spk);
		sim_free(one);
	}

	/* 4...: restore on the first m ranks, continue. */
	for (int m = 1; m <= size && m <= 64; m++) {
		static char titles[64][48];
		run *r = &runs[2 + m];
		MPI_Comm sub;
		snprintf(titles[m - 1], sizeof titles[m - 1], "Restored on %d rank%s, continued", m,
			 m > 1 ? "s" : "");
		*r = (run){ titles[m - 1], m, steps, NULL, 0, 0, 0, 0 };
		MPI_Comm_split(MPI_COMM_WORLD, rank < m ? 0 : MPI_UNDEFINED, rank, &sub);
		if (sub != MPI_COMM_NULL) {
			ns_mpi_restore_opts ro = NS_MPI_RESTORE_OPTS_INIT;
			uint64_t read = 0;
			ro.verify = 1;
			ro.bytes_read = &read;
			if (dsim_new(&s, sub, &p, seed) || dsim_bind(&net, s))
				fail("building the network", 0);
			t0 = now_ms();
			if ((rc = ns_mpi_restore(NULL, dir, "stored", net, &ro)) < 0)
				fail("restore", rc);
			if (dsim_after_restore(s, net))
				fail("restore", 0);
			r->restore_ms = now_ms() - t0;
			MPI_Reduce(&read, &r->read, 1, MPI_UINT64_T, MPI_MAX, 0, sub);
			t0 = now_ms();
			dsim_run(s, steps);
			collect(r, s, steps, t0);
			ns_mpi_net_free(net);
			dsim_free(s);
			MPI_Comm_free(&sub);
		}
		MPI_Barrier(MPI_COMM_WORLD);
	}

	if (rank == 0) {
		int n_runs = 3 + (size < 64 ? size : 64);
		uint64_t syn = 0;
		for (int q = 0; q < SIM_NPROJ; q++)
			syn += (uint64_t)(q == SIM_EE || q == SIM_IE ? p.n_exc : p.n_inh) *
			       (q < SIM_IE ? p.indeg_e : p.indeg_i);
		printf("NEST's store/restore experiment over MPI: %u E + %u I neurons, %" PRIu64
		       " synapses, seed %" PRIu64 ", runs of %g ms, on %d rank%s\n\n",
		       p.n_exc, p.n_inh, syn, seed, t_ms, size, size > 1 ? "s" : "");
		printf("  run                                ranks  time [ms]       spikes  E [Hz]  "
		       "I [Hz]  = continued      wall\n");
		for (int k = 0; k < n_runs; k++) {
			print_run(k + 1, &runs[k], k >= 2 ? cont : NULL, &p, t_ms);
			if (k >= 2)
				ok &= same_train(&runs[k], cont);
		}
		printf("\n  snapshot on %d rank%s (global version %" PRIu64 ", tag 'stored', one "
		       "shard per rank) in %.0f ms: %s\n",
		       size, size > 1 ? "s" : "", version, snap_ms, dir);
		printf("  every run above equals the %d-rank continuation, spike for spike: %s\n",
		       size, ok ? "yes" : "NO");
		for (int k = 0; k < n_runs; k++)
			free(runs[k].spk);
	}
	MPI_Bcast(&ok, 1, MPI_INT, 0, MPI_COMM_WORLD);
	MPI_Finalize();
	return check && !ok ? 3 : 0;
}
