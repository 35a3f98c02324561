/* SPDX-License-Identifier: MIT */
/* Fill arrays: elements produced chunk by chunk by a callback. */
#include "util.h"

#include <stdlib.h>
#include <string.h>

/* Doubles at chunk size 4096: chunks of 512, 512, 512 and 300 elements. */
enum { M = 3 * 512 + 300 };

/* Element i of the array a fill context describes. */
struct fill {
	double base;
	int64_t changed; /* index of one element set to -1, or -1 for none */
	int fail_at;     /* call number (from 1) that fails, 0 for never */
	int fail_code;
	int calls;
};

static int fill_f64(void *ctx, uint64_t first, uint64_t n, void *buf)
{
	struct fill *f = ctx;
	double *out = buf;
	if (++f->calls == f->fail_at)
		return f->fail_code;
	for (uint64_t i = 0; i < n; i++)
		out[i] = (int64_t)(first + i) == f->changed ? -1.0 : f->base + (double)(first + i);
	return NS_OK;
}

static struct fill fill_of(double base)
{
	struct fill f = { base, -1, 0, 0, 0 };
	return f;
}

/* The same elements as fill_of(base), in a new buffer. */
static double *memory_of(double base)
{
	double *x = malloc(M * sizeof *x);
	cr_assert_not_null(x);
	for (int i = 0; i < M; i++)
		x[i] = base + i;
	return x;
}

static int commit_fill(uint64_t *number, ns_store *s, const char *name, struct fill *f,
		       uint64_t count)
{
	ns_commit *c = NULL;
	NT_OK(ns_commit_new(&c, s));
	NT_OK(ns_commit_add_fill(c, name, NS_DTYPE_F64, count, fill_f64, f));
	return ns_commit_finish(number, c, NULL);
}

Test(store_fill, a_fill_array_reads_back_equal)
{
	ns_store *s = nt_store_new("s.nsnap", 4096, NS_CODEC_RAW);
	struct fill f = fill_of(7.0);
	double *want = memory_of(7.0), *got;
	uint64_t n = 0;
	NT_OK(commit_fill(NULL, s, "x", &f, M));
	got = nt_read_array(s, "HEAD", "x", &n);
	cr_assert_eq(n, M * sizeof(double));
	cr_assert(memcmp(got, want, n) == 0, "the fill array reads back changed");
	free(got);
	free(want);
	ns_store_close(s);
}

Test(store_fill, a_zstd_fill_array_reads_back_equal)
{
	ns_store *s = nt_store_new("s.nsnap", 4096, NS_CODEC_ZSTD);
	struct fill f = fill_of(-3.0);
	double *want = memory_of(-3.0), *got;
	uint64_t n = 0;
	NT_OK(commit_fill(NULL, s, "x", &f, M));
	cr_assert_lt(nt_stats(s).stored_bytes, nt_stats(s).unique_bytes, "nothing compressed");
	got = nt_read_array(s, "HEAD", "x", &n);
	cr_assert_eq(n, M * sizeof(double));
	cr_assert(memcmp(got, want, n) == 0, "the fill array reads back changed");
	free(got);
	free(want);
	ns_store_close(s);
}

/* Every call of a range-recording fill, for any element type. */
struct ranges {
	size_t esize;
	uint64_t count;
	size_t n;
	uint64_t first[256], len[256];
	int bad_buffer;
};

static int record_range(void *ctx, uint64_t first, uint64_t n, void *buf)
{
	struct ranges *r = ctx;
	if (r->n < 256) {
		r->first[r->n] = first;
		r->len[r->n] = n;
	}
	r->n++;
	if (!buf)
		r->bad_buffer = 1;
	else
		memset(buf, (int)(first & 0xff), n * r->esize);
	return NS_OK;
}

