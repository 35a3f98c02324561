/* SPDX-License-Identifier: MIT */
/* The option initialisers of imports and exports, for bindings that cannot use the
 * _INIT macros. */
#include "internal.h"

NS__OPTS_INIT_FN(ns_import_opts_init, ns_import_opts, NS_IMPORT_OPTS_INIT,
		 NS_IMPORT_OPTS_VERSION)
NS__OPTS_INIT_FN(ns_export_opts_init, ns_export_opts, NS_EXPORT_OPTS_INIT,
		 NS_EXPORT_OPTS_VERSION)
