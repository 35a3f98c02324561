/* SPDX-License-Identifier: MIT */
/* The option initialisers of the engine, for bindings that cannot use the
 * _INIT macros. */
#include "internal.h"

#include <nsnap/diff.h>

NS__OPTS_INIT_FN(ns_snapshot_opts_init, ns_snapshot_opts, NS_SNAPSHOT_OPTS_INIT,
		 NS_SNAPSHOT_OPTS_VERSION)
NS__OPTS_INIT_FN(ns_restore_opts_init, ns_restore_opts, NS_RESTORE_OPTS_INIT,
		 NS_RESTORE_OPTS_VERSION)
NS__OPTS_INIT_FN(ns_params_opts_init, ns_params_opts, NS_PARAMS_OPTS_INIT,
		 NS_PARAMS_OPTS_VERSION)
NS__OPTS_INIT_FN(ns_diff_opts_init, ns_diff_opts, NS_DIFF_OPTS_INIT,
		 NS_DIFF_OPTS_VERSION)
