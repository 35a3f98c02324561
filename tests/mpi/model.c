/* SPDX-License-Identifier: MIT */
/* The MPI tests' network: see model.h. */
#include "model.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

dist dist_parse(const char *s)
{
	return strcmp(s, "block") == 0 ? DIST_BLOCK : strcmp(s, "rev") == 0 ? DIST_REV : DIST_RR;
}

/* The gids of @n neurons this rank owns under @d, into a new array. */
static int64_t *deal(uint64_t *count, uint64_t n, dist d, int rank, int size)
{
	int64_t *g = malloc((n / (uint64_t)size + 2) * sizeof *g);
	uint64_t k = 0;
	if (!g)
		return NULL;
	if (d == DIST_BLOCK) {
		uint64_t per = (n + (uint64_t)size - 1) / (uint64_t)size;
		for (uint64_t x = (uint64_t)rank * per; x < n && x < (uint64_t)(rank + 1) * per; x++)
			g[k++] = (int64_t)x;
	} else {
		for (uint64_t x = (uint64_t)rank; x < n; x += (uint64_t)size)
			g[k++] = (int64_t)x;
		if (d == DIST_REV)
			for (uint64_t i = 0; i < k / 2; i++) {
				int64_t t = g[i];
				g[i] = g[k - 1 - i];
				g[k - 1 - i] = t;
			}
	}
	*count = k;
	return g;
}

/* The pre neurons of E neuron @post in EE, in their order: two, and a
 * second synapse from the first for every fifth neuron (a multapse). */
static int ee_pres(int64_t *pre, int64_t post, uint64_t ne)
{
	int n = 0;
	pre[n++] = (post * 7 + 1) % (int64_t)ne;
	pre[n++] = (post * 13 + 5) % (int64_t)ne;
	if (post % 5 == 0)
		pre[n++] = pre[0];
	return n;
}

