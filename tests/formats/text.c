/* SPDX-License-Identifier: MIT */
/* The text format (.nsnt), through the loaded plugin and the host: a
 * version exported and imported back to the same bits, files that diff
 * line by line, zstd on top, and strict errors that name line and column. */
#include "format_util.h"
#include "util.h"

#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <nsnap/formats.h>

enum { NA = 8, NB = 3, NS = 5 };

/* The arrays of the network, owned by the test. */
typedef struct tt_state {
	double a_f64, a_loc_f64[NA];
	float a_f32, a_loc_f32[NA];
	int64_t a_i64, a_loc_i64[NA];
	int32_t a_i32, a_loc_i32[NA];
	uint8_t a_u8, a_loc_u8[NA], a_bool, a_loc_bool[NA];
	double b_v[NB];
	int32_t pre[NS], post[NS];
	double w[NS], eta, semi_f64[NB];
	float w32[NS];
	int32_t semi_i32[NB];
	uint8_t syn_on[NS];
} tt_state;

static tt_state st;

static void fill(void)
{
	static const double specials[NA] = { 0, -0.0, 4.9e-324, 1e308, -2.2250738585072014e-308,
					     0.1, 1.0 / 3, -7 };
	uint64_t payload = UINT64_C(0x7ff0000000000123);
	memset(&st, 0, sizeof st);
	st.a_f64 = NAN;
	st.a_f32 = -0.0f;
	st.a_i64 = INT64_MIN;
	st.a_i32 = INT32_MAX;
	st.a_u8 = 255;
	st.a_bool = 1;
	for (int i = 0; i < NA; i++) {
		st.a_loc_f64[i] = specials[i];
		st.a_loc_f32[i] = i == 0 ? 1e-45f : i == 1 ? 3.4028235e38f : (float)specials[i];
		st.a_loc_i64[i] = INT64_MAX - i;
		st.a_loc_i32[i] = INT32_MIN + i;
		st.a_loc_u8[i] = (uint8_t)(i * 37);
		st.a_loc_bool[i] = i & 1;
	}
	memcpy(&st.a_loc_f64[6], &payload, 8); /* a NaN with a payload */
	st.a_loc_f64[7] = -INFINITY;
	st.a_loc_f32[7] = -NAN;
	for (int i = 0; i < NB; i++) {
		st.b_v[i] = -65.0 + i / 7.0;
		st.semi_f64[i] = i * 0.3;
		st.semi_i32[i] = -i;
	}
	for (int i = 0; i < NS; i++) {
		st.pre[i] = i % NA;
		st.post[i] = i % NB;
		st.w[i] = 0.5 / (i + 1);
		st.w32[i] = (float)(i * 1.1);
		st.syn_on[i] = i % 2;
	}
	st.eta = 1e-3;
}

#define ADD(obj, name, kind, scope, dtype, data) \
	NT_OK(ns_attr_add(NULL, obj, name, kind, scope, dtype, data, 0))

/* Population "exc \"A\"" (2x4) with every element type, global and local;
 * B (3 neurons); projection "A to B" with global, semiglobal and local
 * attributes; a dictionary with strings and numbers. */
static ns_network *network(void)
{
	ns_network *net = NULL;
	ns_object *a, *b, *p;
	uint64_t shape[2] = { 2, 4 };
	NT_OK(ns_network_new(&net, "text test"));
	ns_network_set_time(net, 12.5, 125);
	ns_network_set_dt(net, 0.1);
	NT_OK(ns_network_set_meta(net, "model", "izh \"fast\" \\ with\nnewline", 0));
	NT_OK(ns_network_set_meta(net, "r max", NULL, 1.25));
	NT_OK(ns_network_set_meta(net, "zero", NULL, -0.0));
	NT_OK(ns_network_set_meta(net, "big", NULL, 1e308));
	NT_OK(ns_population_add(&a, net, "exc \"A\"", NA, shape, 2, "izh neuron"));
	NT_OK(ns_population_add(&b, net, "B", NB, NULL, 0, NULL));
	NT_OK(ns_projection_add(&p, net, "A to B", "exc \"A\"", "B", "exc", "stdp"));
	NT_OK(ns_projection_set_synapses(p, st.pre, st.post, NS, 0));
	ADD(a, "f64", NS_PARAMETER, NS_GLOBAL, NS_DTYPE_F64, &st.a_f64);
	ADD(a, "f32", NS_VARIABLE, NS_GLOBAL, NS_DTYPE_F32, &st.a_f32);
	ADD(a, "i64", NS_PARAMETER, NS_GLOBAL, NS_DTYPE_I64, &st.a_i64);
	ADD(a, "i32", NS_VARIABLE, NS_GLOBAL, NS_DTYPE_I32, &st.a_i32);
	ADD(a, "u8", NS_PARAMETER, NS_GLOBAL, NS_DTYPE_U8, &st.a_u8);
	ADD(a, "bool", NS_PARAMETER, NS_GLOBAL, NS_DTYPE_BOOL, &st.a_bool);
	ADD(a, "v", NS_VARIABLE, NS_LOCAL, NS_DTYPE_F64, st.a_loc_f64);
	ADD(a, "table", NS_VARIABLE, NS_LOCAL, NS_DTYPE_F32, st.a_loc_f32);
	ADD(a, "l i64", NS_PARAMETER, NS_LOCAL, NS_DTYPE_I64, st.a_loc_i64);
	ADD(a, "li32", NS_PARAMETER, NS_LOCAL, NS_DTYPE_I32, st.a_loc_i32);
	ADD(a, "lu8", NS_VARIABLE, NS_LOCAL, NS_DTYPE_U8, st.a_loc_u8);
	ADD(a, "lbool", NS_VARIABLE, NS_LOCAL, NS_DTYPE_BOOL, st.a_loc_bool);
	ADD(b, "v", NS_VARIABLE, NS_LOCAL, NS_DTYPE_F64, st.b_v);
	ADD(p, "eta", NS_PARAMETER, NS_GLOBAL, NS_DTYPE_F64, &st.eta);
	ADD(p, "s", NS_VARIABLE, NS_SEMIGLOBAL, NS_DTYPE_F64, st.semi_f64);
	ADD(p, "si", NS_VARIABLE, NS_SEMIGLOBAL, NS_DTYPE_I32, st.semi_i32);
	ADD(p, "w", NS_VARIABLE, NS_LOCAL, NS_DTYPE_F64, st.w);
	ADD(p, "w32", NS_VARIABLE, NS_LOCAL, NS_DTYPE_F32, st.w32);
	ADD(p, "on", NS_PARAMETER, NS_LOCAL, NS_DTYPE_BOOL, st.syn_on);
	return net;
}

