/* SPDX-License-Identifier: MIT */
/* The text format's shared parts: the host table, names of kinds, scopes
 * and element types, and the words a bare name may not be. */
#ifndef NSNAP_PLUGIN_TEXT_H
#define NSNAP_PLUGIN_TEXT_H

#include <nsnap/plugin.h>

#define TX_MAGIC "# nsnap text "
/* The newest version, written only when a file needs it: version 2 added
 * network-wide arrays and attributes of scope array (the lines 'array'
 * and 'values'). A file without them is written as version 1, which
 * older readers read. */
#define TX_VERSION 2
#define TX_VERSION_MIN 1

extern const ns_host *host;

/* "f64", "bool"...; NULL for a type the format does not write. */
const char *tx_dtype_name(ns_dtype dtype);
/* The type of @name; 0 (NS_DTYPE_BYTES) when unknown. */
ns_dtype tx_dtype_of(const char *name);
/* A name that must be quoted to not read as a keyword of a file of
 * @version (the words a version added are names in older files). */
int tx_is_keyword(const char *s, size_t n, unsigned version);
/* A byte that a bare (unquoted) name may hold. */
int tx_is_bare(unsigned char c);

int tx_export(ns_ostream *out, const ns_network *net, const ns_plugin_args *args);
int tx_import(ns_network **out, ns_istream *in, const ns_plugin_args *args);

#endif
