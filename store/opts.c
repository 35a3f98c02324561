/* SPDX-License-Identifier: MIT */
/* The option initialisers of the store, for bindings that cannot use the
 * _INIT macros. */
#include "internal.h"

NS__OPTS_INIT_FN(ns_store_opts_init, ns_store_opts, NS_STORE_OPTS_INIT,
		 NS_STORE_OPTS_VERSION)
NS__OPTS_INIT_FN(ns_commit_opts_init, ns_commit_opts, NS_COMMIT_OPTS_INIT,
		 NS_COMMIT_OPTS_VERSION)
