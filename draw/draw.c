/* SPDX-License-Identifier: MIT */
#include "draw.h"

#include <errno.h>
#include <fontconfig/fontconfig.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* matplotlib's cycle, which the notebooks' figures use. */
static const double colours[][3] = {
	{ 0.122, 0.467, 0.706 }, { 1.000, 0.498, 0.055 }, { 0.173, 0.627, 0.173 },
	{ 0.839, 0.153, 0.157 }, { 0.580, 0.404, 0.741 }, { 0.549, 0.337, 0.294 },
};
#define N_COLOURS (sizeof colours / sizeof colours[0])

double draw_px(const draw_frame *f, double v)
{
	return f->x + (v - f->x_lo) / (f->x_hi - f->x_lo) * f->w;
}

double draw_py(const draw_frame *f, double v)
{
	return f->y + f->h - (v - f->y_lo) / (f->y_hi - f->y_lo) * f->h;
}

void draw_colour(cairo_t *cr, size_t k, double alpha)
{
	const double *c = colours[k % N_COLOURS];
	cairo_set_source_rgba(cr, c[0], c[1], c[2], alpha);
}

void draw_text(cairo_t *cr, double x, double y, double size, double align, const char *s)
{
	cairo_text_extents_t e;
	cairo_set_font_size(cr, size);
	cairo_text_extents(cr, s, &e);
	cairo_move_to(cr, x - align * (e.width + e.x_bearing), y);
	cairo_show_text(cr, s);
}

void draw_vtext(cairo_t *cr, double x, double y, double size, const char *s)
{
	cairo_text_extents_t e;
	cairo_save(cr);
	cairo_set_font_size(cr, size);
	cairo_text_extents(cr, s, &e);
	cairo_move_to(cr, x, y + e.width / 2);
	cairo_rotate(cr, -1.5707963267948966);
	cairo_show_text(cr, s);
	cairo_restore(cr);
}

double draw_tick_step(double span, int ticks)
{
	static const double mult[] = { 1, 2, 5 };
	if (!(span > 0) || !isfinite(span) || ticks < 1)
		return 1;
	double p = pow(10, floor(log10(span / ticks)));
	for (;; p *= 10)
		for (int i = 0; i < 3; i++)
			if (span / (mult[i] * p) <= ticks)
				return mult[i] * p;
}

const char *draw_tick_label(char buf[32], double v, double step)
{
	double a = fabs(v);
	if (fabs(v) < step * 1e-9)
		v = 0; /* no "-0" or "1e-17" at the origin */
	if (a >= 1e6 || (a > 0 && a < 1e-4 && step < 1e-4)) {
		snprintf(buf, 32, "%.3g", v);
		return buf;
	}
	int dec = step >= 1 ? 0 : (int)ceil(-log10(step) - 1e-9);
	snprintf(buf, 32, "%.*f", dec > 9 ? 9 : dec, v);
	return buf;
}

/* The multiples of @step from @lo to @hi: the first one and their count. */
static long first_tick(double lo, double hi, double step, long *count)
{
	double eps = 1e-9 * (hi - lo);
	long k0 = (long)ceil((lo - eps) / step), k1 = (long)floor((hi + eps) / step);
	*count = k1 >= k0 && k1 - k0 < 1000 ? k1 - k0 + 1 : 0;
	return k0;
}

void draw_axes(cairo_t *cr, const draw_frame *f, double x_step, const char *x_fmt, double y_step,
	       const char *y_fmt)
{
	char s[32];
	long k0, n;
	cairo_set_source_rgb(cr, 0, 0, 0);
	cairo_set_line_width(cr, 1);
	cairo_rectangle(cr, f->x, f->y, f->w, f->h);
	cairo_stroke(cr);
	k0 = first_tick(f->x_lo, f->x_hi, x_step, &n);
	for (long k = k0; k < k0 + n; k++) {
		double v = (double)k * x_step, px = draw_px(f, v);
		cairo_move_to(cr, px, f->y + f->h);
		cairo_line_to(cr, px, f->y + f->h + 4);
		cairo_stroke(cr);
		if (x_fmt)
			snprintf(s, sizeof s, x_fmt, v);
		else
			draw_tick_label(s, v, x_step);
		draw_text(cr, px, f->y + f->h + 16, 11, 0.5, s);
	}
	k0 = first_tick(f->y_lo, f->y_hi, y_step, &n);
	for (long k = k0; k < k0 + n; k++) {
		double v = (double)k * y_step, py = draw_py(f, v);
		cairo_move_to(cr, f->x - 4, py);
		cairo_line_to(cr, f->x, py);
		cairo_stroke(cr);
		if (y_fmt)
			snprintf(s, sizeof s, y_fmt, v);
		else
			draw_tick_label(s, v, y_step);
		draw_text(cr, f->x - 7, py + 4, 11, 1.0, s);
	}
}

