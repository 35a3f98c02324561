/* SPDX-License-Identifier: MIT */
/* NEST's store/restore experiment (reference notebook
 * nest-store-restore-example.ipynb) on nsnap, and an exact resume.
 *
 * A balanced E-I network with STDP is simulated for 1 s and snapshotted,
 * then continued for 1 s. The snapshot is then reloaded as NEST's example
 * reloads its pickle (V_m, connections and weights into a freshly built
 * network) and simulated three times: twice with the same seed, once with
 * another. Finally the whole state (time, refractory counters, STDP traces,
 * spikes in transit, the drive's random streams) is restored into a fresh
 * network, which then repeats the continuation spike for spike.
 *
 *   nest_experiment [--n-exc N] [--time MS] [--seed N] [--other-seed N]
 *                   [--out DIR] [--check]
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <nsnap/diff.h>
#include <nsnap/nsnap.h>

#include "plot.h"
#include "sim.h"
#include "state.h"

#ifndef NEST_EXPERIMENT_PLUGIN_DIR
#define NEST_EXPERIMENT_PLUGIN_DIR NULL
#endif

#define N_SHOW 100 /* neurons in the raster plots, as in the notebook */

enum { R_INITIAL, R_CONTINUED, R_RELOAD, R_RELOAD_SAME, R_RELOAD_OTHER, R_RESUME, N_RUNS };

static const char *const run_title[N_RUNS] = {
	"Initial simulation",
	"Continued simulation",
	"Reloaded the NEST way",
	"Reloaded the NEST way (same seed)",
	"Reloaded the NEST way (different seed)",
	"Exact resume with nsnap",
};

typedef struct run {
	int64_t start;        /* the step the run started at */
	sim_spike *spk;
	size_t n;
	uint64_t n_exc, n_inh;
	uint64_t hist[PLOT_BINS];
	double ms;            /* wall time */
} run;

typedef struct options {
	uint32_t n_exc;
	double time_ms;
	uint64_t seed, other_seed;
	const char *out;
	int check;
} options;

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int usage(FILE *f, int rc)
{
	fprintf(f,
		"usage: nest_experiment [--n-exc N] [--time MS] [--seed N] [--other-seed N]\n"
		"                       [--out DIR] [--check]\n"
		"  --n-exc N        excitatory neurons (2000; inhibitory: N/4)\n"
		"  --time MS        length of each run (1000)\n"
		"  --seed N         the network's seed (143202461, NEST's default)\n"
		"  --other-seed N   the different seed of the last reload (987654321)\n"
		"  --out DIR        where the store, the figure and the exports go (.)\n"
		"  --check          exit 3 unless the reloads and the resume behave as expected\n");
	return rc;
}

static int parse_number(double *out, const char *s, const char *opt)
{
	char *end;
	errno = 0;
	*out = strtod(s, &end);
	if (errno || end == s || *end || !(*out > 0)) {
		fprintf(stderr, "nest_experiment: %s wants a positive number, not '%s'\n", opt, s);
		return -1;
	}
	return 0;
}

static int parse_options(options *o, int argc, char **argv)
{
	*o = (options){ 2000, 1000.0, 143202461, 987654321, ".", 0 };
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		double x;
		if (!strcmp(a, "--check")) {
			o->check = 1;
			continue;
		}
		if (!strcmp(a, "--help") || !strcmp(a, "-h"))
			exit(usage(stdout, 0));
		if (!v)
			return usage(stderr, -1);
		i++;
		if (!strcmp(a, "--out")) {
			o->out = v;
			continue;
		}
		if (parse_number(&x, v, a))
			return -1;
		if (!strcmp(a, "--n-exc")) {
			if (x < 4 || x > 1e7) {
				fprintf(stderr, "nest_experiment: --n-exc wants 4 to 10^7\n");
				return -1;
			}
			o->n_exc = (uint32_t)x;
		} else if (!strcmp(a, "--time"))
			o->time_ms = x;
		else if (!strcmp(a, "--seed"))
			o->seed = (uint64_t)x;
		else if (!strcmp(a, "--other-seed"))
			o->other_seed = (uint64_t)x;
		else
			return usage(stderr, -1);
	}
	return 0;
}

