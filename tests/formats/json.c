/* SPDX-License-Identifier: MIT */
/* The JSON format (ANNarchy's parameter files), through the loaded plugin
 * and the host: export of a version's global parameters, import applied
 * onto a version, and files that Python's json writes and reads. */
#include "util.h"

#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define PLUGIN NSNAP_TEST_PLUGIN_DIR "/json.so"

enum { NE = 4, NI = 2, NS = 3 };

/* The arrays of the small network, owned by the test. */
typedef struct jt_state {
	double e_tau, e_g, e_thr[NE], e_v[NE];
	int32_t e_n;
	uint8_t e_on;
	double i_tau, i_v[NI];
	int32_t ei_pre[NS], ei_post[NS];
	double ei_eta, ei_w[NS];
} jt_state;

static jt_state st = {
	.e_tau = 10.5, .e_g = 7, .e_thr = { 1, 2, 3, 4 }, .e_n = 3, .e_on = 1,
	.i_tau = 20, .ei_pre = { 0, 1, 3 }, .ei_post = { 0, 1, 1 }, .ei_eta = 0.01,
	.ei_w = { 0.5, 0.25, 0.125 },
};

/* E (4 neurons): global parameters tau (f64), n (i32), on (bool), a global
 * variable g, a local parameter thr, a local variable v; I (2): tau, v;
 * EI (E -> I, 3 synapses): global parameter eta, local variable w. The
 * dictionary: model = "izh", r_max = 1.25. */
static ns_network *small_network(int with_dictionary)
{
	ns_network *net = NULL;
	ns_object *e = NULL, *i = NULL, *ei = NULL;
	ns_attr *a = NULL;
	NT_OK(ns_network_new(&net, "small"));
	NT_OK(ns_population_add(&e, net, "E", NE, NULL, 0, "izh"));
	NT_OK(ns_population_add(&i, net, "I", NI, NULL, 0, "izh"));
	NT_OK(ns_projection_add(&ei, net, "EI", "E", "I", "exc", "stdp"));
	NT_OK(ns_projection_set_synapses(ei, st.ei_pre, st.ei_post, NS, 0));
	NT_OK(ns_attr_add(&a, e, "tau", NS_PARAMETER, NS_GLOBAL, NS_DTYPE_F64, &st.e_tau, 0));
	NT_OK(ns_attr_add(&a, e, "n", NS_PARAMETER, NS_GLOBAL, NS_DTYPE_I32, &st.e_n, 0));
	NT_OK(ns_attr_add(&a, e, "on", NS_PARAMETER, NS_GLOBAL, NS_DTYPE_BOOL, &st.e_on, 0));
	NT_OK(ns_attr_add(&a, e, "g", NS_VARIABLE, NS_GLOBAL, NS_DTYPE_F64, &st.e_g, 0));
	NT_OK(ns_attr_add(&a, e, "thr", NS_PARAMETER, NS_LOCAL, NS_DTYPE_F64, st.e_thr, 0));
	NT_OK(ns_attr_add(&a, e, "v", NS_VARIABLE, NS_LOCAL, NS_DTYPE_F64, st.e_v, 0));
	NT_OK(ns_attr_add(&a, i, "tau", NS_PARAMETER, NS_GLOBAL, NS_DTYPE_F64, &st.i_tau, 0));
	NT_OK(ns_attr_add(&a, i, "v", NS_VARIABLE, NS_LOCAL, NS_DTYPE_F64, st.i_v, 0));
	NT_OK(ns_attr_add(&a, ei, "eta", NS_PARAMETER, NS_GLOBAL, NS_DTYPE_F64, &st.ei_eta, 0));
	NT_OK(ns_attr_add(&a, ei, "w", NS_VARIABLE, NS_LOCAL, NS_DTYPE_F64, st.ei_w, 0));
	if (with_dictionary) {
		NT_OK(ns_network_set_meta(net, "model", "izh", 0));
		NT_OK(ns_network_set_meta(net, "r_max", NULL, 1.25));
	}
	return net;
}

/* The json plugin alone, from the build tree. */
static ns_plugins *json_plugin(void)
{
	ns_plugins *ps = NULL;
	NT_OK(ns_plugins_new(&ps, NULL, NS_PLUGINS_NO_ENV | NS_PLUGINS_NO_DEFAULT));
	NT_OK(ns_plugins_load(ps, PLUGIN));
	return ps;
}

