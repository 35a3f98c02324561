/* SPDX-License-Identifier: MIT */
/* The simulator on MPI ranks: see dsim.h. Its step is sim.c's, split where
 * the spikes cross ranks; the arithmetic is dynamics.h's. */
#include "dsim.h"
#include "dynamics.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void *zalloc(size_t n, size_t size)
{
	return calloc(n ? n : 1, size);
}

/* Out of memory in the middle of a collective run: no rank can go on. */
static void die(const dsim *s, const char *what)
{
	fprintf(stderr, "nest_mpi: rank %d: %s: out of memory\n", s->rank, what);
	MPI_Abort(s->comm, 2);
}

/* The part of projection @q of @full whose post neurons this rank owns,
 * given @loc: each neuron's local index, or UINT32_MAX. */
static int take_projection(dsim *s, dsim_proj *q, const sim_proj *f, const uint32_t *loc)
{
	uint32_t off = f->post_exc ? 0 : s->p.n_exc;
	uint32_t n_pre = f->pre_exc ? s->p.n_exc : s->p.n_inh;
	uint64_t m = 0;
	q->name = f->name;
	q->pre_exc = f->pre_exc;
	q->post_exc = f->post_exc;
	q->plastic = f->plastic;
	for (uint64_t k = 0; k < f->n; k++)
		m += loc[(uint32_t)f->post[k] + off] != UINT32_MAX;
	q->n = m;
	q->pre = zalloc(m, sizeof *q->pre);
	q->post = zalloc(m, sizeof *q->post);
	q->w = zalloc(m, sizeof *q->w);
	q->post_l = zalloc(m, sizeof *q->post_l);
	q->in_ptr = zalloc((size_t)s->n_own + 1, sizeof *q->in_ptr);
	q->out_ptr = zalloc((size_t)n_pre + 1, sizeof *q->out_ptr);
	q->out_syn = zalloc(m, sizeof *q->out_syn);
	uint64_t *fill = zalloc(n_pre, sizeof *fill);
	if (!q->pre || !q->post || !q->w || !q->post_l || !q->in_ptr || !q->out_ptr ||
	    !q->out_syn || !fill) {
		free(fill);
		return -1;
	}
	m = 0;
	for (uint64_t k = 0; k < f->n; k++) {
		uint32_t l = loc[(uint32_t)f->post[k] + off];
		if (l == UINT32_MAX)
			continue;
		q->pre[m] = f->pre[k];
		q->post[m] = f->post[k];
		q->w[m] = f->w[k];
		q->post_l[m] = l;
		q->in_ptr[l + 1]++;
		q->out_ptr[f->pre[k] + 1]++;
		m++;
	}
	for (uint32_t l = 0; l < s->n_own; l++)
		q->in_ptr[l + 1] += q->in_ptr[l];
	for (uint32_t i = 0; i < n_pre; i++)
		q->out_ptr[i + 1] += q->out_ptr[i];
	for (uint64_t k = 0; k < q->n; k++)
		q->out_syn[q->out_ptr[q->pre[k]] + fill[q->pre[k]]++] = (uint32_t)k;
	free(fill);
	return 0;
}

static int alloc_neurons(dsim *s)
{
	size_t n = s->n_own, d = s->d;
	s->gid = zalloc(n, sizeof *s->gid);
	s->gid_e = zalloc(s->n_own_e, sizeof *s->gid_e);
	s->gid_i = zalloc(n - s->n_own_e, sizeof *s->gid_i);
	s->gid_te = zalloc(s->n_own_e * d, sizeof *s->gid_te);
	s->gid_ti = zalloc((n - s->n_own_e) * d, sizeof *s->gid_ti);
	s->v_m = zalloc(n, sizeof *s->v_m);
	s->k_plus = zalloc(n, sizeof *s->k_plus);
	s->k_minus = zalloc(n, sizeof *s->k_minus);
	s->refr = zalloc(n, sizeof *s->refr);
	s->last = zalloc(n, sizeof *s->last);
	for (int k = 0; k < 4; k++)
		if (!(s->rng[k] = zalloc(n, sizeof *s->rng[k])))
			return -1;
	s->ring = zalloc(n * d, sizeof *s->ring);
	s->all_last = zalloc(s->n, sizeof *s->all_last);
	s->all_k_plus = zalloc(s->n, sizeof *s->all_k_plus);
	s->fired = zalloc(n, sizeof *s->fired);
	s->fired_late = zalloc(n, sizeof *s->fired_late);
	s->spiking = zalloc(s->n, sizeof *s->spiking);
	s->counts = zalloc((size_t)s->size, sizeof *s->counts);
	s->displs = zalloc((size_t)s->size, sizeof *s->displs);
	return s->gid && s->gid_e && s->gid_i && s->gid_te && s->gid_ti && s->v_m && s->k_plus &&
			       s->k_minus && s->refr && s->last && s->ring && s->all_last &&
			       s->all_k_plus && s->fired && s->fired_late && s->spiking &&
			       s->counts && s->displs ?
		       0 :
		       -1;
}

