/* SPDX-License-Identifier: MIT */
/* Fuzz target: a round trip through ANNarchy's pickles (.data). What
 * ANNarchy's layout has no place for rides in nsnap's extra entry, so the
 * version comes back whole. */
#include "roundtrip.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const fuzz_roundtrip_opts o = { "pickle", NULL, NULL, NULL };
	fuzz_roundtrip(data, size, &o);
	return 0;
}
