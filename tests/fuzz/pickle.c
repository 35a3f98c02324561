/* SPDX-License-Identifier: MIT */
/* Fuzz target: the pickle plugin's import, through the host (a file it reads
 * becomes a new version). */
#include "import_target.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_import(data, size, "pickle", NULL, NULL);
	return 0;
}