/* The text and zstd plugins, from the build tree. */
static ns_plugins *plugins(void)
{
	ns_plugins *ps = NULL;
	NT_OK(ns_plugins_new(&ps, NULL, NS_PLUGINS_NO_ENV | NS_PLUGINS_NO_DEFAULT));
	NT_OK(ns_plugins_load(ps, NSNAP_TEST_PLUGIN_DIR "/text.so"));
	NT_OK(ns_plugins_load(ps, NSNAP_TEST_PLUGIN_DIR "/zstd.so"));
	return ps;
}

/* A store "s.nsnap" holding the network as version 1. */
static ns_store *saved(void)
{
	ns_store *s = nt_store_new("s.nsnap", 0, NS_CODEC_RAW);
	ns_network *net;
	uint64_t v = 0;
	fill();
	net = network();
	NT_OK(ns_snapshot(&v, s, net, NULL));
	cr_assert_eq(v, 1);
	ns_network_free(net);
	return s;
}

static uint64_t head(ns_store *s)
{
	return nt_resolve(s, "HEAD");
}

static void str_same(const char *a, const char *b, const char *what)
{
	cr_assert_str_eq(a ? a : "", b ? b : "", "%s differs", what);
}

/* Versions @ra and @rb hold the same network, bit for bit. */
static void same_networks(ns_store *s, const char *ra, const char *rb)
{
	ns_network *a = NULL, *b = NULL;
	double ta, tb;
	uint64_t sa, sb;
	NT_OK(ns_network_open(&a, s, ra));
	NT_OK(ns_network_open(&b, s, rb));
	str_same(ns_network_name(a), ns_network_name(b), "network name");
	ns_network_time(a, &ta, &sa);
	ns_network_time(b, &tb, &sb);
	cr_assert(memcmp(&ta, &tb, 8) == 0 && sa == sb, "time differs");
	ta = ns_network_dt(a);
	tb = ns_network_dt(b);
	cr_assert(memcmp(&ta, &tb, 8) == 0, "dt differs");
	cr_assert_eq(ns_network_meta_count(a), ns_network_meta_count(b));
	cr_assert_eq(ns_network_meta_count(a), 4);
	for (size_t i = 0; i < ns_network_meta_count(a); i++) {
		const char *ka, *kb, *sa_, *sb_;
		double na, nb;
		NT_OK(ns_network_meta_at(&ka, &sa_, &na, a, i));
		NT_OK(ns_network_meta_at(&kb, &sb_, &nb, b, i));
		cr_assert_str_eq(ka, kb);
		cr_assert_eq(!sa_, !sb_, "entry %s: string and number", ka);
		if (sa_)
			cr_assert_str_eq(sa_, sb_);
		else
			cr_assert(memcmp(&na, &nb, 8) == 0, "entry %s: %g vs %g", ka, na, nb);
	}
	cr_assert_eq(ns_network_object_count(a), ns_network_object_count(b));
	cr_assert_eq(ns_network_object_count(a), 3);
	for (size_t i = 0; i < ns_network_object_count(a); i++) {
		ns_object *oa = ns_network_object_at(a, i), *ob = ns_network_object_at(b, i);
		ns_object_info ia, ib;
		ns_object_get_info(&ia, oa);
		ns_object_get_info(&ib, ob);
		cr_assert_str_eq(ia.name, ib.name);
		cr_assert_eq(ia.kind, ib.kind);
		cr_assert_eq(ia.size, ib.size, "%s: size", ia.name);
		cr_assert_eq(ia.ndim, ib.ndim, "%s: ndim", ia.name);
		for (unsigned d = 0; d < ia.ndim; d++)
			cr_assert_eq(ia.shape[d], ib.shape[d]);
		str_same(ia.type, ib.type, "type");
		cr_assert_eq(ia.n_attrs, ib.n_attrs, "%s: attributes", ia.name);
		if (ia.kind == NS_PROJECTION) {
			const int32_t *pa, *qa, *pb, *qb;
			str_same(ia.pre, ib.pre, "pre");
			str_same(ia.post, ib.post, "post");
			str_same(ia.target, ib.target, "target");
			ns_projection_connectivity(&pa, &qa, oa);
			ns_projection_connectivity(&pb, &qb, ob);
			cr_assert(memcmp(pa, pb, ia.size * 4) == 0, "%s: pre", ia.name);
			cr_assert(memcmp(qa, qb, ia.size * 4) == 0, "%s: post", ia.name);
		}
		for (size_t k = 0; k < ia.n_attrs; k++) {
			ns_attr *xa = ns_object_attr_at(oa, k), *xb = ns_object_attr_at(ob, k);
			ns_attr_info fa, fb;
			void *da, *db;
			ns_attr_get_info(&fa, xa);
			ns_attr_get_info(&fb, xb);
			cr_assert_str_eq(fa.name, fb.name);
			cr_assert_eq(fa.kind, fb.kind, "%s.%s: kind", ia.name, fa.name);
			cr_assert_eq(fa.scope, fb.scope, "%s.%s: scope", ia.name, fa.name);
			cr_assert_eq(fa.dtype, fb.dtype, "%s.%s: dtype", ia.name, fa.name);
			cr_assert_eq(fa.count, fb.count, "%s.%s: count", ia.name, fa.name);
			NT_OK(ns_attr_data(&da, xa));
			NT_OK(ns_attr_data(&db, xb));
			cr_assert(memcmp(da, db, fa.count * ns_dtype_size(fa.dtype)) == 0,
				  "%s.%s: values differ", ia.name, fa.name);
		}
	}
	ns_network_free(a);
	ns_network_free(b);
}

