/* SPDX-License-Identifier: MIT */
/* Fuzz target: the json plugin's import, through the host, applied onto a
 * version of a small network. */
#include <stdio.h>
#include <stdlib.h>

#include "import_target.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Version 1: a population with global and local parameters. */
static void prepare(ns_store *store)
{
	ns_network *net = NULL;
	ns_object *e;
	double tau = 10, v[4] = { 0 };
	int32_t n = 3;
	if (ns_network_new(&net, "n") || ns_population_add(&e, net, "E", 4, NULL, 0, NULL) ||
	    ns_attr_add(NULL, e, "tau", NS_PARAMETER, NS_GLOBAL, NS_DTYPE_F64, &tau, 0) ||
	    ns_attr_add(NULL, e, "n", NS_PARAMETER, NS_GLOBAL, NS_DTYPE_I32, &n, 0) ||
	    ns_attr_add(NULL, e, "v", NS_PARAMETER, NS_LOCAL, NS_DTYPE_F64, v, 0) ||
	    ns_snapshot(NULL, store, net, NULL)) {
		fprintf(stderr, "fuzz json: %s\n", ns_error_last()->message);
		exit(2);
	}
	ns_network_free(net);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_import(data, size, "json", "1", prepare);
	return 0;
}