Test(store_fill, fill_ranges_tile_the_array_in_chunks)
{
	static const ns_dtype types[] = { NS_DTYPE_F64, NS_DTYPE_F32, NS_DTYPE_I32,
					  NS_DTYPE_U8, NS_DTYPE_BOOL };
	ns_store *s = nt_store_new("s.nsnap", 4096, NS_CODEC_RAW);
	for (size_t t = 0; t < sizeof types / sizeof types[0]; t++) {
		static struct ranges r;
		size_t esize = ns_dtype_size(types[t]);
		uint64_t per_chunk = 4096 / esize, n_chunks;
		ns_commit *c = NULL;
		memset(&r, 0, sizeof r);
		r.esize = esize;
		r.count = 5 * per_chunk + 123; /* the last chunk is short */
		n_chunks = (r.count + per_chunk - 1) / per_chunk;
		NT_OK(ns_commit_new(&c, s));
		NT_OK(ns_commit_add_fill(c, "x", types[t], r.count, record_range, &r));
		NT_OK(ns_commit_finish(NULL, c, NULL));
		cr_assert_leq(r.n, 256);
		cr_assert_not(r.bad_buffer, "%s: fill got a NULL buffer", ns_dtype_name(types[t]));
		/* Calls may repeat a range; every chunk's range must be asked for
		 * and no other range ever. */
		for (uint64_t k = 0; k < n_chunks; k++) {
			uint64_t want_len = k + 1 < n_chunks ? per_chunk : r.count - k * per_chunk;
			int seen = 0;
			for (size_t i = 0; i < r.n; i++)
				seen |= r.first[i] == k * per_chunk;
			cr_assert(seen, "%s: chunk %llu was never filled", ns_dtype_name(types[t]),
				  (unsigned long long)k);
			for (size_t i = 0; i < r.n; i++)
				if (r.first[i] == k * per_chunk)
					cr_assert_eq(r.len[i], want_len,
						     "%s: chunk %llu filled as %llu elements",
						     ns_dtype_name(types[t]), (unsigned long long)k,
						     (unsigned long long)r.len[i]);
		}
		for (size_t i = 0; i < r.n; i++)
			cr_assert_eq(r.first[i] % per_chunk, 0,
				     "%s: a range starts at %llu, inside a chunk",
				     ns_dtype_name(types[t]), (unsigned long long)r.first[i]);
	}
	ns_store_close(s);
}

Test(store_fill, a_failing_fill_fails_the_commit_with_its_code)
{
	ns_store *s = nt_store_new("s.nsnap", 4096, NS_CODEC_RAW);
	struct fill f = fill_of(0.0);
	f.fail_at = 2;
	f.fail_code = NS_EIO;
	NT_FAILS(NS_EIO, commit_fill(NULL, s, "x", &f, M));
	f = fill_of(0.0);
	f.fail_at = 1;
	f.fail_code = NS_EMISMATCH;
	NT_FAILS(NS_EMISMATCH, commit_fill(NULL, s, "x", &f, M));
	ns_store_close(s);
}

Test(store_fill, a_failing_fill_error_names_the_array)
{
	ns_store *s = nt_store_new("s.nsnap", 4096, NS_CODEC_RAW);
	struct fill f = fill_of(0.0);
	f.fail_at = 3;
	f.fail_code = NS_EIO;
	NT_FAILS(NS_EIO, commit_fill(NULL, s, "membrane_v", &f, M));
	NT_MESSAGE_HAS("membrane_v");
	ns_store_close(s);
}

Test(store_fill, a_failing_fill_adds_no_version_and_no_chunk)
{
	ns_store *s = nt_three_versions();
	ns_store_stats before = nt_stats(s), after;
	/* Fail at every call a successful commit makes, one commit each. */
	struct fill probe = fill_of(100.0);
	ns_store *probe_store = nt_store_new("probe.nsnap", 4096, NS_CODEC_RAW);
	NT_OK(commit_fill(NULL, probe_store, "x", &probe, M));
	ns_store_close(probe_store);
	cr_assert_gt(probe.calls, 0);
	for (int k = 1; k <= probe.calls; k++) {
		struct fill f = fill_of(100.0);
		f.fail_at = k;
		f.fail_code = NS_EIO;
		NT_FAILS(NS_EIO, commit_fill(NULL, s, "x", &f, M));
		after = nt_stats(s);
		cr_assert_eq(after.versions, before.versions, "call %d", k);
		cr_assert_eq(after.chunks, before.chunks, "call %d", k);
		cr_assert_eq(after.unique_bytes, before.unique_bytes, "call %d", k);
		cr_assert_eq(after.orphan_chunks, 0, "call %d", k);
		cr_assert_eq(nt_resolve(s, "HEAD"), 3, "call %d", k);
	}
	ns_store_close(s);
}

Test(store_fill, a_fill_array_equal_to_a_memory_array_adds_no_chunk)
{
	ns_store *s = nt_store_new("s.nsnap", 4096, NS_CODEC_RAW);
	struct fill f = fill_of(5.0);
	ns_store_stats before;
	uint64_t n = 0;
	nt_commit_f64(s, "x", M, 5.0, NULL);
	before = nt_stats(s);
	NT_OK(commit_fill(&n, s, "y", &f, M));
	cr_assert_eq(nt_stats(s).chunks, before.chunks);
	cr_assert_eq(nt_stats(s).unique_bytes, before.unique_bytes);
	cr_assert_eq(nt_new_bytes(s, n), 0);
	ns_store_close(s);
}

