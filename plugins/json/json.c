/* SPDX-License-Identifier: MIT */
/* The JSON format: ANNarchy's parameter files (save_parameters() and
 * load_parameters()), the global parameters of every population and
 * projection plus a free "network" dictionary:
 *
 *     {"populations": {"<pop>": {"<param>": value, ...}, ...},
 *      "projections": {"<proj>": {"<param>": value, ...}, ...},
 *      "network": {"<key>": number or string, ...},
 *      "constants": {"<name>": value, ...}}
 *
 * "constants" (ANNarchy 5: its Constant objects) are the network's own
 * parameters of one value: network-wide arrays of kind parameter and one
 * value. Export writes the section when a version has such arrays (older
 * ANNarchy files, and versions without constants, have none); import
 * makes one such array per constant, which an import onto a version sets.
 *
 * Export writes what Python's json.dump(obj, f, indent=4) writes for it,
 * byte for byte: floats as repr() gives them, NaN and Infinity as Python's
 * bare tokens, non-ASCII escaped, no final newline. Import reads what
 * Python's json writes, those tokens included: cJSON refuses them, so they
 * are swapped for marked strings of the same length before parsing, which
 * keeps error positions exact. */
#include "json.h"

#include <string.h>

const ns_host *host;

/* Bits recognised: an object at the start bids weakly (much text starts
 * with '{'); ANNarchy's section names near it make it a parameter file. */
static int js_probe(const unsigned char *head, size_t n)
{
	static const char *const words[] = { "\"populations\"", "\"projections\"" };
	size_t i = 0;
	int bid;
	if (n >= 3 && memcmp(head, "\xef\xbb\xbf", 3) == 0)
		i = 3;
	while (i < n && (head[i] == ' ' || head[i] == '\t' || head[i] == '\r' || head[i] == '\n'))
		i++;
	if (i == n || head[i] != '{')
		return 0;
	bid = 8;
	for (size_t w = 0; w < 2; w++) {
		size_t len = strlen(words[w]);
		for (size_t k = i; k + len <= n; k++)
			if (memcmp(head + k, words[w], len) == 0)
				return bid + 16;
	}
	return bid;
}

static int js_init(const ns_host *h)
{
	host = h;
	return NS_OK;
}

static const ns_format_ops js_ops = {
	.import_network = js_import,
	.export_network = js_export,
};

static const char *const js_extensions[] = { ".json", NULL };

static const ns_plugin js_plugin = {
	.abi_version = NS_PLUGIN_ABI_VERSION,
	.struct_size = sizeof(ns_plugin),
	.kind = NS_PLUGIN_FORMAT,
	.name = "json",
	.description = "ANNarchy's parameter files (save_parameters, load_parameters): "
		       "global parameters and the network dictionary as JSON",
	.extensions = js_extensions,
	.flags = NS_FORMAT_PARAMETERS,
	.probe = js_probe,
	.init = js_init,
	.format = &js_ops,
};

NS_PLUGIN_EXPORT const ns_plugin *nsnap_plugin_entry(void)
{
	return &js_plugin;
}
