/* SPDX-License-Identifier: MIT */
/* The gzip and zstd filters, through the loaded plugins and the host: a
 * version exported to `x.json.gz` / `x.json.zst` and imported back, files
 * that gzip(1), Python and zstd(1) write and check, several members or
 * frames, and damaged files (truncated, a flipped byte), which must fail
 * with NS_EFORMAT and a message naming the file, never crash. */
#include "util.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include <nsnap/formats.h>

#define PYTHON NSNAP_TEST_PYTHON

/* Global parameters with long names, and a dictionary of random text that
 * compresses badly, so that both the JSON file (about 400 KiB) and its
 * compressed forms span several of the filters' 64 KiB buffers. */
enum { NPOP = 100, NPAR = 24, NNOTES = 64, NOTE_SIZE = 4096 };

static double vals[NPOP][NPAR];

static void fill(int seed)
{
	for (int p = 0; p < NPOP; p++)
		for (int k = 0; k < NPAR; k++)
			vals[p][k] = k % 4 == 0 ? seed * 100 + p + k
						: seed + sin(p * 31.0 + k) / (k + 1);
}

/* All plugins of the build tree: json, gzip, zstd and the others. */
static ns_plugins *plugins(void)
{
	const char *dirs[] = { NSNAP_TEST_PLUGIN_DIR, NULL };
	ns_plugins *ps = NULL;
	NT_OK(ns_plugins_new(&ps, dirs, NS_PLUGINS_NO_ENV | NS_PLUGINS_NO_DEFAULT));
	return ps;
}

/* A store @file with version 1 (values of seed 1) and version 2 (seed 2,
 * HEAD) of @npop populations of NPAR global f64 parameters, and @nnotes
 * dictionary entries of random text. */
static ns_store *store_of(const char *file, int npop, int nnotes)
{
	ns_store *s = nt_store_new(file, 0, NS_CODEC_RAW);
	ns_network *net = NULL;
	NT_OK(ns_network_new(&net, "filters"));
	for (int p = 0; p < npop; p++) {
		char name[64];
		ns_object *obj = NULL;
		snprintf(name, sizeof name, "P%03d", p);
		NT_OK(ns_population_add(&obj, net, name, 1, NULL, 0, "lif"));
		for (int k = 0; k < NPAR; k++) {
			ns_attr *a = NULL;
			snprintf(name, sizeof name, "a_parameter_with_a_long_name_%02d", k);
			NT_OK(ns_attr_add(&a, obj, name, NS_PARAMETER, NS_GLOBAL, NS_DTYPE_F64,
					  &vals[p][k], 0));
		}
	}
	NT_OK(ns_network_set_meta(net, "model", "filters", 0));
	static char note[NOTE_SIZE + 1];
	uint32_t x = 12345;
	for (int i = 0; i < nnotes; i++) {
		char key[16];
		for (int j = 0; j < NOTE_SIZE; j++) {
			x = x * 1664525u + 1013904223u;
			note[j] = (char)('a' + (x >> 24) % 26);
		}
		snprintf(key, sizeof key, "note_%02d", i);
		NT_OK(ns_network_set_meta(net, key, note, 0));
	}
	uint64_t v = 0;
	fill(1);
	NT_OK(ns_snapshot(&v, s, net, NULL));
	cr_assert_eq(v, 1);
	fill(2);
	NT_OK(ns_snapshot(&v, s, net, NULL));
	cr_assert_eq(v, 2);
	ns_network_free(net);
	return s;
}

/* The store of most tests: files of about 400 KiB. */
static ns_store *two_versions(void)
{
	return store_of("s.nsnap", NPOP, NNOTES);
}

/* The path of @name in the test's folder, in @buf. */
static char *path_of(char buf[256], const char *name)
{
	snprintf(buf, 256, "%s", nt_path(name));
	return buf;
}

