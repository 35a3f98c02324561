/* SPDX-License-Identifier: MIT */
/* Orphan chunks: stored by a commit that was interrupted, used by no
 * version. Counting and freeing them; gc also removes what killed
 * compactions left. */
#include "internal.h"

struct gc {
	ns_store *s;
	int free_them;
	uint64_t chunks, bytes;
};

static int is_orphan(MDB_txn *txn, ns_store *s, const MDB_val *key)
{
	MDB_val v;
	int rc = mdb_get(txn, s->refcnt, (MDB_val *)key, &v);
	if (rc == MDB_NOTFOUND)
		return 1;
	return rc ? ns_err_lmdb(rc, "store '%s': reading a reference count", s->path) : 0;
}

int ns__gc_free_if_orphan(MDB_txn *txn, ns_store *s, const uint8_t *hash, struct counters *cnt)
{
	MDB_val k = { NS_HASH_SIZE, (void *)hash };
	int rc = is_orphan(txn, s, &k);
	return rc <= 0 ? rc : ns__chunk_unref(txn, s, hash, cnt);
}

static int walk(MDB_txn *txn, void *ctx)
{
	struct gc *g = ctx;
	ns_store *s = g->s;
	MDB_cursor *cur = NULL;
	MDB_val k, v;
	struct counters cnt;
	chunk_rec rec;
	uint64_t seen = 0;
	int rc, mrc, op = MDB_FIRST;

	g->chunks = g->bytes = 0;
	if (g->free_them)
		NS_TRY(ns__counters_get(txn, s, &cnt));
	if ((mrc = mdb_cursor_open(txn, s->chunks, &cur))) {
		rc = ns_err_lmdb(mrc, "store '%s': reading chunks", s->path);
		goto done;
	}
	while ((mrc = mdb_cursor_get(cur, &k, &v, op)) == 0) {
		op = MDB_NEXT;
		if (++seen % 256 == 0)
			ns_progress("gc", seen, 0);
		if ((rc = is_orphan(txn, s, &k)) <= 0) {
			if (rc < 0)
				goto done;
			continue;
		}
		rc = ns__chunk_parse(&rec, &v);
		g->chunks++;
		g->bytes += rc == NS_OK ? rec.payload_size : v.mv_size;
		if (!g->free_them)
			continue;
		if (rc == NS_OK) {
			cnt.chunks--;
			cnt.unique_bytes -= rec.raw_size;
			cnt.stored_bytes -= rec.payload_size;
		}
		if ((rc = ns__check_value(s, NS_HASH_SIZE, &v, "an orphan chunk")) < 0)
			goto done;
		/* After a delete the cursor stands on the next record already;
		 * LMDB's MDB_NEXT then returns that one. */
		if ((mrc = mdb_cursor_del(cur, 0)))
			break;
	}
	rc = NS_OK;
	if (mrc != MDB_NOTFOUND)
		rc = ns_err_lmdb(mrc, "store '%s': collecting orphan chunks", s->path);
	else if (g->free_them)
		rc = ns__counters_put(txn, s, &cnt);
done:
	mdb_cursor_close(cur);
	return rc;
}

int ns_store_gc(ns_store *s, uint64_t *chunks, uint64_t *bytes)
{
	struct gc g = { s, 1, 0, 0 };
	int rc = ns__store_write(s, 0, walk, &g);
	if (rc == NS_OK)
		ns__compact_leftovers_remove(s->path);
	if (rc == NS_OK && chunks)
		*chunks = g.chunks;
	if (rc == NS_OK && bytes)
		*bytes = g.bytes;
	return rc;
}

int ns__orphans_count(MDB_txn *txn, ns_store *s, uint64_t *chunks)
{
	struct gc g = { s, 0, 0, 0 };
	int rc = walk(txn, &g);
	*chunks = g.chunks;
	return rc;
}
