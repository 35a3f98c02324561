/* SPDX-License-Identifier: MIT */
/* The gzip filter's writer on worker threads: what it writes is several
 * gzip members (one per 1 MiB block) that zlib, gzip(1) and Python's gzip
 * module read back byte for byte, whatever the number of threads; errors
 * below it stop it cleanly; a damaged member is an error naming the file;
 * a member-by-member file past the pickle's end is not inflated whole.
 *
 * Most tests drive gzip.so through a small host of their own (the plugin
 * needs only allocation, errors and the two streams), so that they see the
 * bytes it writes with nothing in between; the last ones go through
 * ns_export() and ns_import(). */
#define _GNU_SOURCE /* wait4() */
#include "util.h"

#include <dlfcn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zlib.h>

#include <nsnap/formats.h>
#include <nsnap/plugin.h>

#define PYTHON NSNAP_TEST_PYTHON
#define BLOCK ((size_t)1 << 20) /* the writer's block: one member each */

/* ----------------------------------------------------- a host of our own */

struct ns_istream {
	const unsigned char *p;
	size_t n, pos;
};

struct ns_ostream {
	unsigned char *p;
	size_t n, cap;
	size_t fail_after; /* refuse a write that would pass this many bytes */
	int writes;
};

static char last_msg[1024];
static int last_code;

static int t_error(int code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(last_msg, sizeof last_msg, fmt, ap);
	va_end(ap);
	return last_code = code;
}

static void t_log(ns_log_level level, const char *fmt, ...)
{
	(void)level;
	(void)fmt;
}

static ptrdiff_t t_read(ns_istream *in, void *buf, size_t n)
{
	size_t left = in->n - in->pos;
	if (n > left)
		n = left;
	memcpy(buf, in->p + in->pos, n);
	in->pos += n;
	return (ptrdiff_t)n;
}

static int t_write(ns_ostream *out, const void *buf, size_t n)
{
	out->writes++;
	if (out->fail_after && out->n + n > out->fail_after)
		return t_error(NS_EIO, "test stream: disk full after %zu bytes", out->n);
	if (out->n + n > out->cap) {
		size_t cap = (out->n + n) * 2;
		unsigned char *p = realloc(out->p, cap);
		cr_assert_not_null(p);
		out->p = p;
		out->cap = cap;
	}
	memcpy(out->p + out->n, buf, n);
	out->n += n;
	return NS_OK;
}

static ns_host test_host = {
	.abi_version = NS_PLUGIN_ABI_VERSION,
	.struct_size = sizeof(ns_host),
	.alloc = malloc,
	.realloc = realloc,
	.free = free,
	.error = t_error,
	.log = t_log,
	.read = t_read,
	.write = t_write,
};

static void *gz_module;

/* gzip.so of the build tree, initialised with the test's host. */
static const ns_filter_ops *gz(void)
{
	static const ns_plugin *p;
	if (!p) {
		char path[4096];
		snprintf(path, sizeof path, "%s/gzip.so", NSNAP_TEST_PLUGIN_DIR);
		gz_module = dlopen(path, RTLD_NOW | RTLD_LOCAL);
		cr_assert_not_null(gz_module, "dlopen %s: %s", path, dlerror());
		ns_plugin_entry_fn entry;
		*(void **)&entry = dlsym(gz_module, "nsnap_plugin_entry");
		cr_assert_not_null(entry);
		p = entry();
		cr_assert_eq(p->init(&test_host), NS_OK);
	}
	return p->filter;
}

static ns_plugin_args args_of(const char *path, int level)
{
	ns_plugin_args a = { NS_PLUGIN_ABI_VERSION, sizeof a, path, level, 0, 0, NULL };
	return a;
}

/* @n bytes that compress as weights do: random f64 near 0.5, whose high
 * bytes repeat and low bytes do not, with a stretch of zeros now and then. */