static uint64_t import(ns_plugins *ps, ns_store *s, const char *path)
{
	uint64_t v = 0;
	NT_OK(ns_import(&v, ps, s, path, NULL));
	return v;
}

/* Import of @path fails with @code and a message holding @needle; no
 * version is written. */
static void import_fails(ns_plugins *ps, ns_store *s, const char *path, int code,
			 const char *needle)
{
	uint64_t before = head(s), v = 0;
	NT_FAILS(code, ns_import(&v, ps, s, path, NULL));
	if (needle)
		NT_MESSAGE_HAS(needle);
	cr_assert_eq(head(s), before, "a failed import wrote a version");
}

static void write_text(const char *path, const char *text)
{
	nt_write_file(path, text, strlen(text));
}

/* ------------------------------------------------------------------ tests */

Test(formats_text, the_plugin_is_a_format_for_nsnt_names)
{
	ns_plugins *ps = plugins();
	ns_plugin_info info;
	int found = 0;
	for (size_t i = 0; i < ns_plugins_count(ps); i++) {
		NT_OK(ns_plugins_at(&info, ps, i));
		if (strcmp(info.name, "text") != 0)
			continue;
		found = 1;
		cr_assert_eq(info.kind, NS_PLUGIN_FORMAT);
		cr_assert_str_eq(info.extensions[0], ".nsnt");
		cr_assert_null(info.extensions[1]);
	}
	cr_assert(found);
	ns_plugins_free(ps);
}

Test(formats_text, export_then_import_keeps_every_value_bit_for_bit)
{
	ns_plugins *ps = plugins();
	ns_store *s = saved();
	const char *path = nt_path("x.nsnt");
	NT_OK(ns_export(ps, s, "1", path, NULL));
	cr_assert_eq(import(ps, s, path), 2);
	same_networks(s, "1", "2");
	ns_store_close(s);
	ns_plugins_free(ps);
}

Test(formats_text, a_second_export_is_the_same_file)
{
	ns_plugins *ps = plugins();
	ns_store *s = saved();
	char *a, *b;
	size_t na, nb;
	NT_OK(ns_export(ps, s, "1", nt_path("a.nsnt"), NULL));
	import(ps, s, nt_path("a.nsnt"));
	NT_OK(ns_export(ps, s, "2", nt_path("b.nsnt"), NULL));
	a = nt_slurp(nt_path("a.nsnt"), &na);
	b = nt_slurp(nt_path("b.nsnt"), &nb);
	cr_assert(na == nb && memcmp(a, b, na) == 0, "the re-export differs");
	cr_assert_not_null(strstr(a, "# nsnap text 1\nnetwork \"text test\"\n"), "%s", a);
	cr_assert_not_null(strstr(a, "population \"exc \\\"A\\\"\" size 8 geometry 2x4 "
				     "type \"izh neuron\"\n"), "%s", a);
	cr_assert_not_null(strstr(a, "\nmeta \"r max\" = 1.25\n"), "%s", a);
	cr_assert_not_null(strstr(a, "\nf64 = nan\n"), "%s", a);
	free(a);
	free(b);
	ns_store_close(s);
	ns_plugins_free(ps);
}

