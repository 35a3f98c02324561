/* SPDX-License-Identifier: MIT */
/* nsnap cat: the values of one attribute, one per line. */
#include "cli.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

/* The names of @obj's attributes, for an error. */
static const char *attr_names(char *buf, size_t size, ns_object *obj)
{
	size_t used = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < ns_object_attr_count(obj) && used < size; i++) {
		ns_attr_info info;
		ns_attr_get_info(&info, ns_object_attr_at(obj, i));
		used += (size_t)snprintf(buf + used, size - used, "%s%s", i ? ", " : "", info.name);
	}
	return buf;
}

/* Value @i of @v as text: integers exactly, floats the shortest text that
 * reads back. */
static const char *value_text(char buf[32], const void *v, int integer, uint64_t i)
{
	if (integer) {
		snprintf(buf, 32, "%" PRId64, ((const int64_t *)v)[i]);
		return buf;
	}
	return ns__shortest_double(buf, ((const double *)v)[i]);
}

static int print(struct cli *c, ns_object *obj, ns_attr *attr)
{
	const int32_t *pre, *post;
	ns_object_info oi;
	ns_attr_info ai = { NULL, NS_PARAMETER, NS_GLOBAL, NS_DTYPE_F64, 0, 0 };
	void *v = NULL;
	int integer = 0;
	char x[32];

	ns_object_get_info(&oi, obj);
	ns_projection_connectivity(&pre, &post, obj);
	if (attr) {
		ns_attr_get_info(&ai, attr);
		integer = cli_integer(ai.dtype);
		if (!(v = malloc((ai.count ? ai.count : 1) * 8)))
			return cli_fail(c, "out of memory");
		if (ns_attr_read(v, integer ? NS_DTYPE_I64 : NS_DTYPE_F64, attr) < 0) {
			free(v);
			return cli_fail_ns(c);
		}
	}
	if (!attr || (oi.kind == NS_PROJECTION && ai.scope == NS_LOCAL)) {
		for (uint64_t i = 0; i < oi.size; i++) {
			printf("%d %d", (int)pre[i], (int)post[i]);
			if (attr)
				printf(" %s", value_text(x, v, integer, i));
			putchar('\n');
		}
	} else {
		for (uint64_t i = 0; i < ai.count; i++)
			printf("%s\n", value_text(x, v, integer, i));
	}
	free(v);
	return CLI_OK;
}

static int run(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = { CLI_COMMON_LONG, CLI_NO_VERIFY_LONG,
					      { NULL, 0, NULL, 0 } };
	ns_network *net = NULL;
	ns_object *obj;
	ns_attr *attr = NULL;
	ns_object_info oi;
	uint64_t v;
	char num[24], names[1024];
	int ch, rc;

	while ((ch = cli_getopt(c, argc, argv, "", opts)) != -1)
		if (ch == CLI_STOP)
			return c->exit;
	argc -= optind;
	argv += optind;
	if (cli_operands(c, argc, 2, 3) != CLI_OK ||
	    cli_open_network(c, &net, &v, num, argv[0]) != CLI_OK)
		return CLI_ERROR;
	if (!(obj = ns_network_object_find(net, argv[1])))
		rc = cli_fail(c, "version %s has no population or projection '%s'", num, argv[1]);
	else if (argc == 3 && !(attr = ns_object_attr_find(obj, argv[2])))
		rc = cli_fail(c, "'%s' of version %s has no attribute '%s' (it has: %s)", argv[1],
			      num, argv[2], attr_names(names, sizeof names, obj));
	else if (argc == 2 && (ns_object_get_info(&oi, obj), oi.kind == NS_POPULATION))
		rc = cli_fail(c, "'%s' is a population: name one of its attributes (%s)", argv[1],
			      attr_names(names, sizeof names, obj));
	else if (cli_check(c, net, NULL, argv[1], argc == 3 ? argv[2] : NULL) == CLI_OK)
		rc = print(c, obj, attr);
	else
		rc = CLI_ERROR;
	ns_network_free(net);
	return rc;
}

const struct command cmd_cat = {
	"cat", run, "print the values of an attribute",
	"usage: nsnap cat REV OBJECT [ATTRIBUTE] [--no-verify]\n"
	"\n"
	"Print the values of ATTRIBUTE of population or projection OBJECT in revision\n"
	"REV, one per line, exactly (they read back to the same bits). A projection's\n"
	"local attributes print one synapse per line as 'pre post value'; without an\n"
	"attribute, a projection prints its synapses as 'pre post'. The hashes of the\n"
	"chunks read are checked first: a damaged chunk prints nothing.\n"
	"\n"
	"  --no-verify  do not check the chunks' hashes\n",
};
