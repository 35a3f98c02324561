/* SPDX-License-Identifier: MIT */
/* The nsnap command's shared parts: options, errors, the store and the
 * plugins, revisions, and printing numbers, sizes, times and JSON. */
#ifndef NSNAP_TOOLS_CLI_H
#define NSNAP_TOOLS_CLI_H

#include <getopt.h>
#include <stdint.h>
#include <stdio.h>

#include <cjson/cJSON.h>
#include <nsnap/nsnap.h>

#include "util.h" /* ns__shortest_double(), shared with the library */

/* Exit statuses, as diff(1): 1 means "different" (diff) or "problems
 * found" (verify). */
enum { CLI_OK = 0, CLI_DIFFERENT = 1, CLI_ERROR = 2 };

struct cli {
	const char *cmd;        /* the subcommand, in messages; NULL before it */
	const char *usage;      /* its help text */
	const char *store_path; /* -s/--store, or NSNAP_STORE */
	int json;               /* --json */
	int quiet;              /* -q/--quiet */
	int progress;           /* --progress: whatever stderr is */
	int exit;               /* set when cli_getopt() returns CLI_STOP */
	int verify;             /* reads check chunk hashes (not --no-verify) */
	ns_store *store;
	ns_plugins *plugins;
	int sharded;            /* the store is a directory of shards (sharded.c) */
	int assembled;          /* ...whose versions store holds assembled */
	uint64_t sharded_version; /* the version cli_sharded_network() assembled */
	char assembly_dir[4096];
};

/* One subcommand. */
struct command {
	const char *name;
	int (*run)(struct cli *c, int argc, char **argv);
	const char *summary;
	const char *usage; /* from "usage: nsnap NAME" on, options described */
};

extern const struct command cmd_init, cmd_log, cmd_show, cmd_cat, cmd_diff, cmd_tag,
	cmd_branch, cmd_rm, cmd_gc, cmd_compact, cmd_export, cmd_import, cmd_params,
	cmd_verify, cmd_stats, cmd_plugins;

/* Print "nsnap: <cmd>: <message>" on stderr; returns CLI_ERROR. */
int cli_fail(struct cli *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The same with nsnap's last error message as the message (which, for
 * something not found while plugins were passed over, points to them). */
int cli_fail_ns(struct cli *c);
/* "nsnap: <cmd>: warning: <message>" on stderr. */
void cli_warn(struct cli *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A failed export to @file: nsnap's message, but an existing file (which
 * ns_export() refuses atomically) points to --force. */
int cli_fail_export(struct cli *c, const char *file);

/* Options: the command's own (@shortopts, @longopts, which must include
 * CLI_COMMON_LONG) and the common -s/--store, -h/--help. Returns the next
 * option of the command, -1 at the end, or CLI_STOP when the command must
 * return c->exit (after --help, or an error it printed). Call
 * cli_getopt_reset() first. */
#define CLI_STOP 0x10000
#define CLI_COMMON_LONG                                               \
	{ "store", required_argument, NULL, 's' },                   \
	{ "help", no_argument, NULL, 'h' }
/* Options cli_getopt() handles itself for the commands that list them:
 * --json, -q/--quiet ('q' in @shortopts too), --progress and --no-verify
 * set c->json, quiet, progress and verify (to 0). */
#define CLI_JSON_LONG { "json", no_argument, NULL, 'J' }
#define CLI_PROGRESS 0x10002
#define CLI_PROGRESS_LONG { "progress", no_argument, NULL, CLI_PROGRESS }
#define CLI_QUIET_LONG { "quiet", no_argument, NULL, 'q' }
#define CLI_NO_VERIFY 0x10001
#define CLI_NO_VERIFY_LONG { "no-verify", no_argument, NULL, CLI_NO_VERIFY }
void cli_getopt_reset(void);
int cli_getopt(struct cli *c, int argc, char **argv, const char *shortopts,
	       const struct option *longopts);