/* The rank's neurons of @full, their state, and every neuron's traces. */
static int take_neurons(dsim *s, const sim *full)
{
	for (uint32_t i = (uint32_t)s->rank; i < s->n; i += (uint32_t)s->size) {
		s->n_own++;
		s->n_own_e += i < s->p.n_exc;
	}
	if (alloc_neurons(s))
		return -1;
	for (uint32_t l = 0, i = (uint32_t)s->rank; i < s->n; i += (uint32_t)s->size, l++) {
		int exc = i < s->p.n_exc;
		uint32_t il = exc ? i : i - s->p.n_exc, le = exc ? l : l - s->n_own_e;
		s->gid[l] = i;
		(exc ? s->gid_e : s->gid_i)[le] = il;
		for (uint32_t c = 0; c < s->d; c++)
			(exc ? s->gid_te : s->gid_ti)[(size_t)le * s->d + c] =
				(int64_t)il * s->d + c;
		s->v_m[l] = full->v_m[i];
		s->k_plus[l] = full->k_plus[i];
		s->k_minus[l] = full->k_minus[i];
		s->refr[l] = full->refr[i];
		s->last[l] = full->last[i];
		for (int k = 0; k < 4; k++)
			s->rng[k][l] = full->rng[k][i];
		memcpy(s->ring + (size_t)l * s->d, full->ring + (size_t)i * s->d,
		       s->d * sizeof *s->ring);
	}
	memcpy(s->all_last, full->last, s->n * sizeof *s->all_last);
	memcpy(s->all_k_plus, full->k_plus, s->n * sizeof *s->all_k_plus);
	return 0;
}

int dsim_new(dsim **out, MPI_Comm comm, const sim_params *p, uint64_t seed)
{
	sim *full = NULL;
	dsim *s = calloc(1, sizeof *s);
	uint32_t *loc = NULL;
	int rc = -1;
	*out = NULL;
	if (!s || !(s->k = calloc(1, sizeof *s->k)))
		goto oom;
	s->comm = comm;
	MPI_Comm_rank(comm, &s->rank);
	MPI_Comm_size(comm, &s->size);
	/* Every rank draws the whole network, and keeps its part. */
	if (sim_new(&full, p, seed))
		goto done;
	s->p = *p;
	s->n = full->n;
	s->d = full->d;
	*s->k = *full->k;
	if (take_neurons(s, full) || !(loc = malloc(s->n * sizeof *loc)))
		goto oom;
	memset(loc, 0xff, s->n * sizeof *loc);
	for (uint32_t l = 0; l < s->n_own; l++)
		loc[s->gid[l]] = l;
	for (int q = 0; q < SIM_NPROJ; q++)
		if (take_projection(s, &s->proj[q], &full->proj[q], loc))
			goto oom;
	*out = s;
	s = NULL;
	rc = 0;
	goto done;
oom:
	fprintf(stderr, "nest_mpi: rank %d: building the network: out of memory\n",
		s ? s->rank : -1);
done:
	free(loc);
	sim_free(full);
	dsim_free(s);
	return rc;
}

void dsim_free(dsim *s)
{
	if (!s)
		return;
	free(s->k);
	free(s->gid);
	free(s->gid_e);
	free(s->gid_i);
	free(s->gid_te);
	free(s->gid_ti);
	free(s->v_m);
	free(s->k_plus);
	free(s->k_minus);
	free(s->refr);
	free(s->last);
	for (int k = 0; k < 4; k++)
		free(s->rng[k]);
	free(s->ring);
	for (int q = 0; q < SIM_NPROJ; q++) {
		dsim_proj *p = &s->proj[q];
		free(p->pre);
		free(p->post);
		free(p->w);
		free(p->post_l);
		free(p->out_ptr);
		free(p->out_syn);
		free(p->in_ptr);
	}
	free(s->all_last);
	free(s->all_k_plus);
	free(s->fired);
	free(s->fired_late);
	free(s->spiking);
	free(s->counts);
	free(s->displs);
	free(s->spikes);
	free(s);
}

