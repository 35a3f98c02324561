/* SPDX-License-Identifier: MIT */
/* --plot of nsnap diff (plot_diff.c) and nsnap show (plot_show.c):
 * attributes' distributions (and a 2-D population's values over its
 * geometry) drawn with cairo (draw/), a panel each in a grid of two
 * columns, one PNG. Here: what they share (plot.h), and the refusal of a
 * command built without cairo. Values are read as every read that leaves
 * the store is: after cli_check() of their chunks. */
#include "cli.h"

#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

void cli_plot_report(struct cli *c, cJSON *json, const char *path, const struct cli_plot *p)
{
	if (json) {
		cJSON *j = cJSON_CreateObject();
		cJSON_AddStringToObject(j, "file", path);
		cli_json_add_u64(j, "width", (uint64_t)p->width);
		cli_json_add_u64(j, "height", (uint64_t)p->height);
		cli_json_add_u64(j, "panels", p->panels);
		cli_json_add_u64(j, "attributes", p->attrs);
		cJSON_AddItemToObject(json, "plot", j);
	} else if (!c->quiet) {
		printf("drew '%s': %zu panel%s of %zu attribute%s, %dx%d pixels\n", path, p->panels,
		       p->panels == 1 ? "" : "s", p->attrs, p->attrs == 1 ? "" : "s", p->width,
		       p->height);
	}
}

#ifdef NSNAP_PLOT_OFF

int cli_plot_diff(struct cli *c, struct cli_plot *out, const char *path, const ns_diff *d,
		  double tol, const char *ra, const char *rb, char **names, int n_names)
{
	(void)out, (void)d, (void)tol, (void)ra, (void)rb, (void)names, (void)n_names;
	return cli_fail(c, "--plot '%s': this nsnap was built without cairo (NSNAP_PLOT=OFF)",
			path);
}

int cli_plot_show(struct cli *c, struct cli_plot *out, const char *path, ns_network *net,
		  const char *rev, char **names, int n_names)
{
	(void)out, (void)net, (void)rev, (void)names, (void)n_names;
	return cli_fail(c, "--plot '%s': this nsnap was built without cairo (NSNAP_PLOT=OFF)",
			path);
}

#else

#include "draw.h"
#include "plot.h"

#define PANEL_W 520
#define PANEL_H 330
#define TITLE_H 56
/* The frame inside a panel: room for the title, tick labels, axis labels. */
#define FRAME_L 70.0
#define FRAME_R 18.0
#define FRAME_T 30.0
#define FRAME_B 48.0

/* Units by attribute name, where the name says it (NEST's and ANNarchy's
 * usual names); weights are unitless. */
static const char *unit_of(const char *attr)
{
	static const char *const mv[] = { "v", "V_m", "V_th", "V_reset", "E_L", "v_rest",
					  "v_reset", "v_thresh", "v_th", "u_rest", NULL };
	static const char *const ms[] = { "t", "t_ref", "t_last_spike", "last_spike", "delay",
					  "tau_refrac", NULL };
	static const char *const none[] = { "w", "weight", "weights", NULL };
	for (const char *const *n = mv; *n; n++)
		if (strcmp(attr, *n) == 0)
			return "mV";
	for (const char *const *n = ms; *n; n++)
		if (strcmp(attr, *n) == 0)
			return "ms";
	if (strncmp(attr, "tau", 3) == 0)
		return "ms";
	for (const char *const *n = none; *n; n++)
		if (strcmp(attr, *n) == 0)
			return "";
	return NULL;
}

/* "v [mV]", "w (unitless)", or the name (with @prefix before it). */
void plot_axis_label(char *buf, size_t size, const char *prefix, const char *attr)
{
	const char *u = unit_of(attr);
	if (!u)
		snprintf(buf, size, "%s%s", prefix, attr);
	else if (!*u)
		snprintf(buf, size, "%s%s (unitless)", prefix, attr);
	else
		snprintf(buf, size, "%s%s [%s]", prefix, attr, u);
}

struct panel *plot_panel_add(struct figure *f)
{
	struct panel *p = &f->p[f->n++];
	memset(p, 0, sizeof *p);
	return p;
}

void plot_figure_free(struct figure *f)
{
	for (size_t i = 0; i < f->n_owned; i++)
		free(f->owned[i]);
}

