/* SPDX-License-Identifier: MIT */
/* The pickle format (ANNarchy's save() and load() files), through the
 * loaded plugin and the host: golden files that Python's pickle and numpy
 * wrote (tests/data/pickle/gen.py), export read back by Python, round
 * trips (hostile files: hostile.c). */
#define _GNU_SOURCE
#include "format_util.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DATA NSNAP_TEST_DATA_DIR "/pickle/"

static ns_plugins *pickle_plugins(void)
{
	ns_plugins *ps = NULL;
	NT_OK(ns_plugins_new(&ps, NULL, NS_PLUGINS_NO_ENV | NS_PLUGINS_NO_DEFAULT));
	NT_OK(ns_plugins_load(ps, NSNAP_TEST_PLUGIN_DIR "/pickle.so"));
	NT_OK(ns_plugins_load(ps, NSNAP_TEST_PLUGIN_DIR "/gzip.so"));
	return ps;
}

/* ------------------------------------------------------------------ plugin */

Test(formats_pickle, the_plugin_is_a_format_for_data_pkl_and_pickle_names)
{
	ns_plugins *ps = pickle_plugins();
	ns_plugin_info info;
	int found = 0;
	for (size_t i = 0; i < ns_plugins_count(ps); i++) {
		NT_OK(ns_plugins_at(&info, ps, i));
		if (strcmp(info.name, "pickle") != 0)
			continue;
		found = 1;
		cr_assert_eq(info.kind, NS_PLUGIN_FORMAT);
		cr_assert_str_eq(info.extensions[0], ".data");
		cr_assert_str_eq(info.extensions[1], ".pkl");
		cr_assert_str_eq(info.extensions[2], ".pickle");
		cr_assert_null(info.extensions[3]);
	}
	cr_assert(found);
	ns_plugins_free(ps);
}

/* ------------------------------------------------------------------ import */

static void import_golden_network(const char *file)
{
	ns_plugins *ps = pickle_plugins();
	ns_store *s = nt_store_new("s.nsnap", 0, NS_CODEC_RAW);
	uint64_t v = 0;
	NT_OK(import_file(&v, ps, s, file));
	cr_assert_eq(v, 1);
	expect_network(s, "1");
	ns_store_close(s);
	ns_plugins_free(ps);
}

Test(formats_pickle, import_reads_every_value_of_a_protocol_0_network)
{
	import_golden_network(DATA "net_p0.data");
}

Test(formats_pickle, import_reads_every_value_of_a_protocol_1_network)
{
	import_golden_network(DATA "net_p1.data");
}

Test(formats_pickle, import_reads_every_value_of_a_protocol_2_network)
{
	import_golden_network(DATA "net_p2.data");
}

Test(formats_pickle, import_reads_every_value_of_a_protocol_3_network)
{
	import_golden_network(DATA "net_p3.data");
}

Test(formats_pickle, import_reads_every_value_of_a_protocol_4_network)
{
	import_golden_network(DATA "net_p4.data");
}

Test(formats_pickle, import_reads_every_value_of_a_protocol_5_network)
{
	import_golden_network(DATA "net_p5.data");
}

Test(formats_pickle, import_reads_a_gzipped_protocol_5_network)
{
	import_golden_network(DATA "net_p5.data.gz");
}

Test(formats_pickle, import_of_a_population_file_makes_that_population)
{
	expect_population_file(pickle_plugins(), DATA "pop_p4.data");
}

Test(formats_pickle, import_of_a_projection_file_adds_placeholder_populations)
{
	ns_plugins *ps = pickle_plugins();
	ns_store *s = nt_store_new("s.nsnap", 0, NS_CODEC_RAW);
	ns_network *net = NULL;
	ns_object_info oi;
	NT_OK(import_file(NULL, ps, s, DATA "proj_p4.data"));
	NT_OK(ns_network_open(&net, s, "HEAD"));
	cr_assert_eq(ns_network_object_count(net), 3);
	/* Sized by the largest rank used + 1, without attributes. */
	ns_object_get_info(&oi, ns_network_object_find(net, "E"));
	cr_assert(oi.size == 6 && oi.n_attrs == 0);
	ns_object_get_info(&oi, ns_network_object_find(net, "I"));
	cr_assert(oi.size == 4 && oi.n_attrs == 0);
	expect_projection_ei(net);
	ns_network_free(net);
	ns_store_close(s);
	ns_plugins_free(ps);
}

