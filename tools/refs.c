/* SPDX-License-Identifier: MIT */
/* The tags and branches of a store, by version. */
#include "refs.h"

#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>

static int add(const ns_ref *ref, void *ctx)
{
	struct ref_list *l = ctx;
	if (l->n == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 16;
		struct ref_entry *items = realloc(l->items, cap * sizeof *items);
		if (!items)
			return NS_ENOMEM;
		l->items = items;
		l->cap = cap;
	}
	if (!(l->items[l->n].name = strdup(ref->name)))
		return NS_ENOMEM;
	l->items[l->n].kind = ref->kind;
	l->items[l->n].version = ref->version;
	l->items[l->n].is_head = ref->is_head;
	l->n++;
	return 0;
}

int refs_load(struct cli *c, struct ref_list *list)
{
	int rc = ns_ref_foreach(c->store, add, list);
	if (rc == NS_ENOMEM)
		return cli_fail(c, "out of memory listing tags and branches");
	return rc < 0 ? cli_fail_ns(c) : CLI_OK;
}

void refs_free(struct ref_list *list)
{
	for (size_t i = 0; i < list->n; i++)
		free(list->items[i].name);
	free(list->items);
	list->items = NULL;
	list->n = list->cap = 0;
}

const char *refs_of(char *buf, size_t size, const struct ref_list *list, uint64_t version)
{
	size_t used = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < list->n && used < size; i++)
		if (list->items[i].version == version)
			used += (size_t)snprintf(buf + used, size - used, "%s%s%s", used ? ", " : "",
						 list->items[i].name,
						 list->items[i].is_head ? "*" : "");
	return buf;
}

const char *refs_tag_of(const struct ref_list *list, uint64_t version)
{
	for (size_t i = 0; i < list->n; i++)
		if (list->items[i].kind == NS_REF_TAG && list->items[i].version == version)
			return list->items[i].name;
	return NULL;
}

/* Whether @name matches one of the @n @patterns (any when there are none). */
static int matches(const char *name, char **patterns, int n)
{
	for (int i = 0; i < n; i++)
		if (fnmatch(patterns[i], name, 0) == 0)
			return 1;
	return n == 0;
}

int refs_list(struct cli *c, ns_ref_kind kind, char **patterns, int n)
{
	struct ref_list l = { NULL, 0, 0 };
	cJSON *json = NULL;
	if (cli_open(c, 0) != CLI_OK || refs_load(c, &l) != CLI_OK)
		return CLI_ERROR;
	if (c->json) {
		json = cJSON_CreateArray();
		for (size_t i = 0; i < l.n; i++) {
			cJSON *j;
			if (l.items[i].kind != kind || !matches(l.items[i].name, patterns, n))
				continue;
			cJSON_AddItemToArray(json, j = cJSON_CreateObject());
			cJSON_AddStringToObject(j, "name", l.items[i].name);
			cli_json_add_u64(j, "version", l.items[i].version);
			if (kind == NS_REF_BRANCH)
				cJSON_AddBoolToObject(j, "current", l.items[i].is_head);
		}
		refs_free(&l);
		return cli_print_json(c, json);
	}
	for (size_t i = 0; i < l.n; i++)
		if (l.items[i].kind == kind && matches(l.items[i].name, patterns, n))
			printf("%c %-24s %llu\n", l.items[i].is_head ? '*' : ' ', l.items[i].name,
			       (unsigned long long)l.items[i].version);
	refs_free(&l);
	return CLI_OK;
}
