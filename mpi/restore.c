/* SPDX-License-Identifier: MIT */
/* The collective restore on any number of ranks: plan everything from the
 * shards' maps, vote, then write. */
#include "internal.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Where each owned neuron or held synapse of an object is in the shards:
 * pairs (local index, shard index) grouped by shard, each group in shard
 * order, so that writing reads every shard forwards. */
struct pair {
	uint64_t local, index;
};
/* A value a rank reads, entry @index of shard @shard: another rank's, the
 * @pos-th request it got (counting every rank's in rank order), or its
 * own, at local index @pos & SELF. */
struct want {
	uint64_t shard, index, pos;
};

struct plan {
	struct pair *pairs;
	size_t *start;        /* n_shards + 1 */
	uint64_t *shard_count; /* entries of the object in each shard */
	/* The exchange: each shard's entries fall into units of @granule (a
	 * chunk of 8-byte values), each read by one rank, which sends the
	 * values to their owners. */
	uint64_t *granule;    /* per shard */
	int *shift;           /* per shard: log2 of granule, or -1 */
	size_t *unit_start;   /* per shard + 1 */
	int *reader;          /* per unit */
	int *send_n, *send_off; /* per rank: this rank's requests to it */
	int *recv_n, *recv_off; /* per rank: its requests to this rank */
	uint64_t *req_pos;    /* per pair: where its value comes back */
	struct want *wants;   /* what this rank reads, by unit: others' and its own */
	uint64_t n_wants, n_remote; /* all, and the other ranks' */
	uint64_t n_requested;       /* values this rank gets from others */
	int direct;           /* this rank reads all it owns and nothing else: no wants */
	uint64_t matched_mix; /* sum of nsm_mix over the matched entries */
	uint64_t stored;      /* entries in all shards */
	uint64_t stored_mix;  /* sum of nsm_mix over every stored entry */
};

struct restore {
	ns_mpi_net *net;
	const char *dir;
	unsigned flags;
	int no_time; /* the options' */
	int n_shards;
	uint64_t number;   /* global version */
	char what[64];     /* "version 3" */
	ns_store *global;
	ns_version *gv;
	ns_mpi_net *stored;
	double t, dt;
	uint64_t step;
	ns_store **stores;
	ns_version **shards;
	struct plan *plans;           /* per object */
	struct nsm_reader **readers;  /* per object: n_attrs * n_shards */
	struct nsm_reader *net_readers; /* network-wide arrays, global-scope values */
	struct nsm_reader **global_readers; /* per object: n_attrs (global scope) */
	struct nsm_decode dec;
};

static uint64_t entry_mix(int shard, uint64_t index)
{
	return nsm_mix(((uint64_t)shard << 44) ^ index);
}

/* The global record's entry @key, as an unsigned integer (@out) or, when
 * @f is not NULL, a double (@f). */
static int meta_number(uint64_t *out, double *f, const struct restore *rs, const char *key)
{
	const char *v;
	char *end;
	if (ns_version_meta_get(&v, rs->gv, key) < 0)
		return nsm_err(NS_ECORRUPT, "store directory '%s': %s: no '%s' in the global record",
			       rs->dir, rs->what, key);
	if (f)
		*f = strtod(v, &end);
	else
		*out = strtoull(v, &end, 10);
	if (!*v || *end)
		return nsm_err(NS_ECORRUPT, "store directory '%s': %s: bad '%s' ('%s')", rs->dir,
			       rs->what, key, v);
	return NS_OK;
}

static int meta_u64(uint64_t *out, const struct restore *rs, const char *key)
{
	return meta_number(out, NULL, rs, key);
}

static int meta_f64(double *out, const struct restore *rs, const char *key)
{
	return meta_number(NULL, out, rs, key);
}

