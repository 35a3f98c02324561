/* SPDX-License-Identifier: MIT */
/* nsnap diff: what changed between two versions. */
#include "cli.h"

#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>


/* How a diff is printed: the tolerance, --all, and the width of the name
 * column (the longest attribute name printed). */
struct view {
	double tol;
	int all;
	int width;
};

static void print_attr(const ns_diff_attr *a, const struct view *w)
{
	double tol = w->tol;
	char x[32], y[32], z[32];
	if (a->change == NS_ADDED || a->change == NS_REMOVED) {
		int add = a->change == NS_ADDED;
		printf("    %c %-*s %s %s, %llu value%s\n", add ? '+' : '-', w->width, a->name,
		       ns_scope_name(add ? a->scope_b : a->scope_a),
		       ns_dtype_name(add ? a->dtype_b : a->dtype_a),
		       (unsigned long long)(add ? a->count_b : a->count_a),
		       (add ? a->count_b : a->count_a) == 1 ? "" : "s");
		return;
	}
	printf("    %c %-*s ", a->change == NS_SAME ? ' ' : '~', w->width, a->name);
	if (a->scope_a != a->scope_b)
		printf("scope %s -> %s; ", ns_scope_name(a->scope_a), ns_scope_name(a->scope_b));
	if (a->dtype_a != a->dtype_b)
		printf("type %s -> %s; ", ns_dtype_name(a->dtype_a), ns_dtype_name(a->dtype_b));
	if (a->compared == 0 && (a->count_a || a->count_b)) {
		printf("not compared (%llu -> %llu values)\n", (unsigned long long)a->count_a,
		       (unsigned long long)a->count_b);
		return;
	}
	if (a->scope_a == NS_GLOBAL && a->count_a == 1 && a->integer) {
		if (a->changed)
			printf("%" PRId64 " -> %" PRId64 "\n", a->value_a_i64, a->value_b_i64);
		else
			printf("same: %" PRId64 "\n", a->value_a_i64);
		return;
	}
	if (a->scope_a == NS_GLOBAL && a->count_a == 1) {
		if (a->changed)
			printf("%s -> %s\n", ns__shortest_double(x, a->value_a),
			       ns__shortest_double(y, a->value_b));
		else
			printf("same: %s\n", ns__shortest_double(x, a->value_a));
		return;
	}
	if (a->changed == 0 && a->max_abs == 0) {
		printf("same (%llu values%s)\n", (unsigned long long)a->compared,
		       a->unread ? "; identical chunks, not read" : "");
		return;
	}
	printf("%llu of %llu changed", (unsigned long long)a->changed,
	       (unsigned long long)a->compared);
	if (tol > 0)
		printf(" by more than %s", ns__shortest_double(x, tol));
	/* Summaries, not values: four significant digits; an integer's
	 * largest change exactly. */
	if (a->integer)
		snprintf(x, sizeof x, "%" PRIu64, a->max_abs_u64);
	else
		snprintf(x, sizeof x, "%.4g", a->max_abs);
	snprintf(y, sizeof y, "%+.4g", a->mean);
	snprintf(z, sizeof z, "%.4g", a->rms);
	printf(": max |Δ| %s, mean Δ %s, RMS Δ %s\n", x, y, z);
}

/* The attributes of @o that differ (every one with --all), and how many
 * were left out. */
static void print_attrs(const ns_diff_object *o, const struct view *w)
{
	size_t same = 0;
	for (size_t i = 0; i < o->n_attrs; i++)
		if (w->all || o->attrs[i].change != NS_SAME)
			print_attr(&o->attrs[i], w);
		else
			same++;
	if (same)
		printf("      (%zu attribute%s the same)\n", same, same == 1 ? "" : "s");
}