static void export_level(ns_plugins *ps, ns_store *s, const char *rev, const char *path, int level)
{
	ns_export_opts o = NS_EXPORT_OPTS_INIT;
	o.level = level;
	o.overwrite = 1;
	NT_OK(ns_export(ps, s, rev, path, &o));
}

static uint64_t import(ns_plugins *ps, ns_store *s, const char *path)
{
	ns_import_opts o = NS_IMPORT_OPTS_INIT;
	uint64_t v = 0;
	NT_OK(ns_import(&v, ps, s, path, &o));
	return v;
}

static void assert_same_file(const char *a, const char *b)
{
	size_t na = 0, nb = 0;
	char *x = nt_slurp(a, &na), *y = nt_slurp(b, &nb);
	cr_assert_eq(na, nb, "'%s' has %zu bytes, '%s' %zu", a, na, b, nb);
	cr_assert(memcmp(x, y, na) == 0, "'%s' and '%s' differ", a, b);
	free(x);
	free(y);
}

static size_t file_size(const char *path)
{
	size_t n = 0;
	free(nt_slurp(path, &n));
	return n;
}

/* The exit status of a shell command made of @fmt. */
static int run(const char *fmt, ...)
{
	char cmd[2048];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(cmd, sizeof cmd, fmt, ap);
	va_end(ap);
	int st = system(cmd);
	return st == -1 ? -1 : WEXITSTATUS(st);
}

static int have_zstd_cli(void)
{
	if (run("command -v zstd >/dev/null 2>&1") == 0)
		return 1;
	cr_log_warn("no zstd command: the check by zstd(1) is skipped (install zstd)");
	return 0;
}

/* Version 1 exported as plain JSON to "plain.json" (the reference). */
static const char *plain_v1(ns_plugins *ps, ns_store *s, char buf[256])
{
	export_level(ps, s, "1", path_of(buf, "plain.json"), 0);
	return buf;
}

/* Import @path onto HEAD (version 2), export the new version as plain JSON
 * and compare it with version 1's: the values came through the filter. */
static void assert_imports_as_v1(ns_plugins *ps, ns_store *s, const char *path)
{
	char plain[256], back[256];
	static int round;
	char name[32];
	plain_v1(ps, s, plain);
	uint64_t v = import(ps, s, path);
	cr_assert_gt(v, 2, "the import made no new version");
	snprintf(name, sizeof name, "back-%d.json", round++);
	char rev[32];
	snprintf(rev, sizeof rev, "%llu", (unsigned long long)v);
	export_level(ps, s, rev, path_of(back, name), 0);
	assert_same_file(plain, back);
}

/* ------------------------------------------------------------ compressors */

/* @n bytes of @data as one gzip member at @level, appended to @f. */
static void gzip_member(FILE *f, const void *data, size_t n, int level)
{
	z_stream z;
	unsigned char out[16384];
	memset(&z, 0, sizeof z);
	cr_assert_eq(deflateInit2(&z, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY), Z_OK);
	z.next_in = (unsigned char *)data;
	z.avail_in = (uInt)n;
	int zrc;
	do {
		z.next_out = out;
		z.avail_out = sizeof out;
		zrc = deflate(&z, Z_FINISH);
		cr_assert(zrc == Z_OK || zrc == Z_STREAM_END);
		fwrite(out, 1, sizeof out - z.avail_out, f);
	} while (zrc != Z_STREAM_END);
	deflateEnd(&z);
}

/* @n bytes of @data as one zstd frame, appended to @f. */
static void zstd_frame(FILE *f, const void *data, size_t n, int level)
{
	size_t cap = ZSTD_compressBound(n);
	void *out = malloc(cap);
	size_t got = ZSTD_compress(out, cap, data, n, level);
	cr_assert(!ZSTD_isError(got), "%s", ZSTD_getErrorName(got));
	fwrite(out, 1, got, f);
	free(out);
}

