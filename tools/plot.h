/* SPDX-License-Identifier: MIT */
/* What the --plot of diff (plot_diff.c) and show (plot_show.c) share
 * (plot.c): the panels of a figure, drawing it, reading values, and the
 * errors for names that are not there. Private to the nsnap command. */
#ifndef NSNAP_TOOLS_PLOT_H
#define NSNAP_TOOLS_PLOT_H

#include "cli.h"

#define MAX_PANELS 24 /* twelve rows: taller stops being readable at a glance */

/* One panel of the grid. */
struct panel {
	int heat;                /* a heat map, not a histogram */
	int note;                /* no picture: why, in legend[0] */
	char title[160], xlabel[96];
	size_t n_series;         /* histograms: 1 or 2 distributions */
	const double *v[2];
	uint64_t n[2];
	size_t colour[2];
	char legend[6][96];      /* the series' labels first, then statistics */
	size_t n_legend;
	uint64_t rows, cols;     /* heat maps: the geometry */
	int integer;             /* whole numbers: bins on the integers */
};

struct figure {
	struct panel p[MAX_PANELS];
	size_t n;
	size_t attrs, left_out;
	double *owned[3 * MAX_PANELS]; /* the values the panels show */
	size_t n_owned;
};

/* A new, zeroed panel of @f (the caller checked plot_room()). */
struct panel *plot_panel_add(struct figure *f);
/* Free the values @f owns (not @f). */
void plot_figure_free(struct figure *f);
/* Draw the panels, two a row, under @title, to the PNG @path; @out says
 * what was drawn. */
int plot_figure_write(struct cli *c, struct cli_plot *out, const struct figure *fig,
		      const char *path, const char *title);
/* Whether @fig has room for @panels more (else one more attribute is
 * counted left out); the warning for those left out. */
int plot_room(struct figure *fig, size_t panels);
void plot_warn_left_out(struct cli *c, const struct figure *fig);

/* "v [mV]", "w (unitless)", or the name, after @prefix. */
void plot_axis_label(char *buf, size_t size, const char *prefix, const char *attr);

/* The values of attribute @attr of @o in @net as doubles (owned by @fig),
 * after checking their chunks unless --no-verify. */
int plot_read_values(struct cli *c, struct figure *fig, double **out, uint64_t *n,
		     const ns_network *net, ns_object *o, const char *attr);

/* A command line name "OBJ" or "OBJ/ATTR" split into @obj and *@attr
 * (NULL for none). */
int plot_split_name(struct cli *c, char *obj, size_t size, const char **attr, const char *name);
/* The errors for an object @obj that neither @na nor @nb (NULL: one
 * version only) has, or a dictionary entry of that name, and for an
 * attribute neither object has; @where names the versions. */
int plot_no_object(struct cli *c, const ns_network *na, const ns_network *nb, const char *obj,
		   const char *where);
int plot_no_attr(struct cli *c, ns_object *oa, ns_object *ob, const char *obj, const char *attr,
		 const char *where);

#endif
