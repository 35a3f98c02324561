/* SPDX-License-Identifier: MIT */
/* The mat format (MATLAB .mat files in ANNarchy's layout), through the
 * loaded plugin and the host: golden files that scipy.io.savemat wrote
 * (tests/data/mat/gen.py), exports that scipy.io.loadmat reads, round
 * trips of every element type and scope in MAT v5 (plain, compressed) and
 * v7.3, names MATLAB refuses, and damaged files. */
#define _GNU_SOURCE
#include "format_util.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DATA NSNAP_TEST_DATA_DIR "/mat/"

static ns_plugins *mat_plugins(void)
{
	ns_plugins *ps = NULL;
	NT_OK(ns_plugins_new(&ps, NULL, NS_PLUGINS_NO_ENV | NS_PLUGINS_NO_DEFAULT));
	NT_OK(ns_plugins_load(ps, NSNAP_TEST_PLUGIN_DIR "/mat.so"));
	return ps;
}

static int export_with(ns_plugins *ps, ns_store *s, const char *rev, const char *path,
		       const char *const *options)
{
	ns_export_opts o = NS_EXPORT_OPTS_INIT;
	o.options = options;
	o.overwrite = 1;
	return ns_export(ps, s, rev, path, &o);
}

/* Every object, attribute and value of versions @a and @b are the same. */
static void expect_same_versions(ns_store *s, const char *a, const char *b)
{
	ns_network *x = NULL, *y = NULL;
	uint64_t sx = 0, sy = 0;
	NT_OK(ns_network_open(&x, s, a));
	NT_OK(ns_network_open(&y, s, b));
	ns_network_time(x, NULL, &sx);
	ns_network_time(y, NULL, &sy);
	cr_assert_eq(sx, sy);
	cr_assert_eq(ns_network_object_count(x), ns_network_object_count(y));
	for (size_t i = 0; i < ns_network_object_count(x); i++) {
		ns_object *ox = ns_network_object_at(x, i), *oy;
		ns_object_info ix, iy;
		ns_object_get_info(&ix, ox);
		cr_assert_not_null(oy = ns_network_object_find(y, ix.name), "no object '%s'",
				   ix.name);
		ns_object_get_info(&iy, oy);
		cr_assert(ix.kind == iy.kind && ix.size == iy.size && ix.n_attrs == iy.n_attrs,
			  "object '%s' differs", ix.name);
		if (ix.kind == NS_POPULATION) {
			cr_assert_eq(ix.ndim ? ix.ndim : 1, iy.ndim, "'%s' ndim", ix.name);
			for (unsigned k = 0; k < iy.ndim; k++)
				cr_assert_eq(ix.ndim ? ix.shape[k] : ix.size, iy.shape[k]);
		} else {
			const int32_t *px, *qx, *py, *qy;
			cr_assert_str_eq(ix.pre, iy.pre);
			cr_assert_str_eq(ix.post, iy.post);
			cr_assert_str_eq(ix.target, iy.target);
			ns_projection_connectivity(&px, &qx, ox);
			ns_projection_connectivity(&py, &qy, oy);
			for (uint64_t k = 0; k < ix.size; k++)
				cr_assert(px[k] == py[k] && qx[k] == qy[k], "'%s' synapse %llu",
					  ix.name, (unsigned long long)k);
		}
		for (size_t k = 0; k < ix.n_attrs; k++) {
			ns_attr *ax = ns_object_attr_at(ox, k), *ay;
			ns_attr_info aix, aiy;
			void *dx, *dy;
			ns_attr_get_info(&aix, ax);
			cr_assert_not_null(ay = ns_object_attr_find(oy, aix.name), "no '%s.%s'",
					   ix.name, aix.name);
			ns_attr_get_info(&aiy, ay);
			cr_assert(aix.kind == aiy.kind && aix.scope == aiy.scope &&
				  aix.dtype == aiy.dtype && aix.count == aiy.count,
				  "'%s.%s': kind %d/%d scope %d/%d dtype %d/%d count %llu/%llu",
				  ix.name, aix.name, aix.kind, aiy.kind, aix.scope, aiy.scope,
				  aix.dtype, aiy.dtype, (unsigned long long)aix.count,
				  (unsigned long long)aiy.count);
			NT_OK(ns_attr_data(&dx, ax));
			NT_OK(ns_attr_data(&dy, ay));
			cr_assert(memcmp(dx, dy, (size_t)aix.count * ns_dtype_size(aix.dtype)) == 0,
				  "'%s.%s' values differ", ix.name, aix.name);
		}
	}
	ns_network_free(x);
	ns_network_free(y);
}

/* ------------------------------------------------------------------ plugin */