static unsigned char *weights(size_t n, uint64_t seed)
{
	unsigned char *p = malloc(n ? n : 1);
	cr_assert_not_null(p);
	uint64_t x = seed * 0x9E3779B97F4A7C15u + 1;
	for (size_t i = 0; i + 8 <= n; i += 8) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		double d = (i / 8) % 4096 < 64 ? 0.0 : 0.5 + (double)(x >> 11) * 0x1p-56;
		memcpy(p + i, &d, 8);
	}
	for (size_t i = n - n % 8; i < n; i++)
		p[i] = (unsigned char)i;
	return p;
}

/* Compress @n bytes of @data through the plugin, handing them over in
 * pieces of varying size (1 byte to 300 KiB); the gzip file goes to *out. */
static void compress_with(ns_ostream *out, const unsigned char *data, size_t n, int level)
{
	const ns_filter_ops *f = gz();
	ns_plugin_args a = args_of("test.gz", level);
	void *w = NULL;
	memset(out, 0, sizeof *out);
	cr_assert_eq(f->writer_open(&w, out, &a), NS_OK, "%s", last_msg);
	static const size_t piece[] = { 1, 7, 65536 + 3, 300 * 1024, 4096, 999999 };
	size_t done = 0;
	for (int k = 0; done < n; k++) {
		size_t m = piece[k % 6];
		if (m > n - done)
			m = n - done;
		cr_assert_eq(f->write(w, data + done, m), NS_OK, "%s", last_msg);
		done += m;
	}
	cr_assert_eq(f->writer_finish(w), NS_OK, "%s", last_msg);
	f->writer_close(w);
}

/* Inflate @gz member after member with zlib into a new buffer (*n bytes);
 * the members' count goes to *members. Fails the test on any error. */
static unsigned char *zlib_inflate_all(const ns_ostream *gzf, size_t *n, int *members)
{
	z_stream z = { 0 };
	size_t cap = 1 << 20, have = 0;
	unsigned char *out = malloc(cap);
	cr_assert_eq(inflateInit2(&z, 15 + 16), Z_OK);
	z.next_in = gzf->p;
	z.avail_in = (uInt)gzf->n;
	*members = 0;
	while (z.avail_in > 0) {
		if (have == cap) {
			cap *= 2;
			out = realloc(out, cap);
			cr_assert_not_null(out);
		}
		z.next_out = out + have;
		z.avail_out = (uInt)(cap - have);
		int rc = inflate(&z, Z_NO_FLUSH);
		have = cap - z.avail_out;
		if (rc == Z_STREAM_END) {
			(*members)++;
			cr_assert_eq(inflateReset(&z), Z_OK);
		} else {
			cr_assert(rc == Z_OK || (rc == Z_BUF_ERROR && z.avail_out == 0),
				  "zlib: %d (%s) after %d members", rc, z.msg ? z.msg : "",
				  *members);
		}
	}
	inflateEnd(&z);
	*n = have;
	return out;
}

static void expect_zlib_reads(const ns_ostream *gzf, const unsigned char *data, size_t n,
			      int want_members)
{
	size_t got = 0;
	int members = 0;
	unsigned char *back = zlib_inflate_all(gzf, &got, &members);
	cr_assert_eq(members, want_members, "%d members, not %d", members, want_members);
	cr_assert_eq(got, n, "%zu bytes back, not %zu", got, n);
	cr_assert(n == 0 || memcmp(back, data, n) == 0, "the bytes came back changed");
	free(back);
}

/* Read @gzf back through the plugin's reader in pieces of @piece bytes. */
static int plugin_reads(unsigned char **out, size_t *n, const ns_ostream *gzf, size_t piece,
			const char *path)
{
	const ns_filter_ops *f = gz();
	ns_istream in = { gzf->p, gzf->n, 0 };
	ns_plugin_args a = args_of(path, 0);
	void *r = NULL;
	size_t cap = gzf->n * 2 + BLOCK, have = 0;
	unsigned char *buf = malloc(cap);
	int rc = f->reader_open(&r, &in, &a);
	cr_assert_eq(rc, NS_OK, "%s", last_msg);
	for (;;) {
		if (cap - have < piece) {
			cap = cap * 2 + piece;
			buf = realloc(buf, cap);
			cr_assert_not_null(buf);
		}
		ptrdiff_t got = f->read(r, buf + have, piece);
		if (got < 0) {
			rc = (int)got;
			break;
		}
		if (got == 0)
			break;
		have += (size_t)got;
	}
	f->reader_close(r);
	*out = buf;
	*n = have;
	return rc;
}

