/* SPDX-License-Identifier: MIT */
/* The nsnap command's shared parts. */
#define _DEFAULT_SOURCE /* timegm, readlink */
#include "cli.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* "nsnap: CMD: ", or "nsnap: " before a command is known (NULL). */
static void prefix(const struct cli *c)
{
	if (c->cmd)
		fprintf(stderr, "nsnap: %s: ", c->cmd);
	else
		fputs("nsnap: ", stderr);
}

/* "nsnap CMD --help", or "nsnap --help". */
static const char *help_of(char buf[64], const struct cli *c)
{
	snprintf(buf, 64, "nsnap%s%s --help", c->cmd ? " " : "", c->cmd ? c->cmd : "");
	return buf;
}

int cli_fail(struct cli *c, const char *fmt, ...)
{
	va_list ap;
	fflush(stdout);
	prefix(c);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return CLI_ERROR;
}

int cli_fail_ns(struct cli *c)
{
	size_t n = 0;
	if (c->plugins)
		for (const char *const *f = ns_plugins_failures(c->plugins); *f; f++)
			n++;
	/* What was not found may be in a module that did not load. */
	if (n && (ns_error_last()->code == NS_ENOTFOUND || ns_error_last()->code == NS_EFORMAT))
		return cli_fail(c, "%s (%zu plugin%s could not be loaded: see the warning%s above)",
				ns_error_last()->message, n, n == 1 ? "" : "s", n == 1 ? "" : "s");
	return cli_fail(c, "%s", ns_error_last()->message);
}

