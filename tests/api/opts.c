/* SPDX-License-Identifier: MIT */
/* Option structs: every version from 1 to the current one is accepted, 0
 * and newer ones are refused with a message that says which; the
 * ns_*_opts_init() functions give what the _INIT macros give. */
#include "util.h"

#include <string.h>

/* An _opts_init() sets the version asked for, and refuses a bad version
 * or no struct. (Its other fields: the next test.) */
#define CHECK_INIT(type, fn, INIT, VERSION)                                   \
	do {                                                                  \
		type made;                                                    \
		memset(&made, 0xa5, sizeof made);                             \
		NT_OK(fn(&made, VERSION));                                    \
		cr_assert_eq(made.version, VERSION);                          \
		NT_FAILS(NS_EINVAL, fn(&made, VERSION + 1));                  \
		NT_MESSAGE_HAS("newer than this nsnap's");                    \
		NT_FAILS(NS_EINVAL, fn(&made, 0));                            \
		NT_FAILS(NS_EINVAL, fn(NULL, VERSION));                       \
		NT_MESSAGE_HAS(#fn);                                          \
	} while (0)

Test(api_opts, every_opts_init_gives_what_its_macro_gives_and_refuses_unknown_versions)
{
	CHECK_INIT(ns_store_opts, ns_store_opts_init, NS_STORE_OPTS_INIT, NS_STORE_OPTS_VERSION);
	CHECK_INIT(ns_commit_opts, ns_commit_opts_init, NS_COMMIT_OPTS_INIT,
		   NS_COMMIT_OPTS_VERSION);
	CHECK_INIT(ns_snapshot_opts, ns_snapshot_opts_init, NS_SNAPSHOT_OPTS_INIT,
		   NS_SNAPSHOT_OPTS_VERSION);
	CHECK_INIT(ns_restore_opts, ns_restore_opts_init, NS_RESTORE_OPTS_INIT,
		   NS_RESTORE_OPTS_VERSION);
	CHECK_INIT(ns_params_opts, ns_params_opts_init, NS_PARAMS_OPTS_INIT,
		   NS_PARAMS_OPTS_VERSION);
	CHECK_INIT(ns_diff_opts, ns_diff_opts_init, NS_DIFF_OPTS_INIT, NS_DIFF_OPTS_VERSION);
	CHECK_INIT(ns_import_opts, ns_import_opts_init, NS_IMPORT_OPTS_INIT,
		   NS_IMPORT_OPTS_VERSION);
	CHECK_INIT(ns_export_opts, ns_export_opts_init, NS_EXPORT_OPTS_INIT,
		   NS_EXPORT_OPTS_VERSION);
}

Test(api_opts, defaults_from_opts_init_are_the_macros_field_by_field)
{
	ns_store_opts so;
	ns_restore_opts ro;
	ns_params_opts po;
	ns_commit_opts co;
	ns_import_opts io;
	memset(&so, 0xa5, sizeof so);
	memset(&ro, 0xa5, sizeof ro);
	memset(&po, 0xa5, sizeof po);
	memset(&co, 0xa5, sizeof co);
	memset(&io, 0xa5, sizeof io);
	NT_OK(ns_commit_opts_init(&co, NS_COMMIT_OPTS_VERSION));
	cr_assert_eq(co.message, NULL);
	cr_assert_eq(co.codec, NS_CODEC_DEFAULT);
	NT_OK(ns_import_opts_init(&io, NS_IMPORT_OPTS_VERSION));
	cr_assert_eq(io.format, NULL);
	cr_assert_eq(io.options, NULL);
	NT_OK(ns_store_opts_init(&so, NS_STORE_OPTS_VERSION));
	cr_assert_eq(so.flags, 0);
	cr_assert_eq(so.codec, NS_CODEC_RAW);
	NT_OK(ns_restore_opts_init(&ro, NS_RESTORE_OPTS_VERSION));
	cr_assert_eq(ro.select.no_populations, 0);
	cr_assert_eq(ro.select.only, NULL);
	NT_OK(ns_params_opts_init(&po, NS_PARAMS_OPTS_VERSION));
	cr_assert_eq(po.global_only, 1);
}

/* Each function that takes options checks their version the same way. */
Test(api_opts, functions_taking_options_accept_version_1_and_refuse_newer_ones)
{
	ns_store *s;
	ns_store_opts so = NS_STORE_OPTS_INIT;
	ns_snapshot_opts sn = NS_SNAPSHOT_OPTS_INIT;
	ns_diff_opts d = NS_DIFF_OPTS_INIT;
	ns_diff *diff;
	ns_network *net;
	uint64_t v;
	double x[2] = { 1, 2 };

	so.flags = NS_STORE_CREATE;
	so.version = 1;
	NT_OK(ns_store_open(&s, nt_path("opts.nsnap"), &so));
	NT_OK(ns_network_new(&net, "n"));
	NT_OK(ns_population_add(NULL, net, "E", 2, NULL, 0, NULL));
	NT_OK(ns_attr_add(NULL, ns_network_object_find(net, "E"), "v", NS_VARIABLE, NS_LOCAL,
			  NS_DTYPE_F64, x, 0));
	sn.version = 1;
	NT_OK(ns_snapshot(&v, s, net, &sn));
	sn.version = NS_SNAPSHOT_OPTS_VERSION + 1;
	NT_FAILS(NS_EINVAL, ns_snapshot(&v, s, net, &sn));
	NT_MESSAGE_HAS("snapshot: options version");
	NT_MESSAGE_HAS("newer than this nsnap's");
	sn.version = 0;
	NT_FAILS(NS_EINVAL, ns_snapshot(&v, s, net, &sn));
	NT_MESSAGE_HAS("_INIT macro or _opts_init()");
	d.version = 1;
	NT_OK(ns_diff_versions(&diff, s, "1", "1", &d));
	ns_diff_free(diff);
	d.version = 99;
	NT_FAILS(NS_EINVAL, ns_diff_versions(&diff, s, "1", "1", &d));
	NT_MESSAGE_HAS("options version 99 is newer");
	ns_network_free(net);
	ns_store_close(s);
	so.flags = 0;
	so.version = NS_STORE_OPTS_VERSION + 1;
	NT_FAILS(NS_EINVAL, ns_store_open(&s, nt_path("opts.nsnap"), &so));
	NT_MESSAGE_HAS("opts.nsnap");
}