/* A store "s.nsnap" holding the small network as version 1. */
static ns_store *saved(int with_dictionary)
{
	ns_store *s = nt_store_new("s.nsnap", 0, NS_CODEC_RAW);
	ns_network *net = small_network(with_dictionary);
	uint64_t v = 0;
	NT_OK(ns_snapshot(&v, s, net, NULL));
	cr_assert_eq(v, 1);
	ns_network_free(net);
	return s;
}

/* Value @i of @object.@name in version @rev, as f64. */
static double value_in(ns_store *s, const char *rev, const char *object, const char *name,
		       uint64_t i)
{
	ns_network *net = NULL;
	ns_object *obj;
	ns_attr *a;
	ns_attr_info info;
	double buf[16], v;
	NT_OK(ns_network_open(&net, s, rev));
	cr_assert_not_null(obj = ns_network_object_find(net, object), "no object %s", object);
	cr_assert_not_null(a = ns_object_attr_find(obj, name), "no attribute %s.%s", object, name);
	ns_attr_get_info(&info, a);
	cr_assert_lt(i, info.count);
	cr_assert_leq(info.count, 16);
	NT_OK(ns_attr_read(buf, NS_DTYPE_F64, a));
	v = buf[i];
	ns_network_free(net);
	return v;
}

/* Run the Python program @prog with arguments @args; its exit status. */
static int python(const char *prog, const char *args)
{
	char cmd[8192];
	const char *script = nt_path("prog.py");
	nt_write_file(script, prog, strlen(prog));
	snprintf(cmd, sizeof cmd, "%s %s %s", NSNAP_TEST_PYTHON, script, args);
	return system(cmd);
}

static void python_ok(const char *prog, const char *args)
{
	cr_assert_eq(python(prog, args), 0, "python failed on %s", args);
}

static void write_text(const char *path, const char *text)
{
	nt_write_file(path, text, strlen(text));
}

static uint64_t import_with(ns_plugins *ps, ns_store *s, const char *path, int global_only,
			    int verbose)
{
	ns_import_opts o = NS_IMPORT_OPTS_INIT;
	uint64_t v = 0;
	o.global_only = global_only;
	o.verbose = verbose;
	NT_OK(ns_import(&v, ps, s, path, &o));
	return v;
}

static void export_head(ns_plugins *ps, ns_store *s, const char *path)
{
	NT_OK(ns_export(ps, s, "HEAD", path, NULL));
}

/* ------------------------------------------------------------------ export */

Test(formats_json, the_plugin_is_a_parameter_format_for_json_names)
{
	ns_plugins *ps = json_plugin();
	ns_plugin_info info;
	cr_assert_eq(ns_plugins_count(ps), 1);
	NT_OK(ns_plugins_at(&info, ps, 0));
	cr_assert_str_eq(info.name, "json");
	cr_assert_eq(info.kind, NS_PLUGIN_FORMAT);
	cr_assert_eq(info.flags & NS_FORMAT_PARAMETERS, NS_FORMAT_PARAMETERS);
	cr_assert_str_eq(info.extensions[0], ".json");
	cr_assert_null(info.extensions[1]);
	ns_plugins_free(ps);
}

Test(formats_json, export_writes_exactly_the_global_parameters_of_the_version)
{
	ns_plugins *ps = json_plugin();
	ns_store *s = saved(1);
	ns_param p = { "E", "tau", 99.25 };
	uint64_t v = 0;
	/* The exported value is the version's, not the network's first one. */
	NT_OK(ns_params_set(&v, NULL, s, "HEAD", &p, 1, NULL));
	cr_assert_eq(v, 2);
	export_head(ps, s, nt_path("x.json"));
	python_ok("import json, sys\n"
		  "d = json.load(open(sys.argv[1]))\n"
		  "want = {'populations': {'E': {'tau': 99.25, 'n': 3, 'on': True},\n"
		  "                        'I': {'tau': 20.0}},\n"
		  "        'projections': {'EI': {'eta': 0.01}},\n"
		  "        'network': {'model': 'izh', 'r_max': 1.25}}\n"
		  "assert d == want, d\n"
		  "e = d['populations']['E']\n"
		  "assert type(e['tau']) is float and type(e['n']) is int, e\n"
		  "assert e['on'] is True, e\n"
		  "assert list(d) == ['populations', 'projections', 'network'], list(d)\n"
		  "assert list(e) == ['tau', 'n', 'on'], list(e)\n",
		  nt_path("x.json"));
	ns_store_close(s);
	ns_plugins_free(ps);
}

