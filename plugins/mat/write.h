/* SPDX-License-Identifier: MIT */
/* The mat plugin's export, in three parts: the names of variables and
 * fields, planned and checked before anything is written (plan.c); the
 * matio variables of objects and of nsnap's record (build.c); the file
 * (write.c). */
#ifndef NSNAP_PLUGIN_MAT_WRITE_H
#define NSNAP_PLUGIN_MAT_WRITE_H

#include "mat.h"

/* An object to write: its variable and field names. */
typedef struct wobj {
	ns_object *obj;
	ns_object_info oi;
	char var[MT_NAME_MAX + 1];
	char (*fields)[MT_NAME_MAX + 1]; /* one per attribute */
} wobj;

typedef struct wr {
	const char *path;
	int rename;
	enum matio_compression compress;
	mat_t *mat;
	mt_names names;
	wobj *objs;
	size_t n_objs;
} wr;

/* The fixed fields of ANNarchy's population and projection structs. */
extern const char *const mt_pop_fields[];
extern const char *const mt_proj_fields[];

/* Plan the variable and field names of every object of @net into
 * w->objs (renamed into w->names with w->rename): NS_EINVAL naming a
 * name MATLAB refuses, one of the layout's own, or two that would be
 * written the same. */
int mt_plan_names(wr *w, const ns_network *net);

/* Variables (NULL when matio or memory failed): an @t array of d0 x d1
 * (matio copies @data); a char matrix of @n strings, one per row,
 * space-padded; one string. */
matvar_t *mt_mk_num(ns_dtype t, size_t d0, size_t d1, const void *data);
matvar_t *mt_mk_strs(const char *const *s, size_t n);
matvar_t *mt_mk_str(const char *s);

/* The struct of population or projection @o into *out. */
int mt_build_population(matvar_t **out, const wr *w, const wobj *o);
int mt_build_projection(matvar_t **out, const wr *w, const wobj *o);
/* nsnap's record (README.md: "nsnap's own variable") of @net into *out. */
int mt_build_record(matvar_t **out, const wr *w, const ns_network *net);

#endif
