/* SPDX-License-Identifier: MIT */
/* The order in which the store keeps synapses: by post, then pre, then (for
 * multapses) their order in the network. Two stable counting sorts (by
 * pre, then by post) give it in O(n) when the indices are small, as
 * neuron indices are; qsort() otherwise. The last orders computed are
 * kept, by the content of the synapses they order: a learning run's
 * snapshots and restores find its connectivity unchanged, and hashing it
 * costs a tenth of sorting it. */
#include "internal.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "hash.h"
#include "track.h"

struct key {
	uint64_t post_pre; /* post in the high half: sorts by post, then pre */
	uint32_t index;
};

static int key_cmp(const void *a, const void *b)
{
	const struct key *x = a, *y = b;
	if (x->post_pre != y->post_pre)
		return x->post_pre < y->post_pre ? -1 : 1;
	return x->index < y->index ? -1 : x->index > y->index;
}

static uint64_t pair(const ns_object *p, uint64_t i)
{
	return (uint64_t)(uint32_t)p->syn_post[i] << 32 | (uint32_t)p->syn_pre[i];
}

static int by_qsort(uint32_t *perm, const ns_object *p)
{
	uint64_t n = p->size;
	struct key *keys = malloc(n * sizeof *keys);
	if (!keys)
		return ns_err(NS_ENOMEM, "projection '%s': out of memory to order %llu synapses",
			      p->name, (unsigned long long)n);
	for (uint64_t i = 0; i < n; i++) {
		keys[i].post_pre = pair(p, i);
		keys[i].index = (uint32_t)i;
	}
	/* The index as the last key makes qsort() keep multapses in order. */
	qsort(keys, n, sizeof *keys, key_cmp);
	for (uint64_t i = 0; i < n; i++)
		perm[i] = keys[i].index;
	free(keys);
	return NS_OK;
}

/* Stable: @out gets @in (NULL: 0..n-1) ordered by key[], whose values are
 * below @buckets; @count has room for buckets + 1. */
static void counting_pass(uint32_t *out, const uint32_t *in, uint64_t n, const int32_t *key,
			  uint64_t *count, uint64_t buckets)
{
	memset(count, 0, (buckets + 1) * sizeof *count);
	for (uint64_t i = 0; i < n; i++)
		count[key[in ? in[i] : i] + 1]++;
	for (uint64_t b = 1; b <= buckets; b++)
		count[b] += count[b - 1];
	for (uint64_t i = 0; i < n; i++) {
		uint32_t s = in ? in[i] : (uint32_t)i;
		out[count[key[s]]++] = s;
	}
}

/* ------------------------------------------------------------ hashing */

/* A content hash on every core: the bytes cut into at most PIECES pieces
 * (of 1 MiB at least; how they are cut depends on the size alone, not on
 * the cores), each hashed by XXH3, then the pieces' hashes and the size
 * hashed with @seed. One core hashes 40 MB in ~4 ms; a snapshot of a
 * network in another order hashes each of its projections' arrays. */
#define PIECES 64
#define PIECE_MIN (1u << 20)

struct pieces {
	const uint8_t *data;
	size_t size, piece;
	XXH128_hash_t hash[PIECES];
};

static void hash_pieces(void *arg, uint64_t begin, uint64_t end)
{
	struct pieces *ps = arg;
	for (uint64_t k = begin; k < end; k++) {
		size_t off = k * ps->piece;
		size_t n = ps->size - off < ps->piece ? ps->size - off : ps->piece;
		ps->hash[k] = XXH3_128bits(ps->data + off, n);
	}
}

static XXH128_hash_t content_hash(const void *data, size_t size, uint64_t seed)
{
	struct pieces ps = { data, size, size / PIECES + 1, { { 0, 0 } } };
	uint64_t n;

	if (ps.piece < PIECE_MIN)
		ps.piece = PIECE_MIN;
	n = (size + ps.piece - 1) / ps.piece;
	ns__parallel(n, 1, hash_pieces, &ps);
	/* The size is mixed into the last slot (a hash, or zeros). */
	ps.hash[PIECES - 1].low64 ^= size;
	return XXH3_128bits_withSeed(ps.hash, sizeof ps.hash, seed);
}

/* ------------------------------------------------------------ kept orders */

/* At most KEPT orders and KEPT_BYTES in all; when a new one does not fit,
 * the least recently used that nobody holds make room, or it is not kept.
 * Process-wide (an order depends on the synapses alone); callers share an
 * order and release it, so that keeping costs no copy and no allocation. */
#define KEPT 8
#define KEPT_BYTES ((uint64_t)512 << 20)

struct kept {
	XXH128_hash_t key;
	uint64_t n, hash, used;
	uint32_t *perm;
	unsigned refs;
};

static pthread_mutex_t kept_lock = PTHREAD_MUTEX_INITIALIZER;
static struct kept kept[KEPT];
static uint64_t kept_clock;

