/* SPDX-License-Identifier: MIT */
/* The simulator of sim.h on MPI ranks, as NEST distributes a network:
 * neurons dealt round-robin over the ranks (neuron i, E then I, on rank
 * i mod size), each synapse kept on its post neuron's rank, the spikes of
 * each step exchanged with MPI_Allgatherv and delivered in the order of
 * neuron numbers. Each neuron's drive has its own random stream, so that
 * a run is the same, bit for bit, on any number of ranks, and the same as
 * sim.c's in one process.
 *
 * The pre-synaptic traces STDP needs (a neuron's last spike and K_plus)
 * are kept by every rank for every neuron, from the exchanged spikes: not
 * state, since the owner's copy is, and dsim_after_restore() rebuilds
 * them from it. Every array that determines the future is bound to an
 * ns_mpi_net by dsim_bind(). */
#ifndef NEST_EXPERIMENT_DSIM_H
#define NEST_EXPERIMENT_DSIM_H

#include <mpi.h>
#include <nsnap/mpi.h>

#include "sim.h"

typedef struct dsim_proj {
	const char *name;
	int pre_exc, post_exc, plastic;
	uint64_t n;                /* synapses onto this rank's neurons */
	int64_t *pre, *post;       /* gids in their populations: sorted by post, then pre */
	double *w;
	/* Derived: not state. */
	uint32_t *post_l;          /* the post neuron's index among the rank's */
	uint64_t *out_ptr;         /* synapses from pre i: out_syn[out_ptr[i] ..] */
	uint32_t *out_syn;
	uint64_t *in_ptr;          /* onto the rank's neuron l: [in_ptr[l], in_ptr[l+1]) */
} dsim_proj;

typedef struct dsim {
	sim_params p;
	sim_consts *k;
	MPI_Comm comm;
	int rank, size;
	uint32_t n, d;             /* neurons in all; delay in steps */
	int64_t step;
	/* The rank's neurons, by rising number: E ones first (gid_e), then I
	 * (gid_i); local index l. */
	uint32_t n_own, n_own_e;
	uint32_t *gid;             /* neuron number (E, then I) of each */
	int64_t *gid_e, *gid_i;    /* their gids in E and in I */
	int64_t *gid_te, *gid_ti;  /* their rows' elements in E_transit and I_transit */
	double *v_m, *k_plus, *k_minus;
	int32_t *refr;
	int64_t *last;
	uint64_t *rng[4];
	double *ring;              /* row l: the next d steps' input of neuron l */
	dsim_proj proj[SIM_NPROJ];
	/* Every neuron's last spike and pre trace (see above). */
	int64_t *all_last;
	double *all_k_plus;
	/* Work space. */
	uint32_t *fired, *fired_late, *spiking; /* local; local; every rank's, by number */
	int *counts, *displs;
	/* This rank's spikes (neuron numbers). */
	sim_spike *spikes;
	size_t n_spikes, cap_spikes;
} dsim;

/* Collective over @p comm: the network sim_new() draws from @p seed, the
 * rank's part of it. Returns 0, or -1 with a message on stderr (the same
 * on every rank, but for running out of memory). */
int dsim_new(dsim **out, MPI_Comm comm, const sim_params *p, uint64_t seed);
void dsim_free(dsim *s);

/* Collective: simulate @p steps steps, recording the rank's spikes. */
int dsim_run(dsim *s, int64_t steps);

/* Collective: every rank's spikes, by time then neuron, into @p out on
 * rank 0 of the communicator (malloc'ed; NULL elsewhere, or with no
 * spike), and forget them. Returns 0 or -1 (out of memory). */
int dsim_gather_spikes(dsim *s, sim_spike **out, size_t *n);

/* Bind the rank's state to a new ns_mpi_net, under the names state.c
 * gives it in one process. */
int dsim_bind(ns_mpi_net **out, dsim *s);

/* Collective, after ns_mpi_restore() wrote @p net: the step, the derived
 * constants and every neuron's traces. */
int dsim_after_restore(dsim *s, const ns_mpi_net *net);

#endif