/* Keep the spikes and the excitatory weight histogram of the run just done. */
static int collect(run *r, const sim *s, int64_t start, double ms)
{
	r->start = start;
	r->ms = ms;
	r->n = s->n_spikes;
	r->spk = malloc((r->n ? r->n : 1) * sizeof *r->spk);
	if (!r->spk) {
		fprintf(stderr, "nest_experiment: out of memory\n");
		return -1;
	}
	memcpy(r->spk, s->spikes, r->n * sizeof *r->spk);
	for (size_t k = 0; k < r->n; k++) {
		if (r->spk[k].neuron < s->p.n_exc)
			r->n_exc++;
		else
			r->n_inh++;
	}
	for (int q = SIM_EE; q <= SIM_EI; q++)
		for (uint64_t k = 0; k < s->proj[q].n; k++) {
			double b = (s->proj[q].w[k] - PLOT_W_LO) / (PLOT_W_HI - PLOT_W_LO) * PLOT_BINS;
			if (b >= 0 && b < PLOT_BINS)
				r->hist[(int)b]++;
		}
	return 0;
}

/* The same spikes at the same times since each run's start. */
static int same_train(const run *a, const run *b)
{
	return sim_same_train(a->spk, a->n, a->start, b->spk, b->n, b->start);
}

static void remove_store(const char *path)
{
	char lock[4300];
	snprintf(lock, sizeof lock, "%s-lock", path);
	unlink(path);
	unlink(lock);
}

static int snapshot(uint64_t *number, double *ms, ns_store *store, ns_network *net,
		    const sim *s, const char *message, const char *tag, const char *branch)
{
	ns_snapshot_opts so = NS_SNAPSHOT_OPTS_INIT;
	double t0 = now_ms();
	so.message = message;
	so.tag = tag;
	so.branch = branch;
	state_set_time(net, s);
	if (ns_snapshot(number, store, net, &so))
		return fail_ns("snapshot");
	*ms = now_ms() - t0;
	return 0;
}

/* ------------------------------------------------------------ reports */

static void print_runs(const run *runs, const sim_params *p, double t_s)
{
	printf("  %-40s %11s %8s %7s %7s  %-11s %-11s %7s\n", "run", "time [ms]", "spikes",
	       "E [Hz]", "I [Hz]", "= continued", "= reloaded", "wall");
	for (int k = 0; k < N_RUNS; k++) {
		const run *r = &runs[k];
		char span[32];
		const char *vs_c = "-", *vs_r = "-";
		snprintf(span, sizeof span, "%.0f-%.0f", r->start * p->dt, r->start * p->dt + t_s * 1e3);
		if (k != R_INITIAL && k != R_CONTINUED)
			vs_c = same_train(r, &runs[R_CONTINUED]) ? "yes" : "no";
		if (k != R_INITIAL && k != R_RELOAD)
			vs_r = same_train(r, &runs[R_RELOAD]) ? "yes" : "no";
		printf("  %d %-38s %11s %8zu %7.2f %7.2f  %-11s %-11s %5.0f ms\n", k + 1, run_title[k],
		       span, r->n, r->n_exc / (p->n_exc * t_s), r->n_inh / (p->n_inh * t_s), vs_c,
		       vs_r, r->ms);
	}
}

static int print_version(const ns_version_info *v, void *ctx)
{
	const double *snap_ms = ctx;
	printf("    version %" PRIu64 ": %-44s %8.2f MB logical, %8.2f MB new, snapshot %4.0f ms\n",
	       v->number, v->message, v->logical_bytes / 1e6, v->new_bytes / 1e6,
	       v->number <= 3 ? snap_ms[v->number - 1] : 0.0);
	return 0;
}

static int print_store(ns_store *store, const double snap_ms[3])
{
	ns_store_stats st;
	if (ns_store_stats_get(&st, store))
		return fail_ns("store statistics");
	printf("  store %s: %" PRIu64 " versions, file %.2f MB\n", ns_store_path(store),
	       st.versions, st.file_bytes / 1e6);
	if (ns_store_foreach_version(store, print_version, (void *)snap_ms))
		return fail_ns("listing the versions");
	printf("    %.2f MB logical in all, %.2f MB stored in %" PRIu64 " chunks: "
	       "deduplication %.2fx\n", st.logical_bytes / 1e6, st.stored_bytes / 1e6, st.chunks,
	       st.stored_bytes ? (double)st.logical_bytes / st.stored_bytes : 0.0);
	return 0;
}