Test(formats_pickle, import_reads_annarchy_4_6_flat_arrays_and_0d_globals)
{
	static const double tau[] = { 10.5 }, v[] = { -1, -0.5, 0, 0.5, 1, 1.5 };
	ns_plugins *ps = pickle_plugins();
	ns_store *s = nt_store_new("s.nsnap", 0, NS_CODEC_RAW);
	ns_network *net = NULL;
	uint64_t step = 0;
	NT_OK(import_file(NULL, ps, s, DATA "old46_p2.data"));
	NT_OK(ns_network_open(&net, s, "HEAD"));
	ns_network_time(net, NULL, &step);
	cr_assert_eq(step, 7);
	expect_attr(net, "E", "tau", NS_PARAMETER, NS_GLOBAL, NS_DTYPE_F64, tau, 1);
	expect_attr(net, "E", "v", NS_VARIABLE, NS_LOCAL, NS_DTYPE_F64, v, 6);
	ns_network_free(net);
	ns_store_close(s);
	ns_plugins_free(ps);
}

Test(formats_pickle, import_reads_numpy_2_reconstruct_names)
{
	expect_population_file(pickle_plugins(), DATA "pop_np2_p4.data");
}

Test(formats_pickle, import_reads_numpy_2_frombuffer_names)
{
	expect_population_file(pickle_plugins(), DATA "pop_np2_p5.data");
}

Test(formats_pickle, a_name_no_other_format_claims_is_read_as_a_pickle)
{
	size_t n;
	char *data = nt_slurp(DATA "net_p3.data", &n);
	ns_plugins *ps = pickle_plugins();
	ns_store *s = nt_store_new("s.nsnap", 0, NS_CODEC_RAW);
	nt_write_file(nt_path("net.txt"), data, n);
	NT_OK(import_file(NULL, ps, s, nt_path("net.txt")));
	expect_network(s, "1");
	free(data);
	ns_store_close(s);
	ns_plugins_free(ps);
}

/* numpy arrays as rows keep their dtype; lists of Python ints (ANNarchy's
 * way) read as i64, lists of bools as bool, semiglobal lists too. */
Test(formats_pickle, import_keeps_the_dtype_of_rows_that_are_numpy_arrays)
{
	static const double count[] = { 7, -8, 9, 10, 11, 2147483647 };
	static const double g[] = { 0.5, 0.25, 0.125, 1, 2, 3 }, k[] = { 1, 2, 3, 4, 5, -6 };
	static const double n[] = { 4, 0, 5, 6 }, on[] = { 1, 0, 0, 1 };
	ns_plugins *ps = pickle_plugins();
	ns_store *s = nt_store_new("s.nsnap", 0, NS_CODEC_RAW);
	ns_network *net = NULL;
	NT_OK(import_file(NULL, ps, s, DATA "proj_rows_p4.data"));
	NT_OK(ns_network_open(&net, s, "HEAD"));
	expect_attr(net, "EI", "count", NS_VARIABLE, NS_LOCAL, NS_DTYPE_I32, count, 6);
	expect_attr(net, "EI", "g", NS_VARIABLE, NS_LOCAL, NS_DTYPE_F32, g, 6);
	expect_attr(net, "EI", "k", NS_PARAMETER, NS_LOCAL, NS_DTYPE_I64, k, 6);
	expect_attr(net, "EI", "n", NS_VARIABLE, NS_SEMIGLOBAL, NS_DTYPE_I64, n, 4);
	expect_attr(net, "EI", "on", NS_VARIABLE, NS_SEMIGLOBAL, NS_DTYPE_BOOL, on, 4);
	ns_network_free(net);
	ns_store_close(s);
	ns_plugins_free(ps);
}

/* ------------------------------------------------------------------ export */

/* Python's deep comparison of two pickles (the second may be gzip'ed):
 * same keys, types, values; arrays of the same shape, dtype and values;
 * the second, an export, also has nsnap's own entry. */
static const char *compare_py =
	"import gzip, pickle, sys\n"
	"import numpy as np\n"
	"def load(p):\n"
	"    f = gzip.open(p) if p.endswith('.gz') else open(p, 'rb')\n"
	"    return pickle.load(f)\n"
	"sys.path.insert(0, '" NSNAP_TEST_SOURCE_DIR "/formats')\n"
	"from deep_equal import same\n"
	"b = load(sys.argv[2])\n"
	"assert b.pop('nsnap')['version'] == 1\n"
	"same(load(sys.argv[1]), b, '')\n";