Test(store_fill, a_memory_array_equal_to_a_fill_array_adds_no_chunk)
{
	ns_store *s = nt_store_new("s.nsnap", 4096, NS_CODEC_RAW);
	struct fill f = fill_of(5.0);
	ns_store_stats before;
	uint64_t n;
	NT_OK(commit_fill(NULL, s, "x", &f, M));
	before = nt_stats(s);
	n = nt_commit_f64(s, "x", M, 5.0, NULL);
	cr_assert_eq(nt_stats(s).chunks, before.chunks);
	cr_assert_eq(nt_new_bytes(s, n), 0);
	ns_store_close(s);
}

Test(store_fill, changing_one_chunk_of_a_fill_array_adds_exactly_one_chunk)
{
	ns_store *s = nt_store_new("s.nsnap", 4096, NS_CODEC_RAW);
	struct fill f = fill_of(1.0);
	ns_store_stats before;
	double *want = memory_of(1.0), *got;
	uint64_t n = 0, nbytes = 0;
	NT_OK(commit_fill(NULL, s, "x", &f, M));
	before = nt_stats(s);
	cr_assert_eq(before.chunks, 4);
	f = fill_of(1.0);
	f.changed = 2 * 512 + 17; /* inside chunk 2 */
	NT_OK(commit_fill(&n, s, "x", &f, M));
	cr_assert_eq(nt_stats(s).chunks, before.chunks + 1);
	cr_assert_eq(nt_new_bytes(s, n), 4096);
	want[2 * 512 + 17] = -1.0;
	got = nt_read_array(s, "HEAD", "x", &nbytes);
	cr_assert(memcmp(got, want, nbytes) == 0, "the changed fill array reads back changed");
	free(got);
	free(want);
	ns_store_close(s);
}

Test(store_fill, an_empty_fill_array_commits_with_no_elements)
{
	ns_store *s = nt_store_new("s.nsnap", 4096, NS_CODEC_RAW);
	struct fill f = fill_of(0.0);
	ns_version *v = NULL;
	ns_array_info a;
	NT_OK(commit_fill(NULL, s, "empty", &f, 0));
	NT_OK(ns_version_open(&v, s, "HEAD"));
	NT_OK(ns_version_array_at(&a, v, 0));
	cr_assert_str_eq(a.name, "empty");
	cr_assert_eq(a.count, 0);
	cr_assert_eq(a.n_chunks, 0);
	ns_version_close(v);
	ns_store_close(s);
}

Test(store_fill, adding_a_fill_without_a_function_is_invalid)
{
	ns_store *s = nt_store_new("s.nsnap", 4096, NS_CODEC_RAW);
	ns_commit *c = NULL;
	NT_OK(ns_commit_new(&c, s));
	NT_FAILS(NS_EINVAL, ns_commit_add_fill(c, "x", NS_DTYPE_F64, 10, NULL, NULL));
	ns_commit_free(c);
	ns_store_close(s);
}

Test(store_fill, adding_a_fill_under_a_taken_name_fails)
{
	ns_store *s = nt_store_new("s.nsnap", 4096, NS_CODEC_RAW);
	struct fill f = fill_of(0.0);
	double x[4] = { 0 };
	ns_commit *c = NULL;
	NT_OK(ns_commit_new(&c, s));
	NT_OK(ns_commit_add(c, "x", NS_DTYPE_F64, x, 4));
	NT_FAILS(NS_EEXISTS, ns_commit_add_fill(c, "x", NS_DTYPE_F64, 10, fill_f64, &f));
	ns_commit_free(c);
	ns_store_close(s);
}

Test(store_fill, adding_a_fill_with_a_bad_name_or_type_is_invalid)
{
	ns_store *s = nt_store_new("s.nsnap", 4096, NS_CODEC_RAW);
	struct fill f = fill_of(0.0);
	ns_commit *c = NULL;
	NT_OK(ns_commit_new(&c, s));
	NT_FAILS(NS_EINVAL, ns_commit_add_fill(c, "", NS_DTYPE_F64, 10, fill_f64, &f));
	NT_FAILS(NS_EINVAL, ns_commit_add_fill(c, NULL, NS_DTYPE_F64, 10, fill_f64, &f));
	NT_FAILS(NS_EINVAL, ns_commit_add_fill(c, "y", (ns_dtype)99, 10, fill_f64, &f));
	ns_commit_free(c);
	ns_store_close(s);
}

