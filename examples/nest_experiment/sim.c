/* SPDX-License-Identifier: MIT */
/* The simulator: NEST's iaf_psc_delta, stdp_synapse_hom and
 * poisson_generator, stepped as NEST steps them (see sim.h).
 *
 * STDP is computed at the same moments NEST's lazy scheme puts them in
 * effect, but eagerly: NEST applies, at a pre-synaptic spike at t, the
 * facilitation of every post-synaptic spike at t_post <= t - delay since the
 * previous pre spike, then the depression by the post trace just before
 * t - delay. Here the facilitation of a post spike is applied delay after it
 * (before the depressions of that step), which gives every transmitted
 * weight the same sequence of updates while keeping no spike history:
 * because t_ref > delay, a neuron fires at most once in any delay window,
 * so its last spike and its traces just before that spike say everything. */
#include "sim.h"
#include "dynamics.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------ random */

/* splitmix64: seeds the generators below from one number. */
static uint64_t splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15u);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
	return z ^ (z >> 31);
}

typedef struct xo {
	uint64_t s[4];
} xo;

static uint64_t xo_u64(xo *g)
{
	return xo_next(&g->s[0], &g->s[1], &g->s[2], &g->s[3]);
}

/* Advance @p g by 2^128 (jump) or 2^192 (long jump) draws: streams that
 * never overlap. */
static void xo_jump(xo *g, const uint64_t poly[4])
{
	uint64_t t[4] = { 0, 0, 0, 0 };
	for (int i = 0; i < 4; i++)
		for (int b = 0; b < 64; b++) {
			if (poly[i] & (UINT64_C(1) << b))
				for (int k = 0; k < 4; k++)
					t[k] ^= g->s[k];
			xo_u64(g);
		}
	memcpy(g->s, t, sizeof t);
}

static const uint64_t XO_JUMP[4] = { 0x180ec6d33cfd0abau, 0xd5a61266f0c9392cu,
				     0xa9582618e03fc9aau, 0x39abdc4529b1661cu };
static const uint64_t XO_LONG_JUMP[4] = { 0x76e15d3efefdcbbfu, 0xc5004e441c522fb3u,
					  0x77710069854ee241u, 0x39109bb02acbe635u };

static xo xo_seed(uint64_t seed)
{
	xo g;
	for (int k = 0; k < 4; k++)
		g.s[k] = splitmix64(&seed);
	return g;
}

static double xo_unit(xo *g) /* [0, 1) */
{
	return (double)(xo_u64(g) >> 11) * 0x1.0p-53;
}

static uint32_t xo_below(xo *g, uint32_t n) /* uniform in [0, n), unbiased */
{
	uint64_t lim = -(uint64_t)n % n, x;
	do
		x = xo_u64(g);
	while (x < lim);
	return (uint32_t)(x % n);
}

static double xo_normal(xo *g) /* Box-Muller; one of the pair */
{
	double r = sqrt(-2.0 * log(1.0 - xo_unit(g)));
	return r * cos(6.283185307179586 * xo_unit(g));
}

/* Stream i of @p seed drives neuron i; the construction draws from a stream
 * 2^192 draws away from all of them. */
static void seed_streams(sim *s, uint64_t seed, xo *build)
{
	xo g = xo_seed(seed);
	*build = g;
	xo_jump(build, XO_LONG_JUMP);
	for (uint32_t i = 0; i < s->n; i++) {
		for (int k = 0; k < 4; k++)
			s->rng[k][i] = g.s[k];
		xo_jump(&g, XO_JUMP);
	}
}

/* ------------------------------------------------------------ parameters */

void sim_params_default(sim_params *p, uint32_t n_exc)
{
	*p = (sim_params){
		.n_exc = n_exc, .n_inh = n_exc / 4, .indeg_e = 200, .indeg_i = 50,
		.je = 1.0, .ji = -4.0, .rate = 800.0, .dt = 0.1, .delay = 1.0,
		.v_mean = -65.0, .v_sd = 5.0,
		.c_m = 250.0, .tau_m = 10.0, .t_ref = 2.0, .e_l = -70.0, .v_th = -55.0,
		.v_reset = -70.0, .i_e = 0.0, .tau_minus = 20.0,
		.tau_plus = 20.0, .lambda = 0.01, .alpha = 1.0, .mu_plus = 1.0,
		.mu_minus = 1.0, .wmax = 2.0,
	};
}

static int bad(const char *what)
{
	fprintf(stderr, "nest_experiment: simulator: %s\n", what);
	return -1;
}