Test(formats_mat, the_plugin_is_a_format_for_mat_names_with_four_options)
{
	ns_plugins *ps = mat_plugins();
	ns_plugin_info info;
	NT_OK(ns_plugins_at(&info, ps, 0));
	cr_assert_str_eq(info.name, "mat");
	cr_assert_eq(info.kind, NS_PLUGIN_FORMAT);
	cr_assert_str_eq(info.extensions[0], ".mat");
	cr_assert_null(info.extensions[1]);
	cr_assert_str_eq(info.options[0], "version");
	cr_assert_str_eq(info.options[1], "compress");
	cr_assert_str_eq(info.options[2], "rename");
	cr_assert_str_eq(info.options[3], "max-memory");
	cr_assert_null(info.options[4]);
	ns_plugins_free(ps);
}

/* ------------------------------------------------------------------ import */

static void import_golden_network(const char *file)
{
	ns_plugins *ps = mat_plugins();
	ns_store *s = nt_store_new("s.nsnap", 0, NS_CODEC_RAW);
	uint64_t v = 0;
	NT_OK(import_file(&v, ps, s, file));
	cr_assert_eq(v, 1);
	expect_network(s, "1");
	ns_store_close(s);
	ns_plugins_free(ps);
}

Test(formats_mat, import_reads_every_value_of_a_scipy_savemat_network)
{
	import_golden_network(DATA "net.mat");
}

Test(formats_mat, import_reads_a_compressed_scipy_savemat_network)
{
	import_golden_network(DATA "net_z.mat");
}

Test(formats_mat, import_of_a_population_file_makes_that_population)
{
	expect_population_file(mat_plugins(), DATA "pop.mat");
}

static void refused(const char *path, int code, const char *needle)
{
	ns_plugins *ps = mat_plugins();
	ns_store *s = nt_store_new("s.nsnap", 0, NS_CODEC_RAW);
	NT_FAILS(code, import_file(NULL, ps, s, path));
	NT_MESSAGE_HAS(needle);
	cr_assert_eq(nt_stats(s).versions, 0);
	ns_store_close(s);
	ns_plugins_free(ps);
}

Test(formats_mat, a_projection_without_post_ranks_is_refused_naming_variable_and_field)
{
	refused(DATA "no_post_ranks.mat", NS_EFORMAT,
		"no_post_ranks.mat': variable 'EI': field 'post_ranks' is missing");
}

Test(formats_mat, a_pre_ranks_cell_of_the_wrong_shape_is_refused_naming_the_field)
{
	refused(DATA "bad_cell.mat", NS_EFORMAT, "variable 'EI': field 'pre_ranks' is not");
}

Test(formats_mat, a_mat_name_that_is_no_mat_file_is_refused)
{
	nt_write_file(nt_path("x.mat"), "hello, not MATLAB", 17);
	refused(nt_path("x.mat"), NS_EFORMAT, "x.mat");
}

/* ---------------------------------------------------------- round trips */

static void round_trip_all_types(const char *const *options, const char *magic)
{
	ns_plugins *ps = mat_plugins();
	ns_store *s = nt_store_new("s.nsnap", 0, NS_CODEC_RAW);
	size_t n;
	char *x;
	build_all_types(s);
	NT_OK(export_with(ps, s, "HEAD", nt_path("all.mat"), options));
	x = nt_slurp(nt_path("all.mat"), &n);
	cr_assert(n > 128 && memcmp(x, magic, strlen(magic)) == 0, "the file starts %.20s", x);
	free(x);
	NT_OK(import_file(NULL, ps, s, nt_path("all.mat")));
	expect_same_versions(s, "1", "2");
	expect_arrays_identical(s, "1", "2");
	ns_store_close(s);
	ns_plugins_free(ps);
}

Test(formats_mat, v5_round_trip_keeps_every_type_scope_and_shape)
{
	round_trip_all_types(NULL, "MATLAB 5.0 MAT-file");
}

Test(formats_mat, compressed_v5_round_trip_keeps_every_type_scope_and_shape)
{
	static const char *const opts[] = { "compress", NULL };
	size_t n;
	char *x;
	round_trip_all_types(opts, "MATLAB 5.0 MAT-file");
	x = nt_slurp(nt_path("all.mat"), &n);
	cr_assert(memmem(x + 128, n - 128, "\x0f\0\0\0", 4) == x + 128, "not compressed");
	free(x);
}

Test(formats_mat, v7_3_round_trip_keeps_every_type_scope_and_shape)
{
	static const char *const opts[] = { "version=7.3", NULL };
	size_t n;
	char *x;
	round_trip_all_types(opts, "MATLAB 7.3 MAT-file");
	x = nt_slurp(nt_path("all.mat"), &n);
	cr_assert(n > 520 && memcmp(x + 512, "\x89HDF\r\n\x1a\n", 8) == 0);
	free(x);
}