int model_build(struct model *m, MPI_Comm comm, dist d, diff df, int state, uint64_t ne,
		uint64_t ni)
{
	ns_mpi_net *net;
	int rc;
	memset(m, 0, sizeof *m);
	MPI_Comm_rank(comm, &m->rank);
	MPI_Comm_size(comm, &m->size);
	m->ne = ne + (df == DIFF_SIZE);
	m->ni = ni;
	if ((rc = ns_mpi_net_new(&m->net, comm, "model")) < 0)
		return rc;
	net = m->net;
	m->e_gid = deal(&m->n_e, m->ne, d, m->rank, m->size);
	m->i_gid = deal(&m->n_i, m->ni, d, m->rank, m->size);
	m->e_v = calloc(m->n_e + 1, sizeof *m->e_v);
	m->e_refrac = calloc(m->n_e + 1, sizeof *m->e_refrac);
	m->i_v = calloc(m->n_i + 1, sizeof *m->i_v);
	m->ee_norm = calloc(m->n_e + 1, sizeof *m->ee_norm);
	m->ee_pre = malloc((3 * m->n_e + 2) * sizeof *m->ee_pre);
	m->ee_post = malloc((3 * m->n_e + 2) * sizeof *m->ee_post);
	m->ee_dup = malloc((3 * m->n_e + 2) * sizeof *m->ee_dup);
	m->ee_w = calloc(3 * m->n_e + 2, sizeof *m->ee_w);
	m->ee_delay = calloc(3 * m->n_e + 2, sizeof *m->ee_delay);
	m->ie_pre = malloc((m->n_e + 1) * sizeof *m->ie_pre);
	m->ie_post = malloc((m->n_e + 1) * sizeof *m->ie_post);
	m->ie_w = calloc(m->n_e + 1, sizeof *m->ie_w);
	if (!m->e_gid || !m->i_gid || !m->e_v || !m->e_refrac || !m->i_v || !m->ee_norm ||
	    !m->ee_pre || !m->ee_post || !m->ee_dup || !m->ee_w || !m->ee_delay || !m->ie_pre ||
	    !m->ie_post || !m->ie_w)
		return NS_ENOMEM;
	/* Synapses live on their post neuron's rank, in the order of its E
	 * neurons. */
	for (uint64_t k = 0; k < m->n_e; k++) {
		int64_t post = m->e_gid[k], pre[3];
		int n = ee_pres(pre, post, m->ne);
		for (int j = 0; j < n; j++) {
			m->ee_pre[m->n_ee] = pre[j];
			m->ee_post[m->n_ee] = post;
			m->ee_dup[m->n_ee] = j == 2;
			m->n_ee++;
		}
		m->ie_pre[m->n_ie] = post % (int64_t)ni;
		m->ie_post[m->n_ie] = post;
		m->n_ie++;
	}
	if (df == DIFF_SYNAPSE && m->rank == m->size - 1 && m->n_e) {
		m->ee_pre[m->n_ee] = (m->e_gid[0] + 2) % (int64_t)m->ne;
		m->ee_post[m->n_ee] = m->e_gid[0];
		m->ee_dup[m->n_ee] = 0;
		m->n_ee++;
	}
	if ((rc = ns_mpi_population_add(net, "E", m->ne, "iaf_psc_alpha", m->e_gid, m->n_e)) < 0 ||
	    (rc = ns_mpi_population_add(net, "I", m->ni, "iaf_psc_alpha", m->i_gid, m->n_i)) < 0 ||
	    (rc = ns_mpi_projection_add(net, "EE", "E", "E", "exc", "stdp", m->ee_pre, m->ee_post,
					m->n_ee)) < 0 ||
	    (rc = ns_mpi_projection_add(net, "IE", "I", "E", "inh", NULL, m->ie_pre, m->ie_post,
					m->n_ie)) < 0)
		return rc;
	if (df == DIFF_DTYPE)
		rc = ns_mpi_attr_add(net, "E", "v", NS_VARIABLE, NS_LOCAL, NS_DTYPE_F32, m->ee_norm);
	else
		rc = ns_mpi_attr_add(net, "E", "v", NS_VARIABLE, NS_LOCAL, NS_DTYPE_F64, m->e_v);
	if (rc < 0 ||
	    (rc = ns_mpi_attr_add(net, "E", "refrac", NS_VARIABLE, NS_LOCAL, NS_DTYPE_I32,
				  m->e_refrac)) < 0 ||
	    (rc = ns_mpi_attr_add(net, "E", "tau", NS_PARAMETER, NS_GLOBAL, NS_DTYPE_F64,
				  &m->e_tau)) < 0 ||
	    (rc = ns_mpi_attr_add(net, "I", "v", NS_VARIABLE, NS_LOCAL, NS_DTYPE_F32, m->i_v)) < 0 ||
	    (rc = ns_mpi_attr_add(net, "EE", "w", NS_VARIABLE, NS_LOCAL, NS_DTYPE_F64, m->ee_w)) < 0 ||
	    (rc = ns_mpi_attr_add(net, "EE", "delay", NS_PARAMETER, NS_LOCAL, NS_DTYPE_I64,
				  m->ee_delay)) < 0 ||
	    (rc = ns_mpi_attr_add(net, "EE", "norm", NS_VARIABLE, NS_SEMIGLOBAL, NS_DTYPE_F32,
				  m->ee_norm)) < 0 ||
	    (rc = ns_mpi_attr_add(net, "IE", "w", NS_VARIABLE, NS_LOCAL, NS_DTYPE_F32, m->ie_w)) < 0 ||
	    (rc = ns_mpi_net_attr_add(net, "rng", NS_VARIABLE, NS_DTYPE_U8, 16, m->rng)) < 0 ||
	    (rc = ns_mpi_net_attr_add(net, "seed", NS_PARAMETER, NS_DTYPE_I64, 1, &m->seed)) < 0)
		return rc;
	if (df == DIFF_ATTR &&
	    (rc = ns_mpi_attr_add(net, "I", "extra", NS_PARAMETER, NS_GLOBAL, NS_DTYPE_F32,
				  &m->i_extra)) < 0)
		return rc;
	model_fill(m, state);
	return NS_OK;
}

/* Values of @state; state < 0 gives garbage that no state has. */
static double v_of(int64_t g, int s) { return s < 0 ? -1e9 : (double)g * 0.001 + s; }
static int32_t refrac_of(int64_t g, int s) { return s < 0 ? -77 : (int32_t)(g % 7) + s; }
static float iv_of(int64_t g, int s) { return s < 0 ? -1e9f : (float)g * 0.5f - (float)s; }
static double w_of(int64_t pre, int64_t post, int dup, int s)
{
	return s < 0 ? -1e9 : (double)pre * 1e-3 + (double)post + dup * 0.5 + s;
}
static int64_t delay_of(int64_t pre, int64_t post, int s)
{
	return s < 0 ? -5 : (pre + post) % 9 + s;
}
static float norm_of(int64_t g, int s) { return s < 0 ? -1e9f : (float)g * 0.25f + (float)s; }
static float iw_of(int64_t pre, int64_t post, int s)
{
	return s < 0 ? -1e9f : (float)(pre * 3 + post) + (float)s;
}