static void write_file(const char *path, const ns_ostream *o)
{
	nt_write_file(path, o->p, o->n);
}

/* The exit status of a shell command made of @fmt. */
static int run(const char *fmt, ...)
{
	char cmd[4096];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(cmd, sizeof cmd, fmt, ap);
	va_end(ap);
	int st = system(cmd);
	return st == -1 ? -1 : WEXITSTATUS(st);
}

/* ------------------------------------------------------------- writer */

Test(gzip_mt, several_blocks_become_one_member_each_that_zlib_reads_back_exactly)
{
	size_t n = 5 * BLOCK + 12345;
	unsigned char *data = weights(n, 1);
	ns_ostream o;
	compress_with(&o, data, n, 0);
	cr_assert_lt(o.n, n, "%zu bytes of weights compressed to %zu", n, o.n);
	expect_zlib_reads(&o, data, n, 6);
	free(o.p);
	free(data);
}

Test(gzip_mt, an_exact_number_of_blocks_adds_no_empty_member)
{
	size_t n = 3 * BLOCK;
	unsigned char *data = weights(n, 2);
	ns_ostream o;
	compress_with(&o, data, n, 1);
	expect_zlib_reads(&o, data, n, 3);
	free(o.p);
	free(data);
}

Test(gzip_mt, nothing_written_is_one_empty_member)
{
	ns_ostream o;
	compress_with(&o, NULL, 0, 0);
	expect_zlib_reads(&o, NULL, 0, 1);
	write_file(nt_path("empty.gz"), &o);
	cr_assert_eq(run("gzip -t '%s'", nt_path("empty.gz")), 0);
	free(o.p);
}

/* The threads of this process, from /proc/self/task. */
static int threads_now(void)
{
	char cmd[64];
	snprintf(cmd, sizeof cmd, "ls /proc/%d/task | wc -l", (int)getpid());
	FILE *f = popen(cmd, "r");
	int n = -1;
	cr_assert_not_null(f);
	cr_assert_eq(fscanf(f, "%d", &n), 1);
	pclose(f);
	return n;
}

Test(gzip_mt, a_file_smaller_than_a_block_is_one_member_written_without_a_thread)
{
	const ns_filter_ops *f = gz();
	size_t n = BLOCK - 1;
	unsigned char *data = weights(n, 11);
	ns_plugin_args a = args_of("small.gz", 0);
	ns_ostream o = { 0 };
	void *w = NULL;
	int before = threads_now();
	cr_assert_eq(f->writer_open(&w, &o, &a), NS_OK, "%s", last_msg);
	cr_assert_eq(f->write(w, data, n), NS_OK, "%s", last_msg);
	cr_assert_eq(threads_now(), before, "the writer started threads for %zu bytes", n);
	cr_assert_eq(f->writer_finish(w), NS_OK, "%s", last_msg);
	f->writer_close(w);
	expect_zlib_reads(&o, data, n, 1);
	free(o.p);
	free(data);
}

Test(gzip_mt, the_output_is_the_same_with_one_thread_or_many)
{
	/* 20 blocks: with one thread the ring of 4 blocks wraps five times. */
	size_t n = 20 * BLOCK - 5;
	unsigned char *data = weights(n, 3);
	ns_ostream one, many;
	cr_assert_eq(setenv("NSNAP_THREADS", "1", 1), 0);
	compress_with(&one, data, n, 0);
	cr_assert_eq(setenv("NSNAP_THREADS", "7", 1), 0);
	compress_with(&many, data, n, 0);
	unsetenv("NSNAP_THREADS");
	cr_assert_eq(one.n, many.n, "%zu bytes with one thread, %zu with seven", one.n, many.n);
	cr_assert(memcmp(one.p, many.p, one.n) == 0, "one thread and seven wrote different bytes");
	expect_zlib_reads(&many, data, n, 20);
	free(one.p);
	free(many.p);
	free(data);
}

