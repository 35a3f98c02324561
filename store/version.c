/* SPDX-License-Identifier: MIT */
/* Versions: parsing records, reading arrays (views and copies), listing,
 * deleting. */
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>

struct ns_version {
	ns_store *s;
	MDB_txn *txn;          /* read-only; keeps every pointer below valid */
	version_rec rec;
	ns_array_info *arrays; /* n_arrays, parsed at open */
	uint64_t *by_name;     /* indices into arrays, sorted by name */
	const char **meta;     /* key, value, key, value, ... */
};

/* ------------------------------------------------------------- parsing */

/* A string: u32 length, bytes, NUL; read in place. */
static int rd_str(ns__rd *r, const char **str)
{
	uint32_t n = ns__rd_u32(r);
	const uint8_t *p = ns__rd_take(r, (size_t)n + 1);
	if (!p || p[n] != '\0')
		return r->bad = 1, -1;
	*str = (const char *)p;
	return 0;
}

static int rd_array(ns__rd *r, ns_array_info *a)
{
	const uint8_t *f;
	uint64_t esize;
	if (rd_str(r, &a->name) || !(f = ns__rd_take(r, ARR_FIXED)))
		return -1;
	a->dtype = (ns_dtype)f[ARR_DTYPE];
	a->count = ns__get_u64(f + ARR_COUNT);
	a->chunk_size = ns__get_u64(f + ARR_CHUNK_SIZE);
	a->n_chunks = ns__get_u64(f + ARR_N_CHUNKS);
	esize = ns_dtype_size(a->dtype);
	if (esize == 0 || a->count > UINT64_MAX / 8 || a->chunk_size == 0)
		return -1;
	a->nbytes = a->count * esize;
	if (a->n_chunks != (a->nbytes ? (a->nbytes - 1) / a->chunk_size + 1 : 0) ||
	    a->n_chunks > (uint64_t)(r->end - r->p) / NS_HASH_SIZE)
		return -1;
	a->hashes = r->p;
	r->p += NS_HASH_SIZE * a->n_chunks;
	return 0;
}

int ns__version_next_array(ns_array_info *a, const uint8_t **p, const uint8_t *end)
{
	ns__rd r = { *p, end, 0 };
	if (rd_array(&r, a))
		return ns_err(NS_ECORRUPT, "damaged array entry");
	*p = r.p;
	return NS_OK;
}

int ns__version_parse(version_rec *out, const MDB_val *val, uint64_t number)
{
	const uint8_t *b = val->mv_data;
	ns__rd r = { b, b + val->mv_size, 0 };
	version_rec rec;
	ns_array_info a;
	const char *str;
	uint64_t blob;

	if (val->mv_size < REC_HEADER || memcmp(b, "NSV", 3) != 0)
		return ns_err(NS_ECORRUPT, "version %llu: not a version record",
			      (unsigned long long)number);
	if (b[3] > NS_STORE_FORMAT)
		return ns_err(NS_EVERSION, "version %llu: record format %u is newer than this "
			      "nsnap reads (up to %u)", (unsigned long long)number, b[3],
			      NS_STORE_FORMAT);
	rec.info.number = ns__get_u64(b + REC_NUMBER);
	rec.info.parent = ns__get_u64(b + REC_PARENT);
	rec.info.time_ns = (int64_t)ns__get_u64(b + REC_TIME);
	rec.info.logical_bytes = ns__get_u64(b + REC_LOGICAL);
	rec.info.new_bytes = ns__get_u64(b + REC_NEW);
	rec.info.n_meta = ns__get_u64(b + REC_N_META);
	rec.info.n_arrays = ns__get_u64(b + REC_N_ARRAYS);
	r.p = b + REC_HEADER;
	/* n_meta past the record's size would wrap 2 * n_meta around. */
	if (rec.info.number != number || rec.info.n_meta > val->mv_size ||
	    rd_str(&r, &rec.info.message))
		goto bad;
	rec.meta = r.p;
	for (uint64_t i = 0; i < 2 * rec.info.n_meta; i++)
		if (rd_str(&r, &str))
			goto bad;
	blob = ns__rd_u64(&r);
	if (!(rec.blob = ns__rd_take(&r, blob)))
		goto bad;
	rec.blob_size = (size_t)blob;
	rec.arrays = r.p;
	for (uint64_t i = 0; i < rec.info.n_arrays; i++)
		if (rd_array(&r, &a))
			goto bad;
	if (r.p != r.end)
		goto bad;
	*out = rec;
	return NS_OK;
bad:
	return ns_err(NS_ECORRUPT, "version %llu: damaged record", (unsigned long long)number);
}

