/* SPDX-License-Identifier: MIT */
/* nsnap: look after the checkpoints of a store. */
#include "cli.h"

#include <errno.h>
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
	      "       nsnap --version | --help | help COMMAND\n"
	      "\n"
	      "Keeps versioned checkpoints of neural networks in one store file.\n"
	      "Revisions are a version number, a tag, a branch or HEAD, with ~N for N\n"
	      "versions back.\n"
	      "\n"
	      "  -s, --store PATH  the store file (default $NSNAP_STORE); every command\n"
	      "                    takes it, before or after its name\n"
	      "  -h, --help        this text; 'nsnap COMMAND --help' a command's\n"
	      "  -V, --version     nsnap's version\n"
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

/* An unknown command: the nearest names, as for a mistyped revision. */
static int unknown(struct cli *c, const char *name)
{
	const char *names[N_COMMANDS + 1] = { "help" };
	char near[256];
	for (size_t i = 0; i < N_COMMANDS; i++)
		names[i + 1] = commands[i]->name;
	cli_nearest(near, sizeof near, name, names, N_COMMANDS + 1);
	return cli_fail(c, "unknown command '%s'%s%s%s (see 'nsnap --help')", name,
			*near ? " (nearest: " : "", near, *near ? ")" : "");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = { CLI_COMMON_LONG,
					      { "version", no_argument, NULL, 'V' },
					      { NULL, 0, NULL, 0 } };
	struct cli c = { .cmd = NULL, .store_path = getenv("NSNAP_STORE"), .verify = 1 };
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
			return unknown(&c, argv[optind + 1]);
		fputs(cmd->usage, stdout);
		return CLI_OK;
	}
	if (!(cmd = find(argv[optind])))
		return unknown(&c, argv[optind]);
	c.cmd = cmd->name;
	c.usage = cmd->usage;
	argc -= optind;
	argv += optind;
	cli_getopt_reset();
	rc = cmd->run(&c, argc, argv);
	cli_close(&c);
	errno = 0;
	if (fflush(stdout) != 0 || ferror(stdout))
		return cli_fail(&c, "writing the output failed: %s",
				errno ? strerror(errno) : "an I/O error");
	return rc;
}