Test(formats_text, changing_one_weight_changes_exactly_one_line)
{
	ns_plugins *ps = plugins();
	ns_store *s = saved();
	ns_network *net;
	char cmd[1024];
	FILE *p;
	char line[512];
	int removed = 0, added = 0;

	net = network();
	st.w[3] = 0.75;
	NT_OK(ns_snapshot(NULL, s, net, NULL));
	ns_network_free(net);
	NT_OK(ns_export(ps, s, "1", nt_path("v1.nsnt"), NULL));
	NT_OK(ns_export(ps, s, "2", nt_path("v2.nsnt"), NULL));
	snprintf(cmd, sizeof cmd, "diff '%s' ", nt_path("v1.nsnt"));
	strcat(cmd, "'");
	strcat(cmd, nt_path("v2.nsnt"));
	strcat(cmd, "'");
	cr_assert_not_null(p = popen(cmd, "r"));
	while (fgets(line, sizeof line, p)) {
		removed += line[0] == '<';
		added += line[0] == '>';
		if (line[0] == '>')
			cr_assert_str_eq(line, "> 3 0 0.75 3.3 1\n");
	}
	pclose(p);
	cr_assert_eq(removed, 1);
	cr_assert_eq(added, 1);
	ns_store_close(s);
	ns_plugins_free(ps);
}

Test(formats_text, zstd_compressed_text_round_trips)
{
	ns_plugins *ps = plugins();
	ns_store *s = saved();
	const char *path = nt_path("x.nsnt.zst");
	char *raw;
	size_t n;
	NT_OK(ns_export(ps, s, "1", path, NULL));
	raw = nt_slurp(path, &n);
	cr_assert(n > 4 && memcmp(raw, "\x28\xb5\x2f\xfd", 4) == 0, "not a zstd frame");
	free(raw);
	cr_assert_eq(import(ps, s, path), 2);
	same_networks(s, "1", "2");
	ns_store_close(s);
	ns_plugins_free(ps);
}

/* Make @name the LC_NUMERIC locale if it writes 0.5 as "0,5". */
static int comma_locale_set(const char *name)
{
	char b[16];
	if (!setlocale(LC_NUMERIC, name))
		return 0;
	snprintf(b, sizeof b, "%g", 0.5);
	if (strcmp(b, "0,5") == 0)
		return 1;
	setlocale(LC_NUMERIC, "C");
	return 0;
}

/* A locale whose decimal point is a comma, made the LC_NUMERIC locale: an
 * installed one, else de_DE.UTF-8 compiled by localedef (from the sources
 * of Debian's locales package) into the test's folder and found through
 * LOCPATH. NULL when neither can be had. */
static const char *comma_locale(void)
{
	static const char *const installed[] = { "de_DE.UTF-8", "de_DE.utf8", "fr_FR.UTF-8",
						 "fr_FR.utf8", "de_DE", "fr_FR" };
	const char *dir = nt_path("locales");
	char cmd[4096];
	for (size_t i = 0; i < sizeof installed / sizeof *installed; i++)
		if (comma_locale_set(installed[i]))
			return installed[i];
	mkdir(dir, 0755);
	/* Its status is 1 for mere warnings: whether it made the locale is
	 * what counts. */
	snprintf(cmd, sizeof cmd, "localedef -i de_DE -f UTF-8 '%s/de_DE.UTF-8' >/dev/null 2>&1",
		 dir);
	if (system(cmd) == -1 || setenv("LOCPATH", dir, 1) != 0)
		return NULL;
	return comma_locale_set("de_DE.UTF-8") ? "de_DE.UTF-8 (made by localedef)" : NULL;
}

/* A host program that called setlocale(LC_NUMERIC, "de_DE.UTF-8") still
 * gets files that say 1.25, and reads them back. */
Test(formats_text, numbers_keep_their_point_under_a_decimal_comma_locale)
{
	ns_plugins *ps = plugins();
	ns_store *s = saved();
	const char *path = nt_path("x.nsnt"), *loc = comma_locale();
	char *text, probe[16];
	size_t n;
	if (!loc)
		cr_skip("no locale with a decimal comma: none is installed, and localedef "
			"could not make de_DE.UTF-8 (Debian's locales package has its sources)");
	cr_log_info("LC_NUMERIC is %s", loc);
	NT_OK(ns_export(ps, s, "1", path, NULL));
	text = nt_slurp(path, &n);
	cr_assert_not_null(strstr(text, "\nmeta \"r max\" = 1.25\n"), "%s", text);
	cr_assert_not_null(strstr(text, "\ndt 0.1\n"), "%s", text);
	cr_assert_null(strstr(text, "1,25"), "%s", text);
	free(text);
	cr_assert_eq(import(ps, s, path), 2);
	same_networks(s, "1", "2");
	/* The plugin switched this thread's locale only for its calls. */
	snprintf(probe, sizeof probe, "%g", 0.5);
	cr_assert_str_eq(probe, "0,5");
	ns_store_close(s);
	ns_plugins_free(ps);
	setlocale(LC_NUMERIC, "C");
}

