/* SPDX-License-Identifier: MIT */
/* Commits and reads: arrays of every type, chunking, codecs, metadata. */
#include "util.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define N 1000

/* Test data of every type, filled once per test by make_arrays(). */
static double f64[N];
static float f32[N];
static int64_t i64[N];
static int32_t i32[N];
static uint8_t u8[N];
static uint8_t bools[N];
static uint8_t bytes[N + 7];

static const struct {
	const char *name;
	ns_dtype dtype;
	const void *data;
	uint64_t count;
} arrays[] = {
	{ "f64", NS_DTYPE_F64, f64, N },   { "f32", NS_DTYPE_F32, f32, N },
	{ "i64", NS_DTYPE_I64, i64, N },   { "i32", NS_DTYPE_I32, i32, N },
	{ "u8", NS_DTYPE_U8, u8, N },      { "bool", NS_DTYPE_BOOL, bools, N },
	{ "bytes", NS_DTYPE_BYTES, bytes, N + 7 },
};
#define N_ARRAYS (sizeof arrays / sizeof arrays[0])

static void make_arrays(void)
{
	for (int i = 0; i < N; i++) {
		f64[i] = -0.5 * i + 1e-300;
		f32[i] = 0.25f * (float)i - 3.0f;
		i64[i] = (int64_t)i * -123456789012LL;
		i32[i] = i * 7919 - 100000;
		u8[i] = (uint8_t)(i * 31);
		bools[i] = (uint8_t)(i % 3 == 0);
	}
	for (int i = 0; i < N + 7; i++)
		bytes[i] = (uint8_t)(i ^ (i >> 3));
}

/* Commit every array of arrays[] with @codec; the version number. */
static uint64_t commit_all(ns_store *s, ns_codec codec)
{
	ns_commit *c = NULL;
	ns_commit_opts o = NS_COMMIT_OPTS_INIT;
	uint64_t num = 0;
	make_arrays();
	o.codec = codec;
	NT_OK(ns_commit_new(&c, s));
	for (size_t i = 0; i < N_ARRAYS; i++)
		NT_OK(ns_commit_add(c, arrays[i].name, arrays[i].dtype, arrays[i].data,
				    arrays[i].count));
	NT_OK(ns_commit_finish(&num, c, &o));
	return num;
}

static void assert_all_read_back(ns_store *s, uint64_t num)
{
	ns_version *v = NULL;
	NT_OK(ns_version_open_number(&v, s, num));
	cr_assert_eq(ns_version_get_info(v)->n_arrays, N_ARRAYS);
	for (size_t i = 0; i < N_ARRAYS; i++) {
		uint64_t k = 0;
		ns_array_info a;
		size_t nbytes = arrays[i].count * ns_dtype_size(arrays[i].dtype);
		uint8_t *buf = malloc(nbytes);
		NT_OK(ns_version_array_find(&k, v, arrays[i].name));
		NT_OK(ns_version_array_at(&a, v, k));
		cr_assert_str_eq(a.name, arrays[i].name);
		cr_assert_eq(a.dtype, arrays[i].dtype, "%s: dtype %d", a.name, a.dtype);
		cr_assert_eq(a.count, arrays[i].count, "%s", a.name);
		cr_assert_eq(a.nbytes, nbytes, "%s", a.name);
		NT_OK(ns_version_read(buf, nbytes, v, k, NS_READ_VERIFY));
		cr_assert(memcmp(buf, arrays[i].data, nbytes) == 0, "%s differs", a.name);
		free(buf);
	}
	ns_version_close(v);
}

Test(store_commit, dtype_sizes_and_names_are_fixed)
{
	cr_assert_eq(ns_dtype_size(NS_DTYPE_F64), 8);
	cr_assert_eq(ns_dtype_size(NS_DTYPE_F32), 4);
	cr_assert_eq(ns_dtype_size(NS_DTYPE_I64), 8);
	cr_assert_eq(ns_dtype_size(NS_DTYPE_I32), 4);
	cr_assert_eq(ns_dtype_size(NS_DTYPE_U8), 1);
	cr_assert_eq(ns_dtype_size(NS_DTYPE_BOOL), 1);
	cr_assert_eq(ns_dtype_size(NS_DTYPE_BYTES), 1);
	cr_assert_eq(ns_dtype_size((ns_dtype)42), 0);
	cr_assert_str_eq(ns_dtype_name(NS_DTYPE_F64), "f64");
	cr_assert_str_eq(ns_dtype_name(NS_DTYPE_BOOL), "bool");
	cr_assert_str_eq(ns_dtype_name((ns_dtype)42), "?");
}

