/* SPDX-License-Identifier: MIT */
/* The figures nsnap draws with cairo, shared by the nsnap command's --plot
 * and NEST's experiment: text, framed axes with ticks, step histograms,
 * heat maps with a colour bar, and writing the PNG. Coordinates are
 * cairo's pixels, y down; a frame maps data values onto a rectangle. */
#ifndef NSNAP_DRAW_H
#define NSNAP_DRAW_H

#include <cairo.h>
#include <stddef.h>

/* A rectangle of the figure (x, y its top left corner) and the data
 * ranges its axes show. */
typedef struct draw_frame {
	double x, y, w, h;
	double x_lo, x_hi, y_lo, y_hi;
} draw_frame;

/* The pixel of data value @v along x or y of @f. */
double draw_px(const draw_frame *f, double v);
double draw_py(const draw_frame *f, double v);

/* Colour @k of matplotlib's default cycle (wrapping), with @alpha. */
void draw_colour(cairo_t *cr, size_t k, double alpha);

/* @s with its baseline at @y: left of it at @x (@align 0), centred (0.5)
 * or right of it at @x (1). */
void draw_text(cairo_t *cr, double x, double y, double size, double align, const char *s);
/* @s turned a quarter left, centred at height @y, its baseline at @x. */
void draw_vtext(cairo_t *cr, double x, double y, double size, const char *s);

/* The tick step for @span: 1, 2 or 5 times a power of ten, the smallest
 * that gives at most @ticks ticks (1 for a span that is not positive). */
double draw_tick_step(double span, int ticks);
/* A tick's label: @v with as many decimals as @step needs (none for
 * whole steps); "%.3g" for very large and very small values. */
const char *draw_tick_label(char buf[32], double v, double step);

/* The frame of @f with ticks along x every @x_step and along y every
 * @y_step (at their multiples within the ranges), labelled with @x_fmt and
 * @y_fmt (printf formats of a double), or by draw_tick_label() when NULL. */
void draw_axes(cairo_t *cr, const draw_frame *f, double x_step, const char *x_fmt, double y_step,
	       const char *y_fmt);

/* A step histogram of @n equal bins spanning @lo to @hi (x of @f), bin @b
 * @y[b] high (y of @f), in colour @colour: an outline @line pixels wide,
 * filled below with @fill opacity (0 for none), and then, as bars, with
 * the edges between bins drawn. Clipped to the frame. */
void draw_steps(cairo_t *cr, const draw_frame *f, const double *y, size_t n, double lo, double hi,
		size_t colour, double line, double fill);

/* Colour of @t (0 to 1) on the viridis map; grey for NaN. */
void draw_viridis(double t, double rgb[3]);
/* @rows by @cols values (row-major) as cells of the viridis map from @lo
 * to @hi, in the rectangle @x, @y, @w, @h: row 0 at the bottom, as the
 * y axis of a frame over it counts. At most 32767 rows and columns
 * (cairo's largest image); nothing but the frame for more. */
void draw_heatmap(cairo_t *cr, double x, double y, double w, double h, const double *v,
		  size_t rows, size_t cols, double lo, double hi);
/* A vertical colour bar from @lo (bottom) to @hi with ticks and @label. */
void draw_colour_bar(cairo_t *cr, double x, double y, double w, double h, double lo, double hi,
		     const char *label);

/* Write @surf as a PNG to @path, atomically (a temporary file in the same
 * folder, renamed over @path, which is replaced when it exists), and
 * destroy @surf (after its cairo_t was). Returns 0, or -1 with the cause
 * in @why (errno's text or cairo's); a failure leaves @path as it was.
 * Resets cairo's static caches and fontconfig's after (no other thread may
 * be drawing text then), which leak checkers would report otherwise. */
int draw_write_png(cairo_surface_t *surf, const char *path, char *why, size_t why_size);

#endif