Test(formats_json, export_of_a_version_without_dictionary_has_an_empty_network)
{
	ns_plugins *ps = json_plugin();
	ns_store *s = saved(0);
	export_head(ps, s, nt_path("x.json"));
	python_ok("import json, sys\n"
		  "d = json.load(open(sys.argv[1]))\n"
		  "assert d['network'] == {}, d\n",
		  nt_path("x.json"));
	ns_store_close(s);
	ns_plugins_free(ps);
}

Test(formats_json, export_writes_what_python_json_dump_writes_byte_for_byte)
{
	static const double values[] = { NAN, INFINITY, -INFINITY, 1e16, 1e15, 1.5e-5,
					 0.0001, 0.1, -0.0, 1.0 / 3, 1.2345e100, -2.5e-300,
					 123456789.125, 5e-324 };
	static const char *const names[] = { "nan", "inf", "ninf", "big", "e15", "small",
					     "tenth4", "tenth", "negzero", "third", "huge",
					     "tiny", "mid", "denorm" };
	enum { N = sizeof values / sizeof values[0] };
	static double data[N];
	static int64_t big_int = INT64_C(-9007199254740993);
	ns_plugins *ps = json_plugin();
	ns_store *s = nt_store_new("s.nsnap", 0, NS_CODEC_RAW);
	ns_network *net = NULL;
	ns_object *x = NULL;
	ns_attr *a = NULL;
	size_t n_ours, n_py;
	char *ours, *py, args[4096];

	NT_OK(ns_network_new(&net, "edge"));
	NT_OK(ns_population_add(&x, net, "X \"quoted\" \xc2\xb5s", 1, NULL, 0, NULL));
	for (size_t i = 0; i < N; i++) {
		data[i] = values[i];
		NT_OK(ns_attr_add(&a, x, names[i], NS_PARAMETER, NS_GLOBAL, NS_DTYPE_F64,
				  &data[i], 0));
	}
	NT_OK(ns_attr_add(&a, x, "i64", NS_PARAMETER, NS_GLOBAL, NS_DTYPE_I64, &big_int, 0));
	NT_OK(ns_population_add(&x, net, "empty", 2, NULL, 0, NULL));
	NT_OK(ns_network_set_meta(net, "unit", "\xc2\xb5s and \xf0\x9f\xa7\xa0\n\t\\", 0));
	NT_OK(ns_network_set_meta(net, "count", NULL, 5));
	NT_OK(ns_network_set_meta(net, "half", NULL, 0.5));
	NT_OK(ns_snapshot(NULL, s, net, NULL));
	ns_network_free(net);

	export_head(ps, s, nt_path("x.json"));
	snprintf(args, sizeof args, "%s %s", nt_path("x.json"), nt_path("py.json"));
	python_ok("import json, sys\n"
		  "d = json.load(open(sys.argv[1]))\n"
		  "json.dump(d, open(sys.argv[2], 'w'), indent=4)\n",
		  args);
	ours = nt_slurp(nt_path("x.json"), &n_ours);
	py = nt_slurp(nt_path("py.json"), &n_py);
	cr_assert_str_eq(ours, py);
	cr_assert_eq(n_ours, n_py);
	cr_assert(strstr(ours, "\"nan\": NaN,") && strstr(ours, "\"ninf\": -Infinity,"), "%s",
		  ours);
	free(ours);
	free(py);
	ns_store_close(s);
	ns_plugins_free(ps);
}

/* ------------------------------------------------------------------ import */

/* Export HEAD to x.json, edit it in Python (@edit works on d), and dump it
 * to y.json with json.dump(indent=4). */
static void python_edit(ns_plugins *ps, ns_store *s, const char *edit)
{
	char prog[4096], args[4096];
	export_head(ps, s, nt_path("x.json"));
	snprintf(prog, sizeof prog,
		 "import json, sys\n"
		 "d = json.load(open(sys.argv[1]))\n"
		 "%s\n"
		 "json.dump(d, open(sys.argv[2], 'w'), indent=4)\n",
		 edit);
	snprintf(args, sizeof args, "%s %s", nt_path("x.json"), nt_path("y.json"));
	python_ok(prog, args);
}

