/* SPDX-License-Identifier: MIT */
/* The store's private definitions, shared by the files of store/. */
#ifndef NSNAP_STORE_INTERNAL_H
#define NSNAP_STORE_INTERNAL_H

#include <lmdb.h>
#include <pthread.h>
#include <stdint.h>
#include <string.h>

#include <nsnap/store.h>

#include "bytes.h"
#include "err.h"
#include "util.h"

/* On-disk format of every record this nsnap writes. Stores and records of a
 * higher number are refused; lower ones stay readable. */
#define NS_STORE_FORMAT 1u

#define NS_HASH_SIZE 16
#include "track.h"
_Static_assert(NS_HASH_SIZE == NSP_TRACK_HASH, "write tracking keeps the store's hashes");
#define NS_NAME_MAX 4095
#define NS_REF_NAME_MAX 255

_Static_assert(sizeof(size_t) == 8, "nsnap needs a 64-bit size_t (LMDB integer keys)");

struct ns_store {
	MDB_env *env;
	MDB_dbi meta;     /* settings and counters (keys below) */
	MDB_dbi chunks;   /* hash -> chunk header + payload */
	MDB_dbi refcnt;   /* hash -> u64 number of references */
	MDB_dbi versions; /* u64 number (integer key) -> version record */
	MDB_dbi refs;     /* kind byte + name -> u64 version */
	char *path;
	int lock_fd;      /* the store file, flock()ed shared while it is open */
	int rdonly;
	uint64_t chunk_size;
	uint64_t write_batch;
	ns_codec codec;
	int level;
	unsigned format;
	int track; /* NS_STORE_TRACK_WRITES */

	/* memo.c: the chunk hashes of keyed arrays this handle committed. */
	struct memo_entry *memo;
	size_t n_memo;

	/* commit.c: blocks of captured chunks that finished commits gave
	 * back, for the next capture (their pages are faulted in already);
	 * a list through each block's first bytes, guarded by lock. */
	void *spare_blocks;

	/* Held by each write transaction of this handle, begin to commit. */
	pthread_mutex_t write_lock;

	/* Growing the map needs every transaction of this env to be over. */
	pthread_mutex_t lock;
	unsigned active; /* transactions open, guarded by lock */
};

/* A flag of ns_store_open() for the store's own use: do not take the
 * file lock (the caller holds it exclusively). */
#define STORE_NO_FLOCK (1u << 30)

/* Keys of the meta database. */
#define META_FORMAT "format"         /* u32 */
#define META_CHUNK_SIZE "chunk_size" /* u64 */
#define META_CODEC "codec"           /* u32 */
#define META_LEVEL "level"           /* u32 */
#define META_NEXT "next"             /* u64: the next version number */
#define META_HEAD "head"             /* the current branch's name */
#define META_COUNTERS "counters"     /* struct counters, as 3 x u64 */

/* Refs keys start with their kind. */
#define REF_TAG '\1'
#define REF_BRANCH '\2'

/* Totals over the distinct chunks, kept up to date by every write. */
struct counters {
	uint64_t chunks, unique_bytes, stored_bytes;
};

/* The number in a versions key; LMDB keys may be only 2-byte aligned. */
static inline uint64_t version_key(const MDB_val *k)
{
	size_t n;
	memcpy(&n, k->mv_data, sizeof n);
	return n;
}

/* store.c: transactions that keep the map size and the active count right. */
int ns__store_txn_begin(MDB_txn **out, ns_store *s, unsigned flags);
void ns__store_txn_end(ns_store *s, MDB_txn *txn, int commit_it, int *rc);
/* Make room for @bytes more in the map, if no transaction is active. */
int ns__store_reserve(ns_store *s, uint64_t bytes);
/* Grow the map after MDB_MAP_FULL; NS_EFULL when it cannot. */
int ns__store_grow(ns_store *s);

int ns__meta_get_u64(MDB_txn *txn, ns_store *s, const char *key, uint64_t *out);
int ns__meta_put_u64(MDB_txn *txn, ns_store *s, const char *key, uint64_t v);
int ns__counters_get(MDB_txn *txn, ns_store *s, struct counters *c);
int ns__counters_put(MDB_txn *txn, ns_store *s, const struct counters *c);

/* chunk.c */
#define CHUNK_HEADER 32
void ns__chunk_hash(uint8_t out[NS_HASH_SIZE], const void *data, size_t size);
void ns__chunk_hash_hex(char out[2 * NS_HASH_SIZE + 1], const uint8_t *hash);
typedef struct chunk_writer chunk_writer;
int ns__chunk_writer_new(chunk_writer **out, ns_codec codec, int level);
void ns__chunk_writer_free(chunk_writer *w);
/* 1 when the chunk @hash is stored, 0 when not, or an error. */
int ns__chunk_has(MDB_txn *txn, ns_store *s, const uint8_t *hash);
/* Store the chunk @data (not stored yet) under @hash, without a reference;
 * *stored gets its stored size. */
int ns__chunk_put(chunk_writer *w, MDB_txn *txn, ns_store *s, const uint8_t *hash,
	      const void *data, size_t size, ns_dtype dtype, struct counters *c,
	      uint64_t *stored);
/* The same in two steps: encode (compress) @data into @w, which needs no
 * transaction (writers on other threads), then store what @w holds. */
int ns__chunk_encode(chunk_writer *w, const void *data, size_t size, ns_dtype dtype);
int ns__chunk_put_encoded(chunk_writer *w, MDB_txn *txn, ns_store *s, const uint8_t *hash,
			  struct counters *c, uint64_t *stored);
