/* SPDX-License-Identifier: MIT */
/* The benchmarks' network as a simulator holds it: populations E and I,
 * four projections between them, each array bound to an ns_network. */
#ifndef NSNAP_BENCH_MODEL_H
#define NSNAP_BENCH_MODEL_H

#include "bench_util.h"

enum { POP_E, POP_I, N_POPS };
#define N_PROJS (N_POPS * N_POPS)
/* v, r and tau per population; pre, post, w and delay per projection */
#define N_MODEL_ARRAYS (3 * N_POPS + 4 * N_PROJS)

typedef struct population {
	const char *name;
	uint32_t first, size; /* its neurons in store_bench's flat numbering */
	double tau;
	double *v;
	int32_t *r;
} population;

typedef struct projection {
	char name[3]; /* pre then post: "EI" goes from E to I */
	int pre, post;
	uint64_t n;
	int32_t *pre_rank, *post_rank; /* sorted by post, then pre */
	double *w, *delay;
} projection;

typedef struct model {
	population pop[N_POPS];
	projection proj[N_PROJS];
	/* all of the above, to write, read and compare them */
	array arrays[N_MODEL_ARRAYS];
	char names[N_MODEL_ARRAYS][16];
	uint64_t bytes, n_syn;
	ns_network *net; /* bound to the arrays */
} model;

/* store_bench's network cut into populations and projections. */
void model_from_network(model *m, const network *flat);
/* A second network as a simulator would have built it before restoring:
 * the same connectivity, its state zero. */
void model_like(model *m, const model *src);
/* The engine's description of @m (m->net), bound to its arrays. */
void model_bind(model *m, const char *name);
void model_free(model *m);
/* Zero every attribute (not the connectivity). */
void model_zero_state(model *m);

#endif
