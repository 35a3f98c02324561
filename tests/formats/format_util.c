/* Helpers shared by the format tests of ANNarchy's layout; see
 * format_util.h. */
#define _GNU_SOURCE
#include "format_util.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int import_file(uint64_t *v, ns_plugins *ps, ns_store *s, const char *path)
{
	ns_import_opts o = NS_IMPORT_OPTS_INIT;
	return ns_import(v, ps, s, path, &o);
}

int python(const char *prog, const char *args)
{
	char cmd[8192];
	const char *script = nt_path("prog.py");
	nt_write_file(script, prog, strlen(prog));
	snprintf(cmd, sizeof cmd, "%s %s %s", NSNAP_TEST_PYTHON, script, args);
	return system(cmd);
}

void expect_attr(ns_network *net, const char *obj, const char *name, ns_attr_kind kind,
		 ns_scope scope, ns_dtype dtype, const double *want, size_t n)
{
	ns_object *o = ns_network_object_find(net, obj);
	ns_attr *a;
	ns_attr_info ai;
	double got[16];
	cr_assert_not_null(o, "no object %s", obj);
	cr_assert_not_null(a = ns_object_attr_find(o, name), "no attribute %s.%s", obj, name);
	ns_attr_get_info(&ai, a);
	cr_assert_eq(ai.kind, kind, "%s.%s kind %d", obj, name, ai.kind);
	cr_assert_eq(ai.scope, scope, "%s.%s scope %d", obj, name, ai.scope);
	cr_assert_eq(ai.dtype, dtype, "%s.%s dtype %d", obj, name, ai.dtype);
	cr_assert_eq(ai.count, n, "%s.%s has %llu values", obj, name,
		     (unsigned long long)ai.count);
	NT_OK(ns_attr_read(got, NS_DTYPE_F64, a));
	for (size_t i = 0; i < n; i++)
		cr_assert_eq(got[i], want[i], "%s.%s[%zu] = %g, not %g", obj, name, i, got[i],
			     want[i]);
}

void expect_population_e(ns_network *net)
{
	static const double tau[] = { 10.5 }, v[] = { -1, -0.5, 0, 0.5, 1, 1.5 };
	static const double r[] = { 0.25, 0.5, 0.75, 1, 1.25, 1.5 }, sc[] = { 1, 2, 3, 4, 5, -6 };
	static const double on[] = { 1, 0, 1, 0, 0, 1 }, thr[] = { 7, 8, 9, 10, 11, 12 };
	ns_object *e = ns_network_object_find(net, "E");
	ns_object_info oi;
	cr_assert_not_null(e);
	ns_object_get_info(&oi, e);
	cr_assert_eq(oi.kind, NS_POPULATION);
	cr_assert_eq(oi.size, 6);
	cr_assert_eq(oi.ndim, 2);
	cr_assert(oi.shape[0] == 2 && oi.shape[1] == 3);
	cr_assert_eq(oi.n_attrs, 6);
	expect_attr(net, "E", "tau", NS_PARAMETER, NS_GLOBAL, NS_DTYPE_F64, tau, 1);
	expect_attr(net, "E", "v", NS_VARIABLE, NS_LOCAL, NS_DTYPE_F64, v, 6);
	expect_attr(net, "E", "r", NS_VARIABLE, NS_LOCAL, NS_DTYPE_F32, r, 6);
	expect_attr(net, "E", "spike_count", NS_VARIABLE, NS_LOCAL, NS_DTYPE_I64, sc, 6);
	expect_attr(net, "E", "on", NS_VARIABLE, NS_LOCAL, NS_DTYPE_BOOL, on, 6);
	expect_attr(net, "E", "thr", NS_PARAMETER, NS_LOCAL, NS_DTYPE_I32, thr, 6);
}

void expect_synapses(ns_network *net, const char *name, const int32_t *pre,
		     const int32_t *post, uint64_t n)
{
	ns_object *p = ns_network_object_find(net, name);
	const int32_t *gp, *gq;
	cr_assert_not_null(p, "no projection %s", name);
	cr_assert_eq(ns_projection_synapses(p), n);
	ns_projection_connectivity(&gp, &gq, p);
	for (uint64_t i = 0; i < n; i++)
		cr_assert(gp[i] == pre[i] && gq[i] == post[i], "%s synapse %llu: (%d, %d)", name,
			  (unsigned long long)i, gp[i], gq[i]);
}

void expect_projection_ei(ns_network *net)
{
	static const int32_t pre[] = { 0, 1, 2, 3, 4, 5 }, post[] = { 0, 0, 2, 3, 3, 3 };
	static const double eta[] = { 0.01 }, w[] = { 0.5, 0.25, 0.125, 1, 2, 3 };
	static const double trace[] = { 1.5, 0, 2.5, 3.5 }, d[] = { 1, 2, 1, 3, 1, 1 };
	ns_object_info oi;
	expect_synapses(net, "EI", pre, post, 6);
	ns_object_get_info(&oi, ns_network_object_find(net, "EI"));
	cr_assert_str_eq(oi.pre, "E");
	cr_assert_str_eq(oi.post, "I");
	cr_assert_str_eq(oi.target, "exc");
	expect_attr(net, "EI", "eta", NS_PARAMETER, NS_GLOBAL, NS_DTYPE_F64, eta, 1);
	expect_attr(net, "EI", "w", NS_VARIABLE, NS_LOCAL, NS_DTYPE_F64, w, 6);
	expect_attr(net, "EI", "trace", NS_VARIABLE, NS_SEMIGLOBAL, NS_DTYPE_F64, trace, 4);
	expect_attr(net, "EI", "delays", NS_PARAMETER, NS_LOCAL, NS_DTYPE_F64, d, 6);
}

void expect_network(ns_store *s, const char *rev)
{
	static const int32_t pre[] = { 0, 1, 2, 3 }, post[] = { 1, 1, 4, 4 };
	static const double tau[] = { 20 }, v[] = { -70, -65, -60, -55.5 };
	static const double w[] = { 0.75 }, d[] = { 2 };
	ns_network *net = NULL;
	uint64_t step = 0;
	NT_OK(ns_network_open(&net, s, rev));
	ns_network_time(net, NULL, &step);
	cr_assert_eq(step, 1234);
	cr_assert_eq(ns_network_object_count(net), 4);
	expect_population_e(net);
	expect_attr(net, "I", "tau", NS_PARAMETER, NS_GLOBAL, NS_DTYPE_F64, tau, 1);
	expect_attr(net, "I", "v", NS_VARIABLE, NS_LOCAL, NS_DTYPE_F64, v, 4);
	expect_projection_ei(net);
	expect_synapses(net, "IE", pre, post, 4);
	expect_attr(net, "IE", "w", NS_PARAMETER, NS_GLOBAL, NS_DTYPE_F64, w, 1);
	expect_attr(net, "IE", "delays", NS_PARAMETER, NS_GLOBAL, NS_DTYPE_F64, d, 1);
	ns_network_free(net);
}