void model_fill(struct model *m, int s)
{
	for (uint64_t k = 0; k < m->n_e; k++) {
		m->e_v[k] = v_of(m->e_gid[k], s);
		m->e_refrac[k] = refrac_of(m->e_gid[k], s);
		m->ee_norm[k] = norm_of(m->e_gid[k], s);
	}
	for (uint64_t k = 0; k < m->n_i; k++)
		m->i_v[k] = iv_of(m->i_gid[k], s);
	for (uint64_t k = 0; k < m->n_ee; k++) {
		m->ee_w[k] = w_of(m->ee_pre[k], m->ee_post[k], m->ee_dup[k], s);
		m->ee_delay[k] = delay_of(m->ee_pre[k], m->ee_post[k], s);
	}
	for (uint64_t k = 0; k < m->n_ie; k++)
		m->ie_w[k] = iw_of(m->ie_pre[k], m->ie_post[k], s);
	m->e_tau = s < 0 ? -1 : 10.0 + s;
	for (int k = 0; k < 16; k++)
		m->rng[k] = (uint8_t)(s < 0 ? 0xee : k * 3 + s);
	m->seed = s < 0 ? -1 : 1234 + s;
	ns_mpi_net_set_time(m->net, s < 0 ? -1 : 100.0 * s, s < 0 ? 0 : 1000u * (unsigned)s);
	ns_mpi_net_set_dt(m->net, s < 0 ? -1 : 0.1);
}

#define CHECK(cond, ...)                                                   \
	do {                                                               \
		if (!(cond) && bad++ == 0) {                               \
			fprintf(stderr, "rank %d: ", m->rank);             \
			fprintf(stderr, __VA_ARGS__);                      \
			fputc('\n', stderr);                               \
		}                                                          \
	} while (0)

uint64_t model_check(const struct model *m, int s)
{
	uint64_t bad = 0, step;
	double t;
	for (uint64_t k = 0; k < m->n_e; k++) {
		int64_t g = m->e_gid[k];
		CHECK(m->e_v[k] == v_of(g, s), "E.v[%" PRId64 "] = %.17g", g, m->e_v[k]);
		CHECK(m->e_refrac[k] == refrac_of(g, s), "E.refrac[%" PRId64 "] = %d", g,
		      m->e_refrac[k]);
		CHECK(m->ee_norm[k] == norm_of(g, s), "EE.norm[%" PRId64 "] = %g", g,
		      (double)m->ee_norm[k]);
	}
	for (uint64_t k = 0; k < m->n_i; k++)
		CHECK(m->i_v[k] == iv_of(m->i_gid[k], s), "I.v[%" PRId64 "] = %g", m->i_gid[k],
		      (double)m->i_v[k]);
	for (uint64_t k = 0; k < m->n_ee; k++) {
		CHECK(m->ee_w[k] == w_of(m->ee_pre[k], m->ee_post[k], m->ee_dup[k], s),
		      "EE.w of %" PRId64 " -> %" PRId64 " (dup %d) = %.17g", m->ee_pre[k],
		      m->ee_post[k], m->ee_dup[k], m->ee_w[k]);
		CHECK(m->ee_delay[k] == delay_of(m->ee_pre[k], m->ee_post[k], s),
		      "EE.delay of %" PRId64 " -> %" PRId64 " = %" PRId64, m->ee_pre[k],
		      m->ee_post[k], m->ee_delay[k]);
	}
	for (uint64_t k = 0; k < m->n_ie; k++)
		CHECK(m->ie_w[k] == iw_of(m->ie_pre[k], m->ie_post[k], s),
		      "IE.w of %" PRId64 " -> %" PRId64 " = %g", m->ie_pre[k], m->ie_post[k],
		      (double)m->ie_w[k]);
	CHECK(m->e_tau == (s < 0 ? -1 : 10.0 + s), "E.tau = %g", m->e_tau);
	for (int k = 0; k < 16; k++)
		CHECK(m->rng[k] == (uint8_t)(s < 0 ? 0xee : k * 3 + s), "rng[%d] = %d", k, m->rng[k]);
	CHECK(m->seed == (s < 0 ? -1 : 1234 + s), "seed = %" PRId64, m->seed);
	ns_mpi_net_time(m->net, &t, &step);
	CHECK(t == (s < 0 ? -1 : 100.0 * s), "t = %g", t);
	CHECK(step == (s < 0 ? 0 : 1000u * (unsigned)s), "step = %" PRIu64, step);
	CHECK(ns_mpi_net_dt(m->net) == (s < 0 ? -1 : 0.1), "dt = %g", ns_mpi_net_dt(m->net));
	return bad;
}

