/* SPDX-License-Identifier: MIT */
/* Fuzz target: the gzip filter's reader (zlib): members one after another,
 * zero padding, damaged and truncated streams; and its writer. */
#include "filter_target.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_filter(data, size, "gzip");
	return 0;
}