static void print_object(const ns_diff_object *o, const struct view *w)
{
	char mark = o->change == NS_ADDED ? '+' : o->change == NS_REMOVED ? '-'
					     : o->change == NS_CHANGED ? '~' : ' ';
	const char *unit = o->kind == NS_POPULATION ? "neurons" : "synapses";
	if (o->kind == NS_NETWORK_ITSELF) {
		printf("%c network-wide arrays\n", mark);
		print_attrs(o, w);
		return;
	}
	printf("%c %s %s: ", mark, ns_object_kind_name(o->kind), o->name);
	if (o->change == NS_ADDED || o->change == NS_REMOVED) {
		printf("%s, %llu %s\n", o->change == NS_ADDED ? "added" : "removed",
		       (unsigned long long)(o->change == NS_ADDED ? o->size_b : o->size_a), unit);
		for (size_t i = 0; i < o->n_attrs; i++)
			print_attr(&o->attrs[i], w); /* all of them are new or gone */
		return;
	}
	if (o->change == NS_SAME) {
		printf("same\n");
		print_attrs(o, w);
		return;
	}
	if (o->kind == NS_POPULATION && o->size_a != o->size_b)
		printf("%llu -> %llu %s", (unsigned long long)o->size_a,
		       (unsigned long long)o->size_b, unit);
	else if (o->kind == NS_PROJECTION && (o->syn_added || o->syn_removed))
		printf("%llu synapse%s removed, %llu added, %llu in both",
		       (unsigned long long)o->syn_removed, o->syn_removed == 1 ? "" : "s",
		       (unsigned long long)o->syn_added, (unsigned long long)o->syn_common);
	else
		printf("%llu %s", (unsigned long long)o->size_a, unit);
	printf("%s%s\n", *o->detail ? "; " : "", o->detail);
	print_attrs(o, w);
}

/* The width of the name column: the longest name that will be printed. */
static int name_width(const ns_diff *d, const struct view *w)
{
	size_t width = 1;
	for (size_t i = 0; i < d->n_objects; i++) {
		const ns_diff_object *o = &d->objects[i];
		if (o->change == NS_SAME && !w->all)
			continue;
		for (size_t k = 0; k < o->n_attrs; k++)
			if (w->all || o->change != NS_CHANGED || o->attrs[k].change != NS_SAME)
				if (strlen(o->attrs[k].name) > width)
					width = strlen(o->attrs[k].name);
	}
	return width > 64 ? 64 : (int)width;
}

/* --stat: a line per object that differs, as git diff --stat has per file. */
static void print_stat(const ns_diff *d, const struct view *w)
{
	size_t width = 1, changed = 0, same = 0;
	for (size_t i = 0; i < d->n_objects; i++) {
		const ns_diff_object *o = &d->objects[i];
		size_t len = o->kind == NS_NETWORK_ITSELF ? strlen("(network)") : strlen(o->name);
		if ((w->all || o->change != NS_SAME) && len > width)
			width = len;
	}
	for (size_t i = 0; i < d->n_objects; i++) {
		const ns_diff_object *o = &d->objects[i];
		uint64_t values = 0;
		size_t attrs = 0;
		if (o->change != NS_SAME)
			changed++;
		else if (o->kind != NS_NETWORK_ITSELF)
			same++;
		if (o->change == NS_SAME && !w->all)
			continue;
		printf(" %-*s | ", (int)width, o->kind == NS_NETWORK_ITSELF ? "(network)" : o->name);
		if (o->change == NS_ADDED || o->change == NS_REMOVED) {
			printf("%s\n", o->change == NS_ADDED ? "added" : "removed");
			continue;
		}
		for (size_t k = 0; k < o->n_attrs; k++)
			if (o->attrs[k].change != NS_SAME) {
				attrs++;
				values += o->attrs[k].changed;
			}
		printf("%zu of %zu attribute%s changed", attrs, o->n_attrs, o->n_attrs == 1 ? "" : "s");
		if (values)
			printf(" (%llu value%s)", (unsigned long long)values, values == 1 ? "" : "s");
		if (o->kind == NS_POPULATION && o->size_a != o->size_b)
			printf(", %llu -> %llu neurons", (unsigned long long)o->size_a,
			       (unsigned long long)o->size_b);
		if (o->kind == NS_PROJECTION && (o->syn_added || o->syn_removed))
			printf(", %llu synapse%s removed, %llu added",
			       (unsigned long long)o->syn_removed, o->syn_removed == 1 ? "" : "s",
			       (unsigned long long)o->syn_added);
		putchar('\n');
	}
	printf(" %zu object%s changed, %zu the same\n", changed, changed == 1 ? "" : "s", same);
}