#define HEAD_TEXT "# nsnap text 1\nnetwork n\ntime 0\nstep 0\ndt 0.1\n"

Test(formats_text, a_bad_number_is_named_by_line_and_column)
{
	ns_plugins *ps = plugins();
	ns_store *s = saved();
	const char *path = nt_path("x.nsnt");
	write_text(path, HEAD_TEXT "population P size 2 geometry 2 type \"\"\n"
			 "attribute v variable local f64\n"
			 "table index v\n0 1.5\n1 1.5x\nend\n");
	import_fails(ps, s, path, NS_EFORMAT, "x.nsnt:10:3: expected a number");
	ns_store_close(s);
	ns_plugins_free(ps);
}

Test(formats_text, a_missing_column_is_named_by_line_and_column)
{
	ns_plugins *ps = plugins();
	ns_store *s = saved();
	const char *path = nt_path("x.nsnt");
	write_text(path, HEAD_TEXT "population P size 2 geometry 2 type \"\"\n"
			 "attribute v variable local f64\nattribute u variable local i32\n"
			 "table index v u\n0 1.5 3\n1 2.5\nend\n");
	import_fails(ps, s, path, NS_EFORMAT, "x.nsnt:11:6: missing column 'u'");
	ns_store_close(s);
	ns_plugins_free(ps);
}

Test(formats_text, an_unknown_keyword_is_named_by_line_and_column)
{
	ns_plugins *ps = plugins();
	ns_store *s = saved();
	const char *path = nt_path("x.nsnt");
	write_text(path, HEAD_TEXT "populace P size 2 geometry 2 type \"\"\nend\n");
	import_fails(ps, s, path, NS_EFORMAT,
		     "x.nsnt:6:1: expected 'population', 'projection' or 'end'");
	ns_store_close(s);
	ns_plugins_free(ps);
}

Test(formats_text, a_table_of_too_few_lines_is_a_count_mismatch)
{
	ns_plugins *ps = plugins();
	ns_store *s = saved();
	const char *path = nt_path("x.nsnt");
	write_text(path, HEAD_TEXT "population P size 3 geometry 3 type \"\"\n"
			 "attribute v variable local f64\n"
			 "table index v\n0 1.5\n1 2.5\n\nend\n");
	import_fails(ps, s, path, NS_EFORMAT,
		     "x.nsnt:11:1: population 'P': 3 table lines expected, found 2");
	ns_store_close(s);
	ns_plugins_free(ps);
}

Test(formats_text, a_table_of_too_many_lines_is_refused)
{
	ns_plugins *ps = plugins();
	ns_store *s = saved();
	const char *path = nt_path("x.nsnt");
	write_text(path, HEAD_TEXT "population P size 1 geometry 1 type \"\"\n"
			 "attribute v variable local f64\n"
			 "table index v\n0 1.5\n1 2.5\nend\n");
	import_fails(ps, s, path, NS_EFORMAT, "x.nsnt:10:1: a table line too many");
	ns_store_close(s);
	ns_plugins_free(ps);
}

Test(formats_text, a_newer_version_of_the_format_is_refused)
{
	ns_plugins *ps = plugins();
	ns_store *s = saved();
	const char *path = nt_path("x.nsnt");
	write_text(path, "# nsnap text 3\nnetwork n\ntime 0\nstep 0\ndt 0\nend\n");
	import_fails(ps, s, path, NS_EVERSION, "x.nsnt:1:14: version 3");
	ns_store_close(s);
	ns_plugins_free(ps);
}

Test(formats_text, a_file_cut_at_any_line_is_an_error_and_writes_nothing)
{
	ns_plugins *ps = plugins();
	ns_store *s = saved();
	const char *path = nt_path("x.nsnt"), *cut = nt_path("cut.nsnt");
	char *text;
	size_t n, lines = 0;
	NT_OK(ns_export(ps, s, "1", path, NULL));
	text = nt_slurp(path, &n);
	for (size_t i = 0; i < n; i++) {
		if (text[i] != '\n' || i + 1 == n)
			continue;
		/* At the line's end, and in its middle. */
		nt_write_file(cut, text, i + 1);
		import_fails(ps, s, cut, NS_EFORMAT, "cut.nsnt:");
		nt_write_file(cut, text, i);
		import_fails(ps, s, cut, NS_EFORMAT, "cut.nsnt:");
		lines++;
	}
	cr_assert_gt(lines, 40);
	cr_assert_eq(head(s), 1);
	free(text);
	ns_store_close(s);
	ns_plugins_free(ps);
}

