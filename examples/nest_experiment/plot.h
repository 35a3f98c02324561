/* SPDX-License-Identifier: MIT */
/* The notebook's figure, drawn with cairo: a raster plot per run and the
 * excitatory weight histograms at the end of each run. */
#ifndef NEST_EXPERIMENT_PLOT_H
#define NEST_EXPERIMENT_PLOT_H

#include <stddef.h>
#include <stdint.h>

#define PLOT_BINS 70
#define PLOT_W_LO 0.7  /* mV: the notebook's bins, 0.7 to 1.4 by 0.01 */
#define PLOT_W_HI 1.4

/* One run: its spikes (time in ms, neuron id) among the neurons shown, the
 * time it covers, and its weight histogram (counts per bin). */
typedef struct plot_run {
	const char *title;
	double t0, t1;
	const double *t;
	const uint32_t *id;
	size_t n;
	const uint64_t *hist;
	int column;          /* 0 left, 1 right */
} plot_run;

/* Write the figure to the PNG @p path: the runs in two columns, @p n_show
 * neurons per raster, the histograms below with their legend and the
 * @p caption lines (NULL-terminated) beside them. Returns 0, or -1 with a
 * message on stderr. */
int plot_figure(const char *path, const char *title, const plot_run *runs, size_t n_runs,
		unsigned n_show, const char *const *caption);

#endif
