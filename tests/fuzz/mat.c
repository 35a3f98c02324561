/* SPDX-License-Identifier: MIT */
/* Fuzz target: the mat plugin's import of MATLAB files (through matio),
 * through the host (a file it reads becomes a new version). */
#include "import_target.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_import(data, size, "mat", NULL, NULL);
	return 0;
}
