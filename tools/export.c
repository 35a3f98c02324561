/* SPDX-License-Identifier: MIT */
/* nsnap export: a version to a file, through a format plugin. */
#include "cli.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static int run(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = { CLI_COMMON_LONG,
					      { "format", required_argument, NULL, 'F' },
					      { "no-populations", no_argument, NULL, 'P' },
					      { "no-projections", no_argument, NULL, 'R' },
					      { "only", required_argument, NULL, 'O' },
					      { "option", required_argument, NULL, 'o' },
					      { "level", required_argument, NULL, 'l' },
					      { "force", no_argument, NULL, 'f' },
					      { "verbose", no_argument, NULL, 'v' },
					      CLI_NO_VERIFY_LONG, CLI_JSON_LONG, CLI_QUIET_LONG, CLI_PROGRESS_LONG,
					      { NULL, 0, NULL, 0 } };
	ns_export_opts o = NS_EXPORT_OPTS_INIT;
	ns_network *net = NULL;
	cJSON *json;
	struct stat st;
	const char **only = NULL, **options = NULL;
	size_t n_options = 0;
	uint64_t v, level;
	char num[24], rev[24];
	int ch, rc = CLI_ERROR;

	while ((ch = cli_getopt(c, argc, argv, "o:fvq", opts)) != -1) {
		switch (ch) {
		case CLI_STOP: rc = c->exit; goto done;
		case 'F': o.format = optarg; break;
		case 'P': o.select.no_populations = 1; break;
		case 'R': o.select.no_projections = 1; break;
		case 'O':
			if (cli_only(c, &only, optarg) != CLI_OK)
				goto done;
			break;
		case 'o':
			if (add_option(c, &options, &n_options, optarg) != CLI_OK)
				goto done;
			break;
		case 'l':
			if (cli_number(c, &level, "--level", optarg) != CLI_OK)
				goto done;
			o.level = level > 100 ? 100 : (int)level;
			break;
		case 'f': o.overwrite = 1; break;
		case 'v': o.verbose = 1; break;
		}
	}
	argc -= optind;
	argv += optind;
	o.select.only = only;
	o.options = options;
	if (cli_operands(c, argc, 2, 2) != CLI_OK || cli_open(c, 0) != CLI_OK ||
	    cli_resolve(c, &v, num, argv[0]) != CLI_OK)
		goto done;
	/* What is read: a sharded version is assembled first (its shards
	 * checked). */
	memcpy(rev, num, sizeof num);
	if (c->sharded && cli_assemble(c, &rev, 1) != CLI_OK)
		goto done;
	/* What will be written is checked before the file is created. */
	if (c->verify && !c->assembled) {
		if (ns_network_open(&net, c->store, rev) < 0) {
			rc = cli_fail_ns(c);
			goto done;
		}
		if (cli_check(c, net, &o.select, NULL, NULL) != CLI_OK)
			goto done;
		ns_network_free(net);
		net = NULL;
	}
	if (cli_load_plugins(c) != CLI_OK)
		goto done;
	cli_progress_begin(c, "exporting", cli_version_bytes(c, strtoull(rev, NULL, 10)));
	rc = ns_export(c->plugins, c->store, rev, argv[1], &o);
	if (rc == NS_OK && stat(argv[1], &st) == 0)
		cli_progress_done((uint64_t)st.st_size);
	cli_progress_end();
	if (rc < 0) {
		rc = cli_fail_export(c, argv[1]);
		goto done;
	}
	json = cJSON_CreateObject();
	cli_json_add_u64(json, "version", v);
	cJSON_AddStringToObject(json, "file", argv[1]);
	rc = cli_report(c, json, "exported version %s to '%s'\n", num, argv[1]);
done:
	ns_network_free(net);
	free(only);
	free(options);
	return rc;
}

const struct command cmd_export = {
	"export", run, "write a version to a file (pickle, .mat, ...)",
	"usage: nsnap export REV FILE [options]\n"
	"\n"
	"Write revision REV to FILE, in the format its name says, as ANNarchy does:\n"
	"'.mat' MATLAB, '.json' parameters, '.gz' a gzip'ed pickle, '.nsnt' text,\n"
	"anything else a pickle; '.zst' adds zstd ('net.data.zst'). The file appears\n"
	"whole or not at all; an existing file is kept unless --force. A new file\n"
	"gets the mode of any new file (0666 less the umask); a replaced one keeps\n"
	"its mode. --force replaces a regular file only, never a symbolic link, FIFO,\n"
	"device or folder. The hashes of the chunks written are checked first: a\n"
	"damaged chunk is an error, and no file is written.\n"
	"\n"
	"  --format NAME         the format, whatever the name (see nsnap plugins)\n"
	"  --no-populations      leave the populations out\n"
	"  --no-projections      leave the projections out\n"
	"  --only A,B            only these populations and projections\n"
	"  -o, --option N[=V]    an option of the format (e.g. -o version=7.3)\n"
	"  --level N             the compression level of gzip or zstd\n"
	"  -f, --force           replace FILE if it is a regular file\n"
	"  -v, --verbose         say what the format does\n"
	"  --no-verify           do not check the chunks' hashes\n"
	"  -q, --quiet           print nothing on success (no progress either)\n"
	"  --progress            show progress even when stderr is not a terminal\n"
	"  --json                say what was written as JSON: {\"version\": N, \"file\": ...}\n",
};