/* @va and @vb: the versions as the store numbers them. */
static cJSON *json_diff(const ns_diff *d, double tol, uint64_t va, uint64_t vb)
{
	cJSON *j = cJSON_CreateObject(), *objs = cJSON_CreateArray(), *meta = cJSON_CreateArray();
	cli_json_add_u64(j, "version_a", va);
	cli_json_add_u64(j, "version_b", vb);
	cJSON_AddBoolToObject(j, "equal", d->equal);
	cli_json_add_f64(j, "tolerance", tol);
	cli_json_add_f64(j, "time_a_ms", d->t_a);
	cli_json_add_f64(j, "time_b_ms", d->t_b);
	cli_json_add_f64(j, "dt_a_ms", d->dt_a);
	cli_json_add_f64(j, "dt_b_ms", d->dt_b);
	cli_json_add_u64(j, "bytes_read", d->bytes_read);
	for (size_t i = 0; i < d->n_meta; i++) {
		cJSON *m = cJSON_CreateObject();
		cJSON_AddItemToArray(meta, m);
		cJSON_AddStringToObject(m, "key", d->meta[i].key);
		cJSON_AddStringToObject(m, "change", ns_change_name(d->meta[i].change));
		if (d->meta[i].value_a)
			cJSON_AddStringToObject(m, "a", d->meta[i].value_a);
		if (d->meta[i].value_b)
			cJSON_AddStringToObject(m, "b", d->meta[i].value_b);
	}
	cJSON_AddItemToObject(j, "dictionary", meta);
	for (size_t i = 0; i < d->n_objects; i++) {
		const ns_diff_object *o = &d->objects[i];
		cJSON *x = cJSON_CreateObject(), *attrs = cJSON_CreateArray();
		cJSON_AddItemToArray(objs, x);
		cJSON_AddStringToObject(x, "name", o->name);
		cJSON_AddStringToObject(x, "kind", ns_object_kind_name(o->kind));
		cJSON_AddStringToObject(x, "change", ns_change_name(o->change));
		cli_json_add_u64(x, "size_a", o->size_a);
		cli_json_add_u64(x, "size_b", o->size_b);
		if (o->kind == NS_PROJECTION) {
			cli_json_add_u64(x, "synapses_removed", o->syn_removed);
			cli_json_add_u64(x, "synapses_added", o->syn_added);
			cli_json_add_u64(x, "synapses_in_both", o->syn_common);
		}
		cJSON_AddStringToObject(x, "detail", o->detail);
		for (size_t k = 0; k < o->n_attrs; k++) {
			const ns_diff_attr *a = &o->attrs[k];
			cJSON *y = cJSON_CreateObject();
			cJSON_AddItemToArray(attrs, y);
			cJSON_AddStringToObject(y, "name", a->name);
			cJSON_AddStringToObject(y, "change", ns_change_name(a->change));
			if (a->change != NS_ADDED) {
				cJSON_AddStringToObject(y, "scope_a", ns_scope_name(a->scope_a));
				cJSON_AddStringToObject(y, "dtype_a", ns_dtype_name(a->dtype_a));
				cli_json_add_u64(y, "count_a", a->count_a);
			}
			if (a->change != NS_REMOVED) {
				cJSON_AddStringToObject(y, "scope_b", ns_scope_name(a->scope_b));
				cJSON_AddStringToObject(y, "dtype_b", ns_dtype_name(a->dtype_b));
				cli_json_add_u64(y, "count_b", a->count_b);
			}
			if (a->change == NS_ADDED || a->change == NS_REMOVED)
				continue;
			cli_json_add_u64(y, "compared", a->compared);
			cli_json_add_u64(y, "changed", a->changed);
			if (a->integer)
				cli_json_add_u64(y, "max_abs", a->max_abs_u64);
			else
				cli_json_add_f64(y, "max_abs", a->max_abs);
			cli_json_add_f64(y, "mean", a->mean);
			cli_json_add_f64(y, "rms", a->rms);
			if (a->scope_a == NS_GLOBAL && a->count_a == 1 && a->integer) {
				cli_json_add_i64(y, "value_a", a->value_a_i64);
				cli_json_add_i64(y, "value_b", a->value_b_i64);
			} else if (a->scope_a == NS_GLOBAL && a->count_a == 1) {
				cli_json_add_f64(y, "value_a", a->value_a);
				cli_json_add_f64(y, "value_b", a->value_b);
			}
			cJSON_AddBoolToObject(y, "unread", a->unread);
		}
		cJSON_AddItemToObject(x, "attributes", attrs);
	}
	cJSON_AddItemToObject(j, "objects", objs);
	return j;
}

/* --------------------------------------------------------------- histogram */

/* The values of OBJECT/ATTR in revision @rev as doubles (NULL, 0 when it
 * lacks it). */