/* The finite range of a panel's values; a single value gets a span. */
static void value_range(const struct panel *p, double *lo, double *hi)
{
	*lo = INFINITY;
	*hi = -INFINITY;
	for (size_t s = 0; s < p->n_series; s++)
		for (uint64_t i = 0; i < p->n[s]; i++)
			if (isfinite(p->v[s][i])) {
				*lo = p->v[s][i] < *lo ? p->v[s][i] : *lo;
				*hi = p->v[s][i] > *hi ? p->v[s][i] : *hi;
			}
	if (!(*lo <= *hi))
		*lo = *hi = 0;
	/* rounding's differences (2 - 1e-15 and 2) are one value */
	if (*hi - *lo <= 1e-9 * fmax(fabs(*lo), fabs(*hi)))
		*lo = *hi = *lo / 2 + *hi / 2;
}

static void draw_legend(cairo_t *cr, const struct panel *p, const draw_frame *f)
{
	double width = 0, x, y = f->y + 8;
	cairo_text_extents_t e;
	cairo_set_font_size(cr, 11);
	for (size_t i = 0; i < p->n_legend; i++) {
		cairo_text_extents(cr, p->legend[i], &e);
		width = e.x_advance > width ? e.x_advance : width;
	}
	width += 30;
	x = f->x + f->w - width - 8;
	cairo_set_source_rgba(cr, 1, 1, 1, 0.85);
	cairo_rectangle(cr, x - 4, y - 2, width + 8, 16.0 * (double)p->n_legend + 6);
	cairo_fill(cr);
	for (size_t i = 0; i < p->n_legend; i++) {
		double ly = y + 13 + 16.0 * (double)i;
		if (i < p->n_series) {
			draw_colour(cr, p->colour[i], 0.35);
			cairo_rectangle(cr, x, ly - 9, 22, 9);
			cairo_fill_preserve(cr);
			draw_colour(cr, p->colour[i], 0.9);
			cairo_set_line_width(cr, 1.5);
			cairo_stroke(cr);
		}
		cairo_set_source_rgb(cr, 0, 0, 0);
		draw_text(cr, x + 28, ly, 11, 0, p->legend[i]);
	}
}

static void draw_histogram(cairo_t *cr, const struct panel *p, double x0, double y0)
{
	draw_frame f = { x0 + FRAME_L, y0 + FRAME_T, PANEL_W - FRAME_L - FRAME_R,
			 PANEL_H - FRAME_T - FRAME_B, 0, 1, 0, 1 };
	double lo, hi, top = 1, *count[2] = { NULL, NULL };
	uint64_t nmax = p->n[0] > p->n[1] ? p->n[0] : p->n[1];
	size_t bins = (size_t)sqrt((double)nmax) + 1;

	value_range(p, &lo, &hi);
	bins = bins < 12 ? 12 : bins > 60 ? 60 : bins;
	if (p->integer && hi - lo <= 60) {
		/* a bin per whole number, at least five */
		if (hi - lo < 4) {
			double mid = floor((lo + hi) / 2);
			lo = fmin(lo, mid - 2);
			hi = fmax(hi, lo + 4);
		}
		bins = (size_t)(hi - lo) + 1;
		lo -= 0.5;
		hi += 0.5;
	} else if (hi == lo) {
		double d = lo != 0 ? fabs(lo) * 0.05 : 0.5;
		lo -= d;
		hi += d;
		bins |= 1; /* the value in the middle of a bin */
	}
	for (size_t s = 0; s < p->n_series; s++) {
		if (!(count[s] = calloc(bins, sizeof *count[s])))
			goto done;
		for (uint64_t i = 0; i < p->n[s]; i++) {
			double t = (p->v[s][i] - lo) / (hi - lo) * (double)bins;
			if (!isfinite(t))
				continue;
			size_t b = t < 0 ? 0 : (size_t)t >= bins ? bins - 1 : (size_t)t;
			if (++count[s][b] > top)
				top = count[s][b];
		}
	}
	/* a margin, so that the outer bins stand clear of the frame */
	f.x_lo = lo - 0.03 * (hi - lo);
	f.x_hi = hi + 0.03 * (hi - lo);
	/* headroom for the legend in the top right corner */
	f.y_hi = top * (1.25 + 0.07 * (double)p->n_legend);
	for (size_t s = 0; s < p->n_series; s++)
		draw_steps(cr, &f, count[s], bins, lo, hi, p->colour[s], 2, 0.3);
	double xs = draw_tick_step(f.x_hi - f.x_lo, 6), ys = draw_tick_step(f.y_hi, 6);
	draw_axes(cr, &f, p->integer && xs < 1 ? 1 : xs, NULL, ys < 1 ? 1 : ys, "%.0f");
	draw_text(cr, f.x + f.w / 2, f.y + f.h + 36, 12, 0.5, p->xlabel);
	draw_vtext(cr, f.x - 48, f.y + f.h / 2, 12, "count");
	draw_legend(cr, p, &f);
done:
	free(count[0]);
	free(count[1]);
}

