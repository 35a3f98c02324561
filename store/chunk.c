/* SPDX-License-Identifier: MIT */
/* Chunks: hashing, encoding (raw or shuffled zstd) and reference counts. */
#include "internal.h"

#include <stdlib.h>
#include <zstd.h>

#include "hash.h"

/* Chunk record header (little-endian):
 *   u8 format, u8 codec, u8 shuffle width, u8 0, u32 0,
 *   u64 raw size, u64 payload size, u64 0
 * then the payload. 32 bytes keep the payload of a chunk on LMDB's
 * overflow pages (page header 16 bytes) aligned to 16 bytes. */

struct chunk_writer {
	ZSTD_CCtx *cctx;
	ns_codec codec;
	int level;
	uint8_t *shuffled, *packed;
	size_t cap;
	/* What ns__chunk_encode() made last: the record's payload and fields. */
	const void *payload;
	size_t psize, size;
	ns_codec out_codec;
	unsigned width;
};

void ns__chunk_hash(uint8_t out[NS_HASH_SIZE], const void *data, size_t size)
{
	XXH128_canonical_t c;
	XXH128_canonicalFromHash(&c, XXH3_128bits(data, size));
	memcpy(out, c.digest, NS_HASH_SIZE);
}

void ns__chunk_hash_hex(char out[2 * NS_HASH_SIZE + 1], const uint8_t *hash)
{
	static const char hex[] = "0123456789abcdef";
	for (int i = 0; i < NS_HASH_SIZE; i++) {
		out[2 * i] = hex[hash[i] >> 4];
		out[2 * i + 1] = hex[hash[i] & 15];
	}
	out[2 * NS_HASH_SIZE] = '\0';
}

int ns__chunk_writer_new(chunk_writer **out, ns_codec codec, int level)
{
	chunk_writer *w = calloc(1, sizeof *w);
	if (!w)
		return ns_err(NS_ENOMEM, "commit: out of memory");
	w->codec = codec;
	w->level = level;
	if (codec == NS_CODEC_ZSTD && !(w->cctx = ZSTD_createCCtx())) {
		free(w);
		return ns_err(NS_ENOMEM, "commit: out of memory for zstd");
	}
	*out = w;
	return NS_OK;
}

void ns__chunk_writer_free(chunk_writer *w)
{
	if (!w)
		return;
	ZSTD_freeCCtx(w->cctx);
	free(w->shuffled);
	free(w->packed);
	free(w);
}

/* Byte-shuffle: byte j of every element together, then byte j+1, ...; the
 * bytes past the last whole element stay at the end. Typed numbers then
 * show zstd long runs (exponents, high bytes). */
static void shuffle(uint8_t *dst, const uint8_t *src, size_t size, unsigned width)
{
	size_t n = size / width;
	for (size_t i = 0; i < n; i++)
		for (unsigned j = 0; j < width; j++)
			dst[j * n + i] = src[i * width + j];
	memcpy(dst + n * width, src + n * width, size - n * width);
}

static void unshuffle(uint8_t *dst, const uint8_t *src, size_t size, unsigned width)
{
	size_t n = size / width;
	for (size_t i = 0; i < n; i++)
		for (unsigned j = 0; j < width; j++)
			dst[i * width + j] = src[j * n + i];
	memcpy(dst + n * width, src + n * width, size - n * width);
}

static int grow_scratch(chunk_writer *w, size_t size)
{
	size_t bound = ZSTD_compressBound(size);
	uint8_t *a, *b;
	if (bound <= w->cap)
		return NS_OK;
	a = realloc(w->shuffled, bound);
	if (a)
		w->shuffled = a;
	b = realloc(w->packed, bound);
	if (b)
		w->packed = b;
	if (!a || !b)
		return ns_err(NS_ENOMEM, "commit: out of memory for a %zu-byte chunk", size);
	w->cap = bound;
	return NS_OK;
}

/* Compress @data into the payload, codec and shuffle width to store. Raw
 * when zstd does not make the chunk smaller. */
