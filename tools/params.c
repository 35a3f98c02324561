/* SPDX-License-Identifier: MIT */
/* nsnap params: global parameters to and from JSON files, as ANNarchy's
 * save_parameters() and load_parameters(). */
#include "cli.h"

#include <string.h>

static int run(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = { CLI_COMMON_LONG,
					      { "all", no_argument, NULL, 'a' },
					      { "verbose", no_argument, NULL, 'v' },
					      { "message", required_argument, NULL, 'm' },
					      { "force", no_argument, NULL, 'f' },
					      CLI_JSON_LONG, CLI_NO_VERIFY_LONG,
					      { NULL, 0, NULL, 0 } };
	ns_import_opts in = NS_IMPORT_OPTS_INIT;
	ns_export_opts out = NS_EXPORT_OPTS_INIT;
	uint64_t v, made = 0;
	char num[24];
	int ch, save, rc;
	cJSON *json;

	while ((ch = cli_getopt(c, argc, argv, "avm:f", opts)) != -1) {
		switch (ch) {
		case CLI_STOP: return c->exit;
		case 'a': in.global_only = 0; break;
		case 'v': in.verbose = out.verbose = 1; break;
		case 'm': in.message = optarg; break;
		case 'f': out.overwrite = 1; break;
		}
	}
	argc -= optind;
	argv += optind;
	if (cli_operands(c, argc, 3, 3) != CLI_OK)
		return CLI_ERROR;
	if (strcmp(argv[0], "save") != 0 && strcmp(argv[0], "load") != 0)
		return cli_fail(c, "'%s': expected 'save' or 'load'", argv[0]);
	save = argv[0][0] == 's';
	if (cli_open(c, !save) != CLI_OK || cli_resolve(c, &v, num, argv[1]) != CLI_OK ||
	    cli_load_plugins(c) != CLI_OK)
		return CLI_ERROR;
	if (save) {
		ns_network *net = NULL;
		/* What leaves the store is checked first, as by export. */
		if (ns_network_open(&net, c->store, num) < 0)
			return cli_fail_ns(c);
		rc = cli_check(c, net, NULL, NULL, NULL);
		ns_network_free(net);
		if (rc != CLI_OK)
			return CLI_ERROR;
		out.format = "json";
		if (ns_export(c->plugins, c->store, num, argv[2], &out) < 0)
			return cli_fail_export(c, argv[2]);
		json = cJSON_CreateObject();
		cli_json_add_u64(json, "version", v);
		cJSON_AddStringToObject(json, "file", argv[2]);
		return cli_report(c, json, "saved the parameters of version %s to '%s'\n", num,
				  argv[2]);
	}
	in.format = "json";
	in.onto = num;
	if (ns_import(&made, c->plugins, c->store, argv[2], &in) < 0)
		return cli_fail_ns(c);
	json = cJSON_CreateObject();
	cli_json_add_u64(json, "version", made);
	cli_json_add_u64(json, "from", v);
	cJSON_AddBoolToObject(json, "new", made != v);
	cJSON_AddStringToObject(json, "file", argv[2]);
	if (made == v)
		return cli_report(c, json, "'%s' changes nothing in version %s: no new version\n",
				  argv[2], num);
	return cli_report(c, json, "version %llu: version %s with the parameters of '%s'\n",
			  (unsigned long long)made, num, argv[2]);
}

const struct command cmd_params = {
	"params", run, "save or load parameters as JSON",
	"usage: nsnap params save REV FILE.json [--no-verify]\n"
	"       nsnap params load REV FILE.json [--all] [--verbose] [-m MSG]\n"
	"       (either with --json)\n"
	"\n"
	"save: write the global parameters of REV (and its network dictionary) to a\n"
	"JSON file, as ANNarchy's save_parameters() does.\n"
	"load: make a new version from REV with the parameter values of a JSON file,\n"
	"as ANNarchy's load_parameters(); every other array is shared with REV.\n"
	"Unknown names are skipped (and named with --verbose). A new version is made\n"
	"only when the file changes something (as 'nsnap import FILE.json').\n"
	"\n"
	"  -a, --all          also set local parameters (one value for every element)\n"
	"  -v, --verbose      say what was set and what was skipped\n"
	"  -m, --message MSG  the new version's message\n"
	"  -f, --force        save: replace FILE.json if it is a regular file (keeping\n"
	"                     its mode; a new file gets 0666 less the umask)\n"
	"  --json             as JSON: {\"version\": N, \"file\": ...}, and for load\n"
	"                     \"from\" (REV's number) and \"new\" (whether a version\n"
	"                     was made)\n"
	"  --no-verify        save: do not check the hashes of the chunks read\n",
};
