/* SPDX-License-Identifier: MIT */
/* Fuzz target: the manifest reader (a version's network structure). */
#include <stddef.h>
#include <stdint.h>

#include "internal.h" /* engine's */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	ns_network *net = NULL;
	if (ns_network_new(&net, NULL) == NS_OK)
		ns__manifest_decode(net, data, size);
	ns_network_free(net);
	return 0;
}