/* The global record: structure, time, shard versions. */
static int open_global(struct restore *rs, const char *rev)
{
	char path[NSM_PATH_MAX];
	ns_store_opts so = NS_STORE_OPTS_INIT;
	const void *blob;
	size_t len;
	uint64_t u, format;
	int rc;
	NSM_TRY(nsm_path(path, rs->dir, NSM_GLOBAL_FILE));
	so.flags = NS_STORE_RDONLY;
	if ((rc = ns_store_open(&rs->global, path, &so)) < 0) {
		if (rc == NS_ENOTFOUND)
			return nsm_err(rc, "store directory '%s': no global store '%s' (not a sharded "
				       "store, or no snapshot was completed)", rs->dir, path);
		return nsm_err_ns(rc, "store directory '%s'", rs->dir);
	}
	if ((rc = ns_version_open(&rs->gv, rs->global, rev ? rev : "HEAD")) < 0)
		return nsm_err_ns(rc, "store directory '%s'", rs->dir);
	rs->number = ns_version_get_info(rs->gv)->number;
	snprintf(rs->what, sizeof rs->what, "version %" PRIu64, rs->number);
	NSM_TRY(meta_u64(&format, rs, "nsnap.mpi.format"));
	if (format > NSM_FORMAT)
		return nsm_err(NS_EVERSION, "store directory '%s': %s: written by a newer nsnap "
			       "(format %" PRIu64 ", this one reads up to %d)", rs->dir, rs->what,
			       format, NSM_FORMAT);
	NSM_TRY(meta_u64(&u, rs, "nsnap.mpi.ranks"));
	if (u == 0 || u > 1u << 20)
		return nsm_err(NS_ECORRUPT, "store directory '%s': %s: %" PRIu64 " shards",
			       rs->dir, rs->what, u);
	rs->n_shards = (int)u;
	NSM_TRY(meta_f64(&rs->t, rs, "nsnap.mpi.time"));
	NSM_TRY(meta_f64(&rs->dt, rs, "nsnap.mpi.dt"));
	NSM_TRY(meta_u64(&rs->step, rs, "nsnap.mpi.step"));
	ns_version_blob(&blob, &len, rs->gv);
	NSM_TRY(nsm_structure_parse(&rs->stored, blob, len, rs->what));
	return nsm_structure_compare(rs->stored, rs->what, rs->net, "the network", NS_EMISMATCH);
done:
	return rc;
}

static int open_shards(struct restore *rs)
{
	char path[NSM_PATH_MAX], file[64], key[64];
	const char *round, *theirs;
	ns_store_opts so = NS_STORE_OPTS_INIT;
	int rc = NS_OK;
	so.flags = NS_STORE_RDONLY;
	rs->stores = calloc((size_t)rs->n_shards, sizeof *rs->stores);
	rs->shards = calloc((size_t)rs->n_shards, sizeof *rs->shards);
	if (!rs->stores || !rs->shards)
		return nsm_err(NS_ENOMEM, "store directory '%s': out of memory", rs->dir);
	ns_version_meta_get(&round, rs->gv, "nsnap.mpi.round");
	for (int s = 0; s < rs->n_shards; s++) {
		uint64_t v;
		nsm_shard_file(file, s);
		NSM_TRY(nsm_path(path, rs->dir, file));
		snprintf(key, sizeof key, "nsnap.mpi.shard.%d", s);
		NSM_TRY(meta_u64(&v, rs, key));
		if ((rc = ns_store_open(&rs->stores[s], path, &so)) < 0 ||
		    (rc = ns_version_open_number(&rs->shards[s], rs->stores[s], v)) < 0)
			return nsm_err_ns(rc == NS_ENOTFOUND ? NS_ECORRUPT : rc,
					  "store directory '%s': %s needs version %" PRIu64
					  " of shard '%s'", rs->dir, rs->what, v, path);
		if (ns_version_meta_get(&theirs, rs->shards[s], "nsnap.mpi.round") < 0 || !round ||
		    strcmp(theirs, round))
			return nsm_err(NS_ECORRUPT,
				       "store directory '%s': %s: version %" PRIu64 " of shard '%s' "
				       "is of another snapshot (the file was replaced?)",
				       rs->dir, rs->what, v, path);
	}
done:
	return rc;
}

/* Match the owned neurons (@b NULL) or held synapses of @o against every
 * shard's sorted ids (@an, and @bn for synapses: post, then pre). */