static void round_trip(const char *golden, const char *out)
{
	ns_plugins *ps = pickle_plugins();
	ns_store *s = nt_store_new("s.nsnap", 0, NS_CODEC_RAW);
	char args[4096];
	NT_OK(import_file(NULL, ps, s, golden));
	NT_OK(ns_export(ps, s, "HEAD", nt_path(out), NULL));
	snprintf(args, sizeof args, "%s %s", golden, nt_path(out));
	cr_assert_eq(python(compare_py, args), 0, "python finds %s and %s differ", golden,
		     nt_path(out));
	/* And back into nsnap: the same values. */
	NT_OK(import_file(NULL, ps, s, nt_path(out)));
	expect_network(s, "2");
	ns_store_close(s);
	ns_plugins_free(ps);
}

Test(formats_pickle, export_of_an_imported_network_equals_the_golden_file_in_python)
{
	round_trip(DATA "net_p4.data", "x.data");
}

Test(formats_pickle, export_of_a_protocol_2_import_equals_it_in_python)
{
	round_trip(DATA "net_p2.data", "x.pkl");
}

Test(formats_pickle, export_to_gz_is_a_gzipped_pickle_python_reads)
{
	round_trip(DATA "net_p5.data.gz", "x.data.gz");
}

Test(formats_pickle, export_writes_protocol_4_with_numpy_core_names)
{
	ns_plugins *ps = pickle_plugins();
	ns_store *s = nt_store_new("s.nsnap", 0, NS_CODEC_RAW);
	size_t n;
	char *x;
	NT_OK(import_file(NULL, ps, s, DATA "net_p4.data"));
	NT_OK(ns_export(ps, s, "HEAD", nt_path("x.data"), NULL));
	x = nt_slurp(nt_path("x.data"), &n);
	cr_assert(n > 2 && (unsigned char)x[0] == 0x80 && x[1] == 4);
	cr_assert(memmem(x, n, "numpy.core.multiarray", 21) != NULL);
	cr_assert(memmem(x, n, "numpy._core", 11) == NULL);
	free(x);
	ns_store_close(s);
	ns_plugins_free(ps);
}

/* Network "b": population A of 3 neurons, projection AA of the synapses
 * 0->1, 1->1 and 2->0; the tests add attributes. */
static ns_network *built_network(ns_object **a, ns_object **p)
{
	static int32_t pre[3] = { 0, 1, 2 }, post[3] = { 1, 1, 0 };
	ns_network *net = NULL;
	NT_OK(ns_network_new(&net, "b"));
	NT_OK(ns_population_add(a, net, "A", 3, NULL, 0, NULL));
	NT_OK(ns_projection_add(p, net, "AA", "A", "A", NULL, NULL));
	NT_OK(ns_projection_set_synapses(*p, pre, post, 3, 0));
	return net;
}

/* Snapshot @net into @s, free it, and export HEAD to @file. */
static void export_built(ns_plugins *ps, ns_store *s, ns_network *net, const char *file)
{
	NT_OK(ns_snapshot(NULL, s, net, NULL));
	ns_network_free(net);
	NT_OK(ns_export(ps, s, "HEAD", nt_path(file), NULL));
}

/* A network built here, with a ragged projection and int and bool globals,
 * as Python reads its export. */