static int encode(chunk_writer *w, const void *data, size_t size, ns_dtype dtype,
		  const void **payload, size_t *psize, ns_codec *codec, unsigned *width)
{
	const void *src = data;
	size_t n;
	int rc;

	*payload = data;
	*psize = size;
	*codec = NS_CODEC_RAW;
	*width = 0;
	if (w->codec != NS_CODEC_ZSTD || size == 0)
		return NS_OK;
	if ((rc = grow_scratch(w, size)) < 0)
		return rc;
	if (ns_dtype_size(dtype) > 1) {
		*width = (unsigned)ns_dtype_size(dtype);
		shuffle(w->shuffled, data, size, *width);
		src = w->shuffled;
	}
	n = ZSTD_compressCCtx(w->cctx, w->packed, w->cap, src, size, w->level);
	if (ZSTD_isError(n))
		return ns_err(NS_ERROR, "commit: zstd failed: %s", ZSTD_getErrorName(n));
	if (n >= size) {
		*width = 0;
		return NS_OK;
	}
	*payload = w->packed;
	*psize = n;
	*codec = NS_CODEC_ZSTD;
	return NS_OK;
}

static int refcnt_get(MDB_txn *txn, ns_store *s, const uint8_t *hash, uint64_t *out)
{
	MDB_val k = { NS_HASH_SIZE, (void *)hash }, v;
	int rc = mdb_get(txn, s->refcnt, &k, &v);
	if (rc == MDB_NOTFOUND) {
		*out = 0;
		return NS_OK;
	}
	if (rc)
		return ns_err_lmdb(rc, "store '%s': reading a reference count", s->path);
	if (v.mv_size != 8)
		return ns_err(NS_ECORRUPT, "store '%s': a reference count has %zu bytes",
			      s->path, v.mv_size);
	*out = ns__get_u64(v.mv_data);
	return NS_OK;
}

static int refcnt_put(MDB_txn *txn, ns_store *s, const uint8_t *hash, uint64_t n)
{
	MDB_val k = { NS_HASH_SIZE, (void *)hash }, v;
	uint8_t b[8];
	int rc;
	if (n == 0) {
		rc = mdb_del(txn, s->refcnt, &k, NULL);
	} else {
		ns__put_u64(b, n);
		v.mv_size = 8;
		v.mv_data = b;
		rc = mdb_put(txn, s->refcnt, &k, &v, 0);
	}
	return rc ? ns_err_lmdb(rc, "store '%s': writing a reference count", s->path) : NS_OK;
}

int ns__chunk_has(MDB_txn *txn, ns_store *s, const uint8_t *hash)
{
	MDB_val k = { NS_HASH_SIZE, (void *)hash }, v;
	int rc = mdb_get(txn, s->chunks, &k, &v);
	if (rc == MDB_NOTFOUND)
		return 0;
	return rc ? ns_err_lmdb(rc, "store '%s': looking up a chunk", s->path) : 1;
}

int ns__chunk_encode(chunk_writer *w, const void *data, size_t size, ns_dtype dtype)
{
	w->size = size;
	return encode(w, data, size, dtype, &w->payload, &w->psize, &w->out_codec, &w->width);
}

int ns__chunk_put_encoded(chunk_writer *w, MDB_txn *txn, ns_store *s, const uint8_t *hash,
			  struct counters *c, uint64_t *stored)
{
	MDB_val k = { NS_HASH_SIZE, (void *)hash }, v;
	uint8_t *p;
	int rc;

	v.mv_size = CHUNK_HEADER + w->psize;
	v.mv_data = NULL;
	/* Reserve the record in place and fill it: one copy, not two. */
	if ((rc = mdb_put(txn, s->chunks, &k, &v, MDB_RESERVE)))
		return ns_err_lmdb(rc, "store '%s': writing a chunk", s->path);
	p = v.mv_data;
	memset(p, 0, CHUNK_HEADER);
	p[0] = NS_STORE_FORMAT;
	p[1] = (uint8_t)w->out_codec;
	p[2] = (uint8_t)w->width;
	ns__put_u64(p + 8, w->size);
	ns__put_u64(p + 16, w->psize);
	if (w->psize)
		memcpy(p + CHUNK_HEADER, w->payload, w->psize);
	c->chunks++;
	c->unique_bytes += w->size;
	c->stored_bytes += w->psize;
	*stored = w->psize;
	return NS_OK;
}