/* A skippable zstd frame of @n bytes of payload, appended to @f. */
static void zstd_skippable(FILE *f, size_t n)
{
	unsigned char h[8] = { 0x5a, 0x2a, 0x4d, 0x18, (unsigned char)n,
			       (unsigned char)(n >> 8), 0, 0 };
	fwrite(h, 1, sizeof h, f);
	for (size_t i = 0; i < n; i++)
		fputc((int)(i * 7), f);
}

/* Write the reference split in two (at a third of its size) through
 * @member, into @path; @between adds something between them. */
static void write_in_two(const char *path, const char *plain,
			 void (*member)(FILE *, const void *, size_t, int),
			 void (*between)(FILE *))
{
	size_t n = 0;
	char *data = nt_slurp(plain, &n);
	FILE *f = fopen(path, "wb");
	cr_assert_not_null(f);
	member(f, data, n / 3, 6);
	if (between)
		between(f);
	member(f, data + n / 3, n - n / 3, 6);
	cr_assert_eq(fclose(f), 0);
	free(data);
}

/* ------------------------------------------------------------- damage */

/* The first @keep bytes of @src into @dst, the byte at @flip (when not
 * (size_t)-1) inverted. */
static void damaged_copy(const char *dst, const char *src, size_t keep, size_t flip)
{
	size_t n = 0;
	unsigned char *data = (unsigned char *)nt_slurp(src, &n);
	cr_assert_leq(keep, n);
	if (flip != (size_t)-1) {
		cr_assert_lt(flip, n);
		data[flip] ^= 0xff;
	}
	nt_write_file(dst, data, keep);
	free(data);
}

/* Importing @path fails with NS_EFORMAT, a message naming it and saying
 * @what, and no new version. */
static void assert_import_fails(ns_plugins *ps, ns_store *s, const char *path, const char *what)
{
	ns_import_opts o = NS_IMPORT_OPTS_INIT;
	uint64_t v = 0;
	NT_FAILS(NS_EFORMAT, ns_import(&v, ps, s, path, &o));
	NT_MESSAGE_HAS(path);
	if (what)
		NT_MESSAGE_HAS(what);
	cr_assert_eq(nt_resolve(s, "HEAD"), 2, "a failed import made a version");
}

enum { CUT_HALF = -1, FLIP_MIDDLE = -1 };

/* Version 1 exported through the filter of @ext, then damaged: @cut bytes
 * cut from its end (CUT_HALF: half of it), the byte @flip bytes before its
 * end inverted (FLIP_MIDDLE: the middle one; 0: none). Its import fails
 * saying @what. */
static void assert_damage_fails(ns_plugins *ps, ns_store *s, const char *ext, long cut,
				long flip, const char *what)
{
	char good[256], bad[256], name[32];
	snprintf(name, sizeof name, "good.json%s", ext);
	export_level(ps, s, "1", path_of(good, name), 0);
	size_t n = file_size(good);
	size_t keep = cut == CUT_HALF ? n / 2 : n - (size_t)cut;
	size_t at = flip == FLIP_MIDDLE ? n / 2 : flip ? n - (size_t)flip : (size_t)-1;
	snprintf(name, sizeof name, "bad.json%s", ext);
	damaged_copy(path_of(bad, name), good, keep, at);
	assert_import_fails(ps, s, bad, what);
}

/* ------------------------------------------------------------ the tests */

Test(formats_filters, gzip_and_zstd_load_as_filters_of_their_extensions)
{
	ns_plugins *ps = plugins();
	int found = 0;
	for (size_t i = 0; i < ns_plugins_count(ps); i++) {
		ns_plugin_info info;
		NT_OK(ns_plugins_at(&info, ps, i));
		const char *ext = strcmp(info.name, "gzip") == 0   ? ".gz"
				  : strcmp(info.name, "zstd") == 0 ? ".zst"
								   : NULL;
		if (!ext)
			continue;
		found++;
		cr_assert_eq(info.kind, NS_PLUGIN_FILTER, "%s", info.name);
		cr_assert_eq(info.abi_version, NS_PLUGIN_ABI_VERSION);
		cr_assert_str_eq(info.extensions[0], ext);
		cr_assert_null(info.extensions[1]);
	}
	cr_assert_eq(found, 2, "gzip and zstd not both loaded from %s", NSNAP_TEST_PLUGIN_DIR);
	ns_plugins_free(ps);
}

