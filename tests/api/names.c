/* SPDX-License-Identifier: MIT */
/* A program's own functions never take over nsnap's internals: this file
 * defines names that libnsnap once used internally (and exported), each
 * doing the wrong thing, and checks that nsnap still behaves. Built twice:
 * against libnsnap.so (interposition) and libnsnap.a (a clash at link
 * time would fail the build). */
#include "util.h"

#include <stddef.h>
#include <stdio.h>

int name_check(const char *what, const char *name);
int grow_array(void *items, size_t *cap, size_t n, size_t size);
int selected(const void *sel, const void *obj);
int calls;

/* Accepts every name, bad ones too. */
int name_check(const char *what, const char *name)
{
	(void)what;
	(void)name;
	calls++;
	return 0;
}

/* Never grows anything. */
int grow_array(void *items, size_t *cap, size_t n, size_t size)
{
	(void)items;
	(void)cap;
	(void)n;
	(void)size;
	calls++;
	return NS_ENOMEM;
}

/* Selects nothing. */
int selected(const void *sel, const void *obj)
{
	(void)sel;
	(void)obj;
	calls++;
	return 0;
}

Test(api_names, a_program_defining_name_check_does_not_change_nsnaps_name_rules)
{
	ns_network *net;
	NT_OK(ns_network_new(&net, "net"));
	NT_FAILS(NS_EINVAL, ns_population_add(NULL, net, "a/b", 4, NULL, 0, NULL));
	NT_MESSAGE_HAS("'/' and control characters are not allowed");
	NT_OK(ns_population_add(NULL, net, "E", 4, NULL, 0, NULL));
	cr_assert_eq(ns_network_object_count(net), 1);
	cr_assert_eq(calls, 0, "nsnap called the program's functions %d times", calls);
	ns_network_free(net);
}

Test(api_names, a_program_defining_grow_array_and_selected_still_snapshots_and_restores)
{
	ns_store *store;
	ns_network *net;
	ns_object *pop;
	double v[3] = { -70, -65, -60 }, *out;
	uint64_t version;
	ns_network *opened;
	ns_store_opts so = NS_STORE_OPTS_INIT;
	so.flags = NS_STORE_CREATE;
	NT_OK(ns_store_open(&store, nt_path("names.nsnap"), &so));
	NT_OK(ns_network_new(&net, "net"));
	NT_OK(ns_population_add(&pop, net, "E", 3, NULL, 0, "lif"));
	for (int i = 0; i < 8; i++) {
		char name[8];
		snprintf(name, sizeof name, "a%d", i);
		NT_OK(ns_attr_add(NULL, pop, name, NS_VARIABLE, NS_LOCAL, NS_DTYPE_F64, v, 0));
	}
	NT_OK(ns_snapshot(&version, store, net, NULL));
	NT_OK(ns_network_open(&opened, store, "HEAD"));
	cr_assert_eq(ns_network_object_count(opened), 1);
	pop = ns_network_object_find(opened, "E");
	cr_assert(pop != NULL);
	cr_assert_eq(ns_object_attr_count(pop), 8);
	NT_OK(ns_attr_data((void **)&out, ns_object_attr_find(pop, "a7")));
	cr_assert_eq(out[2], -60);
	cr_assert_eq(calls, 0, "nsnap called the program's functions %d times", calls);
	ns_network_free(opened);
	ns_network_free(net);
	ns_store_close(store);
}
