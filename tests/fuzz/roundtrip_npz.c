/* SPDX-License-Identifier: MIT */
/* Fuzz target: a round trip through NumPy's .npz. What ANNarchy's layout
 * has no place for rides in nsnap's extra entry, so the version comes back
 * whole. */
#include "roundtrip.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const fuzz_roundtrip_opts o = { "npz", NULL, NULL, NULL };
	fuzz_roundtrip(data, size, &o);
	return 0;
}