Test(gzip_mt, every_level_reads_back_exactly)
{
	size_t n = 2 * BLOCK + 100;
	unsigned char *data = weights(n, 4);
	for (int level = 1; level <= 9; level++) {
		ns_ostream o;
		compress_with(&o, data, n, level);
		cr_assert_lt(o.n, n, "level %d: %zu bytes of %zu", level, o.n, n);
		expect_zlib_reads(&o, data, n, 3);
		free(o.p);
	}
	free(data);
}

/* Blocks of each kind the writer tells apart: random bytes (8 bits a
 * byte), text of 61 symbols (about 5.7) and runs of repeated records
 * (delays, under 4), each compressed at every level and read back. */
Test(gzip_mt, blocks_of_every_kind_read_back_exactly_at_every_level)
{
	static const unsigned char delay[9] = { 'G',  0x3f, 0xf8, 0x99, 0x99,
						0x99, 0x99, 0x99, 0x9a };
	size_t n = 3 * BLOCK + 4321;
	unsigned char *data = malloc(n);
	uint64_t x = 99;
	for (size_t i = 0; i < n; i++) {
		x = x * 6364136223846793005u + 1442695040888963407u;
		unsigned r = (unsigned)(x >> 33);
		if (i < BLOCK)
			data[i] = (unsigned char)r;
		else if (i < 2 * BLOCK)
			data[i] = (unsigned char)(r % 7 ? '!' + r % 60 : ' ');
		else
			data[i] = (unsigned char)(delay[i % 9] + (r % 50 == 0));
	}
	for (int level = 1; level <= 9; level++) {
		ns_ostream o;
		compress_with(&o, data, n, level);
		expect_zlib_reads(&o, data, n, 4);
		free(o.p);
	}
	free(data);
}

/* Pickled floats as ANNarchy's lists hold them: 'G' and 8 big-endian
 * bytes of a random weight in [0, 1). From level 7 such blocks get
 * libdeflate's near-optimal parser, which writes them smaller than the
 * lazy parser of level 6 does (by 1.5% on gzip_bench's weights). */
Test(gzip_mt, float_records_are_smaller_at_level_7_than_at_6)
{
	size_t records = 3 * BLOCK / 9, n = records * 9;
	unsigned char *data = malloc(n);
	uint64_t x = 7;
	for (size_t i = 0; i < records; i++) {
		x = x * 6364136223846793005u + 1442695040888963407u;
		double w = (double)(x >> 11) * 0x1p-53;
		uint64_t bits;
		memcpy(&bits, &w, 8);
		data[9 * i] = 'G';
		for (int k = 0; k < 8; k++)
			data[9 * i + 1 + k] = (unsigned char)(bits >> (56 - 8 * k));
	}
	ns_ostream six, seven;
	compress_with(&six, data, n, 6);
	compress_with(&seven, data, n, 7);
	cr_log_info("float records: %zu bytes, level 6: %zu, level 7: %zu", n, six.n, seven.n);
	cr_assert_lt((double)seven.n, 0.995 * (double)six.n, "level 7: %zu bytes, level 6: %zu",
		     seven.n, six.n);
	expect_zlib_reads(&seven, data, n, 3);
	free(six.p);
	free(seven.p);
	free(data);
}

