/* SPDX-License-Identifier: MIT */
/* The tags and branches of a store, by version, for listing them. */
#ifndef NSNAP_TOOLS_REFS_H
#define NSNAP_TOOLS_REFS_H

#include "cli.h"

struct ref_entry {
	char *name;
	ns_ref_kind kind;
	uint64_t version;
	int is_head;
};

struct ref_list {
	struct ref_entry *items;
	size_t n, cap;
};

/* Every tag and branch of the store. */
int refs_load(struct cli *c, struct ref_list *list);
void refs_free(struct ref_list *list);
/* "v1, main*" for @version (the current branch starred) into @buf; "" when
 * none. */
const char *refs_of(char *buf, size_t size, const struct ref_list *list, uint64_t version);
/* Print the tags (or branches) with their versions: those whose names
 * match one of the shell patterns @patterns (@n of them; all when 0), as
 * 'git tag -l PATTERN'. */
int refs_list(struct cli *c, ns_ref_kind kind, char **patterns, int n);
/* Delete version @v; a tagged version gets an error saying how to delete
 * it (rm.c). */
int delete_version(struct cli *c, const struct ref_list *refs, uint64_t v);
/* The first tag of @version, or NULL. */
const char *refs_tag_of(const struct ref_list *list, uint64_t version);

#endif