Test(formats_json, import_of_a_python_edited_file_makes_a_new_version_with_its_values)
{
	ns_plugins *ps = json_plugin();
	ns_store *s = saved(1);
	uint64_t v;
	size_t n;
	char *text;
	python_edit(ps, s,
		    "e = d['populations']['E']\n"
		    "e['tau'] = float('nan'); e['n'] = 7; e['on'] = False\n"
		    "d['populations']['I']['tau'] = float('inf')\n"
		    "d['projections']['EI']['eta'] = -float('inf')\n");
	text = nt_slurp(nt_path("y.json"), &n);
	cr_assert(strstr(text, "\"tau\": NaN"), "%s", text);
	free(text);
	v = import_with(ps, s, nt_path("y.json"), 1, 0);
	cr_assert_eq(v, 2);
	cr_assert_eq(nt_resolve(s, "HEAD"), 2);
	cr_assert(isnan(value_in(s, "2", "E", "tau", 0)));
	cr_assert_eq(value_in(s, "2", "E", "n", 0), 7);
	cr_assert_eq(value_in(s, "2", "E", "on", 0), 0);
	cr_assert_eq(value_in(s, "2", "I", "tau", 0), INFINITY);
	cr_assert_eq(value_in(s, "2", "EI", "eta", 0), -INFINITY);
	/* What the file does not hold keeps its values. */
	cr_assert_eq(value_in(s, "2", "E", "thr", 3), 4);
	cr_assert_eq(value_in(s, "2", "EI", "w", 1), 0.25);
	ns_store_close(s);
	ns_plugins_free(ps);
}

Test(formats_json, import_leaves_the_old_version_unchanged)
{
	ns_plugins *ps = json_plugin();
	ns_store *s = saved(1);
	python_edit(ps, s, "d['populations']['E']['tau'] = 1.5; d['populations']['E']['n'] = 9");
	cr_assert_eq(import_with(ps, s, nt_path("y.json"), 1, 0), 2);
	cr_assert_eq(value_in(s, "1", "E", "tau", 0), 10.5);
	cr_assert_eq(value_in(s, "1", "E", "n", 0), 3);
	cr_assert_eq(value_in(s, "2", "E", "tau", 0), 1.5);
	ns_store_close(s);
	ns_plugins_free(ps);
}

Test(formats_json, import_applies_onto_the_revision_asked_for)
{
	ns_plugins *ps = json_plugin();
	ns_store *s = saved(1);
	ns_import_opts o = NS_IMPORT_OPTS_INIT;
	ns_param p = { "I", "tau", 33 };
	uint64_t v = 0;
	NT_OK(ns_params_set(&v, NULL, s, "HEAD", &p, 1, NULL));
	write_text(nt_path("p.json"), "{\"populations\": {\"E\": {\"tau\": 2.5}}, "
				      "\"network\": {\"model\": \"izh\", \"r_max\": 1.25}}");
	o.onto = "1";
	NT_OK(ns_import(&v, ps, s, nt_path("p.json"), &o));
	cr_assert_eq(v, 3);
	cr_assert_eq(value_in(s, "3", "E", "tau", 0), 2.5);
	cr_assert_eq(value_in(s, "3", "I", "tau", 0), 20, "made from version 1, not HEAD");
	ns_store_close(s);
	ns_plugins_free(ps);
}