Test(formats_mat, compressed_v7_3_round_trip_keeps_every_type_scope_and_shape)
{
	static const char *const opts[] = { "version=7.3", "compress=1", NULL };
	round_trip_all_types(opts, "MATLAB 7.3 MAT-file");
}

/* scipy reads the export of the golden network as it reads the golden
 * file: the same variables, fields, classes, shapes and values. */
static const char *same_py =
	"import sys\n"
	"import numpy as np\n"
	"import scipy.io as sio\n"
	"def same(a, b, path):\n"
	"    if isinstance(a, np.ndarray) and a.dtype.names:\n"
	"        assert a.dtype.names == b.dtype.names, (path, a.dtype.names, b.dtype.names)\n"
	"        for k in a.dtype.names:\n"
	"            same(a[k][0, 0], b[k][0, 0], path + '.' + k)\n"
	"    elif isinstance(a, np.ndarray) and a.dtype == object:\n"
	"        assert b.dtype == object and a.shape == b.shape, (path, a.shape, b.shape)\n"
	"        for x, y in zip(a.flat, b.flat):\n"
	"            same(x, y, path + '[]')\n"
	"    else:\n"
	"        assert a.shape == b.shape and a.dtype == b.dtype, (path, a.shape, b.shape,\n"
	"                                                           a.dtype, b.dtype)\n"
	"        assert np.array_equal(a, b), (path, a, b)\n"
	"a = sio.loadmat(sys.argv[1])\n"
	"b = sio.loadmat(sys.argv[2])\n"
	"assert b.pop('nsnap')['version'][0, 0][0, 0] == 1\n"
	"keys = sorted(k for k in a if not k.startswith('__'))\n"
	"assert keys == sorted(k for k in b if not k.startswith('__')), (keys, list(b))\n"
	"for k in keys:\n"
	"    same(a[k], b[k], k)\n";

Test(formats_mat, scipy_reads_the_export_of_a_golden_network_as_the_golden_file)
{
	ns_plugins *ps = mat_plugins();
	ns_store *s = nt_store_new("s.nsnap", 0, NS_CODEC_RAW);
	char args[4096];
	NT_OK(import_file(NULL, ps, s, DATA "net.mat"));
	NT_OK(export_with(ps, s, "HEAD", nt_path("x.mat"), NULL));
	snprintf(args, sizeof args, "%s %s", DATA "net.mat", nt_path("x.mat"));
	cr_assert_eq(python(same_py, args), 0, "scipy finds net.mat and x.mat differ");
	ns_store_close(s);
	ns_plugins_free(ps);
}

