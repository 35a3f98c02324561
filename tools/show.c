/* SPDX-License-Identifier: MIT */
/* nsnap show: the network of a version. */
#include "cli.h"

#include <inttypes.h>
#include <math.h>
#include <stdlib.h>


/* Minimum, maximum and mean of an attribute's values (NaN skipped; @n
 * values left). Integers are read as int64 and their minimum and maximum
 * are exact (@imin, @imax); the mean is a double either way. */
struct summary {
	int integer;
	int64_t imin, imax;
	double min, max, mean;
	uint64_t n, nan;
};

static int summarise(struct cli *c, struct summary *s, ns_attr *a, uint64_t count,
		     const char *obj)
{
	ns_attr_info info;
	void *v = malloc((count ? count : 1) * 8);
	double sum = 0;

	ns_attr_get_info(&info, a);
	if (!v)
		return cli_fail(c, "out of memory reading '%s'", obj);
	s->integer = cli_integer(info.dtype);
	if (ns_attr_read(v, s->integer ? NS_DTYPE_I64 : NS_DTYPE_F64, a) < 0) {
		free(v);
		return cli_fail_ns(c);
	}
	s->imin = INT64_MAX;
	s->imax = INT64_MIN;
	s->min = INFINITY;
	s->max = -INFINITY;
	s->n = s->nan = 0;
	for (uint64_t i = 0; i < count; i++) {
		if (s->integer) {
			int64_t x = ((const int64_t *)v)[i];
			s->imin = x < s->imin ? x : s->imin;
			s->imax = x > s->imax ? x : s->imax;
			sum += (double)x;
			s->n++;
			continue;
		}
		double x = ((const double *)v)[i];
		if (isnan(x)) {
			s->nan++;
			continue;
		}
		s->min = x < s->min ? x : s->min;
		s->max = x > s->max ? x : s->max;
		sum += x;
		s->n++;
	}
	if (s->integer && s->n) {
		s->min = (double)s->imin;
		s->max = (double)s->imax;
	}
	s->mean = s->n ? sum / (double)s->n : NAN;
	free(v);
	return CLI_OK;
}

/* The minimum (@max 0) or maximum of @s: exact for integers, six
 * significant digits for floats. */
static const char *extreme_text(char buf[32], const struct summary *s, int max)
{
	if (s->integer && s->n) {
		snprintf(buf, 32, "%" PRId64, max ? s->imax : s->imin);
		return buf;
	}
	return cli_summary(buf, max ? s->max : s->min);
}

/* The same in JSON: null when there are no values to take it of. */
static void json_extreme(cJSON *o, const char *key, const struct summary *s, int max)
{
	if (!s->n)
		cJSON_AddNullToObject(o, key);
	else if (s->integer)
		cli_json_add_i64(o, key, max ? s->imax : s->imin);
	else
		cli_json_add_f64(o, key, max ? s->max : s->min);
}

/* Attribute @a of @name (an object, or "network"): a line, or an entry of
 * @list. */
static int show_attr(struct cli *c, cJSON *list, ns_attr *a, const char *name)
{
	ns_attr_info info;
	struct summary s = { 0 };
	char x[32], y[32], z[32];
	ns_attr_get_info(&info, a);
	if (summarise(c, &s, a, info.count, name) != CLI_OK)
		return CLI_ERROR;
	if (list) {
		cJSON *j = cJSON_CreateObject();
		cJSON_AddItemToArray(list, j);
		cJSON_AddStringToObject(j, "name", info.name);
		cJSON_AddStringToObject(j, "kind", ns_attr_kind_name(info.kind));
		cJSON_AddStringToObject(j, "scope", ns_scope_name(info.scope));
		cJSON_AddStringToObject(j, "dtype", ns_dtype_name(info.dtype));
		cli_json_add_u64(j, "count", info.count);
		json_extreme(j, "min", &s, 0);
		json_extreme(j, "max", &s, 1);
		if (s.n)
			cli_json_add_f64(j, "mean", s.mean);
		else
			cJSON_AddNullToObject(j, "mean");
		return CLI_OK;
	}
	printf("  %-14s %-9s %-10s %-4s ", info.name, ns_attr_kind_name(info.kind),
	       ns_scope_name(info.scope), ns_dtype_name(info.dtype));
	if (info.count == 0)
		printf("no values");
	else if (info.count == 1 && s.integer)
		printf("= %" PRId64, s.imin);
	else if (info.count == 1)
		printf("= %s", ns__shortest_double(x, s.nan ? NAN : s.mean));
	else
		printf("%llu values, min %s, max %s, mean %s", (unsigned long long)info.count,
		       extreme_text(x, &s, 0), extreme_text(y, &s, 1),
		       cli_summary(z, s.mean));
	if (s.nan && info.count > 1)
		printf(", %llu NaN", (unsigned long long)s.nan);
	printf("\n");
	return CLI_OK;
}