int ns__chunk_put(chunk_writer *w, MDB_txn *txn, ns_store *s, const uint8_t *hash,
	      const void *data, size_t size, ns_dtype dtype, struct counters *c,
	      uint64_t *stored)
{
	int rc = ns__chunk_encode(w, data, size, dtype);
	return rc < 0 ? rc : ns__chunk_put_encoded(w, txn, s, hash, c, stored);
}

int ns__chunk_addref(MDB_txn *txn, ns_store *s, const uint8_t *hash)
{
	uint64_t refs = 0;
	int rc = refcnt_get(txn, s, hash, &refs);
	return rc < 0 ? rc : refcnt_put(txn, s, hash, refs + 1);
}

int ns__chunk_unref(MDB_txn *txn, ns_store *s, const uint8_t *hash, struct counters *c)
{
	MDB_val k = { NS_HASH_SIZE, (void *)hash }, v;
	chunk_rec rec;
	uint64_t refs = 0;
	int rc;

	if ((rc = refcnt_get(txn, s, hash, &refs)) < 0)
		return rc;
	if (refs > 1)
		return refcnt_put(txn, s, hash, refs - 1);
	/* The last reference: free the chunk (a missing one is already gone). */
	rc = mdb_get(txn, s->chunks, &k, &v);
	if (rc == 0 && ns__chunk_parse(&rec, &v) == NS_OK) {
		c->chunks--;
		c->unique_bytes -= rec.raw_size;
		c->stored_bytes -= rec.payload_size;
	}
	if (rc == 0 && (rc = ns__check_value(s, NS_HASH_SIZE, &v, "a chunk")) < 0)
		return rc;
	if (rc == 0)
		rc = mdb_del(txn, s->chunks, &k, NULL);
	if (rc && rc != MDB_NOTFOUND)
		return ns_err_lmdb(rc, "store '%s': freeing a chunk", s->path);
	return refs ? refcnt_put(txn, s, hash, 0) : NS_OK;
}

int ns__chunk_parse(chunk_rec *out, const MDB_val *val)
{
	const uint8_t *p = val->mv_data;
	if (val->mv_size < CHUNK_HEADER)
		return ns_err(NS_ECORRUPT, "chunk record of %zu bytes is too short", val->mv_size);
	if (p[0] == 0 || p[0] > NS_STORE_FORMAT)
		return ns_err(p[0] > NS_STORE_FORMAT ? NS_EVERSION : NS_ECORRUPT,
			      "chunk record of format %u (this nsnap reads up to %u)", p[0],
			      NS_STORE_FORMAT);
	out->codec = (ns_codec)p[1];
	out->shuffle = p[2];
	out->raw_size = ns__get_u64(p + 8);
	out->payload_size = (size_t)ns__get_u64(p + 16);
	out->payload = p + CHUNK_HEADER;
	if (out->payload_size != val->mv_size - CHUNK_HEADER ||
	    (out->codec != NS_CODEC_RAW && out->codec != NS_CODEC_ZSTD) ||
	    (out->codec == NS_CODEC_RAW && out->raw_size != out->payload_size) ||
	    (out->shuffle != 0 && out->shuffle != 2 && out->shuffle != 4 && out->shuffle != 8))
		return ns_err(NS_ECORRUPT, "chunk record has an inconsistent header");
	return NS_OK;
}

int ns__chunk_decode(void *buf, const chunk_rec *rec, const char *where)
{
	void *dst = buf;
	size_t n;
	int rc = NS_OK;

	if (rec->codec == NS_CODEC_RAW) {
		memcpy(buf, rec->payload, rec->raw_size);
		return NS_OK;
	}
	if (rec->shuffle > 1 && !(dst = malloc(rec->raw_size ? rec->raw_size : 1)))
		return ns_err(NS_ENOMEM, "%s: out of memory", where);
	n = ZSTD_decompress(dst, rec->raw_size, rec->payload, rec->payload_size);
	if (ZSTD_isError(n) || n != rec->raw_size)
		rc = ns_err(NS_ECORRUPT, "%s: cannot decompress: %s", where,
			    ZSTD_isError(n) ? ZSTD_getErrorName(n) : "wrong size");
	else if (rec->shuffle > 1)
		unshuffle(buf, dst, rec->raw_size, rec->shuffle);
	if (dst != buf)
		free(dst);
	return rc;
}
