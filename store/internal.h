/* The store's private definitions, shared by the files of store/. */
#ifndef NSNAP_STORE_INTERNAL_H
#define NSNAP_STORE_INTERNAL_H

#include <lmdb.h>
#include <pthread.h>
#include <stdint.h>
#include <string.h>

#include <nsnap/store.h>

#include "err.h"

/* On-disk format of every record this nsnap writes. Stores and records of a
 * higher number are refused; lower ones stay readable. */
#define NS_STORE_FORMAT 1u

#define NS_HASH_SIZE 16
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

/* Little-endian fixed-width fields. */
static inline void put_u32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}
static inline void put_u64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}
static inline uint32_t get_u32(const uint8_t *p)
{
	uint32_t v = 0;
	for (int i = 3; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}
static inline uint64_t get_u64(const uint8_t *p)
{
	uint64_t v = 0;
	for (int i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

/* The number in a versions key; LMDB keys may be only 2-byte aligned. */
static inline uint64_t version_key(const MDB_val *k)
{
	size_t n;
	memcpy(&n, k->mv_data, sizeof n);
	return n;
}

/* store.c: transactions that keep the map size and the active count right. */
int store_txn_begin(MDB_txn **out, ns_store *s, unsigned flags);
void store_txn_end(ns_store *s, MDB_txn *txn, int commit_it, int *rc);
/* Make room for @bytes more in the map, if no transaction is active. */
int store_reserve(ns_store *s, uint64_t bytes);
/* Grow the map after MDB_MAP_FULL; NS_EFULL when it cannot. */
int store_grow(ns_store *s);

int meta_get_u64(MDB_txn *txn, ns_store *s, const char *key, uint64_t *out);
int meta_put_u64(MDB_txn *txn, ns_store *s, const char *key, uint64_t v);
int counters_get(MDB_txn *txn, ns_store *s, struct counters *c);
int counters_put(MDB_txn *txn, ns_store *s, const struct counters *c);

/* chunk.c */
#define CHUNK_HEADER 32
void chunk_hash(uint8_t out[NS_HASH_SIZE], const void *data, size_t size);
void chunk_hash_hex(char out[2 * NS_HASH_SIZE + 1], const uint8_t *hash);
typedef struct chunk_writer chunk_writer;
int chunk_writer_new(chunk_writer **out, ns_codec codec, int level);
void chunk_writer_free(chunk_writer *w);
/* 1 when the chunk @hash is stored, 0 when not, or an error. */
int chunk_has(MDB_txn *txn, ns_store *s, const uint8_t *hash);
/* Store the chunk @data (not stored yet) under @hash, without a reference;
 * *stored gets its stored size. */
int chunk_put(chunk_writer *w, MDB_txn *txn, ns_store *s, const uint8_t *hash,
	      const void *data, size_t size, ns_dtype dtype, struct counters *c,
	      uint64_t *stored);
/* Add a reference to a stored chunk. A chunk with none is an orphan. */
int chunk_addref(MDB_txn *txn, ns_store *s, const uint8_t *hash);
/* Drop a reference; free the chunk when none is left. */
int chunk_unref(MDB_txn *txn, ns_store *s, const uint8_t *hash, struct counters *c);
/* Parse a chunk record; @payload points into it. */
typedef struct chunk_rec {
	ns_codec codec;
	unsigned shuffle; /* element width shuffled, 0 or 1 for none */
	uint64_t raw_size;
	const uint8_t *payload;
	size_t payload_size;
} chunk_rec;
int chunk_parse(chunk_rec *out, const MDB_val *val);
/* Decode @rec into @buf (raw_size bytes). @where names it in errors. */
int chunk_decode(void *buf, const chunk_rec *rec, const char *where);

/* Run @fn in a write transaction (begun with @txn_flags) and commit it; when the map fills up,
 * grow it and run @fn again (it must start from scratch each time). */
int store_write(ns_store *s, unsigned txn_flags, int (*fn)(MDB_txn *txn, void *ctx), void *ctx);

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
#define REC_HEADER 64
#define REC_PARENT 16
typedef struct version_rec version_rec;
struct version_rec {
	ns_version_info info;
	const uint8_t *meta;  /* n_meta entries, parsed on demand */
	const void *blob;
	size_t blob_size;
	const uint8_t *arrays; /* n_arrays entries */
};
int version_parse(version_rec *out, const MDB_val *val, uint64_t number);
/* Walk the arrays of a parsed record: each call fills @a and advances @p. */
int version_next_array(ns_array_info *a, const uint8_t **p, const uint8_t *end);
int version_get(MDB_txn *txn, ns_store *s, uint64_t number, MDB_val *val);
ns_store *version_store(const ns_version *v);

/* gc.c: the number of chunks no version references; freeing one. */
int orphans_count(MDB_txn *txn, ns_store *s, uint64_t *chunks);
int gc_free_if_orphan(MDB_txn *txn, ns_store *s, const uint8_t *hash, struct counters *cnt);

/* refs.c */
int ref_name_check(const char *what, const char *name);
int ref_get(MDB_txn *txn, ns_store *s, char kind, const char *name, uint64_t *out);
int ref_put(MDB_txn *txn, ns_store *s, char kind, const char *name, uint64_t v);
int head_branch(MDB_txn *txn, ns_store *s, char *buf, size_t size);
int resolve_txn(MDB_txn *txn, ns_store *s, const char *rev, uint64_t *out);

#endif