/* Of the synapses' content: post's hash seeded with pre's. */
static XXH128_hash_t synapses_key(const ns_object *p)
{
	size_t size = p->size * sizeof *p->syn_pre;
	return content_hash(p->syn_post, size, content_hash(p->syn_pre, size, 0).low64);
}

static int kept_get(uint32_t **perm, uint64_t *hash, XXH128_hash_t key, uint64_t n)
{
	int found = 0;
	pthread_mutex_lock(&kept_lock);
	for (size_t k = 0; k < KEPT && !found; k++) {
		struct kept *e = &kept[k];
		if (e->perm && e->n == n && XXH128_isEqual(e->key, key)) {
			e->refs++;
			e->used = ++kept_clock;
			*perm = e->perm;
			*hash = e->hash;
			found = 1;
		}
	}
	pthread_mutex_unlock(&kept_lock);
	return found;
}

static uint64_t kept_bytes(void)
{
	uint64_t total = 0;
	for (size_t k = 0; k < KEPT; k++)
		total += kept[k].n * sizeof *kept[k].perm;
	return total;
}

/* Keep @perm (held by its caller) when it fits. */
static void kept_put(uint32_t *perm, uint64_t hash, XXH128_hash_t key, uint64_t n)
{
	uint64_t size = n * sizeof *perm;
	if (size > KEPT_BYTES)
		return; /* evicting the others would not make room */
	pthread_mutex_lock(&kept_lock);
	for (;;) {
		struct kept *empty = NULL, *oldest = NULL;
		for (size_t k = 0; k < KEPT; k++) {
			struct kept *e = &kept[k];
			if (!e->perm)
				empty = e;
			else if (!e->refs && (!oldest || e->used < oldest->used))
				oldest = e;
		}
		if (empty && kept_bytes() + size <= KEPT_BYTES) {
			*empty = (struct kept){ key, n, hash, ++kept_clock, perm, 1 };
			break;
		}
		if (!oldest)
			break;
		free(oldest->perm);
		memset(oldest, 0, sizeof *oldest);
	}
	pthread_mutex_unlock(&kept_lock);
}

void ns__synapse_order_release(uint32_t *perm)
{
	if (!perm)
		return;
	pthread_mutex_lock(&kept_lock);
	for (size_t k = 0; k < KEPT; k++)
		if (kept[k].perm == perm) {
			kept[k].refs--;
			perm = NULL;
			break;
		}
	pthread_mutex_unlock(&kept_lock);
	free(perm);
}

/* Nothing kept at exit: leak checkers see every block freed. */
__attribute__((destructor)) static void kept_free(void)
{
	for (size_t k = 0; k < KEPT; k++)
		free(kept[k].perm);
	memset(kept, 0, sizeof kept);
}

/* ------------------------------------------------------------ sorting */

static int sort(uint32_t **perm, const ns_object *p)
{
	uint64_t i, n = p->size, buckets = 0;
	uint32_t *out, *tmp = NULL;
	uint64_t *count = NULL;
	int rc = NS_OK, counting = 1;

	if (n > UINT32_MAX)
		return ns_err(NS_EUNSUPPORTED, "projection '%s': %llu synapses not sorted by post, "
			      "then pre; sort them first (more than 2^32 are not reordered)",
			      p->name, (unsigned long long)n);
	for (i = 0; i < n && counting; i++) {
		if (p->syn_pre[i] < 0 || p->syn_post[i] < 0)
			counting = 0;
		else if ((uint64_t)p->syn_pre[i] >= buckets || (uint64_t)p->syn_post[i] >= buckets)
			buckets = 1 + (uint64_t)(p->syn_pre[i] > p->syn_post[i] ? p->syn_pre[i]
										: p->syn_post[i]);
	}
	/* Buckets in proportion to the synapses, or the sort would cost more
	 * than the synapses (a hostile index of 2^31). */
	counting = counting && buckets <= 4 * n + 65536;
	if (!(out = malloc(n * sizeof *out)) ||
	    (counting && (!(tmp = malloc(n * sizeof *tmp)) ||
			  !(count = malloc((buckets + 1) * sizeof *count))))) {
		rc = ns_err(NS_ENOMEM, "projection '%s': out of memory to order %llu synapses",
			    p->name, (unsigned long long)n);
		goto done;
	}
	if (counting) {
		counting_pass(tmp, NULL, n, p->syn_pre, count, buckets);
		counting_pass(out, tmp, n, p->syn_post, count, buckets);
	} else if ((rc = by_qsort(out, p)) < 0) {
		goto done;
	}
	*perm = out;
	out = NULL;
done:
	free(out);
	free(tmp);
	free(count);
	return rc;
}

/* ------------------------------------------------------------ one pass */