Test(formats_pickle, export_of_a_built_network_loads_in_python_as_annarchy_lays_it_out)
{
	static double v[3] = { 1, 2, 3 }, w[3] = { 0.5, 0.25, 0.125 }, g = 4;
	static int32_t n = 3;
	static uint8_t on = 1;
	ns_plugins *ps = pickle_plugins();
	ns_store *s = nt_store_new("s.nsnap", 0, NS_CODEC_RAW);
	ns_object *a = NULL, *p = NULL;
	ns_network *net = built_network(&a, &p);
	NT_OK(ns_attr_add(NULL, a, "v", NS_VARIABLE, NS_LOCAL, NS_DTYPE_F64, v, 0));
	NT_OK(ns_attr_add(NULL, a, "g", NS_PARAMETER, NS_GLOBAL, NS_DTYPE_F64, &g, 0));
	NT_OK(ns_attr_add(NULL, a, "n", NS_PARAMETER, NS_GLOBAL, NS_DTYPE_I32, &n, 0));
	NT_OK(ns_attr_add(NULL, a, "on", NS_PARAMETER, NS_GLOBAL, NS_DTYPE_BOOL, &on, 0));
	NT_OK(ns_attr_add(NULL, p, "w", NS_VARIABLE, NS_LOCAL, NS_DTYPE_F64, w, 0));
	ns_network_set_time(net, 5.0, 50);
	export_built(ps, s, net, "b.data");
	cr_assert_eq(python("import pickle, sys\n"
			    "import numpy as np\n"
			    "d = pickle.load(open(sys.argv[1], 'rb'))\n"
			    "assert d['time_step'] == 50 and d['net_id'] == 0, d\n"
			    "assert d['obj_names'] == {'populations': ['A'], 'projections': ['AA']}\n"
			    "a = d['A']\n"
			    "assert a['geometry'] == (3,) and a['size'] == 3, a\n"
			    "assert a['attributes'] == ['v', 'g', 'n', 'on'], a\n"
			    "assert a['parameters'] == ['g', 'n', 'on'] and a['variables'] == ['v']\n"
			    "assert a['v'].dtype == np.float64 and list(a['v']) == [1, 2, 3], a\n"
			    "assert type(a['g']) is float and a['g'] == 4.0, a\n"
			    "assert type(a['n']) is float and a['n'] == 3.0, a\n"
			    "assert type(a['on']) is float and a['on'] == 1.0, a\n"
			    "p = d['AA']\n"
			    "assert p['pre'] == 'A' and p['post'] == 'A' and p['target'] == '', p\n"
			    "assert p['post_ranks'] == [0, 1], p\n"
			    "assert p['pre_ranks'].dtype == object and p['pre_ranks'].shape == (2,)\n"
			    "assert [list(r) for r in p['pre_ranks']] == [[2], [0, 1]], p\n"
			    "assert p['w'] == [[0.125], [0.5, 0.25]], p\n",
			    nt_path("b.data")), 0);
	ns_store_close(s);
	ns_plugins_free(ps);
}

/* ANNarchy writes a projection's int attribute as lists of Python ints,
 * and so does the export: its values come back as i32 through nsnap's
 * entry, and as i64 from a file without it (ANNarchy's files have no width
 * for them). A population's i32 is a numpy array and stays. */
Test(formats_pickle, an_i32_projection_attribute_comes_back_as_i32_and_as_i64_without_nsnaps_entry)
{
	static int32_t c[3] = { -5, INT32_MAX, INT32_MIN }, r[3] = { 1, -2, 3 };
	static const double c_back[3] = { INT32_MIN, -5, INT32_MAX }, r_back[3] = { 1, -2, 3 };
	ns_plugins *ps = pickle_plugins();
	ns_store *s = nt_store_new("s.nsnap", 0, NS_CODEC_RAW);
	ns_object *a = NULL, *p = NULL;
	ns_network *net = built_network(&a, &p);
	NT_OK(ns_attr_add(NULL, a, "r", NS_VARIABLE, NS_LOCAL, NS_DTYPE_I32, r, 0));
	NT_OK(ns_attr_add(NULL, p, "c", NS_VARIABLE, NS_LOCAL, NS_DTYPE_I32, c, 0));
	export_built(ps, s, net, "i.data");
	cr_assert_eq(python("import pickle, sys\n"
			    "d = pickle.load(open(sys.argv[1], 'rb'))\n"
			    "assert d['A']['r'].dtype.name == 'int32', d['A']\n"
			    "c = d['AA']['c']\n"
			    "assert c == [[-2147483648], [-5, 2147483647]], c\n"
			    "assert all(type(x) is int for row in c for x in row), c\n",
			    nt_path("i.data")), 0);
	NT_OK(import_file(NULL, ps, s, nt_path("i.data")));
	NT_OK(ns_network_open(&net, s, "HEAD"));
	expect_attr(net, "A", "r", NS_VARIABLE, NS_LOCAL, NS_DTYPE_I32, r_back, 3);
	expect_attr(net, "AA", "c", NS_VARIABLE, NS_LOCAL, NS_DTYPE_I32, c_back, 3);
	ns_network_free(net);
	cr_assert_eq(python("import pickle, sys\n"
			    "d = pickle.load(open(sys.argv[1], 'rb'))\n"
			    "del d['nsnap']\n"
			    "pickle.dump(d, open(sys.argv[1], 'wb'), protocol=4)\n",
			    nt_path("i.data")), 0);
	NT_OK(import_file(NULL, ps, s, nt_path("i.data")));
	NT_OK(ns_network_open(&net, s, "HEAD"));
	expect_attr(net, "AA", "c", NS_VARIABLE, NS_LOCAL, NS_DTYPE_I64, c_back, 3);
	ns_network_free(net);
	ns_store_close(s);
	ns_plugins_free(ps);
}

/* Integers stay exact, never through a double: an i64 projection
 * attribute past 2^53 and at both ends of int64 comes back bit for bit,
 * from nsnap's entry and from a file without it (a list of ints that fits
 * int64 is i64). */
