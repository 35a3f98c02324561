/* SPDX-License-Identifier: MIT */
/* nsnap log: the versions, newest first. */
#include "refs.h"

#include <string.h>

struct log {
	struct cli *c;
	struct ref_list refs;
	uint64_t max, shown;
	cJSON *json;
};

static int one(const ns_version_info *v, void *ctx)
{
	struct log *l = ctx;
	char when[32], logical[32], added[32], refs[512];
	ns_version_info sharded;
	if (l->max && l->shown == l->max)
		return 1;
	l->shown++;
	if (l->c->sharded) {
		/* the bytes are the shards' */
		sharded = *v;
		cli_sharded_bytes(l->c, &sharded.logical_bytes, &sharded.new_bytes, v->number);
		v = &sharded;
	}
	refs_of(refs, sizeof refs, &l->refs, v->number);
	if (l->json) {
		cJSON *j = cJSON_CreateObject(), *r = cJSON_CreateArray();
		cJSON_AddItemToArray(l->json, j);
		cli_json_add_u64(j, "version", v->number);
		if (v->parent)
			cli_json_add_u64(j, "parent", v->parent);
		else
			cJSON_AddNullToObject(j, "parent");
		cJSON_AddStringToObject(j, "time", cli_time_utc(when, v->time_ns));
		for (size_t i = 0; i < l->refs.n; i++) {
			const struct ref_entry *e = &l->refs.items[i];
			cJSON *o;
			if (e->version != v->number)
				continue;
			cJSON_AddItemToArray(r, o = cJSON_CreateObject());
			cJSON_AddStringToObject(o, "name", e->name);
			cJSON_AddStringToObject(o, "kind", e->kind == NS_REF_TAG ? "tag" : "branch");
			if (e->kind == NS_REF_BRANCH)
				cJSON_AddBoolToObject(o, "current", e->is_head);
		}
		cJSON_AddItemToObject(j, "refs", r);
		cJSON_AddStringToObject(j, "message", v->message);
		cli_json_add_u64(j, "logical_bytes", v->logical_bytes);
		cli_json_add_u64(j, "new_bytes", v->new_bytes);
		cli_json_add_u64(j, "arrays", v->n_arrays);
		return 0;
	}
	if (l->shown == 1)
		printf("%7s  %-19s  %10s  %10s  %-16s %s\n", "VERSION", "TIME", "LOGICAL", "NEW",
		       "REFS", "MESSAGE");
	printf("%7llu  %-19s  %10s  %10s  %-16s %s\n", (unsigned long long)v->number,
	       cli_time(when, v->time_ns), cli_bytes(logical, v->logical_bytes),
	       cli_bytes(added, v->new_bytes), refs, v->message);
	return 0;
}

static int run(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = { CLI_COMMON_LONG, CLI_JSON_LONG,
					      { "max-count", required_argument, NULL, 'n' },
					      { NULL, 0, NULL, 0 } };
	struct log l = { c, { NULL, 0, 0 }, 0, 0, NULL };
	int ch, rc = CLI_ERROR, kept = 1;

	/* "-3" is "-n 3", as for git log; taken out before getopt sees it. */
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0) {
			while (i < argc)
				argv[kept++] = argv[i++];
			break;
		}
		if (argv[i][0] == '-' && argv[i][1] && strspn(argv[i] + 1, "0123456789") ==
		    strlen(argv[i] + 1)) {
			if (cli_number(c, &l.max, argv[i], argv[i] + 1) != CLI_OK)
				return CLI_ERROR;
			continue;
		}
		argv[kept++] = argv[i];
	}
	argc = kept;
	argv[argc] = NULL;

	while ((ch = cli_getopt(c, argc, argv, "n:", opts)) != -1) {
		if (ch == CLI_STOP)
			return c->exit;
		if (ch == 'n' && cli_number(c, &l.max, "-n", optarg) != CLI_OK)
			return CLI_ERROR;
	}
	if (cli_operands(c, argc - optind, 0, 0) != CLI_OK || cli_open(c, 0) != CLI_OK ||
	    refs_load(c, &l.refs) != CLI_OK)
		goto done;
	if (c->json)
		l.json = cJSON_CreateArray();
	if (ns_store_foreach_version(c->store, one, &l) < 0) {
		rc = cli_fail_ns(c);
		cJSON_Delete(l.json);
		goto done;
	}
	if (c->json)
		rc = cli_print_json(c, l.json);
	else if (l.shown == 0)
		rc = (printf("no versions yet\n"), CLI_OK);
	else
		rc = CLI_OK;
done:
	refs_free(&l.refs);
	return rc;
}

const struct command cmd_log = {
	"log", run, "list the versions, newest first",
	"usage: nsnap log [-n N | -N] [--json]\n"
	"\n"
	"List the versions, newest first: number, time (local), logical size of its\n"
	"arrays, bytes its commit added to the store (what it really cost), its tags\n"
	"and branches (the current branch starred), and its message.\n"
	"\n"
	"  -n, --max-count N  only the N newest (-N is the same: 'nsnap log -3')\n"
	"  --json             the same as a JSON array (times in UTC, ISO 8601)\n",
};