Test(gzip_mt, the_plugins_reader_reads_every_member_back_in_any_piece_size)
{
	size_t n = 4 * BLOCK + 77;
	unsigned char *data = weights(n, 5);
	ns_ostream o;
	compress_with(&o, data, n, 0);
	static const size_t pieces[] = { 1000003, 4096, 1 << 22 };
	for (int k = 0; k < 3; k++) {
		unsigned char *back;
		size_t got;
		cr_assert_eq(plugin_reads(&back, &got, &o, pieces[k], "back.gz"), NS_OK, "%s",
			     last_msg);
		cr_assert_eq(got, n, "pieces of %zu: %zu bytes back, not %zu", pieces[k], got, n);
		cr_assert(memcmp(back, data, n) == 0, "pieces of %zu: the bytes changed",
			  pieces[k]);
		free(back);
	}
	free(o.p);
	free(data);
}

Test(gzip_mt, gzip_and_python_read_the_members_back_exactly)
{
	size_t n = 6 * BLOCK + 999;
	unsigned char *data = weights(n, 6);
	ns_ostream o;
	compress_with(&o, data, n, 0);
	char raw[4096], gzp[4096];
	snprintf(raw, sizeof raw, "%s", nt_path("raw.bin"));
	snprintf(gzp, sizeof gzp, "%s", nt_path("raw.bin.gz"));
	nt_write_file(raw, data, n);
	write_file(gzp, &o);
	cr_assert_eq(run("gzip -t '%s'", gzp), 0, "gzip -t refuses '%s'", gzp);
	cr_assert_eq(run("gzip -dc '%s' | cmp -s - '%s'", gzp, raw), 0,
		     "gzip -d of '%s' is not the input", gzp);
	cr_assert_eq(run("'%s' -c 'import gzip,sys; sys.exit(gzip.open(sys.argv[1]).read() != "
			 "open(sys.argv[2], \"rb\").read())' '%s' '%s'",
			 PYTHON, gzp, raw),
		     0, "Python's gzip module does not read '%s' back as the input", gzp);
	free(o.p);
	free(data);
}

Test(gzip_mt, a_failing_stream_below_fails_the_writer_for_good_and_it_closes)
{
	const ns_filter_ops *f = gz();
	size_t n = 12 * BLOCK;
	unsigned char *data = weights(n, 7);
	ns_plugin_args a = args_of("full.gz", 0);
	ns_ostream o = { 0 };
	o.fail_after = 2 * BLOCK; /* the third or fourth member does not fit */
	void *w = NULL;
	cr_assert_eq(f->writer_open(&w, &o, &a), NS_OK, "%s", last_msg);
	int rc = NS_OK;
	for (size_t done = 0; rc == NS_OK && done < n; done += BLOCK / 2)
		rc = f->write(w, data + done, BLOCK / 2);
	if (rc == NS_OK)
		rc = f->writer_finish(w);
	cr_assert_eq(rc, NS_EIO, "the writer returned %d (%s), not NS_EIO", rc, last_msg);
	cr_assert_eq(f->write(w, data, 10), NS_EIO, "a write after the error returned OK");
	cr_assert(strstr(last_msg, "full.gz"), "message \"%s\" does not name the file", last_msg);
	cr_assert_eq(f->writer_finish(w), NS_EIO);
	cr_assert_leq(o.n, 2 * BLOCK);
	f->writer_close(w); /* stops the workers with blocks in flight */
	free(o.p);
	free(data);
}

Test(gzip_mt, closing_without_finishing_stops_the_workers_with_blocks_queued)
{
	const ns_filter_ops *f = gz();
	size_t n = 9 * BLOCK + 1;
	unsigned char *data = weights(n, 8);
	ns_plugin_args a = args_of("abandoned.gz", 9);
	ns_ostream o = { 0 };
	void *w = NULL;
	cr_assert_eq(setenv("NSNAP_THREADS", "3", 1), 0);
	cr_assert_eq(f->writer_open(&w, &o, &a), NS_OK, "%s", last_msg);
	unsetenv("NSNAP_THREADS");
	cr_assert_eq(f->write(w, data, n), NS_OK, "%s", last_msg);
	f->writer_close(w);
	/* Only whole members in order went out: what was written reads back
	 * as a prefix of the input. */
	if (o.n > 0) {
		size_t got = 0;
		int members = 0;
		unsigned char *back = zlib_inflate_all(&o, &got, &members);
		cr_assert_eq(got, (size_t)members * BLOCK);
		cr_assert(memcmp(back, data, got) == 0);
		free(back);
	}
	free(o.p);
	free(data);
}

