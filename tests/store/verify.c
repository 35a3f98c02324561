/* SPDX-License-Identifier: MIT */
/* ns_store_verify(), and reads of damaged chunks. The damage is done
 * through LMDB directly, with the store closed (LMDB forbids opening one
 * environment twice in a process). */
#include "util.h"

#include <lmdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { M = 1024 }; /* "x": two chunks of 512 doubles at chunk size 4096 */

struct damage_target {
	char path[4096];
	uint8_t hash[16]; /* of chunk 1 of "x" in version 1 */
};

/* Version 1 with "x", version 2 with "y" (no chunk shared); closed. */
static struct damage_target make_store(void)
{
	struct damage_target t;
	ns_store *s = nt_store_new("s.nsnap", 4096, NS_CODEC_RAW);
	ns_version *v = NULL;
	ns_array_info a;
	snprintf(t.path, sizeof t.path, "%s", ns_store_path(s));
	nt_commit_f64(s, "x", M, 0.0, NULL);
	nt_commit_f64(s, "y", M, 1e6, NULL);
	NT_OK(ns_version_open_number(&v, s, 1));
	NT_OK(ns_version_array_at(&a, v, 0));
	cr_assert_eq(a.n_chunks, 2);
	memcpy(t.hash, a.hashes + 16, 16);
	ns_version_close(v);
	ns_store_close(s);
	return t;
}

/* In the "chunks" database of the store file @path: flip a byte near the
 * end of the value of @hash (its payload), or delete the record. */
static void damage_chunk(const char *path, const uint8_t *hash, int delete)
{
	MDB_env *env = NULL;
	MDB_txn *txn = NULL;
	MDB_dbi dbi;
	MDB_envinfo info;
	MDB_val key = { 16, (void *)hash }, val;
	int rc;
	cr_assert_eq(mdb_env_create(&env), 0);
	cr_assert_eq(mdb_env_set_maxdbs(env, 64), 0);
	cr_assert_eq(rc = mdb_env_open(env, path, MDB_NOSUBDIR, 0644), 0, "%s",
		     mdb_strerror(rc));
	cr_assert_eq(mdb_env_info(env, &info), 0);
	if (info.me_mapsize < ((size_t)1 << 30))
		cr_assert_eq(mdb_env_set_mapsize(env, (size_t)1 << 30), 0);
	cr_assert_eq(mdb_txn_begin(env, NULL, 0, &txn), 0);
	cr_assert_eq(mdb_dbi_open(txn, "chunks", 0, &dbi), 0, "no database 'chunks'");
	cr_assert_eq(rc = mdb_get(txn, dbi, &key, &val), 0, "no such chunk: %s",
		     mdb_strerror(rc));
	if (delete) {
		cr_assert_eq(mdb_del(txn, dbi, &key, NULL), 0);
	} else {
		uint8_t *copy = malloc(val.mv_size);
		cr_assert_gt(val.mv_size, 16);
		memcpy(copy, val.mv_data, val.mv_size);
		copy[val.mv_size - 5] ^= 0x40;
		val.mv_data = copy;
		cr_assert_eq(mdb_put(txn, dbi, &key, &val, 0), 0);
		free(copy);
	}
	cr_assert_eq(rc = mdb_txn_commit(txn), 0, "%s", mdb_strerror(rc));
	mdb_env_close(env);
}

/* What ns_store_verify() reported. */
struct report {
	uint64_t calls;
	int names_v1_x; /* a problem named version 1 and array "x" */
	int names_v2;   /* a problem named version 2 */
	int bad_problem; /* a problem with a wrong code or an empty message */
};

static int record_problem(const ns_problem *p, void *ctx)
{
	struct report *r = ctx;
	r->calls++;
	if (p->version == 1 && p->array && strcmp(p->array, "x") == 0)
		r->names_v1_x = 1;
	if (p->version == 2)
		r->names_v2 = 1;
	if (p->code != NS_ECORRUPT || !p->message || !p->message[0])
		r->bad_problem = 1;
	return 0;
}

