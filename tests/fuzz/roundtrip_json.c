/* SPDX-License-Identifier: MIT */
/* Fuzz target: a round trip through a parameter file (JSON). A parameter
 * file keeps global parameters, network constants and the dictionary: the
 * input applied onto version 1 is exported, and the export applied onto
 * version 1 again must give the same version. */
#include <stdio.h>
#include <stdlib.h>

#include "roundtrip.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Version 1: parameters of every element type on a population, a
 * projection and the network, variables (which a parameter file leaves
 * alone), and a dictionary. */
static void prepare(ns_store *store)
{
	ns_network *net = NULL;
	ns_object *e, *ee;
	double tau = 10, v[4] = { 0 }, w = 0.5, g = 9.81;
	float r = 0.25f;
	int64_t big = INT64_C(1) << 53; /* parameters go through doubles */
	int32_t n = 3, pre[2] = { 0, 1 }, post[2] = { 1, 2 };
	uint8_t c = 7, flag = 1;
	int rc = ns_network_new(&net, "n");
	rc = rc ? rc : ns_network_set_meta(net, "model", "lif", 0);
	rc = rc ? rc : ns_network_set_meta(net, "seed", NULL, 42);
	rc = rc ? rc : ns_population_add(&e, net, "E", 4, NULL, 0, "lif");
	rc = rc ? rc : ns_attr_add(NULL, e, "tau", NS_PARAMETER, NS_GLOBAL, NS_DTYPE_F64, &tau, 0);
	rc = rc ? rc : ns_attr_add(NULL, e, "r", NS_PARAMETER, NS_GLOBAL, NS_DTYPE_F32, &r, 0);
	rc = rc ? rc : ns_attr_add(NULL, e, "big", NS_PARAMETER, NS_GLOBAL, NS_DTYPE_I64, &big, 0);
	rc = rc ? rc : ns_attr_add(NULL, e, "n", NS_PARAMETER, NS_GLOBAL, NS_DTYPE_I32, &n, 0);
	rc = rc ? rc : ns_attr_add(NULL, e, "c", NS_PARAMETER, NS_GLOBAL, NS_DTYPE_U8, &c, 0);
	rc = rc ? rc : ns_attr_add(NULL, e, "on", NS_PARAMETER, NS_GLOBAL, NS_DTYPE_BOOL, &flag, 0);
	rc = rc ? rc : ns_attr_add(NULL, e, "v", NS_VARIABLE, NS_LOCAL, NS_DTYPE_F64, v, 0);
	rc = rc ? rc : ns_attr_add(NULL, e, "t_last", NS_VARIABLE, NS_GLOBAL, NS_DTYPE_F64, &w, 0);
	rc = rc ? rc : ns_projection_add(&ee, net, "EE", "E", "E", "exc", "stdp");
	rc = rc ? rc : ns_projection_set_synapses(ee, pre, post, 2, 0);
	rc = rc ? rc : ns_attr_add(NULL, ee, "w", NS_PARAMETER, NS_GLOBAL, NS_DTYPE_F64, &w, 0);
	rc = rc ? rc : ns_attr_add(NULL, ee, "weight", NS_VARIABLE, NS_LOCAL, NS_DTYPE_F64, v, 0);
	rc = rc ? rc : ns_network_attr_add(NULL, net, "g", NS_PARAMETER, NS_DTYPE_F64, 1, &g, 0);
	rc = rc ? rc : ns_snapshot(NULL, store, net, NULL);
	if (rc) {
		fprintf(stderr, "fuzz roundtrip_json: %s\n", ns_error_last()->message);
		exit(2);
	}
	ns_network_free(net);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const fuzz_roundtrip_opts o = { "json", "1", prepare, NULL };
	fuzz_roundtrip(data, size, &o);
	return 0;
}
