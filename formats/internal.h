/* SPDX-License-Identifier: MIT */
/* The plugin host's private definitions, shared by the files of formats/. */
#ifndef NSNAP_FORMATS_INTERNAL_H
#define NSNAP_FORMATS_INTERNAL_H

#include <stdio.h>

#include <nsnap/formats.h>

#include "err.h"
#include "util.h"

/* host.c: the table handed to plugins, and calling them safely. */
extern const ns_host ns__host_table;
/* Before calling a plugin: forget the last error, set the log's verbosity. */
void ns__host_enter(int verbose);
/* After: a negative result without a message gets one naming the plugin
 * and what it was doing; a positive one is a plugin error. */
int ns__host_result(int rc, const ns_plugin *p, const char *what);
/* Every option of @options is one @fmt lists, or NS_EINVAL naming it. */
int ns__options_check(const ns_plugin *fmt, const char *const *options);
/* A plugin's option names, or NULL (none, or built for ABI 1). */
const char *const *ns__plugin_options(const ns_plugin *d);

/* registry.c */
const ns_plugin *ns__plugins_find(const ns_plugins *ps, const char *name, ns_plugin_kind kind);
/* The filter or format whose extensions include @ext (".gz"), or NULL. */
const ns_plugin *ns__plugins_by_ext(const ns_plugins *ps, const char *ext, ns_plugin_kind kind);
/* The highest bid of the plugins of @kind for @head; NULL when none bids. */
const ns_plugin *ns__plugins_probe(const ns_plugins *ps, const unsigned char *head, size_t n,
			       ns_plugin_kind kind);

/* stream.c: a chain of streams over a file, with filters stacked on it. */
ns_istream *ns__istream_file(FILE *f, const char *path);
int ns__istream_filter(ns_istream **top, const ns_plugin *filter, const ns_plugin_args *args);
/* Read ahead up to @n bytes without consuming them. */
int ns__istream_peek(ns_istream *in, const unsigned char **head, size_t *len, size_t n);
void ns__istream_close(ns_istream *top); /* the whole chain, not the FILE */
ptrdiff_t ns__istream_read(ns_istream *in, void *buf, size_t n);
/* The rest of the stream in one malloc'ed buffer, NUL-terminated. */
int ns__istream_read_all(void **out, size_t *size, ns_istream *in);

ns_ostream *ns__ostream_file(FILE *f, const char *path);
int ns__ostream_filter(ns_ostream **top, const ns_plugin *filter, const ns_plugin_args *args);
/* Finish every filter of the chain, innermost first. */
int ns__ostream_finish(ns_ostream *top);
void ns__ostream_close(ns_ostream *top);
int ns__ostream_write(ns_ostream *out, const void *buf, size_t n);

#endif