Test(formats_filters, gzip_export_then_import_keeps_every_value)
{
	ns_plugins *ps = plugins();
	ns_store *s = two_versions();
	char gz[256];
	export_level(ps, s, "1", path_of(gz, "v1.json.gz"), 0);
	cr_assert_gt(file_size(gz), 2 * 65536, "the file should span several input buffers");
	assert_imports_as_v1(ps, s, gz);
	ns_store_close(s);
	ns_plugins_free(ps);
}

Test(formats_filters, zstd_export_then_import_keeps_every_value)
{
	ns_plugins *ps = plugins();
	ns_store *s = two_versions();
	char zs[256];
	export_level(ps, s, "1", path_of(zs, "v1.json.zst"), 0);
	cr_assert_gt(file_size(zs), 2 * 65536, "the file should span several input buffers");
	assert_imports_as_v1(ps, s, zs);
	ns_store_close(s);
	ns_plugins_free(ps);
}

Test(formats_filters, the_two_versions_differ_so_round_trips_prove_something)
{
	ns_plugins *ps = plugins();
	ns_store *s = two_versions();
	char a[256], b[256];
	export_level(ps, s, "1", path_of(a, "1.json"), 0);
	export_level(ps, s, "2", path_of(b, "2.json"), 0);
	size_t na = 0, nb = 0;
	char *x = nt_slurp(a, &na), *y = nt_slurp(b, &nb);
	cr_assert(na != nb || memcmp(x, y, na) != 0);
	cr_assert_gt(na, 4 * 65536, "the file (%zu bytes) should span many buffers", na);
	free(x);
	free(y);
	ns_store_close(s);
	ns_plugins_free(ps);
}

Test(formats_filters, gzip_output_is_what_gzip_and_python_decompress)
{
	ns_plugins *ps = plugins();
	ns_store *s = two_versions();
	char gz[256], plain[256], out[256];
	export_level(ps, s, "1", path_of(gz, "v1.json.gz"), 0);
	plain_v1(ps, s, plain);
	cr_assert_eq(run("gzip -t '%s'", gz), 0, "gzip -t refuses '%s'", gz);
	path_of(out, "python.json");
	cr_assert_eq(run("'%s' -c 'import gzip,sys; open(sys.argv[2], \"wb\").write("
			 "gzip.open(sys.argv[1]).read())' '%s' '%s'",
			 PYTHON, gz, out),
		     0, "Python's gzip refuses '%s'", gz);
	assert_same_file(plain, out);
	ns_store_close(s);
	ns_plugins_free(ps);
}

Test(formats_filters, zstd_output_is_what_zstd_decompresses)
{
	ns_plugins *ps = plugins();
	ns_store *s = two_versions();
	char zs[256], plain[256], out[256];
	export_level(ps, s, "1", path_of(zs, "v1.json.zst"), 0);
	plain_v1(ps, s, plain);

	/* libzstd's one-shot decoder, on its own. */
	size_t n = 0, m = 0;
	char *comp = nt_slurp(zs, &n), *ref = nt_slurp(plain, &m);
	char *dec = malloc(m + 1);
	size_t got = ZSTD_decompress(dec, m + 1, comp, n);
	cr_assert(!ZSTD_isError(got), "libzstd refuses '%s': %s", zs, ZSTD_getErrorName(got));
	cr_assert_eq(got, m);
	cr_assert(memcmp(dec, ref, m) == 0);
	free(comp);
	free(ref);
	free(dec);

	if (have_zstd_cli()) {
		cr_assert_eq(run("zstd -q -t '%s'", zs), 0, "zstd -t refuses '%s'", zs);
		cr_assert_eq(run("zstd -q -d -c '%s' > '%s'", zs, path_of(out, "cli.json")), 0);
		assert_same_file(plain, out);
	}
	ns_store_close(s);
	ns_plugins_free(ps);
}