static int plan_object(struct restore *rs, struct plan *pl, struct nsm_obj *o)
{
	const int64_t *ka = o->kind == NS_POPULATION ? o->gids : o->post_gids;
	const int64_t *kb = o->kind == NS_POPULATION ? NULL : o->pre_gids;
	const uint64_t *perm;
	uint64_t n = o->n_local, done_pairs = 0;
	int64_t *sorted = NULL; /* the ids in their order, for a forward scan */
	uint8_t *assigned = NULL;
	struct nsm_decode dec_b = { 0 };
	char name[600];
	int rc;
	NSM_TRY(nsm_obj_order(&perm, o));
	pl->pairs = malloc((n ? n : 1) * sizeof *pl->pairs);
	pl->start = calloc((size_t)rs->n_shards + 1, sizeof *pl->start);
	pl->shard_count = calloc((size_t)rs->n_shards, sizeof *pl->shard_count);
	pl->granule = calloc((size_t)rs->n_shards, sizeof *pl->granule);
	assigned = calloc(n ? n : 1, 1);
	if (perm)
		sorted = malloc(n * (kb ? 2 : 1) * sizeof *sorted);
	if (!pl->pairs || !pl->start || !pl->shard_count || !pl->granule || !assigned ||
	    (perm && !sorted)) {
		rc = nsm_err(NS_ENOMEM, "%s '%s': out of memory", ns_object_kind_name(o->kind),
			     o->name);
		goto done;
	}
	if (perm) {
		for (uint64_t p = 0; p < n; p++)
			sorted[p] = ka[perm[p]];
		ka = sorted;
		if (kb) {
			for (uint64_t p = 0; p < n; p++)
				sorted[n + p] = kb[perm[p]];
			kb = sorted + n;
		}
	}
#define LOCAL(p) (perm ? perm[p] : (p))
#define KA(p) ka[p]
#define KB(p) (kb ? kb[p] : 0)
	for (int s = 0; s < rs->n_shards; s++) {
		struct nsm_reader ra, rb;
		char what[NSM_PATH_MAX + 64];
		int64_t pa = INT64_MIN, pb = INT64_MIN;
		const void *va = NULL, *vb = NULL;
		uint64_t p = 0, k = 0;
		pl->start[s] = done_pairs;
		snprintf(what, sizeof what, "shard %d of %s", s, rs->what);
		snprintf(name, sizeof name, "%s/%s", kb ? "post" : "gid", o->name);
		NSM_TRY(nsm_reader_open(&ra, rs->shards[s], name, NS_DTYPE_I64, UINT64_MAX,
					rs->flags, &rs->dec, what));
		if (kb) {
			snprintf(name, sizeof name, "pre/%s", o->name);
			NSM_TRY(nsm_reader_open(&rb, rs->shards[s], name, NS_DTYPE_I64, ra.info.count,
						rs->flags, &dec_b, what));
		}
		pl->shard_count[s] = ra.info.count;
		pl->granule[s] = ra.info.chunk_size / 8 ? ra.info.chunk_size / 8 : 1;
		pl->stored += ra.info.count;
		for (uint64_t i = 0, left = 0; i < ra.info.count; i++, left--) {
			int64_t a, b = 0;
			/* A run of entries in the chunks at hand: pre has a decode
			 * buffer of its own, so that both stay valid. */
			if (!left) {
				int64_t na = nsm_reader_span(&va, &ra, i), nb = na;
				if (na < 0 || (kb && (nb = nsm_reader_span(&vb, &rb, i)) < 0)) {
					rc = (int)(na < 0 ? na : nb);
					goto done;
				}
				left = (uint64_t)(na < nb ? na : nb);
				k = 0;
			}
			memcpy(&a, (const uint8_t *)va + 8 * k, 8);
			if (kb)
				memcpy(&b, (const uint8_t *)vb + 8 * k, 8);
			k++;
			pl->stored_mix += entry_mix(s, i);
			if (a < pa || (a == pa && b < pb) || (!kb && a == pa)) {
				rc = nsm_err(NS_ECORRUPT, "%s: %s '%s': entry %" PRIu64 " is out of order",
					     what, ns_object_kind_name(o->kind), o->name, i);
				goto done;
			}
			pa = a;
			pb = b;
			while (p < n && (KA(p) < a || (KA(p) == a && KB(p) < b)))
				p++;
			if (p == n || KA(p) != a || KB(p) != b)
				continue;
			uint64_t u = p;
			while (u < n && KA(u) == a && KB(u) == b && assigned[u])
				u++;
			if (u == n || KA(u) != a || KB(u) != b) {
				if (kb)
					rc = nsm_err(NS_EMISMATCH,
						     "projection '%s': %s has more synapses %" PRId64
						     " -> %" PRId64 " than rank %d holds (all synapses of "
						     "one pair must live on one rank)",
						     o->name, rs->what, b, a, rs->net->rank);
				else
					rc = nsm_err(NS_ECORRUPT, "population '%s': %s has neuron %" PRId64
						     " twice", o->name, rs->what, a);
				goto done;
			}
			assigned[u] = 1;
			pl->pairs[done_pairs].local = LOCAL(u);
			pl->pairs[done_pairs].index = i;
			done_pairs++;
			pl->matched_mix += entry_mix(s, i);
		}
	}
	pl->start[rs->n_shards] = done_pairs;
	for (uint64_t p = 0; p < n; p++)
		if (!assigned[p]) {
			if (kb)
				rc = nsm_err(NS_EMISMATCH,
					     "projection '%s': synapse %" PRId64 " -> %" PRId64
					     " (entry %" PRIu64 " on rank %d) is not in %s",
					     o->name, KB(p), KA(p), LOCAL(p), rs->net->rank, rs->what);
			else
				rc = nsm_err(NS_EMISMATCH, "population '%s': neuron %" PRId64
					     " (entry %" PRIu64 " on rank %d) is not in %s",
					     o->name, KA(p), LOCAL(p), rs->net->rank, rs->what);
			goto done;
		}
#undef LOCAL
#undef KA
#undef KB
	rc = NS_OK;
done:
	rs->dec.bytes += dec_b.bytes;
	free(dec_b.buf);
	free(sorted);
	free(assigned);
	return rc;
}

