/* SPDX-License-Identifier: MIT */
/* Snapshots in the background: ns_snapshot_async() captures the state at
 * the call, copies only the chunks that changed, reports the commit's
 * errors at ns_snapshot_wait(), runs one at a time per store, and a crash
 * while it commits leaves the store as it was. */
#include "util.h"

#include <nsnap/diff.h>
#include <nsnap/network.h>
#include <nsnap/snapshot.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define CHUNK 4096
#define NP 100000 /* neurons of P: 800,000 bytes of v, 196 chunks */
#define NS 60000  /* synapses of Q (P -> P), not in the store's order */

/* A network bound to arrays of its own: P.v (f64), Q's connectivity and
 * Q.w (f32). */
struct net {
	ns_network *net;
	double *v;
	int32_t *pre, *post;
	float *w;
};

static uint64_t mix(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	return x;
}

static void fill_values(struct net *n, uint64_t seed, int weights)
{
	for (size_t i = 0; i < NP; i++)
		n->v[i] = (double)(mix(seed * NP + i) % 100000) / 1000.0 - 70.0;
	for (size_t i = 0; weights && i < NS; i++)
		n->w[i] = (float)(mix(seed * NS + i + 7) % 1000) / 1000.0f;
}

static struct net net_new(void)
{
	struct net n = { NULL, calloc(NP, sizeof(double)), calloc(NS, sizeof(int32_t)),
			 calloc(NS, sizeof(int32_t)), calloc(NS, sizeof(float)) };
	ns_object *p = NULL, *q = NULL;
	cr_assert(n.v && n.pre && n.post && n.w);
	for (size_t i = 0; i < NS; i++) {
		n.pre[i] = (int32_t)(mix(i) % NP);
		n.post[i] = (int32_t)(mix(i + NS) % NP);
	}
	fill_values(&n, 1, 1);
	NT_OK(ns_network_new(&n.net, "async"));
	NT_OK(ns_population_add(&p, n.net, "P", NP, NULL, 0, "iaf"));
	NT_OK(ns_attr_add(NULL, p, "v", NS_VARIABLE, NS_LOCAL, NS_DTYPE_F64, n.v, 0));
	NT_OK(ns_projection_add(&q, n.net, "Q", "P", "P", "exc", "stdp"));
	NT_OK(ns_projection_set_synapses(q, n.pre, n.post, NS, 0));
	NT_OK(ns_attr_add(NULL, q, "w", NS_VARIABLE, NS_LOCAL, NS_DTYPE_F32, n.w, 0));
	return n;
}

static void net_free(struct net *n)
{
	ns_network_free(n->net);
	free(n->v);
	free(n->pre);
	free(n->post);
	free(n->w);
}

/* Overwrite every array of @n, connectivity included. */
static void scribble(struct net *n)
{
	memset(n->v, 0xab, NP * sizeof(double));
	memset(n->w, 0xcd, NS * sizeof(float));
	for (size_t i = 0; i < NS; i++)
		n->pre[i] = n->post[i] = (int32_t)(i % 7);
}

static int same_versions(ns_store *s, const char *a, const char *b)
{
	ns_diff *d = NULL;
	int equal;
	NT_OK(ns_diff_versions(&d, s, a, b, NULL));
	equal = d->equal;
	ns_diff_free(d);
	return equal;
}

static void save(struct net *n, struct net *copy)
{
	memcpy(copy->v, n->v, NP * sizeof(double));
	memcpy(copy->w, n->w, NS * sizeof(float));
	memcpy(copy->pre, n->pre, NS * sizeof(int32_t));
	memcpy(copy->post, n->post, NS * sizeof(int32_t));
}

/* @kept, the state at the call of the background snapshot that made
 * version 2 (version 1 held another), snapshotted synchronously as version
 * 3, is version 2; frees both networks and the store. */
static void assert_version_2_was_the_state_at_the_call(ns_store *s, struct net *n,
							struct net *kept)
{
	save(kept, n);
	NT_OK(ns_snapshot(NULL, s, n->net, NULL));
	cr_assert(same_versions(s, "2", "3"), "the background snapshot is not the state at the "
					      "call");
	cr_assert_not(same_versions(s, "1", "2"));
	net_free(n);
	net_free(kept);
	ns_store_close(s);
}