/* The operands after the options: between @min and @max of them (else an
 * error, CLI_ERROR); returns CLI_OK. */
int cli_operands(struct cli *c, int argc, int min, int max);
/* A whole number from option @name's @arg, or an error. */
int cli_number(struct cli *c, uint64_t *out, const char *name, const char *arg);
/* A NULL-terminated list of the comma-separated names of @arg (strings
 * and list malloc'd in one block; free() it). */
const char **cli_split(const char *arg);

/* Append "-o NAME=VALUE" @arg to the NULL-terminated *@list (malloc'd). */
int add_option(struct cli *c, const char ***list, size_t *n, const char *arg);

/* Open the store (read-only unless @writable). Errors say what to do. */
int cli_open(struct cli *c, int writable);
/* Load the plugins: the build tree's beside the program, NSNAP_PLUGIN_PATH,
 * the install folder. A module that fails to load is a warning naming it
 * and why; only what needs it fails. */
int cli_load_plugins(struct cli *c);
/* Sharded stores (sharded.c): whether @path is a store directory that
 * ns_mpi_snapshot() wrote; open its global record as c->store (only tag,
 * branch, rm and gc may write); check the hashes of the shard chunks of version
 * @num (unless --no-verify); assemble version @num into one network; add
 * up the bytes of global version @v's shards; verify every file and
 * version. */
int cli_is_sharded(const char *path);
int cli_open_sharded(struct cli *c, int writable);
int cli_check_shards(struct cli *c, const char *num);
int cli_sharded_network(struct cli *c, ns_network **net, const char *num);
int cli_sharded_bytes(struct cli *c, uint64_t *logical, uint64_t *added, uint64_t v);
int cli_verify_sharded(struct cli *c);
/* The global record's and every shard's figures added up (versions: the
 * global ones; chunking and codec: the shards'); @shards their number. */
int cli_sharded_stats(struct cli *c, ns_store_stats *sum, int *shards);
/* ns_mpi_gc(): delete the shard versions no global version names (@versions)
 * and free orphan chunks (@bytes). */
int cli_sharded_gc(struct cli *c, uint64_t *versions, uint64_t *bytes);
/* Compact the global record's file and every shard's in place; the bytes
 * of all of them before and after. */
int cli_sharded_compact(struct cli *c, uint64_t *before, uint64_t *after);
/* For the commands that read versions through a store (diff, export):
 * the @n versions @nums of the sharded store assembled into a temporary
 * store that becomes c->store; @nums become their numbers there. Removed
 * by cli_close(). */
int cli_assemble(struct cli *c, char (*nums)[24], int n);
void cli_assembly_remove(struct cli *c);
/* Close what was opened. */
void cli_close(struct cli *c);

/* Resolve @rev to its version; on an unknown name, the error lists the
 * nearest tags and branches. @buf gets the number as text (for nsnap's
 * functions that take a revision). */
int cli_resolve(struct cli *c, uint64_t *out, char buf[24], const char *rev);

/* Up to three of the @n @names nearest to @want (a typo's), as "'a', 'b'"
 * in @buf; "" when none is near enough to be what was meant. */
const char *cli_nearest(char *buf, size_t size, const char *want, const char *const *names,
			size_t n);

/* Open the store read-only and revision @rev as a network; @v and @num as
 * cli_resolve() gives them. */
int cli_open_network(struct cli *c, ns_network **net, uint64_t *v, char num[24],
		     const char *rev);

/* Unless --no-verify: check the hashes of the chunks that reading @net will
 * use (the objects @sel selects, NULL for all, and the network's arrays;
 * or only object @object: its connectivity and attribute @attr). A
 * damaged chunk is an error naming the version, array and chunk. */
int cli_check(struct cli *c, const ns_network *net, const ns_select *sel, const char *object,
	      const char *attr);

/* The bytes of the arrays of version @v (0 when it cannot be opened). */
uint64_t cli_version_bytes(struct cli *c, uint64_t v);

