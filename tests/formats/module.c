/* SPDX-License-Identifier: MIT */
/* Plugins for the loader's tests, one per VARIANT: a good format, and
 * modules broken in each way the host must refuse. */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <nsnap/plugin.h>

static const ns_host *host;

static int init(const ns_host *h)
{
	host = h;
#if defined(VARIANT_INIT_FAILS)
	return h->error(NS_EINVAL, "the test init refuses to start");
#elif defined(VARIANT_INIT_SILENT)
	return NS_EIO;
#else
	return NS_OK;
#endif
}

/* The "good" format: "GOOD\n", then the network's name on one line, then
 * one line per population: its name and size; reading stops at a line
 * "END", as formats with an end mark do. A network called "fail" fails its
 * export halfway, one called "silent" without a message. */
static int probe(const unsigned char *head, size_t n)
{
	return n >= 5 && memcmp(head, "GOOD\n", 5) == 0 ? 40 : 0;
}

static int import(ns_network **out, ns_istream *in, const ns_plugin_args *args)
{
	char buf[4096], name[256];
	size_t len = 0;
	ptrdiff_t got;
	ns_network *net = NULL;
	ns_object *pop;
	unsigned long long size;
	const char *p;
	int rc, k;

	while ((got = host->read(in, buf + len, 1)) > 0) {
		len += (size_t)got;
		buf[len] = '\0';
		if (len >= 5 && strcmp(buf + len - 5, "\nEND\n") == 0)
			break;
		if (len == sizeof buf - 1)
			return host->error(NS_EFORMAT, "file '%s': too long", args->path);
	}
	if (got < 0)
		return (int)got;
	buf[len] = '\0';
	if (len < 5 || memcmp(buf, "GOOD\n", 5) != 0)
		return host->error(NS_EFORMAT, "file '%s': not a GOOD file", args->path);
	p = buf + 5;
	if (sscanf(p, "%255s%n", name, &k) != 1)
		return host->error(NS_EFORMAT, "file '%s': no network name", args->path);
	if (strcmp(name, "silent") == 0)
		return NS_EIO;
	if ((rc = host->network_new(&net, name)) < 0)
		return rc;
	p += k;
	while (sscanf(p, "%255s %llu%n", name, &size, &k) == 2) {
		if ((rc = host->population_add(&pop, net, name, size, NULL, 0, NULL)) < 0) {
			host->network_free(net);
			return rc;
		}
		p += k;
	}
	*out = net;
	return NS_OK;
}

static int export(ns_ostream *out, const ns_network *net, const ns_plugin_args *args)
{
	char line[512];
	ns_object_info info;
	const char *tail;
	int rc;
	if ((rc = host->write(out, "GOOD\n", 5)) < 0)
		return rc;
	snprintf(line, sizeof line, "%s\n", host->network_name(net));
	if ((rc = host->write(out, line, strlen(line))) < 0)
		return rc;
	if (strcmp(host->network_name(net), "fail") == 0)
		return host->error(NS_EIO, "the test export fails halfway");
	if (strcmp(host->network_name(net), "silent") == 0)
		return NS_EIO;
	for (size_t i = 0; i < host->network_object_count(net); i++) {
		host->object_get_info(&info, host->network_object_at(net, i));
		snprintf(line, sizeof line, "%s %llu\n", info.name, (unsigned long long)info.size);
		if ((rc = host->write(out, line, strlen(line))) < 0)
			return rc;
	}
	/* Its option "tail=TEXT" ends the file with "# TEXT". */
	if (args->struct_size > offsetof(ns_plugin_args, options) &&
	    (tail = host->option(args, "tail"))) {
		snprintf(line, sizeof line, "# %s\n", tail);
		return host->write(out, line, strlen(line));
	}
	return NS_OK;
}

static const ns_format_ops ops = { import, export };
static const char *const extensions[] = { ".good", NULL };
#if !defined(VARIANT_ABI_1)
static const char *const options[] = { "tail", "width", NULL };
#endif

#ifndef VARIANT_NAME
#define VARIANT_NAME "good"
#endif

static const ns_plugin plugin = {
#if defined(VARIANT_ABI_NEW)
	.abi_version = 99,
#elif defined(VARIANT_ABI_1)
	.abi_version = 1,
#else
	.abi_version = NS_PLUGIN_ABI_VERSION,
#endif
#if defined(VARIANT_SMALL)
	.struct_size = 16,
#elif defined(VARIANT_ABI_1)
	.struct_size = offsetof(ns_plugin, options), /* before options existed */
#else
	.struct_size = sizeof(ns_plugin),
#endif
	.kind = NS_PLUGIN_FORMAT,
	.name = VARIANT_NAME,
	.description = "a format for the loader's tests",
	.extensions = extensions,
	.probe = probe,
	.init = init,
	.format = &ops,
#if !defined(VARIANT_ABI_1)
	.options = options,
#endif
};

#if !defined(VARIANT_NO_ENTRY)
NS_PLUGIN_EXPORT const ns_plugin *nsnap_plugin_entry(void)
{
	return &plugin;
}
#else
/* The entry under another name: not found. */
NS_PLUGIN_EXPORT const ns_plugin *nsnap_plugin_entry_misspelt(void);
NS_PLUGIN_EXPORT const ns_plugin *nsnap_plugin_entry_misspelt(void)
{
	return &plugin;
}
#endif
