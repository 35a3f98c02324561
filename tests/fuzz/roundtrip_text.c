/* SPDX-License-Identifier: MIT */
/* Fuzz target: a round trip through the text format (.nsnt), lossless by
 * itself. */
#include "roundtrip.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const fuzz_roundtrip_opts o = { "text", NULL, NULL, NULL };
	fuzz_roundtrip(data, size, &o);
	return 0;
}
