/* The pickle plugin's descriptor: ANNarchy's save() and load() files
 * (`.data`, `.pkl`, and through the gzip filter `.gz`). The reader, the
 * layout and the writer are in reader.c, annarchy.c and writer.c, which
 * the npz plugin shares. */
#include "pickle.h"

static int pk_import(ns_network **out, ns_istream *in, const ns_plugin_args *args)
{
	const char *path = args && args->path ? args->path : "(stream)";
	void *buf = NULL;
	size_t n = 0;
	pk_reader *r = NULL;
	pv *root;
	int rc;

	if ((rc = host->read_all(&buf, &n, in)) < 0 || (rc = pk_read(&r, &root, buf, n, path)) < 0)
		goto done;
	rc = pk_import_root(out, root, args);
done:
	pk_reader_free(r);
	host->free(buf);
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
};

NS_PLUGIN_EXPORT const ns_plugin *nsnap_plugin_entry(void)
{
	return &pk_plugin;
}