void cli_warn(struct cli *c, const char *fmt, ...)
{
	va_list ap;
	fflush(stdout);
	prefix(c);
	fputs("warning: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

int cli_fail_export(struct cli *c, const char *file)
{
	if (ns_error_last()->code == NS_EEXISTS)
		return cli_fail(c, "file '%s' exists (use --force to replace it)", file);
	return cli_fail_ns(c);
}

/* ---------------------------------------------------------------- options */

void cli_getopt_reset(void)
{
	optind = 0; /* glibc: start over, forgetting the previous scan */
	opterr = 0;
}

int cli_getopt(struct cli *c, int argc, char **argv, const char *shortopts,
	       const struct option *longopts)
{
	char spec[128], help[64];
	int ch;

	/* A leading '+' (stop at the first operand) must lead the whole spec. */
	if (shortopts[0] == '+')
		snprintf(spec, sizeof spec, "+:s:h%s", shortopts + 1);
	else
		snprintf(spec, sizeof spec, ":s:h%s", shortopts);
	switch (ch = getopt_long(argc, argv, spec, longopts, NULL)) {
	case 's':
		c->store_path = optarg;
		return cli_getopt(c, argc, argv, shortopts, longopts);
	case 'J':
		c->json = 1;
		return cli_getopt(c, argc, argv, shortopts, longopts);
	case 'q':
		c->quiet = 1;
		return cli_getopt(c, argc, argv, shortopts, longopts);
	case CLI_PROGRESS:
		c->progress = 1;
		return cli_getopt(c, argc, argv, shortopts, longopts);
	case CLI_NO_VERIFY:
		c->verify = 0;
		return cli_getopt(c, argc, argv, shortopts, longopts);
	case 'h':
		fputs(c->usage, stdout);
		c->exit = CLI_OK;
		return CLI_STOP;
	case ':':
		c->exit = cli_fail(c, "option '%s' needs a value (see '%s')", argv[optind - 1],
				   help_of(help, c));
		return CLI_STOP;
	case '?':
		if (optopt)
			c->exit = cli_fail(c, "unknown option '-%c' (see '%s')", optopt,
					   help_of(help, c));
		else
			c->exit = cli_fail(c, "unknown option '%s' (see '%s')", argv[optind - 1],
					   help_of(help, c));
		return CLI_STOP;
	default:
		return ch;
	}
}

int cli_operands(struct cli *c, int argc, int min, int max)
{
	char help[64];
	if (argc < min)
		return cli_fail(c, "%s (see '%s')", argc ? "too few arguments" : "arguments missing",
				help_of(help, c));
	if (argc > max)
		return cli_fail(c, "too many arguments (see '%s')", help_of(help, c));
	return CLI_OK;
}

int cli_number(struct cli *c, uint64_t *out, const char *name, const char *arg)
{
	char *end;
	unsigned long long v;
	errno = 0;
	v = strtoull(arg, &end, 10);
	if (!*arg || *end || errno || arg[0] == '-')
		return cli_fail(c, "option '%s': '%s' is not a whole number", name, arg);
	*out = v;
	return CLI_OK;
}

const char **cli_split(const char *arg)
{
	size_t n = 2, len = strlen(arg);
	const char **list;
	char *copy;

	for (const char *p = arg; *p; p++)
		n += *p == ',';
	if (!(list = malloc(n * sizeof *list + len + 1)))
		return NULL;
	copy = memcpy((char *)(list + n), arg, len + 1);
	n = 0;
	for (char *tok = strtok(copy, ","); tok; tok = strtok(NULL, ","))
		list[n++] = tok;
	list[n] = NULL;
	return list;
}

int add_option(struct cli *c, const char ***list, size_t *n, const char *arg)
{
	const char **l = realloc(*list, (*n + 2) * sizeof *l);
	if (!l)
		return cli_fail(c, "out of memory");
	l[(*n)++] = arg;
	l[*n] = NULL;
	*list = l;
	return CLI_OK;
}

/* ------------------------------------------------------ store and plugins */

int cli_open(struct cli *c, int writable)
{
	ns_store_opts o = NS_STORE_OPTS_INIT;
	if (!c->store_path || !*c->store_path)
		return cli_fail(c, "no store given: use -s PATH or set NSNAP_STORE");
	if (cli_is_sharded(c->store_path))
		return cli_open_sharded(c, writable);
	o.flags = writable ? 0 : NS_STORE_RDONLY;
	if (ns_store_open(&c->store, c->store_path, &o) == NS_OK)
		return CLI_OK;
	if (ns_error_last()->code == NS_ENOTFOUND)
		return cli_fail(c, "store '%s' does not exist (create it with 'nsnap init -s %s')",
				c->store_path, c->store_path);
	return cli_fail_ns(c);
}

int cli_load_plugins(struct cli *c)
{
	char exe[PATH_MAX], tools[PATH_MAX];
	const char *dirs[2] = { NULL, NULL };
	ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	char *slash;

	/* The nsnap of the build tree uses the build tree's plugins; any
	 * other (installed, moved) finds its own beside libnsnap. */
	if (n > 0) {
		exe[n] = '\0';
		if ((slash = strrchr(exe, '/'))) {
			*slash = '\0';
			if (realpath(NSNAP_BUILD_TOOLS_DIR, tools) && strcmp(exe, tools) == 0)
				dirs[0] = NSNAP_BUILD_PLUGIN_DIR;
		}
	}
	if (ns_plugins_new(&c->plugins, dirs, NS_PLUGINS_SKIP_BROKEN) < 0)
		return cli_fail_ns(c);
	/* One broken module costs only what it would have brought. */
	for (const char *const *f = ns_plugins_failures(c->plugins); *f; f++)
		cli_warn(c, "%s; passed over", *f);
	return CLI_OK;
}

void cli_close(struct cli *c)
{
	ns_plugins_free(c->plugins);
	ns_store_close(c->store);
	cli_assembly_remove(c);
	c->plugins = NULL;
	c->store = NULL;
}

/* ------------------------------------------------------------- revisions */

/* Levenshtein distance of two short strings (capped at 64 bytes each). */
static size_t distance(const char *a, const char *b)
{
	size_t la = strnlen(a, 64), lb = strnlen(b, 64), row[65];
	for (size_t j = 0; j <= lb; j++)
		row[j] = j;
	for (size_t i = 1; i <= la; i++) {
		size_t diag = row[0];
		row[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t up = row[j], best = diag + (a[i - 1] != b[j - 1]);
			if (up + 1 < best)
				best = up + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			diag = up;
		}
	}
	return row[lb];
}

/* The three names nearest to @want. */
struct nearest {
	const char *want;
	char names[3][256];
	size_t dist[3], n;
	int exact; /* the name exists: nsnap's own message says what is wrong */
};

static void consider(struct nearest *nr, const char *name)
{
	size_t d = distance(nr->want, name), i = 0;
	if (d == 0)
		nr->exact = 1;
	if (d == 0 || (d > 2 && d * 2 > strlen(nr->want)))
		return; /* too far to be what was meant */
	while (i < nr->n && nr->dist[i] <= d)
		i++;
	if (i == 3)
		return;
	for (size_t k = nr->n < 3 ? nr->n : 2; k > i; k--) {
		nr->dist[k] = nr->dist[k - 1];
		memcpy(nr->names[k], nr->names[k - 1], sizeof nr->names[k]);
	}
	nr->dist[i] = d;
	snprintf(nr->names[i], sizeof nr->names[i], "%s", name);
	if (nr->n < 3)
		nr->n++;
}

/* "'a', 'b'" of the names of @nr into @list. */
static const char *nearest_list(char *list, size_t size, const struct nearest *nr)
{
	size_t used = 0;
	list[0] = '\0';
	for (size_t i = 0; i < nr->n && used < size; i++)
		used += (size_t)snprintf(list + used, size - used, "%s'%s'", i ? ", " : "",
					 nr->names[i]);
	return list;
}

const char *cli_nearest(char *buf, size_t size, const char *want, const char *const *names,
			size_t n)
{
	struct nearest nr = { want, { "" }, { 0 }, 0, 0 };
	for (size_t i = 0; i < n; i++)
		consider(&nr, names[i]);
	return nearest_list(buf, size, &nr);
}

static int consider_ref(const ns_ref *ref, void *ctx)
{
	consider(ctx, ref->name);
	return 0;
}

int cli_resolve(struct cli *c, uint64_t *out, char buf[24], const char *rev)
{
	struct nearest nr = { NULL, { "" }, { 0 }, 0, 0 };
	char base[256], list[900], message[1024];

	if (ns_store_resolve(out, c->store, rev) == NS_OK) {
		snprintf(buf, 24, "%llu", (unsigned long long)*out);
		return CLI_OK;
	}
	if (ns_error_last()->code != NS_ENOTFOUND)
		return cli_fail_ns(c);
	/* A number, or a walk back from a name that exists: nsnap says why. */
	snprintf(base, sizeof base, "%.*s", (int)strcspn(rev, "~"), rev);
	if (base[strspn(base, "0123456789")] == '\0' || strcmp(base, rev) != 0)
		return cli_fail_ns(c);
	/* ns_ref_foreach() may overwrite the last error: keep its message. */
	snprintf(message, sizeof message, "%s", ns_error_last()->message);
	nr.want = base;
	consider(&nr, "HEAD");
	ns_ref_foreach(c->store, consider_ref, &nr);
	nearest_list(list, sizeof list, &nr);
	if (nr.n && !nr.exact)
		return cli_fail(c, "unknown revision '%s' (nearest: %s)", rev, list);
	return cli_fail(c, "%s", message);
}

int cli_open_network(struct cli *c, ns_network **net, uint64_t *v, char num[24],
		     const char *rev)
{
	if (cli_open(c, 0) != CLI_OK || cli_resolve(c, v, num, rev) != CLI_OK)
		return CLI_ERROR;
	if (c->sharded)
		return cli_sharded_network(c, net, num);
	if (ns_network_open(net, c->store, num) < 0)
		return cli_fail_ns(c);
	return CLI_OK;
}

int cli_only(struct cli *c, const char ***only, const char *arg)
{
	free(*only);
	if (!(*only = cli_split(arg)))
		return cli_fail(c, "out of memory");
	return CLI_OK;
}

/* --------------------------------------------------------------- printing */

int cli_integer(ns_dtype t)
{
	return t == NS_DTYPE_I64 || t == NS_DTYPE_I32 || t == NS_DTYPE_U8 || t == NS_DTYPE_BOOL;
}

const char *cli_bytes(char buf[32], uint64_t n)
{
	static const char *const units[] = { "KiB", "MiB", "GiB", "TiB", "PiB" };
	double v = (double)n;
	int u = -1;
	if (n < 1024) {
		snprintf(buf, 32, "%llu B", (unsigned long long)n);
		return buf;
	}
	while (v >= 1024 && u < 4) {
		v /= 1024;
		u++;
	}
	snprintf(buf, 32, "%.1f %s", v, units[u]);
	return buf;
}

const char *cli_summary(char buf[32], double v)
{
	snprintf(buf, 32, "%.6g", v);
	return buf;
}

static const char *format_time(char buf[32], int64_t ns, int utc)
{
	time_t t = (time_t)(ns / 1000000000);
	struct tm tm;
	if (utc)
		gmtime_r(&t, &tm);
	else
		localtime_r(&t, &tm);
	strftime(buf, 32, utc ? "%Y-%m-%dT%H:%M:%SZ" : "%Y-%m-%d %H:%M:%S", &tm);
	return buf;
}

const char *cli_time(char buf[32], int64_t ns)
{
	return format_time(buf, ns, 0);
}

const char *cli_time_utc(char buf[32], int64_t ns)
{
	return format_time(buf, ns, 1);
}

cJSON *cli_json_i64(int64_t v)
{
	char buf[24];
	snprintf(buf, sizeof buf, "%" PRId64, v);
	return cJSON_CreateRaw(buf);
}

cJSON *cli_json_u64(uint64_t v)
{
	char buf[24];
	snprintf(buf, sizeof buf, "%" PRIu64, v);
	return cJSON_CreateRaw(buf);
}

cJSON *cli_json_f64(double v)
{
	char buf[32];
	if (!isfinite(v))
		return cJSON_CreateString(isnan(v) ? "nan" : v > 0 ? "inf" : "-inf");
	return cJSON_CreateRaw(ns__shortest_double(buf, v));
}

void cli_json_add_i64(cJSON *o, const char *key, int64_t v)
{
	cJSON_AddItemToObject(o, key, cli_json_i64(v));
}

void cli_json_add_u64(cJSON *o, const char *key, uint64_t v)
{
	cJSON_AddItemToObject(o, key, cli_json_u64(v));
}

void cli_json_add_f64(cJSON *o, const char *key, double v)
{
	cJSON_AddItemToObject(o, key, cli_json_f64(v));
}

int cli_print_json(struct cli *c, cJSON *json)
{
	char *text = json ? cJSON_Print(json) : NULL;
	cJSON_Delete(json);
	if (!text)
		return cli_fail(c, "out of memory writing JSON");
	puts(text);
	free(text);
	return CLI_OK;
}

int cli_report(struct cli *c, cJSON *json, const char *fmt, ...)
{
	va_list ap;
	if (c->json)
		return cli_print_json(c, json);
	cJSON_Delete(json);
	if (c->quiet)
		return CLI_OK;
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	return CLI_OK;
}