struct scan_ctx {
	const ns_object *p;
	pthread_mutex_t lock;
	ns_synapse_scan *out;
};

/* Branch-free, so that the compiler vectorises it: both maxima and
 * whether any synapse comes before the one preceding it (by post, then
 * pre, compared as unsigned in 32 bits), in one read of the synapses. */
static void scan_range(void *arg, uint64_t begin, uint64_t end)
{
	struct scan_ctx *ctx = arg;
	const uint32_t *pre = (const uint32_t *)ctx->p->syn_pre;
	const uint32_t *post = (const uint32_t *)ctx->p->syn_post;
	uint32_t max_pre = pre[begin], max_post = post[begin], descents = 0;
	for (uint64_t i = begin ? begin : 1; i < end; i++) {
		uint32_t a = pre[i], b = post[i], pa = pre[i - 1], pb = post[i - 1];
		max_pre = a > max_pre ? a : max_pre;
		max_post = b > max_post ? b : max_post;
		descents |= (pb > b) | ((pb == b) & (pa > a));
	}
	pthread_mutex_lock(&ctx->lock);
	if (max_pre > ctx->out->max_pre)
		ctx->out->max_pre = max_pre;
	if (max_post > ctx->out->max_post)
		ctx->out->max_post = max_post;
	if (descents)
		ctx->out->sorted = 0;
	pthread_mutex_unlock(&ctx->lock);
}

void ns__synapse_scan(ns_synapse_scan *out, const ns_object *p)
{
	struct scan_ctx ctx = { p, PTHREAD_MUTEX_INITIALIZER, out };
	*out = (ns_synapse_scan){ 0, 0, 1 };
	if (p->size)
		ns__parallel(p->size, 4 * NS_PARALLEL_GRAIN, scan_range, &ctx);
	pthread_mutex_destroy(&ctx.lock);
}

/* The scans of connectivity that tracked writes show unchanged since (the
 * epochs of ns__track_unchanged() when they were made). */
#define SCANNED 16
static struct scanned {
	const void *pre, *post;
	uint64_t n, epoch_pre, epoch_post, used;
	ns_synapse_scan scan;
} scanned[SCANNED];
static uint64_t scanned_clock;
static pthread_mutex_t scanned_lock = PTHREAD_MUTEX_INITIALIZER;

void ns__synapse_scan_tracked(ns_synapse_scan *out, const ns_object *p)
{
	size_t size = p->size * sizeof *p->syn_pre;
	uint64_t pre = ns__track_unchanged(p->syn_pre, size);
	uint64_t post = pre ? ns__track_unchanged(p->syn_post, size) : 0;
	struct scanned *e, *slot = NULL, *oldest = &scanned[0];
	pthread_mutex_lock(&scanned_lock);
	for (e = scanned; e < scanned + SCANNED; e++) {
		if (e->pre == p->syn_pre && e->post == p->syn_post && e->n == p->size) {
			if (pre && post && e->epoch_pre == pre && e->epoch_post == post) {
				e->used = ++scanned_clock;
				*out = e->scan;
				pthread_mutex_unlock(&scanned_lock);
				return;
			}
			slot = e; /* this projection's, out of date */
		}
		if (e->used < oldest->used)
			oldest = e;
	}
	pthread_mutex_unlock(&scanned_lock);
	ns__synapse_scan(out, p);
	if (!pre || !post)
		return;
	pthread_mutex_lock(&scanned_lock);
	/* (Another thread may have taken the slot since: either is right.) */
	*(slot ? slot : oldest) = (struct scanned){ p->syn_pre, p->syn_post, p->size, pre, post,
						    ++scanned_clock, *out };
	pthread_mutex_unlock(&scanned_lock);
}

int ns__synapse_order(uint32_t **perm, uint64_t *hash, const ns_object *p)
{
	ns_synapse_scan scan;
	ns__synapse_scan(&scan, p);
	return ns__synapse_order_scanned(perm, hash, p, &scan);
}

int ns__synapse_order_scanned(uint32_t **perm, uint64_t *hash, const ns_object *p,
			      const ns_synapse_scan *scan)
{
	XXH128_hash_t key;
	uint64_t n = p->size;
	int rc;

	*perm = NULL;
	*hash = 0;
	if (scan->sorted)
		return NS_OK;
	key = synapses_key(p);
	if (kept_get(perm, hash, key, n))
		return NS_OK;
	if ((rc = sort(perm, p)) < 0)
		return rc;
	*hash = XXH3_64bits(*perm, n * sizeof **perm);
	kept_put(*perm, *hash, key, n);
	return NS_OK;
}

void ns__content_key(uint8_t *key, const void *data, size_t size, uint64_t perm_hash)
{
	XXH128_canonical_t c;
	XXH128_canonicalFromHash(&c, content_hash(data, size, perm_hash));
	memcpy(key, c.digest, NS_CONTENT_KEY_SIZE);
}