Test(formats_mat, scipy_reads_every_value_class_and_shape_of_a_built_network)
{
	static const char *const opts[] = { "compress", NULL };
	ns_plugins *ps = mat_plugins();
	ns_store *s = nt_store_new("s.nsnap", 0, NS_CODEC_RAW);
	build_all_types(s);
	NT_OK(export_with(ps, s, "HEAD", nt_path("all.mat"), opts));
	cr_assert_eq(python(
		"import sys\n"
		"import numpy as np\n"
		"import scipy.io as sio\n"
		"m = sio.loadmat(sys.argv[1])\n"
		"assert m['time_step'].dtype == np.int64 and m['time_step'][0, 0] == 125\n"
		"f = lambda v, k: v[k][0, 0]\n"
		"i = np.arange(24)\n"
		"ref = {'f64': (i * 1.5 - 3, np.float64), 'f32': (i / 8, np.float32),\n"
		"       'i64': (i.astype(np.int64) * 1000000007 - 5, np.int64),\n"
		"       'i32': (-i * 3, np.int32), 'u8': (250 - i, np.uint8),\n"
		"       'b': ((i % 3) == 0, np.uint8)}\n"
		"for pop, shape in (('A', (1, 4)), ('B', (2, 3)), ('C', (2, 3, 4))):\n"
		"    p = m[pop]\n"
		"    n = int(np.prod(shape))\n"
		"    assert f(p, 'size')[0, 0] == n and f(p, 'size').dtype == np.int64\n"
		"    for k, (vals, dt) in ref.items():\n"
		"        a = f(p, k)\n"
		"        assert a.dtype == dt and a.shape == shape, (pop, k, a.dtype, a.shape)\n"
		"        assert np.array_equal(a, vals[:n].reshape(shape)), (pop, k, a)\n"
		"a = m['A']\n"
		"assert f(a, 'g_f64').dtype == np.float64 and f(a, 'g_f64')[0, 0] == -2.5\n"
		"assert f(a, 'g_i64').dtype == np.int64 and f(a, 'g_i64')[0, 0] == -(1 << 40)\n"
		"assert f(a, 'g_i32').dtype == np.int32 and f(a, 'g_u8')[0, 0] == 200\n"
		"assert [s.rstrip() for s in f(a, 'parameters')] == ['g_f64', 'g_f32', 'g_i64',\n"
		"                                                   'g_i32', 'g_u8', 'g_b']\n"
		"ab = m['AB']\n"
		"assert f(ab, 'pre') == 'A' and f(ab, 'post') == 'B' and f(ab, 'target') == 'exc'\n"
		"assert f(ab, 'post_ranks').tolist() == [[0, 1, 2, 3, 4, 5]]\n"
		"pre = f(ab, 'pre_ranks')\n"
		"assert pre.dtype == np.int64 and pre.shape == (6, 2), pre\n"
		"post = [(k * 5) % 6 for k in range(12)]\n"
		"pre_of = [(k * 7) % 4 for k in range(12)]\n"
		"rows = [sorted((k for k in range(12) if post[k] == r), key=lambda k: pre_of[k])\n"
		"        for r in range(6)]\n"
		"assert pre.tolist() == [[(k * 7) % 4 for k in r] for r in rows], pre\n"
		"assert f(ab, 'w').tolist() == [[k * 0.125 for k in r] for r in rows]\n"
		"assert f(ab, 'n').dtype == np.int32 and f(ab, 'on').dtype == np.uint8\n"
		"assert f(ab, 'sg').tolist() == [[10, 11, 12, 13, 14, 15]]\n"
		"assert f(ab, 'sgi').dtype == np.int32 and f(ab, 'g')[0, 0] == -(1 << 40)\n"
		"ba = m['BA']\n"
		"assert f(ba, 'post_ranks').tolist() == [[0, 2, 3]]\n"
		"pr = f(ba, 'pre_ranks')\n"
		"assert pr.dtype == object and pr.shape == (1, 3), pr\n"
		"assert [c.tolist() for c in pr[0]] == [[[4]], [[1, 2]], [[0, 3, 5]]], pr\n"
		"w = f(ba, 'w')\n"
		"assert w[0, 2].dtype == np.float32 and w[0, 2].tolist() == [[1.25, 0.5, 0]]\n"
		"assert 'delays' not in list(f(ba, 'parameters')) and f(ba, 'delays')[0, 1].shape\n"
		"assert list(m['obj_names']['projections'][0, 0]) == ['AB', 'BA', 'DD']\n"
		"r = m['nsnap']\n"
		"assert f(r, 'network') == 'all' and f(r, 't')[0, 0] == 12.5, r\n"
		"assert f(r, 'dt')[0, 0] == 0.1 and f(r, 'attributes').shape[1] == 5, r\n",
		nt_path("all.mat")), 0);
	ns_store_close(s);
	ns_plugins_free(ps);
}

/* Export then import is the same version, as `nsnap diff` sees it: time,
 * dt, name, dictionary, types, and what MATLAB's shapes blur (a local
 * value of one neuron or synapse, a semiglobal value of a post neuron
 * without synapses), kept in nsnap's own variable. */
static void round_trip_equal(const char *const *options)
{
	ns_plugins *ps = mat_plugins();
	ns_store *s = nt_store_new("s.nsnap", 0, NS_CODEC_RAW);
	build_all_types(s);
	expect_round_trip_equal(ps, s, nt_path("all.mat"), options);
	ns_store_close(s);
	ns_plugins_free(ps);
}

Test(formats_mat, a_v5_export_imports_back_as_an_equal_version)
{
	round_trip_equal(NULL);
}

Test(formats_mat, a_compressed_v5_export_imports_back_as_an_equal_version)
{
	static const char *const opts[] = { "compress", NULL };
	round_trip_equal(opts);
}

Test(formats_mat, a_v7_3_export_imports_back_as_an_equal_version)
{
	static const char *const opts[] = { "version=7.3", NULL };
	round_trip_equal(opts);
}

/* ------------------------------------------------------- other writers */

Test(formats_mat, a_network_without_time_step_and_obj_names_imports_its_objects)
{
	ns_plugins *ps = mat_plugins();
	ns_store *s = nt_store_new("s.nsnap", 0, NS_CODEC_RAW);
	ns_network *net = NULL;
	NT_OK(import_file(NULL, ps, s, DATA "old.mat"));
	NT_OK(ns_network_open(&net, s, "HEAD"));
	cr_assert_eq(ns_network_object_count(net), 4);
	expect_population_e(net);
	expect_projection_ei(net);
	ns_network_free(net);
	ns_store_close(s);
	ns_plugins_free(ps);
}

