/* SPDX-License-Identifier: MIT */
/* The pickle plugin's descriptor: ANNarchy's save() and load() files
 * (`.data`, `.pkl`, and through the gzip filter `.gz`). The reader, the
 * layout and the writer are in reader.c, annarchy.c and writer.c, which
 * the npz plugin shares. */
#include "pickle.h"

#include <sys/stat.h>

/* The import's memory is bounded by the file's size on disk (its bytes
 * before a filter inflates them): an 8 MB .gz of gigabytes of zeros gets
 * the budget of 8 MB. A path that is no regular file (a pipe) has the
 * budget of the bytes read. */
static int pk_import(ns_network **out, ns_istream *in, const ns_plugin_args *args)
{
	const char *path = args && args->path ? args->path : "(stream)";
	pk_reader *r = NULL;
	nsp_budget budget;
	struct stat st;
	pv *root;
	int rc;

	if ((rc = nsp_budget_init(&budget, args, args && args->path && stat(args->path, &st) == 0 &&
				  S_ISREG(st.st_mode) ? (uint64_t)st.st_size : 0, path)) < 0 ||
	    (rc = pk_read_stream(&r, &root, in, path, &budget)) < 0)
		goto done;
	rc = pk_import_root(out, root, args, &budget);
	if (rc == NS_OK && args && args->verbose)
		host->log(NS_LOG_INFO, "file '%s': %.1f MiB of memory for the import, of at most "
			  "%.1f", path, (double)budget.used / (1 << 20),
			  (double)budget.limit / (1 << 20));
done:
	pk_reader_free(r);
	return rc;
}

/* ------------------------------------------------------------------ plugin */

/* PROTO 2 to 5 is a pickle beyond doubt (16 bits, 24 with a dict next);
 * protocol 0 and 1 pickles have no header: a mark or an empty container
 * first bids low. */
static int pk_probe(const unsigned char *head, size_t n)
{
	if (n >= 2 && head[0] == 0x80 && head[1] >= 2 && head[1] <= 5) {
		size_t i = 2;
		if (n >= 11 && head[2] == 0x95)
			i = 11;
		return i < n && head[i] == '}' ? 24 : 16;
	}
	if (n >= 1 && (head[0] == '(' || head[0] == '}' || head[0] == ']'))
		return 4;
	return 0;
}

static int pk_init(const ns_host *h)
{
	host = h;
	return NS_OK;
}

static const ns_format_ops pk_ops = {
	.import_network = pk_import,
	.export_network = pk_export,
};

static const char *const pk_extensions[] = { ".data", ".pkl", ".pickle", NULL };
static const char *const pk_options[] = { "max-memory", NULL };

static const ns_plugin pk_plugin = {
	.abi_version = NS_PLUGIN_ABI_VERSION,
	.struct_size = sizeof(ns_plugin),
	.kind = NS_PLUGIN_FORMAT,
	.name = "pickle",
	.description = "ANNarchy's save()/load() files: Python pickles of dicts and numpy "
		       "arrays, read safely (no code runs)",
	.extensions = pk_extensions,
	.probe = pk_probe,
	.init = pk_init,
	.format = &pk_ops,
	.options = pk_options,
};

NS_PLUGIN_EXPORT const ns_plugin *nsnap_plugin_entry(void)
{
	return &pk_plugin;
}
