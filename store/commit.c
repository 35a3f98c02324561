/* SPDX-License-Identifier: MIT */
/* Commits: arrays (borrowed), metadata and blob, written as a new version. */
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "threads.h"

/* An array of a commit comes from memory, from a fill function, or from
 * another version's chunks. */
struct commit_array {
	char *name;
	ns_dtype dtype;
	uint64_t count;
	const void *data;
	int (*fill)(void *ctx, uint64_t first, uint64_t n, void *buf);
	void *ctx;
	ns_version *from;
	uint64_t from_array;
	int keyed; /* its fill may run on the commit's own thread */
	uint8_t key[NS_CONTENT_KEY_SIZE];
	/* After ns_commit_capture(): every chunk's hash, and where the copy
	 * of each chunk the store did not have then is (NULL for the others:
	 * in the commit's blocks). */
	uint8_t *cap_hashes;
	uint8_t **cap_chunks;
	ns_track *track; /* during ns_commit_capture(), when writes are tracked */
};

struct ns_commit {
	ns_store *s;
	struct commit_array *arrays;
	size_t n_arrays, cap_arrays;
	char **meta; /* key, value, key, value, ... */
	size_t n_meta, cap_meta;
	void *blob;
	size_t blob_size;
	/* ns_commit_capture()'s copies, in blocks of capture_block() bytes:
	 * a list through each block's first pointer; the last block filled
	 * up to block_used. */
	void *blocks;
	size_t block_used;
};

static uint64_t n_chunks_of(const ns_commit *c, const struct commit_array *a)
{
	uint64_t nbytes = a->count * ns_dtype_size(a->dtype);
	return (nbytes + c->s->chunk_size - 1) / c->s->chunk_size;
}

int ns_commit_new(ns_commit **out, ns_store *s)
{
	ns_commit *c;
	if (!out)
		return ns_err(NS_EINVAL, "ns_commit_new: out must not be NULL");
	if (s->rdonly)
		return ns_err(NS_EREADONLY, "store '%s': opened read-only, cannot commit", s->path);
	if (!(c = calloc(1, sizeof *c)))
		return ns_err(NS_ENOMEM, "store '%s': commit: out of memory", s->path);
	c->s = s;
	*out = c;
	return NS_OK;
}

/* The size of a block of captured chunks: a whole number of chunks. */
static size_t capture_block(const ns_store *s)
{
	size_t want = (size_t)16 << 20;
	return (size_t)s->chunk_size * (want > s->chunk_size ? want / s->chunk_size : 1) +
	       sizeof(void *);
}

/* The commit's capture blocks go to its store's spare list. */
static void blocks_give_back(ns_commit *c)
{
	void *b = c->blocks, *next;
	pthread_mutex_lock(&c->s->lock);
	for (; b; b = next) {
		memcpy(&next, b, sizeof next);
		memcpy(b, &c->s->spare_blocks, sizeof b);
		c->s->spare_blocks = b;
	}
	pthread_mutex_unlock(&c->s->lock);
	c->blocks = NULL;
}

void ns__capture_blocks_free(ns_store *s)
{
	void *b = s->spare_blocks, *next;
	for (; b; b = next) {
		memcpy(&next, b, sizeof next);
		free(b);
	}
	s->spare_blocks = NULL;
}

/* Room for @n bytes of captured chunk in @c's blocks: the last block, a
 * spare one of the store's, or a new one. */
static uint8_t *block_room(ns_commit *c, size_t n)
{
	size_t size = capture_block(c->s);
	void *b;
	if (c->blocks && c->block_used + n <= size) {
		uint8_t *p = (uint8_t *)c->blocks + c->block_used;
		c->block_used += n;
		return p;
	}
	pthread_mutex_lock(&c->s->lock);
	if ((b = c->s->spare_blocks))
		memcpy(&c->s->spare_blocks, b, sizeof b);
	pthread_mutex_unlock(&c->s->lock);
	if (!b && !(b = malloc(size)))
		return NULL;
	memcpy(b, &c->blocks, sizeof b);
	c->blocks = b;
	c->block_used = sizeof(void *) + n;
	return (uint8_t *)b + sizeof(void *);
}

void ns_commit_free(ns_commit *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->n_arrays; i++) {
		free(c->arrays[i].cap_chunks);
		free(c->arrays[i].cap_hashes);
		free(c->arrays[i].name);
	}
	blocks_give_back(c);
	for (size_t i = 0; i < 2 * c->n_meta; i++)
		free(c->meta[i]);
	free(c->arrays);
	free(c->meta);
	free(c->blob);
	free(c);
}

/* Check and append an array; the caller fills in where its data comes from. */
static int add_array(struct commit_array **out, ns_commit *c, const char *name, ns_dtype dtype,
		     uint64_t count)
{
	struct commit_array *a;
	size_t len = name ? strlen(name) : 0;
	int rc;

	if (len == 0 || len > NS_NAME_MAX)
		return ns_err(NS_EINVAL, "commit: array name '%s' must have 1 to %d bytes",
			      name ? name : "(null)", NS_NAME_MAX);
	if (ns_dtype_size(dtype) == 0)
		return ns_err(NS_EINVAL, "commit: array '%s': unknown element type %d", name,
			      (int)dtype);
	if (count > UINT64_MAX / 8)
		return ns_err(NS_EINVAL, "commit: array '%s': %llu elements is too many", name,
			      (unsigned long long)count);
	for (size_t i = 0; i < c->n_arrays; i++)
		if (strcmp(c->arrays[i].name, name) == 0)
			return ns_err(NS_EEXISTS, "commit: array '%s' was already added", name);
	if ((rc = ns__grow_array(&c->arrays, &c->cap_arrays, c->n_arrays, sizeof *c->arrays)) < 0)
		return rc;
	a = &c->arrays[c->n_arrays];
	memset(a, 0, sizeof *a);
	if (!(a->name = strdup(name)))
		return ns_err(NS_ENOMEM, "commit: out of memory");
	a->dtype = dtype;
	a->count = count;
	c->n_arrays++;
	*out = a;
	return NS_OK;
}

int ns_commit_add(ns_commit *c, const char *name, ns_dtype dtype, const void *data,
		  uint64_t count)
{
	struct commit_array *a;
	int rc;
	if (!data && count)
		return ns_err(NS_EINVAL, "commit: array '%s': no data for %llu elements",
			      name ? name : "(null)", (unsigned long long)count);
	if ((rc = add_array(&a, c, name, dtype, count)) < 0)
		return rc;
	a->data = data;
	return NS_OK;
}