Test(formats_text, the_fuzz_seed_imports_with_its_values)
{
	ns_plugins *ps = plugins();
	ns_store *s = nt_store_new("s.nsnap", 0, NS_CODEC_RAW);
	ns_network *net = NULL;
	ns_object *e, *i, *ei;
	ns_attr *a;
	const char *key, *str;
	double num;
	void *data;
	uint32_t bits;
	cr_assert_eq(import(ps, s, NSNAP_TEST_SOURCE_DIR "/fuzz/corpus/text/small.nsnt"), 1);
	NT_OK(ns_network_open(&net, s, "1"));
	cr_assert_str_eq(ns_network_name(net), "fuzz net");
	NT_OK(ns_network_meta_at(&key, &str, &num, net, 0));
	cr_assert_str_eq(str, "izh \"x\" \\ A\n");
	cr_assert_not_null(e = ns_network_object_find(net, "E"));
	cr_assert_not_null(i = ns_network_object_find(net, "I"));
	cr_assert_not_null(ei = ns_network_object_find(net, "EI"));
	cr_assert_not_null(a = ns_object_attr_find(e, "f"));
	NT_OK(ns_attr_data(&data, a));
	memcpy(&bits, (float *)data + 2, 4);
	cr_assert_eq(bits, 0x7fc00001u);
	cr_assert_not_null(a = ns_object_attr_find(i, "k"));
	NT_OK(ns_attr_data(&data, a));
	cr_assert_eq(((uint8_t *)data)[0], 255);
	cr_assert_not_null(a = ns_object_attr_find(ei, "s"));
	NT_OK(ns_attr_data(&data, a));
	cr_assert_eq(((int64_t *)data)[0], INT64_MIN);
	cr_assert_eq(ns_projection_synapses(ei), 3);
	ns_network_free(net);
	ns_store_close(s);
	ns_plugins_free(ps);
}

/* The same round trip as the other formats' (format_util.c): export then
 * import is a version `nsnap diff` finds equal, time and dt included. */
Test(formats_text, an_nsnt_export_imports_back_as_an_equal_version)
{
	ns_plugins *ps = plugins();
	ns_store *s = nt_store_new("s.nsnap", 0, NS_CODEC_RAW);
	build_all_types(s);
	expect_round_trip_equal(ps, s, nt_path("all.nsnt"), NULL);
	ns_store_close(s);
	ns_plugins_free(ps);
}

/* ------------------------------------------------ arrays of any length */

/* The export of build_all_types()' network. */
static char *all_types_text(ns_plugins *ps, ns_store *s, size_t *n)
{
	const char *path = nt_path("all.nsnt");
	build_all_types(s);
	NT_OK(ns_export(ps, s, "HEAD", path, NULL));
	return nt_slurp(path, n);
}

Test(formats_text, only_a_file_with_arrays_of_any_length_is_version_2)
{
	ns_plugins *ps = plugins();
	ns_store *s = saved(), *t = nt_store_new("t.nsnap", 0, NS_CODEC_RAW);
	size_t n;
	char *text;
	NT_OK(ns_export(ps, s, "1", nt_path("x.nsnt"), NULL));
	text = nt_slurp(nt_path("x.nsnt"), &n);
	cr_assert(strncmp(text, "# nsnap text 1\n", 15) == 0, "%.20s", text);
	free(text);
	text = all_types_text(ps, t, &n);
	cr_assert(strncmp(text, "# nsnap text 2\n", 15) == 0, "%.20s", text);
	/* In the network's header part, after its dictionary, before the
	 * first object; a name that is a keyword is quoted. */
	cr_assert_not_null(strstr(text, "meta lr = 0.01\narray rng variable i64 6\n"
					"9007199254740993\n-9223372036854775808\n"
					"9223372036854775807\n-1152921504606846977\n0\n1\n"
					"array state variable f64 6\n0.1\n-0\n"
					"4.94065645841247e-324\nnan:0x7ff4000000000123\n"),
			   "%s", text);
	cr_assert_not_null(strstr(text, "array \"values\" parameter f32 3\n0.1\n-1.5e-30\n3.5\n"
					"\npopulation A "));
	cr_assert_not_null(strstr(text, "attribute refrac variable array i32 3\n"));
	cr_assert_not_null(strstr(text, "values refrac\n2\n0\n-7\ntable index "));
	cr_assert_not_null(strstr(text, "attribute none parameter array bool 0\n"));
	cr_assert_not_null(strstr(text, "values none\ntable "));
	free(text);
	ns_store_close(t);
	ns_store_close(s);
	ns_plugins_free(ps);
}

