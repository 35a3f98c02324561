/* SPDX-License-Identifier: MIT */
#include "state.h"

#include <stdio.h>
#include <stdlib.h>

int fail_ns(const char *what)
{
	fprintf(stderr, "nest_experiment: %s: %s\n", what, ns_error_last()->message);
	return -1;
}

static int param(ns_object *o, const char *name, double *x)
{
	return ns_attr_add(NULL, o, name, NS_PARAMETER, NS_GLOBAL, NS_DTYPE_F64, x, 0);
}

static int variable(ns_object *o, const char *name, ns_dtype t, void *data)
{
	return ns_attr_add(NULL, o, name, NS_VARIABLE, NS_LOCAL, t, data, 0);
}

/* Population E (exc) or I: iaf_psc_delta neurons with their drive. */
static int bind_population(ns_network *net, sim *s, int exc)
{
	sim_params *p = &s->p;
	uint32_t off = exc ? 0 : p->n_exc, n = exc ? p->n_exc : p->n_inh;
	uint64_t shape[2] = { n, s->d };
	static const char *const rng_names[4] = { "rng_s0", "rng_s1", "rng_s2", "rng_s3" };
	ns_object *o, *t;
	int rc;

	if ((rc = ns_population_add(&o, net, exc ? "E" : "I", n, NULL, 0, "iaf_psc_delta")) ||
	    (rc = param(o, "C_m", &p->c_m)) || (rc = param(o, "tau_m", &p->tau_m)) ||
	    (rc = param(o, "t_ref", &p->t_ref)) || (rc = param(o, "E_L", &p->e_l)) ||
	    (rc = param(o, "V_th", &p->v_th)) || (rc = param(o, "V_reset", &p->v_reset)) ||
	    (rc = param(o, "I_e", &p->i_e)) || (rc = param(o, "tau_minus", &p->tau_minus)) ||
	    (rc = param(o, "drive_rate", &p->rate)) || (rc = param(o, "drive_weight", &p->je)) ||
	    (rc = variable(o, "V_m", NS_DTYPE_F64, s->v_m + off)) ||
	    (rc = variable(o, "refractory_steps", NS_DTYPE_I32, s->refr + off)) ||
	    (rc = variable(o, "last_spike_step", NS_DTYPE_I64, s->last + off)) ||
	    (rc = variable(o, "K_minus", NS_DTYPE_F64, s->k_minus + off)))
		return rc;
	if (exc && (rc = variable(o, "K_plus", NS_DTYPE_F64, s->k_plus)))
		return rc;
	for (int k = 0; k < 4; k++)
		if ((rc = variable(o, rng_names[k], NS_DTYPE_I64, s->rng[k] + off)))
			return rc;
	/* The delay line: row i holds what neuron i receives in the next d
	 * steps, column c the step whose number is c modulo d. */
	if ((rc = ns_population_add(&t, net, exc ? "E_transit" : "I_transit", (uint64_t)n * s->d,
				    shape, 2, "spikes_in_transit")) ||
	    (rc = variable(t, "input", NS_DTYPE_F64, s->ring + (size_t)off * s->d)))
		return rc;
	return NS_OK;
}

static int bind_projection(ns_network *net, sim *s, sim_proj *q)
{
	sim_params *p = &s->p;
	ns_object *o;
	int rc;

	if ((rc = ns_projection_add(&o, net, q->name, q->pre_exc ? "E" : "I",
				    q->post_exc ? "E" : "I", q->pre_exc ? "exc" : "inh",
				    q->plastic ? "stdp_synapse_hom" : "static_synapse")) ||
	    (rc = ns_projection_set_synapses(o, q->pre, q->post, q->n, 0)) ||
	    (rc = variable(o, "weight", NS_DTYPE_F64, q->w)) || (rc = param(o, "delay", &p->delay)))
		return rc;
	if (q->plastic &&
	    ((rc = param(o, "tau_plus", &p->tau_plus)) || (rc = param(o, "lambda", &p->lambda)) ||
	     (rc = param(o, "alpha", &p->alpha)) || (rc = param(o, "mu_plus", &p->mu_plus)) ||
	     (rc = param(o, "mu_minus", &p->mu_minus)) || (rc = param(o, "Wmax", &p->wmax))))
		return rc;
	return NS_OK;
}