int ns__version_get(MDB_txn *txn, ns_store *s, uint64_t number, MDB_val *val)
{
	size_t key = (size_t)number;
	MDB_val k = { sizeof key, &key };
	int rc = mdb_get(txn, s->versions, &k, val);
	if (rc == MDB_NOTFOUND)
		return ns_err(NS_ENOTFOUND, "store '%s': no version %llu", s->path,
			      (unsigned long long)number);
	return rc ? ns_err_lmdb(rc, "store '%s': reading version %llu", s->path,
				(unsigned long long)number) : NS_OK;
}

/* ------------------------------------------------------------- opening */

static const ns_array_info *sort_base;

static int by_name_cmp(const void *a, const void *b)
{
	return strcmp(sort_base[*(const uint64_t *)a].name, sort_base[*(const uint64_t *)b].name);
}

/* Index the arrays and metadata of an opened record. */
static int index_version(ns_version *v, const MDB_val *val)
{
	static pthread_mutex_t sort_lock = PTHREAD_MUTEX_INITIALIZER;
	const uint8_t *p = v->rec.arrays, *end = (const uint8_t *)val->mv_data + val->mv_size;
	ns__rd r = { v->rec.meta, end, 0 };
	uint64_t n = v->rec.info.n_arrays;
	int rc;

	v->arrays = calloc(n + 1, sizeof *v->arrays);
	v->by_name = calloc(n + 1, sizeof *v->by_name);
	v->meta = calloc(2 * v->rec.info.n_meta + 1, sizeof *v->meta);
	if (!v->arrays || !v->by_name || !v->meta)
		return ns_err(NS_ENOMEM, "version %llu: out of memory",
			      (unsigned long long)v->rec.info.number);
	for (uint64_t i = 0; i < n; i++) {
		if ((rc = ns__version_next_array(&v->arrays[i], &p, end)) < 0)
			return rc;
		v->by_name[i] = i;
	}
	for (uint64_t i = 0; i < 2 * v->rec.info.n_meta; i++)
		rd_str(&r, &v->meta[i]); /* checked by ns__version_parse() */
	/* qsort() has no context argument: serialise the one it reads. */
	pthread_mutex_lock(&sort_lock);
	sort_base = v->arrays;
	qsort(v->by_name, n, sizeof *v->by_name, by_name_cmp);
	pthread_mutex_unlock(&sort_lock);
	return NS_OK;
}

int ns_version_open_number(ns_version **out, ns_store *s, uint64_t number)
{
	ns_version *v;
	MDB_val val;
	int rc;

	if (!out)
		return ns_err(NS_EINVAL, "ns_version_open: out must not be NULL");
	if (!(v = calloc(1, sizeof *v)))
		return ns_err(NS_ENOMEM, "store '%s': out of memory", s->path);
	v->s = s;
	NS_TRY(ns__store_txn_begin(&v->txn, s, MDB_RDONLY));
	NS_TRY(ns__version_get(v->txn, s, number, &val));
	if ((rc = ns__version_parse(&v->rec, &val, number)) < 0) {
		rc = ns_err_wrap(rc, "store '%s'", s->path);
		goto done;
	}
	NS_TRY(index_version(v, &val));
	*out = v;
done:
	if (rc < 0)
		ns_version_close(v);
	return rc;
}

int ns_version_open(ns_version **out, ns_store *s, const char *rev)
{
	uint64_t number;
	int rc;
	if (!out)
		return ns_err(NS_EINVAL, "ns_version_open: out must not be NULL");
	rc = ns_store_resolve(&number, s, rev);
	return rc < 0 ? rc : ns_version_open_number(out, s, number);
}