Test(formats_mat, a_network_with_time_step_and_without_obj_names_imports)
{
	import_golden_network(DATA "no_obj_names.mat");
}

Test(formats_mat, octave_7_save_v7_with_oversized_short_char_matrices_imports)
{
	import_golden_network(DATA "octave7.mat");
}

Test(formats_mat, a_v7_3_file_of_hdf5storage_with_nullpad_classes_imports)
{
	import_golden_network(DATA "hdf5storage.mat");
}

Test(formats_mat, a_v7_3_file_of_h5py_with_nullpad_classes_imports)
{
	expect_population_file(mat_plugins(), DATA "h5py.mat");
}

Test(formats_mat, an_octave_hdf5_file_is_refused_saying_it_has_no_mat_header)
{
	refused(DATA "octave_hdf5.mat", NS_EFORMAT, "octave_hdf5.mat': an HDF5 file without a "
		"MAT header (as Octave's 'save -hdf5' writes), not a MAT file");
}

/* ------------------------------------------------------------------ names */

static void build_named(ns_store *s, const char *pop, const char *attr)
{
	static double v[2] = { 1, 2 };
	ns_network *net = NULL;
	ns_object *p;
	NT_OK(ns_network_new(&net, "n"));
	NT_OK(ns_population_add(&p, net, pop, 2, NULL, 0, NULL));
	NT_OK(ns_attr_add(NULL, p, attr, NS_VARIABLE, NS_LOCAL, NS_DTYPE_F64, v, 0));
	NT_OK(ns_projection_add(&p, net, "self", pop, pop, NULL, NULL));
	NT_OK(ns_snapshot(NULL, s, net, NULL));
	ns_network_free(net);
}

Test(formats_mat, a_name_matlab_refuses_is_an_error_naming_it)
{
	ns_plugins *ps = mat_plugins();
	ns_store *s = nt_store_new("s.nsnap", 0, NS_CODEC_RAW);
	build_named(s, "E", "v.x");
	NT_FAILS(NS_EINVAL, export_with(ps, s, "HEAD", nt_path("n.mat"), NULL));
	NT_MESSAGE_HAS("population 'E': attribute 'v.x' is not a valid MATLAB name");
	NT_MESSAGE_HAS("rename");
	cr_assert_null(fopen(nt_path("n.mat"), "rb"));
	ns_store_close(s);
	ns_plugins_free(ps);
}

Test(formats_mat, rename_writes_valid_names_and_import_restores_the_originals)
{
	static const char *const opts[] = { "rename", NULL };
	char longname[120];
	ns_plugins *ps = mat_plugins();
	ns_store *s = nt_store_new("s.nsnap", 0, NS_CODEC_RAW);
	memset(longname, 'L', sizeof longname - 1);
	longname[sizeof longname - 1] = '\0';
	build_named(s, "1st pop\xc3\xa9", longname);
	NT_OK(export_with(ps, s, "HEAD", nt_path("n.mat"), opts));
	cr_assert_eq(python("import sys\n"
			    "import scipy.io as sio\n"
			    "m = sio.loadmat(sys.argv[1], uint16_codec='utf-16-le')\n"
			    "names = [k for k in m if not k.startswith('__')]\n"
			    "assert 'x1st_20pop_C3_A9' in names, names\n"
			    "p = m['x1st_20pop_C3_A9']\n"
			    "assert p['name'][0, 0][0] == '1st pop\\u00e9', p['name']\n"
			    "t = m['nsnap_names']\n"
			    "keys = [k[0] for k in t[:, 0]]\n"
			    "assert t.shape[1] == 2 and 'x1st_20pop_C3_A9' in keys, t\n"
			    "assert all(len(p) <= 63 for k in keys for p in k.split('.')), keys\n",
			    nt_path("n.mat")), 0);
	NT_OK(import_file(NULL, ps, s, nt_path("n.mat")));
	expect_same_versions(s, "1", "2");
	ns_store_close(s);
	ns_plugins_free(ps);
}

Test(formats_mat, an_unknown_option_is_refused_naming_the_format)
{
	static const char *const opts[] = { "level=3", NULL };
	ns_plugins *ps = mat_plugins();
	ns_store *s = nt_store_new("s.nsnap", 0, NS_CODEC_RAW);
	build_named(s, "E", "v");
	cr_assert_neq(export_with(ps, s, "HEAD", nt_path("n.mat"), opts), NS_OK);
	NT_MESSAGE_HAS("mat");
	ns_store_close(s);
	ns_plugins_free(ps);
}