Test(formats_filters, a_file_gzip_and_python_wrote_imports)
{
	ns_plugins *ps = plugins();
	ns_store *s = two_versions();
	char plain[256], a[256], b[256];
	plain_v1(ps, s, plain);
	/* Both write the file's name in the header (FNAME). */
	cr_assert_eq(run("gzip -9 -c '%s' > '%s'", plain, path_of(a, "cli.json.gz")), 0);
	cr_assert_eq(run("'%s' -c 'import gzip,sys; gzip.open(sys.argv[2], \"wb\").write("
			 "open(sys.argv[1], \"rb\").read())' '%s' '%s'",
			 PYTHON, plain, path_of(b, "python.json.gz")),
		     0);
	assert_imports_as_v1(ps, s, a);
	assert_imports_as_v1(ps, s, b);
	ns_store_close(s);
	ns_plugins_free(ps);
}

Test(formats_filters, a_file_zstd_wrote_imports)
{
	if (!have_zstd_cli())
		cr_skip_test("no zstd command");
	ns_plugins *ps = plugins();
	ns_store *s = two_versions();
	char plain[256], zs[256];
	plain_v1(ps, s, plain);
	cr_assert_eq(run("zstd -q -19 -c '%s' > '%s'", plain, path_of(zs, "cli.json.zst")), 0);
	assert_imports_as_v1(ps, s, zs);
	ns_store_close(s);
	ns_plugins_free(ps);
}

Test(formats_filters, gzip_reads_concatenated_members)
{
	ns_plugins *ps = plugins();
	ns_store *s = two_versions();
	char plain[256], gz[256];
	plain_v1(ps, s, plain);
	write_in_two(path_of(gz, "two.json.gz"), plain, gzip_member, NULL);
	assert_imports_as_v1(ps, s, gz);
	ns_store_close(s);
	ns_plugins_free(ps);
}

Test(formats_filters, gzip_reads_members_that_gzip_made_and_cat_joined)
{
	ns_plugins *ps = plugins();
	ns_store *s = two_versions();
	char plain[256], gz[256];
	plain_v1(ps, s, plain);
	path_of(gz, "cat.json.gz");
	*strrchr(plain, '/') = '\0'; /* the test's folder */
	cr_assert_eq(run("cd '%s' && head -c 100000 plain.json > p1 && tail -c +100001 plain.json"
			 " > p2 && gzip -1 p1 && gzip -9 p2 && cat p1.gz p2.gz > cat.json.gz",
			 plain),
		     0);
	assert_imports_as_v1(ps, s, gz);
	ns_store_close(s);
	ns_plugins_free(ps);
}

static void zero_padding(FILE *f)
{
	for (int i = 0; i < 1000; i++)
		fputc(0, f);
}

Test(formats_filters, gzip_skips_zero_padding_between_members_as_gzip_does)
{
	ns_plugins *ps = plugins();
	ns_store *s = two_versions();
	char plain[256], gz[256];
	plain_v1(ps, s, plain);
	write_in_two(path_of(gz, "padded.json.gz"), plain, gzip_member, zero_padding);
	assert_imports_as_v1(ps, s, gz);
	ns_store_close(s);
	ns_plugins_free(ps);
}

static void garbage(FILE *f)
{
	fputs("this is not gzip", f);
}

Test(formats_filters, gzip_refuses_garbage_between_members)
{
	ns_plugins *ps = plugins();
	ns_store *s = two_versions();
	char plain[256], gz[256];
	plain_v1(ps, s, plain);
	write_in_two(path_of(gz, "garbage.json.gz"), plain, gzip_member, garbage);
	assert_import_fails(ps, s, gz, "incorrect header check");
	ns_store_close(s);
	ns_plugins_free(ps);
}