static ns_store *reopen(const char *path)
{
	ns_store *s = NULL;
	NT_OK(ns_store_open(&s, path, NULL));
	return s;
}

Test(store_verify, a_clean_store_has_no_problems)
{
	struct damage_target t = make_store();
	ns_store *s = reopen(t.path);
	struct report r = { 0 };
	uint64_t problems = 99;
	NT_OK(ns_store_verify(s, record_problem, &r, &problems));
	cr_assert_eq(problems, 0);
	cr_assert_eq(r.calls, 0);
	ns_store_close(s);
}

Test(store_verify, a_clean_zstd_store_has_no_problems)
{
	ns_store *s = nt_store_new("z.nsnap", 4096, NS_CODEC_ZSTD);
	uint64_t problems = 99;
	nt_commit_f64(s, "x", 5000, 0.0, NULL);
	nt_commit_f64(s, "x", 5000, 1.0, NULL);
	NT_OK(ns_version_delete(s, 1));
	NT_OK(ns_store_verify(s, NULL, NULL, &problems));
	cr_assert_eq(problems, 0);
	ns_store_close(s);
}

Test(store_verify, a_damaged_chunk_is_reported_with_its_version_and_array)
{
	struct damage_target t = make_store();
	ns_store *s;
	struct report r = { 0 };
	uint64_t problems = 0;
	damage_chunk(t.path, t.hash, 0);
	s = reopen(t.path);
	NT_FAILS(NS_ECORRUPT, ns_store_verify(s, record_problem, &r, &problems));
	cr_assert_geq(problems, 1);
	cr_assert_eq(r.calls, problems, "%llu calls for %llu problems",
		     (unsigned long long)r.calls, (unsigned long long)problems);
	cr_assert(r.names_v1_x, "no problem names version 1 and array 'x'");
	cr_assert(!r.names_v2, "version 2 does not use the damaged chunk");
	cr_assert(!r.bad_problem, "a problem has a wrong code or no message");
	ns_store_close(s);
}

Test(store_verify, reading_a_damaged_chunk_with_verify_is_corrupt)
{
	struct damage_target t = make_store();
	ns_store *s;
	ns_version *v = NULL;
	ns_view view;
	static double buf[M];
	damage_chunk(t.path, t.hash, 0);
	s = reopen(t.path);
	NT_OK(ns_version_open_number(&v, s, 1));
	NT_FAILS(NS_ECORRUPT, ns_version_read(buf, sizeof buf, v, 0, NS_READ_VERIFY));
	NT_FAILS(NS_ECORRUPT, ns_version_read_chunk(buf, sizeof buf, v, 0, 1, NS_READ_VERIFY));
	NT_FAILS(NS_ECORRUPT, ns_version_view(&view, v, 0, 1, NS_READ_VERIFY));
	NT_OK(ns_version_read_chunk(buf, sizeof buf, v, 0, 0, NS_READ_VERIFY));
	ns_version_close(v);
	ns_store_close(s);
}

Test(store_verify, a_missing_chunk_is_reported)
{
	struct damage_target t = make_store();
	ns_store *s;
	struct report r = { 0 };
	uint64_t problems = 0;
	damage_chunk(t.path, t.hash, 1);
	s = reopen(t.path);
	NT_FAILS(NS_ECORRUPT, ns_store_verify(s, record_problem, &r, &problems));
	cr_assert_geq(problems, 1);
	cr_assert(r.names_v1_x, "no problem names version 1 and array 'x'");
	cr_assert(!r.bad_problem, "a problem has a wrong code or no message");
	ns_store_close(s);
}

Test(store_verify, reading_a_missing_chunk_is_corrupt)
{
	struct damage_target t = make_store();
	ns_store *s;
	ns_version *v = NULL;
	ns_view view;
	static double buf[M];
	damage_chunk(t.path, t.hash, 1);
	s = reopen(t.path);
	NT_OK(ns_version_open_number(&v, s, 1));
	NT_FAILS(NS_ECORRUPT, ns_version_read(buf, sizeof buf, v, 0, 0));
	NT_FAILS(NS_ECORRUPT, ns_version_view(&view, v, 0, 1, 0));
	ns_version_close(v);
	ns_store_close(s);
}