static int load_values(struct cli *c, double **out, uint64_t *n, const char *rev,
		       const char *obj, const char *attr)
{
	ns_network *net = NULL;
	ns_object *o;
	ns_attr *a;
	ns_attr_info info;
	int rc = CLI_OK;

	*out = NULL;
	*n = 0;
	if (ns_network_open(&net, c->store, rev) < 0)
		return cli_fail_ns(c);
	if ((o = ns_network_object_find(net, obj)) && (a = ns_object_attr_find(o, attr))) {
		ns_attr_get_info(&info, a);
		if (cli_check(c, net, NULL, obj, attr) != CLI_OK)
			rc = CLI_ERROR;
		else if (!(*out = malloc((info.count ? info.count : 1) * sizeof **out)))
			rc = cli_fail(c, "out of memory");
		else if (ns_attr_read(*out, NS_DTYPE_F64, a) < 0)
			rc = cli_fail_ns(c);
		else
			*n = info.count;
	}
	ns_network_free(net);
	return rc;
}

/* Unless --no-verify, check the chunks of the histogram's attribute in @rev
 * before anything is printed. */
static int check_histogram(struct cli *c, const char *rev, const char *spec)
{
	const char *slash = strchr(spec, '/');
	char obj[256];
	ns_network *net = NULL;
	int rc;

	if (!c->verify || (size_t)(slash - spec) >= sizeof obj)
		return CLI_OK; /* histogram() says what is wrong with the name */
	snprintf(obj, sizeof obj, "%.*s", (int)(slash - spec), spec);
	if (ns_network_open(&net, c->store, rev) < 0)
		return cli_fail_ns(c);
	rc = cli_check(c, net, NULL, obj, slash + 1);
	ns_network_free(net);
	return rc;
}

static int histogram(struct cli *c, cJSON *json, const char *spec, const char *ra,
		     const char *rb, uint64_t bins)
{
	const char *slash = strchr(spec, '/');
	char obj[256], x[32], y[32];
	double *v[2] = { NULL, NULL }, lo = INFINITY, hi = -INFINITY, width;
	uint64_t n[2], *count = NULL, top = 1;
	int rc = CLI_ERROR;

	if (!slash || slash == spec || !slash[1] || (size_t)(slash - spec) >= sizeof obj)
		return cli_fail(c, "--histogram '%s': expected OBJECT/ATTRIBUTE", spec);
	snprintf(obj, sizeof obj, "%.*s", (int)(slash - spec), spec);
	if (load_values(c, &v[0], &n[0], ra, obj, slash + 1) != CLI_OK ||
	    load_values(c, &v[1], &n[1], rb, obj, slash + 1) != CLI_OK)
		goto done;
	if (!v[0] && !v[1]) {
		rc = cli_fail(c, "--histogram: neither version has '%s' with an attribute '%s'",
			      obj, slash + 1);
		goto done;
	}
	for (int s = 0; s < 2; s++)
		for (uint64_t i = 0; i < n[s]; i++)
			if (isfinite(v[s][i])) {
				lo = v[s][i] < lo ? v[s][i] : lo;
				hi = v[s][i] > hi ? v[s][i] : hi;
			}
	if (!(lo <= hi))
		lo = hi = 0;
	width = hi > lo ? (hi - lo) / (double)bins : 1;
	if (!(count = calloc(2 * bins, sizeof *count))) {
		rc = cli_fail(c, "out of memory");
		goto done;
	}
	for (int s = 0; s < 2; s++)
		for (uint64_t i = 0; i < n[s]; i++) {
			uint64_t b;
			if (!isfinite(v[s][i]))
				continue;
			b = (uint64_t)((v[s][i] - lo) / width);
			b = b >= bins ? bins - 1 : b;
			if (++count[2 * b + (uint64_t)s] > top)
				top = count[2 * b + (uint64_t)s];
		}
	if (json) {
		cJSON *h = cJSON_CreateObject(), *list = cJSON_CreateArray();
		cJSON_AddStringToObject(h, "attribute", spec);
		for (uint64_t b = 0; b < bins; b++) {
			cJSON *e = cJSON_CreateObject();
			cli_json_add_f64(e, "from", lo + width * (double)b);
			cli_json_add_f64(e, "to", lo + width * (double)(b + 1));
			cli_json_add_u64(e, "a", count[2 * b]);
			cli_json_add_u64(e, "b", count[2 * b + 1]);
			cJSON_AddItemToArray(list, e);
		}
		cJSON_AddItemToObject(h, "bins", list);
		cJSON_AddItemToArray(cJSON_GetObjectItem(json, "histograms"), h);
		rc = CLI_OK;
		goto done;
	}
	printf("\nhistogram of %s (%llu values in version %s, %llu in version %s)\n", spec,
	       (unsigned long long)n[0], ra, (unsigned long long)n[1], rb);
	printf("  %-25s %-32s %s\n", "from .. to", ra, rb);
	for (uint64_t b = 0; b < bins; b++) {
		char range[64];
		snprintf(range, sizeof range, "%s .. %s", cli_summary(x, lo + width * (double)b),
			 cli_summary(y, lo + width * (double)(b + 1)));
		printf("  %-25s", range);
		for (int s = 0; s < 2; s++) {
			uint64_t k = count[2 * b + (uint64_t)s];
			int len = (int)((double)k / (double)top * 20 + 0.5);
			printf(" %8llu", (unsigned long long)k);
			if (s == 0 || len)
				printf(" %-*.*s", s ? 0 : 23, len, "####################");
		}
		putchar('\n');
	}
	rc = CLI_OK;
done:
	free(count);
	free(v[0]);
	free(v[1]);
	return rc;
}

