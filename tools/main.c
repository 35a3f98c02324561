/* nsnap: look after the checkpoints of a store. */
#include "cli.h"

#include <stdlib.h>
#include <string.h>

static const struct command *const commands[] = {
	&cmd_init,   &cmd_log,    &cmd_show,    &cmd_cat,     &cmd_diff,   &cmd_tag,
	&cmd_branch, &cmd_rm,     &cmd_gc,      &cmd_compact, &cmd_export, &cmd_import,
	&cmd_params, &cmd_verify, &cmd_stats,   &cmd_plugins,
};
#define N_COMMANDS (sizeof commands / sizeof commands[0])

static void usage(FILE *f)
{
	fputs("usage: nsnap [-s STORE] COMMAND [ARGS]\n"
	      "\n"
	      "Keeps versioned checkpoints of neural networks in one store file.\n"
	      "The store is -s PATH (--store PATH) or $NSNAP_STORE. Revisions are a\n"
	      "version number, a tag, a branch or HEAD, with ~N for N versions back.\n"
	      "\n"
	      "Commands:\n",
	      f);
	for (size_t i = 0; i < N_COMMANDS; i++)
		fprintf(f, "  %-9s %s\n", commands[i]->name, commands[i]->summary);
	fputs("\n'nsnap COMMAND --help' describes a command. Exit status: 0 on success, 1\n"
	      "when diff finds differences or verify finds problems, 2 on an error.\n",
	      f);
}

static const struct command *find(const char *name)
{
	for (size_t i = 0; i < N_COMMANDS; i++)
		if (strcmp(commands[i]->name, name) == 0)
			return commands[i];
	return NULL;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = { CLI_COMMON_LONG,
					      { "version", no_argument, NULL, 'V' },
					      { NULL, 0, NULL, 0 } };
	struct cli c = { "nsnap", NULL, getenv("NSNAP_STORE"), 0, 0, NULL, NULL };
	const struct command *cmd;
	char usage_text[4096];
	FILE *mem;
	int ch, rc;

	/* The global options come before the command. */
	if (!(mem = fmemopen(usage_text, sizeof usage_text, "w")))
		return CLI_ERROR;
	usage(mem);
	fclose(mem);
	c.usage = usage_text;
	cli_getopt_reset();
	while ((ch = cli_getopt(&c, argc, argv, "+V", opts)) != -1) {
		if (ch == CLI_STOP)
			return c.exit;
		if (ch == 'V') {
			printf("nsnap %s\n", NSNAP_VERSION_STRING);
			return CLI_OK;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return CLI_ERROR;
	}
	if (strcmp(argv[optind], "help") == 0) {
		if (optind + 1 >= argc) {
			usage(stdout);
			return CLI_OK;
		}
		if (!(cmd = find(argv[optind + 1])))
			return cli_fail(&c, "unknown command '%s' (see 'nsnap --help')",
					argv[optind + 1]);
		fputs(cmd->usage, stdout);
		return CLI_OK;
	}
	if (!(cmd = find(argv[optind]))) {
		c.cmd = argv[optind];
		return cli_fail(&c, "unknown command (see 'nsnap --help')");
	}
	c.cmd = cmd->name;
	c.usage = cmd->usage;
	argc -= optind;
	argv += optind;
	cli_getopt_reset();
	rc = cmd->run(&c, argc, argv);
	cli_close(&c);
	if (fflush(stdout) != 0 || ferror(stdout))
		return cli_fail(&c, "writing the output failed");
	return rc;
}