/* Add a reference to a stored chunk. A chunk with none is an orphan. */
int ns__chunk_addref(MDB_txn *txn, ns_store *s, const uint8_t *hash);
/* Drop a reference; free the chunk when none is left. */
int ns__chunk_unref(MDB_txn *txn, ns_store *s, const uint8_t *hash, struct counters *c);
/* Parse a chunk record; @payload points into it. */
typedef struct chunk_rec {
	ns_codec codec;
	unsigned shuffle; /* element width shuffled, 0 or 1 for none */
	uint64_t raw_size;
	const uint8_t *payload;
	size_t payload_size;
} chunk_rec;
int ns__chunk_parse(chunk_rec *out, const MDB_val *val);
/* Decode @rec into @buf (raw_size bytes). @where names it in errors. */
int ns__chunk_decode(void *buf, const chunk_rec *rec, const char *where);

/* Run @fn in a write transaction (begun with @txn_flags) and commit it; when the map fills up,
 * grow it and run @fn again (it must start from scratch each time). */
int ns__store_write(ns_store *s, unsigned txn_flags, int (*fn)(MDB_txn *txn, void *ctx), void *ctx);
/* memo.c. get: 1 and @hashes filled when (@name, @key, @dtype, @count) was
 * committed through @s with this chunk size, else 0. put: best effort. */
int ns__memo_get(ns_store *s, const char *name, const uint8_t *key, ns_dtype dtype,
		 uint64_t count, uint8_t *hashes);
void ns__memo_put(ns_store *s, const char *name, const uint8_t *key, ns_dtype dtype,
		  uint64_t count, const uint8_t *hashes, size_t size);
void ns__memo_free(ns_store *s);

/* Tests only: called between the transactions of a batched commit, with
 * no transaction open (fill callbacks run inside them). */
extern void (*ns__commit_batch_hook)(void);

/* version.c: the version record, all integers little-endian:
 *    0  "NSV" + u8 format       24  i64 time (ns, UTC)   48  u64 n_meta
 *    4  u32 flags (0)           32  u64 logical bytes    56  u64 n_arrays
 *    8  u64 number              40  u64 new bytes
 *   16  u64 parent (0: none)
 *   64  string message; n_meta x (string key, string value);
 *       u64 blob size, blob; n_arrays x array
 * A string is u32 length, bytes, NUL (so names can be read in place).
 * An array is: string name, u8 dtype, u8[3] 0, u64 count, u64 chunk size,
 * u64 n_chunks, n_chunks x 16-byte hash. */
enum {
	REC_NUMBER = 8, REC_PARENT = 16, REC_TIME = 24, REC_LOGICAL = 32, REC_NEW = 40,
	REC_N_META = 48, REC_N_ARRAYS = 56, REC_HEADER = 64,
	/* An array's fields after its name. */
	ARR_DTYPE = 0, ARR_COUNT = 4, ARR_CHUNK_SIZE = 12, ARR_N_CHUNKS = 20, ARR_FIXED = 28,
};
typedef struct version_rec version_rec;
struct version_rec {
	ns_version_info info;
	const uint8_t *meta;  /* n_meta entries, parsed on demand */
	const void *blob;
	size_t blob_size;
	const uint8_t *arrays; /* n_arrays entries */
};
int ns__version_parse(version_rec *out, const MDB_val *val, uint64_t number);
/* Walk the arrays of a parsed record: each call fills @a and advances @p. */
int ns__version_next_array(ns_array_info *a, const uint8_t **p, const uint8_t *end);
int ns__version_get(MDB_txn *txn, ns_store *s, uint64_t number, MDB_val *val);
ns_store *ns__version_store(const ns_version *v);

/* check.c: LMDB's file structure, checked before LMDB reads it. The meta
 * pages of the open file @fd: NS_ENOTSTORE when it is no LMDB file,
 * NS_ECORRUPT naming the damage. */
int ns__check_meta(const char *path, int fd);
/* The pages of the current snapshot: every tree page and overflow record
 * in the file and sound; with @full also overflow headers, the tables'
 * counts and that each page is used or free. @problem (NULL: the first
 * problem is returned as NS_ECORRUPT) gets each problem and returns 0 to go
 * on; the walk returns what else it returned. */
int ns__check_pages(ns_store *s, int full, int (*problem)(void *ctx, const char *message),
		    void *ctx);
/* Before LMDB frees the pages of value @v (of a key of @key_size bytes;
 * @what, in messages) by deleting
 * or replacing its record: NS_ECORRUPT when it lies on overflow pages
 * whose header is damaged (LMDB would free pages it reads from there). */
int ns__check_value(ns_store *s, size_t key_size, const MDB_val *v, const char *what);

/* commit.c: free the spare capture blocks (at close). */
void ns__capture_blocks_free(ns_store *s);

/* compact.c: fsync the folder holding @path (a new name in it is durable);
 * remove the temporary files of compactions into @dest that were killed. */
int ns__sync_dir(const char *path);
void ns__compact_leftovers_remove(const char *dest);

/* gc.c: the number of chunks no version references; freeing one. */
int ns__orphans_count(MDB_txn *txn, ns_store *s, uint64_t *chunks);
int ns__gc_free_if_orphan(MDB_txn *txn, ns_store *s, const uint8_t *hash, struct counters *cnt);

/* refs.c */
int ns__ref_name_check(const char *what, const char *name);
int ns__ref_get(MDB_txn *txn, ns_store *s, char kind, const char *name, uint64_t *out);
int ns__ref_put(MDB_txn *txn, ns_store *s, char kind, const char *name, uint64_t v);
int ns__head_branch(MDB_txn *txn, ns_store *s, char *buf, size_t size);
int ns__resolve_txn(MDB_txn *txn, ns_store *s, const char *rev, uint64_t *out);

#endif