static cJSON *json_network(const ns_network *net, uint64_t v)
{
	cJSON *j = cJSON_CreateObject(), *d = cJSON_CreateObject();
	double t;
	uint64_t step;
	ns_network_time(net, &t, &step);
	cli_json_add_u64(j, "version", v);
	cJSON_AddStringToObject(j, "name", ns_network_name(net));
	cli_json_add_f64(j, "time_ms", t);
	cli_json_add_u64(j, "step", step);
	cli_json_add_f64(j, "dt_ms", ns_network_dt(net));
	for (size_t i = 0; i < ns_network_meta_count(net); i++) {
		const char *key, *s;
		double x;
		ns_network_meta_at(&key, &s, &x, net, i);
		if (s)
			cJSON_AddStringToObject(d, key, s);
		else
			cli_json_add_f64(d, key, x);
	}
	cJSON_AddItemToObject(j, "dictionary", d);
	cJSON_AddItemToObject(j, "populations", cJSON_CreateArray());
	cJSON_AddItemToObject(j, "projections", cJSON_CreateArray());
	return j;
}

static int show(struct cli *c, ns_network *net, uint64_t v)
{
	cJSON *root = c->json ? json_network(net, v) : NULL, *attrs_all = NULL;
	double t;
	uint64_t step;
	char x[32], y[32];

	ns_network_time(net, &t, &step);
	if (!root) {
		printf("version %llu: network '%s'\n", (unsigned long long)v, ns_network_name(net));
		printf("time %s ms (step %llu), dt %s ms\n", ns__shortest_double(x, t),
		       (unsigned long long)step, ns__shortest_double(y, ns_network_dt(net)));
		for (size_t i = 0; i < ns_network_meta_count(net); i++) {
			const char *key, *s;
			double num;
			ns_network_meta_at(&key, &s, &num, net, i);
			if (s)
				printf("dictionary: %s = '%s'\n", key, s);
			else
				printf("dictionary: %s = %s\n", key, ns__shortest_double(x, num));
		}
	}
	for (size_t i = 0; i < ns_network_object_count(net); i++) {
		ns_object *o = ns_network_object_at(net, i);
		ns_object_info info;
		cJSON *j = NULL, *attrs = NULL;
		ns_object_get_info(&info, o);
		if (root) {
			j = cJSON_CreateObject();
			cJSON_AddItemToArray(cJSON_GetObjectItem(root, info.kind == NS_POPULATION
								       ? "populations"
								       : "projections"), j);
			cJSON_AddStringToObject(j, "name", info.name);
			cJSON_AddStringToObject(j, "type", info.type);
		}
		if (info.kind == NS_POPULATION && j) {
			cJSON *g = cJSON_CreateArray();
			cli_json_add_u64(j, "size", info.size);
			for (unsigned k = 0; k < info.ndim; k++)
				cJSON_AddItemToArray(g, cli_json_u64(info.shape[k]));
			cJSON_AddItemToObject(j, "geometry", g);
		} else if (info.kind == NS_POPULATION) {
			printf("population %s: %llu neurons, geometry (", info.name,
			       (unsigned long long)info.size);
			for (unsigned k = 0; k < info.ndim; k++)
				printf("%s%llu", k ? ", " : "", (unsigned long long)info.shape[k]);
			printf(")%s%s\n", *info.type ? ", type " : "", info.type);
		} else if (j) {
			cJSON_AddStringToObject(j, "pre", info.pre);
			cJSON_AddStringToObject(j, "post", info.post);
			cJSON_AddStringToObject(j, "target", info.target);
			cli_json_add_u64(j, "synapses", info.size);
		} else {
			printf("projection %s: %s -> %s%s%s%s%s, %llu synapses\n", info.name, info.pre,
			       info.post, *info.target ? ", target " : "", info.target,
			       *info.type ? ", type " : "", info.type, (unsigned long long)info.size);
		}
		if (j)
			cJSON_AddItemToObject(j, "attributes", attrs = cJSON_CreateArray());
		for (size_t a = 0; a < info.n_attrs; a++)
			if (show_attr(c, attrs, ns_object_attr_at(o, a), info.name) != CLI_OK) {
				cJSON_Delete(root);
				return CLI_ERROR;
			}
	}
	/* The network's own arrays: a random generator's state, say. */
	if (ns_network_attr_count(net) && !root)
		printf("network-wide arrays:\n");
	if (root)
		cJSON_AddItemToObject(root, "network_arrays", attrs_all = cJSON_CreateArray());
	for (size_t a = 0; a < ns_network_attr_count(net); a++)
		if (show_attr(c, attrs_all, ns_network_attr_at(net, a), "network") != CLI_OK) {
			cJSON_Delete(root);
			return CLI_ERROR;
		}
	return root ? cli_print_json(c, root) : CLI_OK;
}

