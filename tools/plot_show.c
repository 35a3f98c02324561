/* SPDX-License-Identifier: MIT */
/* nsnap show --plot: the distribution of each attribute, and a 2-D
 * population's values over its geometry. */
#include "plot.h"

#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* "min .., max ..", "mean .." (NaN skipped; counted) in @p's legend. */
static void summary_legend(struct panel *p, const double *v, uint64_t n)
{
	double lo = INFINITY, hi = -INFINITY, sum = 0;
	uint64_t k = 0, nan = 0;
	char a[32], b[32];
	for (uint64_t i = 0; i < n; i++)
		if (isnan(v[i])) {
			nan++;
		} else {
			lo = v[i] < lo ? v[i] : lo;
			hi = v[i] > hi ? v[i] : hi;
			sum += v[i];
			k++;
		}
	if (!k)
		return;
	snprintf(p->legend[p->n_legend++], sizeof p->legend[0], "min %s, max %s",
		 cli_summary(a, lo), cli_summary(b, hi));
	snprintf(p->legend[p->n_legend++], sizeof p->legend[0], "mean %s",
		 cli_summary(a, sum / (double)k));
	if (nan)
		snprintf(p->legend[p->n_legend++], sizeof p->legend[0], "%" PRIu64 " NaN", nan);
}

struct show_ctx {
	struct cli *c;
	struct figure *fig;
	ns_network *net;
	const char *rev;
};

/* Attribute @attr of @o: its distribution, and for a population's local
 * attribute over a 2-D geometry, a heat map. */
static int show_panels(struct show_ctx *x, ns_object *o, const char *attr)
{
	struct figure *fig = x->fig;
	ns_object_info oi;
	ns_attr_info ai;
	double *v;
	uint64_t n;
	struct panel *p;
	int heat;

	ns_object_get_info(&oi, o);
	ns_attr_get_info(&ai, ns_object_attr_find(o, attr));
	heat = oi.kind == NS_POPULATION && oi.ndim == 2 && ai.scope == NS_LOCAL &&
	       ai.count == oi.shape[0] * oi.shape[1] && ai.count > 1 && oi.shape[0] <= 32767 &&
	       oi.shape[1] <= 32767; /* cairo's largest image */
	if (!plot_room(fig, heat ? 2 : 1))
		return CLI_OK;
	if (plot_read_values(x->c, fig, &v, &n, x->net, o, attr) != CLI_OK)
		return CLI_ERROR;
	fig->attrs++;
	p = plot_panel_add(fig);
	p->integer = cli_integer(ai.dtype);
	snprintf(p->title, sizeof p->title, "%s/%s in version %s", oi.name, attr, x->rev);
	plot_axis_label(p->xlabel, sizeof p->xlabel, "", attr);
	p->n_series = 1;
	p->v[0] = v;
	p->n[0] = n;
	p->colour[0] = 0;
	snprintf(p->legend[p->n_legend++], sizeof p->legend[0], "%" PRIu64 " value%s (%s %s)", n,
		 n == 1 ? "" : "s", ns_scope_name(ai.scope), ns_dtype_name(ai.dtype));
	summary_legend(p, v, n);
	if (!heat)
		return CLI_OK;
	p = plot_panel_add(fig);
	p->heat = 1;
	snprintf(p->title, sizeof p->title, "%s/%s over the geometry (%" PRIu64 ", %" PRIu64 ")",
		 oi.name, attr, oi.shape[0], oi.shape[1]);
	plot_axis_label(p->xlabel, sizeof p->xlabel, "", attr);
	p->n_series = 1;
	p->v[0] = v;
	p->n[0] = n;
	p->rows = oi.shape[0];
	p->cols = oi.shape[1];
	return CLI_OK;
}

static int show_name(struct show_ctx *x, const char *name)
{
	char obj[256], where[64];
	const char *attr;
	ns_object *o;

	if (plot_split_name(x->c, obj, sizeof obj, &attr, name) != CLI_OK)
		return CLI_ERROR;
	snprintf(where, sizeof where, "version %s", x->rev);
	if (!(o = ns_network_object_find(x->net, obj)))
		return plot_no_object(x->c, x->net, NULL, obj, where);
	if (attr)
		return ns_object_attr_find(o, attr) ? show_panels(x, o, attr)
						    : plot_no_attr(x->c, o, NULL, obj, attr, where);
	for (size_t i = 0; i < ns_object_attr_count(o); i++) {
		ns_attr_info ai;
		ns_attr_get_info(&ai, ns_object_attr_at(o, i));
		if (ai.count > 1 && show_panels(x, o, ai.name) != CLI_OK)
			return CLI_ERROR;
	}
	return CLI_OK;
}

int cli_plot_show(struct cli *c, struct cli_plot *out, const char *path, ns_network *net,
		  const char *rev, char **names, int n_names)
{
	struct figure *fig = calloc(1, sizeof *fig);
	struct show_ctx x = { c, fig, net, rev };
	char title[320];
	int rc = CLI_ERROR;

	if (!fig)
		return cli_fail(c, "out of memory");
	for (int i = 0; i < n_names; i++)
		if (show_name(&x, names[i]) != CLI_OK)
			goto done;
	/* without names: every attribute of more than one value */
	for (size_t i = 0; !n_names && i < ns_network_object_count(net); i++) {
		ns_object *o = ns_network_object_at(net, i);
		for (size_t a = 0; a < ns_object_attr_count(o); a++) {
			ns_attr_info ai;
			ns_attr_get_info(&ai, ns_object_attr_at(o, a));
			if (ai.count > 1 && show_panels(&x, o, ai.name) != CLI_OK)
				goto done;
		}
	}
	if (fig->n == 0) {
		rc = cli_fail(c, "--plot '%s': version %s has no attribute of more than one "
				 "value: name one (OBJ/ATTR) to plot it",
			      path, rev);
		goto done;
	}
	snprintf(title, sizeof title, "nsnap show: version %s, network '%s'", rev,
		 ns_network_name(net));
	if ((rc = plot_figure_write(c, out, fig, path, title)) == CLI_OK)
		plot_warn_left_out(c, fig);
done:
	plot_figure_free(fig);
	free(fig);
	return rc;
}
