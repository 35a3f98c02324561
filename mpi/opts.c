/* SPDX-License-Identifier: MIT */
/* Option initialisers, for bindings that cannot use the macros. Every
 * version from 1 to the current one is accepted. */
#include "internal.h"

#define OPTS_INIT_FN(fn, type, init, current)                                       \
	int fn(type *opts, unsigned version)                                        \
	{                                                                           \
		static const type defaults = init;                                  \
		if (!opts)                                                          \
			return nsm_err(NS_EINVAL, #fn ": no options given");        \
		if (version < 1 || version > (current))                             \
			return nsm_err(NS_EINVAL, #fn ": options of version %u (this " \
				       "nsnap knows 1 to %d)", version, (current));    \
		*opts = defaults;                                                   \
		opts->version = version;                                            \
		return NS_OK;                                                       \
	}

OPTS_INIT_FN(ns_mpi_snapshot_opts_init, ns_mpi_snapshot_opts, NS_MPI_SNAPSHOT_OPTS_INIT,
	     NS_MPI_SNAPSHOT_OPTS_VERSION)
OPTS_INIT_FN(ns_mpi_restore_opts_init, ns_mpi_restore_opts, NS_MPI_RESTORE_OPTS_INIT,
	     NS_MPI_RESTORE_OPTS_VERSION)