/* Readers for every attribute of every object in every shard, checked. */
static int open_readers(struct restore *rs)
{
	const ns_mpi_net *net = rs->net;
	char name[600], what[NSM_PATH_MAX + 64];
	int rc = NS_OK;
	rs->readers = calloc(net->n_objs + 1, sizeof *rs->readers);
	rs->global_readers = calloc(net->n_objs + 1, sizeof *rs->global_readers);
	rs->net_readers = calloc(net->n_net_attrs + 1, sizeof *rs->net_readers);
	if (!rs->readers || !rs->global_readers || !rs->net_readers)
		return nsm_err(NS_ENOMEM, "store directory '%s': out of memory", rs->dir);
	for (size_t i = 0; i < net->n_objs; i++) {
		const struct nsm_obj *o = &net->objs[i];
		rs->readers[i] = calloc(o->n_attrs * (size_t)rs->n_shards + 1, sizeof **rs->readers);
		rs->global_readers[i] = calloc(o->n_attrs + 1, sizeof **rs->global_readers);
		if (!rs->readers[i] || !rs->global_readers[i])
			return nsm_err(NS_ENOMEM, "store directory '%s': out of memory", rs->dir);
		for (size_t k = 0; k < o->n_attrs; k++) {
			const struct nsm_attr *a = &o->attrs[k];
			snprintf(name, sizeof name, "attr/%s/%s", o->name, a->name);
			if (a->scope == NS_GLOBAL) {
				snprintf(what, sizeof what, "global record of %s", rs->what);
				NSM_TRY(nsm_reader_open(&rs->global_readers[i][k], rs->gv, name,
							a->dtype, 1, rs->flags, &rs->dec, what));
				continue;
			}
			for (int s = 0; s < rs->n_shards; s++) {
				const struct plan *pl = &rs->plans[i];
				if (a->scope == NS_SEMIGLOBAL)
					pl = &rs->plans[nsm_obj_find(net, o->post) - net->objs];
				snprintf(what, sizeof what, "shard %d of %s", s, rs->what);
				NSM_TRY(nsm_reader_open(&rs->readers[i][k * (size_t)rs->n_shards + (size_t)s],
							rs->shards[s], name, a->dtype,
							pl->shard_count[s], rs->flags, &rs->dec, what));
			}
		}
	}
	snprintf(what, sizeof what, "global record of %s", rs->what);
	for (size_t k = 0; k < net->n_net_attrs; k++) {
		const struct nsm_attr *a = &net->net_attrs[k];
		snprintf(name, sizeof name, "net/%s", a->name);
		NSM_TRY(nsm_reader_open(&rs->net_readers[k], rs->gv, name, a->dtype, a->count,
					rs->flags, &rs->dec, what));
	}
done:
	return rc;
}

static int plan_all(struct restore *rs)
{
	int rc = NS_OK;
	if (!(rs->plans = calloc(rs->net->n_objs + 1, sizeof *rs->plans)))
		return nsm_err(NS_ENOMEM, "store directory '%s': out of memory", rs->dir);
	NSM_TRY(open_shards(rs));
	for (size_t i = 0; i < rs->net->n_objs; i++)
		NSM_TRY(plan_object(rs, &rs->plans[i], &rs->net->objs[i]));
	NSM_TRY(open_readers(rs));
done:
	return rc;
}

/* Collective: the ranks hold every stored synapse exactly once. */
static int check_synapse_totals(struct restore *rs)
{
	const ns_mpi_net *net = rs->net;
	size_t n = net->n_objs;
	uint64_t *mine = calloc(2 * n + 1, sizeof *mine), *all = calloc(2 * n + 1, sizeof *all);
	int rc = NS_OK;
	if (!mine || !all)
		rc = nsm_err(NS_ENOMEM, "store directory '%s': out of memory", rs->dir);
	if ((rc = nsm_agree(net->comm, rc)) < 0)
		goto done;
	for (size_t i = 0; i < n; i++) {
		mine[2 * i] = net->objs[i].n_local;
		mine[2 * i + 1] = rs->plans[i].matched_mix;
	}
	MPI_Allreduce(mine, all, (int)(2 * n + 1), MPI_UINT64_T, MPI_SUM, net->comm);
	for (size_t i = 0; i < n && rc == NS_OK; i++) {
		const struct nsm_obj *o = &net->objs[i];
		const struct plan *pl = &rs->plans[i];
		if (o->kind != NS_PROJECTION)
			continue;
		if (all[2 * i] != pl->stored)
			rc = nsm_err(NS_EMISMATCH,
				     "projection '%s': the %d ranks hold %" PRIu64
				     " synapses, %s has %" PRIu64, o->name, net->size, all[2 * i],
				     rs->what, pl->stored);
		else if (all[2 * i + 1] != pl->stored_mix)
			rc = nsm_err(NS_EMISMATCH,
				     "projection '%s': two ranks hold the same synapse of %s and "
				     "none holds another", o->name, rs->what);
	}
	/* Every rank reached the same verdict from the same sums. */
	rc = nsm_agreed(rc);
done:
	free(mine);
	free(all);
	return rc;
}