void draw_steps(cairo_t *cr, const draw_frame *f, const double *y, size_t n, double lo, double hi,
		size_t colour, double line, double fill)
{
	double base = draw_py(f, f->y_lo < 0 && f->y_hi > 0 ? 0 : f->y_lo);
	cairo_save(cr);
	cairo_rectangle(cr, f->x, f->y, f->w, f->h);
	cairo_clip(cr);
	cairo_move_to(cr, draw_px(f, lo), base);
	for (size_t b = 0; b < n; b++) {
		double py = draw_py(f, y[b]);
		cairo_line_to(cr, draw_px(f, lo + (hi - lo) * (double)b / (double)n), py);
		cairo_line_to(cr, draw_px(f, lo + (hi - lo) * (double)(b + 1) / (double)n), py);
	}
	cairo_line_to(cr, draw_px(f, hi), base);
	if (fill > 0) {
		draw_colour(cr, colour, fill);
		cairo_fill_preserve(cr);
	}
	draw_colour(cr, colour, 0.9);
	cairo_set_line_width(cr, line);
	cairo_stroke(cr);
	/* filled, as bars: the edges between bins, which equal heights hide */
	for (size_t b = 1; fill > 0 && b < n; b++) {
		double top = y[b] < y[b - 1] ? y[b] : y[b - 1];
		double px = draw_px(f, lo + (hi - lo) * (double)b / (double)n);
		if (top <= f->y_lo || (f->y_lo < 0 && top <= 0))
			continue;
		cairo_move_to(cr, px, base);
		cairo_line_to(cr, px, draw_py(f, top));
	}
	cairo_set_line_width(cr, line / 2);
	cairo_stroke(cr);
	cairo_restore(cr);
}

void draw_viridis(double t, double rgb[3])
{
	/* viridis at 0, 1/8, ..., 1 */
	static const double map[9][3] = {
		{ 0.267, 0.005, 0.329 }, { 0.283, 0.141, 0.458 }, { 0.254, 0.265, 0.530 },
		{ 0.207, 0.372, 0.553 }, { 0.164, 0.471, 0.558 }, { 0.128, 0.567, 0.551 },
		{ 0.135, 0.659, 0.518 }, { 0.478, 0.821, 0.318 }, { 0.993, 0.906, 0.144 },
	};
	if (isnan(t)) {
		rgb[0] = rgb[1] = rgb[2] = 0.75;
		return;
	}
	t = t < 0 ? 0 : t > 1 ? 1 : t;
	int i = t >= 1 ? 7 : (int)(t * 8);
	double u = t * 8 - i;
	for (int k = 0; k < 3; k++)
		rgb[k] = map[i][k] + u * (map[i + 1][k] - map[i][k]);
}

void draw_heatmap(cairo_t *cr, double x, double y, double w, double h, const double *v,
		  size_t rows, size_t cols, double lo, double hi)
{
	/* an image of a pixel per cell, scaled up without smoothing: fast for
	 * a million cells, and no seams between them */
	cairo_surface_t *img = cairo_image_surface_create(CAIRO_FORMAT_RGB24, (int)cols, (int)rows);
	double rgb[3];
	if (cairo_surface_status(img) == CAIRO_STATUS_SUCCESS) {
		unsigned char *data;
		int stride = cairo_image_surface_get_stride(img);
		cairo_surface_flush(img);
		data = cairo_image_surface_get_data(img);
		for (size_t r = 0; r < rows; r++) {
			uint32_t *px = (uint32_t *)(void *)(data + (size_t)stride * (rows - 1 - r));
			for (size_t c = 0; c < cols; c++) {
				double t = v[r * cols + c];
				t = isnan(t) ? NAN : hi > lo ? (t - lo) / (hi - lo) : 0.5;
				draw_viridis(t, rgb);
				px[c] = (uint32_t)(rgb[0] * 255 + 0.5) << 16 |
					(uint32_t)(rgb[1] * 255 + 0.5) << 8 | (uint32_t)(rgb[2] * 255 + 0.5);
			}
		}
		cairo_surface_mark_dirty(img);
		cairo_save(cr);
		cairo_translate(cr, x, y);
		cairo_scale(cr, w / (double)cols, h / (double)rows);
		cairo_set_source_surface(cr, img, 0, 0);
		cairo_pattern_set_filter(cairo_get_source(cr), CAIRO_FILTER_NEAREST);
		cairo_rectangle(cr, 0, 0, (double)cols, (double)rows);
		cairo_fill(cr);
		cairo_restore(cr);
	}
	cairo_surface_destroy(img);
	cairo_set_source_rgb(cr, 0, 0, 0);
	cairo_set_line_width(cr, 1);
	cairo_rectangle(cr, x, y, w, h);
	cairo_stroke(cr);
}