Test(gzip_mt, a_level_out_of_range_is_refused_naming_the_file)
{
	const ns_filter_ops *f = gz();
	ns_plugin_args a = args_of("ten.gz", 10);
	ns_ostream o = { 0 };
	void *w = NULL;
	cr_assert_eq(f->writer_open(&w, &o, &a), NS_EINVAL);
	cr_assert(strstr(last_msg, "ten.gz") && strstr(last_msg, "level 10"), "message \"%s\"",
		  last_msg);
	cr_assert_null(w);
}

/* ------------------------------------------------------------- damage */

/* The offset in @o where member @k (from 0) starts, found by inflating. */
static size_t member_start(const ns_ostream *o, int k)
{
	z_stream z = { 0 };
	static unsigned char sink[1 << 16];
	cr_assert_eq(inflateInit2(&z, 15 + 16), Z_OK);
	z.next_in = o->p;
	z.avail_in = (uInt)o->n;
	for (int m = 0; m < k;) {
		z.next_out = sink;
		z.avail_out = sizeof sink;
		int rc = inflate(&z, Z_NO_FLUSH);
		if (rc == Z_STREAM_END) {
			m++;
			inflateReset(&z);
		} else {
			cr_assert(rc == Z_OK || rc == Z_BUF_ERROR);
		}
	}
	size_t at = o->n - z.avail_in;
	inflateEnd(&z);
	return at;
}

Test(gzip_mt, a_damaged_member_in_the_middle_is_an_error_naming_the_file)
{
	size_t n = 5 * BLOCK;
	unsigned char *data = weights(n, 9);
	ns_ostream o;
	compress_with(&o, data, n, 0);
	size_t third = member_start(&o, 2), fourth = member_start(&o, 3);
	cr_assert(o.p[third] == 0x1f && o.p[third + 1] == 0x8b, "member 3 starts at %zu", third);
	/* A byte of the compressed data, then (separately) the CRC. */
	static const char *const what[] = { "data", "crc" };
	size_t where[] = { third + (fourth - third) / 2, fourth - 8 };
	for (int k = 0; k < 2; k++) {
		ns_ostream bad = o;
		bad.p = malloc(o.n);
		memcpy(bad.p, o.p, o.n);
		bad.p[where[k]] ^= 0x55;
		unsigned char *back;
		size_t got;
		int rc = plugin_reads(&back, &got, &bad, 1 << 16, "damaged.data.gz");
		cr_assert_eq(rc, NS_EFORMAT, "damaged %s: read returned %d (%s)", what[k], rc,
			     last_msg);
		cr_assert(strstr(last_msg, "damaged.data.gz"), "damaged %s: message \"%s\"",
			  what[k], last_msg);
		cr_assert_leq(got, 3 * BLOCK, "damaged %s: %zu bytes read past the damage",
			      what[k], got);
		free(back);
		free(bad.p);
	}
	free(o.p);
	free(data);
}

/* ------------------------------------------------ through ns_export */

static ns_plugins *plugins(void)
{
	const char *dirs[] = { NSNAP_TEST_PLUGIN_DIR, NULL };
	ns_plugins *ps = NULL;
	NT_OK(ns_plugins_new(&ps, dirs, NS_PLUGINS_NO_ENV | NS_PLUGINS_NO_DEFAULT));
	return ps;
}

enum { NEURONS = 600000 }; /* 4.8 MB a variable: the pickle spans 10 blocks */

static double v_values[NEURONS], w_values[NEURONS];

/* A store "s.nsnap" with one version of population "E" holding two f64
 * variables of random values that do not repeat. */
