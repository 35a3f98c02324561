/* SPDX-License-Identifier: MIT */
/* verify: LMDB's pages are sound, every chunk decodes to its hash, every
 * version finds its chunks, reference counts and counters agree with what
 * the versions use. */
#include "internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

struct verify {
	ns_store *s;
	MDB_txn *txn;
	int (*fn)(const ns_problem *p, void *ctx);
	void *ctx;
	uint64_t problems;
	uint8_t *bad;       /* sorted hashes of damaged chunks */
	size_t n_bad, cap_bad;
	uint8_t *used;      /* one hash per reference from a version */
	size_t n_used, cap_used;
	uint8_t *buf;       /* decode buffer */
	size_t cap_buf;
	uint64_t seen, total; /* chunks checked, and in the counters */
};

static int hash_cmp(const void *a, const void *b)
{
	return memcmp(a, b, NS_HASH_SIZE);
}

static int push_hash(uint8_t **list, size_t *n, size_t *cap, const uint8_t *hash)
{
	if (*n == *cap) {
		size_t ncap = *cap ? 2 * *cap : 1024;
		uint8_t *p = realloc(*list, ncap * NS_HASH_SIZE);
		if (!p)
			return ns_err(NS_ENOMEM, "verify: out of memory");
		*list = p;
		*cap = ncap;
	}
	memcpy(*list + NS_HASH_SIZE * (*n)++, hash, NS_HASH_SIZE);
	return NS_OK;
}

static int report(struct verify *vf, uint64_t version, const char *array, uint64_t chunk,
		  const uint8_t *hash, const char *fmt, ...) NS_PRINTF(6, 7);

static int report(struct verify *vf, uint64_t version, const char *array, uint64_t chunk,
		  const uint8_t *hash, const char *fmt, ...)
{
	char msg[NS_NAME_MAX + 512];
	ns_problem p = { NS_ECORRUPT, version, array, chunk, hash, msg };
	va_list ap;
	int rc;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	vf->problems++;
	if (!vf->fn)
		return 0;
	/* A callback that fails without a message gets one, not a stale one. */
	ns_error_clear();
	rc = vf->fn(&p, vf->ctx);
	if (rc < 0 && ns_error_last()->code == NS_OK)
		ns_err(rc, "store '%s': ns_store_verify callback returned %d (%s) on the problem "
		       "\"%.300s\"", vf->s->path, rc, ns_strerror(rc), msg);
	return rc;
}

/* Pass 1: decode every chunk and check its hash; sum the counters. */
static int check_chunks(struct verify *vf, struct counters *sum)
{
	MDB_cursor *cur = NULL;
	MDB_val k, val;
	chunk_rec rec;
	char hex[2 * NS_HASH_SIZE + 1], where[128];
	uint8_t h[NS_HASH_SIZE];
	int rc = NS_OK, mrc, op = MDB_FIRST;

	if ((mrc = mdb_cursor_open(vf->txn, vf->s->chunks, &cur)))
		return ns_err_lmdb(mrc, "verify: reading chunks");
	while (rc == 0 && (mrc = mdb_cursor_get(cur, &k, &val, op)) == 0) {
		const char *why = NULL;
		op = MDB_NEXT;
		if (++vf->seen % 256 == 0)
			ns_progress("verify", vf->seen, vf->total);
		if (k.mv_size != NS_HASH_SIZE) {
			rc = report(vf, 0, NULL, 0, NULL, "a chunk key of %zu bytes", k.mv_size);
			continue;
		}
		ns__chunk_hash_hex(hex, k.mv_data);
		snprintf(where, sizeof where, "chunk %s", hex);
		if (ns__chunk_parse(&rec, &val) < 0) {
			why = ns_error_last()->message;
		} else {
			sum->chunks++;
			sum->unique_bytes += rec.raw_size;
			sum->stored_bytes += rec.payload_size;
			if (rec.raw_size > vf->cap_buf) {
				free(vf->buf);
				vf->cap_buf = (size_t)rec.raw_size;
				if (!(vf->buf = malloc(vf->cap_buf))) {
					rc = ns_err(NS_ENOMEM, "verify: out of memory");
					break;
				}
			}
			if (ns__chunk_decode(vf->buf, &rec, where) < 0) {
				why = ns_error_last()->message;
			} else {
				ns__chunk_hash(h, vf->buf, (size_t)rec.raw_size);
				if (memcmp(h, k.mv_data, NS_HASH_SIZE) != 0)
					why = "its bytes do not match its hash";
			}
		}
		if (why) {
			if ((rc = push_hash(&vf->bad, &vf->n_bad, &vf->cap_bad, k.mv_data)) < 0)
				break;
			rc = report(vf, 0, NULL, 0, k.mv_data, "%s is damaged: %s", where, why);
		}
	}
	mdb_cursor_close(cur);
	if (rc != 0)
		return rc;
	if (vf->n_bad) /* qsort() and bsearch() take no NULL array */
		qsort(vf->bad, vf->n_bad, NS_HASH_SIZE, hash_cmp);
	return mrc == MDB_NOTFOUND ? NS_OK : ns_err_lmdb(mrc, "verify: reading chunks");
}