Test(formats_mat, a_bad_version_is_refused)
{
	static const char *const opts[] = { "version=6", NULL };
	ns_plugins *ps = mat_plugins();
	ns_store *s = nt_store_new("s.nsnap", 0, NS_CODEC_RAW);
	build_named(s, "E", "v");
	NT_FAILS(NS_EINVAL, export_with(ps, s, "HEAD", nt_path("n.mat"), opts));
	NT_MESSAGE_HAS("version=5 or version=7.3");
	ns_store_close(s);
	ns_plugins_free(ps);
}

/* ---------------------------------------------------------------- damaged */

/* Where the top-level elements of the MAT v5 file @x (@n bytes) end. */
static int at_variable_end(const char *x, size_t n, size_t cut)
{
	size_t pos = 128;
	while (pos + 8 <= n) {
		uint32_t size;
		memcpy(&size, x + pos + 4, 4);
		pos += 8 + size;
		if (pos == cut)
			return 1;
	}
	return 0;
}

/* @file cut at every @step-th byte: never imported, each error names it;
 * except, with @v5, a cut between two variables, which is a file of fewer
 * variables (ANNarchy's load() needs neither obj_names nor time_step). */
static void cut_everywhere(const char *file, size_t step, int v5)
{
	ns_plugins *ps = mat_plugins();
	ns_store *s = nt_store_new("cut.nsnap", 0, NS_CODEC_RAW);
	ns_import_opts o = NS_IMPORT_OPTS_INIT;
	size_t n;
	char *full = nt_slurp(file, &n);
	const char *path = nt_path("cut.mat");
	o.format = "mat";
	for (size_t cut = 0; cut < n; cut += step) {
		int between = v5 && at_variable_end(full, n, cut);
		nt_write_file(path, full, cut);
		if (ns_import(NULL, ps, s, path, &o) == NS_OK) {
			cr_assert(between, "cut at %zu imported", cut);
			continue;
		}
		cr_assert(strstr(ns_error_last()->message, "cut.mat") != NULL,
			  "cut at %zu: \"%s\"", cut, ns_error_last()->message);
	}
	free(full);
	ns_store_close(s);
	ns_plugins_free(ps);
}

Test(formats_mat, a_v5_file_cut_at_every_byte_is_an_error_but_between_variables)
{
	cut_everywhere(DATA "net.mat", 1, 1);
}

Test(formats_mat, a_compressed_v5_file_cut_at_every_byte_is_an_error_but_between_variables)
{
	cut_everywhere(DATA "net_z.mat", 1, 1);
}

Test(formats_mat, a_v7_3_file_cut_short_is_an_error)
{
	static const char *const opts[] = { "version=7.3", NULL };
	ns_plugins *ps = mat_plugins();
	ns_store *s = nt_store_new("s.nsnap", 0, NS_CODEC_RAW);
	NT_OK(import_file(NULL, ps, s, DATA "net.mat"));
	NT_OK(export_with(ps, s, "HEAD", nt_path("v73.mat"), opts));
	ns_store_close(s);
	ns_plugins_free(ps);
	cut_everywhere(nt_path("v73.mat"), 61, 0);
}

/* Every byte of the file set to 0xff in turn: an import or an error that
 * names the file, never a crash, a hang or a huge allocation. */
static void corrupt_everywhere(const char *file)
{
	ns_plugins *ps = mat_plugins();
	ns_store *s = nt_store_new("s.nsnap", 0, NS_CODEC_RAW);
	ns_import_opts o = NS_IMPORT_OPTS_INIT;
	size_t n;
	char *full = nt_slurp(file, &n);
	const char *path = nt_path("bad.mat");
	o.format = "mat";
	for (size_t i = 0; i < n; i++) {
		char keep = full[i];
		full[i] = (char)0xff;
		nt_write_file(path, full, n);
		if (ns_import(NULL, ps, s, path, &o) != NS_OK)
			cr_assert(strstr(ns_error_last()->message, "bad.mat") != NULL,
				  "byte %zu: \"%s\"", i, ns_error_last()->message);
		full[i] = keep;
	}
	free(full);
	ns_store_close(s);
	ns_plugins_free(ps);
}

Test(formats_mat, a_v5_file_with_any_byte_damaged_imports_or_fails_cleanly)
{
	corrupt_everywhere(DATA "net.mat");
}

Test(formats_mat, a_compressed_file_with_any_byte_damaged_imports_or_fails_cleanly)
{
	corrupt_everywhere(DATA "net_z.mat");
}