static void record(dsim *s, int64_t stamp, uint32_t neuron)
{
	if (s->n_spikes == s->cap_spikes) {
		size_t cap = s->cap_spikes ? 2 * s->cap_spikes : 4096;
		sim_spike *a = realloc(s->spikes, cap * sizeof *a);
		if (!a)
			die(s, "the spike recorder");
		s->spikes = a;
		s->cap_spikes = cap;
	}
	s->spikes[s->n_spikes++] = (sim_spike){ stamp, neuron };
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return (x > y) - (x < y);
}

/* Every rank's @n_fired spikers (@send: neuron numbers) into s->spiking,
 * by rising number: the order of sim.c's delivery. Returns their count. */
static uint32_t exchange(dsim *s, const uint32_t *send, int n_fired)
{
	int total = 0;
	MPI_Allgather(&n_fired, 1, MPI_INT, s->counts, 1, MPI_INT, s->comm);
	for (int r = 0; r < s->size; r++) {
		s->displs[r] = total;
		total += s->counts[r];
	}
	MPI_Allgatherv(send, n_fired, MPI_UINT32_T, s->spiking, s->counts, s->displs,
		       MPI_UINT32_T, s->comm);
	qsort(s->spiking, (size_t)total, sizeof *s->spiking, cmp_u32);
	return (uint32_t)total;
}

/* One step, from s->step to s->step + 1, as sim.c's step_once(). */
static void step_once(dsim *s)
{
	const sim_params *p = &s->p;
	const sim_consts *c = s->k;
	const uint32_t n_exc = p->n_exc, d = s->d;
	const int64_t t = s->step + 1;
	const uint32_t slot = (uint32_t)(s->step % d);
	uint32_t n_fired = 0, n_late = 0, n_all;
	uint64_t *r0 = s->rng[0], *r1 = s->rng[1], *r2 = s->rng[2], *r3 = s->rng[3];

	for (uint32_t l = 0; l < s->n_own; l++) {
		if (neuron_step(p, c, &s->v_m[l], &s->refr[l], &s->ring[(size_t)l * d + slot],
				&r0[l], &r1[l], &r2[l], &r3[l]))
			s->fired[n_fired++] = l;
		if (s->last[l] == t - (int64_t)d)
			s->fired_late[n_late++] = l;
	}

	/* Facilitation: the post neuron is the rank's, the pre trace every
	 * rank's copy. */
	for (uint32_t f = 0; f < n_late; f++) {
		uint32_t l = s->fired_late[f];
		dsim_proj *q = &s->proj[l < s->n_own_e ? SIM_EE : SIM_EI];
		for (uint64_t k = q->in_ptr[l]; k < q->in_ptr[l + 1]; k++)
			facilitate_at(p, c, &q->w[k], s->all_k_plus[q->pre[k]],
				      s->all_last[q->pre[k]], t);
	}

	/* Every rank's spikes, onto the rank's synapses. */
	for (uint32_t f = 0; f < n_fired; f++)
		s->fired_late[f] = s->gid[s->fired[f]];
	n_all = exchange(s, s->fired_late, (int)n_fired);
	for (uint32_t f = 0; f < n_all; f++) {
		uint32_t i = s->spiking[f];
		int exc = i < n_exc;
		uint32_t il = exc ? i : i - n_exc;
		if (i % (uint32_t)s->size == (uint32_t)s->rank)
			record(s, t, i);
		for (int qi = exc ? SIM_EE : SIM_IE; qi <= (exc ? SIM_EI : SIM_II); qi++) {
			dsim_proj *q = &s->proj[qi];
			for (uint64_t o = q->out_ptr[il]; o < q->out_ptr[il + 1]; o++) {
				uint32_t k = q->out_syn[o], j = q->post_l[k];
				transmit(p, c, q->plastic, &q->w[k], s->k_minus[j], s->last[j], t, d,
					 &s->ring[(size_t)j * d + slot]);
			}
		}
	}

	/* The traces take the new spikes in: the rank's, and every rank's copy. */
	for (uint32_t f = 0; f < n_fired; f++) {
		uint32_t l = s->fired[f];
		take_spike(p, c, l < s->n_own_e ? &s->k_plus[l] : NULL, &s->k_minus[l], &s->last[l],
			   t);
	}
	for (uint32_t f = 0; f < n_all; f++) {
		uint32_t i = s->spiking[f];
		take_spike(p, c, i < n_exc ? &s->all_k_plus[i] : NULL, NULL, &s->all_last[i], t);
	}
	s->step++;
}