static ns_store *weights_store(void)
{
	ns_store *s = nt_store_new("s.nsnap", 0, NS_CODEC_RAW);
	ns_network *net = NULL;
	ns_object *pop = NULL;
	ns_attr *a = NULL;
	uint64_t x = 42, v = 0;
	for (int i = 0; i < NEURONS; i++) {
		x = x * 6364136223846793005u + 1442695040888963407u;
		v_values[i] = -65.0 + (double)(x >> 11) * 0x1p-50;
		x = x * 6364136223846793005u + 1442695040888963407u;
		w_values[i] = (double)(x >> 11) * 0x1p-53;
	}
	NT_OK(ns_network_new(&net, "gzip_mt"));
	NT_OK(ns_population_add(&pop, net, "E", NEURONS, NULL, 0, "lif"));
	NT_OK(ns_attr_add(&a, pop, "v", NS_VARIABLE, NS_LOCAL, NS_DTYPE_F64, v_values, 0));
	NT_OK(ns_attr_add(&a, pop, "w", NS_VARIABLE, NS_LOCAL, NS_DTYPE_F64, w_values, 0));
	NT_OK(ns_snapshot(&v, s, net, NULL));
	ns_network_free(net);
	return s;
}

static void export_to(ns_plugins *ps, ns_store *s, const char *rev, const char *path)
{
	ns_export_opts o = NS_EXPORT_OPTS_INIT;
	o.overwrite = 1;
	NT_OK(ns_export(ps, s, rev, path, &o));
}

Test(gzip_mt, an_exported_gz_holds_the_pickle_byte_for_byte_and_imports_back)
{
	ns_plugins *ps = plugins();
	ns_store *s = weights_store();
	char data[4096], gzp[4096];
	snprintf(data, sizeof data, "%s", nt_path("net.data"));
	snprintf(gzp, sizeof gzp, "%s", nt_path("net.data.gz"));
	export_to(ps, s, "1", data);
	export_to(ps, s, "1", gzp);
	cr_assert_eq(run("gzip -t '%s'", gzp), 0);
	cr_assert_eq(run("gzip -dc '%s' | cmp -s - '%s'", gzp, data), 0,
		     "'%s' does not hold '%s'", gzp, data);
	cr_assert_eq(run("'%s' -c 'import gzip,sys; sys.exit(gzip.open(sys.argv[1]).read() != "
			 "open(sys.argv[2], \"rb\").read())' '%s' '%s'",
			 PYTHON, gzp, data),
		     0, "Python's gzip module does not read '%s' as '%s'", gzp, data);
	/* Several members. */
	ns_ostream o = { 0 };
	o.p = (unsigned char *)nt_slurp(gzp, &o.n);
	size_t raw_n = 0;
	int members = 0;
	free(zlib_inflate_all(&o, &raw_n, &members));
	cr_assert_geq(members, 9, "%d members in '%s' (%zu bytes of pickle)", members, gzp, raw_n);
	free(o.p);
	/* Back into the store: the same values, bit for bit. */
	ns_import_opts io = NS_IMPORT_OPTS_INIT;
	uint64_t v = 0;
	NT_OK(ns_import(&v, ps, s, gzp, &io));
	char rev[32];
	snprintf(rev, sizeof rev, "%llu", (unsigned long long)v);
	static const char *const names[] = { "E/v", "E/w" };
	const double *want[] = { v_values, w_values };
	for (int k = 0; k < 2; k++) {
		uint64_t nbytes = 0;
		double *got = nt_read_array(s, rev, names[k], &nbytes);
		cr_assert_eq(nbytes, sizeof v_values, "%s: %llu bytes", names[k],
			     (unsigned long long)nbytes);
		cr_assert(memcmp(got, want[k], sizeof v_values) == 0, "%s changed", names[k]);
		free(got);
	}
	ns_store_close(s);
	ns_plugins_free(ps);
}