Test(store_verify, the_problem_count_is_in_the_message)
{
	struct damage_target t = make_store();
	ns_store *s;
	uint64_t problems = 0;
	char count[32];
	damage_chunk(t.path, t.hash, 0);
	s = reopen(t.path);
	NT_FAILS(NS_ECORRUPT, ns_store_verify(s, NULL, NULL, &problems));
	snprintf(count, sizeof count, "%llu", (unsigned long long)problems);
	NT_MESSAGE_HAS(count);
	ns_store_close(s);
}

struct calls {
	uint64_t n, last_done, total;
	int ascending;
};

static void count_progress(void *ctx, const char *what, uint64_t done, uint64_t total)
{
	struct calls *c = ctx;
	cr_assert_str_eq(what, "verify");
	c->ascending &= done > c->last_done;
	c->n++;
	c->last_done = done;
	c->total = total;
}

Test(store_verify, progress_is_reported_chunk_by_chunk)
{
	ns_store *s = nt_store_new("s.nsnap", 4096, NS_CODEC_RAW);
	struct calls c = { 0, 0, 0, 1 };
	nt_commit_f64(s, "x", 1000 * 512, 0, NULL); /* 1000 chunks */
	ns_progress_set(count_progress, &c);
	NT_OK(ns_store_verify(s, NULL, NULL, NULL));
	ns_progress_set(NULL, NULL);
	cr_assert_eq(c.n, 1000 / 256);
	cr_assert(c.ascending);
	cr_assert_eq(c.total, 1000);
	cr_assert_leq(c.last_done, c.total);
	ns_store_close(s);
}

/* Fails silently (no message) with NS_EIO at its first problem. */
static int fail_silently(const ns_problem *p, void *ctx)
{
	(void)p;
	++*(int *)ctx;
	return NS_EIO;
}

Test(store_verify, a_callback_failing_silently_is_named_not_a_stale_error)
{
	struct damage_target t = make_store();
	ns_store *s;
	uint64_t problems = 99;
	int calls = 0;
	damage_chunk(t.path, t.hash, 1);
	s = reopen(t.path);
	NT_FAILS(NS_ENOTFOUND, ns_store_resolve(NULL, s, "no-such-tag"));
	NT_FAILS(NS_EIO, ns_store_verify(s, fail_silently, &calls, &problems));
	cr_assert_eq(calls, 1, "the check went on after the callback failed");
	cr_assert_eq(problems, 99, "the count of a stopped check was written");
	NT_MESSAGE_HAS("ns_store_verify callback returned -4 (input/output error) on the "
		       "problem \"version 1: array 'x': chunk 1");
	cr_assert_null(strstr(ns_error_last()->message, "no-such-tag"), "stale message: %s",
		       ns_error_last()->message);
	ns_store_close(s);
}

static int stop_at_first(const ns_problem *p, void *ctx)
{
	(void)p;
	++*(int *)ctx;
	return 1;
}

Test(store_verify, a_positive_callback_return_stops_the_check_and_is_returned)
{
	struct damage_target t = make_store();
	ns_store *s = reopen(t.path);
	ns_version *v = NULL;
	ns_array_info a;
	uint8_t first[16];
	int calls = 0;
	NT_OK(ns_version_open_number(&v, s, 1));
	NT_OK(ns_version_array_at(&a, v, 0));
	memcpy(first, a.hashes, 16);
	ns_version_close(v);
	ns_store_close(s);
	/* Both chunks of "x" damaged: the first pass finds two problems. */
	damage_chunk(t.path, first, 0);
	damage_chunk(t.path, t.hash, 0);
	s = reopen(t.path);
	cr_assert_eq(ns_store_verify(s, stop_at_first, &calls, NULL), 1);
	cr_assert_eq(calls, 1, "the check went on after the callback stopped it");
	ns_store_close(s);
}
