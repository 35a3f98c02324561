/* The common part of the fuzz targets of importers. */
#ifndef NSNAP_FUZZ_IMPORT_TARGET_H
#define NSNAP_FUZZ_IMPORT_TARGET_H

#include <stddef.h>
#include <stdint.h>

#include <nsnap/nsnap.h>

/* Write @data to a file and ns_import() it as @format (onto @onto for a
 * parameter file, NULL otherwise) into a store made once per process with
 * the build's plugins; @prepare (may be NULL) fills the new store first.
 * Errors are the expected outcome of most inputs; crashes are what count. */
void fuzz_import(const uint8_t *data, size_t size, const char *format, const char *onto,
		 void (*prepare)(ns_store *store));

#endif