int dsim_run(dsim *s, int64_t steps)
{
	for (int64_t k = 0; k < steps; k++)
		step_once(s);
	return 0;
}

static int cmp_spike(const void *a, const void *b)
{
	const sim_spike *x = a, *y = b;
	if (x->stamp != y->stamp)
		return x->stamp < y->stamp ? -1 : 1;
	return (x->neuron > y->neuron) - (x->neuron < y->neuron);
}

int dsim_gather_spikes(dsim *s, sim_spike **out, size_t *n)
{
	int mine = (int)(s->n_spikes * sizeof *s->spikes), total = 0, ok = 1, all_ok;
	sim_spike *all = NULL;
	MPI_Gather(&mine, 1, MPI_INT, s->counts, 1, MPI_INT, 0, s->comm);
	if (s->rank == 0) {
		for (int r = 0; r < s->size; r++) {
			s->displs[r] = total;
			total += s->counts[r];
		}
		ok = (all = malloc(total ? (size_t)total : 1)) != NULL;
	}
	MPI_Allreduce(&ok, &all_ok, 1, MPI_INT, MPI_MIN, s->comm);
	if (!all_ok)
		return -1;
	MPI_Gatherv(s->spikes, mine, MPI_BYTE, all, s->counts, s->displs, MPI_BYTE, 0, s->comm);
	s->n_spikes = 0;
	*out = all;
	*n = (size_t)total / sizeof *all;
	if (all)
		qsort(all, *n, sizeof *all, cmp_spike);
	return 0;
}

/* ------------------------------------------------------------ binding */

static int param(ns_mpi_net *net, const char *o, const char *name, double *x)
{
	return ns_mpi_attr_add(net, o, name, NS_PARAMETER, NS_GLOBAL, NS_DTYPE_F64, x);
}

static int variable(ns_mpi_net *net, const char *o, const char *name, ns_dtype t, void *data)
{
	return ns_mpi_attr_add(net, o, name, NS_VARIABLE, NS_LOCAL, t, data);
}

static int bind_population(ns_mpi_net *net, dsim *s, int exc)
{
	static const char *const rng_names[4] = { "rng_s0", "rng_s1", "rng_s2", "rng_s3" };
	sim_params *p = &s->p;
	const char *o = exc ? "E" : "I", *tr = exc ? "E_transit" : "I_transit";
	uint32_t off = exc ? 0 : s->n_own_e, n = exc ? s->n_own_e : s->n_own - s->n_own_e;
	uint32_t size = exc ? p->n_exc : p->n_inh;
	int rc;
	if ((rc = ns_mpi_population_add(net, o, size, "iaf_psc_delta", exc ? s->gid_e : s->gid_i,
					n)) ||
	    (rc = param(net, o, "C_m", &p->c_m)) || (rc = param(net, o, "tau_m", &p->tau_m)) ||
	    (rc = param(net, o, "t_ref", &p->t_ref)) || (rc = param(net, o, "E_L", &p->e_l)) ||
	    (rc = param(net, o, "V_th", &p->v_th)) || (rc = param(net, o, "V_reset", &p->v_reset)) ||
	    (rc = param(net, o, "I_e", &p->i_e)) ||
	    (rc = param(net, o, "tau_minus", &p->tau_minus)) ||
	    (rc = param(net, o, "drive_rate", &p->rate)) ||
	    (rc = param(net, o, "drive_weight", &p->je)) ||
	    (rc = variable(net, o, "V_m", NS_DTYPE_F64, s->v_m + off)) ||
	    (rc = variable(net, o, "refractory_steps", NS_DTYPE_I32, s->refr + off)) ||
	    (rc = variable(net, o, "last_spike_step", NS_DTYPE_I64, s->last + off)) ||
	    (rc = variable(net, o, "K_minus", NS_DTYPE_F64, s->k_minus + off)))
		return rc;
	if (exc && (rc = variable(net, o, "K_plus", NS_DTYPE_F64, s->k_plus)))
		return rc;
	for (int k = 0; k < 4; k++)
		if ((rc = variable(net, o, rng_names[k], NS_DTYPE_I64, s->rng[k] + off)))
			return rc;
	/* The delay line: element i * d + c of the population is column c of
	 * row i, as in one process. */
	if ((rc = ns_mpi_population_add(net, tr, (uint64_t)size * s->d, "spikes_in_transit",
					exc ? s->gid_te : s->gid_ti, (uint64_t)n * s->d)) ||
	    (rc = variable(net, tr, "input", NS_DTYPE_F64, s->ring + (size_t)off * s->d)))
		return rc;
	return NS_OK;
}