Test(engine_async, the_version_holds_the_state_at_the_call_and_only_changed_chunks_are_copied)
{
	ns_store *s = nt_store_new("s.nsnap", CHUNK, NS_CODEC_RAW);
	struct net n = net_new(), kept = net_new();
	ns_snapshot_job *job = NULL;
	uint64_t v1 = 0, v2 = 0;

	NT_OK(ns_snapshot(&v1, s, n.net, NULL));
	/* a learning step: every v changes, w and the connectivity do not */
	fill_values(&n, 2, 0);
	save(&n, &kept);
	NT_OK(ns_snapshot_async(&job, s, n.net, NULL));
	scribble(&n);
	cr_assert_eq(ns_snapshot_copied(job), NP * sizeof(double),
		     "copied %llu bytes, not the %zu of v alone",
		     (unsigned long long)ns_snapshot_copied(job), NP * sizeof(double));
	NT_OK(ns_snapshot_wait(&v2, job));
	cr_assert_eq(v2, v1 + 1);
	assert_version_2_was_the_state_at_the_call(s, &n, &kept);
}

Test(engine_async, a_first_snapshot_copies_everything_and_holds_it)
{
	ns_store *s = nt_store_new("s.nsnap", CHUNK, NS_CODEC_RAW);
	struct net n = net_new(), kept = net_new();
	ns_snapshot_job *job = NULL;
	uint64_t v = 0;
	save(&n, &kept);
	NT_OK(ns_snapshot_async(&job, s, n.net, NULL));
	scribble(&n);
	/* v, w, pre and post, gathered into the store's order */
	cr_assert_eq(ns_snapshot_copied(job), NP * 8 + NS * (4 + 4 + 4));
	NT_OK(ns_snapshot_wait(&v, job));
	save(&kept, &n);
	NT_OK(ns_snapshot(NULL, s, n.net, NULL));
	cr_assert(same_versions(s, "1", "2"));
	net_free(&n);
	net_free(&kept);
	ns_store_close(s);
}

Test(engine_async, a_gathered_array_changed_in_two_synapses_copies_their_chunks_alone)
{
	ns_store *s = nt_store_new("s.nsnap", CHUNK, NS_CODEC_RAW);
	struct net n = net_new(), kept = net_new();
	ns_snapshot_job *job = NULL;
	uint64_t copied;

	NT_OK(ns_snapshot(NULL, s, n.net, NULL));
	/* Each chunk of w is gathered into room of its own, given back where
	 * the store has the chunk: the two that changed are kept. */
	n.w[17] += 1.0f;
	n.w[NS - 5] += 1.0f;
	save(&n, &kept);
	NT_OK(ns_snapshot_async(&job, s, n.net, NULL));
	scribble(&n);
	copied = ns_snapshot_copied(job);
	cr_assert(copied > 0 && copied <= 2 * CHUNK, "copied %llu bytes for two synapses",
		  (unsigned long long)copied);
	NT_OK(ns_snapshot_wait(NULL, job));
	assert_version_2_was_the_state_at_the_call(s, &n, &kept);
}

Test(engine_async, snapshots_in_a_row_run_one_at_a_time_each_with_its_own_state)
{
	ns_store *s = nt_store_new("s.nsnap", CHUNK, NS_CODEC_RAW);
	struct net n = net_new(), states[3] = { net_new(), net_new(), net_new() };
	ns_snapshot_job *jobs[3] = { NULL };
	uint64_t v[3] = { 0 };
	char a[8], b[8];
	for (int k = 0; k < 3; k++) {
		fill_values(&n, 10 + (uint64_t)k, 1);
		save(&n, &states[k]);
		/* the second and third wait for the one before, then capture */
		NT_OK(ns_snapshot_async(&jobs[k], s, n.net, NULL));
		scribble(&n);
	}
	for (int k = 0; k < 3; k++) {
		NT_OK(ns_snapshot_wait(&v[k], jobs[k]));
		cr_assert_eq(v[k], (uint64_t)k + 1);
	}
	for (int k = 0; k < 3; k++) {
		save(&states[k], &n);
		NT_OK(ns_snapshot(NULL, s, n.net, NULL));
		snprintf(a, sizeof a, "%d", k + 1);
		snprintf(b, sizeof b, "%d", k + 4);
		cr_assert(same_versions(s, a, b), "version %s is not the state of its call", a);
		net_free(&states[k]);
	}
	net_free(&n);
	ns_store_close(s);
}