Test(formats_text, a_version_1_file_may_use_the_words_of_version_2_as_names)
{
	ns_plugins *ps = plugins();
	ns_store *s = nt_store_new("s.nsnap", 0, NS_CODEC_RAW);
	ns_network *net = NULL;
	ns_object *o;
	write_text(nt_path("x.nsnt"), "# nsnap text 1\nnetwork array\ntime 0\nstep 0\ndt 0\n"
				       "population values size 1 geometry 1 type array\n"
				       "attribute array parameter global f64\narray = 2\nend\n");
	cr_assert_eq(import(ps, s, nt_path("x.nsnt")), 1);
	NT_OK(ns_network_open(&net, s, "1"));
	cr_assert_str_eq(ns_network_name(net), "array");
	cr_assert_not_null(o = ns_network_object_find(net, "values"));
	cr_assert_not_null(ns_object_attr_find(o, "array"));
	ns_network_free(net);
	/* Written back quoted, which version 1 readers read too. */
	NT_OK(ns_export(ps, s, "1", nt_path("y.nsnt"), NULL));
	{
		size_t n;
		char *text = nt_slurp(nt_path("y.nsnt"), &n);
		cr_assert_not_null(strstr(text, "# nsnap text 1\nnetwork \"array\"\n"));
		cr_assert_not_null(strstr(text, "population \"values\" size 1 geometry 1 type "
						"\"array\"\nattribute \"array\" parameter"));
		free(text);
	}
	cr_assert_eq(import(ps, s, nt_path("y.nsnt")), 2);
	ns_store_close(s);
	ns_plugins_free(ps);
}

Test(formats_text, network_arrays_and_array_attributes_read_back_exactly)
{
	ns_plugins *ps = plugins();
	ns_store *s = nt_store_new("s.nsnap", 0, NS_CODEC_RAW);
	ns_network *net = NULL;
	ns_attr *a;
	ns_attr_info ai;
	void *data;
	cr_assert_eq(import(ps, s, NSNAP_TEST_SOURCE_DIR "/fuzz/corpus/text/arrays.nsnt"), 1);
	NT_OK(ns_network_open(&net, s, "1"));
	cr_assert_eq(ns_network_attr_count(net), 2);
	cr_assert_not_null(a = ns_network_attr_find(net, "rng"));
	ns_attr_get_info(&ai, a);
	cr_assert(ai.scope == NS_ARRAY && ai.dtype == NS_DTYPE_I64 && ai.count == 4);
	NT_OK(ns_attr_data(&data, a));
	cr_assert_eq(((int64_t *)data)[0], (INT64_C(1) << 53) + 1);
	cr_assert_eq(((int64_t *)data)[1], INT64_MIN);
	cr_assert_eq(((int64_t *)data)[2], INT64_MAX);
	cr_assert_not_null(a = ns_network_attr_find(net, "values"));
	ns_attr_get_info(&ai, a);
	cr_assert(ai.kind == NS_PARAMETER && ai.dtype == NS_DTYPE_F32 && ai.count == 2);
	cr_assert_not_null(a = ns_object_attr_find(ns_network_object_find(net, "E"), "refrac"));
	ns_attr_get_info(&ai, a);
	cr_assert(ai.scope == NS_ARRAY && ai.dtype == NS_DTYPE_I32 && ai.count == 3);
	NT_OK(ns_attr_data(&data, a));
	cr_assert_eq(((int32_t *)data)[2], -7);
	cr_assert_not_null(a = ns_object_attr_find(ns_network_object_find(net, "EE"), "queue"));
	NT_OK(ns_attr_data(&data, a));
	cr_assert(isnan(((double *)data)[3]) && ((double *)data)[4] == -INFINITY);
	ns_network_free(net);
	ns_store_close(s);
	ns_plugins_free(ps);
}

Test(formats_text, a_file_with_arrays_cut_at_any_line_is_an_error_and_writes_nothing)
{
	ns_plugins *ps = plugins();
	ns_store *s = nt_store_new("s.nsnap", 0, NS_CODEC_RAW);
	const char *cut = nt_path("cut.nsnt");
	size_t n, lines = 0;
	char *text = all_types_text(ps, s, &n);
	for (size_t i = 0; i < n; i++) {
		if (text[i] != '\n' || i + 1 == n)
			continue;
		nt_write_file(cut, text, i + 1);
		import_fails(ps, s, cut, NS_EFORMAT, "cut.nsnt:");
		nt_write_file(cut, text, i);
		import_fails(ps, s, cut, NS_EFORMAT, "cut.nsnt:");
		lines++;
	}
	cr_assert_gt(lines, 100);
	cr_assert_eq(head(s), 1);
	free(text);
	ns_store_close(s);
	ns_plugins_free(ps);
}

/* A network's header of version @version followed by @rest. */
static void bad_arrays(ns_plugins *ps, ns_store *s, int version, const char *rest,
		       const char *needle)
{
	char text[2048];
	snprintf(text, sizeof text, "# nsnap text %d\nnetwork n\ntime 0\nstep 0\ndt 0\n%s",
		 version, rest);
	write_text(nt_path("bad.nsnt"), text);
	import_fails(ps, s, nt_path("bad.nsnt"), NS_EFORMAT, needle);
}