/* nsnap diff of the excitatory weights, and of the two ends of the
 * continuation and the resume. */
static int print_diffs(ns_store *store)
{
	static const char *const plastic[] = { "EE", "EI", NULL };
	ns_diff_opts o = NS_DIFF_OPTS_INIT;
	ns_diff *d = NULL;
	size_t unread = 0, attrs = 0;

	o.select.only = plastic;
	if (ns_diff_versions(&d, store, "stored", "continued", &o))
		return fail_ns("diff stored continued");
	printf("  nsnap diff stored continued: the weights learnt in the continuation (b - a)\n");
	for (size_t i = 0; i < d->n_objects; i++)
		for (size_t k = 0; k < d->objects[i].n_attrs; k++) {
			const ns_diff_attr *a = &d->objects[i].attrs[k];
			if (strcmp(a->name, "weight"))
				continue;
			printf("    %-3s %" PRIu64 " synapses: %" PRIu64 " changed, max |dw| %.4f mV, "
			       "mean dw %+.5f mV, RMS dw %.4f mV\n", d->objects[i].name, a->compared,
			       a->changed, a->max_abs, a->mean, a->rms);
		}
	ns_diff_free(d);

	o = (ns_diff_opts)NS_DIFF_OPTS_INIT;
	if (ns_diff_versions(&d, store, "continued", "resumed", &o))
		return fail_ns("diff continued resumed");
	for (size_t i = 0; i < d->n_objects; i++)
		for (size_t k = 0; k < d->objects[i].n_attrs; k++, attrs++)
			unread += d->objects[i].attrs[k].unread != 0;
	printf("  nsnap diff continued resumed: %s; %zu of %zu attributes known equal from their "
	       "chunk hashes, %.2f MB read\n", d->equal ? "equal" : "DIFFERENT", unread, attrs,
	       d->bytes_read / 1e6);
	ns_diff_free(d);
	return 0;
}

/* Export the stored version next to the store; returns the failures. */
static int export_all(ns_store *store, const char *out)
{
	/* By name, except .mat: without the mat plugin, nsnap would take the
	 * name for a pickle's, as ANNarchy takes any name it does not know. */
	static const char *const ext[] = { ".data", ".data.gz", ".mat" };
	static const char *const format[] = { NULL, NULL, "mat" };
	const char *dirs[] = { NEST_EXPERIMENT_PLUGIN_DIR, NULL };
	ns_plugins *plugins = NULL;
	int failed = 0;

	if (ns_plugins_new(&plugins, dirs, 0)) {
		fail_ns("loading the format plugins");
		return 3;
	}
	for (size_t i = 0; i < sizeof ext / sizeof *ext; i++) {
		char path[4200], what[4300];
		ns_export_opts eo = NS_EXPORT_OPTS_INIT;
		struct stat sb;
		double t0 = now_ms();
		eo.overwrite = 1;
		eo.format = format[i];
		snprintf(path, sizeof path, "%s/nest_experiment_stored%s", out, ext[i]);
		if (ns_export(plugins, store, "stored", path, &eo)) {
			snprintf(what, sizeof what, "export %s", path);
			fail_ns(what);
			failed++;
			continue;
		}
		printf("  export %-44s %8.2f MB in %5.0f ms\n", path,
		       stat(path, &sb) ? 0.0 : sb.st_size / 1e6, now_ms() - t0);
	}
	ns_plugins_free(plugins);
	return failed;
}