int sim_consts_prepare(sim_consts *c, const sim_params *p, uint32_t d)
{
	double lam, f, term;
	unsigned k;

	if (!(p->dt > 0) || !(p->tau_m > 0) || !(p->c_m > 0) || !(p->tau_plus > 0) ||
	    !(p->tau_minus > 0) || !(p->wmax > 0) || !(p->rate >= 0) || !(p->t_ref >= 0))
		return bad("dt, tau_m, C_m, tau_plus, tau_minus and Wmax must be positive");
	if (d != (uint32_t)lround(p->delay / p->dt))
		return bad("the delay no longer matches the ring buffer of spikes in transit");
	c->refr_steps = (int32_t)lround(p->t_ref / p->dt);
	/* The traces keep no spike history: a neuron fires once per delay. */
	if ((uint32_t)c->refr_steps < d)
		return bad("t_ref must be at least the delay");
	c->p33 = exp(-p->dt / p->tau_m);
	c->p30 = -p->tau_m / p->c_m * expm1(-p->dt / p->tau_m);
	for (k = 0; k < SIM_DECAY_STEPS; k++) {
		c->decay_plus[k] = exp(-(double)k * p->dt / p->tau_plus);
		c->decay_minus[k] = exp(-(double)k * p->dt / p->tau_minus);
	}
	/* Poisson counts per step by inverse transform of one 64-bit draw. */
	lam = p->rate * p->dt * 1e-3;
	term = exp(-lam);
	f = term;
	for (k = 0; k < 16; k++) {
		if (f >= 1.0 || (f * 0x1.0p64) >= 0x1.0p64)
			break;
		c->drive_thr[k] = (uint64_t)(f * 0x1.0p64);
		term *= lam / (k + 1);
		f += term;
	}
	c->drive_kmax = k;
	if (k == 16 && 1.0 - f > 1e-12)
		return bad("the Poisson rate is too high for dt");
	return 0;
}

int sim_prepare(sim *s)
{
	return sim_consts_prepare(s->k, &s->p, s->d);
}

/* ------------------------------------------------------------ build */

static void *zalloc(size_t n, size_t size)
{
	return calloc(n ? n : 1, size);
}

static int alloc_neurons(sim **out, const sim_params *p)
{
	sim *s = calloc(1, sizeof *s);
	if (!s)
		return bad("out of memory");
	s->p = *p;
	s->n = p->n_exc + p->n_inh;
	s->d = (uint32_t)lround(p->delay / p->dt);
	if (p->n_exc == 0 || p->n_inh == 0 || s->d == 0 || s->d > 100000) {
		free(s);
		return bad("a network needs E and I neurons and a delay of at least dt");
	}
	s->v_m = zalloc(s->n, sizeof *s->v_m);
	s->refr = zalloc(s->n, sizeof *s->refr);
	s->last = zalloc(s->n, sizeof *s->last);
	s->k_plus = zalloc(s->n, sizeof *s->k_plus);
	s->k_minus = zalloc(s->n, sizeof *s->k_minus);
	for (int k = 0; k < 4; k++)
		s->rng[k] = zalloc(s->n, sizeof *s->rng[k]);
	s->ring = zalloc((size_t)s->n * s->d, sizeof *s->ring);
	s->k = zalloc(1, sizeof *s->k);
	s->fired = zalloc(s->n, sizeof *s->fired);
	s->fired_late = zalloc(s->n, sizeof *s->fired_late);
	*out = s;
	if (!s->v_m || !s->refr || !s->last || !s->k_plus || !s->k_minus || !s->rng[0] ||
	    !s->rng[1] || !s->rng[2] || !s->rng[3] || !s->ring || !s->k || !s->fired || !s->fired_late)
		return bad("out of memory");
	for (uint32_t i = 0; i < s->n; i++)
		s->last[i] = SIM_NEVER;
	static const char *const names[SIM_NPROJ] = { "EE", "EI", "IE", "II" };
	for (int q = 0; q < SIM_NPROJ; q++) {
		s->proj[q].name = names[q];
		s->proj[q].pre_exc = q == SIM_EE || q == SIM_EI;
		s->proj[q].post_exc = q == SIM_EE || q == SIM_IE;
		s->proj[q].plastic = s->proj[q].pre_exc;
	}
	return sim_prepare(s);
}

static uint32_t pop_size(const sim *s, int exc)
{
	return exc ? s->p.n_exc : s->p.n_inh;
}

static int alloc_synapses(sim_proj *q, uint64_t n)
{
	q->n = n;
	q->pre = zalloc(n, sizeof *q->pre);
	q->post = zalloc(n, sizeof *q->post);
	q->w = zalloc(n, sizeof *q->w);
	return q->pre && q->post && q->w ? 0 : bad("out of memory");
}

/* The derived indices: synapses by post (a range, as they are sorted) and
 * by pre (a counting sort: each pre's synapses in the order they are in). */