Test(formats_text, garbled_array_lines_are_refused_naming_the_line_and_cause)
{
	ns_plugins *ps = plugins();
	ns_store *s = saved();
	/* counts larger than the rest of the file: no huge allocation */
	bad_arrays(ps, s, 2, "array rng variable i64 99999999999999\n1\nend\n",
		   "bad.nsnt:6:24: 99999999999999 values cannot fit in the rest of the file");
	bad_arrays(ps, s, 2, "array rng variable i64 18446744073709551616\nend\n",
		   "bad.nsnt:6:24: a count of values out of range");
	bad_arrays(ps, s, 2, "array rng variable i64 3\n1\n2\nend\n",
		   "bad.nsnt:9:1: network: array 'rng': 3 values expected, found 2");
	bad_arrays(ps, s, 2, "array rng variable i64 2\n1\n\n2\nend\n",
		   "bad.nsnt:8:1: network: array 'rng': 2 values expected, found 1");
	bad_arrays(ps, s, 2, "array rng variable i64 2\n1\nx\nend\n",
		   "bad.nsnt:8:1: expected an integer");
	bad_arrays(ps, s, 2, "array rng variable i64 1\n1 2\nend\n",
		   "bad.nsnt:7:3: expected the end of the line");
	bad_arrays(ps, s, 2, "array rng variable i64\nend\n", "bad.nsnt:6:23: expected a count");
	bad_arrays(ps, s, 2, "array rng local i64 1\n1\nend\n",
		   "bad.nsnt:6:11: expected 'parameter' or 'variable'");
	bad_arrays(ps, s, 2, "array rng variable f16 1\n1\nend\n",
		   "bad.nsnt:6:20: unknown element type 'f16'");
	bad_arrays(ps, s, 2, "array values variable i64 1\n1\nend\n",
		   "bad.nsnt:6:7: expected an array name, not a keyword");
	write_text(nt_path("bad.nsnt"), "# nsnap text 2\nnetwork n\ntime 0\nstep 0\ndt 0\n"
					 "array rng variable i64 1\n1\narray rng variable i64 1\n2\n"
					 "end\n");
	import_fails(ps, s, nt_path("bad.nsnt"), NS_EEXISTS,
		     "bad.nsnt:8:1: network 'n' has an attribute 'rng' already");
	bad_arrays(ps, s, 2, "array b variable u8 1\n256\nend\n", "bad.nsnt:7:1: integer out of range");
	bad_arrays(ps, s, 1, "array rng variable i64 1\n1\nend\n",
		   "bad.nsnt:6:1: 'array' lines are version 2 of the text format");
	/* attributes of scope array */
	bad_arrays(ps, s, 1, "population E size 1 geometry 1 type x\n"
			     "attribute q variable array i32 1\nvalues q\n1\nend\n",
		   "bad.nsnt:7:22: scope 'array' is version 2 of the text format; the header says "
		   "version 1");
	bad_arrays(ps, s, 2, "population E size 1 geometry 1 type x\n"
			     "attribute q variable array i32 2\nvalues q\n1\nend\n",
		   "bad.nsnt:10:1: population 'E': attribute 'q': 2 values expected, found 1");
	bad_arrays(ps, s, 2, "population E size 1 geometry 1 type x\n"
			     "attribute q variable array i32 1\nend\n",
		   "bad.nsnt:8:1: population 'E': expected the values of array attribute 'q'");
	bad_arrays(ps, s, 2, "population E size 1 geometry 1 type x\n"
			     "attribute q variable array i32 1\nvalues r\n1\nend\n",
		   "bad.nsnt:8:1: population 'E': expected the values of array attribute 'q'");
	bad_arrays(ps, s, 2, "population E size 1 geometry 1 type x\n"
			     "attribute q variable array i32 1000\nvalues q\n1\nend\n",
		   "bad.nsnt:7:32: 1000 values cannot fit in the rest of the file");
	bad_arrays(ps, s, 2, "population E size 1 geometry 1 type x\n"
			     "attribute q variable array i32\nvalues q\nend\n",
		   "bad.nsnt:7:31: expected a count of values");
	bad_arrays(ps, s, 2, "population E size 1 geometry 1 type x\n"
			     "attribute q variable array i32 1\nvalues q\n3000000000\nend\n",
		   "bad.nsnt:9:1: integer out of range");
	bad_arrays(ps, s, 2, "population E size 1 geometry 1 type x\n"
			     "attribute q variable array i32 1\nvalues q\n1\nvalues q\n1\nend\n",
		   "bad.nsnt:10:1: expected 'population', 'projection' or 'end'");
	bad_arrays(ps, s, 2, "population E size 1 geometry 1 type x\n"
			     "attribute q variable semi i32 1\nend\n",
		   "bad.nsnt:7:22: expected 'global', 'local' or 'array'");
	cr_assert_eq(head(s), 1);
	ns_store_close(s);
	ns_plugins_free(ps);
}