static int draw(const run *runs, const sim_params *p, double t_s, const char *path)
{
	plot_run pr[N_RUNS];
	double *t[N_RUNS] = { NULL };
	uint32_t *id[N_RUNS] = { NULL };
	int rc = -1;

	for (int k = 0; k < N_RUNS; k++) {
		const run *r = &runs[k];
		size_t n = 0;
		t[k] = malloc((r->n ? r->n : 1) * sizeof *t[k]);
		id[k] = malloc((r->n ? r->n : 1) * sizeof *id[k]);
		if (!t[k] || !id[k]) {
			fprintf(stderr, "nest_experiment: out of memory\n");
			goto done;
		}
		for (size_t i = 0; i < r->n; i++)
			if (r->spk[i].neuron < N_SHOW) {
				t[k][n] = r->spk[i].stamp * p->dt;
				id[k][n++] = r->spk[i].neuron;
			}
		pr[k] = (plot_run){ run_title[k], r->start * p->dt, r->start * p->dt + t_s * 1e3,
				    t[k], id[k], n, r->hist, k >= R_RELOAD && k != R_RESUME };
	}
	static const char *const caption[] = {
		"Left: simulate, snapshot with nsnap, continue (orange); then restore the whole",
		"state into a new network (time, refractory counters, STDP traces, spikes in",
		"transit, random streams): it continues exactly as the continuation (brown over",
		"orange). Right: the snapshot reloaded as NEST's example reloads it (V_m,",
		"connections, weights) into a new network from t = 0; the same seed twice gives",
		"the same spikes (red over green), another seed others. Rasters: neurons 0-99.",
		NULL,
	};
	rc = plot_figure(path, "Storing and reloading a network simulation: NEST's way and nsnap's",
			 pr, N_RUNS, N_SHOW < p->n_exc ? N_SHOW : p->n_exc, caption);
done:
	for (int k = 0; k < N_RUNS; k++) {
		free(t[k]);
		free(id[k]);
	}
	return rc;
}

/* ------------------------------------------------------------ the experiment */