Test(formats_json, the_network_dictionary_round_trips)
{
	ns_plugins *ps = json_plugin();
	ns_store *s = saved(1);
	ns_network *net = NULL;
	const char *key, *str;
	double num;
	python_edit(ps, s,
		    "assert d['network'] == {'model': 'izh', 'r_max': 1.25}, d['network']\n"
		    "d['network']['r_max'] = 2.5\n"
		    "d['network']['label'] = 'caf\\u00e9'\n"
		    "d['network']['flag'] = True\n");
	cr_assert_eq(import_with(ps, s, nt_path("y.json"), 1, 0), 2);
	NT_OK(ns_network_open(&net, s, "2"));
	cr_assert_eq(ns_network_meta_count(net), 4);
	NT_OK(ns_network_meta_at(&key, &str, &num, net, 0));
	cr_assert_str_eq(key, "model");
	cr_assert_str_eq(str, "izh");
	NT_OK(ns_network_meta_at(&key, &str, &num, net, 1));
	cr_assert_str_eq(key, "r_max");
	cr_assert_null(str);
	cr_assert_eq(num, 2.5);
	NT_OK(ns_network_meta_at(&key, &str, &num, net, 2));
	cr_assert_str_eq(key, "label");
	cr_assert_str_eq(str, "caf\xc3\xa9");
	NT_OK(ns_network_meta_at(&key, &str, &num, net, 3));
	cr_assert_str_eq(key, "flag");
	cr_assert_null(str);
	cr_assert_eq(num, 1);
	ns_network_free(net);
	/* And back out: what Python put in, Python reads. */
	NT_OK(ns_export(ps, s, "2", nt_path("z.json"), NULL));
	python_ok("import json, sys\n"
		  "d = json.load(open(sys.argv[1]))\n"
		  "want = {'model': 'izh', 'r_max': 2.5, 'label': 'caf\\u00e9', 'flag': 1}\n"
		  "assert d['network'] == want, d['network']\n",
		  nt_path("z.json"));
	ns_store_close(s);
	ns_plugins_free(ps);
}

Test(formats_json, unknown_names_are_skipped_not_fatal)
{
	ns_plugins *ps = json_plugin();
	ns_store *s = saved(1);
	ns_network *net = NULL;
	write_text(nt_path("p.json"),
		   "{\"populations\": {\"E\": {\"nosuch\": 1, \"tau\": 5},\n"
		   "                 \"Z\": {\"tau\": 1}},\n"
		   " \"projections\": {\"EI\": {\"w\": 3, \"eta\": 0.5}},\n"
		   " \"network\": {\"model\": \"izh\", \"r_max\": 1.25}}");
	cr_assert_eq(import_with(ps, s, nt_path("p.json"), 1, 0), 2);
	cr_assert_eq(value_in(s, "2", "E", "tau", 0), 5);
	cr_assert_eq(value_in(s, "2", "EI", "eta", 0), 0.5);
	/* w is a variable: not a parameter file's business. */
	cr_assert_eq(value_in(s, "2", "EI", "w", 0), 0.5);
	NT_OK(ns_network_open(&net, s, "2"));
	cr_assert_null(ns_network_object_find(net, "Z"));
	cr_assert_null(ns_object_attr_find(ns_network_object_find(net, "E"), "nosuch"));
	ns_network_free(net);
	ns_store_close(s);
	ns_plugins_free(ps);
}

Test(formats_json, a_local_parameter_is_set_everywhere_only_without_global_only)
{
	ns_plugins *ps = json_plugin();
	ns_store *s = saved(1);
	write_text(nt_path("p.json"), "{\"populations\": {\"E\": {\"thr\": 9, \"tau\": 6}}, "
				      "\"network\": {\"model\": \"izh\", \"r_max\": 1.25}}");
	cr_assert_eq(import_with(ps, s, nt_path("p.json"), 1, 0), 2);
	cr_assert_eq(value_in(s, "2", "E", "thr", 0), 1, "global_only skips a local one");
	cr_assert_eq(value_in(s, "2", "E", "thr", 3), 4);
	cr_assert_eq(value_in(s, "2", "E", "tau", 0), 6);
	cr_assert_eq(import_with(ps, s, nt_path("p.json"), 0, 0), 3);
	for (uint64_t i = 0; i < NE; i++)
		cr_assert_eq(value_in(s, "3", "E", "thr", i), 9);
	ns_store_close(s);
	ns_plugins_free(ps);
}

/* Run an import with verbose on, its standard error into err.txt; returns
 * what was written there (free it). */
static char *import_verbose(ns_plugins *ps, ns_store *s, const char *path)
{
	int saved_fd, fd;
	size_t n;
	fflush(stderr);
	saved_fd = dup(2);
	fd = open(nt_path("err.txt"), O_WRONLY | O_CREAT | O_TRUNC, 0644);
	cr_assert(saved_fd >= 0 && fd >= 0);
	dup2(fd, 2);
	close(fd);
	import_with(ps, s, path, 1, 1);
	fflush(stderr);
	dup2(saved_fd, 2);
	close(saved_fd);
	return nt_slurp(nt_path("err.txt"), &n);
}