Test(formats_pickle, i64_values_past_2_53_survive_export_and_import_exactly)
{
	static int64_t c[3] = { (INT64_C(1) << 53) + 1, INT64_MAX, INT64_MIN };
	static const int64_t back[3] = { INT64_MIN, (INT64_C(1) << 53) + 1, INT64_MAX };
	ns_plugins *ps = pickle_plugins();
	ns_store *s = nt_store_new("s.nsnap", 0, NS_CODEC_RAW);
	ns_object *a = NULL, *p = NULL;
	ns_network *net = built_network(&a, &p);
	NT_OK(ns_attr_add(NULL, p, "c", NS_VARIABLE, NS_LOCAL, NS_DTYPE_I64, c, 0));
	export_built(ps, s, net, "c.data");
	for (int pass = 0; pass < 2; pass++) {
		ns_attr_info ai;
		ns_attr *attr;
		void *data;
		if (pass)
			cr_assert_eq(python("import pickle, sys\n"
					    "d = pickle.load(open(sys.argv[1], 'rb'))\n"
					    "del d['nsnap']\n"
					    "pickle.dump(d, open(sys.argv[1], 'wb'), protocol=4)\n",
					    nt_path("c.data")), 0);
		NT_OK(import_file(NULL, ps, s, nt_path("c.data")));
		NT_OK(ns_network_open(&net, s, "HEAD"));
		cr_assert_not_null(attr = ns_object_attr_find(ns_network_object_find(net, "AA"), "c"));
		ns_attr_get_info(&ai, attr);
		cr_assert(ai.dtype == NS_DTYPE_I64 && ai.count == 3, "pass %d: %s of %llu", pass,
			  ns_dtype_name(ai.dtype), (unsigned long long)ai.count);
		NT_OK(ns_attr_data(&data, attr));
		for (int i = 0; i < 3; i++)
			cr_assert_eq(((int64_t *)data)[i], back[i], "pass %d: c[%d] = %lld", pass, i,
				     (long long)((int64_t *)data)[i]);
		ns_network_free(net);
	}
	ns_store_close(s);
	ns_plugins_free(ps);
}

/* ------------------------------------------------------- whole networks */

/* ANNarchy's load() looks its objects up by name and reads nothing else;
 * older versions wrote neither 'time_step' nor 'obj_names'. */
static void import_objects_of(const char *file, uint64_t want_step)
{
	ns_plugins *ps = pickle_plugins();
	ns_store *s = nt_store_new("s.nsnap", 0, NS_CODEC_RAW);
	ns_network *net = NULL;
	uint64_t step = 99;
	NT_OK(import_file(NULL, ps, s, file));
	NT_OK(ns_network_open(&net, s, "HEAD"));
	ns_network_time(net, NULL, &step);
	cr_assert_eq(step, want_step);
	cr_assert_eq(ns_network_object_count(net), 4);
	expect_population_e(net);
	expect_projection_ei(net);
	ns_network_free(net);
	ns_store_close(s);
	ns_plugins_free(ps);
}

Test(formats_pickle, a_network_without_time_step_and_obj_names_imports_its_objects)
{
	import_objects_of(DATA "old_p4.data", 0);
}

Test(formats_pickle, a_network_with_time_step_and_without_obj_names_imports_its_objects)
{
	import_objects_of(DATA "no_obj_names_p4.data", 1234);
}

Test(formats_pickle, obj_names_listing_an_object_the_file_lacks_is_refused)
{
	ns_plugins *ps = pickle_plugins();
	ns_store *s = nt_store_new("s.nsnap", 0, NS_CODEC_RAW);
	NT_FAILS(NS_EFORMAT, import_file(NULL, ps, s, DATA "bad_obj_names_p4.data"));
	NT_MESSAGE_HAS("bad_obj_names_p4.data': 'obj_names': 'populations' lists 'X', which is "
		       "not a population or projection of the file");
	cr_assert_eq(nt_stats(s).versions, 0);
	ns_store_close(s);
	ns_plugins_free(ps);
}

/* Export then import is the same version, as `nsnap diff` sees it: time,
 * dt, name, dictionary, types, element types, and the semiglobal values
 * of post neurons without synapses, kept in nsnap's own entry. */
static void round_trip_equal(const char *file)
{
	ns_plugins *ps = pickle_plugins();
	ns_store *s = nt_store_new("s.nsnap", 0, NS_CODEC_RAW);
	build_all_types(s);
	expect_round_trip_equal(ps, s, nt_path(file), NULL);
	ns_store_close(s);
	ns_plugins_free(ps);
}