int state_bind(ns_network **out, sim *s)
{
	ns_network *net = NULL;
	if (ns_network_new(&net, "nest_store_restore") ||
	    ns_network_set_meta(net, "model", "NEST's store/restore example: a balanced E-I "
			        "network with STDP", 0) ||
	    bind_population(net, s, 1) || bind_population(net, s, 0))
		goto fail;
	for (int q = 0; q < SIM_NPROJ; q++)
		if (bind_projection(net, s, &s->proj[q]))
			goto fail;
	ns_network_set_dt(net, s->p.dt);
	state_set_time(net, s);
	*out = net;
	return 0;
fail:
	ns_network_free(net);
	return fail_ns("binding the simulator to a network");
}

void state_set_time(ns_network *net, const sim *s)
{
	ns_network_set_time(net, (double)s->step * s->p.dt, (uint64_t)s->step);
}

int state_after_restore(sim *s, const ns_network *net)
{
	uint64_t step;
	if (ns_network_dt(net) != s->p.dt) {
		fprintf(stderr, "nest_experiment: restore: the version's dt is %g ms, "
			"the simulator's %g ms\n", ns_network_dt(net), s->p.dt);
		return -1;
	}
	ns_network_time(net, NULL, &step);
	s->step = (int64_t)step;
	return sim_prepare(s);
}

/* The object called @p name of @p net, of @p size elements. */
static ns_object *find(ns_network *net, const char *name, uint64_t size)
{
	ns_object *o = ns_network_object_find(net, name);
	ns_object_info info;
	if (!o) {
		fprintf(stderr, "nest_experiment: NEST-way reload: the version has no '%s'\n", name);
		return NULL;
	}
	ns_object_get_info(&info, o);
	if (info.kind == NS_POPULATION && info.size != size) {
		fprintf(stderr, "nest_experiment: NEST-way reload: '%s' has %llu neurons in the "
			"version, %llu in the program\n", name, (unsigned long long)info.size,
			(unsigned long long)size);
		return NULL;
	}
	return o;
}

static int read_attr(void *buf, ns_object *o, const char *name)
{
	ns_attr *a = ns_object_attr_find(o, name);
	if (!a) {
		fprintf(stderr, "nest_experiment: NEST-way reload: no attribute '%s'\n", name);
		return -1;
	}
	return ns_attr_read(buf, NS_DTYPE_F64, a) ? fail_ns("NEST-way reload: reading") : 0;
}

int state_load_nest_way(sim **out, ns_store *store, const char *rev, const sim_params *p,
			uint64_t seed)
{
	static const char *const names[SIM_NPROJ] = { "EE", "EI", "IE", "II" };
	ns_network *net = NULL;
	sim_init init = { 0 };
	double *v_m = malloc(((size_t)p->n_exc + p->n_inh) * sizeof *v_m);
	double *w[SIM_NPROJ] = { NULL };
	ns_object *e, *i;
	int rc = -1;

	if (!v_m) {
		fprintf(stderr, "nest_experiment: NEST-way reload: out of memory\n");
		return -1;
	}
	if (ns_network_open(&net, store, rev)) {
		fail_ns("NEST-way reload: opening the version");
		goto done;
	}
	if (!(e = find(net, "E", p->n_exc)) || !(i = find(net, "I", p->n_inh)) ||
	    read_attr(v_m, e, "V_m") || read_attr(v_m + p->n_exc, i, "V_m"))
		goto done;
	init.v_m = v_m;
	for (int q = 0; q < SIM_NPROJ; q++) {
		ns_object *o = find(net, names[q], 0);
		if (!o)
			goto done;
		init.n_syn[q] = ns_projection_synapses(o);
		ns_projection_connectivity(&init.pre[q], &init.post[q], o);
		if (!(w[q] = malloc((init.n_syn[q] ? init.n_syn[q] : 1) * sizeof *w[q]))) {
			fprintf(stderr, "nest_experiment: NEST-way reload: out of memory\n");
			goto done;
		}
		if (read_attr(w[q], o, "weight"))
			goto done;
		init.w[q] = w[q];
	}
	rc = sim_new_from(out, p, seed, &init);
done:
	ns_network_free(net);
	for (int q = 0; q < SIM_NPROJ; q++)
		free(w[q]);
	free(v_m);
	return rc;
}