static int bind_projection(ns_mpi_net *net, dsim *s, dsim_proj *q)
{
	sim_params *p = &s->p;
	int rc;
	if ((rc = ns_mpi_projection_add(net, q->name, q->pre_exc ? "E" : "I",
					q->post_exc ? "E" : "I", q->pre_exc ? "exc" : "inh",
					q->plastic ? "stdp_synapse_hom" : "static_synapse",
					q->pre, q->post, q->n)) ||
	    (rc = variable(net, q->name, "weight", NS_DTYPE_F64, q->w)) ||
	    (rc = param(net, q->name, "delay", &p->delay)))
		return rc;
	if (q->plastic && ((rc = param(net, q->name, "tau_plus", &p->tau_plus)) ||
			   (rc = param(net, q->name, "lambda", &p->lambda)) ||
			   (rc = param(net, q->name, "alpha", &p->alpha)) ||
			   (rc = param(net, q->name, "mu_plus", &p->mu_plus)) ||
			   (rc = param(net, q->name, "mu_minus", &p->mu_minus)) ||
			   (rc = param(net, q->name, "Wmax", &p->wmax))))
		return rc;
	return NS_OK;
}

int dsim_bind(ns_mpi_net **out, dsim *s)
{
	ns_mpi_net *net = NULL;
	int rc;
	if ((rc = ns_mpi_net_new(&net, s->comm, "nest_store_restore")) ||
	    (rc = bind_population(net, s, 1)) || (rc = bind_population(net, s, 0)))
		goto fail;
	for (int q = 0; q < SIM_NPROJ; q++)
		if ((rc = bind_projection(net, s, &s->proj[q])))
			goto fail;
	ns_mpi_net_set_dt(net, s->p.dt);
	ns_mpi_net_set_time(net, (double)s->step * s->p.dt, (uint64_t)s->step);
	*out = net;
	return 0;
fail:
	fprintf(stderr, "nest_mpi: rank %d: binding the simulator: %s\n", s->rank,
		ns_mpi_error_last()->message);
	ns_mpi_net_free(net);
	return rc;
}

int dsim_after_restore(dsim *s, const ns_mpi_net *net)
{
	uint64_t step;
	int n = (int)s->n_own, total = 0, rc;
	if (ns_mpi_net_dt(net) != s->p.dt) {
		fprintf(stderr, "nest_mpi: restore: the version's dt is %g ms, the simulator's %g ms\n",
			ns_mpi_net_dt(net), s->p.dt);
		return -1;
	}
	ns_mpi_net_time(net, NULL, &step);
	s->step = (int64_t)step;
	if ((rc = sim_consts_prepare(s->k, &s->p, s->d)))
		return rc;
	/* Every neuron's last spike and pre trace, from their owners. */
	MPI_Allgather(&n, 1, MPI_INT, s->counts, 1, MPI_INT, s->comm);
	for (int r = 0; r < s->size; r++) {
		s->displs[r] = total;
		total += s->counts[r];
	}
	int64_t *last = malloc(s->n * sizeof *last);
	double *k_plus = malloc(s->n * sizeof *k_plus);
	if (!last || !k_plus)
		die(s, "restoring the traces");
	MPI_Allgatherv(s->gid, n, MPI_UINT32_T, s->spiking, s->counts, s->displs, MPI_UINT32_T,
		       s->comm);
	MPI_Allgatherv(s->last, n, MPI_INT64_T, last, s->counts, s->displs, MPI_INT64_T, s->comm);
	MPI_Allgatherv(s->k_plus, n, MPI_DOUBLE, k_plus, s->counts, s->displs, MPI_DOUBLE,
		       s->comm);
	for (int x = 0; x < total; x++) {
		s->all_last[s->spiking[x]] = last[x];
		s->all_k_plus[s->spiking[x]] = k_plus[x];
	}
	free(last);
	free(k_plus);
	return 0;
}
