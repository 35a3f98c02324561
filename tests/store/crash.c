/* SPDX-License-Identifier: MIT */
/* Crash safety: a writer killed at a random moment leaves only whole
 * versions, and a store that verifies clean.
 *
 * Each round forks a writer that opens the store itself, then loops:
 * commit a version of three arrays, report "C <n>" on a pipe, delete
 * version n-K and report "D <n-K>". The parent kills it with SIGKILL after
 * a random delay, then checks the store against the reports. An array's
 * contents are a function of a spec kept in the version's metadata, so the
 * parent can regenerate any version it finds.
 *
 * The writer's write batch is small, so its commits store their chunks in
 * many transactions and most kills land between two of them: the orphans
 * they leave must verify clean, and ns_store_gc() must free them all. */
#include "util.h"

#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define ROUNDS 60
#define K 4
#define N_ARR 3
#define CHUNK ((size_t)64 << 10)
#define SEED 0x6e736e6170ull
#define MAX_VERSIONS 100000
/* Two new chunks a batch: new arrays (1.5 to 7.5 MB) take 12 to 60 batches. */
#define WRITE_BATCH ((uint64_t)128 << 10)

enum { COMMITTED = 1, DELETED = 2 };

static const ns_dtype dtypes[N_ARR] = { NS_DTYPE_F64, NS_DTYPE_I32, NS_DTYPE_U8 };
static const char *const names[N_ARR] = { "a0", "a1", "a2" };

/* What an array holds. Chunk j comes from (base, j); with a non-zero delta,
 * chunk delta % n_chunks also depends on delta. Odd bases compress well. */
struct spec {
	uint64_t base, delta, count;
};

