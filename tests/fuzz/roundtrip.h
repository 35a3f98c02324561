/* SPDX-License-Identifier: MIT */
/* The common part of the round-trip fuzz targets: a file imported, the
 * version exported to the same format and imported again must be the same
 * version. A difference is a bug the target reports with abort(). */
#ifndef NSNAP_FUZZ_ROUNDTRIP_H
#define NSNAP_FUZZ_ROUNDTRIP_H

#include "import_target.h"

typedef struct fuzz_roundtrip_opts {
	const char *format;
	/* Parameter files: the revision both imports apply onto; NULL for none. */
	const char *onto;
	/* Fills the new store first (the version @onto names); may be NULL. */
	void (*prepare)(ns_store *store);
	/* The export's options, NULL-terminated; NULL for none. */
	const char *const *export_options;
} fuzz_roundtrip_opts;

/* Import @data as @o->format into version A (an input it refuses ends the
 * run: most do), export A to a file of that format, import the file into
 * version B, and abort() unless ns_diff_versions() finds A and B equal and
 * they have the same network name and attribute kinds (which the diff does
 * not compare). A and B are deleted after. */
void fuzz_roundtrip(const uint8_t *data, size_t size, const fuzz_roundtrip_opts *o);

#endif