Test(formats_mat, a_huge_dimension_is_refused_before_matio_allocates)
{
	size_t n;
	char *x = nt_slurp(DATA "net.mat", &n);
	/* time_step's dims (1x1 at bytes 160..167) become 0x7fffffff x 1 */
	cr_assert_eq(x[160], 1);
	memcpy(x + 160, "\xff\xff\xff\x7f", 4);
	nt_write_file(nt_path("huge.mat"), x, n);
	free(x);
	refused(nt_path("huge.mat"), NS_EFORMAT, "variable 'time_step': an array's data does "
		"not match its dimensions");
}

/* Arrays of any length live in nsnap's variable only: no field of their
 * object's struct, nor in its lists, which ANNarchy's load() reads. */
Test(formats_mat, arrays_of_any_length_are_in_nsnaps_variable_only)
{
	ns_plugins *ps = mat_plugins();
	ns_store *s = nt_store_new("s.nsnap", 0, NS_CODEC_RAW);
	build_all_types(s);
	NT_OK(export_with(ps, s, "HEAD", nt_path("all.mat"), NULL));
	cr_assert_eq(python("import sys\n"
			    "import numpy as np\n"
			    "import scipy.io as sio\n"
			    "m = sio.loadmat(sys.argv[1])\n"
			    "rows = m['nsnap']['arrays'][0, 0]\n"
			    "assert rows.shape == (6, 5), rows.shape\n"
			    "rng = rows[0]\n"
			    "assert rng[0].size == 0 and rng[1][0] == 'rng' and rng[3][0] == 'i64'\n"
			    "assert rng[4].dtype == np.int64 and rng[4].tolist()[0][:3] == \\\n"
			    "    [2**53 + 1, -2**63, 2**63 - 1], rng[4]\n"
			    "assert rows[3][0][0] == 'A' and rows[3][1][0] == 'refrac'\n"
			    "assert 'refrac' not in m['A'].dtype.names and 'queue' not in m['AB'].dtype.names\n"
			    "assert 'refrac' not in [x.rstrip() for x in m['A']['variables'][0, 0]]\n",
			    nt_path("all.mat")), 0);
	ns_store_close(s);
	ns_plugins_free(ps);
}

/* ----------------------------------------------------------- numbers */

/* Network "n": population P of 3 neurons with the f64 global 'g' and the
 * f64 local 'v' given, exported to @file (MAT v5). */
static void export_doubles(ns_plugins *ps, ns_store *s, double g, const double *v,
			   const char *file)
{
	static double gv, vv[3];
	ns_network *net = NULL;
	ns_object *p;
	gv = g;
	memcpy(vv, v, sizeof vv);
	NT_OK(ns_network_new(&net, "n"));
	NT_OK(ns_population_add(&p, net, "P", 3, NULL, 0, NULL));
	NT_OK(ns_attr_add(NULL, p, "g", NS_PARAMETER, NS_GLOBAL, NS_DTYPE_F64, &gv, 0));
	NT_OK(ns_attr_add(NULL, p, "v", NS_VARIABLE, NS_LOCAL, NS_DTYPE_F64, vv, 0));
	NT_OK(ns_snapshot(NULL, s, net, NULL));
	ns_network_free(net);
	NT_OK(export_with(ps, s, "HEAD", nt_path(file), NULL));
}

/* Doubles beyond int64's range are f64 values like any (reading one was
 * undefined behaviour: it was cast to int64 on the way). */
Test(formats_mat, doubles_beyond_int64_import_back_as_the_same_f64_values)
{
	static const double v[3] = { 1e300, -1e300, 0x1p63 };
	ns_plugins *ps = mat_plugins();
	ns_store *s = nt_store_new("s.nsnap", 0, NS_CODEC_RAW);
	ns_network *net = NULL;
	export_doubles(ps, s, 1e300, v, "big.mat");
	NT_OK(import_file(NULL, ps, s, nt_path("big.mat")));
	expect_same_versions(s, "1", "2");
	NT_OK(ns_network_open(&net, s, "2"));
	expect_attr(net, "P", "v", NS_VARIABLE, NS_LOCAL, NS_DTYPE_F64, v, 3);
	ns_network_free(net);
	ns_store_close(s);
	ns_plugins_free(ps);
}

/* nsnap's variable says i64 for a field that holds the double 1e300:
 * refused by name, not cast. */
