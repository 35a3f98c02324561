/* SPDX-License-Identifier: MIT */
/* A short tour of the store: what a simulator's checkpoints look like in
 * nsnap. Creates (or reopens) a store file, commits two checkpoints of a
 * small network's arrays, tags one, and shows what each version costs,
 * how it reads back and what verify says.
 *
 *   store_demo [STORE]      (default: ./demo.nsnap)
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <nsnap/nsnap.h>

#define N_NEURONS 10000
#define N_SYNAPSES 1000000
#define MIB (1024.0 * 1024.0) /* sizes in binary units, as the nsnap command prints them */

static int fail(const char *what)
{
	fprintf(stderr, "store_demo: %s: %s\n", what, ns_error_last()->message);
	return 1;
}

static int print_version(const ns_version_info *v, void *ctx)
{
	char when[32];
	time_t t = (time_t)(v->time_ns / 1000000000);
	(void)ctx;
	strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S", gmtime(&t));
	printf("  version %-3llu %s UTC  %-34s %8.2f MiB logical, %8.2f MiB new\n",
	       (unsigned long long)v->number, when, v->message, v->logical_bytes / MIB,
	       v->new_bytes / MIB);
	return 0;
}

static int print_ref(const ns_ref *r, void *ctx)
{
	(void)ctx;
	printf("  %-6s %-10s -> version %llu%s\n", r->kind == NS_REF_TAG ? "tag" : "branch",
	       r->name, (unsigned long long)r->version, r->is_head ? "  (HEAD)" : "");
	return 0;
}

/* Commit the network's arrays as one version. */
static int checkpoint(ns_store *s, const double *v, const int32_t *pre, const int32_t *post,
		      const double *w, double t_ms, const char *message, const char *tag)
{
	ns_commit *c = NULL;
	ns_commit_opts o = NS_COMMIT_OPTS_INIT;
	char t[32];
	o.message = message;
	o.tag = tag;
	snprintf(t, sizeof t, "%.1f", t_ms);
	if (ns_commit_new(&c, s) || ns_commit_add(c, "pop/E/v", NS_DTYPE_F64, v, N_NEURONS) ||
	    ns_commit_add(c, "proj/EE/pre", NS_DTYPE_I32, pre, N_SYNAPSES) ||
	    ns_commit_add(c, "proj/EE/post", NS_DTYPE_I32, post, N_SYNAPSES) ||
	    ns_commit_add(c, "proj/EE/w", NS_DTYPE_F64, w, N_SYNAPSES) ||
	    ns_commit_set_meta(c, "t_ms", t)) {
		ns_commit_free(c);
		return -1;
	}
	return ns_commit_finish(NULL, c, &o);
}

int main(int argc, char **argv)
{
	const char *path = argc > 1 ? argv[1] : "demo.nsnap";
	ns_store_opts so = NS_STORE_OPTS_INIT;
	ns_store *s = NULL;
	ns_version *ver = NULL;
	ns_store_stats st;
	ns_array_info info;
	ns_view view;
	uint64_t wi, problems = 0;
	double *v = malloc(N_NEURONS * sizeof *v), *w = malloc(N_SYNAPSES * sizeof *w);
	int32_t *pre = malloc(N_SYNAPSES * sizeof *pre), *post = malloc(N_SYNAPSES * sizeof *post);
	int rc = 1;

	if (!v || !w || !pre || !post)
		return fail("out of memory");
	srand(1);
	for (int i = 0; i < N_NEURONS; i++)
		v[i] = -65.0 + 5.0 * (rand() / (double)RAND_MAX - 0.5);
	for (int i = 0; i < N_SYNAPSES; i++) {
		post[i] = i / (N_SYNAPSES / N_NEURONS);
		pre[i] = rand() % N_NEURONS;
		w[i] = 1.0;
	}

	so.flags = NS_STORE_CREATE;
	if (ns_store_open(&s, path, &so))
		return fail("open");
	printf("store %s: %d neurons, %d synapses (%.1f MiB of arrays per checkpoint)\n\n", path,
	       N_NEURONS, N_SYNAPSES,
	       (N_NEURONS * 8.0 + N_SYNAPSES * (4.0 + 4.0 + 8.0)) / MIB);

	/* Two checkpoints: learning changed the weights and the voltages, the
	 * connectivity stayed, so the second costs only the changed arrays. */
	if (checkpoint(s, v, pre, post, w, 1000.0, "after 1 s of warm-up", NULL))
		goto out;
	for (int i = 0; i < N_SYNAPSES; i++)
		w[i] += 0.01 * sin(i);
	for (int i = 0; i < N_NEURONS; i++)
		v[i] += 1.0;
	if (checkpoint(s, v, pre, post, w, 2000.0, "after 1 s of STDP", NULL))
		goto out;
	if (ns_tag_create(s, "warm", "HEAD~1") && ns_error_last()->code != NS_EEXISTS)
		goto out;

	printf("versions (newest first):\n");
	if (ns_store_foreach_version(s, print_version, NULL))
		goto out;
	printf("\nrefs:\n");
	if (ns_ref_foreach(s, print_ref, NULL))
		goto out;

	if (ns_store_stats_get(&st, s))
		goto out;
	printf("\nstore: %llu versions, %.2f MiB logical, %.2f MiB stored in %llu chunks "
	       "(deduplication %.2fx), file %.2f MiB\n",
	       (unsigned long long)st.versions, st.logical_bytes / MIB, st.stored_bytes / MIB,
	       (unsigned long long)st.chunks,
	       st.stored_bytes ? (double)st.logical_bytes / st.stored_bytes : 0.0,
	       st.file_bytes / MIB);

	/* Read the tagged version back: the weights straight from the map. */
	if (ns_version_open(&ver, s, "warm") || ns_version_array_find(&wi, ver, "proj/EE/w") ||
	    ns_version_array_at(&info, ver, wi) ||
	    ns_version_view(&view, ver, wi, 0, NS_READ_VERIFY))
		goto out;
	printf("\nversion 'warm', array %s: %llu x %s in %llu chunks; chunk 0 viewed in place "
	       "(%zu bytes, no copy): w[0] = %.3f\n", info.name, (unsigned long long)info.count,
	       ns_dtype_name(info.dtype), (unsigned long long)info.n_chunks, view.size,
	       ((const double *)view.data)[0]);
	ns_version_close(ver);
	ver = NULL;

	if (ns_store_verify(s, NULL, NULL, &problems))
		goto out;
	printf("verify: every chunk of every version is intact (%llu problems)\n",
	       (unsigned long long)problems);
	rc = 0;
out:
	if (rc)
		fail("demo");
	ns_version_close(ver);
	ns_store_close(s);
	free(v);
	free(w);
	free(pre);
	free(post);
	return rc;
}
