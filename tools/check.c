/* SPDX-License-Identifier: MIT */
/* Reads that leave the store (export, cat, show, diff) check the hashes of
 * the chunks they use first, so that a damaged chunk is an error naming it
 * and nothing is printed or written. */
#include "cli.h"

#include <string.h>

/* Check the array of attribute @attr of the object called @obj ("" for the
 * network's own arrays; projections' connectivity is "/pre", "/post"). */
static int check_array(struct cli *c, ns_version *v, const char *obj, const char *attr)
{
	char name[8192], message[8192];
	uint64_t index;

	snprintf(name, sizeof name, "%s/%s", obj, attr);
	if (ns_version_array_find(&index, v, name) < 0)
		return cli_fail(c, "version %llu: array '%s' is missing",
				(unsigned long long)ns_version_get_info(v)->number, name);
	if (ns_version_check(v, index, NS_READ_VERIFY) == NS_OK)
		return CLI_OK;
	/* --no-verify helps only when the bytes are there, just not right. */
	snprintf(message, sizeof message, "%s", ns_error_last()->message);
	return cli_fail(c, "%s%s", message,
			ns_version_check(v, index, 0) == NS_OK ? " (--no-verify reads it anyway)" : "");
}

/* Whether @sel selects the object @info. */
static int selected(const ns_select *sel, const ns_object_info *info)
{
	if (!sel)
		return 1;
	if (info->kind == NS_POPULATION ? sel->no_populations : sel->no_projections)
		return 0;
	if (!sel->only)
		return 1;
	for (const char *const *n = sel->only; *n; n++)
		if (strcmp(*n, info->name) == 0)
			return 1;
	return 0;
}

/* Object @o's connectivity, and its attribute @attr (each when @all). */
static int check_object(struct cli *c, ns_version *v, ns_object *o, const char *attr, int all)
{
	ns_object_info info;
	ns_attr_info ai;
	int rc = CLI_OK;

	ns_object_get_info(&info, o);
	if (info.kind == NS_PROJECTION &&
	    (check_array(c, v, info.name, "/pre") != CLI_OK ||
	     check_array(c, v, info.name, "/post") != CLI_OK))
		return CLI_ERROR;
	for (size_t a = 0; a < info.n_attrs && rc == CLI_OK; a++) {
		ns_attr_get_info(&ai, ns_object_attr_at(o, a));
		if (all || (attr && strcmp(attr, ai.name) == 0))
			rc = check_array(c, v, info.name, ai.name);
	}
	return rc;
}

int cli_check(struct cli *c, const ns_network *net, const ns_select *sel, const char *object,
	      const char *attr)
{
	ns_version *v = NULL;
	ns_object_info info;
	ns_attr_info ai;
	int rc = CLI_OK;

	if (!c->verify || c->assembled)
		return CLI_OK; /* an assembly's shards were checked before */
	if (c->sharded) {
		/* every chunk of the version's shards */
		char num[24];
		snprintf(num, sizeof num, "%llu", (unsigned long long)c->sharded_version);
		return cli_check_shards(c, num);
	}
	if (ns_version_open_number(&v, c->store, ns_network_version(net)) < 0)
		return cli_fail_ns(c);
	for (size_t i = 0; i < ns_network_object_count(net) && rc == CLI_OK; i++) {
		ns_object *o = ns_network_object_at(net, i);
		ns_object_get_info(&info, o);
		if (object ? strcmp(object, info.name) == 0 : selected(sel, &info))
			rc = check_object(c, v, o, attr, !object);
	}
	for (size_t a = 0; !object && a < ns_network_attr_count(net) && rc == CLI_OK; a++) {
		ns_attr_get_info(&ai, ns_network_attr_at(net, a));
		rc = check_array(c, v, "", ai.name);
	}
	ns_version_close(v);
	return rc;
}

uint64_t cli_version_bytes(struct cli *c, uint64_t v)
{
	ns_version *ver = NULL;
	ns_array_info a;
	uint64_t sum = 0;

	if (ns_version_open_number(&ver, c->store, v) < 0)
		return 0;
	for (uint64_t i = 0; ns_version_array_at(&a, ver, i) == NS_OK; i++)
		sum += a.nbytes;
	ns_version_close(ver);
	return sum;
}