Test(formats_pickle, a_data_export_imports_back_as_an_equal_version)
{
	round_trip_equal("all.data");
}

Test(formats_pickle, a_gz_export_imports_back_as_an_equal_version)
{
	round_trip_equal("all.data.gz");
}

Test(formats_pickle, python_reads_nsnaps_entry_and_annarchy_keys_beside_it)
{
	ns_plugins *ps = pickle_plugins();
	ns_store *s = nt_store_new("s.nsnap", 0, NS_CODEC_RAW);
	build_all_types(s);
	NT_OK(ns_export(ps, s, "HEAD", nt_path("all.data"), NULL));
	cr_assert_eq(python("import pickle, sys\n"
			    "d = pickle.load(open(sys.argv[1], 'rb'))\n"
			    "assert d['time_step'] == 125\n"
			    "n = d['nsnap']\n"
			    "assert n['network'] == 'all' and n['t'] == 12.5 and n['dt'] == 0.1, n\n"
			    "assert ['lr', 0.01] in n['dictionary'], n['dictionary']\n"
			    "assert ['D', 'Izhikevich'] in n['objects'] and ['DD', 'STDP'] in n['objects']\n"
			    "assert ['AB', 'n', 'variable', 'local', 'i32'] in n['attributes']\n"
			    "(p, a, v), = n['semiglobal']\n"
			    "assert (p, a) == ('BA', 'sg') and v.dtype.name == 'float32', n['semiglobal']\n"
			    "assert v.tolist() == [0.5, -1.5, 2.5, 3.5], v\n"
			    "assert list(d['obj_names']['projections']) == ['AB', 'BA', 'DD']\n",
			    nt_path("all.data")), 0);
	ns_store_close(s);
	ns_plugins_free(ps);
}

Test(formats_pickle, an_object_named_like_an_entry_of_the_file_is_refused)
{
	static double v[1] = { 1 };
	ns_plugins *ps = pickle_plugins();
	ns_store *s = nt_store_new("s.nsnap", 0, NS_CODEC_RAW);
	ns_network *net = NULL;
	ns_object *p;
	NT_OK(ns_network_new(&net, "n"));
	NT_OK(ns_population_add(&p, net, "nsnap", 1, NULL, 0, NULL));
	NT_OK(ns_attr_add(NULL, p, "v", NS_VARIABLE, NS_LOCAL, NS_DTYPE_F64, v, 0));
	NT_OK(ns_snapshot(NULL, s, net, NULL));
	ns_network_free(net);
	NT_FAILS(NS_EINVAL, ns_export(ps, s, "HEAD", nt_path("n.data"), NULL));
	NT_MESSAGE_HAS("population 'nsnap' has the name of an entry of the file's own");
	cr_assert_null(fopen(nt_path("n.data"), "rb"));
	ns_store_close(s);
	ns_plugins_free(ps);
}

/* Arrays of any length live in nsnap's entry only: not among an object's
 * keys or lists, which ANNarchy's load() reads. */
Test(formats_pickle, arrays_of_any_length_are_in_nsnaps_entry_only)
{
	ns_plugins *ps = pickle_plugins();
	ns_store *s = nt_store_new("s.nsnap", 0, NS_CODEC_RAW);
	build_all_types(s);
	NT_OK(ns_export(ps, s, "HEAD", nt_path("all.data"), NULL));
	cr_assert_eq(python("import pickle, sys\n"
			    "import numpy as np\n"
			    "d = pickle.load(open(sys.argv[1], 'rb'))\n"
			    "a = {(r[0], r[1]): r for r in d['nsnap']['arrays']}\n"
			    "assert list(a) == [('', 'rng'), ('', 'state'), ('', 'values'),\n"
			    "                   ('A', 'refrac'), ('AB', 'queue'), ('BA', 'none')], a\n"
			    "r = a[('', 'rng')]\n"
			    "assert r[2:4] == ['variable', 'i64'] and r[4].dtype == np.int64, r\n"
			    "assert r[4].tolist()[:3] == [2**53 + 1, -2**63, 2**63 - 1], r\n"
			    "assert a[('BA', 'none')][4].dtype == np.bool_ and a[('BA', 'none')][4].size == 0\n"
			    "assert 'refrac' not in d['A'] and 'refrac' not in d['A']['attributes']\n"
			    "assert 'queue' not in d['AB'] and 'queue' not in d['AB']['variables']\n"
			    "assert not [r for r in d['nsnap']['attributes'] if r[3] == 'array']\n",
			    nt_path("all.data")), 0);
	ns_store_close(s);
	ns_plugins_free(ps);
}