Test(engine_async, the_commits_error_comes_from_wait_and_nothing_is_committed)
{
	ns_store *s = nt_store_new("s.nsnap", CHUNK, NS_CODEC_RAW);
	struct net n = net_new();
	ns_snapshot_opts o = NS_SNAPSHOT_OPTS_INIT;
	ns_snapshot_job *job = NULL;
	ns_store_stats st;
	o.tag = "t";
	NT_OK(ns_snapshot(NULL, s, n.net, &o));
	fill_values(&n, 3, 1);
	NT_OK(ns_snapshot_async(&job, s, n.net, &o));
	cr_assert_geq(ns_snapshot_poll(job), 0);
	NT_FAILS(NS_EEXISTS, ns_snapshot_wait(NULL, job));
	NT_MESSAGE_HAS("snapshot in the background");
	NT_MESSAGE_HAS("'t'");
	NT_OK(ns_store_stats_get(&st, s));
	cr_assert_eq(st.versions, 1);
	net_free(&n);
	ns_store_close(s);
}

Test(engine_async, a_network_that_does_not_validate_fails_at_the_call_and_starts_nothing)
{
	ns_store *s = nt_store_new("s.nsnap", CHUNK, NS_CODEC_RAW);
	struct net n = net_new();
	ns_snapshot_job *job = NULL;
	n.pre[5] = NP; /* past the end of P */
	NT_FAILS(NS_EINVAL, ns_snapshot_async(&job, s, n.net, NULL));
	NT_MESSAGE_HAS("synapse 5");
	cr_assert_null(job);
	/* and the store is free for the next one */
	n.pre[5] = 0;
	NT_OK(ns_snapshot_async(&job, s, n.net, NULL));
	NT_OK(ns_snapshot_wait(NULL, job));
	net_free(&n);
	ns_store_close(s);
}

Test(engine_async, a_crash_while_the_background_commit_runs_leaves_the_versions_before_it)
{
	char path[4096];
	ns_store *s = nt_store_new("s.nsnap", CHUNK, NS_CODEC_RAW);
	struct net n = net_new();
	ns_store_stats st;
	uint64_t problems = 0;
	int status = 0;
	pid_t pid;

	NT_OK(ns_snapshot(NULL, s, n.net, NULL));
	snprintf(path, sizeof path, "%s", ns_store_path(s));
	ns_store_close(s);
	pid = fork();
	cr_assert_geq(pid, 0);
	if (pid == 0) {
		/* Many snapshots: the kill lands while one is being committed. */
		ns_snapshot_job *job = NULL;
		if (ns_store_open(&s, path, NULL) < 0)
			_exit(3);
		for (uint64_t k = 0; k < 1000; k++) {
			fill_values(&n, 100 + k, 1);
			if (ns_snapshot_async(&job, s, n.net, NULL) < 0)
				_exit(4);
			if (k == 3)
				raise(SIGKILL);
			if (ns_snapshot_wait(NULL, job) < 0)
				_exit(5);
		}
		_exit(6);
	}
	cr_assert_eq(waitpid(pid, &status, 0), pid);
	cr_assert(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL, "the writer ended with %d",
		  status);
	NT_OK(ns_store_open(&s, path, NULL));
	NT_OK(ns_store_verify(s, NULL, NULL, &problems));
	cr_assert_eq(problems, 0);
	NT_OK(ns_store_stats_get(&st, s));
	/* version 1, the three waited for, and perhaps the fourth whole */
	cr_assert(st.versions == 4 || st.versions == 5, "%llu versions",
		  (unsigned long long)st.versions);
	fill_values(&n, 1, 1);
	for (size_t i = 0; i < NS; i++) {
		n.pre[i] = (int32_t)(mix(i) % NP);
		n.post[i] = (int32_t)(mix(i + NS) % NP);
	}
	NT_OK(ns_snapshot(NULL, s, n.net, NULL));
	cr_assert(same_versions(s, "1", "HEAD"));
	net_free(&n);
	ns_store_close(s);
}

/* With tracked writes (NS_STORE_TRACK_WRITES): Q in the store's order, so
 * its connectivity is captured from memory, and its scan is not done again
 * while tracking shows it unchanged. */