static int run(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = { CLI_COMMON_LONG, CLI_JSON_LONG,
					      { "tol", required_argument, NULL, 't' },
					      { "only", required_argument, NULL, 'O' },
					      { "histogram", required_argument, NULL, 'H' },
					      { "bins", required_argument, NULL, 'B' },
					      { "all", no_argument, NULL, 'a' },
					      { "stat", no_argument, NULL, 'S' },
					      { "plot", required_argument, NULL, 'P' },
					      CLI_NO_VERIFY_LONG,
					      { NULL, 0, NULL, 0 } };
	ns_diff_opts o = NS_DIFF_OPTS_INIT;
	const char **only = NULL, *hist = NULL, *plot = NULL;
	struct cli_plot drawn = { 0 };
	ns_diff *d = NULL;
	uint64_t va, vb, bins = 20;
	char na[24], nb[24], rev[2][24], x[32], y[32], *end;
	size_t same = 0;
	cJSON *json = NULL;
	struct view w = { 0, 0, 14 };
	int ch, rc = CLI_ERROR, stat = 0;

	while ((ch = cli_getopt(c, argc, argv, "a", opts)) != -1) {
		switch (ch) {
		case CLI_STOP: rc = c->exit; goto done;
		case 'a': w.all = 1; break;
		case 'S': stat = 1; break;
		case 'P': plot = optarg; break;
		case 't':
			o.tol = strtod(optarg, &end);
			if (!*optarg || *end || !(o.tol >= 0) || isinf(o.tol)) {
				rc = cli_fail(c, "--tol '%s': expected a number >= 0", optarg);
				goto done;
			}
			break;
		case 'O':
			if (cli_only(c, &only, optarg) != CLI_OK)
				goto done;
			break;
		case 'H':
			hist = optarg;
			if (!strchr(hist, '/') || hist[0] == '/' || !strchr(hist, '/')[1]) {
				rc = cli_fail(c, "--histogram '%s': expected OBJECT/ATTRIBUTE", hist);
				goto done;
			}
			break;
		case 'B':
			if (cli_number(c, &bins, "--bins", optarg) != CLI_OK)
				goto done;
			if (bins < 1 || bins > 1000) {
				rc = cli_fail(c, "--bins %s: expected 1 to 1000", optarg);
				goto done;
			}
			break;
		}
	}
	argc -= optind;
	argv += optind;
	/* with --plot, the attributes to draw may follow the revisions */
	if (cli_operands(c, argc, 2, plot ? argc : 2) != CLI_OK || cli_open(c, 0) != CLI_OK ||
	    cli_resolve(c, &va, na, argv[0]) != CLI_OK ||
	    cli_resolve(c, &vb, nb, argv[1]) != CLI_OK)
		goto done;
	/* The revisions read: a sharded store's, assembled (what is printed
	 * names the versions as the user does). */
	memcpy(rev[0], na, sizeof na);
	memcpy(rev[1], nb, sizeof nb);
	if (c->sharded && cli_assemble(c, rev, 2) != CLI_OK)
		goto done;
	o.select.only = only;
	o.verify = c->verify;
	if (hist && (check_histogram(c, rev[0], hist) != CLI_OK ||
		     check_histogram(c, rev[1], hist) != CLI_OK))
		goto done;
	if (ns_diff_versions(&d, c->store, rev[0], rev[1], &o) < 0) {
		rc = cli_fail_ns(c);
		goto done;
	}
	/* the picture first: when it fails, nothing is printed */
	if (plot && cli_plot_diff(c, &drawn, plot, d, o.tol, rev[0], rev[1], argv + 2,
				   argc - 2) != CLI_OK)
		goto done;
	w.tol = o.tol;
	w.width = name_width(d, &w);
	if (c->json) {
		json = json_diff(d, o.tol, va, vb);
		cJSON_AddItemToObject(json, "histograms", cJSON_CreateArray());
	} else if (stat) {
		printf("diff of version %s and version %s%s\n", na, nb,
		       d->equal ? ": equal" : "");
		print_stat(d, &w);
	} else {
		printf("diff of version %s and version %s%s\n", na, nb,
		       d->equal ? ": equal" : "");
		if (d->t_a != d->t_b)
			printf("  time: %s -> %s ms\n", ns__shortest_double(x, d->t_a),
			       ns__shortest_double(y, d->t_b));
		if (d->dt_a != d->dt_b)
			printf("  dt: %s -> %s ms\n", ns__shortest_double(x, d->dt_a),
			       ns__shortest_double(y, d->dt_b));
		for (size_t i = 0; i < d->n_meta; i++)
			printf("%c dictionary %s: %s -> %s\n",
			       d->meta[i].change == NS_ADDED     ? '+'
			       : d->meta[i].change == NS_REMOVED ? '-'
								 : '~',
			       d->meta[i].key, d->meta[i].value_a ? d->meta[i].value_a : "(none)",
			       d->meta[i].value_b ? d->meta[i].value_b : "(none)");
		for (size_t i = 0; i < d->n_objects; i++)
			if (w.all || d->objects[i].change != NS_SAME)
				print_object(&d->objects[i], &w);
			else if (d->objects[i].kind != NS_NETWORK_ITSELF)
				same++;
		if (same && d->equal)
			printf("  %zu object%s the same\n", same, same == 1 ? "" : "s");
		else if (same)
			printf("  %zu object%s the same (--all shows %s)\n", same,
			       same == 1 ? "" : "s", same == 1 ? "it" : "them");
	}
	if (hist && histogram(c, json, hist, rev[0], rev[1], bins) != CLI_OK) {
		cJSON_Delete(json);
		goto done;
	}
	if (plot)
		cli_plot_report(c, json, plot, &drawn);
	if (json && cli_print_json(c, json) != CLI_OK)
		goto done;
	rc = d->equal ? CLI_OK : CLI_DIFFERENT;
done:
	ns_diff_free(d);
	free(only);
	return rc;
}

