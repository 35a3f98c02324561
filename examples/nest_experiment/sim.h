/* SPDX-License-Identifier: MIT */
/* A small simulator of the network of NEST's store/restore example: leaky
 * integrate-and-fire neurons with delta synapses (iaf_psc_delta), STDP on
 * the excitatory synapses (stdp_synapse_hom), an independent Poisson drive
 * per neuron (poisson_generator), fixed in-degree connectivity, one delay.
 *
 * Neurons 0 .. n_exc-1 are excitatory (E), the next n_inh inhibitory (I).
 * Every array that determines the future lives in struct sim and is bound
 * to an nsnap network by state.c: nothing is hidden in locals. */
#ifndef NEST_EXPERIMENT_SIM_H
#define NEST_EXPERIMENT_SIM_H

#include <stddef.h>
#include <stdint.h>

/* The model's parameters: the notebook's network with NEST's defaults. */
typedef struct sim_params {
	uint32_t n_exc, n_inh;       /* neurons */
	uint32_t indeg_e, indeg_i;   /* fixed in-degree from E and from I */
	double je, ji;               /* weights, mV (delta synapses) */
	double rate;                 /* Poisson drive per neuron, Hz, of weight je */
	double dt, delay;            /* ms; one delay for every connection */
	double v_mean, v_sd;         /* initial V_m ~ N(v_mean, v_sd), mV */
	/* iaf_psc_delta */
	double c_m, tau_m, t_ref, e_l, v_th, v_reset, i_e, tau_minus;
	/* stdp_synapse_hom */
	double tau_plus, lambda, alpha, mu_plus, mu_minus, wmax;
} sim_params;

/* The notebook's network at @p n_exc excitatory neurons (2000 there),
 * n_exc / 4 inhibitory ones, and in-degrees 200 and 50 whatever the size. */
void sim_params_default(sim_params *p, uint32_t n_exc);

#define SIM_DECAY_STEPS 4096

/* What derives from the parameters and the delay: not state. */
typedef struct sim_consts {
	double p33, p30;           /* iaf_psc_delta's propagator */
	int32_t refr_steps;
	uint64_t drive_thr[16];    /* Poisson CDF scaled to 2^64 */
	unsigned drive_kmax;
	double decay_plus[SIM_DECAY_STEPS], decay_minus[SIM_DECAY_STEPS]; /* exp(-k dt / tau) */
} sim_consts;

/* Compute @p k from @p p for a delay of @p d steps. Returns -1 with a
 * message when they do not fit (a delay that is not d steps, t_ref shorter
 * than the delay, a Poisson rate too high for dt). */
int sim_consts_prepare(sim_consts *k, const sim_params *p, uint32_t d);

/* The four projections, in this order. */
enum { SIM_EE, SIM_EI, SIM_IE, SIM_II, SIM_NPROJ };

/* A projection. Its synapses are sorted by post, then pre: nsnap's order, so
 * that binding them costs no copy. Indices are local to the populations. */
typedef struct sim_proj {
	const char *name;
	int pre_exc, post_exc;     /* populations: 1 for E, 0 for I */
	int plastic;               /* stdp_synapse_hom; else static_synapse */
	uint64_t n;
	int32_t *pre, *post;
	double *w;                 /* mV */
	/* Derived, rebuilt from pre/post: not state. */
	uint64_t *in_ptr;          /* synapses onto post j: [in_ptr[j], in_ptr[j+1]) */
	uint64_t *out_ptr;         /* synapses from pre i: out_syn[out_ptr[i] ..] */
	uint32_t *out_syn;
	uint32_t *out_post;        /* post[out_syn[o]], for a cache-friendly delivery */
} sim_proj;

/* A spike: the step at whose end it was emitted (its time is stamp * dt) and
 * the neuron's global index. */
typedef struct sim_spike {
	int64_t stamp;
	uint32_t neuron;
} sim_spike;

typedef struct sim {
	sim_params p;
	uint32_t n;                /* n_exc + n_inh */
	uint32_t d;                /* delay in steps: the ring buffer's slots */
	int64_t step;              /* steps simulated: the time is step * dt */
	/* State per neuron. */
	double *v_m;               /* mV */
	int32_t *refr;             /* refractory steps left */
	int64_t *last;             /* stamp of the last spike; SIM_NEVER when none */
	double *k_plus;            /* pre trace just before the last spike (E only) */
	double *k_minus;           /* post trace just before the last spike */
	uint64_t *rng[4];          /* xoshiro256** state of each neuron's drive */
	/* Spikes in transit: ring[i * d + s % d] is the input (mV) that neuron i
	 * receives in step s, for the d steps to come. */
	double *ring;
	sim_proj proj[SIM_NPROJ];
	sim_consts *k;             /* derived from p */
	uint32_t *fired, *fired_late;      /* this step's spikers; those of d steps ago */
	/* The spike recorder. */
	sim_spike *spikes;
	size_t n_spikes, cap_spikes;
} sim;

#define SIM_NEVER (-1000000000LL)

/* The connectivity, weights and V_m a network is rebuilt from. */
typedef struct sim_init {
	const double *v_m;                     /* n values */
	const int32_t *pre[SIM_NPROJ], *post[SIM_NPROJ];
	const double *w[SIM_NPROJ];
	uint64_t n_syn[SIM_NPROJ];
} sim_init;

/* A new network drawn from @p seed: connectivity, weights je and ji, V_m,
 * and the drive's random streams. Returns 0, or -1 with a message on
 * stderr (out of memory, bad parameters). */
int sim_new(sim **out, const sim_params *p, uint64_t seed);

/* A new network from given V_m, connectivity and weights (as NEST's example
 * restores one), at time 0, with its drive's random streams from @p seed.
 * Synapses must be sorted by post, then pre. */
int sim_new_from(sim **out, const sim_params *p, uint64_t seed, const sim_init *init);

void sim_free(sim *s);

/* Recompute what derives from the parameters (after a restore wrote them).
 * Returns -1 with a message when they no longer fit the arrays. */
int sim_prepare(sim *s);

/* Simulate @p steps steps, recording the spikes. Returns 0, or -1 when the
 * recorder runs out of memory. */
int sim_run(sim *s, int64_t steps);

/* Whether trains @p a (of @p na spikes, recorded from step @p a0) and @p b
 * hold the same spikes at the same times since their start. */
int sim_same_train(const sim_spike *a, size_t na, int64_t a0, const sim_spike *b, size_t nb,
		   int64_t b0);

/* Forget the recorded spikes. */
void sim_clear_spikes(sim *s);

#endif
