/* SPDX-License-Identifier: MIT */
/* The common part of the fuzz targets that import files: a store and the
 * build's plugins, made once per process. */
#ifndef NSNAP_FUZZ_IMPORT_TARGET_H
#define NSNAP_FUZZ_IMPORT_TARGET_H

#include <stddef.h>
#include <stdint.h>

#include <nsnap/nsnap.h>

/* What a target works with, made on first use: a store in a new folder
 * (under $TMPDIR, else /dev/shm, else /tmp; removed at exit), whose
 * @prepare (may be NULL) fills it first, and the build's plugins. */
typedef struct fuzz_env {
	ns_store *store;
	ns_plugins *plugins;
	const char *dir;
} fuzz_env;

const fuzz_env *fuzz_env_get(void (*prepare)(ns_store *store));

/* Write @size bytes of @data to @path; 0, or -1 when it cannot. */
int fuzz_write(const char *path, const uint8_t *data, size_t size);

/* Write @data to a file and ns_import() it as @format (onto @onto for a
 * parameter file, NULL otherwise). Errors are the expected outcome of most
 * inputs; crashes are what count. */
void fuzz_import(const uint8_t *data, size_t size, const char *format, const char *onto,
		 void (*prepare)(ns_store *store));

#endif