/* ---------------------------------------------------------------- the exchange
 *
 * A rank reads the units of the shards given to it and sends their values
 * to the ranks that own them (MPI_Alltoallv), so that it reads about its
 * share of the values whatever the two distributions (two-phase I/O, as
 * MPI-IO's collective buffering does it). A unit goes to the rank that owns
 * most of its entries when one owns more than half (on the distribution it
 * was written in, or in blocks, its owner), else round-robin. */

static int oom(const struct restore *rs)
{
	return nsm_err(NS_ENOMEM, "store directory '%s': out of memory", rs->dir);
}

static size_t unit_of(const struct plan *pl, uint64_t shard, uint64_t index)
{
	int sh = pl->shift[shard];
	return pl->unit_start[shard] + (size_t)(sh >= 0 ? index >> sh : index / pl->granule[shard]);
}

/* A want whose value is this rank's own: @pos is the local index, marked. */
#define SELF (UINT64_C(1) << 63)

/* Collective: who reads what of plan @pl, and the requests, exchanged. */
static int plan_exchange(struct restore *rs, struct plan *pl)
{
	MPI_Comm comm = rs->net->comm;
	int size = rs->net->size, me = rs->net->rank, rc = NS_OK;
	size_t n_units = 0, n_pairs = pl->start[rs->n_shards];
	struct { double count; int rank; } *mine = NULL, *best = NULL;
	uint64_t *send = NULL, *recv = NULL, n_recv = 0, n_self = 0, *by_unit = NULL;
	size_t *unit = NULL; /* per pair */
	int *at = NULL;
	MPI_Datatype two;
	pl->unit_start = calloc((size_t)rs->n_shards + 1, sizeof *pl->unit_start);
	pl->send_n = calloc((size_t)size, sizeof *pl->send_n);
	pl->send_off = calloc((size_t)size, sizeof *pl->send_off);
	pl->recv_n = calloc((size_t)size, sizeof *pl->recv_n);
	pl->recv_off = calloc((size_t)size, sizeof *pl->recv_off);
	pl->shift = calloc((size_t)rs->n_shards + 1, sizeof *pl->shift);
	if (pl->unit_start && pl->shift)
		for (int s = 0; s < rs->n_shards; s++) {
			uint64_t g = pl->granule[s];
			pl->shift[s] = (g & (g - 1)) == 0 ? __builtin_ctzll(g) : -1;
			pl->unit_start[s] = n_units;
			n_units += (size_t)((pl->shard_count[s] + pl->granule[s] - 1) / pl->granule[s]);
			pl->unit_start[s + 1] = n_units;
		}
	pl->reader = calloc(n_units + 1, sizeof *pl->reader);
	mine = calloc(n_units + 1, sizeof *mine);
	best = calloc(n_units + 1, sizeof *best);
	unit = malloc((n_pairs + 1) * sizeof *unit);
	at = calloc((size_t)size, sizeof *at);
	pl->req_pos = malloc((n_pairs + 1) * sizeof *pl->req_pos);
	if (!pl->unit_start || !pl->send_n || !pl->send_off || !pl->recv_n || !pl->recv_off ||
	    !pl->shift || !pl->reader || !mine || !best || !unit || !at || !pl->req_pos)
		rc = oom(rs);
	NSM_TRY(nsm_agree(comm, rc));

	for (size_t u = 0; u < n_units; u++)
		mine[u].rank = me;
	for (int s = 0; s < rs->n_shards; s++)
		for (size_t j = pl->start[s]; j < pl->start[s + 1]; j++) {
			unit[j] = unit_of(pl, (uint64_t)s, pl->pairs[j].index);
			mine[unit[j]].count++;
		}
	MPI_Allreduce(mine, best, (int)n_units, MPI_DOUBLE_INT, MPI_MAXLOC, comm);
	for (int s = 0; s < rs->n_shards; s++)
		for (size_t u = pl->unit_start[s]; u < pl->unit_start[s + 1]; u++) {
			uint64_t first = (u - pl->unit_start[s]) * pl->granule[s];
			uint64_t len = pl->shard_count[s] - first < pl->granule[s] ?
					       pl->shard_count[s] - first :
					       pl->granule[s];
			pl->reader[u] = 2 * best[u].count > (double)len ? best[u].rank :
									 (int)(u % (size_t)size);
		}

	/* The requests to the other readers, in this rank's order of pairs;
	 * this rank serves its own pairs of the units it reads itself. */
	for (size_t j = 0; j < n_pairs; j++)
		if (pl->reader[unit[j]] != me)
			pl->send_n[pl->reader[unit[j]]]++;
	MPI_Alltoall(pl->send_n, 1, MPI_INT, pl->recv_n, 1, MPI_INT, comm);
	for (int r = 0, so = 0, ro = 0; r < size; r++) {
		pl->send_off[r] = so;
		pl->recv_off[r] = ro;
		so += pl->send_n[r];
		ro += pl->recv_n[r];
		n_recv += (uint64_t)pl->recv_n[r];
	}
	if (!(send = malloc((2 * (uint64_t)(pl->send_off[size - 1] + pl->send_n[size - 1]) + 1) *
			    sizeof *send)))
		rc = oom(rs);
	NSM_TRY(nsm_agree(comm, rc));
	for (int s = 0; s < rs->n_shards; s++)
		for (size_t j = pl->start[s]; j < pl->start[s + 1]; j++) {
			int r = pl->reader[unit[j]];
			uint64_t *q;
			if (r == me) {
				pl->req_pos[j] = SELF;
				n_self++;
				continue;
			}
			pl->req_pos[j] = (uint64_t)pl->send_off[r] + (uint64_t)at[r]++;
			q = send + 2 * pl->req_pos[j];
			q[0] = (uint64_t)s;
			q[1] = pl->pairs[j].index;
		}
	/* Reading its own values only (as on the distribution written), a rank
	 * copies them from its pairs, in runs. */
	pl->direct = n_recv == 0 && n_self == n_pairs;
	pl->n_requested = n_pairs - n_self;
	recv = malloc((2 * n_recv + 1) * sizeof *recv);
	pl->wants = malloc(((pl->direct ? 0 : n_recv + n_self) + 1) * sizeof *pl->wants);
	by_unit = calloc(n_units + 1, sizeof *by_unit);
	if (!recv || !pl->wants || !by_unit)
		rc = oom(rs);
	NSM_TRY(nsm_agree(comm, rc));
	MPI_Type_contiguous(2, MPI_UINT64_T, &two);
	MPI_Type_commit(&two);
	MPI_Alltoallv(send, pl->send_n, pl->send_off, two, recv, pl->recv_n, pl->recv_off, two,
		      comm);
	MPI_Type_free(&two);
	if (pl->direct)
		goto done;

	/* Every value this rank reads, the others' and its own, by unit (a
	 * counting sort), so that each chunk is read once, in rising order. */
	for (uint64_t w = 0; w < n_recv; w++)
		by_unit[unit_of(pl, recv[2 * w], recv[2 * w + 1]) + 1]++;
	for (size_t j = 0; j < n_pairs; j++)
		if (pl->req_pos[j] == SELF)
			by_unit[unit[j] + 1]++;
	for (size_t u = 0; u < n_units; u++)
		by_unit[u + 1] += by_unit[u];
	for (int s = 0; s < rs->n_shards; s++)
		for (size_t j = pl->start[s]; j < pl->start[s + 1]; j++)
			if (pl->req_pos[j] == SELF)
				pl->wants[by_unit[unit[j]]++] =
					(struct want){ (uint64_t)s, pl->pairs[j].index,
						       SELF | pl->pairs[j].local };
	for (uint64_t w = 0; w < n_recv; w++)
		pl->wants[by_unit[unit_of(pl, recv[2 * w], recv[2 * w + 1])]++] =
			(struct want){ recv[2 * w], recv[2 * w + 1], w };
	pl->n_wants = n_recv + n_self;
	pl->n_remote = n_recv;
done:
	free(by_unit);
	free(unit);
	free(at);
	free(mine);
	free(best);
	free(send);
	free(recv);
	return rc;
}

