/* SPDX-License-Identifier: MIT */
/* The json format's shared parts: the host table, the file's name for
 * messages, and the two directions (json_write.c, json_read.c). */
#ifndef NSNAP_PLUGIN_JSON_H
#define NSNAP_PLUGIN_JSON_H

#include <nsnap/plugin.h>

extern const ns_host *host;

static inline const char *path_of(const ns_plugin_args *args)
{
	return args && args->path ? args->path : "(stream)";
}

int js_export(ns_ostream *out, const ns_network *net, const ns_plugin_args *args);
int js_import(ns_network **out, ns_istream *in, const ns_plugin_args *args);

#endif
