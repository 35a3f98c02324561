/* SPDX-License-Identifier: MIT */
/* The benchmarks' network as a simulator holds it. */
#include "model.h"

#include <stdlib.h>
#include <string.h>

static void model_init(model *m, uint32_t n_exc, uint32_t n_inh)
{
	static const char *const names[N_POPS] = { "E", "I" };
	memset(m, 0, sizeof *m);
	for (int p = 0; p < N_POPS; p++) {
		m->pop[p].name = names[p];
		m->pop[p].size = p == POP_E ? n_exc : n_inh;
		m->pop[p].first = p == POP_E ? 0 : n_exc;
		m->pop[p].tau = p == POP_E ? 20.0 : 10.0;
		m->pop[p].v = xmalloc(m->pop[p].size * sizeof(double));
		m->pop[p].r = xmalloc(m->pop[p].size * sizeof(int32_t));
	}
	for (int q = 0; q < N_PROJS; q++) {
		projection *j = &m->proj[q];
		j->pre = q / N_POPS;
		j->post = q % N_POPS;
		snprintf(j->name, sizeof j->name, "%s%s", names[j->pre], names[j->post]);
	}
}

static void projection_alloc(projection *j, uint64_t n)
{
	j->n = n;
	/* +1: malloc(0) may return NULL */
	j->pre_rank = xmalloc(n * sizeof(int32_t) + 1);
	j->post_rank = xmalloc(n * sizeof(int32_t) + 1);
	j->w = xmalloc(n * sizeof(double) + 1);
	j->delay = xmalloc(n * sizeof(double) + 1);
}

static void model_list_arrays(model *m)
{
	int k = 0;
#define ADD(obj, attr, dtype, ptr, count)                                            \
	do {                                                                          \
		snprintf(m->names[k], sizeof m->names[k], "%s/%s", obj, attr);        \
		m->arrays[k] = (array){ m->names[k], dtype, ptr, count };             \
		m->bytes += array_bytes(&m->arrays[k]);                               \
		k++;                                                                  \
	} while (0)
	m->bytes = 0;
	for (int p = 0; p < N_POPS; p++) {
		population *o = &m->pop[p];
		ADD(o->name, "v", NS_DTYPE_F64, o->v, o->size);
		ADD(o->name, "r", NS_DTYPE_I32, o->r, o->size);
		ADD(o->name, "tau", NS_DTYPE_F64, &o->tau, 1);
	}
	for (int q = 0; q < N_PROJS; q++) {
		projection *j = &m->proj[q];
		ADD(j->name, "pre", NS_DTYPE_I32, j->pre_rank, j->n);
		ADD(j->name, "post", NS_DTYPE_I32, j->post_rank, j->n);
		ADD(j->name, "w", NS_DTYPE_F64, j->w, j->n);
		ADD(j->name, "delay", NS_DTYPE_F64, j->delay, j->n);
	}
#undef ADD
}

static int population_of(const model *m, int32_t neuron)
{
	return (uint32_t)neuron < m->pop[POP_I].first ? POP_E : POP_I;
}

/* store_bench's network cut into populations and projections. Its synapses
 * are in presynaptic order, so a stable counting sort by post leaves them
 * sorted by post, then pre. */
void model_from_network(model *m, const network *flat)
{
	const int32_t *pre = flat->a[A_PRE].data, *post = flat->a[A_POST].data;
	const double *w = flat->a[A_WEIGHT].data, *d = flat->a[A_DELAY].data;
	uint64_t *next[N_PROJS];

	model_init(m, flat->n_exc, flat->n_inh);
	for (int p = 0; p < N_POPS; p++) {
		population *o = &m->pop[p];
		memcpy(o->v, (double *)flat->a[A_V].data + o->first, o->size * sizeof(double));
		memcpy(o->r, (int32_t *)flat->a[A_REFRACTORY].data + o->first,
		       o->size * sizeof(int32_t));
	}
	/* next[q][i]: where the next synapse onto neuron i of q's post goes */
	for (int q = 0; q < N_PROJS; q++)
		next[q] = calloc(m->pop[m->proj[q].post].size + 1, sizeof(uint64_t));
	for (int q = 0; q < N_PROJS; q++)
		if (!next[q])
			die("out of memory");
	for (uint64_t s = 0; s < flat->n_syn; s++) {
		int a = population_of(m, pre[s]), b = population_of(m, post[s]);
		next[a * N_POPS + b][post[s] - (int32_t)m->pop[b].first + 1]++;
	}
	for (int q = 0; q < N_PROJS; q++) {
		uint32_t n_post = m->pop[m->proj[q].post].size;
		for (uint32_t i = 0; i < n_post; i++)
			next[q][i + 1] += next[q][i];
		projection_alloc(&m->proj[q], next[q][n_post]);
		m->n_syn += next[q][n_post];
	}
	for (uint64_t s = 0; s < flat->n_syn; s++) {
		int a = population_of(m, pre[s]), b = population_of(m, post[s]);
		projection *j = &m->proj[a * N_POPS + b];
		int32_t i = pre[s] - (int32_t)m->pop[a].first;
		int32_t k = post[s] - (int32_t)m->pop[b].first;
		uint64_t at = next[a * N_POPS + b][k]++;
		j->pre_rank[at] = i;
		j->post_rank[at] = k;
		j->w[at] = w[s];
		j->delay[at] = d[s];
	}
	for (int q = 0; q < N_PROJS; q++)
		free(next[q]);
	model_list_arrays(m);
}