/* Copy the elements @p of @r (in rising order of index) into @dst, or with
 * @dst NULL only read them. */
static int copy_values(void *dst, struct nsm_reader *r, const struct pair *p, size_t n)
{
	uint8_t *out = dst;
	const uint8_t *base = NULL; /* elements lo..hi-1 of the chunk at hand */
	uint64_t lo = 0, hi = 0;
	for (size_t j = 0; j < n;) {
		uint64_t i = p[j].index;
		size_t run = 1;
		if (i < lo || i >= hi) {
			const void *src;
			int64_t span = nsm_reader_span(&src, r, i);
			if (span < 0)
				return (int)span;
			base = src;
			lo = i;
			hi = i + (uint64_t)span;
		}
		/* Entries next to each other on both sides, in this chunk: one copy. */
		while (j + run < n && i + run < hi && p[j + run].index == i + run &&
		       p[j + run].local == p[j].local + run)
			run++;
		if (out && run == 1 && r->esize == 8) /* a copy the compiler inlines */
			memcpy(out + p[j].local * 8, base + (i - lo) * 8, 8);
		else if (out)
			memcpy(out + p[j].local * r->esize, base + (i - lo) * r->esize,
			       run * r->esize);
		j += run;
	}
	return NS_OK;
}

/* The reader of attribute @k of object @i in shard @s. */
static struct nsm_reader *reader_at(struct restore *rs, size_t i, size_t k, uint64_t s)
{
	return &rs->readers[i][k * (size_t)rs->n_shards + (size_t)s];
}