void ns_version_close(ns_version *v)
{
	if (!v)
		return;
	ns__store_txn_end(v->s, v->txn, 0, &(int){ 0 });
	free(v->arrays);
	free(v->by_name);
	free(v->meta);
	free(v);
}

ns_store *ns__version_store(const ns_version *v)
{
	return v->s;
}

const ns_version_info *ns_version_get_info(const ns_version *v)
{
	return &v->rec.info;
}

int ns_version_meta_at(const char **key, const char **value, const ns_version *v, uint64_t i)
{
	if (i >= v->rec.info.n_meta)
		return ns_err(NS_EINVAL, "version %llu: no metadata entry %llu (it has %llu)",
			      (unsigned long long)v->rec.info.number, (unsigned long long)i,
			      (unsigned long long)v->rec.info.n_meta);
	if (key)
		*key = v->meta[2 * i];
	if (value)
		*value = v->meta[2 * i + 1];
	return NS_OK;
}

int ns_version_meta_get(const char **value, const ns_version *v, const char *key)
{
	for (uint64_t i = 0; i < v->rec.info.n_meta; i++)
		if (strcmp(v->meta[2 * i], key) == 0) {
			if (value)
				*value = v->meta[2 * i + 1];
			return NS_OK;
		}
	return ns_err(NS_ENOTFOUND, "version %llu: no metadata '%s'",
		      (unsigned long long)v->rec.info.number, key);
}

void ns_version_blob(const void **data, size_t *size, const ns_version *v)
{
	if (data)
		*data = v->rec.blob;
	if (size)
		*size = v->rec.blob_size;
}

int ns_version_array_at(ns_array_info *out, const ns_version *v, uint64_t i)
{
	if (!out)
		return ns_err(NS_EINVAL, "ns_version_array_at: out must not be NULL");
	if (i >= v->rec.info.n_arrays)
		return ns_err(NS_EINVAL, "version %llu: no array %llu (it has %llu)",
			      (unsigned long long)v->rec.info.number, (unsigned long long)i,
			      (unsigned long long)v->rec.info.n_arrays);
	*out = v->arrays[i];
	return NS_OK;
}