const struct command cmd_diff = {
	"diff", run, "what changed between two versions",
	"usage: nsnap diff REV_A REV_B [--tol X] [--only A,B] [--histogram OBJ/ATTR]\n"
	"                             [--bins N] [-a] [--stat] [--json]\n"
	"                             [--plot FILE.png [OBJ[/ATTR]...]]\n"
	"\n"
	"Compare two versions semantically: populations and projections added,\n"
	"removed or resized; synapses added and removed, matched by (pre, post), not\n"
	"by position; for every attribute of the objects in both, how many values\n"
	"changed, max |Δ|, mean Δ and RMS Δ (Δ = B - A); globals old -> new; the\n"
	"time, dt and network dictionary. Arrays whose chunks are identical are known\n"
	"equal without being read. Lines start with '+' (added), '-' (removed) or\n"
	"'~' (changed). Integer attributes (i64, i32, u8, bool) are compared\n"
	"exactly, as integers, their max |Δ| and globals printed exactly. Only what\n"
	"differs is shown, unless --all.\n"
	"Exit status 0 when equal, 1 when different, 2 on an error.\n"
	"\n"
	"  --tol X               ignore changes of at most X (for integers, of\n"
	"                        their exact difference: X = 2.5 ignores 1 and 2)\n"
	"  --only A,B            only these populations and projections\n"
	"  --histogram OBJ/ATTR  a text histogram of an attribute in both versions\n"
	"  --bins N              bins of the histogram (default 20)\n"
	"  -a, --all             also the objects and attributes that are the same\n"
	"  --stat                a line per object that differs: attributes and\n"
	"                        values changed, synapses added and removed\n"
	"  --json                the same as a JSON object (every object and\n"
	"                        attribute, the same ones too)\n"
	"  --plot FILE.png       also draw, to the PNG FILE.png (replaced if it\n"
	"                        exists), the attributes of more than one value\n"
	"                        that differ, or those named after the revisions\n"
	"                        (OBJ: all of an object's): their distributions in\n"
	"                        both versions and that of the change B - A, with\n"
	"                        the counts and the statistics above\n"
	"  --no-verify           do not check the hashes of the chunks read\n",
};
