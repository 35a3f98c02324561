/* SPDX-License-Identifier: MIT */
/* nsnap rm: delete versions. */
#include "refs.h"

#include <stdlib.h>

int delete_version(struct cli *c, const struct ref_list *refs, uint64_t v)
{
	const char *tag = refs_tag_of(refs, v);
	if (tag)
		return cli_fail(c, "version %llu is tagged '%s': delete the tag first "
				"(nsnap tag -d %s)", (unsigned long long)v, tag, tag);
	if (ns_version_delete(c->store, v) < 0)
		return cli_fail_ns(c);
	return CLI_OK;
}

static int run(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = { CLI_COMMON_LONG, { NULL, 0, NULL, 0 } };
	struct ref_list refs = { NULL, 0, 0 };
	uint64_t *numbers = NULL;
	char num[24];
	int ch, rc = CLI_ERROR, n;

	while ((ch = cli_getopt(c, argc, argv, "", opts)) != -1)
		if (ch == CLI_STOP)
			return c->exit;
	argc -= optind;
	argv += optind;
	if (cli_operands(c, argc, 1, 1 << 20) != CLI_OK || cli_open(c, 1) != CLI_OK ||
	    refs_load(c, &refs) != CLI_OK)
		goto done;
	/* Resolve every revision before deleting any: HEAD~1 means the same
	 * version whatever is deleted first. */
	if (!(numbers = malloc((size_t)argc * sizeof *numbers))) {
		rc = cli_fail(c, "out of memory");
		goto done;
	}
	for (n = 0; n < argc; n++)
		if (cli_resolve(c, &numbers[n], num, argv[n]) != CLI_OK)
			goto done;
	for (n = 0; n < argc; n++) {
		if (delete_version(c, &refs, numbers[n]) != CLI_OK)
			goto done;
		printf("deleted version %llu\n", (unsigned long long)numbers[n]);
	}
	rc = CLI_OK;
done:
	free(numbers);
	refs_free(&refs);
	return rc;
}

const struct command cmd_rm = {
	"rm", run, "delete versions",
	"usage: nsnap rm REV...\n"
	"\n"
	"Delete the versions REV. Chunks no other version uses are freed; branches at\n"
	"a deleted version move to its parent, and its children take its parent as\n"
	"theirs. A tagged version is refused: delete its tag first (nsnap tag -d).\n",
};
