/* SPDX-License-Identifier: MIT */
/* nsnap stats: what the store holds and what it costs. */
#include "cli.h"

static int run(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = { CLI_COMMON_LONG, CLI_JSON_LONG,
					      { NULL, 0, NULL, 0 } };
	ns_store_stats st;
	char a[32], b[32], d[32];
	double dedup, ratio;
	int ch, shards = 0;

	while ((ch = cli_getopt(c, argc, argv, "", opts)) != -1)
		if (ch == CLI_STOP)
			return c->exit;
	if (cli_operands(c, argc - optind, 0, 0) != CLI_OK || cli_open(c, 0) != CLI_OK)
		return CLI_ERROR;
	if (c->sharded ? cli_sharded_stats(c, &st, &shards) != CLI_OK
		       : ns_store_stats_get(&st, c->store) < 0)
		return c->sharded ? CLI_ERROR : cli_fail_ns(c);
	dedup = st.unique_bytes ? (double)st.logical_bytes / (double)st.unique_bytes : 1;
	ratio = st.stored_bytes ? (double)st.logical_bytes / (double)st.stored_bytes : 1;
	if (c->json) {
		cJSON *j = cJSON_CreateObject();
		cJSON_AddStringToObject(j, "store", c->store_path);
		if (c->sharded)
			cli_json_add_i64(j, "shards", shards);
		cli_json_add_u64(j, "versions", st.versions);
		cli_json_add_u64(j, "chunks", st.chunks);
		cli_json_add_u64(j, "logical_bytes", st.logical_bytes);
		cli_json_add_u64(j, "unique_bytes", st.unique_bytes);
		cli_json_add_u64(j, "stored_bytes", st.stored_bytes);
		cli_json_add_u64(j, "file_bytes", st.file_bytes);
		cli_json_add_u64(j, "orphan_chunks", st.orphan_chunks);
		cli_json_add_f64(j, "deduplication", dedup);
		cli_json_add_f64(j, "ratio", ratio);
		cli_json_add_u64(j, "chunk_size", st.chunk_size);
		cJSON_AddStringToObject(j, "codec", st.codec == NS_CODEC_ZSTD ? "zstd" : "raw");
		cli_json_add_i64(j, "level", st.level);
		cli_json_add_u64(j, "format", st.format);
		return cli_print_json(c, j);
	}
	printf("store:          %s (format %u)\n", c->store_path, st.format);
	if (c->sharded)
		printf("shards:         %d (sharded over MPI: figures of every file)\n", shards);
	printf("versions:       %llu\n", (unsigned long long)st.versions);
	printf("logical size:   %s (every array of every version)\n",
	       cli_bytes(a, st.logical_bytes));
	printf("unique data:    %s in %llu chunks of %s: deduplication %.2fx\n",
	       cli_bytes(b, st.unique_bytes), (unsigned long long)st.chunks,
	       cli_bytes(d, st.chunk_size), dedup);
	printf("stored:         %s (%s", cli_bytes(a, st.stored_bytes),
	       st.codec == NS_CODEC_ZSTD ? "zstd" : "raw");
	if (st.codec == NS_CODEC_ZSTD)
		printf(" level %d", st.level);
	printf(" by default): %.2fx smaller than logical\n", ratio);
	printf("file:           %s\n", cli_bytes(a, st.file_bytes));
	if (st.orphan_chunks)
		printf("orphans:        %llu chunks of interrupted commits (nsnap gc frees them)\n",
		       (unsigned long long)st.orphan_chunks);
	return CLI_OK;
}

const struct command cmd_stats = {
	"stats", run, "sizes: logical, stored, deduplication",
	"usage: nsnap stats [--json]\n"
	"\n"
	"Show what the store holds: versions, the logical size of all their arrays,\n"
	"the unique chunks actually kept (deduplication ratio), their stored size,\n"
	"and the file's size.\n"
	"\n"
	"  --json  the same as a JSON object\n",
};
