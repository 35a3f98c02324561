/* SPDX-License-Identifier: MIT */
/* nsnap init: create a store. */
#include "cli.h"

#include <string.h>
#include <unistd.h>

/* "64K", "1M", "4096": a size in bytes. */
static int parse_size(struct cli *c, size_t *out, const char *arg)
{
	char digits[32];
	size_t len = strlen(arg), shift = 0;
	uint64_t v;
	/* "64KiB" as "64K": binary units, as nsnap prints sizes. */
	if (len > 3 && strcmp(arg + len - 2, "iB") == 0 && strchr("KMG", arg[len - 3]))
		len -= 2;
	if (len && len < sizeof digits && strchr("kKmMgG", arg[len - 1])) {
		shift = strchr("kK", arg[len - 1]) ? 10 : strchr("mM", arg[len - 1]) ? 20 : 30;
		len--;
	}
	snprintf(digits, sizeof digits, "%.*s", (int)len, arg);
	if (cli_number(c, &v, "--chunk-size", digits) != CLI_OK)
		return CLI_ERROR;
	/* 0 would mean the library's default: say the default instead. */
	if (v == 0)
		return cli_fail(c, "--chunk-size %s: expected a size from 4K to 1G (default 1M)",
				arg);
	*out = (size_t)v << shift;
	return CLI_OK;
}

static int run(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = { CLI_COMMON_LONG,
					      { "chunk-size", required_argument, NULL, 'c' },
					      { "codec", required_argument, NULL, 'z' },
					      { "level", required_argument, NULL, 'l' },
					      CLI_JSON_LONG,
					      { NULL, 0, NULL, 0 } };
	ns_store_opts o = NS_STORE_OPTS_INIT;
	ns_store_stats st;
	uint64_t level;
	char size[32], level_text[32] = "";
	cJSON *json;
	int ch;

	while ((ch = cli_getopt(c, argc, argv, "", opts)) != -1) {
		switch (ch) {
		case CLI_STOP: return c->exit;
		case 'c':
			if (parse_size(c, &o.chunk_size, optarg) != CLI_OK)
				return CLI_ERROR;
			break;
		case 'z':
			if (strcmp(optarg, "raw") == 0)
				o.codec = NS_CODEC_RAW;
			else if (strcmp(optarg, "zstd") == 0)
				o.codec = NS_CODEC_ZSTD;
			else
				return cli_fail(c, "codec '%s': expected 'raw' or 'zstd'", optarg);
			break;
		case 'l':
			if (cli_number(c, &level, "--level", optarg) != CLI_OK)
				return CLI_ERROR;
			o.level = level > 1000 ? 1000 : (int)level;
			break;
		}
	}
	if (cli_operands(c, argc - optind, 0, 0) != CLI_OK)
		return CLI_ERROR;
	if (!c->store_path || !*c->store_path)
		return cli_fail(c, "no store given: use -s PATH or set NSNAP_STORE");
	if (access(c->store_path, F_OK) == 0)
		return cli_fail(c, "'%s' exists; nsnap init makes a new store", c->store_path);
	o.flags = NS_STORE_CREATE;
	if (ns_store_open(&c->store, c->store_path, &o) < 0 ||
	    ns_store_stats_get(&st, c->store) < 0)
		return cli_fail_ns(c);
	json = cJSON_CreateObject();
	cJSON_AddStringToObject(json, "store", c->store_path);
	cli_json_add_u64(json, "chunk_size", st.chunk_size);
	cJSON_AddStringToObject(json, "codec", st.codec == NS_CODEC_ZSTD ? "zstd" : "raw");
	if (st.codec == NS_CODEC_ZSTD) {
		cli_json_add_i64(json, "level", st.level);
		snprintf(level_text, sizeof level_text, " level %d", st.level);
	}
	return cli_report(c, json, "created store '%s' (chunks of %s, %s%s)\n", c->store_path,
			  cli_bytes(size, st.chunk_size),
			  st.codec == NS_CODEC_ZSTD ? "zstd" : "raw", level_text);
}

const struct command cmd_init = {
	"init", run, "create a store",
	"usage: nsnap init -s STORE [--chunk-size SIZE] [--codec raw|zstd] [--level N]\n"
	"                  [--json]\n"
	"\n"
	"Create a new, empty store in the file STORE (with its lock file STORE-lock).\n"
	"\n"
	"  --chunk-size SIZE  arrays are cut into chunks of SIZE bytes, a multiple of\n"
	"                     4K from 4K to 1G (K, M, G or KiB, MiB, GiB: powers of\n"
	"                     1024, as nsnap prints sizes); default 1M\n"
	"  --codec raw|zstd   how chunks are stored by default: raw (read in place,\n"
	"                     zero-copy) or zstd (smaller); default raw\n"
	"  --level N          the zstd level, 1 to 19; default 3\n"
	"  --json             say what was made as JSON: {\"store\": ..., \"chunk_size\": N,\n"
	"                     \"codec\": ...}\n",
};
