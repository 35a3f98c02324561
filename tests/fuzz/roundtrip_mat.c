/* SPDX-License-Identifier: MIT */
/* Fuzz target: a round trip through MATLAB files (v5, the default export).
 * What ANNarchy's layout has no place for rides in nsnap's extra entry, so
 * the version comes back whole; names MATLAB refuses (which other formats
 * bring in) are exported with the option rename, which import reverses. */
#include "roundtrip.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const rename[] = { "rename", NULL };
	static const fuzz_roundtrip_opts o = { "mat", NULL, NULL, rename };
	fuzz_roundtrip(data, size, &o);
	return 0;
}