static int index_synapses(sim *s, sim_proj *q)
{
	uint32_t n_pre = pop_size(s, q->pre_exc), n_post = pop_size(s, q->post_exc);
	q->in_ptr = zalloc((size_t)n_post + 1, sizeof *q->in_ptr);
	q->out_ptr = zalloc((size_t)n_pre + 1, sizeof *q->out_ptr);
	q->out_syn = zalloc(q->n, sizeof *q->out_syn);
	q->out_post = zalloc(q->n, sizeof *q->out_post);
	if (!q->in_ptr || !q->out_ptr || !q->out_syn || !q->out_post)
		return bad("out of memory");
	if (q->n > UINT32_MAX)
		return bad("too many synapses");
	for (uint64_t k = 0; k < q->n; k++) {
		if (q->pre[k] < 0 || (uint32_t)q->pre[k] >= n_pre || q->post[k] < 0 ||
		    (uint32_t)q->post[k] >= n_post)
			return bad("a synapse's index is out of its population");
		if (k && (q->post[k] < q->post[k - 1] ||
			  (q->post[k] == q->post[k - 1] && q->pre[k] < q->pre[k - 1])))
			return bad("synapses are not sorted by post, then pre");
		q->in_ptr[q->post[k] + 1]++;
		q->out_ptr[q->pre[k] + 1]++;
	}
	for (uint32_t j = 0; j < n_post; j++)
		q->in_ptr[j + 1] += q->in_ptr[j];
	for (uint32_t i = 0; i < n_pre; i++)
		q->out_ptr[i + 1] += q->out_ptr[i];
	uint64_t *fill = zalloc(n_pre, sizeof *fill);
	if (!fill)
		return bad("out of memory");
	for (uint64_t k = 0; k < q->n; k++) {
		uint64_t o = q->out_ptr[q->pre[k]] + fill[q->pre[k]]++;
		q->out_syn[o] = (uint32_t)k;
		q->out_post[o] = (uint32_t)q->post[k];
	}
	free(fill);
	return 0;
}

static int cmp_i32(const void *a, const void *b)
{
	int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
	return (x > y) - (x < y);
}

/* Projection @p q's synapses drawn as NEST's fixed_indegree draws them by
 * default (autapses and multapses allowed), sorted by post, then pre. */
static void draw_synapses(sim *s, sim_proj *q, uint32_t indeg, xo *g)
{
	uint32_t n_pre = pop_size(s, q->pre_exc), n_post = pop_size(s, q->post_exc);
	for (uint32_t j = 0; j < n_post; j++) {
		int32_t *pre = q->pre + (size_t)j * indeg;
		for (uint32_t c = 0; c < indeg; c++) {
			pre[c] = (int32_t)xo_below(g, n_pre);
			q->post[(size_t)j * indeg + c] = (int32_t)j;
		}
		qsort(pre, indeg, sizeof *pre, cmp_i32);
	}
	for (uint64_t k = 0; k < q->n; k++)
		q->w[k] = q->pre_exc ? s->p.je : s->p.ji;
}

/* A network drawn from @p seed, or with @p init, made of @p init. */
static int build(sim **out, const sim_params *p, uint64_t seed, const sim_init *init)
{
	sim *s = NULL;
	xo g;
	if (alloc_neurons(&s, p))
		goto fail;
	seed_streams(s, seed, &g);
	for (uint32_t i = 0; i < s->n; i++)
		s->v_m[i] = init ? init->v_m[i] : p->v_mean + p->v_sd * xo_normal(&g);
	for (int qi = 0; qi < SIM_NPROJ; qi++) {
		sim_proj *q = &s->proj[qi];
		uint32_t indeg = q->pre_exc ? p->indeg_e : p->indeg_i;
		uint64_t n = init ? init->n_syn[qi] : (uint64_t)indeg * pop_size(s, q->post_exc);
		if (alloc_synapses(q, n))
			goto fail;
		if (!init) {
			draw_synapses(s, q, indeg, &g);
		} else if (n) {
			memcpy(q->pre, init->pre[qi], n * sizeof *q->pre);
			memcpy(q->post, init->post[qi], n * sizeof *q->post);
			memcpy(q->w, init->w[qi], n * sizeof *q->w);
		}
		if (index_synapses(s, q))
			goto fail;
	}
	*out = s;
	return 0;
fail:
	sim_free(s);
	return -1;
}

int sim_new(sim **out, const sim_params *p, uint64_t seed)
{
	return build(out, p, seed, NULL);
}

int sim_new_from(sim **out, const sim_params *p, uint64_t seed, const sim_init *init)
{
	return build(out, p, seed, init);
}