int main(int argc, char **argv)
{
	options o;
	sim_params p;
	sim *a = NULL, *b = NULL;
	ns_network *net_a = NULL, *net_b = NULL;
	ns_store *store = NULL;
	ns_store_opts sto = NS_STORE_OPTS_INIT;
	ns_restore_report *report = NULL;
	run runs[N_RUNS];
	char store_path[4200], png_path[4200];
	double snap_ms[3] = { 0, 0, 0 }, t0, restore_ms, nest_ms = 0, t_s;
	int64_t steps;
	int rc = 1, failed_exports = 0;

	memset(runs, 0, sizeof runs);
	if (parse_options(&o, argc, argv))
		return 2;
	sim_params_default(&p, o.n_exc);
	steps = llround(o.time_ms / p.dt);
	t_s = steps * p.dt * 1e-3;
	snprintf(store_path, sizeof store_path, "%s/nest_experiment.nsnap", o.out);
	snprintf(png_path, sizeof png_path, "%s/nest_experiment.png", o.out);
	/* Each run starts a new store: the versions below are this run's. */
	remove_store(store_path);
	sto.flags = NS_STORE_CREATE;
	if (ns_store_open(&store, store_path, &sto)) {
		fail_ns("opening the store");
		goto done;
	}

	/* 1. Build from the seed, simulate, snapshot: the bound arrays are read
	 *    where they are. */
	if (sim_new(&a, &p, o.seed) || state_bind(&net_a, a))
		goto done;
	printf("NEST's store/restore experiment on nsnap: %u E + %u I neurons, %" PRIu64
	       " synapses, seed %" PRIu64 ", runs of %.0f ms\n\n", p.n_exc, p.n_inh,
	       a->proj[0].n + a->proj[1].n + a->proj[2].n + a->proj[3].n, o.seed, t_s * 1e3);
	t0 = now_ms();
	if (sim_run(a, steps) || collect(&runs[R_INITIAL], a, 0, now_ms() - t0))
		goto done;
	char msg[128];
	snprintf(msg, sizeof msg, "after %.0f ms", t_s * 1e3);
	if (snapshot(NULL, &snap_ms[0], store, net_a, a, msg, "stored", NULL))
		goto done;

	/* 2. Continue. */
	int64_t start = a->step;
	sim_clear_spikes(a);
	t0 = now_ms();
	if (sim_run(a, steps) || collect(&runs[R_CONTINUED], a, start, now_ms() - t0))
		goto done;
	snprintf(msg, sizeof msg, "continued to %.0f ms", 2 * t_s * 1e3);
	if (snapshot(NULL, &snap_ms[1], store, net_a, a, msg, "continued", NULL))
		goto done;

	/* 3-5. Reload the NEST way: V_m, connections, weights into a new
	 *      network at time 0; twice with the same seed, once another. */
	for (int k = R_RELOAD; k <= R_RELOAD_OTHER; k++) {
		t0 = now_ms();
		if (state_load_nest_way(&b, store, "stored", &p,
					k == R_RELOAD_OTHER ? o.other_seed : o.seed))
			goto done;
		nest_ms = now_ms() - t0;
		t0 = now_ms();
		if (sim_run(b, steps) || collect(&runs[k], b, 0, now_ms() - t0))
			goto done;
		sim_free(b);
		b = NULL;
	}

	/* 6. Exact resume: a new network from the seed, into which the whole
	 *    state is restored (checked first, then written), continued. */
	ns_restore_opts ro = NS_RESTORE_OPTS_INIT;
	ro.strict = 1;
	if (sim_new(&b, &p, o.seed) || state_bind(&net_b, b))
		goto done;
	t0 = now_ms();
	if (ns_restore(&report, store, "stored", net_b, &ro)) {
		fail_ns("restoring the stored version");
		goto done;
	}
	restore_ms = now_ms() - t0;
	if (state_after_restore(b, net_b))
		goto done;
	start = b->step;
	t0 = now_ms();
	if (sim_run(b, steps) || collect(&runs[R_RESUME], b, start, now_ms() - t0))
		goto done;
	if (ns_branch_create(store, "resumed", "stored", 0)) {
		fail_ns("branch 'resumed'");
		goto done;
	}
	snprintf(msg, sizeof msg, "resumed exactly, to %.0f ms", 2 * t_s * 1e3);
	if (snapshot(NULL, &snap_ms[2], store, net_b, b, msg, NULL, "resumed"))
		goto done;

	print_runs(runs, &p, t_s);
	int eq_same = same_train(&runs[R_RELOAD], &runs[R_RELOAD_SAME]);
	int ne_other = !same_train(&runs[R_RELOAD], &runs[R_RELOAD_OTHER]);
	int ne_nest = !same_train(&runs[R_RELOAD], &runs[R_CONTINUED]);
	int eq_resume = same_train(&runs[R_RESUME], &runs[R_CONTINUED]);
	printf("\n  the two same-seed reloads are identical, spike for spike:    %s\n"
	       "  the reload with a different seed differs from them:          %s\n"
	       "  the NEST-way reload differs from the continuation:           %s\n"
	       "  the exact resume equals the continuation, spike for spike:   %s\n\n",
	       eq_same ? "yes" : "NO", ne_other ? "yes" : "NO", ne_nest ? "yes" : "NO",
	       eq_resume ? "yes" : "NO");
	printf("  NEST's way restores V_m, connections and weights (a rebuild in %.0f ms);\n"
	       "  nsnap restored %zu attributes and the time in %.0f ms, after checking them all.\n\n",
	       nest_ms, report->restored, restore_ms);

	if (print_store(store, snap_ms))
		goto done;
	failed_exports = export_all(store, o.out);
	if (print_diffs(store))
		goto done;
	if (draw(runs, &p, t_s, png_path))
		goto done;
	printf("\n  store:   %s (tag stored: %.0f ms; tag continued; branch resumed)\n"
	       "  figure:  %s\n  exports: of 'stored', listed above\n", store_path, t_s * 1e3,
	       png_path);
	if (failed_exports) {
		fprintf(stderr, "nest_experiment: %d export(s) failed\n", failed_exports);
		goto done;
	}
	rc = 0;
	if (o.check && !(eq_same && ne_other && ne_nest && eq_resume)) {
		fprintf(stderr, "nest_experiment: check failed: the runs do not behave as expected\n");
		rc = 3;
	}
done:
	ns_restore_report_free(report);
	ns_network_free(net_a);
	ns_network_free(net_b);
	sim_free(a);
	sim_free(b);
	ns_store_close(store);
	for (int k = 0; k < N_RUNS; k++)
		free(runs[k].spk);
	return rc;
}
