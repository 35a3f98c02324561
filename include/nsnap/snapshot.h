/* SPDX-License-Identifier: MIT */
/**
 * @file snapshot.h
 * @brief Snapshot a network into a store, restore a version into it, open a
 *        version as a network, and change the global parameters of one.
 *
 * These follow ANNarchy's save()/load(): switches for populations and
 * projections, a selection by name, one object saved alone. Unlike
 * ANNarchy, a restore checks everything (names, sizes, element types,
 * connectivity) before it writes anything: a failed restore leaves the
 * network as it was, and the error says exactly what differs.
 */
#ifndef NSNAP_SNAPSHOT_H
#define NSNAP_SNAPSHOT_H

#include <nsnap/api.h>

#include <stddef.h>
#include <stdint.h>

#include <nsnap/network.h>
#include <nsnap/store.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Which objects a snapshot or restore takes. */
typedef struct ns_select {
	int no_populations;        /**< leave populations out (ANNarchy's populations=False) */
	int no_projections;        /**< leave projections out */
	const char *const *only;   /**< NULL, or a NULL-terminated list of object names */
} ns_select;

#define NS_SNAPSHOT_OPTS_VERSION 1

/** Options of ns_snapshot(). Initialise with #NS_SNAPSHOT_OPTS_INIT. */
typedef struct ns_snapshot_opts {
	unsigned version;    /**< #NS_SNAPSHOT_OPTS_VERSION */
	const char *message; /**< NULL for "" */
	const char *branch;  /**< as in #ns_commit_opts */
	const char *tag;     /**< as in #ns_commit_opts */
	ns_codec codec;      /**< NS_CODEC_DEFAULT for the store's */
	int level;           /**< zstd level; 0 for the store's */
	ns_select select;
} ns_snapshot_opts;

#define NS_SNAPSHOT_OPTS_INIT { NS_SNAPSHOT_OPTS_VERSION, NULL, NULL, NULL, NS_CODEC_DEFAULT, 0, { 0, 0, NULL } }
/** Initialise @p opts as #NS_SNAPSHOT_OPTS_INIT does, for bindings that cannot
 *  use the macro. @p version: #NS_SNAPSHOT_OPTS_VERSION of the caller's header.
 *  @return NS_OK; NS_EINVAL for a NULL @p opts or a version this nsnap
 *  does not know. */
NS_API int ns_snapshot_opts_init(ns_snapshot_opts *opts, unsigned version);

/**
 * Write the network's state as a new version: its time, dt, dictionary, and
 * the objects @p opts selects with their attributes and connectivity.
 * Arrays are read where they are (bound arrays are not copied, except
 * connectivity-ordered copies of projections whose synapses are not sorted
 * by post, then pre); unchanged arrays cost nothing.
 *
 * It validates the selected objects first: connectivity indices within the
 * sizes of the pre and post populations, which need not be selected.
 *
 * @param out  the new version's number (may be NULL)
 * @return NS_OK; NS_EINVAL for a network that does not validate (the
 *         message names the object and the cause) or a bad option;
 *         NS_ENOTFOUND for a selected name the network lacks; the errors of
 *         ns_commit_finish().
 */
NS_API int ns_snapshot(uint64_t *out, ns_store *store, const ns_network *net,
		       const ns_snapshot_opts *opts);

/** A snapshot being committed in the background (ns_snapshot_async()). */
typedef struct ns_snapshot_job ns_snapshot_job;

/**
 * Snapshot as ns_snapshot() does, without making the simulator wait for the
 * disk: the state is captured (each chunk of the selected arrays hashed,
 * and those the store does not have copied; see ns_commit_capture()), then
 * a thread of its own commits it while the caller goes on. When it
 * returns, the network's arrays may be overwritten at once: the version
 * holds exactly the state at this call. The caller is blocked for about a
 * read of the state plus a copy of the chunks that changed since they were
 * last stored.
 *
 * Memory: the copies of one snapshot per store (at most the state's size,
 * the changed chunks only, in blocks of 16 MiB), kept by the store handle
 * for the next snapshot once the commit ends, freed by ns_store_close(). A second
 * ns_snapshot_async() on a store whose previous one is still committing
 * waits for it before capturing anything: snapshots taken faster than the
 * disk writes them slow the simulator down rather than grow memory.
 *
 * Every job must be ended with ns_snapshot_wait() before the store is
 * closed. Other calls on the store may run meanwhile (commits are
 * serialised), as from any other thread.
 *
 * @param out  the job (required)
 * @return NS_OK with the job started; the errors of ns_snapshot() found
 *         before the commit (validation, options, selection, memory) with
 *         nothing started; the commit's own errors come from
 *         ns_snapshot_wait().
 */