Test(store_commit, every_dtype_round_trips)
{
	ns_store *s = nt_store_new("s.nsnap", 4096, NS_CODEC_RAW);
	assert_all_read_back(s, commit_all(s, NS_CODEC_DEFAULT));
	ns_store_close(s);
}

Test(store_commit, every_dtype_round_trips_through_zstd)
{
	ns_store *s = nt_store_new("s.nsnap", 4096, NS_CODEC_RAW);
	assert_all_read_back(s, commit_all(s, NS_CODEC_ZSTD));
	ns_store_close(s);
}

Test(store_commit, an_array_spans_chunks_with_a_short_last_one)
{
	ns_store *s = nt_store_new("s.nsnap", 4096, NS_CODEC_RAW);
	ns_version *v = NULL;
	ns_array_info a;
	uint8_t last[4096];
	uint64_t n = 0;
	double *x;
	nt_commit_f64(s, "x", 1500, 0.0, NULL); /* 12000 bytes: 4096+4096+3808 */
	NT_OK(ns_version_open(&v, s, "HEAD"));
	NT_OK(ns_version_array_at(&a, v, 0));
	cr_assert_eq(a.nbytes, 12000);
	cr_assert_eq(a.n_chunks, 3);
	cr_assert_eq(a.chunk_size, 4096);
	memset(last, 0xEE, sizeof last);
	NT_OK(ns_version_read_chunk(last, sizeof last, v, 0, 2, NS_READ_VERIFY));
	for (int i = 0; i < 3808 / 8; i++) {
		double d;
		memcpy(&d, last + 8 * i, 8);
		cr_assert_eq(d, (double)(1024 + i), "element %d of the last chunk", 1024 + i);
	}
	ns_version_close(v);
	x = nt_read_array(s, "HEAD", "x", &n);
	cr_assert_eq(n, 12000);
	for (int i = 0; i < 1500; i++)
		cr_assert_eq(x[i], (double)i, "element %d", i);
	free(x);
	ns_store_close(s);
}

Test(store_commit, reading_into_a_small_buffer_is_refused)
{
	ns_store *s = nt_store_new("s.nsnap", 4096, NS_CODEC_RAW);
	ns_version *v = NULL;
	static uint8_t buf[12000];
	nt_commit_f64(s, "x", 1500, 0.0, NULL);
	NT_OK(ns_version_open(&v, s, "HEAD"));
	NT_FAILS(NS_EINVAL, ns_version_read(buf, 11999, v, 0, 0));
	NT_FAILS(NS_EINVAL, ns_version_read_chunk(buf, 3807, v, 0, 2, 0));
	NT_FAILS(NS_EINVAL, ns_version_read_chunk(buf, 4095, v, 0, 0, 0));
	ns_version_close(v);
	ns_store_close(s);
}

Test(store_commit, empty_arrays_round_trip)
{
	ns_store *s = nt_store_new("s.nsnap", 4096, NS_CODEC_RAW);
	ns_commit *c = NULL;
	ns_version *v = NULL;
	ns_array_info a;
	uint64_t k = 0;
	char buf[1];
	NT_OK(ns_commit_new(&c, s));
	NT_OK(ns_commit_add(c, "none", NS_DTYPE_F64, NULL, 0));
	NT_OK(ns_commit_add(c, "zero", NS_DTYPE_BYTES, buf, 0));
	NT_OK(ns_commit_finish(NULL, c, NULL));
	NT_OK(ns_version_open(&v, s, "HEAD"));
	cr_assert_eq(ns_version_get_info(v)->n_arrays, 2);
	cr_assert_eq(ns_version_get_info(v)->logical_bytes, 0);
	NT_OK(ns_version_array_find(&k, v, "none"));
	NT_OK(ns_version_array_at(&a, v, k));
	cr_assert_eq(a.dtype, NS_DTYPE_F64);
	cr_assert_eq(a.count, 0);
	cr_assert_eq(a.nbytes, 0);
	cr_assert_eq(a.n_chunks, 0);
	NT_OK(ns_version_read(buf, 0, v, k, NS_READ_VERIFY));
	NT_OK(ns_version_array_find(&k, v, "zero"));
	NT_OK(ns_version_array_at(&a, v, k));
	cr_assert_eq(a.count, 0);
	cr_assert_eq(a.n_chunks, 0);
	ns_version_close(v);
	ns_store_close(s);
}

