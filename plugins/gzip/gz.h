/* SPDX-License-Identifier: MIT */
/* What the gzip filter's reader (gzip.c) and writer (gzip_write.c) share. */
#ifndef NSNAP_PLUGIN_GZ_H
#define NSNAP_PLUGIN_GZ_H

#include <nsnap/plugin.h>

#include <stddef.h>

#define GZ_DEFAULT_LEVEL 6
#define GZ_MAX_LEVEL 9 /* gzip(1)'s levels; libdeflate's 10..12 are not offered */

/* The host's table, set once by init(). */
extern const ns_host *host;

/* A copy of @s ("" for NULL) from the host's allocator, or NULL. */
char *gz_strdup(const char *s);

int gz_writer_open(void **state, ns_ostream *below, const ns_plugin_args *args);
int gz_write(void *state, const void *buf, size_t n);
int gz_writer_finish(void *state);
void gz_writer_close(void *state);

#endif