int ns_commit_add_fill(ns_commit *c, const char *name, ns_dtype dtype, uint64_t count,
		       int (*fill)(void *ctx, uint64_t first, uint64_t n, void *buf), void *ctx)
{
	struct commit_array *a;
	int rc;
	if (!fill)
		return ns_err(NS_EINVAL, "commit: array '%s': no fill function",
			      name ? name : "(null)");
	if ((rc = add_array(&a, c, name, dtype, count)) < 0)
		return rc;
	a->fill = fill;
	a->ctx = ctx;
	return NS_OK;
}

int ns_commit_add_fill_keyed(ns_commit *c, const char *name, ns_dtype dtype, uint64_t count,
			     int (*fill)(void *ctx, uint64_t first, uint64_t n, void *buf),
			     void *ctx, const uint8_t *key)
{
	int rc;
	if (!key)
		return ns_err(NS_EINVAL, "commit: array '%s': no content key", name ? name : "(null)");
	if ((rc = ns_commit_add_fill(c, name, dtype, count, fill, ctx)) < 0)
		return rc;
	c->arrays[c->n_arrays - 1].keyed = 1;
	memcpy(c->arrays[c->n_arrays - 1].key, key, NS_CONTENT_KEY_SIZE);
	return NS_OK;
}

int ns_commit_add_from(ns_commit *c, const char *name, ns_version *from, uint64_t array)
{
	struct commit_array *a;
	ns_array_info info;
	int rc;
	if (ns__version_store(from) != c->s)
		return ns_err(NS_EINVAL, "commit: array '%s': the version is of another store",
			      name ? name : "(null)");
	if ((rc = ns_version_array_at(&info, from, array)) < 0)
		return rc;
	if (info.chunk_size != c->s->chunk_size)
		return ns_err(NS_EUNSUPPORTED, "commit: array '%s' has chunks of %llu bytes, the "
			      "store %llu", info.name, (unsigned long long)info.chunk_size,
			      (unsigned long long)c->s->chunk_size);
	if ((rc = add_array(&a, c, name ? name : info.name, info.dtype, info.count)) < 0)
		return rc;
	a->from = from;
	a->from_array = array;
	return NS_OK;
}

int ns_commit_set_meta(ns_commit *c, const char *key, const char *value)
{
	char *k, *v;
	int rc;
	if (!key || !*key || !value)
		return ns_err(NS_EINVAL, "commit: metadata needs a non-empty key and a value");
	if (!(v = strdup(value)))
		return ns_err(NS_ENOMEM, "commit: out of memory");
	for (size_t i = 0; i < c->n_meta; i++)
		if (strcmp(c->meta[2 * i], key) == 0) {
			free(c->meta[2 * i + 1]);
			c->meta[2 * i + 1] = v;
			return NS_OK;
		}
	if ((rc = ns__grow_array(&c->meta, &c->cap_meta, c->n_meta, 2 * sizeof *c->meta)) < 0 ||
	    !(k = strdup(key))) {
		free(v);
		return rc < 0 ? rc : ns_err(NS_ENOMEM, "commit: out of memory");
	}
	c->meta[2 * c->n_meta] = k;
	c->meta[2 * c->n_meta + 1] = v;
	c->n_meta++;
	return NS_OK;
}

int ns_commit_set_blob(ns_commit *c, const void *data, size_t size)
{
	void *b = NULL;
	if (size && !(b = malloc(size)))
		return ns_err(NS_ENOMEM, "commit: out of memory for a %zu-byte blob", size);
	if (size)
		memcpy(b, data, size);
	free(c->blob);
	c->blob = b;
	c->blob_size = size;
	return NS_OK;
}

/* ------------------------------------------------------------- writing */

/* A new chunk waiting to be compressed. With zstd and several cores, a
 * transaction's new chunks wait in a queue; a full queue is compressed on
 * every core at once, then stored in order (LMDB writes from one thread).
 * Each entry has its own writer, and a copy of its bytes when they were in
 * the job's scratch buffer. */
struct pending {
	size_t ai;
	uint64_t ci;
	const uint8_t *hash; /* in the record */
	const uint8_t *data;
	size_t n;
	uint8_t *copy;       /* chunk_size bytes */
	chunk_writer *w;
	int rc;
};

#define MAX_PENDING 16

/* Working ahead: a thread of the commit's own hashes the chunks of the
 * arrays in memory, in order, while this one stores them and LMDB writes
 * them, so that hashing (a tenth of a snapshot on one core) leaves the
 * path that waits for the disk. It also fills the chunks of keyed arrays
 * (the engine's gathers through a permutation, a cache miss per element:
 * a fifth of a Brian2 snapshot) into a ring of AHEAD_BYTES, and hashes
 * them, while this thread copies the previous ones into LMDB's pages and
 * LMDB writes and syncs a batch. Not on one core. */
#define AHEAD_BYTES (8u << 20)
#define AHEAD_SLOTS 8

struct ahead {
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	uint64_t upto; /* chunks [0, upto) are past it; under lock */
	int stop;      /* under lock */
	int running;
	/* The ring: the k-th chunk filled is in slot k % n_slots, with its
	 * fill's result in slot_rc[] (its hash is in the record when that is
	 * NS_OK). Filled and taken count chunks in and out, under lock. The
	 * ring holds the chunks of keyed arrays that were not hashed when the
	 * commit started, before fill_end, in order, and ensure_chunk() takes
	 * each of them in that order, once: it stores chunks in order and has
	 * given back the previous one before it takes the next, so neither
	 * side waits for the other forever. */
	uint8_t *slots;
	size_t n_slots;
	uint64_t filled, taken;
	int slot_rc[AHEAD_SLOTS];
	/* After a fill failed, the chunks from fill_end on are filled by
	 * ensure_chunk(), one at a time; under lock. */
	uint64_t fill_end;
};

struct job {
	ns_commit *c;
	const ns_commit_opts *o;
	chunk_writer *w;
	uint8_t *rec;      /* the version record */
	size_t rec_size;
	uint8_t **hashes;  /* per array: where its hashes go in rec */
	uint8_t *scratch;  /* one chunk, for fill and from arrays */
	uint64_t number;
	uint64_t new_bytes;
	/* Per chunk (first[ai] + ci): whether new_bytes counts it already, so
	 * that a chunk a gc freed and this commit stored again counts once;
	 * saved before each transaction, put back when it fails. */
	uint8_t *counted, *counted_saved;
	/* Per chunk: whether its hash is in rec yet. A chunk is hashed when
	 * it is first stored or found, while its bytes are in the cache: a
	 * fill callback (a gather through a permutation, say) runs once for
	 * a new chunk, not once to hash and again to store. */
	uint8_t *hashed;
	uint64_t *first, n_total;
	/* The batch being stored: its first chunk, and where it stopped. */
	size_t ai, next_ai;
	uint64_t ci, next_ci, batch_bytes;
	/* The queue (zstd on several cores; cap_pend 0 otherwise). */
	struct pending pend[MAX_PENDING];
	size_t n_pend, cap_pend;
	struct ahead ahead;
	ns_track **track; /* per array in memory, when the store tracks writes */
};