static void draw_heat(cairo_t *cr, const struct panel *p, double x0, double y0)
{
	double lo, hi, aw = PANEL_W - FRAME_L - 110, ah = PANEL_H - FRAME_T - FRAME_B;
	double cell = fmin(aw / (double)p->cols, ah / (double)p->rows);
	double w = cell * (double)p->cols, h = cell * (double)p->rows;
	/* ticks at the cells' centres: cell i spans i - 0.5 to i + 0.5 */
	draw_frame f = { x0 + FRAME_L + (aw - w) / 2, y0 + FRAME_T + (ah - h) / 2, w, h, -0.5,
			 (double)p->cols - 0.5, -0.5, (double)p->rows - 0.5 };
	double xs = draw_tick_step((double)p->cols, 5), ys = draw_tick_step((double)p->rows, 5);

	value_range(p, &lo, &hi);
	draw_heatmap(cr, f.x, f.y, f.w, f.h, p->v[0], p->rows, p->cols, lo, hi);
	draw_axes(cr, &f, xs < 1 ? 1 : xs, "%.0f", ys < 1 ? 1 : ys, "%.0f");
	draw_text(cr, f.x + f.w / 2, f.y + f.h + 36, 12, 0.5, "geometry: index along dimension 2");
	draw_vtext(cr, f.x - 40, f.y + f.h / 2, 12, "dimension 1");
	/* as tall as the map, unless that is too flat to read */
	draw_colour_bar(cr, x0 + PANEL_W - 104, h >= 120 ? f.y : y0 + FRAME_T, 16,
			h >= 120 ? h : ah, lo, hi, p->xlabel);
}