NS_API int ns_snapshot_async(ns_snapshot_job **out, ns_store *store, const ns_network *net,
			     const ns_snapshot_opts *opts);

/** 1 when @p job's commit is over (ns_snapshot_wait() will not block), 0
 *  while it runs; NS_EINVAL for a NULL @p job. */
NS_API int ns_snapshot_poll(const ns_snapshot_job *job);

/** The bytes @p job copied when it captured the state (the chunks the store
 *  did not have); 0 for NULL. */
NS_API uint64_t ns_snapshot_copied(const ns_snapshot_job *job);

/**
 * Wait for @p job's commit to end, give its result, and free the job
 * (always, whatever it returns).
 * @param out  the new version's number (may be NULL)
 * @return NS_OK; the errors of ns_commit_finish(), with the message of the
 *         background commit ("network 'n': snapshot in the background:
 *         ..."); NS_EINVAL for a NULL @p job.
 */
NS_API int ns_snapshot_wait(uint64_t *out, ns_snapshot_job *job);

/** What a restore did to one attribute (or object). */
typedef enum ns_restore_status {
	NS_RESTORED = 0,      /**< values written */
	NS_CONVERTED = 1,     /**< values written, converted between float types */
	NS_STORE_ONLY = 2,    /**< in the version, not in the network: skipped */
	NS_NETWORK_ONLY = 3,  /**< in the network, not in the version: left as is */
} ns_restore_status;

/** One line of a restore report. */
typedef struct ns_restore_item {
	const char *object;
	const char *attr;     /**< NULL when the whole object is meant */
	ns_restore_status status;
	const char *detail;   /**< e.g. "f64 -> f32"; "" when there is none */
} ns_restore_item;

/** The report of a restore; free with ns_restore_report_free(). */
typedef struct ns_restore_report {
	size_t n_items;
	const ns_restore_item *items;
	size_t restored, converted, skipped;
	uint64_t version;     /**< the version restored */
} ns_restore_report;

NS_API void ns_restore_report_free(ns_restore_report *report);

#define NS_RESTORE_OPTS_VERSION 1

/** Options of ns_restore(). Initialise with #NS_RESTORE_OPTS_INIT. */
typedef struct ns_restore_opts {
	unsigned version;   /**< #NS_RESTORE_OPTS_VERSION */
	ns_select select;
	int convert;        /**< allow f64 <-> f32 conversion (reported) */
	int strict;         /**< any skip is an error (NS_EMISMATCH) */
	int verify;         /**< check chunk hashes while reading */
	int no_time;        /**< leave the time, dt and network-wide arrays as they are */
} ns_restore_opts;

#define NS_RESTORE_OPTS_INIT { NS_RESTORE_OPTS_VERSION, { 0, 0, NULL }, 0, 0, 0, 0 }
/** Initialise @p opts as #NS_RESTORE_OPTS_INIT does, for bindings that cannot
 *  use the macro. @p version: #NS_RESTORE_OPTS_VERSION of the caller's header.
 *  @return NS_OK; NS_EINVAL for a NULL @p opts or a version this nsnap
 *  does not know. */
NS_API int ns_restore_opts_init(ns_restore_opts *opts, unsigned version);

