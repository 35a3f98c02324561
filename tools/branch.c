/* nsnap branch: lines of versions. */
#include "refs.h"

static int run(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = { CLI_COMMON_LONG,
					      { "delete", no_argument, NULL, 'd' },
					      { "force", no_argument, NULL, 'f' },
					      { "switch", no_argument, NULL, 'w' },
					      { NULL, 0, NULL, 0 } };
	int ch, del = 0, force = 0, sw = 0;
	uint64_t v;
	char num[24];

	while ((ch = cli_getopt(c, argc, argv, "dfw", opts)) != -1) {
		if (ch == CLI_STOP)
			return c->exit;
		del |= ch == 'd';
		force |= ch == 'f';
		sw |= ch == 'w';
	}
	argc -= optind;
	argv += optind;
	if (argc == 0 && !del && !sw)
		return refs_list(c, NS_REF_BRANCH);
	if (cli_operands(c, argc, 1, del || sw ? 1 : 2) != CLI_OK || cli_open(c, 1) != CLI_OK)
		return CLI_ERROR;
	if (del) {
		if (ns_branch_delete(c->store, argv[0]) < 0)
			return cli_fail_ns(c);
		printf("deleted branch '%s'\n", argv[0]);
		return CLI_OK;
	}
	if (sw) {
		if (ns_branch_checkout(c->store, argv[0]) < 0)
			return cli_fail_ns(c);
		printf("new versions now go to branch '%s'\n", argv[0]);
		return CLI_OK;
	}
	if (cli_resolve(c, &v, num, argc > 1 ? argv[1] : "HEAD") != CLI_OK)
		return CLI_ERROR;
	if (ns_branch_create(c->store, argv[0], num, force) < 0)
		return cli_fail_ns(c);
	printf("branch '%s' at version %s\n", argv[0], num);
	return CLI_OK;
}

const struct command cmd_branch = {
	"branch", run, "create, move, switch or delete branches",
	"usage: nsnap branch [NAME [REV]]\n"
	"       nsnap branch --switch NAME\n"
	"       nsnap branch -d NAME\n"
	"\n"
	"Create branch NAME at revision REV (default HEAD): a line of versions that\n"
	"snapshots can continue from a warmed-up state. Without arguments, list the\n"
	"branches (the current one starred).\n"
	"\n"
	"  -f, --force   move an existing branch to REV\n"
	"  --switch      make NAME the current branch (HEAD; where commits go)\n"
	"  -d, --delete  delete the branch NAME (its versions stay)\n",
};
