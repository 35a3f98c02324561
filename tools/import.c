/* SPDX-License-Identifier: MIT */
/* nsnap import: a file as a new version. */
#include "cli.h"

#include <stdlib.h>

static int run(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = { CLI_COMMON_LONG,
					      { "message", required_argument, NULL, 'm' },
					      { "format", required_argument, NULL, 'F' },
					      { "tag", required_argument, NULL, 't' },
					      { "branch", required_argument, NULL, 'b' },
					      { "option", required_argument, NULL, 'o' },
					      { "verbose", no_argument, NULL, 'v' },
					      CLI_JSON_LONG, CLI_QUIET_LONG, CLI_PROGRESS_LONG,
					      { NULL, 0, NULL, 0 } };
	ns_import_opts o = NS_IMPORT_OPTS_INIT;
	const char **options = NULL;
	size_t n_options = 0;
	uint64_t v = 0, head = 0;
	int had_head;
	cJSON *json;
	int ch, rc = CLI_ERROR;

	while ((ch = cli_getopt(c, argc, argv, "m:t:b:o:vq", opts)) != -1) {
		switch (ch) {
		case CLI_STOP: rc = c->exit; goto done;
		case 'm': o.message = optarg; break;
		case 'F': o.format = optarg; break;
		case 't': o.tag = optarg; break;
		case 'b': o.branch = optarg; break;
		case 'v': o.verbose = 1; break;
		case 'o':
			if (add_option(c, &options, &n_options, optarg) != CLI_OK)
				goto done;
			break;
		}
	}
	argc -= optind;
	argv += optind;
	if (cli_operands(c, argc, 1, 1) != CLI_OK || cli_open(c, 1) != CLI_OK ||
	    cli_load_plugins(c) != CLI_OK)
		goto done;
	o.options = options;
	/* A parameter file that changes nothing makes no version, as with
	 * 'nsnap params load': ns_import() then gives the version it applied to. */
	had_head = ns_store_resolve(&head, c->store, "HEAD") == NS_OK;
	cli_progress_begin(c, "importing", 0);
	rc = ns_import(&v, c->plugins, c->store, argv[0], &o);
	cli_progress_end();
	if (rc < 0) {
		rc = cli_fail_ns(c);
		goto done;
	}
	json = cJSON_CreateObject();
	cli_json_add_u64(json, "version", v);
	cJSON_AddBoolToObject(json, "new", !had_head || v != head);
	cJSON_AddStringToObject(json, "file", argv[0]);
	if (o.tag)
		cJSON_AddStringToObject(json, "tag", o.tag);
	if (o.branch)
		cJSON_AddStringToObject(json, "branch", o.branch);
	if (had_head && v == head)
		rc = cli_report(c, json, "'%s' changes nothing in version %llu: no new version\n",
				argv[0], (unsigned long long)v);
	else
		rc = cli_report(c, json, "imported '%s' as version %llu\n", argv[0],
				(unsigned long long)v);
done:
	free(options);
	return rc;
}

const struct command cmd_import = {
	"import", run, "read a file as a new version",
	"usage: nsnap import FILE [options]\n"
	"\n"
	"Read FILE (an ANNarchy pickle, .gz, .mat, nsnap text, ...) and commit it as\n"
	"a new version. The format is recognised from the file's first bytes, else\n"
	"from its name. Nothing is written unless the whole file reads correctly.\n"
	"A parameter file (.json) is applied onto HEAD as 'nsnap params load HEAD'\n"
	"does: a new version only when it changes something.\n"
	"\n"
	"  -m, --message MSG     the version's message (default: the file's name)\n"
	"  --format NAME         the format, whatever the file looks like\n"
	"  -t, --tag NAME        tag the new version\n"
	"  -b, --branch NAME     commit on this branch (created if needed)\n"
	"  -o, --option N[=V]    an option of the format\n"
	"  -v, --verbose         say what the format does\n"
	"  -q, --quiet           print nothing on success (no progress either)\n"
	"  --progress            show progress even when stderr is not a terminal\n"
	"  --json                say what was made as JSON: {\"version\": N, \"file\": ...}\n",
};