/* A malformed row of 'arrays' is an error naming the row. */
static void bad_arrays_row(const char *row, const char *needle)
{
	ns_plugins *ps = pickle_plugins();
	ns_store *s = nt_store_new("s.nsnap", 0, NS_CODEC_RAW);
	char prog[2048];
	snprintf(prog, sizeof prog,
		 "import pickle, sys\n"
		 "import numpy as np\n"
		 "d = {'time_step': 1, 'E': {'name': 'E', 'size': 1, 'geometry': (1,),\n"
		 "     'attributes': [], 'parameters': [], 'variables': []},\n"
		 "     'obj_names': {'populations': ['E'], 'projections': []},\n"
		 "     'nsnap': {'version': 1, 'arrays': [%s]}}\n"
		 "pickle.dump(d, open(sys.argv[1], 'wb'), protocol=4)\n",
		 row);
	cr_assert_eq(python(prog, nt_path("bad.data")), 0);
	NT_FAILS(NS_EFORMAT, import_file(NULL, ps, s, nt_path("bad.data")));
	NT_MESSAGE_HAS(needle);
	cr_assert_eq(nt_stats(s).versions, 0);
	ns_store_close(s);
	ns_plugins_free(ps);
}

Test(formats_pickle, a_malformed_row_of_nsnaps_arrays_is_refused_naming_it)
{
	bad_arrays_row("['', 'rng', 'variable', 'i64', np.arange(3, dtype=np.int32)]",
		       "entry 'nsnap': 'arrays' row 1 holds values that are not a 1-D numpy "
		       "array of the element type it names");
	bad_arrays_row("['', 'rng', 'variable', 'i64', np.zeros((2, 2), dtype=np.int64)]",
		       "'arrays' row 1 holds values that are not a 1-D numpy array");
	bad_arrays_row("['', 'rng', 'local', 'i64', np.arange(3)]",
		       "'arrays' row 1 has an unknown kind or element type");
	bad_arrays_row("['', 'rng', 'variable', 'i64']", "'arrays' row 1 is not a row of the "
		       "right length");
	bad_arrays_row("['X', 'q', 'variable', 'i64', np.arange(3)]",
		       "entry 'nsnap': 'arrays' row 1 is of 'X', which is not a population or "
		       "projection of the file");
}

/* ------------------------------------------------------------ packed lists */

/* Lists of numbers are kept packed, 8 bytes a number (reader.c): a file
 * of network @net_py (Python: populations A and B, projection P from A to
 * B, a dict per object) imports with P's attribute @attr and its pre
 * ranks as @want_* say, @n values, in the store's order. */
static void import_lists(const char *net_py, const char *attr, ns_dtype dtype,
			 const double *want, const int32_t *want_pre, size_t n)
{
	char prog[4096];
	ns_plugins *ps = pickle_plugins();
	ns_store *s = nt_store_new("s.nsnap", 0, NS_CODEC_RAW);
	ns_network *net = NULL;
	ns_attr_info ai;
	const int32_t *pre, *post;
	double *got = malloc(n * sizeof *got + 1);
	ns_object *p;
	ns_attr *a;
	snprintf(prog, sizeof prog,
		 "import pickle, sys\n"
		 "def pop(name, n):\n"
		 "    return {'name': name, 'size': n, 'geometry': (n,), 'attributes': [],\n"
		 "            'parameters': [], 'variables': []}\n"
		 "%s\n"
		 "d = {'time_step': 1, 'A': A, 'B': pop('B', 2), 'P': P,\n"
		 "     'obj_names': {'populations': ['A', 'B'], 'projections': ['P']}}\n"
		 "dump(d, open(sys.argv[1], 'wb'))\n",
		 net_py);
	cr_assert_eq(python(prog, nt_path("lists.data")), 0);
	NT_OK(import_file(NULL, ps, s, nt_path("lists.data")));
	NT_OK(ns_network_open(&net, s, "HEAD"));
	cr_assert_not_null(p = ns_network_object_find(net, "P"));
	cr_assert_eq(ns_projection_synapses(p), n);
	ns_projection_connectivity(&pre, &post, p);
	cr_assert_not_null(a = ns_object_attr_find(p, attr));
	ns_attr_get_info(&ai, a);
	cr_assert_eq(ai.dtype, dtype, "P.%s has dtype %d", attr, ai.dtype);
	NT_OK(ns_attr_read(got, NS_DTYPE_F64, a));
	for (size_t i = 0; i < n; i++) {
		cr_assert_eq(got[i], want[i], "P.%s[%zu] = %.17g, not %.17g", attr, i, got[i],
			     want[i]);
		cr_assert_eq(pre[i], want_pre[i], "P's synapse %zu has pre %d, not %d", i, pre[i],
			     want_pre[i]);
	}
	free(got);
	ns_network_free(net);
	ns_store_close(s);
	ns_plugins_free(ps);
}

