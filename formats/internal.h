/* The plugin host's private definitions, shared by the files of formats/. */
#ifndef NSNAP_FORMATS_INTERNAL_H
#define NSNAP_FORMATS_INTERNAL_H

#include <stdio.h>

#include <nsnap/formats.h>

#include "err.h"

/* host.c: the table handed to plugins, and calling them safely. */
extern const ns_host host_table;
/* Before calling a plugin: forget the last error, set the log's verbosity. */
void host_enter(int verbose);
/* After: a negative result without a message gets one naming the plugin
 * and what it was doing; a positive one is a plugin error. */
int host_result(int rc, const ns_plugin *p, const char *what);
/* Every option of @options is one @fmt lists, or NS_EINVAL naming it. */
int options_check(const ns_plugin *fmt, const char *const *options);
/* A plugin's option names, or NULL (none, or built for ABI 1). */
const char *const *plugin_options(const ns_plugin *d);

/* registry.c */
const ns_plugin *plugins_find(const ns_plugins *ps, const char *name, ns_plugin_kind kind);
/* The filter or format whose extensions include @ext (".gz"), or NULL. */
const ns_plugin *plugins_by_ext(const ns_plugins *ps, const char *ext, ns_plugin_kind kind);
/* The highest bid of the plugins of @kind for @head; NULL when none bids. */
const ns_plugin *plugins_probe(const ns_plugins *ps, const unsigned char *head, size_t n,
			       ns_plugin_kind kind);

/* stream.c: a chain of streams over a file, with filters stacked on it. */
ns_istream *istream_file(FILE *f, const char *path);
int istream_filter(ns_istream **top, const ns_plugin *filter, const ns_plugin_args *args);
/* Read ahead up to @n bytes without consuming them. */
int istream_peek(ns_istream *in, const unsigned char **head, size_t *len, size_t n);
void istream_close(ns_istream *top); /* the whole chain, not the FILE */
ptrdiff_t istream_read(ns_istream *in, void *buf, size_t n);
/* The rest of the stream in one malloc'ed buffer, NUL-terminated. */
int istream_read_all(void **out, size_t *size, ns_istream *in);

ns_ostream *ostream_file(FILE *f, const char *path);
int ostream_filter(ns_ostream **top, const ns_plugin *filter, const ns_plugin_args *args);
/* Finish every filter of the chain, innermost first. */
int ostream_finish(ns_ostream *top);
void ostream_close(ns_ostream *top);
int ostream_write(ns_ostream *out, const void *buf, size_t n);

#endif
