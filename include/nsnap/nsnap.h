/* SPDX-License-Identifier: MIT */
/**
 * @file nsnap.h
 * @brief nsnap: versioned checkpoints of neural-network simulation state.
 *
 * Include this header for the whole public API:
 * - <nsnap/error.h>: error codes, ns_error_last(), ns_strerror();
 * - <nsnap/store.h>: the store, one memory-mapped LMDB file of versions made
 *   of deduplicated chunks; commits, reads (zero-copy views and copy-out),
 *   revisions, tags and branches, delete, verify, statistics, compaction;
 * - <nsnap/network.h>: the network model (populations, projections,
 *   attributes; arrays bound to the simulator's memory or owned by nsnap);
 * - <nsnap/snapshot.h>: snapshot a network into a store, restore a version
 *   into it (checked before written), open a version as a network, change
 *   global parameters in a new version;
 * - <nsnap/diff.h>: a semantic diff of two versions (synapses matched by
 *   their identity, values summarised, unchanged chunks never read);
 * - <nsnap/formats.h>: loading format and filter plugins, importing files
 *   as versions and exporting versions to files (atomically);
 * - <nsnap/plugin.h>: writing a plugin (the only header plugins include).
 *
 * Conventions: functions return an `int` (#NS_OK or a negative
 * #ns_error_code) and write their out-parameter (always the first) only on
 * success; on failure, ns_error_last() says what went wrong and why.
 * Handles are opaque; every `_open`/`_new` has a `_close`/`_free` that
 * accepts NULL. Borrowed pointers say how long they stay valid.
 */
#ifndef NSNAP_NSNAP_H
#define NSNAP_NSNAP_H

#include <nsnap/diff.h>
#include <nsnap/error.h>
#include <nsnap/formats.h>
#include <nsnap/network.h>
#include <nsnap/snapshot.h>
#include <nsnap/store.h>

#define NSNAP_VERSION_MAJOR 0
#define NSNAP_VERSION_MINOR 1
#define NSNAP_VERSION_PATCH 0
#define NSNAP_VERSION_STRING "0.1.0"

#endif
