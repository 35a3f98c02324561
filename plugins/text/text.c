/* The text format: a network as lines that diff and grep work on, read
 * back to the same bits. The writer is text_write.c, the reader
 * text_read.c; the layout is described at the top of text_write.c. */
#include "text.h"

#include <string.h>

const ns_host *tx_host;

static const char *const dtype_names[] = {
	[NS_DTYPE_F64] = "f64", [NS_DTYPE_F32] = "f32", [NS_DTYPE_I64] = "i64",
	[NS_DTYPE_I32] = "i32", [NS_DTYPE_U8] = "u8",   [NS_DTYPE_BOOL] = "bool",
};

const char *tx_dtype_name(ns_dtype dtype)
{
	if (dtype <= NS_DTYPE_BYTES || dtype > NS_DTYPE_BOOL)
		return NULL;
	return dtype_names[dtype];
}

ns_dtype tx_dtype_of(const char *name)
{
	for (int d = NS_DTYPE_F64; d <= NS_DTYPE_BOOL; d++)
		if (strcmp(name, dtype_names[d]) == 0)
			return (ns_dtype)d;
	return NS_DTYPE_BYTES;
}

int tx_is_keyword(const char *s, size_t n)
{
	static const char *const words[] = {"network", "time",       "step",       "dt",
					    "meta",    "population", "projection", "attribute",
					    "table",   "end"};
	for (size_t i = 0; i < sizeof words / sizeof *words; i++)
		if (strlen(words[i]) == n && memcmp(words[i], s, n) == 0)
			return 1;
	return 0;
}

int tx_is_bare(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_' || c == '-' || c == '.' || c == ':' || c == '+' || c == '@' || c >= 0x80;
}

/* The header line, up to its version: a strong bid, as no other format
 * starts so. */
static int tx_probe(const unsigned char *head, size_t n)
{
	size_t len = strlen(TX_MAGIC);
	if (n < len || memcmp(head, TX_MAGIC, len) != 0)
		return 0;
	return (int)(8 * len);
}

static int tx_init(const ns_host *h)
{
	tx_host = h;
	return NS_OK;
}

static const ns_format_ops tx_ops = {
	.import = tx_import,
	.export = tx_export,
};

static const char *const tx_extensions[] = {".nsnt", NULL};

static const ns_plugin tx_plugin = {
	.abi_version = NS_PLUGIN_ABI_VERSION,
	.struct_size = sizeof(ns_plugin),
	.kind = NS_PLUGIN_FORMAT,
	.name = "text",
	.description = "nsnap's own text format: a whole network as lines that diff and "
		       "grep work on, every value read back to the same bits",
	.extensions = tx_extensions,
	.probe = tx_probe,
	.init = tx_init,
	.format = &tx_ops,
};

NS_PLUGIN_EXPORT const ns_plugin *nsnap_plugin_entry(void)
{
	return &tx_plugin;
}
