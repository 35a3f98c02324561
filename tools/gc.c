/* SPDX-License-Identifier: MIT */
/* nsnap gc: forget old versions and free what no version uses. */
#include "refs.h"

#include <stdlib.h>

struct versions {
	uint64_t *v;
	size_t n, cap;
};

static int collect(const ns_version_info *info, void *ctx)
{
	struct versions *l = ctx;
	if (l->n == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 64;
		uint64_t *v = realloc(l->v, cap * sizeof *v);
		if (!v)
			return NS_ENOMEM;
		l->v = v;
		l->cap = cap;
	}
	l->v[l->n++] = info->number;
	return 0;
}

/* Whether a tag or branch names @v. */
static int named(const struct ref_list *refs, uint64_t v)
{
	for (size_t i = 0; i < refs->n; i++)
		if (refs->items[i].version == v)
			return 1;
	return 0;
}

/* The figures of the store, or of every file of a sharded one. */
static int store_stats(struct cli *c, ns_store_stats *st)
{
	int shards;
	if (c->sharded)
		return cli_sharded_stats(c, st, &shards);
	return ns_store_stats_get(st, c->store) < 0 ? cli_fail_ns(c) : CLI_OK;
}

static int run(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = { CLI_COMMON_LONG,
					      { "keep-last", required_argument, NULL, 'k' },
					      { "dry-run", no_argument, NULL, 'n' },
					      CLI_PROGRESS_LONG,
					      { NULL, 0, NULL, 0 } };
	struct ref_list refs = { NULL, 0, 0 };
	struct versions all = { NULL, 0, 0 };
	ns_store_stats before, after;
	uint64_t keep = 0, chunks = 0, bytes = 0, deleted = 0, shard_versions = 0;
	int ch, rc = CLI_ERROR, has_keep = 0, dry = 0;
	char a[32], b[32];

	while ((ch = cli_getopt(c, argc, argv, "", opts)) != -1) {
		switch (ch) {
		case CLI_STOP: return c->exit;
		case 'k':
			if (cli_number(c, &keep, "--keep-last", optarg) != CLI_OK)
				return CLI_ERROR;
			has_keep = 1;
			break;
		case 'n': dry = 1; break;
		}
	}
	if (cli_operands(c, argc - optind, 0, 0) != CLI_OK || cli_open(c, !dry) != CLI_OK ||
	    refs_load(c, &refs) != CLI_OK)
		goto done;
	if ((rc = store_stats(c, &before)) != CLI_OK)
		goto done;
	if (has_keep) {
		if (ns_store_foreach_version(c->store, collect, &all) < 0) {
			rc = cli_fail(c, "listing versions: %s", ns_error_last()->message);
			goto done;
		}
		/* Newest first: keep the first @keep, and every named one. */
		for (size_t i = keep; i < all.n; i++) {
			if (named(&refs, all.v[i]))
				continue;
			if (!dry && delete_version(c, &refs, all.v[i]) != CLI_OK)
				goto done;
			printf("%s version %llu\n", dry ? "would delete" : "deleted",
			       (unsigned long long)all.v[i]);
			deleted++;
		}
	}
	if (dry) {
		printf("would delete %llu version%s; %llu chunks of interrupted commits to free\n",
		       (unsigned long long)deleted, deleted == 1 ? "" : "s",
		       (unsigned long long)before.orphan_chunks);
		rc = CLI_OK;
		goto done;
	}
	cli_progress_begin(c, "collecting garbage", 0);
	rc = ns_store_gc(c->store, &chunks, &bytes);
	cli_progress_end();
	if (rc < 0) {
		rc = cli_fail_ns(c);
		goto done;
	}
	/* the shard versions of the global ones deleted (and of failed rounds) */
	if (c->sharded && cli_sharded_gc(c, &shard_versions, &bytes) != CLI_OK)
		goto done;
	if ((rc = store_stats(c, &after)) != CLI_OK)
		goto done;
	printf("deleted %llu version%s; freed %llu orphan chunk%s; stored data %s -> %s\n",
	       (unsigned long long)deleted, deleted == 1 ? "" : "s", (unsigned long long)chunks,
	       chunks == 1 ? "" : "s", cli_bytes(a, before.stored_bytes),
	       cli_bytes(b, after.stored_bytes));
	if (c->sharded)
		printf("deleted %llu shard version%s that no version names\n",
		       (unsigned long long)shard_versions, shard_versions == 1 ? "" : "s");
	if (after.stored_bytes < before.stored_bytes)
		printf("the file keeps its size; 'nsnap compact' gives the space back\n");
	rc = CLI_OK;
done:
	free(all.v);
	refs_free(&refs);
	return rc;
}

const struct command cmd_gc = {
	"gc", run, "delete old versions, free unused chunks",
	"usage: nsnap gc [--keep-last N] [--dry-run] [--progress]\n"
	"\n"
	"Free the chunks that no version uses (left by interrupted commits). With\n"
	"--keep-last N, first delete every version but the N newest, keeping tagged\n"
	"versions and the tips of branches whatever their age. On a sharded store\n"
	"(a directory written over MPI), also delete the shard versions that no\n"
	"version names (ns_mpi_gc()).\n"
	"\n"
	"  --keep-last N  keep the N newest versions (and every tagged one)\n"
	"  --dry-run      say what would be deleted, delete nothing\n"
	"  --progress     show progress even when stderr is not a terminal\n",
};
