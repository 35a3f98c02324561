/* SPDX-License-Identifier: MIT */
/* The text format: a network as lines that diff and grep work on, read
 * back to the same bits. The writer is text_write.c, the reader
 * text_read.c; the layout is described at the top of text_write.c. */
#include "text.h"

#include <locale.h>
#include <string.h>

const ns_host *host;

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

int tx_is_keyword(const char *s, size_t n, unsigned version)
{
	static const struct {
		const char *word;
		unsigned since;
	} words[] = {{"network", 1},   {"time", 1},	  {"step", 1},	     {"dt", 1},
		     {"meta", 1},      {"population", 1}, {"projection", 1}, {"attribute", 1},
		     {"table", 1},     {"end", 1},	  {"array", 2},	     {"values", 2}};
	for (size_t i = 0; i < sizeof words / sizeof *words; i++)
		if (words[i].since <= version && strlen(words[i].word) == n &&
		    memcmp(words[i].word, s, n) == 0)
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
	host = h;
	return NS_OK;
}

/* Numbers are written and read in the C locale's notation, whatever the
 * host program gave setlocale(LC_NUMERIC): a German locale would write
 * 0.5 as "0,5" and read "0.5" as 0. uselocale() switches the calling
 * thread only, for the one call; other threads, and the host after it,
 * keep their locale. A locale of the call's own, not one made at init:
 * two sets of plugins may load this module at once, and share its
 * statics. The categories outside the mask come from the POSIX locale
 * too; the plugin calls nothing that depends on them. */
static locale_t c_numbers(locale_t *old)
{
	locale_t c = newlocale(LC_NUMERIC_MASK, "C", (locale_t)0);
	if (c == (locale_t)0)
		host->error(NS_ENOMEM, "text: no C locale for numbers (newlocale failed)");
	else
		*old = uselocale(c);
	return c;
}

/* Back to @old; returns @rc. */
static int end_c_numbers(locale_t c, locale_t old, int rc)
{
	if (c != (locale_t)0) {
		uselocale(old);
		freelocale(c);
	}
	return rc;
}

static int tx_import_c(ns_network **out, ns_istream *in, const ns_plugin_args *args)
{
	locale_t old = (locale_t)0, c = c_numbers(&old);
	return end_c_numbers(c, old, c != (locale_t)0 ? tx_import(out, in, args) : NS_ENOMEM);
}

static int tx_export_c(ns_ostream *out, const ns_network *net, const ns_plugin_args *args)
{
	locale_t old = (locale_t)0, c = c_numbers(&old);
	return end_c_numbers(c, old, c != (locale_t)0 ? tx_export(out, net, args) : NS_ENOMEM);
}

static const ns_format_ops tx_ops = {
	.import_network = tx_import_c,
	.export_network = tx_export_c,
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
