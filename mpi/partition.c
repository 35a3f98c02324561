/* SPDX-License-Identifier: MIT */
/* Sort orders of gids and synapses, and the collective check that every
 * neuron is owned by exactly one rank. */
#include "internal.h"

#include <inttypes.h>
#include <stdlib.h>

uint64_t nsm_mix(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ull;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

struct key {
	int64_t a, b; /* post, pre (or gid, 0) */
	uint64_t index;
};

static int key_cmp(const void *x, const void *y)
{
	const struct key *p = x, *q = y;
	if (p->a != q->a)
		return p->a < q->a ? -1 : 1;
	if (p->b != q->b)
		return p->b < q->b ? -1 : 1;
	return p->index < q->index ? -1 : p->index > q->index;
}

static int sort_keys(uint64_t **perm, int *sorted, const int64_t *a, const int64_t *b, uint64_t n)
{
	struct key *k;
	uint64_t *p;
	int in_order = 1, a_in_order = 1;
	for (uint64_t i = 1; i < n && a_in_order; i++) {
		if (a[i] < a[i - 1])
			a_in_order = in_order = 0;
		else if (a[i] == a[i - 1] && b && b[i] < b[i - 1])
			in_order = 0;
	}
	*sorted = in_order;
	*perm = NULL;
	if (in_order)
		return NS_OK;
	if (n > SIZE_MAX / sizeof *k || !(k = malloc(n * sizeof *k)))
		return nsm_err(NS_ENOMEM, "sorting %" PRIu64 " ids: out of memory", n);
	if (!(p = malloc(n * sizeof *p))) {
		free(k);
		return nsm_err(NS_ENOMEM, "sorting %" PRIu64 " ids: out of memory", n);
	}
	for (uint64_t i = 0; i < n; i++) {
		k[i].a = a[i];
		k[i].b = b ? b[i] : 0;
		k[i].index = i;
	}
	if (a_in_order) /* by post already (as simulators keep them): each post's run */
		for (uint64_t i = 0, e; i < n; i = e) {
			for (e = i + 1; e < n && a[e] == a[i]; e++)
				;
			if (e - i > 1)
				qsort(k + i, e - i, sizeof *k, key_cmp);
		}
	else
		qsort(k, n, sizeof *k, key_cmp);
	for (uint64_t i = 0; i < n; i++)
		p[i] = k[i].index;
	free(k);
	*perm = p;
	return NS_OK;
}

int nsm_obj_order(const uint64_t **perm, struct nsm_obj *o)
{
	if (!o->order_known) {
		int rc, sorted;
		if (o->kind == NS_POPULATION)
			rc = sort_keys(&o->order, &sorted, o->gids, NULL, o->n_local);
		else
			rc = sort_keys(&o->order, &sorted, o->post_gids, o->pre_gids, o->n_local);
		if (rc < 0)
			return rc;
		o->order_known = 1;
	}
	*perm = o->order;
	return NS_OK;
}

/* Per population: neurons owned here, and the sum of the mixed gids. A
 * partition of 0..size-1 gives size and the sum over all gids. */
int nsm_check_partition(const ns_mpi_net *net)
{
	size_t n = net->n_objs;
	uint64_t *mine = calloc(2 * n + 1, sizeof *mine), *all = calloc(2 * n + 1, sizeof *all);
	int rc = NS_OK;
	if (!mine || !all) {
		rc = nsm_err(NS_ENOMEM, "network '%s': out of memory", net->name);
		goto vote;
	}
	for (size_t i = 0; i < n; i++) {
		const struct nsm_obj *o = &net->objs[i];
		if (o->kind != NS_POPULATION)
			continue;
		mine[2 * i] = o->n_local;
		for (uint64_t k = 0; k < o->n_local; k++)
			mine[2 * i + 1] += nsm_mix((uint64_t)o->gids[k]);
	}
vote:
	if ((rc = nsm_agree(net->comm, rc)) < 0)
		goto done;
	MPI_Allreduce(mine, all, (int)(2 * n + 1), MPI_UINT64_T, MPI_SUM, net->comm);
	for (size_t i = 0; i < n && rc == NS_OK; i++) {
		const struct nsm_obj *o = &net->objs[i];
		uint64_t want = 0;
		if (o->kind != NS_POPULATION)
			continue;
		for (uint64_t g = 0; g < o->size; g++)
			want += nsm_mix(g);
		if (all[2 * i] != o->size)
			rc = nsm_err(NS_EINVAL,
				     "population '%s': the %d ranks own %" PRIu64
				     " neurons in all, not its %" PRIu64
				     ": every neuron must be owned by exactly one rank",
				     o->name, net->size, all[2 * i], o->size);
		else if (all[2 * i + 1] != want)
			rc = nsm_err(NS_EINVAL,
				     "population '%s': some neurons are owned by two ranks and "
				     "others by none: every neuron must be owned by exactly one rank",
				     o->name);
	}
	/* Every rank reached the same verdict from the same sums. */
	rc = nsm_agreed(rc);
done:
	free(mine);
	free(all);
	return rc;
}