static ns_store *tracked_store(void)
{
	ns_store_opts o = NS_STORE_OPTS_INIT;
	ns_store *s = NULL;
	o.flags = NS_STORE_CREATE | NS_STORE_TRACK_WRITES;
	o.chunk_size = CHUNK;
	NT_OK(ns_store_open(&s, nt_path("t.nsnap"), &o));
	if (!ns_store_tracking(s)) {
		ns_store_close(s);
		cr_skip_test("this kernel cannot track writes");
	}
	return s;
}

static void sort_synapses(struct net *n)
{
	for (size_t i = 0; i < NS; i++) {
		n->post[i] = (int32_t)(i + i / 3);
		n->pre[i] = (int32_t)(mix(i) % NP);
	}
	for (size_t i = 1; i < NS; i++)
		cr_assert(n->post[i] > n->post[i - 1]);
}

/* Connectivity is left as it is (tracking must find it unchanged). */
static uint64_t snapshot_in_background(ns_store *s, struct net *n)
{
	ns_snapshot_job *job = NULL;
	uint64_t v = 0;
	NT_OK(ns_snapshot_async(&job, s, n->net, NULL));
	memset(n->v, 0xab, NP * sizeof(double));
	memset(n->w, 0xcd, NS * sizeof(float));
	NT_OK(ns_snapshot_wait(&v, job));
	return v;
}

Test(engine_async, tracked_snapshots_hold_each_state_and_see_every_change_of_connectivity)
{
	ns_store *s = tracked_store();
	struct net n = net_new(), kept = net_new();
	uint64_t v = 0, nbytes = 0;
	char a[32], b[32];
	int32_t *post;

	sort_synapses(&n);
	for (int r = 0; r < 6; r++) {
		/* Every other step changes v and w; connectivity stays. */
		fill_values(&n, 10 + (uint64_t)r / 2, 1);
		fill_values(&kept, 10 + (uint64_t)r / 2, 1);
		v = snapshot_in_background(s, &n);
		memcpy(n.v, kept.v, NP * sizeof(double));
		memcpy(n.w, kept.w, NS * sizeof(float));
		NT_OK(ns_snapshot(NULL, s, n.net, NULL));
		snprintf(a, sizeof a, "%llu", (unsigned long long)v);
		snprintf(b, sizeof b, "%llu", (unsigned long long)v + 1);
		cr_assert(same_versions(s, a, b), "step %d: not the state at the call", r);
	}
	/* An index out of range now, in a page of its own and at the edges
	 * (pages the array shares): refused, the scan is not taken from
	 * before. */
	static const size_t at[] = { NS / 2, 1, NS - 1 };
	for (size_t k = 0; k < 3; k++) {
		ns_snapshot_job *job = NULL;
		char msg[32];
		int32_t was = n.pre[at[k]];
		n.pre[at[k]] = NP;
		NT_FAILS(NS_EINVAL, ns_snapshot_async(&job, s, n.net, NULL));
		snprintf(msg, sizeof msg, "synapse %zu", at[k]);
		NT_MESSAGE_HAS(msg);
		n.pre[at[k]] = was;
		snapshot_in_background(s, &n);
		snapshot_in_background(s, &n);
	}
	/* Out of the store's order now: the version holds them sorted. */
	n.post[NS / 2] = 0;
	v = snapshot_in_background(s, &n);
	snprintf(a, sizeof a, "%llu", (unsigned long long)v);
	post = nt_read_array(s, a, "Q//post", &nbytes);
	cr_assert_eq(nbytes, NS * sizeof *post);
	for (size_t i = 1; i < NS; i++)
		cr_assert(post[i] >= post[i - 1], "synapse %zu is out of order", i);
	free(post);
	/* A restore writes into watched arrays: the next snapshots see it. */
	uint64_t back;
	fill_values(&n, 99, 1);
	snapshot_in_background(s, &n);
	NT_OK(ns_restore(NULL, s, a, n.net, NULL));
	back = snapshot_in_background(s, &n);
	snprintf(b, sizeof b, "%llu", (unsigned long long)back);
	cr_assert(same_versions(s, a, b), "version %s is not the one restored", a);
	net_free(&n);
	net_free(&kept);
	ns_store_close(s);
}
