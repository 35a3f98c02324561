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
	const char *cmd;        /* the subcommand, in messages */
	const char *usage;      /* its help text */
	const char *store_path; /* -s/--store, or NSNAP_STORE */
	int json;               /* --json */
	int exit;               /* set when cli_getopt() returns CLI_STOP */
	ns_store *store;
	ns_plugins *plugins;
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
/* The same with nsnap's last error message as the message. */
int cli_fail_ns(struct cli *c);
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
#define CLI_JSON_LONG { "json", no_argument, NULL, 'J' }
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
 * the install folder. */
int cli_load_plugins(struct cli *c);
/* Close what was opened. */
void cli_close(struct cli *c);

/* Resolve @rev to its version; on an unknown name, the error lists the
 * nearest tags and branches. @buf gets the number as text (for nsnap's
 * functions that take a revision). */
int cli_resolve(struct cli *c, uint64_t *out, char buf[24], const char *rev);

/* Open the store read-only and revision @rev as a network; @v and @num as
 * cli_resolve() gives them. */
int cli_open_network(struct cli *c, ns_network **net, uint64_t *v, char num[24],
		     const char *rev);

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

/* A progress bar on stderr for what the library reports, when stderr is a
 * terminal and the operation has taken more than a second. */
void cli_progress_begin(struct cli *c, const char *label);
void cli_progress_end(void);

#endif
