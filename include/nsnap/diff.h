/* SPDX-License-Identifier: MIT */
/**
 * @file diff.h
 * @brief A semantic diff of two versions: what learning (or a user) changed.
 *
 * Objects are matched by name; synapses by their (pre, post) identity, not
 * by their position, so that a projection that gained and lost synapses
 * still compares the values of the synapses it kept. For every attribute of
 * the objects in both versions the diff counts the values that changed by
 * more than a tolerance and summarises the differences (b - a). Arrays whose
 * chunks are the same in both versions are known equal from their hashes
 * and are not read at all, which makes the diff of two checkpoints that
 * differ in one small projection nearly free.
 */
#ifndef NSNAP_DIFF_H
#define NSNAP_DIFF_H

#include <nsnap/api.h>

#include <stddef.h>
#include <stdint.h>

#include <nsnap/network.h>
#include <nsnap/snapshot.h>
#include <nsnap/store.h>

#ifdef __cplusplus
extern "C" {
#endif

/** How an object, an attribute or a network dictionary entry differs. */
typedef enum ns_change {
	NS_SAME = 0,     /**< equal (within the tolerance) */
	NS_ADDED = 1,    /**< only in b */
	NS_REMOVED = 2,  /**< only in a */
	NS_CHANGED = 3,  /**< in both, different */
} ns_change;

/** The difference of one attribute of an object in both versions (or in
 *  one only: then only name, change and a's or b's description are set).
 *
 *  Values are compared in one of two ways. When both element types are
 *  integers (i64, i32, u8, bool) they are compared as 64-bit integers,
 *  exactly, over the whole i64 range: #integer is 1, and max_abs_u64,
 *  value_a_i64 and value_b_i64 hold the exact results (max_abs, value_a
 *  and value_b then hold their nearest doubles, which past 2^53 are not
 *  exact). Otherwise (f64, f32, or an integer type against a float type)
 *  they are compared as doubles.
 *
 *  The tolerance: a value is changed when |b - a| > tol. For integers |b -
 *  a| is the exact distance (as an unsigned 64-bit number), compared with
 *  tol exactly: with tol 0 any difference counts, with tol 2.5 differences
 *  of 3 and more. For floats, as doubles; a value that is NaN in one
 *  version only, or whose difference is not finite, always counts. */
typedef struct ns_diff_attr {
	const char *name;
	ns_change change;
	ns_attr_kind kind;        /**< b's (a's when removed) */
	ns_scope scope_a, scope_b;
	ns_dtype dtype_a, dtype_b;
	uint64_t count_a, count_b;
	/** The values compared: for local attributes of projections, those of
	 *  the synapses in both; otherwise count_a when scope, dtype and count
	 *  match, else 0 (the attribute is reported changed, not compared). */
	uint64_t compared;
	uint64_t changed;         /**< compared values with |b - a| > tol (or NaN-ness differs) */
	/** max |b - a| over the compared values (integers: max_abs_u64, rounded) */
	double max_abs;
	double mean;              /**< mean of b - a over the compared values */
	double rms;               /**< root mean square of b - a */
	double value_a, value_b;  /**< globals: the values (as doubles) */
	int unread;               /**< known equal from the chunk hashes, not read */
	/* Appended to the fields above, which keep their offsets. */
	/** 1 when the values were compared as integers (both element types
	 *  are integers): the three fields below are set. */
	int integer;
	/** Integers: max |b - a| over the compared values, exactly (up to
	 *  2^64 - 1, the distance from INT64_MIN to INT64_MAX). */
	uint64_t max_abs_u64;
	/** Integer globals: the values, exactly. */
	int64_t value_a_i64, value_b_i64;
} ns_diff_attr;

/** The difference of one population or projection. */
typedef struct ns_diff_object {
	const char *name;
	ns_object_kind kind;
	ns_change change;
	uint64_t size_a, size_b;      /**< neurons; synapses of projections */
	/** Projections in both: synapses only in a (removed), only in b
	 *  (added), and in both. A multapse counts once per copy. */
	uint64_t syn_removed, syn_added, syn_common;
	/** What else differs ("pre E -> I", "geometry (10, 10) -> (100)",
	 *  "type ..."); "" when nothing. */
	const char *detail;
	size_t n_attrs;
	const ns_diff_attr *attrs;
} ns_diff_object;

/** A network dictionary entry that differs (values printed as text). */
typedef struct ns_diff_meta {
	const char *key;
	ns_change change;
	const char *value_a, *value_b; /**< NULL on the side that lacks it */
} ns_diff_meta;

/** The diff of two versions; free with ns_diff_free(). Strings are valid
 *  until then. */
typedef struct ns_diff {
	uint64_t version_a, version_b;
	double t_a, t_b;              /**< simulation times, ms */
	double dt_a, dt_b;
	size_t n_objects;
	/** a's objects in order, then b's new ones, then (when either version
	 *  has network-wide arrays) the network's own, kind
	 *  #NS_NETWORK_ITSELF and name "", which counts with the time and
	 *  dictionary: not under a selection. */
	const ns_diff_object *objects;
	size_t n_meta;
	const ns_diff_meta *meta;      /**< differing dictionary entries only */
	/** Nothing differs: the selected objects, and without a selection also
	 *  the time, dt and dictionary (which are reported either way). */
	int equal;
	uint64_t bytes_read;           /**< array bytes read to compare values */
} ns_diff;

#define NS_DIFF_OPTS_VERSION 1

/** Options of ns_diff_versions(). Initialise with #NS_DIFF_OPTS_INIT. */
typedef struct ns_diff_opts {
	unsigned version;  /**< #NS_DIFF_OPTS_VERSION */
	/** Ignore |b - a| <= tol (0: any change counts); integers compare
	 *  their exact distance with it (see #ns_diff_attr). */
	double tol;
	ns_select select;  /**< objects to compare (as a snapshot selects them) */
	int verify;        /**< check the hashes of chunks read */
} ns_diff_opts;

#define NS_DIFF_OPTS_INIT { NS_DIFF_OPTS_VERSION, 0.0, { 0, 0, NULL }, 0 }
/** Initialise @p opts as #NS_DIFF_OPTS_INIT does, for bindings that cannot
 *  use the macro. @p version: #NS_DIFF_OPTS_VERSION of the caller's header.
 *  @return NS_OK; NS_EINVAL for a NULL @p opts or a version this nsnap
 *  does not know. */
NS_API int ns_diff_opts_init(ns_diff_opts *opts, unsigned version);

/**
 * Compare revision @p rev_b against revision @p rev_a (differences are
 * b - a). Both must hold networks (versions made by a snapshot or an
 * import).
 * @return NS_OK (whether or not they differ: see (*out)->equal);
 *         NS_ENOTFOUND for an unknown revision or selected name; NS_EINVAL
 *         for a negative or NaN tolerance or a NULL @p out; NS_EFORMAT for
 *         a version without a network; NS_ECORRUPT; NS_ENOMEM.
 */
NS_API int ns_diff_versions(ns_diff **out, ns_store *store, const char *rev_a, const char *rev_b,
			    const ns_diff_opts *opts);

/** Free a diff. Accepts NULL. */
NS_API void ns_diff_free(ns_diff *diff);

/** The name of a change: "same", "added", "removed", "changed". */
NS_API const char *ns_change_name(ns_change change);

#ifdef __cplusplus
}
#endif
#endif
