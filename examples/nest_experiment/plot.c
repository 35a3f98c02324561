/* SPDX-License-Identifier: MIT */
#include "plot.h"

#include <stdio.h>

#include "draw.h"

#define WIDTH 1200
#define MARGIN_L 70.0
#define MARGIN_R 20.0
#define GAP_X 80.0
#define TOP 60.0
#define RASTER_H 150.0
#define GAP_Y 62.0
#define HIST_H 260.0

static void raster(cairo_t *cr, const plot_run *r, size_t k, double x, double y, double w,
		   double h, unsigned n_show)
{
	double span = r->t1 - r->t0, step = span >= 500 ? 200 : span >= 100 ? 50 : 10;
	cairo_set_source_rgb(cr, 0, 0, 0);
	draw_text(cr, x + w / 2, y - 8, 13, 0.5, r->title);
	cairo_save(cr);
	cairo_rectangle(cr, x, y, w, h);
	cairo_clip(cr);
	draw_colour(cr, k, 1);
	for (size_t i = 0; i < r->n; i++) {
		double px = x + (r->t[i] - r->t0) / span * w;
		double py = y + h - (r->id[i] + 0.5) / n_show * h;
		cairo_arc(cr, px, py, 1.3, 0, 6.283185307179586);
		cairo_fill(cr);
	}
	cairo_restore(cr);
	draw_axes(cr, &(draw_frame){ x, y, w, h, r->t0, r->t1, 0, n_show }, step, "%.0f",
		  n_show >= 100 ? 25 : 10, "%.0f");
	cairo_set_source_rgb(cr, 0, 0, 0);
	draw_text(cr, x + w / 2, y + h + 32, 11, 0.5, "time [ms]");
	draw_vtext(cr, x - 38, y + h / 2, 11, "neuron id");
}

/* Step histograms of the weights, as densities, one outline per run, in a
 * frame of width @p w; the legend to its right. */
static void histograms(cairo_t *cr, const plot_run *runs, size_t n_runs, double x, double y,
		       double w, double h)
{
	const double bw = (PLOT_W_HI - PLOT_W_LO) / PLOT_BINS;
	double dens[16][PLOT_BINS], top = 0;
	size_t n = n_runs < 16 ? n_runs : 16;

	for (size_t k = 0; k < n; k++) {
		uint64_t total = 0;
		for (int b = 0; b < PLOT_BINS; b++)
			total += runs[k].hist[b];
		for (int b = 0; b < PLOT_BINS; b++) {
			dens[k][b] = total ? runs[k].hist[b] / (total * bw) : 0;
			if (dens[k][b] > top)
				top = dens[k][b];
		}
	}
	double ystep = top > 40 ? 20 : top > 20 ? 10 : top > 8 ? 5 : 1;
	top = ystep * (1 + (int)(top / ystep));
	draw_frame f = { x, y, w, h, PLOT_W_LO, PLOT_W_HI, 0, top };
	cairo_set_source_rgb(cr, 0, 0, 0);
	draw_text(cr, x + w / 2, y - 8, 13, 0.5,
		  "Excitatory weights at the end of each run (E->E and E->I)");
	for (size_t k = 0; k < n; k++)
		draw_steps(cr, &f, dens[k], PLOT_BINS, PLOT_W_LO, PLOT_W_HI, k, 3, 0);
	draw_axes(cr, &f, 0.1, "%.1f", ystep, "%.0f");
	draw_text(cr, x + w / 2, y + h + 32, 11, 0.5, "weight w [mV]");
	draw_vtext(cr, x - 38, y + h / 2, 11, "p(w)");
	for (size_t k = 0; k < n; k++) {
		double ly = y + 18 + 22.0 * k, lx = x + w + 30;
		draw_colour(cr, k, 0.7);
		cairo_set_line_width(cr, 3);
		cairo_move_to(cr, lx, ly - 4);
		cairo_line_to(cr, lx + 28, ly - 4);
		cairo_stroke(cr);
		cairo_set_source_rgb(cr, 0, 0, 0);
		draw_text(cr, lx + 36, ly, 12, 0, runs[k].title);
	}
}

int plot_figure(const char *path, const char *title, const plot_run *runs, size_t n_runs,
		unsigned n_show, const char *const *caption)
{
	size_t rows[2] = { 0, 0 };
	for (size_t k = 0; k < n_runs; k++)
		rows[runs[k].column != 0]++;
	size_t n_rows = rows[0] > rows[1] ? rows[0] : rows[1];
	double height = TOP + n_rows * (RASTER_H + GAP_Y) + HIST_H + 60;
	double col_w = (WIDTH - MARGIN_L - MARGIN_R - GAP_X) / 2;
	cairo_surface_t *surf = cairo_image_surface_create(CAIRO_FORMAT_RGB24, WIDTH, (int)height);
	cairo_t *cr = cairo_create(surf);
	char why[256];
	size_t at[2] = { 0, 0 };

	cairo_set_source_rgb(cr, 1, 1, 1);
	cairo_paint(cr);
	cairo_select_font_face(cr, "sans-serif", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
	cairo_set_source_rgb(cr, 0, 0, 0);
	draw_text(cr, WIDTH / 2.0, 30, 18, 0.5, title);
	for (size_t k = 0; k < n_runs; k++) {
		int c = runs[k].column != 0;
		double x = MARGIN_L + c * (col_w + GAP_X);
		double y = TOP + at[c]++ * (RASTER_H + GAP_Y);
		raster(cr, &runs[k], k, x, y, col_w, RASTER_H, n_show);
	}
	double hy = TOP + n_rows * (RASTER_H + GAP_Y);
	histograms(cr, runs, n_runs, MARGIN_L, hy, col_w, HIST_H);
	cairo_set_source_rgb(cr, 0, 0, 0);
	for (size_t i = 0; caption && caption[i]; i++)
		draw_text(cr, MARGIN_L + col_w + 30,
			  hy + 22.0 * (n_runs < 16 ? n_runs : 16) + 30 + 15.0 * i, 11, 0, caption[i]);
	cairo_destroy(cr);
	if (draw_write_png(surf, path, why, sizeof why) < 0) {
		fprintf(stderr, "nest_experiment: figure %s: %s\n", path, why);
		return -1;
	}
	return 0;
}