/* A float the memo holds was packed with its list and is read again
 * through the memo: its value, not the value that took its place. */
Test(formats_pickle, a_memoised_number_of_a_packed_list_keeps_its_value)
{
	static const double want[] = { 1.75, 0.25, 0.5, 1.75, 1.75, 1.75 };
	static const int32_t pre[] = { 0, 1, 2, 0, 1, 2 };
	import_lists("X = 1.75\n"
		     "class Memo(pickle._Pickler):\n"
		     "    dispatch = dict(pickle._Pickler.dispatch)\n"
		     "    def save_float(self, obj):\n"
		     "        pickle._Pickler.save_float(self, obj)\n"
		     "        if obj is X:\n"
		     "            self.memoize(obj)\n"
		     "    dispatch[float] = save_float\n"
		     "def dump(d, f):\n"
		     "    Memo(f, protocol=4).dump(d)\n"
		     "A = pop('A', 3)\n"
		     "A['unread'] = [0.125, 0.375] # packed first: the next give back\n"
		     "P = {'name': 'P', 'pre': 'A', 'post': 'B', 'target': 'exc',\n"
		     "     'post_ranks': [0, 1], 'pre_ranks': [[0, 1, 2], [0, 1, 2]],\n"
		     "     'attributes': ['w'], 'parameters': [], 'variables': ['w'],\n"
		     "     'w': [[X, 0.25, 0.5], [X, X, X]]}\n",
		     "w", NS_DTYPE_F64, want, pre, 6);
}

/* Pickle appends a list 1000 items at a time: a list of floats, then an
 * int (or of ints, then a float) is unpacked when the other kind comes,
 * and reads as any list mixing them: f64, every value exact. */
Test(formats_pickle, a_packed_list_that_gets_another_kind_of_number_reads_as_a_list)
{
	enum { R0 = 1201, R1 = 1501 };
	static double want[R0 + R1];
	static int32_t pre[R0 + R1];
	for (int k = 0; k < R0; k++)
		want[k] = k < R0 - 1 ? 1 : 0.25, pre[k] = k;
	for (int k = 0; k < R1; k++)
		want[R0 + k] = k < R1 - 1 ? 0.5 : 3, pre[R0 + k] = k;
	import_lists("dump = lambda d, f: pickle.dump(d, f, protocol=4)\n"
		     "A = pop('A', 1501)\n"
		     "P = {'name': 'P', 'pre': 'A', 'post': 'B', 'target': 'exc',\n"
		     "     'post_ranks': [0, 1], 'pre_ranks': [list(range(1201)), list(range(1501))],\n"
		     "     'attributes': ['w'], 'parameters': [], 'variables': ['w'],\n"
		     "     'w': [[1] * 1200 + [0.25], [0.5] * 1500 + [3]]}\n",
		     "w", NS_DTYPE_F64, want, pre, R0 + R1);
}

/* Ints beyond the shared small ones are values of their own, packed and
 * given back: ranks past 65536, and an int attribute past 2^40 (i64). */
Test(formats_pickle, packed_lists_of_large_ints_keep_every_value)
{
	enum { K = 3000 };
	static double want[2 * K];
	static int32_t pre[2 * K];
	for (int k = 0; k < 2 * K; k++) {
		pre[k] = (k < K ? 100000 : 150000) + k % K;
		want[k] = (double)((INT64_C(1) << 40) + k);
	}
	import_lists("dump = lambda d, f: pickle.dump(d, f, protocol=4)\n"
		     "A = pop('A', 200000)\n"
		     "P = {'name': 'P', 'pre': 'A', 'post': 'B', 'target': 'exc',\n"
		     "     'post_ranks': [0, 1],\n"
		     "     'pre_ranks': [list(range(100000, 103000)), list(range(150000, 153000))],\n"
		     "     'attributes': ['c'], 'parameters': [], 'variables': ['c'],\n"
		     "     'c': [[2**40 + k for k in range(3000)], [2**40 + k for k in range(3000, 6000)]]}\n",
		     "c", NS_DTYPE_I64, want, pre, 2 * K);
}