/* "--only A,B": replace *@only with the list of @arg. */
int cli_only(struct cli *c, const char ***only, const char *arg);

/* Whether values of @t are integers (i64, i32, u8, bool): read them as
 * int64, which holds them all exactly (a double does not past 2^53). */
int cli_integer(ns_dtype t);

/* "143.7 MiB" */
const char *cli_bytes(char buf[32], uint64_t n);
/* A summary of values (a mean, a bin's edge): six significant digits. */
const char *cli_summary(char buf[32], double v);
/* Local time "2026-11-22 10:12:03" of @ns since 1970. */
const char *cli_time(char buf[32], int64_t ns);
/* ISO 8601 UTC "2026-11-22T10:12:03Z". */
const char *cli_time_utc(char buf[32], int64_t ns);

/* JSON numbers. cJSON keeps numbers as doubles, which lose integers past
 * 2^53, so these write the decimal text itself (raw items):
 * - integers are JSON integers, exact over the whole i64 and u64 range;
 * - finite floats are the shortest text that reads back (ns__shortest_double());
 * - non-finite floats are the strings "nan", "inf" and "-inf";
 * - a statistic of no values at all (the min of an empty array) is null.
 * The _add_ forms add the number to object @o under @key. */
cJSON *cli_json_i64(int64_t v);
cJSON *cli_json_u64(uint64_t v);
cJSON *cli_json_f64(double v);
void cli_json_add_i64(cJSON *o, const char *key, int64_t v);
void cli_json_add_u64(cJSON *o, const char *key, uint64_t v);
void cli_json_add_f64(cJSON *o, const char *key, double v);

/* Print @json on stdout and free it; CLI_OK, or CLI_ERROR when it is NULL
 * (out of memory). */
int cli_print_json(struct cli *c, cJSON *json);

/* What a command made or did: @json (freed) with --json, else the line
 * @fmt on stdout unless --quiet. */
int cli_report(struct cli *c, cJSON *json, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Progress on stderr of what the library reports (bytes of a file, chunks):
 * done, the total (@total when the library knows none: 0, or for an export
 * the bytes of the arrays written), the rate and the time. Shown on a
 * terminal once the operation has lasted a second, or at once with
 * --progress whatever stderr is; never with --quiet or --json (unless
 * --progress). Lines are redrawn with a carriage return; escape sequences
 * (line clearing, colour) only when $TERM names a terminal that has them
 * (not "dumb"), colour only without $NO_COLOR. */
void cli_progress_begin(struct cli *c, const char *label, uint64_t total);
/* The amount done at the end, which the library reports only every so
 * often (an export's file size). */
void cli_progress_done(uint64_t done);
void cli_progress_end(void);

/* --plot FILE.png (plot.c): what was drawn. */
struct cli_plot {
	int width, height; /* pixels */
	size_t panels, attrs;
};
/* The attributes of diff @d (revisions @ra and @rb, as numbers) that
 * differ and have more than one value, or those @names ("OBJ" for all of
 * an object's, "OBJ/ATTR"): their distribution in each version and that
 * of the change (b - a) with the diff's statistics (made with tolerance
 * @tol), two panels a row, to
 * the PNG @path. Errors name the file or the attribute; @path is then left
 * as it was. */
int cli_plot_diff(struct cli *c, struct cli_plot *out, const char *path, const ns_diff *d,
		  double tol, const char *ra, const char *rb, char **names, int n_names);
/* The attributes of @net (revision @rev) that have more than one value,
 * or those @names: each one's distribution, and a population's local
 * attribute over a 2-D geometry as a heat map. */
int cli_plot_show(struct cli *c, struct cli_plot *out, const char *path, ns_network *net,
		  const char *rev, char **names, int n_names);
/* "drew 'FILE': ..." on stdout (unless --quiet), or a "plot" member of
 * @json. */
void cli_plot_report(struct cli *c, cJSON *json, const char *path, const struct cli_plot *p);

#endif