/* Leave a stale error behind: a revision that does not exist. */
static void stale_error(ns_store *s)
{
	NT_FAILS(NS_ENOTFOUND, ns_store_resolve(NULL, s, "no-such-tag"));
	NT_MESSAGE_HAS("no-such-tag");
}

Test(store_fill, a_fill_failing_without_a_message_is_named_not_a_stale_error)
{
	ns_store *s = nt_store_new("s.nsnap", 4096, NS_CODEC_RAW);
	struct fill f = fill_of(0.0);
	f.fail_at = 2;
	f.fail_code = NS_EINVAL;
	stale_error(s);
	NT_FAILS(NS_EINVAL, commit_fill(NULL, s, "E/v", &f, M));
	NT_MESSAGE_HAS("commit: fill callback of array 'E/v' returned -3 (invalid argument)");
	cr_assert_null(strstr(ns_error_last()->message, "no-such-tag"), "stale message: %s",
		       ns_error_last()->message);
	ns_store_close(s);
}

/* A fill that fails with the error of an nsnap call it made. */
static int fill_with_message(void *ctx, uint64_t first, uint64_t n, void *buf)
{
	(void)first;
	(void)n;
	(void)buf;
	return ns_network_set_meta(ctx, "", NULL, 0.0);
}

Test(store_fill, a_fill_failing_with_its_own_message_keeps_it)
{
	ns_store *s = nt_store_new("s.nsnap", 4096, NS_CODEC_RAW);
	ns_network *net = NULL;
	ns_commit *c = NULL;
	NT_OK(ns_network_new(&net, "sensors"));
	stale_error(s);
	NT_OK(ns_commit_new(&c, s));
	NT_OK(ns_commit_add_fill(c, "E/v", NS_DTYPE_F64, M, fill_with_message, net));
	NT_FAILS(NS_EINVAL, ns_commit_finish(NULL, c, NULL));
	NT_MESSAGE_HAS("commit: array 'E/v': network 'sensors': a dictionary entry needs a key");
	ns_network_free(net);
	ns_store_close(s);
}

static int fill_positive(void *ctx, uint64_t first, uint64_t n, void *buf)
{
	(void)ctx;
	(void)first;
	memset(buf, 0, n * sizeof(double));
	return (int)n; /* as if it counted what it wrote */
}

Test(store_fill, a_fill_returning_a_positive_value_fails_the_commit)
{
	ns_store *s = nt_store_new("s.nsnap", 4096, NS_CODEC_RAW);
	ns_commit *c = NULL;
	NT_OK(ns_commit_new(&c, s));
	NT_OK(ns_commit_add_fill(c, "E/v", NS_DTYPE_F64, 10, fill_positive, NULL));
	NT_FAILS(NS_ERROR, ns_commit_finish(NULL, c, NULL));
	NT_MESSAGE_HAS("fill callback of array 'E/v' returned 10");
	cr_assert_eq(nt_stats(s).versions, 0);
	ns_store_close(s);
}

Test(store_fill, a_capture_that_fails_halfway_leaves_the_array_to_be_read_at_finish)
{
	ns_store *s = nt_store_new("s.nsnap", 4096, NS_CODEC_RAW);
	struct fill f = fill_of(5.0);
	double *want = memory_of(5.0);
	ns_commit *c = NULL;
	uint64_t copied = 0, nbytes = 0, v = 0;
	f.fail_at = 3; /* the third chunk of four */
	f.fail_code = NS_EIO;
	NT_OK(ns_commit_new(&c, s));
	NT_OK(ns_commit_add_fill(c, "x", NS_DTYPE_F64, M, fill_f64, &f));
	NT_FAILS(NS_EIO, ns_commit_capture(c, &copied));
	/* Not the hashes of the two chunks captured and two never seen: the
	 * fill runs again as the commit is finished. */
	NT_OK(ns_commit_finish(&v, c, NULL));
	double *got = nt_read_array(s, "HEAD", "x", &nbytes);
	cr_assert_eq(nbytes, M * sizeof(double));
	cr_assert(memcmp(got, want, nbytes) == 0, "the committed array is not the fill's");
	free(got);
	free(want);
	ns_store_close(s);
}