static uint64_t mix(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ull;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

static struct spec new_spec(int i, uint64_t r)
{
	/* 0.5 to 2.5 MB, rarely a whole number of chunks */
	uint64_t nbytes = (512u << 10) + mix(r) % (2u << 20);
	struct spec sp = { r, 0, nbytes / ns_dtype_size(dtypes[i]) };
	return sp;
}

static void *generate(int i, const struct spec *sp, size_t *nbytes_out)
{
	size_t nbytes = sp->count * ns_dtype_size(dtypes[i]);
	size_t n_chunks = (nbytes + CHUNK - 1) / CHUNK;
	uint8_t *buf = malloc(nbytes + 8);
	if (!buf)
		return NULL;
	for (size_t j = 0; j < n_chunks; j++) {
		size_t end = (j + 1) * CHUNK < nbytes ? (j + 1) * CHUNK : nbytes;
		uint64_t st = mix(sp->base ^ mix(j));
		if (sp->delta && j == sp->delta % n_chunks)
			st = mix(st ^ sp->delta);
		for (size_t o = j * CHUNK; o < end; o += 8) {
			uint64_t w;
			st = mix(st);
			w = (sp->base & 1) ? (st & 0x0f03) : st;
			memcpy(buf + o, &w, end - o < 8 ? end - o : 8);
		}
	}
	*nbytes_out = nbytes;
	return buf;
}

static int parse_spec(struct spec *sp, const ns_version *v, int i)
{
	const char *text = NULL;
	int rc = ns_version_meta_get(&text, v, names[i]);
	if (rc)
		return rc;
	if (sscanf(text, "%" SCNu64 " %" SCNu64 " %" SCNu64, &sp->base, &sp->delta,
		   &sp->count) != 3)
		return NS_ECORRUPT;
	return NS_OK;
}

/* Commit the arrays of @sp; no test assertions, as writers use it too. */
static int commit_specs(uint64_t *out, ns_store *s, const struct spec *sp, ns_codec codec)
{
	ns_commit_opts o = NS_COMMIT_OPTS_INIT;
	ns_commit *c = NULL;
	void *data[N_ARR] = { NULL };
	int rc = ns_commit_new(&c, s);
	for (int i = 0; rc == NS_OK && i < N_ARR; i++) {
		char text[80];
		size_t nbytes;
		snprintf(text, sizeof text, "%" PRIu64 " %" PRIu64 " %" PRIu64, sp[i].base,
			 sp[i].delta, sp[i].count);
		data[i] = generate(i, &sp[i], &nbytes);
		rc = data[i] ? ns_commit_add(c, names[i], dtypes[i], data[i], sp[i].count)
			     : NS_ENOMEM;
		if (rc == NS_OK)
			rc = ns_commit_set_meta(c, names[i], text);
	}
	o.codec = codec;
	if (rc == NS_OK)
		rc = ns_commit_finish(out, c, &o);
	else
		ns_commit_free(c);
	for (int i = 0; i < N_ARR; i++)
		free(data[i]);
	return rc;
}

/* ------------------------------------------------------------- the writer */

static void report(int fd, char kind, uint64_t n)
{
	char line[40];
	int len = snprintf(line, sizeof line, "%c %" PRIu64 "\n", kind, n);
	if (write(fd, line, (size_t)len) != len)
		_exit(3);
}

static void writer_failed(int fd, const char *what, int rc)
{
	char line[1200];
	int len = snprintf(line, sizeof line, "E %s: %d %s\n", what, rc,
			   ns_error_last()->message);
	if (write(fd, line, (size_t)len) < 0)
		_exit(3);
	_exit(2);
}

/* The forked writer: commits and deletes until it is killed. */
static void writer(const char *path, uint64_t r, int fd)
{
	ns_store *s = NULL;
	ns_version *v = NULL;
	struct spec sp[N_ARR];
	ns_store_opts o = NS_STORE_OPTS_INIT;
	int rc;
	o.write_batch = WRITE_BATCH;
	rc = ns_store_open(&s, path, &o);
	if (rc)
		writer_failed(fd, "open", rc);
	rc = ns_version_open(&v, s, "HEAD");
	for (int i = 0; rc == NS_OK && i < N_ARR; i++)
		rc = parse_spec(&sp[i], v, i);
	ns_version_close(v);
	if (rc)
		writer_failed(fd, "read HEAD", rc);
	for (;;) {
		uint64_t n = 0;
		ns_codec codec;
		for (int i = 0; i < N_ARR; i++) {
			r = mix(r);
			if (r % 4 == 0)
				sp[i] = new_spec(i, mix(r ^ (uint64_t)i));
			else if (r % 4 != 3)
				sp[i].delta = mix(r ^ 77) | 1;
		}
		r = mix(r);
		codec = r % 3 == 0 ? NS_CODEC_ZSTD : NS_CODEC_RAW;
		rc = commit_specs(&n, s, sp, codec);
		if (rc)
			writer_failed(fd, "commit", rc);
		report(fd, 'C', n);
		if (n > K) {
			rc = ns_version_delete(s, n - K);
			if (rc == NS_OK)
				report(fd, 'D', n - K);
			else if (rc != NS_ENOTFOUND)
				writer_failed(fd, "delete", rc);
		}
	}
}

/* ------------------------------------------------------------- the parent */

/* Version numbers as listed by ns_store_foreach_version(), newest first. */
struct present {
	size_t n;
	uint64_t number[256];
};

static int collect(const ns_version_info *info, void *ctx)
{
	struct present *p = ctx;
	cr_assert_lt(p->n, 256, "too many versions");
	p->number[p->n++] = info->number;
	return 0;
}

static int is_present(const struct present *p, uint64_t number)
{
	for (size_t i = 0; i < p->n; i++)
		if (p->number[i] == number)
			return 1;
	return 0;
}

static int first_problem(const ns_problem *pb, void *ctx)
{
	char *msg = ctx;
	if (!msg[0])
		snprintf(msg, 512, "%s", pb->message);
	return 0;
}

/* Version @number reads back as its metadata says it should. */
static void check_version(ns_store *s, uint64_t number)
{
	ns_version *v = NULL;
	NT_OK(ns_version_open_number(&v, s, number));
	cr_assert_eq(ns_version_get_info(v)->n_arrays, N_ARR, "version %" PRIu64, number);
	for (int i = 0; i < N_ARR; i++) {
		struct spec sp;
		ns_array_info a;
		uint64_t k = 0;
		size_t nbytes = 0;
		void *want, *got;
		NT_OK(parse_spec(&sp, v, i));
		NT_OK(ns_version_array_find(&k, v, names[i]));
		NT_OK(ns_version_array_at(&a, v, k));
		cr_assert_eq(a.dtype, dtypes[i]);
		cr_assert_eq(a.count, sp.count, "version %" PRIu64 " %s", number, names[i]);
		want = generate(i, &sp, &nbytes);
		got = malloc(nbytes + 8);
		cr_assert(want && got);
		NT_OK(ns_version_read(got, nbytes, v, k, NS_READ_VERIFY));
		cr_assert(memcmp(want, got, nbytes) == 0, "version %" PRIu64 " %s differs",
			  number, names[i]);
		free(want);
		free(got);
	}
	ns_version_close(v);
}

static void assert_verify_clean(ns_store *s, int round, const char *when)
{
	uint64_t problems = 0;
	char problem[512] = "";
	NT_OK(ns_store_verify(s, first_problem, problem, &problems));
	cr_assert_eq(problems, 0, "round %d, %s: %s", round, when, problem);
}

/* Check the store after a round, collect its orphans (adding their number
 * to *@orphans), then keep only its newest K versions so the next writer's
 * deletes find theirs. @in_flight is the version whose delete may have
 * been cut short (0 for none). */
static void check_store(const char *path, uint8_t *state, uint64_t *max_known,
			uint64_t in_flight, int round, uint64_t *orphans)
{
	ns_store *s = NULL;
	struct present p = { 0 };
	uint64_t counted, freed = 0;
	int unreported = 0;
	NT_OK(ns_store_open(&s, path, NULL));
	NT_OK(ns_store_foreach_version(s, collect, &p));
	cr_assert_gt(p.n, 0, "round %d: no version left", round);
	for (size_t i = 0; i < p.n; i++) {
		uint64_t num = p.number[i];
		cr_assert_lt(num, MAX_VERSIONS);
		cr_assert(!(state[num] & DELETED),
			  "round %d: version %" PRIu64 " was deleted but is there", round, num);
		if (!(state[num] & COMMITTED)) {
			/* Only the commit that was cut short after it returned. */
			cr_assert_eq(num, *max_known + 1,
				     "round %d: version %" PRIu64 " was never reported", round, num);
			unreported++;
		}
		check_version(s, num);
	}
	cr_assert_leq(unreported, 1);
	for (uint64_t num = 1; num <= *max_known; num++)
		if (state[num] == COMMITTED && num != in_flight)
			cr_assert(is_present(&p, num),
				  "round %d: version %" PRIu64 " was committed but is gone", round,
				  num);
	/* Orphans are no damage; gc frees exactly those stats count. */
	assert_verify_clean(s, round, "before gc");
	counted = nt_stats(s).orphan_chunks;
	NT_OK(ns_store_gc(s, &freed, NULL));
	cr_assert_eq(freed, counted, "round %d: gc freed %llu of %llu orphans", round,
		     (unsigned long long)freed, (unsigned long long)counted);
	cr_assert_eq(nt_stats(s).orphan_chunks, 0, "round %d: orphans left after gc", round);
	assert_verify_clean(s, round, "after gc");
	*orphans += freed;

	for (size_t i = 0; i < p.n; i++) {
		state[p.number[i]] |= COMMITTED;
		if (p.number[i] > *max_known)
			*max_known = p.number[i];
	}
	if (in_flight && !is_present(&p, in_flight))
		state[in_flight] |= DELETED;
	for (size_t i = 0; i < p.n; i++) {
		if (p.number[i] + K <= p.number[0]) {
			NT_OK(ns_version_delete(s, p.number[i]));
			state[p.number[i]] |= DELETED;
		}
	}
	ns_store_close(s);
}

/* Everything the writer wrote until the pipe closed. */
static char *read_reports(int fd)
{
	size_t len = 0, cap = 4096;
	char *buf = malloc(cap + 1);
	ssize_t r;
	cr_assert_not_null(buf);
	while ((r = read(fd, buf + len, cap - len)) > 0) {
		len += (size_t)r;
		if (len == cap) {
			cap *= 2;
			buf = realloc(buf, cap + 1);
			cr_assert_not_null(buf);
		}
	}
	buf[len] = 0;
	return buf;
}

static void sleep_ms(unsigned ms)
{
	struct timespec t = { ms / 1000, (long)(ms % 1000) * 1000000 };
	while (nanosleep(&t, &t) != 0)
		;
}

Test(store_crash, a_killed_writer_leaves_only_whole_versions, .timeout = 240,
     .fini = nt_tmpdir_remove)
{
	uint8_t *state = calloc(MAX_VERSIONS, 1);
	uint64_t rng = SEED, max_known = 0, orphans = 0;
	unsigned commits = 0, deletes = 0, cut_deletes = 0;
	struct spec sp[N_ARR];
	ns_store *s;
	char path[4096];
	struct timespec t0, t1;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	cr_assert_not_null(state);
	s = nt_store_new("crash.nsnap", CHUNK, NS_CODEC_RAW);
	snprintf(path, sizeof path, "%s", ns_store_path(s));
	for (int i = 0; i < N_ARR; i++)
		sp[i] = new_spec(i, rng = mix(rng));
	NT_OK(commit_specs(&max_known, s, sp, NS_CODEC_RAW));
	state[max_known] = COMMITTED;
	ns_store_close(s); /* never open across fork */

	for (int round = 0; round < ROUNDS; round++) {
		int fds[2], status = 0;
		uint64_t in_flight = 0;
		char *reports, *line, *save = NULL;
		pid_t pid;
		cr_assert_eq(pipe(fds), 0);
		rng = mix(rng);
		pid = fork();
		cr_assert_geq(pid, 0, "fork failed");
		if (pid == 0) {
			close(fds[0]);
			writer(path, rng, fds[1]);
			_exit(4);
		}
		close(fds[1]);
		rng = mix(rng);
		/* Long enough for a few batched commits, even under ASan. */
		sleep_ms(2 + (unsigned)(rng % 159));
		kill(pid, SIGKILL);
		reports = read_reports(fds[0]);
		close(fds[0]);
		cr_assert_eq(waitpid(pid, &status, 0), pid);
		for (line = strtok_r(reports, "\n", &save); line;
		     line = strtok_r(NULL, "\n", &save)) {
			uint64_t n = strtoull(line + 2, NULL, 10);
			cr_assert_neq(line[0], 'E', "round %d: writer: %s", round, line + 2);
			cr_assert(n > 0 && n < MAX_VERSIONS, "round %d: bad report '%s'", round,
				  line);
			if (line[0] == 'C') {
				state[n] |= COMMITTED;
				if (n > max_known)
					max_known = n;
				commits++;
				/* Its delete of n-K may be cut short, until reported. */
				in_flight = n > K ? n - K : 0;
			} else {
				cr_assert_eq(line[0], 'D', "round %d: bad report '%s'", round, line);
				cr_assert_eq(n, in_flight);
				state[n] |= DELETED;
				deletes++;
				in_flight = 0;
			}
		}
		free(reports);
		cr_assert(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL,
			  "round %d: the writer ended by itself (status %d)", round, status);
		cut_deletes += in_flight != 0;
		check_store(path, state, &max_known, in_flight, round, &orphans);
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	cr_log_info("%d rounds: %u commits, %u deletes, %u deletes cut short, %llu orphan "
		    "chunks; %.1f s", ROUNDS, commits, deletes, cut_deletes,
		    (unsigned long long)orphans,
		    (double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec));
	cr_assert_geq(commits, ROUNDS / 4, "only %u commits: the writers hardly ran", commits);
	cr_assert_gt(deletes, 0);
	cr_assert_gt(orphans, 0, "no kill landed between two batches");
	free(state);
}
