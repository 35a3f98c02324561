/* SPDX-License-Identifier: MIT */
/* nsnap tag: name a version for good. */
#include "refs.h"

static int run(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = { CLI_COMMON_LONG,
					      { "delete", no_argument, NULL, 'd' },
					      { "list", no_argument, NULL, 'l' },
					      CLI_JSON_LONG,
					      { NULL, 0, NULL, 0 } };
	int ch, del = 0, list = 0;
	uint64_t v;
	char num[24];
	cJSON *json;

	while ((ch = cli_getopt(c, argc, argv, "dl", opts)) != -1) {
		if (ch == CLI_STOP)
			return c->exit;
		del |= ch == 'd';
		list |= ch == 'l';
	}
	argc -= optind;
	argv += optind;
	if (list && del)
		return cli_fail(c, "--list and --delete do not go together");
	if (list || (argc == 0 && !del))
		return refs_list(c, NS_REF_TAG, argv, argc);
	if (cli_operands(c, argc, 1, del ? 1 : 2) != CLI_OK || cli_open(c, 1) != CLI_OK)
		return CLI_ERROR;
	if (del) {
		if (ns_tag_delete(c->store, argv[0]) < 0)
			return cli_fail_ns(c);
		json = cJSON_CreateObject();
		cJSON_AddStringToObject(json, "deleted_tag", argv[0]);
		return cli_report(c, json, "deleted tag '%s'\n", argv[0]);
	}
	if (cli_resolve(c, &v, num, argc > 1 ? argv[1] : "HEAD") != CLI_OK)
		return CLI_ERROR;
	if (ns_tag_create(c->store, argv[0], num) < 0)
		return cli_fail_ns(c);
	json = cJSON_CreateObject();
	cJSON_AddStringToObject(json, "tag", argv[0]);
	cli_json_add_u64(json, "version", v);
	return cli_report(c, json, "tagged version %s as '%s'\n", num, argv[0]);
}

const struct command cmd_tag = {
	"tag", run, "name a version (tags never move)",
	"usage: nsnap tag [NAME [REV]]\n"
	"       nsnap tag -l [PATTERN...]\n"
	"       nsnap tag -d NAME\n"
	"\n"
	"Give revision REV (default HEAD) the tag NAME. Tags never move, and a tagged\n"
	"version is kept by rm and gc. Without arguments, list the tags.\n"
	"Names: letters, digits and ._-/, not starting with -, . or /, not all digits.\n"
	"\n"
	"  -l, --list    list the tags (matching a PATTERN, as 'v*', when given)\n"
	"  -d, --delete  delete the tag NAME (its version stays)\n"
	"  --json        as JSON: the list, or what was made ({\"tag\": ..., \"version\": N})\n",
};