static int run(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = { CLI_COMMON_LONG, CLI_JSON_LONG,
					      CLI_QUIET_LONG, CLI_NO_VERIFY_LONG,
					      { "plot", required_argument, NULL, 'P' },
					      { NULL, 0, NULL, 0 } };
	ns_network *net = NULL;
	const char *plot = NULL;
	struct cli_plot drawn = { 0 };
	uint64_t v;
	char num[24];
	int ch, rc;

	while ((ch = cli_getopt(c, argc, argv, "q", opts)) != -1)
		if (ch == CLI_STOP)
			return c->exit;
		else if (ch == 'P')
			plot = optarg;
	argc -= optind;
	argv += optind;
	/* with --plot, the attributes to draw may follow the revision */
	if (cli_operands(c, argc, 0, plot ? argc : 1) != CLI_OK ||
	    cli_open_network(c, &net, &v, num, argc ? argv[0] : "HEAD") != CLI_OK)
		return CLI_ERROR;
	if (cli_check(c, net, NULL, NULL, NULL) != CLI_OK)
		rc = CLI_ERROR;
	else if (plot)
		rc = cli_plot_show(c, &drawn, plot, net, num, argv + 1, argc > 1 ? argc - 1 : 0);
	else
		rc = show(c, net, v);
	if (plot && rc == CLI_OK) {
		cJSON *json = c->json ? cJSON_CreateObject() : NULL;
		if (json)
			cli_json_add_u64(json, "version", v);
		cli_plot_report(c, json, plot, &drawn);
		if (json)
			rc = cli_print_json(c, json);
	}
	ns_network_free(net);
	return rc;
}

const struct command cmd_show = {
	"show", run, "the network of a version",
	"usage: nsnap show [REV] [--json] [--no-verify]\n"
	"       nsnap show REV --plot FILE.png [OBJ[/ATTR]...] [-q] [--json]\n"
	"\n"
	"Describe the network of revision REV (default HEAD): its time, dt and\n"
	"dictionary; each population (size, geometry, neuron type) and projection\n"
	"(pre -> post, target, synapse type, synapses), with every attribute's kind,\n"
	"scope, element type, and its value (globals) or min, max and mean. Values\n"
	"and the min and max of integer attributes are exact. The hashes of the\n"
	"chunks read are checked first: a damaged chunk prints nothing.\n"
	"\n"
	"  --json           the same as a JSON object (min, max and mean are null\n"
	"                   for an attribute without values, or with only NaNs)\n"
	"  --no-verify      do not check the chunks' hashes\n"
	"  --plot FILE.png  instead, draw to the PNG FILE.png (replaced if it\n"
	"                   exists) the distribution of every attribute of more\n"
	"                   than one value, or of those named after REV (OBJ: all\n"
	"                   of an object's); a population's over a 2-D geometry\n"
	"                   also as a heat map\n"
	"  -q, --quiet      with --plot, print nothing\n",
};