Test(store_commit, zstd_arrays_across_chunks_round_trip)
{
	ns_store *s = nt_store_new("s.nsnap", 4096, NS_CODEC_ZSTD);
	ns_commit *c = NULL;
	enum { M = 5000 }; /* several chunks and a short last one */
	static double d[M];
	static int32_t w[M];
	uint64_t n = 0;
	uint32_t r = 12345;
	double *dd;
	int32_t *ww;
	for (int i = 0; i < M; i++) {
		r = r * 1103515245u + 12345u;
		d[i] = 100.0 + 0.001 * i;
		w[i] = (int32_t)(r >> 8);
	}
	NT_OK(ns_commit_new(&c, s));
	NT_OK(ns_commit_add(c, "d", NS_DTYPE_F64, d, M));
	NT_OK(ns_commit_add(c, "w", NS_DTYPE_I32, w, M));
	NT_OK(ns_commit_finish(NULL, c, NULL));
	dd = nt_read_array(s, "HEAD", "d", &n);
	cr_assert_eq(n, sizeof d);
	cr_assert(memcmp(dd, d, sizeof d) == 0);
	ww = nt_read_array(s, "HEAD", "w", &n);
	cr_assert_eq(n, sizeof w);
	cr_assert(memcmp(ww, w, sizeof w) == 0);
	free(dd);
	free(ww);
	ns_store_close(s);
}

Test(store_commit, compressible_data_stores_fewer_bytes_with_zstd)
{
	ns_store *s = nt_store_new("s.nsnap", 4096, NS_CODEC_ZSTD);
	ns_store_stats st;
	nt_commit_f64(s, "x", 8192, 0.0, NULL);
	NT_OK(ns_store_stats_get(&st, s));
	cr_assert_eq(st.unique_bytes, 8192 * 8);
	cr_assert_lt(st.stored_bytes, st.unique_bytes / 2, "stored %llu of %llu bytes",
		     (unsigned long long)st.stored_bytes,
		     (unsigned long long)st.unique_bytes);
	ns_store_close(s);
}

Test(store_commit, metadata_round_trips)
{
	ns_store *s = nt_store_new("s.nsnap", 4096, NS_CODEC_RAW);
	ns_commit *c = NULL;
	ns_version *v = NULL;
	const char *val = NULL, *key = NULL;
	int seen_a = 0, seen_b = 0;
	NT_OK(ns_commit_new(&c, s));
	NT_OK(ns_commit_set_meta(c, "a", "first"));
	NT_OK(ns_commit_set_meta(c, "b", ""));
	NT_OK(ns_commit_set_meta(c, "a", "second")); /* replaces */
	NT_OK(ns_commit_finish(NULL, c, NULL));
	NT_OK(ns_version_open(&v, s, "HEAD"));
	cr_assert_eq(ns_version_get_info(v)->n_meta, 2);
	NT_OK(ns_version_meta_get(&val, v, "a"));
	cr_assert_str_eq(val, "second");
	NT_OK(ns_version_meta_get(&val, v, "b"));
	cr_assert_str_eq(val, "");
	for (uint64_t i = 0; i < 2; i++) {
		NT_OK(ns_version_meta_at(&key, &val, v, i));
		seen_a += strcmp(key, "a") == 0 && strcmp(val, "second") == 0;
		seen_b += strcmp(key, "b") == 0 && strcmp(val, "") == 0;
	}
	cr_assert(seen_a == 1 && seen_b == 1);
	NT_FAILS(NS_EINVAL, ns_version_meta_at(&key, &val, v, 2));
	NT_FAILS(NS_ENOTFOUND, ns_version_meta_get(&val, v, "c"));
	ns_version_close(v);
	ns_store_close(s);
}

Test(store_commit, an_empty_metadata_key_is_refused)
{
	ns_store *s = nt_store_new("s.nsnap", 4096, NS_CODEC_RAW);
	ns_commit *c = NULL;
	NT_OK(ns_commit_new(&c, s));
	NT_FAILS(NS_EINVAL, ns_commit_set_meta(c, "", "x"));
	ns_commit_free(c);
	ns_store_close(s);
}

