/* nsnap export: a version to a file, through a format plugin. */
#include "cli.h"

#include <stdlib.h>

static int run(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = { CLI_COMMON_LONG,
					      { "format", required_argument, NULL, 'f' },
					      { "no-populations", no_argument, NULL, 'P' },
					      { "no-projections", no_argument, NULL, 'R' },
					      { "only", required_argument, NULL, 'O' },
					      { "option", required_argument, NULL, 'o' },
					      { "level", required_argument, NULL, 'l' },
					      { "force", no_argument, NULL, 'F' },
					      { "verbose", no_argument, NULL, 'v' },
					      { NULL, 0, NULL, 0 } };
	ns_export_opts o = NS_EXPORT_OPTS_INIT;
	const char **only = NULL, **options = NULL;
	size_t n_options = 0;
	uint64_t v, level;
	char num[24];
	int ch, rc = CLI_ERROR;

	while ((ch = cli_getopt(c, argc, argv, "f:o:l:Fv", opts)) != -1) {
		switch (ch) {
		case CLI_STOP: rc = c->exit; goto done;
		case 'f': o.format = optarg; break;
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
		case 'F': o.overwrite = 1; break;
		case 'v': o.verbose = 1; break;
		}
	}
	argc -= optind;
	argv += optind;
	if (cli_operands(c, argc, 2, 2) != CLI_OK || cli_open(c, 0) != CLI_OK ||
	    cli_resolve(c, &v, num, argv[0]) != CLI_OK || cli_load_plugins(c) != CLI_OK)
		goto done;
	o.select.only = only;
	o.options = options;
	cli_progress_begin(c, "exporting");
	rc = ns_export(c->plugins, c->store, num, argv[1], &o);
	cli_progress_end();
	if (rc < 0) {
		rc = cli_fail_export(c, argv[1]);
		goto done;
	}
	printf("exported version %s to '%s'\n", num, argv[1]);
	rc = CLI_OK;
done:
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
	"device or folder.\n"
	"\n"
	"  -f, --format NAME     the format, whatever the name (see nsnap plugins)\n"
	"  --no-populations      leave the populations out\n"
	"  --no-projections      leave the projections out\n"
	"  --only A,B            only these populations and projections\n"
	"  -o, --option N[=V]    an option of the format (e.g. -o version=7.3)\n"
	"  -l, --level N         the compression level of gzip or zstd\n"
	"  -F, --force           replace FILE if it is a regular file\n"
	"  -v, --verbose         say what the format does\n",
};
