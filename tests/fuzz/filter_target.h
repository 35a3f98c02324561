/* SPDX-License-Identifier: MIT */
/* The common part of the fuzz targets of filters (gzip, zstd). */
#ifndef NSNAP_FUZZ_FILTER_TARGET_H
#define NSNAP_FUZZ_FILTER_TARGET_H

#include <stddef.h>
#include <stdint.h>

/* Decode @data through the filter @name's reader, in memory, twice: once in
 * large reads, once in reads of mixed small sizes; abort() unless both give
 * the same bytes and the same outcome. Then encode @data through its writer
 * and abort() unless its reader gives @data back. */
void fuzz_filter(const uint8_t *data, size_t size, const char *name);

#endif