void sim_free(sim *s)
{
	if (!s)
		return;
	free(s->v_m);
	free(s->refr);
	free(s->last);
	free(s->k_plus);
	free(s->k_minus);
	for (int k = 0; k < 4; k++)
		free(s->rng[k]);
	free(s->ring);
	free(s->k);
	free(s->fired);
	free(s->fired_late);
	for (int q = 0; q < SIM_NPROJ; q++) {
		free(s->proj[q].pre);
		free(s->proj[q].post);
		free(s->proj[q].w);
		free(s->proj[q].in_ptr);
		free(s->proj[q].out_ptr);
		free(s->proj[q].out_syn);
		free(s->proj[q].out_post);
	}
	free(s->spikes);
	free(s);
}

/* ------------------------------------------------------------ dynamics */

static int record(sim *s, int64_t stamp, uint32_t neuron)
{
	if (s->n_spikes == s->cap_spikes) {
		size_t cap = s->cap_spikes ? 2 * s->cap_spikes : 4096;
		sim_spike *a = realloc(s->spikes, cap * sizeof *a);
		if (!a)
			return bad("out of memory for the spike recorder");
		s->spikes = a;
		s->cap_spikes = cap;
	}
	s->spikes[s->n_spikes++] = (sim_spike){ stamp, neuron };
	return 0;
}

int sim_same_train(const sim_spike *a, size_t na, int64_t a0, const sim_spike *b, size_t nb,
		   int64_t b0)
{
	if (na != nb)
		return 0;
	for (size_t k = 0; k < na; k++)
		if (a[k].stamp - a0 != b[k].stamp - b0 || a[k].neuron != b[k].neuron)
			return 0;
	return 1;
}

void sim_clear_spikes(sim *s)
{
	s->n_spikes = 0;
}

/* One step, from s->step to s->step + 1; spikes are stamped step + 1. */
static int step_once(sim *s)
{
	const sim_params *p = &s->p;
	const sim_consts *c = s->k;
	const uint32_t n = s->n, n_exc = p->n_exc, d = s->d;
	const int64_t t = s->step + 1;
	const uint32_t slot = (uint32_t)(s->step % d);
	uint32_t n_fired = 0, n_late = 0;
	uint64_t *r0 = s->rng[0], *r1 = s->rng[1], *r2 = s->rng[2], *r3 = s->rng[3];

	/* Neurons, and their drive, whose spikes arrive d steps later: into
	 * the slot just read. */
	for (uint32_t i = 0; i < n; i++) {
		if (neuron_step(p, c, &s->v_m[i], &s->refr[i], &s->ring[(size_t)i * d + slot],
				&r0[i], &r1[i], &r2[i], &r3[i]))
			s->fired[n_fired++] = i;
		if (s->last[i] == t - (int64_t)d)
			s->fired_late[n_late++] = i;
	}

	/* Facilitation of the plastic synapses onto the neurons that fired d
	 * steps ago, by the pre traces just before now. */
	for (uint32_t f = 0; f < n_late; f++) {
		uint32_t j = s->fired_late[f];
		sim_proj *q = &s->proj[j < n_exc ? SIM_EE : SIM_EI];
		uint32_t jl = j < n_exc ? j : j - n_exc;
		for (uint64_t k = q->in_ptr[jl]; k < q->in_ptr[jl + 1]; k++)
			facilitate_at(p, c, &q->w[k], s->k_plus[q->pre[k]], s->last[q->pre[k]], t);
	}

	/* Spikes: depression by the post trace just before now - d, then the
	 * weight travels for d steps. */
	for (uint32_t f = 0; f < n_fired; f++) {
		uint32_t i = s->fired[f];
		int exc = i < n_exc;
		uint32_t il = exc ? i : i - n_exc;
		if (record(s, t, i))
			return -1;
		for (int qi = exc ? SIM_EE : SIM_IE; qi <= (exc ? SIM_EI : SIM_II); qi++) {
			sim_proj *q = &s->proj[qi];
			uint32_t off = q->post_exc ? 0 : n_exc;
			for (uint64_t o = q->out_ptr[il]; o < q->out_ptr[il + 1]; o++) {
				uint32_t j = q->out_post[o] + off;
				transmit(p, c, q->plastic, &q->w[q->out_syn[o]], s->k_minus[j],
					 s->last[j], t, d, &s->ring[(size_t)j * d + slot]);
			}
		}
	}

	/* The traces take the new spikes in. */
	for (uint32_t f = 0; f < n_fired; f++) {
		uint32_t i = s->fired[f];
		take_spike(p, c, i < n_exc ? &s->k_plus[i] : NULL, &s->k_minus[i], &s->last[i], t);
	}
	s->step++;
	return 0;
}

int sim_run(sim *s, int64_t steps)
{
	for (int64_t k = 0; k < steps; k++)
		if (step_once(s))
			return -1;
	return 0;
}
