/* SPDX-License-Identifier: MIT */
/* What the pickle and mat plugins share about nsnap's own entry of their
 * files (the 'nsnap' entry that keeps what ANNarchy's layout has no place
 * for): compiled into each of them, working through their host table. */
#ifndef NSNAP_PLUGINS_COMMON_RECORD_H
#define NSNAP_PLUGINS_COMMON_RECORD_H

#include <nsnap/plugin.h>

/* Every plugin names its host table so. */
extern const ns_host *host;

/* The kind, scope and element type named @k, @s and @t (as
 * host->attr_kind_name(), scope_name() and dtype_name() spell them): 1, or
 * 0 when one of them is no such name. */
/* The entry's time in ms (when @has_t; the step count stays) and dt (when
 * @has_dt) onto @net. */
void nsp_set_clock(ns_network *net, int has_t, double t, int has_dt, double dt);

int nsp_attr_desc(ns_attr_kind *kind, ns_scope *scope, ns_dtype *dtype, const char *k,
		  const char *s, const char *t);

/* The kind and element type of an array named @k and @t: 1, or 0 when
 * one of them is no such name. */
int nsp_array_desc(ns_attr_kind *kind, ns_dtype *dtype, const char *k, const char *t);

/* Walks the arrays of the entry's table 'arrays': the network-wide arrays
 * of a network, then the attributes of scope NS_ARRAY of its objects, in
 * their order. Start it zeroed, with net set. */
typedef struct nsp_arrays {
	const ns_network *net;
	size_t obj, attr; /* obj 0: the network itself; i + 1: object i */
} nsp_arrays;

/* The next array: 1 with its @owner's name ("" for the network) and
 * @attr; 0 after the last. */
int nsp_arrays_next(nsp_arrays *it, const char **owner, ns_attr **attr);

/* The number of arrays nsp_arrays_next() walks in @net. */
size_t nsp_arrays_count(const ns_network *net);

/* Row @row (from 1) of the table 'arrays' of the entry of file @path
 * (@entry: "entry 'nsnap'", "variable 'nsnap'"): add array @name of @count
 * values of @dtype, copied from @data, to object @owner of @net, or to
 * the network itself for "". NS_EFORMAT naming the row for an object the
 * file lacks, or the host's error (a name in use, a bad name). */
int nsp_add_array(ns_network *net, const char *path, const char *entry, size_t row,
		  const char *owner, const char *name, ns_attr_kind kind, ns_dtype dtype,
		  uint64_t count, const void *data);

/* *@out: 1 when each of the @count post neurons of projection @proj has a
 * synapse, so that ANNarchy's one value per row holds every value of a
 * semiglobal attribute. */
int nsp_rows_cover(int *out, const ns_object *proj, uint64_t count);

#endif
