/* SPDX-License-Identifier: MIT */
/* Fuzz target: the zstd filter's reader: frames one after another,
 * skippable frames, damaged and truncated streams; and its writer. */
#include "filter_target.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_filter(data, size, "zstd");
	return 0;
}
