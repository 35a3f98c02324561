/* SPDX-License-Identifier: MIT */
/* nsnap plugins: the loaded format and filter plugins. */
#include "cli.h"

/* None found: where nsnap looked, and how to point it elsewhere. */
static int none_found(struct cli *c)
{
	const char *const *dirs = ns_plugins_dirs(c->plugins);
	char list[4096] = "";
	size_t used = 0;
	for (size_t i = 0; dirs[i] && used < sizeof list; i++)
		used += (size_t)snprintf(list + used, sizeof list - used, "%s'%s'", i ? ", " : "",
					 dirs[i]);
	return cli_fail(c, "no plugin found: looked in %s; NSNAP_PLUGIN_PATH can name more "
			"folders (separated by ':')", used ? list : "no folder");
}

static int run(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = { CLI_COMMON_LONG, CLI_JSON_LONG,
					      { NULL, 0, NULL, 0 } };
	cJSON *list = NULL;
	int ch;

	while ((ch = cli_getopt(c, argc, argv, "", opts)) != -1)
		if (ch == CLI_STOP)
			return c->exit;
	if (cli_operands(c, argc - optind, 0, 0) != CLI_OK || cli_load_plugins(c) != CLI_OK)
		return CLI_ERROR;
	if (ns_plugins_count(c->plugins) == 0)
		return none_found(c);
	if (c->json)
		list = cJSON_CreateArray();
	for (size_t i = 0; i < ns_plugins_count(c->plugins); i++) {
		ns_plugin_info p;
		char exts[256] = "", opts_text[256] = "";
		size_t used = 0, used_o = 0;
		cJSON *j, *e, *o;
		ns_plugins_at(&p, c->plugins, i);
		for (const char *const *x = p.extensions; x && *x && used < sizeof exts; x++)
			used += (size_t)snprintf(exts + used, sizeof exts - used, "%s%s",
						 used ? " " : "", *x);
		for (const char *const *x = p.options; x && *x && used_o < sizeof opts_text; x++)
			used_o += (size_t)snprintf(opts_text + used_o, sizeof opts_text - used_o,
						   "%s%s", used_o ? " " : "", *x);
		if (!c->json) {
			printf("%-8s %-6s %-22s %s\n", p.name,
			       p.kind == NS_PLUGIN_FORMAT ? "format" : "filter", exts,
			       p.description);
			printf("         ABI %u, %s%s%s\n", p.abi_version, p.path,
			       used_o ? "; options: " : "", opts_text);
			continue;
		}
		j = cJSON_CreateObject();
		cJSON_AddItemToArray(list, j);
		cJSON_AddStringToObject(j, "name", p.name);
		cJSON_AddStringToObject(j, "kind", p.kind == NS_PLUGIN_FORMAT ? "format" : "filter");
		cJSON_AddItemToObject(j, "extensions", e = cJSON_CreateArray());
		for (const char *const *x = p.extensions; x && *x; x++)
			cJSON_AddItemToArray(e, cJSON_CreateString(*x));
		cJSON_AddItemToObject(j, "options", o = cJSON_CreateArray());
		for (const char *const *x = p.options; x && *x; x++)
			cJSON_AddItemToArray(o, cJSON_CreateString(*x));
		cJSON_AddStringToObject(j, "description", p.description);
		cJSON_AddStringToObject(j, "path", p.path);
		cJSON_AddNumberToObject(j, "abi_version", p.abi_version);
		cJSON_AddBoolToObject(j, "parameters", (p.flags & NS_FORMAT_PARAMETERS) != 0);
	}
	return c->json ? cli_print_json(c, list) : CLI_OK;
}

const struct command cmd_plugins = {
	"plugins", run, "list the format and filter plugins",
	"usage: nsnap plugins [--json]\n"
	"\n"
	"List the plugins nsnap loads: name, kind, file name extensions, description,\n"
	"ABI version, file and options. Plugins are searched in $NSNAP_PLUGIN_PATH\n"
	"(folders separated by ':') and in nsnap's install folder, LIBDIR/nsnap/plugins\n"
	"beside the libnsnap.so nsnap runs with, wherever the prefix was installed or\n"
	"moved to. With no plugin at all it says where it looked and exits with 2.\n"
	"\n"
	"  --json  the same as a JSON array\n",
};