Test(formats_mat, a_double_that_does_not_fit_its_recorded_int_type_is_refused_naming_the_field)
{
	static const double v[3] = { 1, 2, 3 };
	ns_plugins *ps = mat_plugins();
	ns_store *s = nt_store_new("s.nsnap", 0, NS_CODEC_RAW);
	size_t n;
	char *x, *f64, *again;
	export_doubles(ps, s, 1e300, v, "big.mat");
	x = nt_slurp(nt_path("big.mat"), &n);
	/* the element type of 'g', the first of the rows of 'attributes' */
	cr_assert_not_null(f64 = memmem(x, n, "f64", 3));
	f64[0] = 'i';
	cr_assert_not_null(again = memmem(f64, n - (size_t)(f64 - x), "f64", 3));
	nt_write_file(nt_path("i64.mat"), x, n);
	free(x);
	NT_FAILS(NS_EFORMAT, import_file(NULL, ps, s, nt_path("i64.mat")));
	NT_MESSAGE_HAS("i64.mat': variable 'P': field 'g' holds the value "
		       "1.0000000000000001e+300, which does not fit i64");
	cr_assert_eq(nt_stats(s).versions, 1);
	ns_store_close(s);
	ns_plugins_free(ps);
}

Test(formats_mat, a_geometry_whose_product_overflows_is_refused_naming_the_field)
{
	cr_assert_eq(python("import sys\n"
			    "import numpy as np, scipy.io as sio\n"
			    "p = {'name': 'P', 'size': np.int64(0),\n"
			    "     'geometry': np.array([2**32, 2**32], dtype=np.int64),\n"
			    "     'attributes': '', 'parameters': '', 'variables': ''}\n"
			    "sio.savemat(sys.argv[1], {'P': p, 'time_step': np.int64(1)})\n",
			    nt_path("geom.mat")), 0);
	refused(nt_path("geom.mat"), NS_EFORMAT,
		"variable 'P': field 'geometry' holds more than 10^15 neurons");
}

/* A projection into population P of @size neurons (declared, no values)
 * with rows of two synapses and a semiglobal attribute 's', one value per
 * row: a file of 2 KB whose import takes one value per neuron of P. */
static void wide_semiglobal(const char *path, const char *size)
{
	char prog[1024];
	snprintf(prog, sizeof prog,
		 "import sys\n"
		 "import numpy as np, scipy.io as sio\n"
		 "p = {'name': 'P', 'size': np.int64(%s), 'attributes': '',\n"
		 "     'parameters': '', 'variables': ''}\n"
		 "j = {'name': 'J', 'pre': 'P', 'post': 'P', 'target': 'exc',\n"
		 "     'post_ranks': np.array([0, 1]),\n"
		 "     'pre_ranks': np.array([[0, 1], [2, 3]]),\n"
		 "     'attributes': ['s'], 'parameters': '', 'variables': ['s'],\n"
		 "     's': np.array([0.5, 0.25])}\n"
		 "sio.savemat(sys.argv[1], {'P': p, 'J': j, 'time_step': np.int64(1)})\n",
		 size);
	cr_assert_eq(python(prog, path), 0);
}

Test(formats_mat, a_semiglobal_of_a_huge_declared_post_population_is_refused)
{
	wide_semiglobal(nt_path("wide.mat"), "10**12");
	refused(nt_path("wide.mat"), NS_ENOMEM,
		"wide.mat': variable 'J': field 's': a semiglobal attribute of "
		"1000000000000 values (one per post neuron) needs 7.3 TiB, beyond the "
		"import's memory limit");
}

Test(formats_mat, max_memory_lets_a_wide_semiglobal_import)
{
	static const char *const more[] = { "max-memory=1G", NULL };
	ns_plugins *ps = mat_plugins();
	ns_store *s = nt_store_new("s.nsnap", 0, NS_CODEC_RAW);
	ns_import_opts o = NS_IMPORT_OPTS_INIT;
	ns_network *net = NULL;
	ns_attr_info ai;
	const double *d;
	wide_semiglobal(nt_path("wide.mat"), "1 << 23");
	NT_FAILS(NS_ENOMEM, import_file(NULL, ps, s, nt_path("wide.mat")));
	NT_MESSAGE_HAS("8388608 values (one per post neuron) needs 64.0 MiB");
	cr_assert_eq(nt_stats(s).versions, 0);
	o.options = more;
	NT_OK(ns_import(NULL, ps, s, nt_path("wide.mat"), &o));
	NT_OK(ns_network_open(&net, s, "HEAD"));
	ns_attr_get_info(&ai, ns_object_attr_find(ns_network_object_find(net, "J"), "s"));
	cr_assert(ai.scope == NS_SEMIGLOBAL && ai.count == UINT64_C(1) << 23);
	NT_OK(ns_attr_data((void **)&d, ns_object_attr_find(ns_network_object_find(net, "J"),
							    "s")));
	cr_assert(d[0] == 0.5 && d[1] == 0.25 && d[2] == 0);
	ns_network_free(net);
	ns_store_close(s);
	ns_plugins_free(ps);
}