Test(formats_json, verbose_lists_old_and_new_values_and_what_was_skipped)
{
	ns_plugins *ps = json_plugin();
	ns_store *s = saved(1);
	char *err;
	write_text(nt_path("p.json"), "{\"populations\": {\"E\": {\"tau\": 5, \"nosuch\": 1}}}");
	err = import_verbose(ps, s, nt_path("p.json"));
	cr_assert(strstr(err, "E.tau: 10.5 -> 5"), "%s", err);
	cr_assert(strstr(err, "E.nosuch skipped"), "%s", err);
	free(err);
	ns_store_close(s);
	ns_plugins_free(ps);
}

Test(formats_json, without_verbose_nothing_is_said)
{
	ns_plugins *ps = json_plugin();
	ns_store *s = saved(1);
	int saved_fd = dup(2), fd = open(nt_path("err.txt"), O_WRONLY | O_CREAT | O_TRUNC, 0644);
	size_t n;
	char *err;
	write_text(nt_path("p.json"), "{\"populations\": {\"E\": {\"tau\": 5, \"nosuch\": 1}}}");
	fflush(stderr);
	dup2(fd, 2);
	close(fd);
	import_with(ps, s, nt_path("p.json"), 1, 0);
	fflush(stderr);
	dup2(saved_fd, 2);
	close(saved_fd);
	err = nt_slurp(nt_path("err.txt"), &n);
	cr_assert_eq(n, 0, "%s", err);
	free(err);
	ns_store_close(s);
	ns_plugins_free(ps);
}

Test(formats_json, the_python_round_trip_keeps_every_value)
{
	ns_plugins *ps = json_plugin();
	ns_store *s = saved(1);
	ns_param p[] = { { "E", "tau", 0.1 + 0.2 }, { "E", "n", -12 }, { "EI", "eta", 1e-300 } };
	ns_import_opts o = NS_IMPORT_OPTS_INIT;
	uint64_t v = 0;
	NT_OK(ns_params_set(&v, NULL, s, "HEAD", p, 3, NULL));
	cr_assert_eq(v, 2);
	python_edit(ps, s, "pass");
	/* Onto version 1, the file must bring back version 2's values. */
	o.onto = "1";
	NT_OK(ns_import(&v, ps, s, nt_path("y.json"), &o));
	cr_assert_eq(v, 3);
	cr_assert_eq(value_in(s, "3", "E", "tau", 0), 0.1 + 0.2);
	cr_assert_eq(value_in(s, "3", "E", "n", 0), -12);
	cr_assert_eq(value_in(s, "3", "E", "on", 0), 1);
	cr_assert_eq(value_in(s, "3", "I", "tau", 0), 20);
	cr_assert_eq(value_in(s, "3", "EI", "eta", 0), 1e-300);
	ns_store_close(s);
	ns_plugins_free(ps);
}

Test(formats_json, a_parameter_file_is_recognised_by_its_content_under_another_name)
{
	ns_plugins *ps = json_plugin();
	ns_store *s = saved(1);
	write_text(nt_path("params.txt"), "  \n{\"populations\": {\"E\": {\"tau\": 4}}}");
	cr_assert_eq(import_with(ps, s, nt_path("params.txt"), 1, 0), 2);
	cr_assert_eq(value_in(s, "2", "E", "tau", 0), 4);
	ns_store_close(s);
	ns_plugins_free(ps);
}

/* ------------------------------------------------------------------ errors */

/* Import @text from p.json: it fails with @code, HEAD stays version 1. */
static void refused(const char *text, int code)
{
	ns_plugins *ps = json_plugin();
	ns_store *s;
	nt_tmpdir(); /* a new store each time */
	s = saved(1);
	uint64_t v = 0;
	write_text(nt_path("p.json"), text);
	NT_FAILS(code, ns_import(&v, ps, s, nt_path("p.json"), NULL));
	cr_assert_eq(nt_resolve(s, "HEAD"), 1);
	ns_store_close(s);
	ns_plugins_free(ps);
}

Test(formats_json, arrays_are_refused_with_the_key_named)
{
	refused("{\"populations\": {\"E\": {\"tau\": [1, 2]}}}", NS_EFORMAT);
	NT_MESSAGE_HAS("populations.E.tau");
	NT_MESSAGE_HAS("an array");
	NT_MESSAGE_HAS("p.json");
}