Test(store_commit, the_blob_round_trips)
{
	ns_store *s = nt_store_new("s.nsnap", 4096, NS_CODEC_RAW);
	ns_commit *c = NULL;
	ns_version *v = NULL;
	uint8_t blob[5000];
	const void *data = NULL;
	size_t size = 0;
	for (size_t i = 0; i < sizeof blob; i++)
		blob[i] = (uint8_t)(i * 7 % 251); /* includes zero bytes */
	NT_OK(ns_commit_new(&c, s));
	NT_OK(ns_commit_set_blob(c, blob, sizeof blob));
	memset(blob, 0, 10); /* the blob was copied */
	NT_OK(ns_commit_finish(NULL, c, NULL));
	for (size_t i = 0; i < 10; i++)
		blob[i] = (uint8_t)(i * 7 % 251);
	NT_OK(ns_version_open(&v, s, "HEAD"));
	ns_version_blob(&data, &size, v);
	cr_assert_eq(size, sizeof blob);
	cr_assert(memcmp(data, blob, size) == 0);
	ns_version_close(v);
	ns_store_close(s);
}

Test(store_commit, a_version_without_a_blob_has_an_empty_one)
{
	ns_store *s = nt_store_new("s.nsnap", 4096, NS_CODEC_RAW);
	ns_version *v = NULL;
	const void *data = NULL;
	size_t size = 99;
	nt_commit_f64(s, "x", 10, 0.0, NULL);
	NT_OK(ns_version_open(&v, s, "HEAD"));
	ns_version_blob(&data, &size, v);
	cr_assert_eq(size, 0);
	ns_version_close(v);
	ns_store_close(s);
}

Test(store_commit, a_duplicate_array_name_is_refused)
{
	ns_store *s = nt_store_new("s.nsnap", 4096, NS_CODEC_RAW);
	ns_commit *c = NULL;
	double x[2] = { 1, 2 };
	NT_OK(ns_commit_new(&c, s));
	NT_OK(ns_commit_add(c, "x", NS_DTYPE_F64, x, 2));
	NT_FAILS(NS_EEXISTS, ns_commit_add(c, "x", NS_DTYPE_F32, x, 1));
	ns_commit_free(c);
	ns_store_close(s);
}

Test(store_commit, bad_arrays_are_refused)
{
	ns_store *s = nt_store_new("s.nsnap", 4096, NS_CODEC_RAW);
	ns_commit *c = NULL;
	double x[2] = { 1, 2 };
	char long_name[4097];
	memset(long_name, 'n', 4096);
	long_name[4096] = 0;
	NT_OK(ns_commit_new(&c, s));
	NT_FAILS(NS_EINVAL, ns_commit_add(c, "", NS_DTYPE_F64, x, 2));
	NT_FAILS(NS_EINVAL, ns_commit_add(c, long_name, NS_DTYPE_F64, x, 2));
	NT_FAILS(NS_EINVAL, ns_commit_add(c, "t", (ns_dtype)42, x, 2));
	NT_FAILS(NS_EINVAL, ns_commit_add(c, "n", NS_DTYPE_F64, NULL, 2));
	long_name[4095] = 0; /* 4095 bytes is allowed */
	NT_OK(ns_commit_add(c, long_name, NS_DTYPE_F64, x, 2));
	ns_commit_free(c);
	ns_store_close(s);
}

Test(store_commit, a_dropped_commit_writes_nothing)
{
	ns_store *s = nt_store_new("s.nsnap", 4096, NS_CODEC_RAW);
	ns_commit *c = NULL;
	ns_store_stats st;
	double x[2] = { 1, 2 };
	NT_OK(ns_commit_new(&c, s));
	NT_OK(ns_commit_add(c, "x", NS_DTYPE_F64, x, 2));
	ns_commit_free(c);
	NT_OK(ns_store_stats_get(&st, s));
	cr_assert_eq(st.versions, 0);
	cr_assert_eq(st.chunks, 0);
	ns_store_close(s);
}