Test(formats_filters, zstd_reads_several_frames)
{
	ns_plugins *ps = plugins();
	ns_store *s = two_versions();
	char plain[256], zs[256];
	plain_v1(ps, s, plain);
	write_in_two(path_of(zs, "two.json.zst"), plain, zstd_frame, NULL);
	assert_imports_as_v1(ps, s, zs);
	ns_store_close(s);
	ns_plugins_free(ps);
}

static void skippable_frame(FILE *f)
{
	zstd_skippable(f, 300);
}

Test(formats_filters, zstd_skips_skippable_frames_even_the_first)
{
	ns_plugins *ps = plugins();
	ns_store *s = two_versions();
	char plain[256], zs[256];
	size_t n = 0;
	plain_v1(ps, s, plain);
	char *data = nt_slurp(plain, &n);
	FILE *f = fopen(path_of(zs, "skip.json.zst"), "wb");
	cr_assert_not_null(f);
	zstd_skippable(f, 16); /* first: found by its probe, not only the name */
	zstd_frame(f, data, n / 2, 3);
	skippable_frame(f);
	zstd_frame(f, data + n / 2, n - n / 2, 3);
	zstd_skippable(f, 0);
	cr_assert_eq(fclose(f), 0);
	free(data);
	assert_imports_as_v1(ps, s, zs);
	ns_store_close(s);
	ns_plugins_free(ps);
}

Test(formats_filters, a_gzip_file_cut_short_is_truncated)
{
	ns_plugins *ps = plugins();
	ns_store *s = two_versions();
	assert_damage_fails(ps, s, ".gz", 10, 0, "gzip stream truncated");
	assert_damage_fails(ps, s, ".gz", CUT_HALF, 0, "gzip stream truncated");
	ns_store_close(s);
	ns_plugins_free(ps);
}

Test(formats_filters, a_gzip_file_without_its_trailer_is_truncated)
{
	ns_plugins *ps = plugins();
	ns_store *s = two_versions();
	assert_damage_fails(ps, s, ".gz", 8, 0, "gzip stream truncated");
	assert_damage_fails(ps, s, ".gz", 1, 0, "gzip stream truncated");
	ns_store_close(s);
	ns_plugins_free(ps);
}

Test(formats_filters, a_gzip_file_with_a_flipped_byte_fails)
{
	ns_plugins *ps = plugins();
	ns_store *s = two_versions();
	assert_damage_fails(ps, s, ".gz", 0, FLIP_MIDDLE, "file '");
	ns_store_close(s);
	ns_plugins_free(ps);
}

Test(formats_filters, a_gzip_file_with_a_bad_crc_fails_with_zlibs_message)
{
	ns_plugins *ps = plugins();
	ns_store *s = two_versions();
	assert_damage_fails(ps, s, ".gz", 0, 8, "incorrect data check");
	assert_damage_fails(ps, s, ".gz", 0, 1, "incorrect length check");
	ns_store_close(s);
	ns_plugins_free(ps);
}

Test(formats_filters, a_zstd_file_cut_short_is_truncated)
{
	ns_plugins *ps = plugins();
	ns_store *s = two_versions();
	assert_damage_fails(ps, s, ".zst", 10, 0, "zstd stream truncated");
	assert_damage_fails(ps, s, ".zst", CUT_HALF, 0, "zstd stream truncated");
	assert_damage_fails(ps, s, ".zst", 1, 0, "zstd stream truncated");
	ns_store_close(s);
	ns_plugins_free(ps);
}

Test(formats_filters, a_zstd_file_with_a_flipped_byte_fails)
{
	ns_plugins *ps = plugins();
	ns_store *s = two_versions();
	assert_damage_fails(ps, s, ".zst", 0, FLIP_MIDDLE, "file '");
	ns_store_close(s);
	ns_plugins_free(ps);
}