/* The values @pl's wants ask of attribute @k of object @i: the others'
 * into @send (by their positions), this rank's own into @dst; or with
 * @dst NULL only read and checked. */
static int serve(struct restore *rs, const struct plan *pl, size_t i, size_t k, uint8_t *send,
		 uint8_t *dst)
{
	if (pl->direct) {
		int rc = NS_OK;
		for (int s = 0; s < rs->n_shards; s++)
			NSM_TRY(copy_values(dst, reader_at(rs, i, k, (uint64_t)s),
					    pl->pairs + pl->start[s], pl->start[s + 1] - pl->start[s]));
	done:
		return rc;
	}
	for (uint64_t w = 0; w < pl->n_wants; w++) {
		const struct want *x = &pl->wants[w];
		struct nsm_reader *r = reader_at(rs, i, k, x->shard);
		const void *src;
		int rc = nsm_reader_get(&src, r, x->index);
		if (rc < 0)
			return rc;
		if (!dst)
			continue;
		if (x->pos & SELF)
			nsm_copy_value(dst + (x->pos & ~SELF) * r->esize, src, r->esize);
		else
			nsm_copy_value(send + x->pos * r->esize, src, r->esize);
	}
	return NS_OK;
}

/* The plan of attribute @a of object @i: its own, or its post population's. */
static struct plan *plan_of(struct restore *rs, size_t i, const struct nsm_attr *a)
{
	const ns_mpi_net *net = rs->net;
	if (a->scope == NS_SEMIGLOBAL)
		return &rs->plans[nsm_obj_find(net, net->objs[i].post) - net->objs];
	return &rs->plans[i];
}

/* The global-scope values and the network-wide arrays, which every rank
 * reads from the global record: copied into the network, or with @write 0
 * only read. */
static int read_globals(struct restore *rs, int write)
{
	ns_mpi_net *net = rs->net;
	const void *src;
	int rc = NS_OK;
	for (size_t i = 0; i < net->n_objs; i++)
		for (size_t k = 0; k < net->objs[i].n_attrs; k++) {
			const struct nsm_attr *a = &net->objs[i].attrs[k];
			struct nsm_reader *r = &rs->global_readers[i][k];
			if (a->scope != NS_GLOBAL)
				continue;
			NSM_TRY(nsm_reader_at(&src, r, 0));
			if (write)
				memcpy(a->data, src, r->esize);
		}
	if (rs->no_time)
		return NS_OK;
	for (size_t k = 0; k < net->n_net_attrs; k++) {
		struct nsm_reader *r = &rs->net_readers[k];
		for (uint64_t j = 0; j < r->info.count; j++) {
			NSM_TRY(nsm_reader_at(&src, r, j));
			if (write)
				memcpy((uint8_t *)net->net_attrs[k].data + j * r->esize, src, r->esize);
		}
	}
	if (write) {
		net->t = rs->t;
		net->step = rs->step;
		net->dt = rs->dt;
	}
done:
	return rc;
}

/* Collective: plan the exchange, then read and check everything this rank
 * serves and the globals, and make the buffers of the writing pass. */
static int check_all(struct restore *rs, uint8_t **sendbuf, uint8_t **recvbuf)
{
	const ns_mpi_net *net = rs->net;
	uint64_t most_sent = 1, most_got = 1;
	int rc = NS_OK;
	for (size_t i = 0; i < net->n_objs; i++)
		NSM_TRY(plan_exchange(rs, &rs->plans[i]));
	for (size_t i = 0; i < net->n_objs && rc == NS_OK; i++)
		for (size_t k = 0; k < net->objs[i].n_attrs && rc == NS_OK; k++) {
			const struct nsm_attr *a = &net->objs[i].attrs[k];
			const struct plan *pl;
			size_t esize = ns_dtype_size(a->dtype);
			if (a->scope == NS_GLOBAL)
				continue;
			pl = plan_of(rs, i, a);
			rc = serve(rs, pl, i, k, NULL, NULL);
			if (pl->n_remote * esize > most_sent)
				most_sent = pl->n_remote * esize;
			if (pl->n_requested * esize > most_got)
				most_got = pl->n_requested * esize;
		}
	if (rc == NS_OK)
		rc = read_globals(rs, 0);
	if (rc == NS_OK && (!(*sendbuf = malloc(most_sent)) || !(*recvbuf = malloc(most_got))))
		rc = oom(rs);
	return nsm_agree(net->comm, rc);
done:
	return rc;
}

/* Collective, after every rank passed check_all(): the exchange of every
 * value, written where it belongs. Cannot fail. */