/* Zero every attribute (not the connectivity). */
void model_zero_state(model *m)
{
	for (int p = 0; p < N_POPS; p++) {
		population *o = &m->pop[p];
		o->tau = 0;
		memset(o->v, 0, o->size * sizeof(double));
		memset(o->r, 0, o->size * sizeof(int32_t));
	}
	for (int q = 0; q < N_PROJS; q++) {
		projection *j = &m->proj[q];
		memset(j->w, 0, j->n * sizeof(double));
		memset(j->delay, 0, j->n * sizeof(double));
	}
}

/* A second network as a simulator would have built it before restoring:
 * the same connectivity, its state still zero (and resident). */
void model_like(model *m, const model *src)
{
	model_init(m, src->pop[POP_E].size, src->pop[POP_I].size);
	for (int q = 0; q < N_PROJS; q++) {
		const projection *s = &src->proj[q];
		projection *j = &m->proj[q];
		projection_alloc(j, s->n);
		memcpy(j->pre_rank, s->pre_rank, s->n * sizeof(int32_t));
		memcpy(j->post_rank, s->post_rank, s->n * sizeof(int32_t));
	}
	m->n_syn = src->n_syn;
	model_list_arrays(m);
	model_zero_state(m);
}

/* The engine's description of @m, bound to its arrays. */
void model_bind(model *m, const char *name)
{
	ns_network *net = NULL;
	ns_object *o;
	ns_attr *a;
	CHECK(ns_network_new(&net, name));
	ns_network_set_time(net, 1000.0, 10000);
	ns_network_set_dt(net, 0.1);
	for (int p = 0; p < N_POPS; p++) {
		population *pop = &m->pop[p];
		CHECK(ns_population_add(&o, net, pop->name, pop->size, NULL, 0, "Izhikevich"));
		CHECK(ns_attr_add(&a, o, "v", NS_VARIABLE, NS_LOCAL, NS_DTYPE_F64, pop->v, 0));
		CHECK(ns_attr_add(&a, o, "r", NS_VARIABLE, NS_LOCAL, NS_DTYPE_I32, pop->r, 0));
		CHECK(ns_attr_add(&a, o, "tau", NS_PARAMETER, NS_GLOBAL, NS_DTYPE_F64, &pop->tau,
				  0));
	}
	for (int q = 0; q < N_PROJS; q++) {
		projection *j = &m->proj[q];
		CHECK(ns_projection_add(&o, net, j->name, m->pop[j->pre].name,
					m->pop[j->post].name, j->pre == POP_E ? "exc" : "inh",
					"StaticSynapse"));
		CHECK(ns_projection_set_synapses(o, j->pre_rank, j->post_rank, j->n, 0));
		CHECK(ns_attr_add(&a, o, "w", NS_VARIABLE, NS_LOCAL, NS_DTYPE_F64, j->w, 0));
		CHECK(ns_attr_add(&a, o, "delay", NS_PARAMETER, NS_LOCAL, NS_DTYPE_F64, j->delay,
				  0));
	}
	m->net = net;
}

void model_free(model *m)
{
	ns_network_free(m->net);
	for (int p = 0; p < N_POPS; p++) {
		free(m->pop[p].v);
		free(m->pop[p].r);
	}
	for (int q = 0; q < N_PROJS; q++) {
		free(m->proj[q].pre_rank);
		free(m->proj[q].post_rank);
		free(m->proj[q].w);
		free(m->proj[q].delay);
	}
}
