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
int nsp_attr_desc(ns_attr_kind *kind, ns_scope *scope, ns_dtype *dtype, const char *k,
		  const char *s, const char *t);

/* *@out: 1 when each of the @count post neurons of projection @proj has a
 * synapse, so that ANNarchy's one value per row holds every value of a
 * semiglobal attribute. */
int nsp_rows_cover(int *out, const ns_object *proj, uint64_t count);

#endif