/* Pass 2: every chunk of every version is there and sound. */
static int check_versions(struct verify *vf)
{
	MDB_cursor *cur = NULL;
	MDB_val k, val, cv;
	version_rec rec;
	ns_array_info a;
	const uint8_t *p;
	char hex[2 * NS_HASH_SIZE + 1];
	int rc = NS_OK, mrc, op = MDB_FIRST;

	if ((mrc = mdb_cursor_open(vf->txn, vf->s->versions, &cur)))
		return ns_err_lmdb(mrc, "verify: reading versions");
	while (rc == 0 && (mrc = mdb_cursor_get(cur, &k, &val, op)) == 0) {
		uint64_t number = version_key(&k);
		op = MDB_NEXT;
		if (ns__version_parse(&rec, &val, number) < 0) {
			rc = report(vf, number, NULL, 0, NULL, "version %llu: %s",
				    (unsigned long long)number, ns_error_last()->message);
			continue;
		}
		p = rec.arrays;
		for (uint64_t i = 0; rc == 0 && i < rec.info.n_arrays; i++) {
			ns__version_next_array(&a, &p, (const uint8_t *)val.mv_data + val.mv_size);
			for (uint64_t ci = 0; rc == 0 && ci < a.n_chunks; ci++) {
				const uint8_t *h = a.hashes + NS_HASH_SIZE * ci;
				MDB_val hk = { NS_HASH_SIZE, (void *)h };
				if ((rc = push_hash(&vf->used, &vf->n_used, &vf->cap_used, h)) < 0)
					break;
				ns__chunk_hash_hex(hex, h);
				if (mdb_get(vf->txn, vf->s->chunks, &hk, &cv) != 0)
					rc = report(vf, number, a.name, ci, h, "version %llu: array "
						    "'%s': chunk %llu (%s) is missing",
						    (unsigned long long)number, a.name,
						    (unsigned long long)ci, hex);
				else if (vf->n_bad && bsearch(h, vf->bad, vf->n_bad, NS_HASH_SIZE, hash_cmp))
					rc = report(vf, number, a.name, ci, h, "version %llu: array "
						    "'%s': chunk %llu (%s) is damaged",
						    (unsigned long long)number, a.name,
						    (unsigned long long)ci, hex);
			}
		}
		if (rc == 0 && rec.info.parent && rec.info.parent >= number)
			rc = report(vf, number, NULL, 0, NULL, "version %llu: parent %llu is not "
				    "older", (unsigned long long)number,
				    (unsigned long long)rec.info.parent);
	}
	mdb_cursor_close(cur);
	if (rc != 0)
		return rc;
	return mrc == MDB_NOTFOUND ? NS_OK : ns_err_lmdb(mrc, "verify: reading versions");
}

/* Pass 3: each stored reference count equals the references counted. */
static int check_refcounts(struct verify *vf)
{
	MDB_cursor *cur = NULL;
	MDB_val k, val;
	char hex[2 * NS_HASH_SIZE + 1];
	size_t i = 0;
	int rc = NS_OK, mrc, op = MDB_FIRST;

	if (vf->n_used)
		qsort(vf->used, vf->n_used, NS_HASH_SIZE, hash_cmp);
	if ((mrc = mdb_cursor_open(vf->txn, vf->s->refcnt, &cur)))
		return ns_err_lmdb(mrc, "verify: reading reference counts");
	/* Both lists are sorted by hash (LMDB's keys compare as memcmp). */
	while (rc == 0 && (mrc = mdb_cursor_get(cur, &k, &val, op)) == 0) {
		uint64_t want = 0, have = val.mv_size == 8 ? ns__get_u64(val.mv_data) : 0;
		op = MDB_NEXT;
		if (k.mv_size != NS_HASH_SIZE)
			continue;
		while (rc == 0 && i < vf->n_used && memcmp(vf->used + NS_HASH_SIZE * i, k.mv_data,
							   NS_HASH_SIZE) < 0) {
			ns__chunk_hash_hex(hex, vf->used + NS_HASH_SIZE * i);
			rc = report(vf, 0, NULL, 0, vf->used + NS_HASH_SIZE * i,
				    "chunk %s is used but has no reference count", hex);
			while (++i < vf->n_used && !memcmp(vf->used + NS_HASH_SIZE * i,
							   vf->used + NS_HASH_SIZE * (i - 1),
							   NS_HASH_SIZE))
				;
		}
		while (i < vf->n_used && !memcmp(vf->used + NS_HASH_SIZE * i, k.mv_data,
						 NS_HASH_SIZE)) {
			want++;
			i++;
		}
		if (rc == 0 && want != have) {
			ns__chunk_hash_hex(hex, k.mv_data);
			rc = report(vf, 0, NULL, 0, k.mv_data, "chunk %s: reference count %llu, "
				    "but %llu references", hex, (unsigned long long)have,
				    (unsigned long long)want);
		}
	}
	mdb_cursor_close(cur);
	if (rc == 0 && i < vf->n_used) {
		ns__chunk_hash_hex(hex, vf->used + NS_HASH_SIZE * i);
		rc = report(vf, 0, NULL, 0, vf->used + NS_HASH_SIZE * i,
			    "chunk %s is used but has no reference count", hex);
	}
	if (rc != 0)
		return rc;
	return mrc == MDB_NOTFOUND ? NS_OK : ns_err_lmdb(mrc, "verify: reading reference counts");
}