static uint8_t *put_str(uint8_t *p, const char *str)
{
	uint32_t n = (uint32_t)strlen(str);
	ns__put_u32(p, n);
	memcpy(p + 4, str, n + 1);
	return p + 4 + n + 1;
}

/* Lay out the record, leaving number, parent, new bytes and hashes to fill. */
static int build_record(struct job *j)
{
	const ns_commit *c = j->c;
	const char *msg = j->o->message ? j->o->message : "";
	size_t size = REC_HEADER + 5 + strlen(msg) + 8 + c->blob_size;
	uint64_t logical = 0;
	struct timespec ts;
	uint8_t *p;

	for (size_t i = 0; i < 2 * c->n_meta; i++)
		size += 5 + strlen(c->meta[i]);
	for (size_t i = 0; i < c->n_arrays; i++)
		size += 5 + strlen(c->arrays[i].name) + ARR_FIXED + NS_HASH_SIZE * n_chunks_of(c, &c->arrays[i]);
	j->rec = calloc(1, size);
	j->hashes = calloc(c->n_arrays + 1, sizeof *j->hashes);
	if (!j->rec || !j->hashes)
		return ns_err(NS_ENOMEM, "commit: out of memory for a %zu-byte record", size);
	j->rec_size = size;

	p = j->rec;
	memcpy(p, "NSV", 3);
	p[3] = NS_STORE_FORMAT;
	clock_gettime(CLOCK_REALTIME, &ts);
	ns__put_u64(p + REC_TIME, (uint64_t)((int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec));
	ns__put_u64(p + REC_N_META, c->n_meta);
	ns__put_u64(p + REC_N_ARRAYS, c->n_arrays);
	p = put_str(p + REC_HEADER, msg);
	for (size_t i = 0; i < 2 * c->n_meta; i++)
		p = put_str(p, c->meta[i]);
	ns__put_u64(p, c->blob_size);
	if (c->blob_size)
		memcpy(p + 8, c->blob, c->blob_size);
	p += 8 + c->blob_size;
	for (size_t i = 0; i < c->n_arrays; i++) {
		const struct commit_array *a = &c->arrays[i];
		p = put_str(p, a->name);
		p[ARR_DTYPE] = (uint8_t)a->dtype;
		ns__put_u64(p + ARR_COUNT, a->count);
		ns__put_u64(p + ARR_CHUNK_SIZE, c->s->chunk_size);
		ns__put_u64(p + ARR_N_CHUNKS, n_chunks_of(c, a));
		j->hashes[i] = p + ARR_FIXED;
		p += ARR_FIXED + NS_HASH_SIZE * n_chunks_of(c, a);
		logical += a->count * ns_dtype_size(a->dtype);
	}
	ns__put_u64(j->rec + REC_LOGICAL, logical);
	return NS_OK;
}

/* Elements [@first, @first + @n) of @a from its fill callback into @buf. */
static int call_fill(const struct commit_array *a, uint64_t first, uint64_t n, void *buf)
{
	int rc;
	/* A callback that fails without a message gets one, not a stale one. */
	ns_error_clear();
	rc = a->fill(a->ctx, first, n, buf);
	if (rc > 0)
		return ns_err(NS_ERROR, "commit: fill callback of array '%s' returned %d, "
			      "not NS_OK or a negative nsnap error code", a->name, rc);
	if (rc < 0 && ns_error_last()->code == NS_OK)
		return ns_err(rc, "commit: fill callback of array '%s' returned %d (%s)",
			      a->name, rc, ns_strerror(rc));
	return rc;
}

/* The bytes in chunk @ci of @a. */
static size_t chunk_len(const ns_commit *c, const struct commit_array *a, uint64_t ci)
{
	uint64_t chunk = c->s->chunk_size, left = a->count * ns_dtype_size(a->dtype) - ci * chunk;
	return (size_t)(left < chunk ? left : chunk);
}

/* The bytes of chunk @ci of array @ai, wherever they come from. */
static int chunk_bytes(struct job *j, size_t ai, uint64_t ci, const uint8_t **out, size_t *n)
{
	const struct commit_array *a = &j->c->arrays[ai];
	uint64_t esize = ns_dtype_size(a->dtype), off = ci * j->c->s->chunk_size;
	int rc;

	*n = chunk_len(j->c, a, ci);
	if (a->cap_hashes) {
		if (!(*out = a->cap_chunks[ci]))
			return ns_err(NS_ENOTFOUND, "commit: array '%s': chunk %llu was stored when "
				      "the commit was captured but is gone now (a version deleted "
				      "meanwhile freed it); nothing was committed", a->name,
				      (unsigned long long)ci);
		return NS_OK;
	}
	if (a->data) {
		*out = (const uint8_t *)a->data + off;
		return NS_OK;
	}
	if (a->fill) {
		rc = call_fill(a, off / esize, *n / esize, j->scratch);
	} else {
		rc = ns_version_read_chunk(j->scratch, *n, a->from, a->from_array, ci, 0);
	}
	if (rc < 0)
		return ns_err_wrap(rc, "commit: array '%s'", a->name);
	*out = j->scratch;
	return NS_OK;
}

/* The hashes that are known already: of arrays taken from another version,
 * and of keyed arrays this store handle committed with the same key. */
/* The hashes of chunks of an array in memory that tracked writes show
 * unchanged since they were hashed (best effort). */
static void tracked_hashes(struct job *j, size_t ai)
{
	const struct commit_array *a = &j->c->arrays[ai];
	uint64_t nc = n_chunks_of(j->c, a);
	uint8_t *known;
	if (!j->track && !(j->track = calloc(j->c->n_arrays, sizeof *j->track)))
		return;
	if (!(known = malloc(nc + 1)))
		return;
	ns__track_begin(&j->track[ai], a->data, a->count * ns_dtype_size(a->dtype),
			j->c->s->chunk_size, j->hashes[ai], known);
	for (uint64_t ci = 0; j->track[ai] && ci < nc; ci++)
		j->hashed[j->first[ai] + ci] = known[ci];
	free(known);
}

/* Tell the tracker each array's hashes (every chunk's, as the version's
 * record holds them), or that the commit failed. */
static void tracked_end(struct job *j, int ok)
{
	for (size_t ai = 0; j->track && ai < j->c->n_arrays; ai++)
		ns__track_end(j->track[ai], ok ? j->hashes[ai] : NULL);
	free(j->track);
	j->track = NULL;
}

static void copy_known_hashes(struct job *j)
{
	ns_array_info info;
	for (size_t ai = 0; ai < j->c->n_arrays; ai++) {
		const struct commit_array *a = &j->c->arrays[ai];
		uint64_t nc = n_chunks_of(j->c, a);
		if (a->data && !a->cap_hashes && j->c->s->track) {
			tracked_hashes(j, ai);
			continue;
		}
		if (a->from) {
			ns_version_array_at(&info, a->from, a->from_array);
			memcpy(j->hashes[ai], info.hashes, NS_HASH_SIZE * nc);
		} else if (a->cap_hashes) {
			memcpy(j->hashes[ai], a->cap_hashes, NS_HASH_SIZE * nc);
		} else if (!a->keyed || !ns__memo_get(j->c->s, a->name, a->key, a->dtype, a->count,
						       j->hashes[ai])) {
			continue;
		}
		memset(j->hashed + j->first[ai], 1, nc);
	}
}

/* Remember the hashes of the keyed arrays (best effort: a memo that cannot
 * grow only costs a later commit a fill). */
static void memo_keyed(struct job *j)
{
	for (size_t ai = 0; ai < j->c->n_arrays; ai++) {
		const struct commit_array *a = &j->c->arrays[ai];
		if (a->keyed)
			ns__memo_put(j->c->s, a->name, a->key, a->dtype, a->count, j->hashes[ai],
				     NS_HASH_SIZE * n_chunks_of(j->c, a));
	}
}

static void count_new(struct job *j, size_t ai, uint64_t ci, uint64_t stored)
{
	uint64_t at = j->first[ai] + ci;
	if (!j->counted[at]) {
		j->counted[at] = 1;
		j->new_bytes += stored;
	}
}

static void encode_part(void *ctx, uint64_t begin, uint64_t end)
{
	struct job *j = ctx;
	for (uint64_t k = begin; k < end; k++) {
		struct pending *p = &j->pend[k];
		p->rc = ns__chunk_encode(p->w, p->data, p->n, j->c->arrays[p->ai].dtype);
	}
}

/* Compress the queue on every core, then store it in order. */
static int flush_pending(struct job *j, MDB_txn *txn, struct counters *cnt)
{
	uint64_t stored;
	int rc = NS_OK;
	ns__parallel(j->n_pend, 1, encode_part, j);
	for (size_t k = 0; k < j->n_pend && rc == NS_OK; k++) {
		struct pending *p = &j->pend[k];
		const char *name = j->c->arrays[p->ai].name;
		/* Its message, from this thread; a lack of memory is the
		 * commit's failure, even when memory is back now. */
		if (p->rc == NS_ENOMEM)
			rc = ns_err(NS_ENOMEM, "commit: out of memory to compress a chunk");
		else if (p->rc < 0 &&
			 (rc = ns__chunk_encode(p->w, p->data, p->n, j->c->arrays[p->ai].dtype)) == NS_OK)
			rc = ns_err(p->rc, "commit: a chunk could not be compressed");
		if (rc == NS_OK)
			rc = ns__chunk_put_encoded(p->w, txn, j->c->s, p->hash, cnt, &stored);
		if (rc < 0)
			ns_err_wrap(rc, "array '%s'", name);
		else
			count_new(j, p->ai, p->ci, stored);
	}
	j->n_pend = 0;
	return rc;
}

/* Whether chunk @h waits in the queue already (a commit may hold the same
 * chunk twice: it is stored once). */
static int pending_has(const struct job *j, const uint8_t *h)
{
	for (size_t k = 0; k < j->n_pend; k++)
		if (!memcmp(j->pend[k].hash, h, NS_HASH_SIZE))
			return 1;
	return 0;
}

/* Queue a chunk; @data is copied when it is @transient (in a buffer that
 * the next chunk reuses). */
static int pending_add(struct job *j, MDB_txn *txn, struct counters *cnt, size_t ai,
		       uint64_t ci, const uint8_t *h, const uint8_t *data, size_t n, int transient)
{
	struct pending *p = &j->pend[j->n_pend++];
	p->ai = ai;
	p->ci = ci;
	p->hash = h;
	p->n = n;
	p->data = data;
	if (transient) {
		memcpy(p->copy, data, n);
		p->data = p->copy;
	}
	return j->n_pend == j->cap_pend ? flush_pending(j, txn, cnt) : NS_OK;
}

/* Whether @a's chunks may be filled ahead, and whether they are. */
static int keyed_fill(const struct commit_array *a)
{
	return a->fill && a->keyed && !a->cap_hashes;
}

static int fills_ahead(const struct job *j, const struct commit_array *a)
{
	return j->ahead.slots && keyed_fill(a);
}

/* Fill chunk @ci of @a (at index @at) into the next slot of the ring,
 * once one is free, and hash it. 0 when told to stop. */
static int ahead_fill(struct job *j, const struct commit_array *a, uint64_t ci, uint64_t at)
{
	struct ahead *h = &j->ahead;
	uint64_t esize = ns_dtype_size(a->dtype), off = ci * j->c->s->chunk_size;
	size_t n = chunk_len(j->c, a, ci), k;
	uint8_t *buf;
	int stop;

	pthread_mutex_lock(&h->lock);
	while (h->filled - h->taken >= h->n_slots && !h->stop)
		pthread_cond_wait(&h->cond, &h->lock);
	stop = h->stop;
	pthread_mutex_unlock(&h->lock);
	if (stop)
		return 0;
	k = (size_t)(h->filled % h->n_slots);
	buf = h->slots + k * j->c->s->chunk_size;
	/* A failure is this thread's: ensure_chunk() fills the chunk again,
	 * for the error in its own thread, and those after it. */
	h->slot_rc[k] = call_fill(a, off / esize, n / esize, buf);
	if (h->slot_rc[k] == NS_OK)
		ns__chunk_hash(j->hashes[a - j->c->arrays] + NS_HASH_SIZE * ci, buf, n);
	pthread_mutex_lock(&h->lock);
	h->filled++;
	if (h->slot_rc[k] != NS_OK)
		h->fill_end = at + 1;
	pthread_mutex_unlock(&h->lock);
	return 1;
}

static void *ahead_run(void *arg)
{
	struct job *j = arg;
	struct ahead *h = &j->ahead;
	uint64_t chunk = j->c->s->chunk_size;
	for (size_t ai = 0; ai < j->c->n_arrays; ai++) {
		const struct commit_array *a = &j->c->arrays[ai];
		uint64_t nc = n_chunks_of(j->c, a);
		for (uint64_t ci = 0; ci < nc; ci++) {
			uint64_t at = j->first[ai] + ci;
			/* hashed[] of a chunk changes only once it is past */
			if (a->data && !j->hashed[at])
				ns__chunk_hash(j->hashes[ai] + NS_HASH_SIZE * ci,
					       (const uint8_t *)a->data + ci * chunk,
					       chunk_len(j->c, a, ci));
			else if (fills_ahead(j, a) && !j->hashed[at] && at < h->fill_end &&
				 !ahead_fill(j, a, ci, at))
				return NULL;
			pthread_mutex_lock(&h->lock);
			h->upto = at + 1;
			pthread_cond_broadcast(&h->cond);
			if (h->stop) {
				pthread_mutex_unlock(&h->lock);
				return NULL;
			}
			pthread_mutex_unlock(&h->lock);
		}
	}
	return NULL;
}

/* Start working ahead when there is more than a chunk to hash or fill, on
 * more than one core; without a thread, chunks are hashed (and filled) as
 * they are stored. The ring only when there are chunks to fill. */
static void ahead_start(struct job *j)
{
	struct ahead *h = &j->ahead;
	size_t chunk = j->c->s->chunk_size;
	uint64_t to_hash = 0, to_fill = 0;
	for (size_t ai = 0; ai < j->c->n_arrays; ai++) {
		const struct commit_array *a = &j->c->arrays[ai];
		if (j->hashed[j->first[ai]])
			continue;
		if (a->data)
			to_hash += n_chunks_of(j->c, a);
		else if (keyed_fill(a))
			to_fill += n_chunks_of(j->c, a);
	}
	if (to_hash + to_fill < 2 || nsp_threads() < 2)
		return;
	h->n_slots = AHEAD_BYTES / chunk < AHEAD_SLOTS ? AHEAD_BYTES / chunk : AHEAD_SLOTS;
	if (to_fill && h->n_slots >= 2)
		h->slots = malloc(h->n_slots * chunk); /* without it, fills stay here */
	h->fill_end = UINT64_MAX;
	pthread_mutex_init(&h->lock, NULL);
	pthread_cond_init(&h->cond, NULL);
	h->running = pthread_create(&h->thread, NULL, ahead_run, j) == 0;
	if (!h->running) {
		pthread_mutex_destroy(&h->lock);
		pthread_cond_destroy(&h->cond);
		free(h->slots);
		h->slots = NULL;
	}
}

static void ahead_stop(struct job *j)
{
	struct ahead *h = &j->ahead;
	if (!h->running)
		return;
	pthread_mutex_lock(&h->lock);
	h->stop = 1;
	pthread_cond_broadcast(&h->cond);
	pthread_mutex_unlock(&h->lock);
	pthread_join(h->thread, NULL);
	pthread_mutex_destroy(&h->lock);
	pthread_cond_destroy(&h->cond);
	free(h->slots);
	h->slots = NULL;
	h->running = 0;
}

/* Give the ring's oldest slot back to the thread working ahead. */
static void ahead_release(struct job *j)
{
	struct ahead *h = &j->ahead;
	pthread_mutex_lock(&h->lock);
	h->taken++;
	pthread_cond_broadcast(&h->cond);
	pthread_mutex_unlock(&h->lock);
}

/* Whether chunk @at of array @ai, not hashed before the commit started,
 * was hashed ahead: then, once this returns, its hash is in the record,
 * and *@ring is its filled copy in the ring (NULL for an array in memory),
 * for ahead_release() once used. */
static int ahead_take(struct job *j, size_t ai, uint64_t at, const uint8_t **ring)
{
	struct ahead *h = &j->ahead;
	const struct commit_array *a = &j->c->arrays[ai];
	uint64_t fill_end;
	size_t k;

	*ring = NULL;
	if (!h->running || !(a->data || fills_ahead(j, a)))
		return 0;
	pthread_mutex_lock(&h->lock);
	while (h->upto <= at)
		pthread_cond_wait(&h->cond, &h->lock);
	fill_end = h->fill_end;
	pthread_mutex_unlock(&h->lock);
	if (a->data)
		return 1;
	if (at >= fill_end)
		return 0;
	k = (size_t)(h->taken % h->n_slots);
	if (h->slot_rc[k] != NS_OK) {
		ahead_release(j);
		return 0;
	}
	*ring = h->slots + k * j->c->s->chunk_size;
	return 1;
}

/* Store chunk (@ai, @ci) unless it is there (hashing it first when it is
 * not hashed yet), or queue it; adds to @cnt and new_bytes, and to *size
 * the bytes stored. */
static int ensure_chunk(struct job *j, MDB_txn *txn, size_t ai, uint64_t ci,
			struct counters *cnt, uint64_t *size)
{
	uint8_t *h = j->hashes[ai] + NS_HASH_SIZE * ci;
	const uint8_t *data = NULL, *ring = NULL;
	uint64_t stored, at = j->first[ai] + ci;
	size_t n = chunk_len(j->c, &j->c->arrays[ai], ci);
	int rc;

	*size = 0;
	if (!j->hashed[at]) {
		if (ahead_take(j, ai, at, &ring)) {
			data = ring;
		} else {
			NS_TRY(chunk_bytes(j, ai, ci, &data, &n));
			ns__chunk_hash(h, data, n);
		}
		j->hashed[at] = 1;
	}
	if ((rc = ns__chunk_has(txn, j->c->s, h)) != 0 || pending_has(j, h))
		goto done;
	if (!data)
		NS_TRY(chunk_bytes(j, ai, ci, &data, &n));
	*size = n;
	if (j->cap_pend) {
		rc = pending_add(j, txn, cnt, ai, ci, h, data, n, data == j->scratch || ring);
		goto done;
	}
	rc = ns__chunk_put(j->w, txn, j->c->s, h, data, n, j->c->arrays[ai].dtype, cnt, &stored);
	if (rc < 0)
		ns_err_wrap(rc, "array '%s'", j->c->arrays[ai].name);
	else
		count_new(j, ai, ci, stored);
done:
	if (ring)
		ahead_release(j);
	return rc < 0 ? rc : NS_OK;
}

/* One batch: store new chunks from (ai, ci) until a write batch is written.
 * Run again from the same place when the map had to grow. */
static int store_batch(MDB_txn *txn, void *ctx)
{
	struct job *j = ctx;
	struct counters cnt, was;
	uint64_t size, written = 0, before = j->new_bytes;
	size_t ai = j->ai;
	uint64_t ci = j->ci;
	int rc;

	memcpy(j->counted_saved, j->counted, j->n_total);
	j->n_pend = 0;
	NS_TRY(ns__counters_get(txn, j->c->s, &cnt));
	was = cnt;
	for (; ai < j->c->n_arrays && written < j->c->s->write_batch; ai++, ci = 0) {
		uint64_t nc = n_chunks_of(j->c, &j->c->arrays[ai]);
		if (j->c->arrays[ai].from)
			continue;
		for (; ci < nc && written < j->c->s->write_batch; ci++) {
			NS_TRY(ensure_chunk(j, txn, ai, ci, &cnt, &size));
			written += size;
		}
		if (ci < nc)
			break;
	}
	NS_TRY(flush_pending(j, txn, &cnt));
	/* A batch that found every chunk stored writes nothing: LMDB then
	 * commits without a write or a sync. */
	if (memcmp(&cnt, &was, sizeof cnt))
		NS_TRY(ns__counters_put(txn, j->c->s, &cnt));
	j->next_ai = ai;
	j->next_ci = ci;
done:
	if (rc < 0) {
		j->new_bytes = before;
		memcpy(j->counted, j->counted_saved, j->n_total);
	}
	return rc;
}

/* Store the new chunks of a large commit in transactions of the store's
 * write batch, so that LMDB never holds more than that in memory; the last
 * transaction then adds the references and the version. Each batch's data
 * is synced, its meta page not: a crash may lose the last batch, and
 * leaves the others as orphans for ns_store_gc(), never a damaged store. */
void (*ns__commit_batch_hook)(void);

static int store_batches(struct job *j)
{
	int rc;
	j->ai = 0;
	j->ci = 0;
	while (j->ai < j->c->n_arrays) {
		if ((rc = ns__store_write(j->c->s, MDB_NOMETASYNC, store_batch, j)) < 0)
			return rc;
		if (ns__commit_batch_hook)
			ns__commit_batch_hook();
		j->ai = j->next_ai;
		j->ci = j->next_ci;
	}
	return NS_OK;
}

/* The parent of a commit to @branch: its tip, or for a new branch the
 * current branch's tip (0 in an empty store). */
static int find_parent(MDB_txn *txn, ns_store *s, const char *branch, const char *head,
		       uint64_t *parent)
{
	int rc = ns__ref_get(txn, s, REF_BRANCH, branch, parent);
	if (rc == NS_ENOTFOUND)
		rc = ns__ref_get(txn, s, REF_BRANCH, head, parent);
	if (rc == NS_ENOTFOUND) {
		*parent = 0;
		rc = NS_OK;
	}
	return rc;
}

static int check_tag(MDB_txn *txn, ns_store *s, const char *tag)
{
	uint64_t tagged;
	if (tag && ns__ref_get(txn, s, REF_TAG, tag, &tagged) == NS_OK)
		return ns_err(NS_EEXISTS, "store '%s': tag '%s' already names version %llu",
			      s->path, tag, (unsigned long long)tagged);
	return NS_OK;
}

/* The last transaction: every chunk stored (again, if a gc freed it) and
 * referenced, then the version and its refs. */
static int write_version(MDB_txn *txn, void *ctx)
{
	struct job *j = ctx;
	ns_commit *c = j->c;
	ns_store *s = c->s;
	char head[NS_REF_NAME_MAX + 1];
	const char *branch;
	uint64_t parent, number, size, before = j->new_bytes;
	struct counters cnt;
	MDB_val k, v;
	size_t key;
	int rc;

	memcpy(j->counted_saved, j->counted, j->n_total);
	j->n_pend = 0;
	NS_TRY(check_tag(txn, s, j->o->tag));
	NS_TRY(ns__head_branch(txn, s, head, sizeof head));
	branch = j->o->branch ? j->o->branch : head;
	NS_TRY(find_parent(txn, s, branch, head, &parent));
	NS_TRY(ns__meta_get_u64(txn, s, META_NEXT, &number));
	NS_TRY(ns__counters_get(txn, s, &cnt));
	for (size_t ai = 0; ai < c->n_arrays; ai++)
		for (uint64_t ci = 0; ci < n_chunks_of(c, &c->arrays[ai]); ci++) {
			NS_TRY(ensure_chunk(j, txn, ai, ci, &cnt, &size));
			NS_TRY(ns__chunk_addref(txn, s, j->hashes[ai] + NS_HASH_SIZE * ci));
		}
	NS_TRY(flush_pending(j, txn, &cnt));
	ns__put_u64(j->rec + REC_NUMBER, number);
	ns__put_u64(j->rec + REC_PARENT, parent);
	ns__put_u64(j->rec + REC_NEW, j->new_bytes);
	key = (size_t)number;
	k.mv_size = sizeof key;
	k.mv_data = &key;
	v.mv_size = j->rec_size;
	v.mv_data = j->rec;
	if ((rc = mdb_put(txn, s->versions, &k, &v, MDB_NOOVERWRITE))) {
		rc = ns_err_lmdb(rc, "store '%s': writing version %llu", s->path,
				 (unsigned long long)number);
		goto done;
	}
	NS_TRY(ns__meta_put_u64(txn, s, META_NEXT, number + 1));
	NS_TRY(ns__ref_put(txn, s, REF_BRANCH, branch, number));
	if (j->o->tag)
		NS_TRY(ns__ref_put(txn, s, REF_TAG, j->o->tag, number));
	NS_TRY(ns__counters_put(txn, s, &cnt));
	j->number = number;
done:
	if (rc < 0) {
		j->new_bytes = before;
		memcpy(j->counted, j->counted_saved, j->n_total);
	}
	return rc;
}

/* After a failure, free what the batches stored and no version uses. */
static int discard_batches(MDB_txn *txn, void *ctx)
{
	struct job *j = ctx;
	struct counters cnt;
	int rc;

	NS_TRY(ns__counters_get(txn, j->c->s, &cnt));
	for (size_t ai = 0; ai < j->c->n_arrays; ai++)
		for (uint64_t ci = 0; !j->c->arrays[ai].from &&
				      ci < n_chunks_of(j->c, &j->c->arrays[ai]); ci++)
			if (j->hashed[j->first[ai] + ci])
				NS_TRY(ns__gc_free_if_orphan(txn, j->c->s, j->hashes[ai] + NS_HASH_SIZE * ci,
						 &cnt));
	rc = ns__counters_put(txn, j->c->s, &cnt);
done:
	return rc;
}

/* Index the chunks for the counted flags. */
static int index_chunks(struct job *j)
{
	j->first = calloc(j->c->n_arrays + 1, sizeof *j->first);
	if (!j->first)
		return ns_err(NS_ENOMEM, "commit: out of memory");
	for (size_t ai = 0; ai < j->c->n_arrays; ai++) {
		j->first[ai] = j->n_total;
		j->n_total += n_chunks_of(j->c, &j->c->arrays[ai]);
	}
	j->counted = calloc(j->n_total + 1, 1);
	j->counted_saved = calloc(j->n_total + 1, 1);
	j->hashed = calloc(j->n_total + 1, 1);
	if (!j->counted || !j->counted_saved || !j->hashed)
		return ns_err(NS_ENOMEM, "commit: out of memory");
	return NS_OK;
}

/* The bytes of the arrays not taken from another version: at most what
 * the commit stores (before compression). */
static uint64_t own_bytes(const ns_commit *c)
{
	uint64_t sum = 0;
	for (size_t ai = 0; ai < c->n_arrays; ai++)
		if (!c->arrays[ai].from)
			sum += c->arrays[ai].count * ns_dtype_size(c->arrays[ai].dtype);
	return sum;
}

static int check_opts(const ns_commit_opts *o, ns_codec codec, int level)
{
	int rc = NS_OK;
	if ((rc = ns__opts_check(o->version, NS_COMMIT_OPTS_VERSION, "commit")) < 0)
		return rc;
	if (codec != NS_CODEC_RAW && codec != NS_CODEC_ZSTD)
		return ns_err(NS_EINVAL, "commit: unknown codec %d", (int)codec);
	if (level < 1 || level > 19)
		return ns_err(NS_EINVAL, "commit: zstd level %d: must be from 1 to 19", level);
	if (o->tag && (rc = ns__ref_name_check("tag", o->tag)) < 0)
		return rc;
	if (o->branch && (rc = ns__ref_name_check("branch", o->branch)) < 0)
		return rc;
	return NS_OK;
}

/* Fail early, before any work, when the tag is taken. */
static int check_tag_now(ns_store *s, const char *tag)
{
	MDB_txn *txn = NULL;
	int rc;
	if (!tag)
		return NS_OK;
	NS_TRY(ns__store_txn_begin(&txn, s, MDB_RDONLY));
	rc = check_tag(txn, s, tag);
done:
	ns__store_txn_end(s, txn, 0, &rc);
	return rc;
}

/* The queue: two entries per core, for zstd on more than one. */
static int pending_new(struct job *j, ns_codec codec, int level)
{
	unsigned threads = nsp_threads();
	size_t cap = 2 * (size_t)threads;
	int rc;
	if (codec != NS_CODEC_ZSTD || threads < 2)
		return NS_OK;
	if (cap > MAX_PENDING)
		cap = MAX_PENDING;
	for (; j->cap_pend < cap; j->cap_pend++) {
		struct pending *p = &j->pend[j->cap_pend];
		if ((rc = ns__chunk_writer_new(&p->w, codec, level)) < 0)
			return rc;
		if (!(p->copy = malloc(j->c->s->chunk_size))) {
			j->cap_pend++; /* its writer is freed with the others */
			return ns_err(NS_ENOMEM, "commit: out of memory");
		}
	}
	return NS_OK;
}

int ns_commit_finish(uint64_t *out, ns_commit *c, const ns_commit_opts *opts)
{
	ns_commit_opts defaults = NS_COMMIT_OPTS_INIT;
	const ns_commit_opts *o = opts ? opts : &defaults;
	struct job j = { .c = c, .o = o };
	ns_store *s = c->s;
	ns_codec codec = o->codec == NS_CODEC_DEFAULT ? s->codec : o->codec;
	int rc, level = o->level ? o->level : s->level;
	uint64_t own = own_bytes(c);
	int batched;

	NS_TRY(check_opts(o, codec, level));
	NS_TRY(check_tag_now(s, o->tag));
	NS_TRY(build_record(&j));
	if (!(j.scratch = malloc(s->chunk_size))) {
		rc = ns_err(NS_ENOMEM, "commit: out of memory");
		goto done;
	}
	NS_TRY(index_chunks(&j));
	copy_known_hashes(&j);
	NS_TRY(ns__chunk_writer_new(&j.w, codec, level));
	NS_TRY(pending_new(&j, codec, level));
	/* Page headers and tree pages add about 1/64. Chunks are hashed as
	 * they are stored, so what is new is not known yet: reserve for all
	 * (the map is address space; the file grows only by what is written). */
	NS_TRY(ns__store_reserve(s, own + own / 64 + j.rec_size));
	batched = own > s->write_batch;
	ahead_start(&j);
	if (batched)
		rc = store_batches(&j);
	if (rc == NS_OK)
		rc = ns__store_write(s, 0, write_version, &j);
	ahead_stop(&j);
	if (rc < 0 && batched) {
		/* Best effort, and the first error is the one to report. */
		char msg[1024];
		snprintf(msg, sizeof msg, "%s", ns_error_last()->message);
		ns__store_write(s, 0, discard_batches, &j);
		ns_err(rc, "%s", msg);
	}
	if (rc == NS_OK)
		memo_keyed(&j);
	if (rc == NS_OK && out)
		*out = j.number;
done:
	ahead_stop(&j);
	tracked_end(&j, rc == NS_OK);
	for (size_t k = 0; k < j.cap_pend; k++) {
		ns__chunk_writer_free(j.pend[k].w);
		free(j.pend[k].copy);
	}
	ns__chunk_writer_free(j.w);
	free(j.rec);
	free(j.hashes);
	free(j.scratch);
	free(j.first);
	free(j.counted);
	free(j.counted_saved);
	free(j.hashed);
	ns_commit_free(c);
	return rc;
}

/* The bytes at @off (@n of them) of array @a: in memory, or filled into
 * @buf. */
static int source_bytes(const struct commit_array *a, uint64_t off, size_t n, uint8_t *buf,
			const uint8_t **out)
{
	size_t esize = ns_dtype_size(a->dtype);
	int rc;
	if (a->data) {
		*out = (const uint8_t *)a->data + off;
		return NS_OK;
	}
	if ((rc = call_fill(a, off / esize, n / esize, buf)) < 0)
		return ns_err_wrap(rc, "commit: capturing array '%s'", a->name);
	*out = buf;
	return NS_OK;
}

/* Chunk @ci of array @a, in memory, to capture: hashed into cap_hashes,
 * then copied into cap_chunks[ci] unless the store has it (both on every
 * core). */
struct cap_task {
	struct commit_array *a;
	uint64_t ci;
	const uint8_t *src;
	size_t n;
	/* Where it is copied before it is hashed (from the cache then), for a
	 * chunk that tracked writes show written, so likely new; else NULL. */
	uint8_t *room;
	int known; /* its hash is known and the store lacks it: only copied */
};

static void cap_hash_part(void *ctx, uint64_t begin, uint64_t end)
{
	const struct cap_task *t = ctx;
	for (uint64_t k = begin; k < end; k++) {
		const uint8_t *src = t[k].src;
		if (t[k].room) {
			memcpy(t[k].room, src, t[k].n);
			src = t[k].room;
		}
		if (!t[k].known)
			ns__chunk_hash(t[k].a->cap_hashes + NS_HASH_SIZE * t[k].ci, src, t[k].n);
	}
}

static void cap_copy_part(void *ctx, uint64_t begin, uint64_t end)
{
	const struct cap_task *t = ctx;
	for (uint64_t k = begin; k < end; k++)
		if (t[k].a->cap_chunks[t[k].ci] && !t[k].room)
			memcpy(t[k].a->cap_chunks[t[k].ci], t[k].src, t[k].n);
}

/* Where the captured copy of a chunk goes (@n bytes of array @a). */
static int cap_room(ns_commit *c, const struct commit_array *a, uint64_t ci, size_t n,
		    uint8_t **slot)
{
	if (!(*slot = block_room(c, n)))
		return ns_err(NS_ENOMEM, "commit: capturing array '%s': out of memory for "
			      "chunk %llu", a->name, (unsigned long long)ci);
	return NS_OK;
}

/* Capture array @a: hash each chunk (or take the hashes the handle's memo
 * has for a keyed array) and copy those that @txn's store lacks. An array
 * in memory whose hashes are not known only gets its tasks added to
 * @tasks (at *n_tasks), for ns_commit_capture() to run on every core. */
static int capture_array(ns_commit *c, MDB_txn *txn, struct commit_array *a,
			 struct cap_task *tasks, size_t *n_tasks, uint64_t *copied)
{
	uint64_t nc = n_chunks_of(c, a), chunk = c->s->chunk_size;
	uint8_t *unchanged = NULL; /* per chunk, for tracked writes */
	int known, rc = NS_OK;

	a->cap_hashes = malloc(NS_HASH_SIZE * nc + 1);
	a->cap_chunks = calloc(nc + 1, sizeof *a->cap_chunks);
	if (!a->cap_hashes || !a->cap_chunks)
		return ns_err(NS_ENOMEM, "commit: capturing array '%s': out of memory", a->name);
	known = a->keyed && ns__memo_get(c->s, a->name, a->key, a->dtype, a->count, a->cap_hashes);
	if (a->data && !known && c->s->track && (unchanged = malloc(nc + 1)))
		ns__track_begin(&a->track, a->data, a->count * ns_dtype_size(a->dtype), chunk,
				a->cap_hashes, unchanged);
	for (uint64_t ci = 0; ci < nc; ci++) {
		uint64_t off = ci * chunk;
		size_t n = chunk_len(c, a, ci);
		uint8_t *h = a->cap_hashes + NS_HASH_SIZE * ci, *room;
		const uint8_t *data = NULL;
		int have = known || (a->track && unchanged[ci]); /* its hash */
		if (a->data && !have) {
			room = NULL;
			if (a->track)
				NS_TRY(cap_room(c, a, ci, n, &room));
			tasks[(*n_tasks)++] = (struct cap_task){ a, ci, (const uint8_t *)a->data + off,
								 n, room, 0 };
			continue;
		}
		if (have && (rc = ns__chunk_has(txn, c->s, h)) != 0) {
			if (rc < 0)
				goto done;
			continue;
		}
		NS_TRY(cap_room(c, a, ci, n, &room));
		if (a->data) {
			/* Known unchanged (tracked), new to this store: copied
			 * on every core with the others. */
			tasks[(*n_tasks)++] = (struct cap_task){ a, ci, (const uint8_t *)a->data + off,
								 n, room, 1 };
			a->cap_chunks[ci] = room;
			*copied += n;
			continue;
		}
		/* Filled straight into its room; given back when the store has it. */
		NS_TRY(source_bytes(a, off, n, room, &data));
		if (data != room)
			memcpy(room, data, n);
		if (!have) {
			ns__chunk_hash(h, room, n);
			if ((rc = ns__chunk_has(txn, c->s, h)) != 0) {
				c->block_used -= n;
				if (rc < 0)
					goto done;
				continue;
			}
		}
		a->cap_chunks[ci] = room;
		*copied += n;
	}
done:
	free(unchanged);
	return rc < 0 ? rc : NS_OK;
}

/* Hash the tasks on every core (those with room copied first), make room
 * for the other chunks the store lacks, and copy them on every core. */
static int capture_tasks(ns_commit *c, MDB_txn *txn, struct cap_task *tasks, size_t n,
			 uint64_t *copied)
{
	int rc = NS_OK;
	ns__parallel(n, 2, cap_hash_part, tasks);
	for (size_t k = 0; k < n; k++) {
		const struct cap_task *t = &tasks[k];
		if (t->known)
			continue;
		if ((rc = ns__chunk_has(txn, c->s, t->a->cap_hashes + NS_HASH_SIZE * t->ci)) < 0)
			return rc;
		if (rc == 0) {
			/* (A copy the store turns out to have is left unused.) */
			if (t->room)
				t->a->cap_chunks[t->ci] = t->room;
			else
				NS_TRY(cap_room(c, t->a, t->ci, t->n, &t->a->cap_chunks[t->ci]));
			*copied += t->n;
		}
	}
	ns__parallel(n, 2, cap_copy_part, tasks);
done:
	return rc < 0 ? rc : NS_OK;
}

int ns_commit_capture(ns_commit *c, uint64_t *copied)
{
	MDB_txn *txn = NULL;
	struct cap_task *tasks;
	size_t n_tasks = 0, n_chunks = 0, ai;
	uint64_t total = 0;
	int rc = NS_OK;

	for (ai = 0; ai < c->n_arrays; ai++)
		n_chunks += n_chunks_of(c, &c->arrays[ai]);
	tasks = malloc((n_chunks + 1) * sizeof *tasks);
	if (!tasks) {
		rc = ns_err(NS_ENOMEM, "commit: out of memory");
		goto done;
	}
	NS_TRY(ns__store_txn_begin(&txn, c->s, MDB_RDONLY));
	for (ai = 0; ai < c->n_arrays && rc == NS_OK; ai++) {
		struct commit_array *a = &c->arrays[ai];
		if (!a->from && !a->cap_hashes)
			rc = capture_array(c, txn, a, tasks, &n_tasks, &total);
	}
	if (rc == NS_OK)
		rc = capture_tasks(c, txn, tasks, n_tasks, &total);
	for (size_t k = 0; k < ai; k++) {
		struct commit_array *a = &c->arrays[k];
		ns__track_end(a->track, rc == NS_OK ? a->cap_hashes : NULL);
		a->track = NULL;
	}
	if (rc < 0) {
		/* Half captured is not captured: the arrays read their memory
		 * again at ns_commit_finish(). */
		for (size_t k = 0; k < ai; k++) {
			struct commit_array *a = &c->arrays[k];
			if (a->data || a->fill) {
				free(a->cap_hashes);
				free(a->cap_chunks);
				a->cap_hashes = NULL;
				a->cap_chunks = NULL;
			}
		}
		goto done;
	}
	/* From now on the commit reads only what it captured. */
	for (ai = 0; ai < c->n_arrays; ai++) {
		struct commit_array *a = &c->arrays[ai];
		if (a->cap_hashes) {
			a->data = NULL;
			a->fill = NULL;
			a->ctx = NULL;
		}
	}
	if (copied)
		*copied = total;
done:
	ns__store_txn_end(c->s, txn, 0, &rc);
	free(tasks);
	return rc;
}
