/* SPDX-License-Identifier: MIT */
/* nsnap branch: lines of versions. */
#include "refs.h"

#include <stdlib.h>
#include <string.h>

/* --switch NAME: to an existing branch, or (--create) to a new one at @rev
 * (HEAD when NULL; a store without versions gets an unborn branch, which
 * its next commit creates). */
static int switch_to(struct cli *c, const char *name, int create, const char *rev)
{
	struct ref_list refs = { NULL, 0, 0 };
	const char **names = NULL;
	const struct ref_entry *found = NULL;
	char near[900], num[24] = "";
	size_t n = 0;
	uint64_t v;
	cJSON *json;
	int rc = CLI_ERROR;

	if (refs_load(c, &refs) != CLI_OK)
		return CLI_ERROR;
	if (!(names = malloc((refs.n + 1) * sizeof *names))) {
		rc = cli_fail(c, "out of memory");
		goto done;
	}
	for (size_t i = 0; i < refs.n; i++) {
		if (strcmp(refs.items[i].name, name) == 0)
			found = &refs.items[i];
		if (refs.items[i].kind == NS_REF_BRANCH)
			names[n++] = refs.items[i].name;
	}
	if (found && found->kind == NS_REF_TAG) {
		rc = cli_fail(c, "'%s' is a tag, not a branch (tags do not move)", name);
		goto done;
	}
	if (found && create) {
		rc = cli_fail(c, "branch '%s' exists (switch to it without --create)", name);
		goto done;
	}
	if (!found && !create) {
		cli_nearest(near, sizeof near, name, names, n);
		rc = cli_fail(c, "no branch '%s'%s%s%s; 'nsnap branch --switch -c %s' creates it",
			      name, *near ? " (nearest: " : "", near, *near ? ")" : "", name);
		goto done;
	}
	if (!found && ns_store_resolve(&v, c->store, rev ? rev : "HEAD") == NS_OK) {
		if (cli_resolve(c, &v, num, rev ? rev : "HEAD") != CLI_OK)
			goto done;
		if (ns_branch_create(c->store, name, num, 0) < 0) {
			rc = cli_fail_ns(c);
			goto done;
		}
		if (!c->json && !c->quiet)
			printf("branch '%s' at version %s\n", name, num);
	} else if (rev && cli_resolve(c, &v, num, rev) != CLI_OK) {
		goto done; /* a revision given, but none to start from */
	}
	if (ns_branch_checkout(c->store, name) < 0) {
		rc = cli_fail_ns(c);
		goto done;
	}
	json = cJSON_CreateObject();
	cJSON_AddStringToObject(json, "branch", name);
	cJSON_AddBoolToObject(json, "created", !found);
	if (*num)
		cli_json_add_u64(json, "version", v);
	else if (found)
		cli_json_add_u64(json, "version", found->version);
	else
		cJSON_AddNullToObject(json, "version");
	rc = cli_report(c, json, "new versions now go to branch '%s'\n", name);
done:
	free(names);
	refs_free(&refs);
	return rc;
}

static int run(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = { CLI_COMMON_LONG,
					      { "delete", no_argument, NULL, 'd' },
					      { "force", no_argument, NULL, 'f' },
					      { "switch", no_argument, NULL, 'w' },
					      { "create", no_argument, NULL, 'c' },
					      { "list", no_argument, NULL, 'l' },
					      CLI_JSON_LONG,
					      { NULL, 0, NULL, 0 } };
	int ch, del = 0, force = 0, sw = 0, create = 0, list = 0;
	uint64_t v;
	char num[24];
	cJSON *json;

	while ((ch = cli_getopt(c, argc, argv, "dfcl", opts)) != -1) {
		if (ch == CLI_STOP)
			return c->exit;
		del |= ch == 'd';
		force |= ch == 'f';
		sw |= ch == 'w';
		create |= ch == 'c';
		list |= ch == 'l';
	}
	argc -= optind;
	argv += optind;
	if (create && !sw)
		return cli_fail(c, "--create goes with --switch (see 'nsnap branch --help')");
	if (del && sw)
		return cli_fail(c, "--delete and --switch do not go together");
	if (list && (del || sw || force))
		return cli_fail(c, "--list goes alone (with patterns)");
	if (list || (argc == 0 && !del && !sw))
		return refs_list(c, NS_REF_BRANCH, argv, argc);
	if (cli_operands(c, argc, 1, del || (sw && !create) ? 1 : 2) != CLI_OK ||
	    cli_open(c, 1) != CLI_OK)
		return CLI_ERROR;
	if (del) {
		if (ns_branch_delete(c->store, argv[0]) < 0)
			return cli_fail_ns(c);
		json = cJSON_CreateObject();
		cJSON_AddStringToObject(json, "deleted_branch", argv[0]);
		return cli_report(c, json, "deleted branch '%s'\n", argv[0]);
	}
	if (sw)
		return switch_to(c, argv[0], create, argc > 1 ? argv[1] : NULL);
	if (cli_resolve(c, &v, num, argc > 1 ? argv[1] : "HEAD") != CLI_OK)
		return CLI_ERROR;
	if (ns_branch_create(c->store, argv[0], num, force) < 0)
		return cli_fail_ns(c);
	json = cJSON_CreateObject();
	cJSON_AddStringToObject(json, "branch", argv[0]);
	cli_json_add_u64(json, "version", v);
	return cli_report(c, json, "branch '%s' at version %s\n", argv[0], num);
}

const struct command cmd_branch = {
	"branch", run, "create, move, switch or delete branches",
	"usage: nsnap branch [NAME [REV]]\n"
	"       nsnap branch --switch NAME\n"
	"       nsnap branch --switch -c NAME [REV]\n"
	"       nsnap branch -l [PATTERN...]\n"
	"       nsnap branch -d NAME\n"
	"\n"
	"Create branch NAME at revision REV (default HEAD): a line of versions that\n"
	"snapshots can continue from a warmed-up state. Without arguments, list the\n"
	"branches (the current one starred).\n"
	"\n"
	"  -f, --force   move an existing branch to REV\n"
	"  --switch      make NAME, an existing branch, the current one (HEAD;\n"
	"                where commits go); a missing name is refused\n"
	"  -c, --create  with --switch: create NAME at REV (default HEAD) first, as\n"
	"                'git switch -c' does\n"
	"  -l, --list    list the branches (matching a PATTERN, as 'exp*', when given)\n"
	"  -d, --delete  delete the branch NAME (its versions stay)\n"
	"  --json        as JSON: the list, or what was made ({\"branch\": ..., \"version\": N})\n",
};