void model_free(struct model *m)
{
	ns_mpi_net_free(m->net);
	free(m->e_gid);
	free(m->i_gid);
	free(m->e_v);
	free(m->e_refrac);
	free(m->i_v);
	free(m->ee_norm);
	free(m->ee_pre);
	free(m->ee_post);
	free(m->ee_dup);
	free(m->ee_w);
	free(m->ee_delay);
	free(m->ie_pre);
	free(m->ie_post);
	free(m->ie_w);
}

static void *data_of(ns_network *net, const char *obj, const char *attr)
{
	ns_object *o = obj ? ns_network_object_find(net, obj) : NULL;
	ns_attr *a = o ? ns_object_attr_find(o, attr) : ns_network_attr_find(net, attr);
	void *p = NULL;
	return a && ns_attr_data(&p, a) == NS_OK ? p : NULL;
}

uint64_t model_check_network(ns_network *net, int s)
{
	struct model mm = { .rank = 0 }, *m = &mm;
	const double *ev = data_of(net, "E", "v"), *tau = data_of(net, "E", "tau");
	const double *w = data_of(net, "EE", "w");
	const int32_t *refrac = data_of(net, "E", "refrac");
	const float *iv = data_of(net, "I", "v"), *norm = data_of(net, "EE", "norm");
	const float *iw = data_of(net, "IE", "w");
	const int64_t *delay = data_of(net, "EE", "delay"), *seed = data_of(net, NULL, "seed");
	const uint8_t *rng = data_of(net, NULL, "rng");
	const int32_t *pre, *post;
	ns_object_info e, i, ee, ie;
	uint64_t bad = 0, step;
	double t;
	ns_object_get_info(&e, ns_network_object_find(net, "E"));
	ns_object_get_info(&i, ns_network_object_find(net, "I"));
	ns_object_get_info(&ee, ns_network_object_find(net, "EE"));
	ns_object_get_info(&ie, ns_network_object_find(net, "IE"));
	if (!ev || !tau || !w || !refrac || !iv || !norm || !iw || !delay || !seed || !rng) {
		fprintf(stderr, "assembled network lacks an attribute\n");
		return 1;
	}
	for (uint64_t g = 0; g < e.size; g++) {
		CHECK(ev[g] == v_of((int64_t)g, s), "E.v[%" PRIu64 "] = %.17g", g, ev[g]);
		CHECK(refrac[g] == refrac_of((int64_t)g, s), "E.refrac[%" PRIu64 "]", g);
		CHECK(norm[g] == norm_of((int64_t)g, s), "EE.norm[%" PRIu64 "]", g);
	}
	for (uint64_t g = 0; g < i.size; g++)
		CHECK(iv[g] == iv_of((int64_t)g, s), "I.v[%" PRIu64 "]", g);
	/* EE in the shards' order: a multapse's second synapse follows its first. */
	ns_projection_connectivity(&pre, &post, ns_network_object_find(net, "EE"));
	CHECK(ee.size == e.size * 2 + (e.size + 4) / 5, "EE has %" PRIu64 " synapses", ee.size);
	for (uint64_t k = 0; k < ee.size; k++) {
		int dup = k > 0 && pre[k] == pre[k - 1] && post[k] == post[k - 1];
		CHECK(w[k] == w_of(pre[k], post[k], dup, s), "EE.w of %d -> %d = %.17g", pre[k],
		      post[k], w[k]);
		CHECK(delay[k] == delay_of(pre[k], post[k], s), "EE.delay of %d -> %d", pre[k],
		      post[k]);
	}
	ns_projection_connectivity(&pre, &post, ns_network_object_find(net, "IE"));
	CHECK(ie.size == e.size, "IE has %" PRIu64 " synapses", ie.size);
	for (uint64_t k = 0; k < ie.size; k++)
		CHECK(iw[k] == iw_of(pre[k], post[k], s), "IE.w of %d -> %d", pre[k], post[k]);
	CHECK(*tau == 10.0 + s, "E.tau = %g", *tau);
	for (int k = 0; k < 16; k++)
		CHECK(rng[k] == (uint8_t)(k * 3 + s), "rng[%d] = %d", k, rng[k]);
	CHECK(*seed == 1234 + s, "seed = %" PRId64, *seed);
	ns_network_time(net, &t, &step);
	CHECK(t == 100.0 * s && step == 1000u * (unsigned)s, "t = %g, step %" PRIu64, t, step);
	CHECK(ns_network_dt(net) == 0.1, "dt = %g", ns_network_dt(net));
	return bad;
}
