/* The text format's shared parts: the host table, names of kinds, scopes
 * and element types, and the words a bare name may not be. */
#ifndef NSNAP_PLUGIN_TEXT_H
#define NSNAP_PLUGIN_TEXT_H

#include <nsnap/plugin.h>

#define TX_MAGIC "# nsnap text "
#define TX_VERSION 1

extern const ns_host *host;

/* "f64", "bool"...; NULL for a type the format does not write. */
const char *tx_dtype_name(ns_dtype dtype);
/* The type of @name; 0 (NS_DTYPE_BYTES) when unknown. */
ns_dtype tx_dtype_of(const char *name);
/* A name that must be quoted to not read as a keyword. */
int tx_is_keyword(const char *s, size_t n);
/* A byte that a bare (unquoted) name may hold. */
int tx_is_bare(unsigned char c);

int tx_export(ns_ostream *out, const ns_network *net, const ns_plugin_args *args);
int tx_import(ns_network **out, ns_istream *in, const ns_plugin_args *args);

#endif