Test(gzip_mt, an_import_of_a_gz_with_a_damaged_member_names_the_file_and_adds_nothing)
{
	ns_plugins *ps = plugins();
	ns_store *s = weights_store();
	char gzp[4096];
	snprintf(gzp, sizeof gzp, "%s", nt_path("bad.data.gz"));
	export_to(ps, s, "1", gzp);
	ns_ostream o = { 0 };
	o.p = (unsigned char *)nt_slurp(gzp, &o.n);
	size_t at = member_start(&o, 4) + 5000;
	o.p[at] ^= 0xff;
	nt_write_file(gzp, o.p, o.n);
	free(o.p);
	ns_import_opts io = NS_IMPORT_OPTS_INIT;
	int rc = ns_import(NULL, ps, s, gzp, &io);
	cr_assert(rc == NS_EFORMAT, "import returned %d: %s", rc, ns_error_last()->message);
	NT_MESSAGE_HAS(gzp);
	NT_MESSAGE_HAS("gzip");
	cr_assert_eq(nt_stats(s).versions, 1, "the failed import added a version");
	ns_store_close(s);
	ns_plugins_free(ps);
}

/* A tiny pickle in one member and then 256 members of 1 MiB of zeros each
 * (about 260 KiB on disk): an import refuses the data past the pickle's
 * STOP without inflating it all, member after member (issue 15). */
Test(gzip_mt, members_past_the_pickles_end_are_not_inflated_whole)
{
	static const unsigned char pk[] = { 0x80, 4, '}', '.' };
	char gzp[4096];
	snprintf(gzp, sizeof gzp, "%s", nt_path("bomb.data.gz"));
	FILE *f = fopen(gzp, "wb");
	cr_assert_not_null(f);
	unsigned char *zeros = calloc(1, BLOCK), out[1 << 16];
	for (int i = -1; i < 256; i++) {
		z_stream z = { 0 };
		cr_assert_eq(deflateInit2(&z, 1, Z_DEFLATED, 31, 8, Z_DEFAULT_STRATEGY), Z_OK);
		z.next_in = (unsigned char *)(i < 0 ? pk : zeros);
		z.avail_in = i < 0 ? sizeof pk : (uInt)BLOCK;
		do {
			z.next_out = out;
			z.avail_out = sizeof out;
			deflate(&z, Z_FINISH);
			fwrite(out, 1, sizeof out - z.avail_out, f);
		} while (z.avail_out == 0);
		deflateEnd(&z);
	}
	fclose(f);
	free(zeros);

	int fds[2], status = 0;
	struct rusage ru;
	cr_assert_eq(pipe(fds), 0);
	pid_t pid = fork();
	if (pid == 0) {
		ns_plugins *ps = plugins();
		ns_store *s = nt_store_new("child.nsnap", 0, NS_CODEC_RAW);
		ns_import_opts io = NS_IMPORT_OPTS_INIT;
		int r = ns_import(NULL, ps, s, gzp, &io);
		char msg[1024];
		snprintf(msg, sizeof msg, "%d %s", r, ns_error_last()->message);
		_exit(write(fds[1], msg, strlen(msg) + 1) > 0 ? 0 : 3);
	}
	cr_assert_gt(pid, 0);
	close(fds[1]);
	char msg[1024] = "";
	cr_assert_gt(read(fds[0], msg, sizeof msg - 1), 0, "the child importing '%s' died", gzp);
	close(fds[0]);
	cr_assert_eq(wait4(pid, &status, 0, &ru), pid);
	int rc = atoi(msg);
	cr_assert_eq(rc, NS_EFORMAT, "import: %s", msg);
	cr_assert(strstr(msg, gzp) && strstr(msg, "after the pickle's end"), "message: %s", msg);
#ifndef __SANITIZE_ADDRESS__
	/* 256 MiB inflated whole would show; the import's own needs are far less. */
	cr_assert_lt(ru.ru_maxrss, 128L << 10, "the import peaked at %ld KiB", ru.ru_maxrss);
#endif
}