/**
 * Restore revision @p rev into @p net: the values of every attribute both
 * have, for the objects @p opts selects, and the time and dt (not the
 * network dictionary, which belongs to parameter files: read it from
 * ns_network_open()). Everything is
 * checked before anything is written: for each object in both, its kind,
 * size (and geometry), pre and post populations and connectivity (the same
 * synapses, in any order); for each attribute in both, its scope and length
 * and its element type (f64 and f32 convert into each other with
 * @p opts->convert). Objects and attributes in only one of them are
 * skipped, as ANNarchy skips them, and reported.
 *
 * Whatever fails (a check, a damaged chunk, memory) fails before the first
 * write: a failed restore leaves every array, the time and dt of @p net as
 * they were. Raw chunks are read in place from the map; compressed ones
 * are first decoded into memory the restore holds until it returns (as
 * much as the compressed arrays' raw size).
 *
 * @param report  what was done (may be NULL); written on success only
 * @return NS_OK; NS_EMISMATCH when anything differs (the message says
 *         exactly what; the network is unchanged), also for any skip with
 *         @p opts->strict; NS_ENOTFOUND for a selected name in neither;
 *         NS_EREADONLY for an opened network; NS_EINVAL for a NULL @p net
 *         or a bad option; NS_ENOMEM; the errors of ns_version_open() and
 *         of reading.
 */
NS_API int ns_restore(ns_restore_report **report, ns_store *store, const char *rev,
		      ns_network *net, const ns_restore_opts *opts);

/**
 * Open revision @p rev as a read-only network, to walk it or to build a
 * simulator from it, into @p out (required). Its arrays are zero-copy views into the store's map
 * where they are one raw, aligned chunk, copies otherwise (see
 * ns_attr_data()); connectivity is loaded at once. The
 * version stays open (a read transaction) until ns_network_free().
 * @return NS_OK; NS_EINVAL for a NULL @p out; NS_ECORRUPT for a damaged
 *         structure; the errors of ns_version_open().
 */
NS_API int ns_network_open(ns_network **out, ns_store *store, const char *rev);

/** The version an opened network came from; 0 for others. */
NS_API uint64_t ns_network_version(const ns_network *net);

/** One change of a parameter, for ns_params_set(). */
typedef struct ns_param {
	/** population or projection; "" for the network's own arrays (its
	 *  constants: network-wide parameters of one value) */
	const char *object;
	const char *name;   /**< attribute */
	double value;
} ns_param;

/** What ns_params_set() did with one ns_param. */
typedef struct ns_param_result {
	int applied;          /**< 0 when skipped */
	double old_value;     /**< the first old value */
	const char *reason;   /**< why it was skipped ("" when applied); static */
} ns_param_result;

#define NS_PARAMS_OPTS_VERSION 1

/** Options of ns_params_set(). Initialise with #NS_PARAMS_OPTS_INIT. */
typedef struct ns_params_opts {
	unsigned version;    /**< #NS_PARAMS_OPTS_VERSION */
	/** Only global parameters (ANNarchy's default); with 0, a local or
	 *  semiglobal parameter gets the one value for every element. */
	int global_only;
	const char *message; /**< of the new version; NULL for "parameters" */
	const char *branch;  /**< as in #ns_commit_opts */
	/** When not NULL, its network dictionary replaces the version's (as a
	 *  parameter file's "network" entry does). */
	const ns_network *dictionary;
} ns_params_opts;

#define NS_PARAMS_OPTS_INIT { NS_PARAMS_OPTS_VERSION, 1, NULL, NULL, NULL }
/** Initialise @p opts as #NS_PARAMS_OPTS_INIT does, for bindings that cannot
 *  use the macro. @p version: #NS_PARAMS_OPTS_VERSION of the caller's header.
 *  @return NS_OK; NS_EINVAL for a NULL @p opts or a version this nsnap
 *  does not know. */
NS_API int ns_params_opts_init(ns_params_opts *opts, unsigned version);

/**
 * Give parameters new values in a new version made from revision @p rev:
 * every other array is shared with @p rev (no data is copied or written
 * again). Unknown objects or attributes, variables, and (with global_only)
 * non-global parameters are skipped and reported in @p results (may be
 * NULL; else @p n entries), as ANNarchy's load_parameters() skips them.
 * @param out  the new version (may be NULL); when nothing changes (every
 *             parameter applied already has its value, and the dictionary
 *             is the same), no version is made and *out is @p rev's number
 * @return NS_OK; NS_EINVAL for a value the element type cannot hold
 *         (0.5 for an i32, 2 for a bool); the errors of ns_version_open()
 *         and ns_commit_finish().
 */
NS_API int ns_params_set(uint64_t *out, ns_param_result *results, ns_store *store, const char *rev,
			 const ns_param *params, size_t n, const ns_params_opts *opts);

#ifdef __cplusplus
}
#endif
#endif