Test(store_commit, info_describes_each_version)
{
	ns_store *s = nt_store_new("s.nsnap", 4096, NS_CODEC_RAW);
	ns_version *v = NULL;
	const ns_version_info *info;
	struct timespec now;
	int64_t now_ns;
	uint64_t n1, n2, new1;
	cr_assert_eq(clock_gettime(CLOCK_REALTIME, &now), 0);
	now_ns = (int64_t)now.tv_sec * 1000000000 + now.tv_nsec;
	n1 = nt_commit_f64(s, "x", 1024, 0.0, "first one"); /* 2 chunks */
	n2 = nt_commit_f64(s, "x", 1536, 0.0, NULL); /* same 2 + 1 new */
	cr_assert_eq(n1, 1);
	cr_assert_eq(n2, 2);

	NT_OK(ns_version_open_number(&v, s, 1));
	info = ns_version_get_info(v);
	cr_assert_eq(info->number, 1);
	cr_assert_eq(info->parent, 0);
	cr_assert_str_eq(info->message, "first one");
	cr_assert_eq(info->logical_bytes, 8192);
	cr_assert_geq(info->new_bytes, 8192);
	cr_assert_eq(info->n_arrays, 1);
	cr_assert_eq(info->n_meta, 0);
	cr_assert(info->time_ns > now_ns - 60 * (int64_t)1000000000 &&
			  info->time_ns < now_ns + 60 * (int64_t)1000000000,
		  "time %lld is not close to now %lld", (long long)info->time_ns,
		  (long long)now_ns);
	new1 = info->new_bytes;
	ns_version_close(v);

	NT_OK(ns_version_open_number(&v, s, 2));
	info = ns_version_get_info(v);
	cr_assert_eq(info->number, 2);
	cr_assert_eq(info->parent, 1);
	cr_assert_str_eq(info->message, "");
	cr_assert_eq(info->logical_bytes, 12288);
	cr_assert_gt(info->new_bytes, 0);
	cr_assert_lt(info->new_bytes, new1, "v2 added %llu bytes, v1 %llu",
		     (unsigned long long)info->new_bytes, (unsigned long long)new1);
	ns_version_close(v);
	ns_store_close(s);
}

Test(store_commit, bad_commit_options_are_refused)
{
	ns_store *s = nt_store_new("s.nsnap", 4096, NS_CODEC_RAW);
	ns_commit *c = NULL;
	ns_commit_opts o = NS_COMMIT_OPTS_INIT;
	ns_store_stats st;
	o.version = 999;
	NT_OK(ns_commit_new(&c, s));
	NT_FAILS(NS_EINVAL, ns_commit_finish(NULL, c, &o));
	o.version = NS_COMMIT_OPTS_VERSION;
	o.codec = (ns_codec)7;
	NT_OK(ns_commit_new(&c, s));
	NT_FAILS(NS_EINVAL, ns_commit_finish(NULL, c, &o));
	NT_OK(ns_store_stats_get(&st, s));
	cr_assert_eq(st.versions, 0);
	ns_store_close(s);
}

struct committer {
	ns_store *s;
	int id;
	int rc;
	uint64_t numbers[10];
};

static void *commit_ten(void *arg)
{
	struct committer *w = arg;
	double x[600];
	for (int i = 0; i < 10 && w->rc == NS_OK; i++) {
		ns_commit *c = NULL;
		for (int j = 0; j < 600; j++)
			x[j] = w->id * 1e6 + i * 1e3 + j;
		w->rc = ns_commit_new(&c, w->s);
		if (w->rc == NS_OK)
			w->rc = ns_commit_add(c, "x", NS_DTYPE_F64, x, 600);
		if (w->rc == NS_OK)
			w->rc = ns_commit_finish(&w->numbers[i], c, NULL);
		else
			ns_commit_free(c);
	}
	return NULL;
}

Test(store_commit, commits_from_two_threads_are_serialised)
{
	ns_store *s = nt_store_new("s.nsnap", 4096, NS_CODEC_RAW);
	struct committer w[2] = { { s, 1, 0, { 0 } }, { s, 2, 0, { 0 } } };
	pthread_t t[2];
	int seen[21] = { 0 };
	ns_store_stats st;
	for (int i = 0; i < 2; i++)
		cr_assert_eq(pthread_create(&t[i], NULL, commit_ten, &w[i]), 0);
	for (int i = 0; i < 2; i++)
		cr_assert_eq(pthread_join(t[i], NULL), 0);
	for (int i = 0; i < 2; i++) {
		cr_assert_eq(w[i].rc, NS_OK, "thread %d: %d", i, w[i].rc);
		for (int k = 0; k < 10; k++) {
			uint64_t n = w[i].numbers[k];
			cr_assert(n >= 1 && n <= 20 && !seen[n], "version %llu",
				  (unsigned long long)n);
			seen[n] = 1;
		}
	}
	NT_OK(ns_store_stats_get(&st, s));
	cr_assert_eq(st.versions, 20);
	cr_assert_eq(st.chunks, 40);
	NT_OK(ns_store_verify(s, NULL, NULL, NULL));
	ns_store_close(s);
}