Test(formats_json, objects_and_strings_as_values_are_refused_with_the_key_named)
{
	refused("{\"projections\": {\"EI\": {\"eta\": {\"a\": 1}}}}", NS_EFORMAT);
	NT_MESSAGE_HAS("projections.EI.eta");
	refused("{\"populations\": {\"E\": {\"tau\": \"5\"}}}", NS_EFORMAT);
	NT_MESSAGE_HAS("populations.E.tau is a string");
}

Test(formats_json, nested_dictionary_values_are_refused_with_the_key_named)
{
	refused("{\"network\": {\"ok\": 1, \"cfg\": {\"a\": 1}}}", NS_EFORMAT);
	NT_MESSAGE_HAS("network.cfg");
	refused("{\"network\": {\"list\": [1]}}", NS_EFORMAT);
	NT_MESSAGE_HAS("network.list");
}

Test(formats_json, malformed_json_is_refused_naming_line_and_column)
{
	refused("{\n    \"populations\": {\n        \"E\": {\"tau\": 1,, \"n\": 2}\n    }\n}",
		NS_EFORMAT);
	NT_MESSAGE_HAS("p.json");
	NT_MESSAGE_HAS("line 3, column 24");
}

Test(formats_json, a_truncated_file_is_refused_naming_where_it_ends)
{
	refused("{\"populations\": {\"E\": {\"tau\": 1", NS_EFORMAT);
	NT_MESSAGE_HAS("line 1");
	NT_MESSAGE_HAS("p.json");
}

Test(formats_json, a_top_level_that_is_not_an_object_is_refused)
{
	refused("\n\n  {\"populations\": 1}", NS_EFORMAT);
	NT_MESSAGE_HAS("\"populations\" is");
	/* The probe wants '{': force the format to reach the plugin. */
	{
		ns_plugins *ps = json_plugin();
		ns_store *s;
		nt_tmpdir();
		s = saved(1);
		ns_import_opts o = NS_IMPORT_OPTS_INIT;
		write_text(nt_path("p.json"), "\n  [1, 2]");
		o.format = "json";
		NT_FAILS(NS_EFORMAT, ns_import(NULL, ps, s, nt_path("p.json"), &o));
		NT_MESSAGE_HAS("line 2, column 3");
		NT_MESSAGE_HAS("not an object");
		ns_store_close(s);
		ns_plugins_free(ps);
	}
}

Test(formats_json, raw_control_characters_in_strings_are_refused_as_python_does)
{
	refused("{\"network\": {\"a\": \"x\ty\"}}", NS_EFORMAT);
	NT_MESSAGE_HAS("line 1, column 21");
	NT_MESSAGE_HAS("control character");
}

Test(formats_json, python_tokens_are_not_keys)
{
	refused("{\"populations\": {\"E\": {NaN: 1}}}", NS_EFORMAT);
	NT_MESSAGE_HAS("line 1, column 24");
}

Test(formats_json, a_value_an_integer_parameter_cannot_hold_is_refused)
{
	refused("{\"populations\": {\"E\": {\"n\": 0.5}}}", NS_EINVAL);
}

Test(formats_json, a_file_too_big_to_be_a_parameter_file_is_refused)
{
	ns_plugins *ps = json_plugin();
	ns_store *s = saved(1);
	ns_import_opts o = NS_IMPORT_OPTS_INIT;
	FILE *f = fopen(nt_path("big.json"), "wb");
	cr_assert_not_null(f);
	fputs("{", f);
	cr_assert_eq(ftruncate(fileno(f), (off_t)65 << 20), 0);
	fclose(f);
	NT_FAILS(NS_EFORMAT, ns_import(NULL, ps, s, nt_path("big.json"), &o));
	NT_MESSAGE_HAS("64 MiB");
	ns_store_close(s);
	ns_plugins_free(ps);
}

/* --------------------------------------------------------------- constants */

/* The small network with ANNarchy 5's constants: network-wide parameters
 * of one value (g_max, an f64, and n_max, an i64), a network-wide variable
 * of one value that is no constant, and a 3-value parameter array. */