static void write_all(struct restore *rs, uint8_t *sendbuf, uint8_t *recvbuf)
{
	ns_mpi_net *net = rs->net;
	for (size_t i = 0; i < net->n_objs; i++)
		for (size_t k = 0; k < net->objs[i].n_attrs; k++) {
			const struct nsm_attr *a = &net->objs[i].attrs[k];
			const struct plan *pl;
			size_t esize = ns_dtype_size(a->dtype);
			MPI_Datatype value;
			uint8_t *dst = a->data;
			if (a->scope == NS_GLOBAL)
				continue;
			pl = plan_of(rs, i, a);
			serve(rs, pl, i, k, sendbuf, dst); /* read by check_all: cannot fail */
			MPI_Type_contiguous((int)esize, MPI_BYTE, &value);
			MPI_Type_commit(&value);
			MPI_Alltoallv(sendbuf, pl->recv_n, pl->recv_off, value, recvbuf, pl->send_n,
				      pl->send_off, value, net->comm);
			MPI_Type_free(&value);
			/* The values come back where the requests went. */
			for (size_t j = 0; j < pl->start[rs->n_shards]; j++)
				if (pl->req_pos[j] != SELF)
					nsm_copy_value(dst + pl->pairs[j].local * esize,
						       recvbuf + pl->req_pos[j] * esize, esize);
		}
	read_globals(rs, 1);
}

static void restore_free(struct restore *rs)
{
	if (rs->plans)
		for (size_t i = 0; i < rs->net->n_objs; i++) {
			free(rs->plans[i].pairs);
			free(rs->plans[i].start);
			free(rs->plans[i].shard_count);
			free(rs->plans[i].granule);
			free(rs->plans[i].shift);
			free(rs->plans[i].unit_start);
			free(rs->plans[i].reader);
			free(rs->plans[i].send_n);
			free(rs->plans[i].send_off);
			free(rs->plans[i].recv_n);
			free(rs->plans[i].recv_off);
			free(rs->plans[i].wants);
			free(rs->plans[i].req_pos);
		}
	free(rs->plans);
	if (rs->readers)
		for (size_t i = 0; i < rs->net->n_objs; i++)
			free(rs->readers[i]);
	if (rs->global_readers)
		for (size_t i = 0; i < rs->net->n_objs; i++)
			free(rs->global_readers[i]);
	free(rs->readers);
	free(rs->global_readers);
	free(rs->net_readers);
	free(rs->dec.buf);
	for (int s = 0; s < rs->n_shards && rs->shards; s++)
		ns_version_close(rs->shards[s]);
	for (int s = 0; s < rs->n_shards && rs->stores; s++)
		ns_store_close(rs->stores[s]);
	free(rs->shards);
	free(rs->stores);
	ns_mpi_net_free(rs->stored);
	ns_version_close(rs->gv);
	ns_store_close(rs->global);
}

int ns_mpi_restore(uint64_t *out, const char *dir, const char *rev, ns_mpi_net *net,
		   const ns_mpi_restore_opts *opts)
{
	static const ns_mpi_restore_opts defaults = NS_MPI_RESTORE_OPTS_INIT;
	struct restore rs = { 0 };
	uint8_t *sendbuf = NULL, *recvbuf = NULL;
	int rc = NS_OK;
	if (!net)
		return nsm_err(NS_EINVAL, "ns_mpi_restore: no network given");
	if (!opts)
		opts = &defaults;
	rs.net = net;
	rs.dir = dir;
	rs.flags = opts->verify ? NS_READ_VERIFY : 0;
	rs.no_time = opts->no_time;
	if (opts->version < 1 || opts->version > NS_MPI_RESTORE_OPTS_VERSION)
		rc = nsm_err(NS_EINVAL, "ns_mpi_restore: options of version %u (this nsnap knows 1 to %d)",
			     opts->version, NS_MPI_RESTORE_OPTS_VERSION);
	else if (!dir || !*dir)
		rc = nsm_err(NS_EINVAL, "ns_mpi_restore: no store directory given");
	else if ((rc = nsm_check_local(net)) == NS_OK)
		rc = open_global(&rs, rev);
	NSM_TRY(nsm_agree(net->comm, rc));
	NSM_TRY(nsm_check_partition(net));
	NSM_TRY(nsm_agree(net->comm, plan_all(&rs)));
	NSM_TRY(check_synapse_totals(&rs));
	NSM_TRY(check_all(&rs, &sendbuf, &recvbuf));
	write_all(&rs, sendbuf, recvbuf);
	if (out)
		*out = rs.number;
	if (opts->version >= 2 && opts->bytes_read)
		*opts->bytes_read = rs.dec.bytes;
done:
	free(sendbuf);
	free(recvbuf);
	restore_free(&rs);
	return rc;
}