Test(formats_filters, a_zstd_file_with_a_bad_checksum_fails)
{
	ns_plugins *ps = plugins();
	ns_store *s = two_versions();
	assert_damage_fails(ps, s, ".zst", 0, 1, "checksum");
	ns_store_close(s);
	ns_plugins_free(ps);
}

/* A frame that declares 2^40 bytes (a 1 KiB window, so that no read can
 * take it whole) and holds none: its last block is empty, which libzstd's
 * streaming decoder lets pass. */
static void zstd_frame_declaring_more(FILE *f)
{
	static const unsigned char frame[] = { 0x28, 0xb5, 0x2f, 0xfd, 0xc0, 0x00, 0, 0, 0, 0,
					       0, 1, 0, 0, 0x01, 0x00, 0x00 };
	cr_assert_eq(fwrite(frame, 1, sizeof frame, f), sizeof frame);
}

Test(formats_filters, a_zstd_frame_holding_less_than_it_declares_fails)
{
	ns_plugins *ps = plugins();
	ns_store *s = two_versions();
	char plain[256], zs[256];
	plain_v1(ps, s, plain);
	write_in_two(path_of(zs, "short.json.zst"), plain, zstd_frame, NULL);
	FILE *f = fopen(zs, "ab");
	cr_assert_not_null(f);
	zstd_frame_declaring_more(f);
	cr_assert_eq(fclose(f), 0);
	assert_import_fails(ps, s, zs, "zstd: frame 3 declares 1099511627776 bytes and holds 0");
	ns_store_close(s);
	ns_plugins_free(ps);
}

Test(formats_filters, an_empty_file_named_gz_fails_without_a_crash)
{
	ns_plugins *ps = plugins();
	ns_store *s = two_versions();
	char gz[256];
	nt_write_file(path_of(gz, "empty.json.gz"), "", 0);
	assert_import_fails(ps, s, gz, NULL);
	ns_store_close(s);
	ns_plugins_free(ps);
}

/* Export version 1 at levels @lo and @hi: both valid and read back, the
 * higher not larger. */
static void assert_levels(const char *ext, int lo, int hi)
{
	ns_plugins *ps = plugins();
	ns_store *s = two_versions();
	char a[256], b[256], name[32];
	snprintf(name, sizeof name, "lo.json%s", ext);
	export_level(ps, s, "1", path_of(a, name), lo);
	snprintf(name, sizeof name, "hi.json%s", ext);
	export_level(ps, s, "1", path_of(b, name), hi);
	size_t na = file_size(a), nb = file_size(b);
	cr_log_info("%s: level %d: %zu bytes, level %d: %zu bytes", ext, lo, na, hi, nb);
	cr_assert_leq(nb, na, "level %d (%zu bytes) larger than level %d (%zu)", hi, nb, lo, na);
	assert_imports_as_v1(ps, s, a);
	assert_imports_as_v1(ps, s, b);
	ns_store_close(s);
	ns_plugins_free(ps);
}

Test(formats_filters, gzip_levels_1_and_9_are_both_valid_and_9_is_not_larger)
{
	assert_levels(".gz", 1, 9);
}

Test(formats_filters, zstd_levels_1_and_19_are_both_valid_and_19_is_not_larger)
{
	assert_levels(".zst", 1, 19);
}

Test(formats_filters, gzip_level_9_is_what_gzip_9_accepts)
{
	ns_plugins *ps = plugins();
	ns_store *s = two_versions();
	char gz[256];
	export_level(ps, s, "1", path_of(gz, "nine.json.gz"), 9);
	cr_assert_eq(run("gzip -t '%s'", gz), 0);
	ns_store_close(s);
	ns_plugins_free(ps);
}

/* A level out of range fails with NS_EINVAL naming the file, and leaves no
 * file behind. */
