/* SPDX-License-Identifier: MIT */
/* nsnap diff --plot: the distributions of what differs in both versions,
 * and of the change. */
#include "plot.h"

#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* b - a of the values the two versions share: the same positions, or for a
 * projection's synapses those with the same (pre, post), which both
 * versions keep sorted by post, then pre (copies matched in order). */
static uint64_t deltas(double *d, const double *a, uint64_t na, const double *b, uint64_t nb,
		       const ns_object *pa, const ns_object *pb, int by_synapse)
{
	const int32_t *pre_a, *post_a, *pre_b, *post_b;
	uint64_t i = 0, j = 0, k = 0;
	if (!by_synapse) {
		for (; na == nb && k < na; k++)
			d[k] = b[k] - a[k];
		return k;
	}
	ns_projection_connectivity(&pre_a, &post_a, pa);
	ns_projection_connectivity(&pre_b, &post_b, pb);
	while (i < na && j < nb) {
		int64_t ka = ((int64_t)post_a[i] << 32) | (uint32_t)pre_a[i];
		int64_t kb = ((int64_t)post_b[j] << 32) | (uint32_t)pre_b[j];
		if (ka == kb)
			d[k++] = b[j++] - a[i++];
		else if (ka < kb)
			i++;
		else
			j++;
	}
	return k;
}

struct diff_ctx {
	struct cli *c;
	struct figure *fig;
	const ns_diff *d;
	ns_network *net[2];
	const char *rev[2];
	double tol;
};

static const ns_diff_attr *diff_attr(const ns_diff *d, const char *obj, const char *attr)
{
	for (size_t i = 0; i < d->n_objects; i++)
		if (d->objects[i].kind != NS_NETWORK_ITSELF && strcmp(d->objects[i].name, obj) == 0)
			for (size_t k = 0; k < d->objects[i].n_attrs; k++)
				if (strcmp(d->objects[i].attrs[k].name, attr) == 0)
					return &d->objects[i].attrs[k];
	return NULL;
}

/* The panels of attribute @attr of object @obj: both distributions, and
 * the distribution of the change. */
static int diff_panels(struct diff_ctx *x, const char *obj, const char *attr)
{
	struct figure *fig = x->fig;
	ns_object *o[2];
	ns_attr_info info[2];
	double *v[2] = { NULL, NULL }, *dv = NULL;
	uint64_t n[2] = { 0, 0 }, nd;
	const ns_diff_attr *da = diff_attr(x->d, obj, attr);
	struct panel *p;
	char s[3][32];
	int both, integer = 1;

	if (!plot_room(fig, 2))
		return CLI_OK;
	for (int k = 0; k < 2; k++) {
		o[k] = ns_network_object_find(x->net[k], obj);
		if (o[k] && ns_object_attr_find(o[k], attr)) {
			ns_attr_get_info(&info[k], ns_object_attr_find(o[k], attr));
			integer &= cli_integer(info[k].dtype);
			if (plot_read_values(x->c, fig, &v[k], &n[k], x->net[k], o[k], attr) != CLI_OK)
				return CLI_ERROR;
		}
	}
	both = v[0] && v[1];
	fig->attrs++;
	p = plot_panel_add(fig);
	p->integer = integer;
	snprintf(p->title, sizeof p->title, "%s/%s in version %s and %s", obj, attr, x->rev[0],
		 x->rev[1]);
	plot_axis_label(p->xlabel, sizeof p->xlabel, "", attr);
	for (int k = 0; k < 2; k++)
		if (v[k]) {
			size_t i = p->n_series++;
			p->v[i] = v[k];
			p->n[i] = n[k];
			p->colour[i] = (size_t)k;
			snprintf(p->legend[p->n_legend++], sizeof p->legend[0],
				 "version %s: %" PRIu64 " value%s", x->rev[k], n[k],
				 n[k] == 1 ? "" : "s");
		}
	nd = 0;
	if (both && !(da && da->compared == 0 && (n[0] || n[1]))) {
		if (!(dv = malloc((n[0] ? n[0] : 1) * sizeof *dv)))
			return cli_fail(x->c, "out of memory");
		fig->owned[fig->n_owned++] = dv;
		nd = deltas(dv, v[0], n[0], v[1], n[1], o[0], o[1],
			    info[0].scope == NS_LOCAL && ns_projection_synapses(o[0]) > 0 &&
				    ns_projection_synapses(o[1]) > 0);
	}
	if (nd == 0 && (n[0] || n[1])) {
		/* nothing compared: the row says why there is no change to draw */
		p = plot_panel_add(fig);
		p->note = 1;
		snprintf(p->title, sizeof p->title, "%s/%s: change", obj, attr);
		if (!both)
			snprintf(p->legend[0], sizeof p->legend[0], "only in version %s",
				 x->rev[v[1] != NULL]);
		else
			snprintf(p->legend[0], sizeof p->legend[0],
				 "not compared: %" PRIu64 " -> %" PRIu64 " values", n[0], n[1]);
		return CLI_OK;
	}

	p = plot_panel_add(fig);
	p->integer = integer;
	snprintf(p->title, sizeof p->title, "%s/%s: change, version %s - version %s", obj, attr,
		 x->rev[1], x->rev[0]);
	plot_axis_label(p->xlabel, sizeof p->xlabel, "\xce\x94", attr); /* "Δ" */
	p->n_series = 1;
	p->v[0] = dv;
	p->n[0] = nd;
	p->colour[0] = 2;
	snprintf(p->legend[p->n_legend++], sizeof p->legend[0],
		 "\xce\x94 = b - a: %" PRIu64 " value%s", nd, nd == 1 ? "" : "s");
	/* the diff's own statistics (none for an object --only left out) */
	if (da && da->compared) {
		if (da->integer)
			snprintf(s[0], sizeof s[0], "%" PRIu64, da->max_abs_u64);
		else
			snprintf(s[0], sizeof s[0], "%.4g", da->max_abs);
		snprintf(s[1], sizeof s[1], "%+.4g", da->mean);
		snprintf(s[2], sizeof s[2], "%.4g", da->rms);
		if (x->tol > 0)
			snprintf(p->legend[p->n_legend++], sizeof p->legend[0],
				 "changed by more than %s: %" PRIu64 " of %" PRIu64,
				 cli_summary(s[0], x->tol), da->changed, da->compared);
		else
			snprintf(p->legend[p->n_legend++], sizeof p->legend[0],
				 "changed: %" PRIu64 " of %" PRIu64, da->changed, da->compared);
		snprintf(p->legend[p->n_legend++], sizeof p->legend[0], "max |\xce\x94| %s", s[0]);
		snprintf(p->legend[p->n_legend++], sizeof p->legend[0], "mean \xce\x94 %s", s[1]);
		snprintf(p->legend[p->n_legend++], sizeof p->legend[0], "RMS \xce\x94 %s", s[2]);
	}
	return CLI_OK;
}