int ns_version_array_find(uint64_t *index, const ns_version *v, const char *name)
{
	uint64_t lo = 0, hi = v->rec.info.n_arrays;
	while (lo < hi) {
		uint64_t mid = lo + (hi - lo) / 2;
		int c = strcmp(v->arrays[v->by_name[mid]].name, name);
		if (c == 0) {
			if (index)
				*index = v->by_name[mid];
			return NS_OK;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return ns_err(NS_ENOTFOUND, "version %llu: no array '%s'",
		      (unsigned long long)v->rec.info.number, name);
}

/* ------------------------------------------------------------- reading */

/* Find chunk @ci of array @ai; @where gets a description for errors. */
static int chunk_get(chunk_rec *rec, ns_version *v, uint64_t ai, uint64_t ci, char *where,
		     size_t wsize)
{
	const ns_array_info *a;
	char hex[2 * NS_HASH_SIZE + 1];
	uint64_t expect;
	MDB_val k, val;
	int rc;

	if (ai >= v->rec.info.n_arrays || ci >= v->arrays[ai].n_chunks)
		return ns_err(NS_EINVAL, "version %llu: no chunk %llu of array %llu",
			      (unsigned long long)v->rec.info.number, (unsigned long long)ci,
			      (unsigned long long)ai);
	a = &v->arrays[ai];
	k.mv_size = NS_HASH_SIZE;
	k.mv_data = (void *)(a->hashes + NS_HASH_SIZE * ci);
	ns__chunk_hash_hex(hex, k.mv_data);
	snprintf(where, wsize, "store '%s': version %llu: array '%s': chunk %llu (%s)",
		 v->s->path, (unsigned long long)v->rec.info.number, a->name,
		 (unsigned long long)ci, hex);
	rc = mdb_get(v->txn, v->s->chunks, &k, &val);
	if (rc == MDB_NOTFOUND)
		return ns_err(NS_ECORRUPT, "%s: missing from the store", where);
	if (rc)
		return ns_err_lmdb(rc, "%s", where);
	if ((rc = ns__chunk_parse(rec, &val)) < 0)
		return ns_err_wrap(rc, "%s", where);
	expect = a->nbytes - ci * a->chunk_size;
	if (expect > a->chunk_size)
		expect = a->chunk_size;
	if (rec->raw_size != expect)
		return ns_err(NS_ECORRUPT, "%s: holds %llu bytes, expected %llu", where,
			      (unsigned long long)rec->raw_size, (unsigned long long)expect);
	return NS_OK;
}

static int check_hash(const void *data, size_t size, const uint8_t *hash, const char *where)
{
	uint8_t h[NS_HASH_SIZE];
	ns__chunk_hash(h, data, size);
	if (memcmp(h, hash, NS_HASH_SIZE) != 0)
		return ns_err(NS_ECORRUPT, "%s: damaged (its bytes do not match its hash)", where);
	return NS_OK;
}

int ns_version_view(ns_view *out, ns_version *v, uint64_t ai, uint64_t ci, unsigned flags)
{
	char where[NS_NAME_MAX + 256];
	chunk_rec rec;
	int rc;

	if (!out)
		return ns_err(NS_EINVAL, "ns_version_view: out must not be NULL");
	if ((rc = chunk_get(&rec, v, ai, ci, where, sizeof where)) < 0)
		return rc;
	if (rec.codec != NS_CODEC_RAW)
		return ns_err(NS_EUNSUPPORTED, "%s: compressed, so it cannot be viewed in place; "
			      "read a copy instead", where);
	if ((flags & NS_READ_VERIFY) &&
	    (rc = check_hash(rec.payload, rec.raw_size, v->arrays[ai].hashes + NS_HASH_SIZE * ci,
			     where)) < 0)
		return rc;
	out->data = rec.payload;
	out->size = (size_t)rec.raw_size;
	out->offset = ci * v->arrays[ai].chunk_size;
	out->aligned = ((uintptr_t)rec.payload & 7) == 0;
	return NS_OK;
}

int ns_version_read_chunk(void *buf, size_t size, ns_version *v, uint64_t ai, uint64_t ci,
			  unsigned flags)
{
	char where[NS_NAME_MAX + 256];
	chunk_rec rec;
	int rc;

	if ((rc = chunk_get(&rec, v, ai, ci, where, sizeof where)) < 0)
		return rc;
	if (!buf && rec.raw_size)
		return ns_err(NS_EINVAL, "ns_version_read_chunk: buf must not be NULL (%s)", where);
	if (size < rec.raw_size)
		return ns_err(NS_EINVAL, "%s: needs %llu bytes, the buffer has %zu", where,
			      (unsigned long long)rec.raw_size, size);
	if ((rc = ns__chunk_decode(buf, &rec, where)) < 0)
		return rc;
	if (flags & NS_READ_VERIFY)
		return check_hash(buf, rec.raw_size, v->arrays[ai].hashes + NS_HASH_SIZE * ci,
				  where);
	return NS_OK;
}

/* The chunks of one array read by ns_version_read(): their records were
 * looked up in the transaction, one thread; they are decoded (and checked)
 * on every core, from the map. */
struct read_all {
	ns_version *v;
	uint64_t ai;
	unsigned flags;
	uint8_t *dst;
	const chunk_rec *recs;
	int *rcs;
};

static void decode_range(void *ctx, uint64_t begin, uint64_t end)
{
	const struct read_all *r = ctx;
	const ns_array_info *a = &r->v->arrays[r->ai];
	for (uint64_t ci = begin; ci < end; ci++) {
		uint8_t *out = r->dst + ci * a->chunk_size;
		int rc = ns__chunk_decode(out, &r->recs[ci], "");
		if (rc == NS_OK && (r->flags & NS_READ_VERIFY))
			rc = check_hash(out, r->recs[ci].raw_size, a->hashes + NS_HASH_SIZE * ci, "");
		r->rcs[ci] = rc;
	}
}

int ns_version_read(void *buf, size_t size, ns_version *v, uint64_t ai, unsigned flags)
{
	char where[NS_NAME_MAX + 256];
	const ns_array_info *a;
	struct read_all r = { v, ai, flags, buf, NULL, NULL };
	chunk_rec *recs = NULL;
	int rc = NS_OK;

	if (ai >= v->rec.info.n_arrays)
		return ns_version_array_at(&(ns_array_info){ 0 }, v, ai);
	a = &v->arrays[ai];
	if (!buf && a->nbytes)
		return ns_err(NS_EINVAL, "ns_version_read: buf must not be NULL (version %llu: "
			      "array '%s')", (unsigned long long)v->rec.info.number, a->name);
	if (size < a->nbytes)
		return ns_err(NS_EINVAL, "version %llu: array '%s' has %llu bytes, the buffer %zu",
			      (unsigned long long)v->rec.info.number, a->name,
			      (unsigned long long)a->nbytes, size);
	recs = malloc((a->n_chunks + 1) * sizeof *recs);
	r.rcs = malloc((a->n_chunks + 1) * sizeof *r.rcs);
	if (!recs || !r.rcs) {
		rc = ns_err(NS_ENOMEM, "version %llu: array '%s': out of memory",
			    (unsigned long long)v->rec.info.number, a->name);
		goto done;
	}
	for (uint64_t ci = 0; ci < a->n_chunks; ci++)
		if ((rc = chunk_get(&recs[ci], v, ai, ci, where, sizeof where)) < 0)
			goto done;
	r.recs = recs;
	ns__parallel(a->n_chunks, 1, decode_range, &r);
	for (uint64_t ci = 0; ci < a->n_chunks && rc == NS_OK; ci++) {
		uint64_t off = ci * a->chunk_size;
		if (r.rcs[ci] == NS_OK)
			continue;
		/* Its message, from this thread: damage is found again; a lack of
		 * memory is that chunk's failure, even when memory is back now. */
		if ((rc = chunk_get(&recs[ci], v, ai, ci, where, sizeof where)) < 0)
			break;
		if (r.rcs[ci] == NS_ENOMEM)
			rc = ns_err(NS_ENOMEM, "%s: out of memory", where);
		else if ((rc = ns_version_read_chunk((uint8_t *)buf + off, (size_t)(a->nbytes - off),
						     v, ai, ci, flags)) == NS_OK)
			rc = ns_err(r.rcs[ci], "%s: cannot be read", where);
	}
done:
	free(recs);
	free(r.rcs);
	return rc;
}

int ns_version_check(ns_version *v, uint64_t ai, unsigned flags)
{
	char where[NS_NAME_MAX + 256];
	chunk_rec rec;
	void *buf = NULL;
	int rc = NS_OK;

	if (ai >= v->rec.info.n_arrays)
		return ns_version_array_at(&(ns_array_info){ 0 }, v, ai);
	for (uint64_t ci = 0; rc == NS_OK && ci < v->arrays[ai].n_chunks; ci++) {
		const uint8_t *hash = v->arrays[ai].hashes + NS_HASH_SIZE * ci;
		if ((rc = chunk_get(&rec, v, ai, ci, where, sizeof where)) < 0)
			break;
		if (rec.codec == NS_CODEC_RAW) {
			if (flags & NS_READ_VERIFY)
				rc = check_hash(rec.payload, rec.raw_size, hash, where);
			continue;
		}
		if (!buf && !(buf = malloc(v->arrays[ai].chunk_size))) {
			rc = ns_err(NS_ENOMEM, "%s: out of memory", where);
			break;
		}
		if ((rc = ns__chunk_decode(buf, &rec, where)) == NS_OK && (flags & NS_READ_VERIFY))
			rc = check_hash(buf, rec.raw_size, hash, where);
	}
	free(buf);
	return rc;
}

/* ------------------------------------------------------ listing, delete */

int ns_store_foreach_version(ns_store *s, int (*fn)(const ns_version_info *info, void *ctx),
			     void *ctx)
{
	MDB_txn *txn = NULL;
	MDB_cursor *cur = NULL;
	MDB_val k, val;
	version_rec rec;
	int rc, mrc, op = MDB_LAST;

	if (!fn)
		return ns_err(NS_EINVAL, "ns_store_foreach_version: fn must not be NULL");
	NS_TRY(ns__store_txn_begin(&txn, s, MDB_RDONLY));
	if ((mrc = mdb_cursor_open(txn, s->versions, &cur))) {
		rc = ns_err_lmdb(mrc, "store '%s': listing versions", s->path);
		goto done;
	}
	while ((mrc = mdb_cursor_get(cur, &k, &val, op)) == 0) {
		op = MDB_PREV;
		if ((rc = ns__version_parse(&rec, &val, version_key(&k))) < 0) {
			rc = ns_err_wrap(rc, "store '%s'", s->path);
			goto done;
		}
		/* A callback that fails without a message gets one, not a stale one. */
		ns_error_clear();
		if ((rc = fn(&rec.info, ctx)) != 0) {
			if (rc < 0 && ns_error_last()->code == NS_OK)
				ns_err(rc, "store '%s': ns_store_foreach_version callback returned %d "
				       "(%s) at version %llu", s->path, rc, ns_strerror(rc),
				       (unsigned long long)rec.info.number);
			goto done;
		}
	}
	rc = mrc == MDB_NOTFOUND ? NS_OK
				 : ns_err_lmdb(mrc, "store '%s': listing versions", s->path);
done:
	mdb_cursor_close(cur);
	ns__store_txn_end(s, txn, 0, &rc);
	return rc;
}

struct delete_job {
	uint64_t number;
	uint8_t *copy; /* of the record */
};

/* Branches at the deleted version move to its parent; tags forbid it. */
static int move_refs(MDB_txn *txn, ns_store *s, uint64_t number, uint64_t parent)
{
	MDB_cursor *cur = NULL;
	MDB_val k, val;
	uint8_t b[8];
	int rc = NS_OK, mrc, op = MDB_FIRST;

	if ((mrc = mdb_cursor_open(txn, s->refs, &cur)))
		return ns_err_lmdb(mrc, "store '%s': reading refs", s->path);
	while ((mrc = mdb_cursor_get(cur, &k, &val, op)) == 0) {
		const char *key = k.mv_data;
		op = MDB_NEXT;
		if (val.mv_size != 8 || ns__get_u64(val.mv_data) != number)
			continue;
		if (key[0] == REF_TAG) {
			rc = ns_err(NS_EBUSY, "store '%s': version %llu is tagged '%.*s'; delete "
				    "the tag first", s->path, (unsigned long long)number,
				    (int)k.mv_size - 1, key + 1);
			break;
		}
		ns__put_u64(b, parent);
		val.mv_size = 8;
		val.mv_data = b;
		mrc = parent ? mdb_cursor_put(cur, &k, &val, MDB_CURRENT) : mdb_cursor_del(cur, 0);
		if (mrc)
			break;
	}
	mdb_cursor_close(cur);
	if (rc < 0)
		return rc;
	return mrc && mrc != MDB_NOTFOUND ? ns_err_lmdb(mrc, "store '%s': moving refs", s->path)
					  : NS_OK;
}

/* Children of the deleted version take its parent as theirs. The cursor
 * only finds them; each is then rewritten with mdb_put() under a key of our
 * own: LMDB's keys point into the page that replacing a large value
 * rewrites. */
static int reparent(MDB_txn *txn, ns_store *s, uint64_t number, uint64_t parent)
{
	MDB_cursor *cur = NULL;
	MDB_val k, val;
	uint64_t *children = NULL, *more;
	size_t n = 0, cap = 0;
	uint8_t *copy;
	int rc = NS_OK, mrc, op = MDB_FIRST;

	if ((mrc = mdb_cursor_open(txn, s->versions, &cur)))
		return ns_err_lmdb(mrc, "store '%s': reading versions", s->path);
	while ((mrc = mdb_cursor_get(cur, &k, &val, op)) == 0) {
		op = MDB_NEXT;
		if (val.mv_size < REC_HEADER ||
		    ns__get_u64((uint8_t *)val.mv_data + REC_PARENT) != number)
			continue;
		if (n == cap) {
			cap = cap ? 2 * cap : 8;
			if (!(more = realloc(children, cap * sizeof *children))) {
				rc = ns_err(NS_ENOMEM, "store '%s': out of memory", s->path);
				goto done;
			}
			children = more;
		}
		children[n++] = version_key(&k);
	}
	if (mrc != MDB_NOTFOUND) {
		rc = ns_err_lmdb(mrc, "store '%s': reading versions", s->path);
		goto done;
	}
	for (size_t i = 0; i < n; i++) {
		size_t key = (size_t)children[i];
		NS_TRY(ns__version_get(txn, s, children[i], &val));
		NS_TRY(ns__check_value(s, sizeof(size_t), &val, "a version record"));
		if (!(copy = malloc(val.mv_size))) {
			rc = ns_err(NS_ENOMEM, "store '%s': out of memory", s->path);
			goto done;
		}
		memcpy(copy, val.mv_data, val.mv_size);
		ns__put_u64(copy + REC_PARENT, parent);
		k.mv_size = sizeof key;
		k.mv_data = &key;
		val.mv_data = copy;
		mrc = mdb_put(txn, s->versions, &k, &val, 0);
		free(copy);
		if (mrc) {
			rc = ns_err_lmdb(mrc, "store '%s': re-parenting version %llu", s->path,
					 (unsigned long long)children[i]);
			goto done;
		}
	}
done:
	mdb_cursor_close(cur);
	free(children);
	return rc;
}

static int do_delete(MDB_txn *txn, void *ctx)
{
	struct delete_job *j = ctx;
	ns_store *s = mdb_env_get_userctx(mdb_txn_env(txn));
	size_t key = (size_t)j->number;
	MDB_val k = { sizeof key, &key }, val;
	version_rec rec;
	struct counters cnt;
	const uint8_t *p;
	ns_array_info a;
	int rc;

	NS_TRY(ns__version_get(txn, s, j->number, &val));
	NS_TRY(ns__check_value(s, sizeof(size_t), &val, "a version record"));
	/* LMDB's pointers last only until the next write: work on a copy
	 * (made afresh when ns__store_write() runs us again). */
	free(j->copy);
	if (!(j->copy = malloc(val.mv_size)))
		return ns_err(NS_ENOMEM, "store '%s': out of memory", s->path);
	memcpy(j->copy, val.mv_data, val.mv_size);
	val.mv_data = j->copy;
	if ((rc = ns__version_parse(&rec, &val, j->number)) < 0)
		return ns_err_wrap(rc, "store '%s'", s->path);
	NS_TRY(move_refs(txn, s, j->number, rec.info.parent));
	NS_TRY(ns__counters_get(txn, s, &cnt));
	p = rec.arrays;
	for (uint64_t i = 0; i < rec.info.n_arrays; i++) {
		NS_TRY(ns__version_next_array(&a, &p, j->copy + val.mv_size));
		for (uint64_t ci = 0; ci < a.n_chunks; ci++)
			NS_TRY(ns__chunk_unref(txn, s, a.hashes + NS_HASH_SIZE * ci, &cnt));
	}
	NS_TRY(ns__counters_put(txn, s, &cnt));
	if ((rc = mdb_del(txn, s->versions, &k, NULL)))
		return ns_err_lmdb(rc, "store '%s': deleting version %llu", s->path,
				   (unsigned long long)j->number);
	NS_TRY(reparent(txn, s, j->number, rec.info.parent));
done:
	return rc;
}

int ns_version_delete(ns_store *s, uint64_t number)
{
	struct delete_job j = { number, NULL };
	int rc = ns__store_write(s, 0, do_delete, &j);
	free(j.copy);
	return rc;
}