static void assert_bad_level(ns_plugins *ps, ns_store *s, const char *name, int level)
{
	ns_export_opts o = NS_EXPORT_OPTS_INIT;
	char path[256];
	o.level = level;
	NT_FAILS(NS_EINVAL, ns_export(ps, s, "1", path_of(path, name), &o));
	NT_MESSAGE_HAS(path);
	NT_MESSAGE_HAS("level");
	cr_assert_neq(access(path, F_OK), 0, "a failed export left '%s'", path);
}

Test(formats_filters, a_gzip_level_out_of_range_is_refused)
{
	ns_plugins *ps = plugins();
	ns_store *s = two_versions();
	assert_bad_level(ps, s, "ten.json.gz", 10);
	assert_bad_level(ps, s, "minus.json.gz", -1);
	ns_store_close(s);
	ns_plugins_free(ps);
}

Test(formats_filters, a_zstd_level_out_of_range_is_refused)
{
	ns_plugins *ps = plugins();
	ns_store *s = two_versions();
	assert_bad_level(ps, s, "twenty.json.zst", 20);
	assert_bad_level(ps, s, "minus.json.zst", -3);
	ns_store_close(s);
	ns_plugins_free(ps);
}

Test(formats_filters, filters_stack_zstd_over_gzip)
{
	ns_plugins *ps = plugins();
	ns_store *s = two_versions();
	char path[256];
	export_level(ps, s, "1", path_of(path, "both.json.gz.zst"), 0);
	assert_imports_as_v1(ps, s, path);
	ns_store_close(s);
	ns_plugins_free(ps);
}

/* Version 1 of a small network through the filter of @ext: every prefix of
 * the file fails to import with a message naming it; every single flipped
 * byte either fails so, or (a byte gzip's header does not check: its time,
 * flags for the OS) imports the very values of version 1. */
static void assert_every_damage_is_caught(const char *ext, size_t magic)
{
	ns_plugins *ps = plugins();
	ns_store *s = store_of("small.nsnap", 2, 0);
	ns_import_opts o = NS_IMPORT_OPTS_INIT;
	char good[256], bad[256], plain[256], back[256], name[32];
	int flips_caught = 0;
	snprintf(name, sizeof name, "good.json%s", ext);
	export_level(ps, s, "1", path_of(good, name), 0);
	plain_v1(ps, s, plain);
	size_t n = file_size(good);
	snprintf(name, sizeof name, "bad.json%s", ext);
	path_of(bad, name);
	for (size_t keep = 0; keep < n; keep++) {
		damaged_copy(bad, good, keep, (size_t)-1);
		int rc = ns_import(NULL, ps, s, bad, &o);
		cr_assert_lt(rc, 0, "a cut to %zu of %zu bytes imports", keep, n);
		if (keep >= magic)
			cr_assert_eq(rc, NS_EFORMAT, "cut to %zu: %s", keep, ns_error_last()->message);
		NT_MESSAGE_HAS(bad);
	}
	for (size_t at = 0; at < n; at++) {
		uint64_t v = 0;
		char rev[32];
		damaged_copy(bad, good, n, at);
		int rc = ns_import(&v, ps, s, bad, &o);
		if (rc < 0) {
			NT_MESSAGE_HAS(bad);
			flips_caught++;
			continue;
		}
		snprintf(rev, sizeof rev, "%llu", (unsigned long long)v);
		export_level(ps, s, rev, path_of(back, "back.json"), 0);
		assert_same_file(plain, back);
	}
	cr_log_info("%s: %d of %zu flipped bytes refused", ext, flips_caught, n);
	cr_assert_gt(flips_caught, (int)n / 2);
	ns_store_close(s);
	ns_plugins_free(ps);
}

Test(formats_filters, every_cut_or_flipped_byte_of_a_gzip_file_is_caught)
{
	assert_every_damage_is_caught(".gz", 3);
}

Test(formats_filters, every_cut_or_flipped_byte_of_a_zstd_file_is_caught)
{
	assert_every_damage_is_caught(".zst", 4);
}