void draw_colour_bar(cairo_t *cr, double x, double y, double w, double h, double lo, double hi,
		     const char *label)
{
	double rgb[3], step;
	char s[32];
	long k0, n;
	for (int i = 0; i < (int)h; i++) {
		draw_viridis(1 - (i + 0.5) / h, rgb);
		cairo_set_source_rgb(cr, rgb[0], rgb[1], rgb[2]);
		cairo_rectangle(cr, x, y + i, w, 1.5);
		cairo_fill(cr);
	}
	cairo_set_source_rgb(cr, 0, 0, 0);
	cairo_set_line_width(cr, 1);
	cairo_rectangle(cr, x, y, w, h);
	cairo_stroke(cr);
	if (!(hi > lo)) {
		draw_text(cr, x + w + 6, y + h / 2 + 4, 11, 0, draw_tick_label(s, lo, 1));
	} else {
		step = draw_tick_step(hi - lo, 6);
		k0 = first_tick(lo, hi, step, &n);
		for (long k = k0; k < k0 + n; k++) {
			double v = (double)k * step, py = y + h - (v - lo) / (hi - lo) * h;
			cairo_move_to(cr, x + w, py);
			cairo_line_to(cr, x + w + 4, py);
			cairo_stroke(cr);
			draw_text(cr, x + w + 7, py + 4, 11, 0, draw_tick_label(s, v, step));
		}
	}
	draw_vtext(cr, x + w + 62, y + h / 2, 11, label);
}

struct sink {
	FILE *f;
};

static cairo_status_t write_bytes(void *closure, const unsigned char *data, unsigned int n)
{
	struct sink *s = closure;
	return fwrite(data, 1, n, s->f) == n ? CAIRO_STATUS_SUCCESS : CAIRO_STATUS_WRITE_ERROR;
}

int draw_write_png(cairo_surface_t *surf, const char *path, char *why, size_t why_size)
{
	const char *slash = strrchr(path, '/');
	size_t dir = slash ? (size_t)(slash - path) + 1 : 0;
	char *tmp = malloc(dir + strlen(path + dir) + 16);
	struct sink s = { NULL };
	cairo_status_t st = CAIRO_STATUS_SUCCESS;
	int fd = -1, rc = -1, err = 0;
	mode_t mask;

	if (!tmp) {
		snprintf(why, why_size, "out of memory");
		goto done;
	}
	snprintf(tmp, dir + strlen(path + dir) + 16, "%.*s.%s.XXXXXX", (int)dir, path, path + dir);
	if ((fd = mkstemp(tmp)) < 0) {
		snprintf(why, why_size, "%s", strerror(errno));
		goto done;
	}
	/* mkstemp() makes it 0600: give it the mode a new file gets */
	mask = umask(0);
	umask(mask);
	if (fchmod(fd, 0666 & ~mask) < 0 || !(s.f = fdopen(fd, "wb"))) {
		err = errno;
		close(fd);
	} else {
		errno = 0;
		st = cairo_surface_write_to_png_stream(surf, write_bytes, &s);
		if (st == CAIRO_STATUS_WRITE_ERROR)
			err = errno ? errno : EIO;
		if (fclose(s.f) != 0 && !err)
			err = errno;
	}
	if (st != CAIRO_STATUS_SUCCESS && st != CAIRO_STATUS_WRITE_ERROR)
		snprintf(why, why_size, "%s", cairo_status_to_string(st));
	else if (err || st != CAIRO_STATUS_SUCCESS)
		snprintf(why, why_size, "%s", strerror(err ? err : EIO));
	else if (rename(tmp, path) < 0)
		snprintf(why, why_size, "%s", strerror(errno));
	else
		rc = 0;
	if (rc < 0)
		unlink(tmp);
done:
	free(tmp);
	cairo_surface_destroy(surf);
	/* Cairo's caches and fontconfig's, which cairo's font lookup filled and
	 * leak checkers would report otherwise (fontconfig starts again if a
	 * later figure needs it). */
	cairo_debug_reset_static_data();
	FcFini();
	return rc;
}
