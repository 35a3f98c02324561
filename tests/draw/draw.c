/* SPDX-License-Identifier: MIT */
#include <criterion/criterion.h>
#include <dirent.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "draw.h"

Test(draw, tick_steps_are_one_two_or_five_times_a_power_of_ten)
{
	cr_assert_float_eq(draw_tick_step(10, 6), 2, 1e-12);
	cr_assert_float_eq(draw_tick_step(0.7, 6), 0.2, 1e-12);
	cr_assert_float_eq(draw_tick_step(100, 6), 20, 1e-12);
	cr_assert_float_eq(draw_tick_step(15, 6), 5, 1e-12);
	cr_assert_float_eq(draw_tick_step(3e-6, 5), 1e-6, 1e-18);
	cr_assert_float_eq(draw_tick_step(0, 6), 1, 0);
	cr_assert_float_eq(draw_tick_step(NAN, 6), 1, 0);
}

Test(draw, tick_labels_have_the_decimals_their_step_needs)
{
	char b[32];
	cr_assert_str_eq(draw_tick_label(b, 0.5, 0.1), "0.5");
	cr_assert_str_eq(draw_tick_label(b, -60, 5), "-60");
	cr_assert_str_eq(draw_tick_label(b, 0.25, 0.05), "0.25");
	cr_assert_str_eq(draw_tick_label(b, 1e-17, 0.1), "0.0"); /* no "-0" or "1e-17" */
	cr_assert_str_eq(draw_tick_label(b, -1e-17, 0.1), "0.0");
	cr_assert_str_eq(draw_tick_label(b, 2e6, 5e5), "2e+06");
}

Test(draw, viridis_runs_from_purple_to_yellow_and_nan_is_grey)
{
	double lo[3], hi[3], nan[3];
	draw_viridis(0, lo);
	draw_viridis(1, hi);
	draw_viridis(NAN, nan);
	cr_assert(lo[2] > lo[1] && hi[0] > 0.9 && hi[1] > 0.8 && hi[2] < 0.2);
	cr_assert(nan[0] == nan[1] && nan[1] == nan[2]);
}

/* Whether a file of the folder starts with @prefix (a left temporary). */
static int left_over(const char *prefix)
{
	DIR *d = opendir(".");
	struct dirent *e;
	int found = 0;
	while (d && (e = readdir(d)))
		found |= strncmp(e->d_name, prefix, strlen(prefix)) == 0;
	if (d)
		closedir(d);
	return found;
}

Test(draw, a_png_replaces_the_file_whole_and_leaves_no_temporary)
{
	cairo_surface_t *s = cairo_image_surface_create(CAIRO_FORMAT_RGB24, 40, 30), *back;
	cairo_t *cr = cairo_create(s);
	char why[128] = "";
	FILE *f = fopen("x.png", "w");
	fputs("old", f);
	fclose(f);
	cairo_set_source_rgb(cr, 1, 0, 0);
	cairo_paint(cr);
	cairo_destroy(cr);
	cr_assert_eq(draw_write_png(s, "x.png", why, sizeof why), 0, "%s", why);
	back = cairo_image_surface_create_from_png("x.png");
	cr_assert_eq(cairo_surface_status(back), CAIRO_STATUS_SUCCESS);
	cr_assert_eq(cairo_image_surface_get_width(back), 40);
	cr_assert_eq(cairo_image_surface_get_height(back), 30);
	uint32_t px = *(const uint32_t *)cairo_image_surface_get_data(back);
	cr_assert_eq(px & 0xffffff, 0xff0000, "pixel %08x", px);
	cairo_surface_destroy(back);
	cr_assert_not(left_over(".x.png."));
}

Test(draw, a_failed_write_names_the_cause_and_leaves_nothing)
{
	cairo_surface_t *s = cairo_image_surface_create(CAIRO_FORMAT_RGB24, 4, 4);
	char why[128] = "";
	cr_assert_eq(draw_write_png(s, "no/such/folder/x.png", why, sizeof why), -1);
	cr_assert_str_eq(why, "No such file or directory");
	/* a folder in the way: the rename fails, the temporary goes */
	cr_assert_eq(system("mkdir -p taken.png"), 0);
	s = cairo_image_surface_create(CAIRO_FORMAT_RGB24, 4, 4);
	cr_assert_eq(draw_write_png(s, "taken.png", why, sizeof why), -1);
	cr_assert_str_eq(why, "Is a directory");
	cr_assert_not(left_over(".taken.png."));
}