static ns_store *saved_with_constants(void)
{
	static double g_max = 0.75, clock_t0 = 3;
	static int64_t n_max = 12, table[3] = { 1, 2, 3 };
	ns_store *s = nt_store_new("s.nsnap", 0, NS_CODEC_RAW);
	ns_network *net = small_network(1);
	NT_OK(ns_network_attr_add(NULL, net, "g_max", NS_PARAMETER, NS_DTYPE_F64, 1, &g_max, 0));
	NT_OK(ns_network_attr_add(NULL, net, "n_max", NS_PARAMETER, NS_DTYPE_I64, 1, &n_max, 0));
	NT_OK(ns_network_attr_add(NULL, net, "t0", NS_VARIABLE, NS_DTYPE_F64, 1, &clock_t0, 0));
	NT_OK(ns_network_attr_add(NULL, net, "table", NS_PARAMETER, NS_DTYPE_I64, 3, table, 0));
	NT_OK(ns_snapshot(NULL, s, net, NULL));
	ns_network_free(net);
	return s;
}

/* Network-wide array @name of version @rev, value 0, as f64. */
static double constant_in(ns_store *s, const char *rev, const char *name)
{
	ns_network *net = NULL;
	ns_attr *a;
	double v;
	NT_OK(ns_network_open(&net, s, rev));
	cr_assert_not_null(a = ns_network_attr_find(net, name), "no constant %s", name);
	NT_OK(ns_attr_read(&v, NS_DTYPE_F64, a));
	ns_network_free(net);
	return v;
}

Test(formats_json, constants_are_written_as_annarchy_5_writes_them)
{
	ns_plugins *ps = json_plugin();
	ns_store *s = saved_with_constants();
	char args[4096];
	export_head(ps, s, nt_path("c.json"));
	snprintf(args, sizeof args, "%s", nt_path("c.json"));
	/* The parameters of one value only, in a section "constants", and the
	 * file what json.dump(indent=4) makes of its own load. */
	python_ok("import json, sys\n"
		  "text = open(sys.argv[1]).read()\n"
		  "d = json.loads(text)\n"
		  "assert d['constants'] == {'g_max': 0.75, 'n_max': 12}, d['constants']\n"
		  "assert list(d) == ['populations', 'projections', 'network', 'constants']\n"
		  "assert json.dumps(d, indent=4) == text\n",
		  args);
	ns_store_close(s);
	ns_plugins_free(ps);
}

Test(formats_json, a_version_without_constants_writes_no_section)
{
	ns_plugins *ps = json_plugin();
	ns_store *s = saved(1);
	size_t n;
	char *text;
	export_head(ps, s, nt_path("x.json"));
	text = nt_slurp(nt_path("x.json"), &n);
	cr_assert_null(strstr(text, "constants"), "%s", text);
	free(text);
	ns_store_close(s);
	ns_plugins_free(ps);
}

Test(formats_json, loading_constants_sets_them_in_a_new_version)
{
	ns_plugins *ps = json_plugin();
	ns_store *s = saved_with_constants();
	char *said;
	python_edit(ps, s, "d['constants']['g_max'] = 1.5; d['constants']['n_max'] = 20\n"
			   "d['constants']['unknown'] = 2\n");
	said = import_verbose(ps, s, nt_path("y.json"));
	cr_assert_eq(nt_resolve(s, "HEAD"), 2);
	cr_assert_eq(constant_in(s, "2", "g_max"), 1.5);
	cr_assert_eq(constant_in(s, "2", "n_max"), 20);
	cr_assert_eq(constant_in(s, "1", "g_max"), 0.75);
	/* The other arrays are the version's. */
	cr_assert_eq(constant_in(s, "2", "t0"), 3);
	cr_assert_eq(value_in(s, "2", "E", "tau", 0), 10.5);
	cr_assert(strstr(said, "constants.g_max: 0.75 -> 1.5"), "%s", said);
	cr_assert(strstr(said, "constants.unknown skipped: no such constant"), "%s", said);
	free(said);
	ns_store_close(s);
	ns_plugins_free(ps);
}

Test(formats_json, a_constant_that_is_not_a_number_is_refused_with_its_name)
{
	refused("{\"populations\": {}, \"projections\": {}, \"network\": {},\n"
		" \"constants\": {\"g\": \"fast\"}}", NS_EFORMAT);
	NT_MESSAGE_HAS("constants.g is a string, not a number");
}
