/* SPDX-License-Identifier: MIT */
/* Export, first step: the MATLAB names of every object and attribute,
 * checked before anything is written (README.md: "Renaming"). */
#include "write.h"

#include <stdio.h>
#include <string.h>

const char *const mt_pop_fields[] = { "name", "geometry", "size", "attributes", "parameters",
				      "variables", NULL };
const char *const mt_proj_fields[] = { "name", "pre", "post", "target", "post_ranks",
				       "pre_ranks", "attributes", "parameters", "variables",
				       NULL };
static const char *const top_vars[] = { "time_step", "net_id", "obj_names", MT_NAMES_VAR,
					MT_RECORD_VAR, NULL };

static int in_list(const char *const *list, const char *s)
{
	for (; *list; list++)
		if (strcmp(*list, s) == 0)
			return 1;
	return 0;
}

/* The MATLAB name of @name into @out: itself, or (with rename) escaped and
 * recorded under @prefix.out. @what names it for messages. */
static int mat_name(wr *w, char out[MT_NAME_MAX + 1], const char *name, const char *prefix,
		    const char *what)
{
	char key[2 * MT_NAME_MAX + 2];
	if (mt_name_valid(name)) {
		strcpy(out, name);
		return NS_OK;
	}
	if (!w->rename)
		return host->error(NS_EINVAL, "file '%s': %s '%s' is not a valid MATLAB name "
				      "(1 to 63 characters: a letter, then letters, digits and "
				      "'_'); rename it, or export with the option rename to rename "
				      "it reversibly", w->path, what, name);
	mt_name_escape(out, name);
	snprintf(key, sizeof key, "%s%s%s", prefix ? prefix : "", prefix ? "." : "", out);
	return mt_names_add(&w->names, key, name);
}

static int clash(const wr *w, const char *what, const char *a, const char *b, const char *as)
{
	return host->error(NS_EINVAL, "file '%s': %s '%s' and '%s' would both be written "
			      "as '%s'", w->path, what, a, b, as);
}

/* Names of every object and attribute, checked before anything is
 * written. */
int mt_plan_names(wr *w, const ns_network *net)
{
	size_t n = host->network_object_count(net);
	char what[320];
	int rc;

	if (!(w->objs = host->alloc(n * sizeof *w->objs + 1)))
		return mt_oom();
	memset(w->objs, 0, n * sizeof *w->objs + 1);
	for (size_t i = 0; i < n; i++) {
		wobj *o = &w->objs[i];
		const char *const *reserved;
		o->obj = host->network_object_at(net, i);
		host->object_get_info(&o->oi, o->obj);
		w->n_objs = i + 1;
		reserved = o->oi.kind == NS_POPULATION ? mt_pop_fields : mt_proj_fields;
		snprintf(what, sizeof what, "%s", o->oi.kind == NS_POPULATION ? "population" :
			 "projection");
		if ((rc = mat_name(w, o->var, o->oi.name, NULL, what)) < 0)
			return rc;
		if (in_list(top_vars, o->var))
			return host->error(NS_EINVAL, "file '%s': %s '%s' has the name of a "
					      "variable of ANNarchy's layout", w->path, what,
					      o->oi.name);
		for (size_t j = 0; j < i; j++)
			if (strcmp(w->objs[j].var, o->var) == 0)
				return clash(w, "objects", w->objs[j].oi.name, o->oi.name, o->var);
		if (!(o->fields = host->alloc(o->oi.n_attrs * sizeof *o->fields + 1)))
			return mt_oom();
		for (size_t a = 0; a < o->oi.n_attrs; a++) {
			ns_attr_info ai, bi;
			host->attr_get_info(&ai, host->object_attr_at(o->obj, a));
			/* in nsnap's record only, under its own name: no field */
			if (ai.scope == NS_ARRAY) {
				o->fields[a][0] = '\0';
				continue;
			}
			snprintf(what, sizeof what, "%s '%s': attribute", o->oi.kind == NS_POPULATION ?
				 "population" : "projection", o->oi.name);
			if ((rc = mat_name(w, o->fields[a], ai.name, o->var, what)) < 0)
				return rc;
			if (in_list(reserved, o->fields[a]))
				return host->error(NS_EINVAL, "file '%s': %s '%s' has the name of "
						      "a field of ANNarchy's layout", w->path,
						      what, ai.name);
			for (size_t b = 0; b < a; b++)
				if (o->fields[b][0] && strcmp(o->fields[b], o->fields[a]) == 0) {
					host->attr_get_info(&bi, host->object_attr_at(o->obj, b));
					return clash(w, "attributes", bi.name, ai.name, o->fields[a]);
				}
		}
	}
	return NS_OK;
}
