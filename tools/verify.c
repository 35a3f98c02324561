/* SPDX-License-Identifier: MIT */
/* nsnap verify: check every chunk and every version of the store. */
#include "cli.h"

static int problem(const ns_problem *p, void *ctx)
{
	(void)ctx;
	cli_progress_end();
	printf("problem: %s\n", p->message);
	return 0;
}

static int run(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = { CLI_COMMON_LONG, CLI_PROGRESS_LONG,
					      { NULL, 0, NULL, 0 } };
	ns_store_stats st;
	uint64_t n = 0;
	int ch, rc;

	while ((ch = cli_getopt(c, argc, argv, "", opts)) != -1)
		if (ch == CLI_STOP)
			return c->exit;
	if (cli_operands(c, argc - optind, 0, 0) != CLI_OK)
		return CLI_ERROR;
	if (cli_open(c, 0) != CLI_OK) {
		/* A store too damaged to open (the damage named on stderr) is
		 * what verify looks for: a problem found, not a check that could
		 * not run. */
		if (ns_error_last()->code != NS_ECORRUPT)
			return CLI_ERROR;
		printf("store '%s': 1 problem found (too damaged to open)\n", c->store_path);
		return CLI_DIFFERENT;
	}
	if (c->sharded)
		return cli_verify_sharded(c);
	cli_progress_begin(c, "verifying", 0);
	rc = ns_store_verify(c->store, problem, NULL, &n);
	cli_progress_end();
	if (rc < 0 && rc != NS_ECORRUPT)
		return cli_fail_ns(c);
	if (ns_store_stats_get(&st, c->store) < 0)
		return cli_fail_ns(c);
	if (rc == NS_ECORRUPT) {
		printf("store '%s': %llu problem%s found\n", c->store_path, (unsigned long long)n,
		       n == 1 ? "" : "s");
		return CLI_DIFFERENT;
	}
	printf("store '%s': %llu versions, %llu chunks checked: no problems\n", c->store_path,
	       (unsigned long long)st.versions, (unsigned long long)st.chunks);
	return CLI_OK;
}

const struct command cmd_verify = {
	"verify", run, "check every chunk and version",
	"usage: nsnap verify [--progress]\n"
	"\n"
	"Read every chunk and check it against its hash, check that every version has\n"
	"all its chunks and that the reference counts and sizes add up. Each problem\n"
	"is printed on a line of its own. A sharded store (a directory written over\n"
	"MPI) has its global record and every shard checked, and every version\n"
	"assembled from its shards. Exit status 0 when all is well, 1 when\n"
	"problems were found, 2 when the check could not run.\n"
	"\n"
	"  --progress  show progress even when stderr is not a terminal\n",
};
