/* SPDX-License-Identifier: MIT */
/* The network of the MPI tests: two populations, two projections (one
 * with multapses), every kind of scope, distributed over the ranks in one
 * of several ways; every value a function of the gids and a state number,
 * so that any rank can tell whether what it holds is right. */
#ifndef NSNAP_TESTS_MPI_MODEL_H
#define NSNAP_TESTS_MPI_MODEL_H

#include <nsnap/mpi.h>
#include <nsnap/nsnap.h>

#include <stdint.h>

/* How neurons are dealt out: round-robin (as NEST does), contiguous
 * blocks, or round-robin listed in descending order (unsorted gids). */
typedef enum { DIST_RR, DIST_BLOCK, DIST_REV } dist;

/* Ways to build a network that differs from the model. */
typedef enum {
	DIFF_NONE,
	DIFF_SIZE,       /* population E has one neuron more */
	DIFF_DTYPE,      /* E.v is f32 */
	DIFF_ATTR,       /* an attribute the version lacks */
	DIFF_SYNAPSE,    /* the last rank holds one synapse more */
} diff;

struct model {
	ns_mpi_net *net;
	int rank, size;
	uint64_t ne, ni;
	int64_t *e_gid, *i_gid;
	uint64_t n_e, n_i;
	double *e_v;
	int32_t *e_refrac;
	double e_tau;
	float *i_v;
	float i_extra;
	/* EE: E -> E with multapses; IE: I -> E */
	int64_t *ee_pre, *ee_post, *ie_pre, *ie_post;
	int *ee_dup; /* which duplicate of its pair a synapse is */
	uint64_t n_ee, n_ie;
	double *ee_w;
	int64_t *ee_delay;
	float *ee_norm; /* semiglobal: per owned E neuron */
	float *ie_w;
	uint8_t rng[16];
	int64_t seed;
};

/* Build rank's part, with the values of @state (state < 0: garbage). */
int model_build(struct model *m, MPI_Comm comm, dist d, diff df, int state, uint64_t ne,
		uint64_t ni);
/* Fill the arrays with the values of @state. */
void model_fill(struct model *m, int state);
/* Number of values that differ from @state's (0 when all are right),
 * the first one described on stderr. */
uint64_t model_check(const struct model *m, int state);
void model_free(struct model *m);
/* As model_check(), of a whole network assembled by ns_mpi_open(). */
uint64_t model_check_network(ns_network *net, int state);
dist dist_parse(const char *s);

#endif
