/* SPDX-License-Identifier: MIT */
/* nsnap compact: give the space of freed pages back to the file system. */
#include "cli.h"

static int run(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = { CLI_COMMON_LONG,
					      { "output", required_argument, NULL, 'o' },
					      CLI_JSON_LONG,
					      { NULL, 0, NULL, 0 } };
	const char *output = NULL;
	uint64_t before = 0, after = 0;
	char a[32], b[32];
	cJSON *json = NULL;
	int ch;

	while ((ch = cli_getopt(c, argc, argv, "", opts)) != -1) {
		if (ch == CLI_STOP)
			return c->exit;
		if (ch == 'o')
			output = optarg;
	}
	if (cli_operands(c, argc - optind, 0, 0) != CLI_OK)
		return CLI_ERROR;
	if (!c->store_path || !*c->store_path)
		return cli_fail(c, "no store given: use -s PATH or set NSNAP_STORE");
	if (output && !cli_is_sharded(c->store_path)) {
		if (cli_open(c, 0) != CLI_OK)
			return CLI_ERROR;
		if (ns_store_compact(c->store, output) < 0)
			return cli_fail_ns(c);
		json = cJSON_CreateObject();
		cJSON_AddStringToObject(json, "file", output);
		return cli_report(c, json, "wrote a compacted copy of '%s' to '%s'\n",
				  c->store_path, output);
	}
	if (cli_is_sharded(c->store_path)) {
		if (output)
			return cli_fail(c, "store directory '%s' is sharded: --output takes one "
					"store file", c->store_path);
		if (cli_sharded_compact(c, &before, &after) != CLI_OK)
			return CLI_ERROR;
	} else if (ns_store_compact_file(c->store_path, &before, &after) < 0) {
		return cli_fail_ns(c);
	}
	json = cJSON_CreateObject();
	cJSON_AddStringToObject(json, "store", c->store_path);
	cli_json_add_u64(json, "bytes_before", before);
	cli_json_add_u64(json, "bytes_after", after);
	return cli_report(c, json, "compacted '%s': %s -> %s\n", c->store_path,
			  cli_bytes(a, before), cli_bytes(b, after));
}

const struct command cmd_compact = {
	"compact", run, "shrink the store file",
	"usage: nsnap compact [--output FILE] [--json]\n"
	"\n"
	"Rewrite the store without its free pages (left by deleted versions), in\n"
	"place and atomically. Refused while another process has the store open.\n"
	"A sharded store (a directory written over MPI) has each of its files\n"
	"compacted.\n"
	"\n"
	"  --output FILE  write a compacted copy to FILE instead\n"
	"  --json         as JSON: {\"file\": FILE}, or the store's bytes before and after\n",
};