/* Draw the panels, two a row, under @title, to @path. */
int plot_figure_write(struct cli *c, struct cli_plot *out, const struct figure *fig,
			const char *path, const char *title)
{
	int rows = (int)(fig->n + 1) / 2, width = 2 * PANEL_W, height = TITLE_H + rows * PANEL_H;
	cairo_surface_t *surf = cairo_image_surface_create(CAIRO_FORMAT_RGB24, width, height);
	cairo_t *cr = cairo_create(surf);
	char why[256];

	cairo_set_source_rgb(cr, 1, 1, 1);
	cairo_paint(cr);
	cairo_select_font_face(cr, "sans-serif", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
	cairo_set_source_rgb(cr, 0, 0, 0);
	draw_text(cr, width / 2.0, 34, 18, 0.5, title);
	for (size_t i = 0; i < fig->n; i++) {
		const struct panel *p = &fig->p[i];
		double x0 = (double)(i % 2) * PANEL_W, y0 = TITLE_H + (double)(i / 2) * PANEL_H;
		cairo_set_source_rgb(cr, 0, 0, 0);
		draw_text(cr, x0 + FRAME_L + (PANEL_W - FRAME_L - FRAME_R) / 2, y0 + FRAME_T - 10, 13,
			  0.5, p->title);
		if (p->note) {
			cairo_set_source_rgb(cr, 0.35, 0.35, 0.35);
			draw_text(cr, x0 + PANEL_W / 2.0, y0 + PANEL_H / 2.0, 13, 0.5, p->legend[0]);
		} else if (p->heat)
			draw_heat(cr, p, x0, y0);
		else
			draw_histogram(cr, p, x0, y0);
	}
	if (cairo_status(cr) != CAIRO_STATUS_SUCCESS) {
		snprintf(why, sizeof why, "%s", cairo_status_to_string(cairo_status(cr)));
		cairo_destroy(cr);
		cairo_surface_destroy(surf);
		cairo_debug_reset_static_data();
		return cli_fail(c, "--plot '%s': drawing failed: %s", path, why);
	}
	cairo_destroy(cr);
	if (draw_write_png(surf, path, why, sizeof why) < 0)
		return cli_fail(c, "--plot '%s': cannot write it: %s", path, why);
	out->width = width;
	out->height = height;
	out->panels = fig->n;
	out->attrs = fig->attrs;
	return CLI_OK;
}

/* ------------------------------------------------------------ reading */

/* The values of attribute @attr of @o in @net as doubles (malloc'd, kept by
 * @fig), after checking their chunks unless --no-verify. */
int plot_read_values(struct cli *c, struct figure *fig, double **out, uint64_t *n,
		       const ns_network *net, ns_object *o, const char *attr)
{
	ns_attr *a = ns_object_attr_find(o, attr);
	ns_attr_info info;
	ns_object_info oi;
	double *v;

	ns_object_get_info(&oi, o);
	ns_attr_get_info(&info, a);
	if (cli_check(c, net, NULL, oi.name, attr) != CLI_OK)
		return CLI_ERROR;
	if (!(v = malloc((info.count ? info.count : 1) * sizeof *v)))
		return cli_fail(c, "out of memory reading '%s/%s'", oi.name, attr);
	fig->owned[fig->n_owned++] = v;
	if (ns_attr_read(v, NS_DTYPE_F64, a) < 0)
		return cli_fail_ns(c);
	*out = v;
	*n = info.count;
	return CLI_OK;
}

/* A dictionary entry called @name, which is no attribute to plot. */
static int dictionary_has(const ns_network *net, const char *name)
{
	for (size_t i = 0; net && i < ns_network_meta_count(net); i++) {
		const char *key, *s;
		double x;
		ns_network_meta_at(&key, &s, &x, net, i);
		if (strcmp(key, name) == 0)
			return 1;
	}
	return 0;
}

/* The error for a name @obj that is no object of @na nor @nb (NULL when
 * one version only). */
int plot_no_object(struct cli *c, const ns_network *na, const ns_network *nb, const char *obj,
		     const char *where)
{
	const char *names[256];
	size_t k = 0;
	char near[256];
	if (dictionary_has(na, obj) || dictionary_has(nb, obj))
		return cli_fail(c, "--plot: '%s' is an entry of the network dictionary, not "
				   "numeric values: name a population's or projection's "
				   "attribute (OBJ/ATTR)", obj);
	for (int s = 0; s < 2; s++) {
		const ns_network *net = s ? nb : na;
		for (size_t i = 0; net && i < ns_network_object_count(net) && k < 256; i++) {
			ns_object_info info;
			ns_object_get_info(&info, ns_network_object_at(net, i));
			if (!(s && na && ns_network_object_find(na, info.name)))
				names[k++] = info.name;
		}
	}
	cli_nearest(near, sizeof near, obj, names, k);
	return cli_fail(c, "--plot: no population or projection '%s' in %s%s%s%s", obj, where,
			*near ? " (nearest: " : "", near, *near ? ")" : "");
}

int plot_no_attr(struct cli *c, ns_object *oa, ns_object *ob, const char *obj,
		   const char *attr, const char *where)
{
	const char *names[256];
	size_t k = 0;
	char near[256];
	ns_object_info info;
	for (int s = 0; s < 2; s++) {
		ns_object *o = s ? ob : oa;
		for (size_t i = 0; o && i < ns_object_attr_count(o) && k < 256; i++) {
			ns_attr_info ai;
			ns_attr_get_info(&ai, ns_object_attr_at(o, i));
			if (!(s && oa && ns_object_attr_find(oa, ai.name)))
				names[k++] = ai.name;
		}
	}
	ns_object_get_info(&info, oa ? oa : ob);
	cli_nearest(near, sizeof near, attr, names, k);
	return cli_fail(c, "--plot: %s '%s' has no attribute '%s' in %s%s%s%s",
			ns_object_kind_name(info.kind), obj, attr, where, *near ? " (nearest: " : "",
			near, *near ? ")" : "");
}

/* A name OBJ or OBJ/ATTR of the command line, split. */
int plot_split_name(struct cli *c, char *obj, size_t size, const char **attr, const char *name)
{
	const char *slash = strchr(name, '/');
	size_t len = slash ? (size_t)(slash - name) : strlen(name);
	if (len == 0 || len >= size || (slash && !slash[1]))
		return cli_fail(c, "--plot: '%s': expected OBJECT or OBJECT/ATTRIBUTE", name);
	snprintf(obj, size, "%.*s", (int)len, name);
	*attr = slash ? slash + 1 : NULL;
	return CLI_OK;
}

/* Whether the figure has room for @panels more (else one more attribute
 * is left out). */
int plot_room(struct figure *fig, size_t panels)
{
	if (fig->n + panels <= MAX_PANELS)
		return 1;
	fig->left_out++;
	return 0;
}

/* The warning for the attributes that found no room. */
void plot_warn_left_out(struct cli *c, const struct figure *fig)
{
	if (fig->left_out)
		cli_warn(c, "--plot: %zu attribute%s left out (at most %d panels): name the "
			    "attributes to draw (OBJ/ATTR)", fig->left_out,
			 fig->left_out == 1 ? "" : "s", MAX_PANELS);
}

#endif
