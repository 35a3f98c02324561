/* SPDX-License-Identifier: MIT */
/* The arithmetic of a step, shared by the simulator in one process (sim.c)
 * and on ranks (dsim.c), so that both compute every value alike, bit for
 * bit. Private to the example. */
#ifndef NEST_EXPERIMENT_DYNAMICS_H
#define NEST_EXPERIMENT_DYNAMICS_H

#include <math.h>
#include <stdint.h>

#include "sim.h"

static inline uint64_t rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

/* xoshiro256** (Blackman and Vigna) on a state of 4 words. */
static inline uint64_t xo_next(uint64_t *s0, uint64_t *s1, uint64_t *s2, uint64_t *s3)
{
	uint64_t r = rotl(*s1 * 5, 7) * 9, t = *s1 << 17;
	*s2 ^= *s0;
	*s3 ^= *s1;
	*s1 ^= *s2;
	*s0 ^= *s3;
	*s2 ^= t;
	*s3 = rotl(*s3, 45);
	return r;
}

/* One neuron's step (iaf_psc_delta) and its drive's (poisson_generator):
 * @in is this step's input, replaced by the drive's, which arrives d steps
 * later; @rng the drive's stream. Returns 1 when the neuron fires. */
static inline int neuron_step(const sim_params *p, const sim_consts *k, double *v_m,
			      int32_t *refr, double *in, uint64_t *r0, uint64_t *r1,
			      uint64_t *r2, uint64_t *r3)
{
	double v = *v_m;
	int fired = 0;
	if (*refr == 0)
		v = p->e_l + (k->p30 * p->i_e + k->p33 * (v - p->e_l) + *in);
	else
		(*refr)--; /* input while refractory is lost */
	*in = 0.0;
	uint64_t u = xo_next(r0, r1, r2, r3);
	unsigned c = 0;
	while (c < k->drive_kmax && u >= k->drive_thr[c])
		c++;
	if (c)
		*in += p->je * c;
	if (v >= p->v_th) {
		v = p->v_reset;
		*refr = k->refr_steps;
		fired = 1;
	}
	*v_m = v;
	return fired;
}

static inline double decay(const double *table, int64_t steps, double dt, double tau)
{
	return steps < SIM_DECAY_STEPS ? table[steps] : exp(-(double)steps * dt / tau);
}

/* A trace just before time @p t (in steps), from its value @p k just before
 * the neuron's last spike at @p last: NEST's values "strictly before t". At
 * most one spike lies in [t, now] (see the top of sim.c). */
static inline double trace_before(double k, int64_t last, int64_t t, const double *table,
				  double dt, double tau)
{
	if (last < t)
		return (k + 1.0) * decay(table, t - last, dt, tau);
	return k * exp((double)(last - t) * dt / tau);
}

static inline double pow_mu(double x, double mu)
{
	return mu == 1.0 ? x : pow(x, mu); /* pow(x, 1) is x: only faster */
}

/* NEST's stdp_synapse_hom facilitate_() and depress_(). */
static inline double facilitate(const sim_params *p, double w, double k_plus)
{
	double nw = w / p->wmax + p->lambda * pow_mu(1.0 - w / p->wmax, p->mu_plus) * k_plus;
	return nw < 1.0 ? nw * p->wmax : p->wmax;
}

static inline double depress(const sim_params *p, double w, double k_minus)
{
	double nw = w / p->wmax - p->alpha * p->lambda * pow_mu(w / p->wmax, p->mu_minus) * k_minus;
	return nw > 0.0 ? nw * p->wmax : 0.0;
}

/* Synapse @w onto a neuron that fired d steps ago, facilitated by its pre
 * neuron's trace (@k_plus, @last) just before now, @t. */
static inline void facilitate_at(const sim_params *p, const sim_consts *c, double *w,
				 double k_plus, int64_t last, int64_t t)
{
	*w = facilitate(p, *w, trace_before(k_plus, last, t, c->decay_plus, p->dt, p->tau_plus));
}

/* A pre spike at @t through synapse @w onto a neuron of post trace
 * (@k_minus, @last): depressed, when @plastic, by that trace just before
 * t - @d, and then added to the input @in it gives d steps later. */
static inline void transmit(const sim_params *p, const sim_consts *c, int plastic, double *w,
			    double k_minus, int64_t last, int64_t t, uint32_t d, double *in)
{
	if (plastic)
		*w = depress(p, *w, trace_before(k_minus, last, t - (int64_t)d, c->decay_minus,
						 p->dt, p->tau_minus));
	*in += *w;
}

/* A neuron's traces and last spike as it fires at @t (K_plus: @k_plus,
 * when not NULL; K_minus: @k_minus, when not NULL). */
static inline void take_spike(const sim_params *p, const sim_consts *c, double *k_plus,
			      double *k_minus, int64_t *last, int64_t t)
{
	int64_t since = t - *last;
	if (k_plus)
		*k_plus = (*k_plus + 1.0) * decay(c->decay_plus, since, p->dt, p->tau_plus);
	if (k_minus)
		*k_minus = (*k_minus + 1.0) * decay(c->decay_minus, since, p->dt, p->tau_minus);
	*last = t;
}

#endif