/* Pass 4: refs point at versions. */
static int check_refs(struct verify *vf)
{
	MDB_cursor *cur = NULL;
	MDB_val k, val, vv;
	int rc = NS_OK, mrc, op = MDB_FIRST;

	if ((mrc = mdb_cursor_open(vf->txn, vf->s->refs, &cur)))
		return ns_err_lmdb(mrc, "verify: reading refs");
	while (rc == 0 && (mrc = mdb_cursor_get(cur, &k, &val, op)) == 0) {
		uint64_t number = val.mv_size == 8 ? ns__get_u64(val.mv_data) : 0;
		op = MDB_NEXT;
		if (number && ns__version_get(vf->txn, vf->s, number, &vv) == NS_OK)
			continue;
		rc = report(vf, number, NULL, 0, NULL, "%s '%.*s' points at missing version %llu",
			    ((char *)k.mv_data)[0] == REF_TAG ? "tag" : "branch",
			    (int)k.mv_size - 1, (char *)k.mv_data + 1, (unsigned long long)number);
	}
	mdb_cursor_close(cur);
	if (rc != 0)
		return rc;
	return mrc == MDB_NOTFOUND ? NS_OK : ns_err_lmdb(mrc, "verify: reading refs");
}

/* Pass 0: LMDB's pages, through report(). */
static int page_problem(void *ctx, const char *message)
{
	return report(ctx, 0, NULL, 0, NULL, "%s", message);
}

/* Each pass stops on an error or on a non-zero answer from the callback. */
#define STOP_ON(expr)                       \
	do {                                \
		if ((rc = (expr)) != 0)     \
			goto done;          \
	} while (0)

int ns_store_verify(ns_store *s, int (*fn)(const ns_problem *p, void *ctx), void *ctx,
		    uint64_t *n_problems)
{
	struct verify vf = { .s = s, .fn = fn, .ctx = ctx };
	struct counters sum = { 0, 0, 0 }, kept;
	int rc;

	/* The passes below read through LMDB, which must not meet damaged pages. */
	if ((rc = ns__check_pages(s, 1, page_problem, &vf)) != 0 || vf.problems)
		goto done;
	NS_TRY(ns__store_txn_begin(&vf.txn, s, MDB_RDONLY));
	NS_TRY(ns__counters_get(vf.txn, s, &kept));
	vf.total = kept.chunks;
	STOP_ON(check_chunks(&vf, &sum));
	STOP_ON(check_versions(&vf));
	STOP_ON(check_refcounts(&vf));
	STOP_ON(check_refs(&vf));
	NS_TRY(ns__counters_get(vf.txn, s, &kept));
	if (memcmp(&kept, &sum, sizeof sum) != 0)
		rc = report(&vf, 0, NULL, 0, NULL, "the store's counters say %llu chunks of %llu "
			    "bytes (%llu stored), the chunks are %llu of %llu bytes (%llu stored)",
			    (unsigned long long)kept.chunks, (unsigned long long)kept.unique_bytes,
			    (unsigned long long)kept.stored_bytes, (unsigned long long)sum.chunks,
			    (unsigned long long)sum.unique_bytes,
			    (unsigned long long)sum.stored_bytes);
done:
	ns__store_txn_end(s, vf.txn, 0, &rc);
	free(vf.bad);
	free(vf.used);
	free(vf.buf);
	if (rc == 0 && n_problems)
		*n_problems = vf.problems;
	if (rc == 0 && vf.problems)
		rc = ns_err(NS_ECORRUPT, "store '%s': verify found %llu problem%s", s->path,
			    (unsigned long long)vf.problems, vf.problems == 1 ? "" : "s");
	return rc;
}