/* The attributes named @name ("OBJ" or "OBJ/ATTR") in either version. */
static int diff_name(struct diff_ctx *x, const char *name)
{
	char obj[256], where[96];
	const char *attr;
	ns_object *o[2];

	if (plot_split_name(x->c, obj, sizeof obj, &attr, name) != CLI_OK)
		return CLI_ERROR;
	snprintf(where, sizeof where, "version %s or %s", x->rev[0], x->rev[1]);
	o[0] = ns_network_object_find(x->net[0], obj);
	o[1] = ns_network_object_find(x->net[1], obj);
	if (!o[0] && !o[1])
		return plot_no_object(x->c, x->net[0], x->net[1], obj, where);
	if (attr) {
		if (!(o[0] && ns_object_attr_find(o[0], attr)) &&
		    !(o[1] && ns_object_attr_find(o[1], attr)))
			return plot_no_attr(x->c, o[0], o[1], obj, attr, where);
		return diff_panels(x, obj, attr);
	}
	/* every attribute of the object with more than one value, a's then b's new ones */
	for (int k = 0; k < 2; k++)
		for (size_t i = 0; o[k] && i < ns_object_attr_count(o[k]); i++) {
			ns_attr_info ai;
			ns_attr_get_info(&ai, ns_object_attr_at(o[k], i));
			if (ai.count < 2 || (k == 1 && o[0] && ns_object_attr_find(o[0], ai.name)))
				continue;
			if (diff_panels(x, obj, ai.name) != CLI_OK)
				return CLI_ERROR;
		}
	return CLI_OK;
}

int cli_plot_diff(struct cli *c, struct cli_plot *out, const char *path, const ns_diff *d,
		  double tol, const char *ra, const char *rb, char **names, int n_names)
{
	struct figure *fig = calloc(1, sizeof *fig);
	struct diff_ctx x = { c, fig, d, { NULL, NULL }, { ra, rb }, tol };
	char title[256];
	int rc = CLI_ERROR;

	if (!fig)
		return cli_fail(c, "out of memory");
	if (ns_network_open(&x.net[0], c->store, ra) < 0 ||
	    ns_network_open(&x.net[1], c->store, rb) < 0) {
		rc = cli_fail_ns(c);
		goto done;
	}
	for (int i = 0; i < n_names; i++)
		if (diff_name(&x, names[i]) != CLI_OK)
			goto done;
	/* without names: the attributes of more than one value that changed,
	 * the projections' first (learning changes weights) */
	for (size_t i = 0; !n_names && i < 2 * d->n_objects; i++) {
		const ns_diff_object *o = &d->objects[i % d->n_objects];
		if (o->kind == NS_NETWORK_ITSELF || o->change == NS_ADDED || o->change == NS_REMOVED ||
		    (o->kind == NS_PROJECTION) != (i < d->n_objects))
			continue;
		for (size_t k = 0; k < o->n_attrs; k++)
			if (o->attrs[k].change == NS_CHANGED &&
			    (o->attrs[k].count_a > 1 || o->attrs[k].count_b > 1) &&
			    diff_panels(&x, o->name, o->attrs[k].name) != CLI_OK)
				goto done;
	}
	if (fig->n == 0) {
		rc = cli_fail(c, "--plot '%s': no attribute of more than one value differs "
				 "between version %s and %s: name one (OBJ/ATTR) to plot it",
			      path, ra, rb);
		goto done;
	}
	snprintf(title, sizeof title, "nsnap diff: version %s -> version %s", ra, rb);
	if ((rc = plot_figure_write(c, out, fig, path, title)) == CLI_OK)
		plot_warn_left_out(c, fig);
done:
	ns_network_free(x.net[0]);
	ns_network_free(x.net[1]);
	plot_figure_free(fig);
	free(fig);
	return rc;
}

