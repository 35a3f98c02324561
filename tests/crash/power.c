/* SPDX-License-Identifier: MIT */
/* Power loss: every state a power cut could leave behind an operation is
 * a store that opens, verifies clean, holds every version whose commit
 * returned and none whose delete returned, each exactly as committed, and
 * takes a new commit.
 *
 * Each test records crash_workload (workload.c) with the recorder
 * (rec.c), then replays the log (replay.c, where the model is) at the
 * crash points of one operation. $NSNAP_CRASH_STATES sets how many states
 * each operation checks (0: every one; by default a sample),
 * $NSNAP_CRASH_RANDOM the random subsets per crash point (8), and
 * $NSNAP_CRASH_SEED the seed of the sample and of the random subsets. */
#include "util.h"

#include "rec.h"
#include "replay.h"
#include "spec.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define BUDGET 800
#define SEED 0x706f776572ull
#define MAX_VERSION 64
#define AFTER 100 /* the arrays of the commit made after a crash */

enum { BEGUN = 1, COMMITTED = 2, DELETING = 4, DELETED = 8 };

/* What the marks before a crash promise. */
struct expect {
	int created;               /* the store's creation returned */
	uint8_t state[MAX_VERSION];
	char op[32];               /* the operation under way (or last) */
};

/* The operation a "begin" mark starts, as the tests name them. */
static const char *op_name(const char *op, uint64_t n)
{
	if (strcmp(op, "commit") == 0)
		return cs_batched(n) ? "commit_batched" : "commit";
	if (strcmp(op, "interrupted") == 0)
		return "commit_batched";
	return op;
}

static void expect_of(struct expect *e, const char *const *marks, size_t n_marks)
{
	memset(e, 0, sizeof *e);
	for (size_t i = 0; i < n_marks; i++) {
		char what[8], op[16];
		unsigned long long n = 0;
		int begin;
		if (sscanf(marks[i], "%7s %15s %llu", what, op, &n) != 3 || n >= MAX_VERSION * 100)
			continue;
		begin = strcmp(what, "begin") == 0;
		if (begin)
			snprintf(e->op, sizeof e->op, "%s", op_name(op, n));
		if (strcmp(op, "create") == 0 && !begin)
			e->created = 1;
		if (n >= MAX_VERSION)
			continue;
		if (strcmp(op, "commit") == 0)
			e->state[n] |= begin ? BEGUN : COMMITTED;
		else if (strcmp(op, "delete") == 0)
			e->state[n] |= begin ? DELETING : DELETED;
	}
}

static int want(const char *const *marks, size_t n, void *ctx)
{
	struct expect e;
	expect_of(&e, marks, n);
	return strcmp(e.op, ((const char *const *)ctx)[0]) == 0;
}

struct present {
	size_t n;
	uint64_t number[MAX_VERSION];
};

static int collect(const ns_version_info *info, void *ctx)
{
	struct present *p = ctx;
	if (p->n == MAX_VERSION)
		return 1;
	p->number[p->n++] = info->number;
	return 0;
}

static int first_problem(const ns_problem *pb, void *ctx)
{
	char *msg = ctx;
	if (!msg[0])
		snprintf(msg, 512, "%s", pb->message);
	return 0;
}

static int verify(ns_store *s, const char *when, char *why, size_t cap)
{
	char problem[512] = "";
	uint64_t n = 0;
	int rc = ns_store_verify(s, first_problem, problem, &n);
	if (rc == NS_OK && n == 0)
		return 0;
	snprintf(why, cap, "verify %s: %s (%llu problems, first: %s)", when,
		 ns_error_last()->message, (unsigned long long)n, problem);
	return -1;
}

/* The versions against the marks; *newest the highest number present. */
static int check_versions(ns_store *s, const struct expect *e, uint64_t *newest, char *why,
			  size_t cap)
{
	struct present p = { 0 };
	int rc = ns_store_foreach_version(s, collect, &p);
	*newest = 0;
	if (rc != NS_OK) {
		snprintf(why, cap, "listing versions: %s", ns_error_last()->message);
		return -1;
	}
	for (size_t i = 0; i < p.n; i++) {
		uint64_t n = p.number[i];
		if (n >= MAX_VERSION || !(e->state[n] & BEGUN)) {
			snprintf(why, cap, "version %llu is there but was never committed",
				 (unsigned long long)n);
			return -1;
		}
		if (e->state[n] & DELETED) {
			snprintf(why, cap, "version %llu is there but its delete returned",
				 (unsigned long long)n);
			return -1;
		}
		if (cs_check(s, n, n, why, cap) < 0)
			return -1;
		*newest = n > *newest ? n : *newest;
	}
	for (uint64_t n = 1; n < MAX_VERSION; n++) {
		size_t i = 0;
		if ((e->state[n] & (COMMITTED | DELETING)) != COMMITTED)
			continue;
		while (i < p.n && p.number[i] != n)
			i++;
		if (i == p.n) {
			snprintf(why, cap, "version %llu is gone but its commit returned",
				 (unsigned long long)n);
			return -1;
		}
	}
	return 0;
}

/* After the checks of what is there: collect the orphans, commit anew. */
static int check_writable(ns_store *s, char *why, size_t cap)
{
	uint64_t n = 0;
	if (ns_store_gc(s, NULL, NULL) != NS_OK) {
		snprintf(why, cap, "gc: %s", ns_error_last()->message);
		return -1;
	}
	if (verify(s, "after gc", why, cap) < 0)
		return -1;
	if (cs_commit(&n, s, AFTER) != NS_OK) {
		snprintf(why, cap, "a new commit: %s", ns_error_last()->message);
		return -1;
	}
	if (cs_check(s, n, AFTER, why, cap) < 0 || verify(s, "after a new commit", why, cap) < 0)
		return -1;
	return 0;
}

static int check_state(const struct rp_state *st, void *ctx, char *why, size_t cap)
{
	const char *dir = ((const char *const *)ctx)[1];
	struct expect e;
	ns_store *s = NULL;
	char path[4096];
	uint64_t newest = 0, head = 0;
	int rc;

	expect_of(&e, st->marks, st->n_marks);
	snprintf(path, sizeof path, "%s/%s", dir, CS_STORE);
	if ((rc = ns_store_open(&s, path, NULL)) != NS_OK) {
		if (!e.created && ns_error_last()->message[0])
			return 0; /* a store whose creation did not return may be missing */
		snprintf(why, cap, "open: %s", ns_error_last()->message);
		return -1;
	}
	rc = verify(s, "", why, cap);
	if (rc == 0)
		rc = check_versions(s, &e, &newest, why, cap);
	if (rc == 0 && newest && (ns_store_resolve(&head, s, "HEAD") != NS_OK || head != newest)) {
		snprintf(why, cap, "HEAD is %llu, not the newest version %llu (%s)",
			 (unsigned long long)head, (unsigned long long)newest,
			 ns_error_last()->message);
		rc = -1;
	}
	if (rc == 0)
		rc = check_writable(s, why, cap);
	ns_store_close(s);
	return rc;
}

/* Check in a child process, so that a state that crashes nsnap is a
 * failure like any other, not the end of the test. */
static int check(const struct rp_state *st, void *ctx, char *why, size_t cap)
{
	int fds[2], status = 0;
	size_t len = 0;
	ssize_t r;
	pid_t pid;

	if (pipe(fds) != 0 || (pid = fork()) < 0) {
		snprintf(why, cap, "pipe or fork: %s", strerror(errno));
		return -1;
	}
	if (pid == 0) {
		char msg[2048] = "";
		int rc;
		close(fds[0]);
		rc = check_state(st, ctx, msg, sizeof msg);
		if (write(fds[1], msg, strlen(msg)) < 0)
			_exit(2);
		_exit(rc ? 1 : 0);
	}
	close(fds[1]);
	while (len + 1 < cap && (r = read(fds[0], why + len, cap - 1 - len)) > 0)
		len += (size_t)r;
	why[len] = 0;
	close(fds[0]);
	if (waitpid(pid, &status, 0) != pid || WIFSIGNALED(status))
		snprintf(why, cap, "the check crashed (signal %d)",
			 WIFSIGNALED(status) ? WTERMSIG(status) : 0);
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

static size_t env_size(const char *name, size_t fallback)
{
	const char *v = getenv(name);
	return v && *v ? (size_t)strtoull(v, NULL, 0) : fallback;
}

/* Record the workload into FOLDER/log, its store in FOLDER/w. */
static void record(const char *folder, char *log, size_t cap)
{
	char store_dir[4200];
	pid_t pid;
	int status = 0;
	snprintf(log, cap, "%s/log", folder);
	snprintf(store_dir, sizeof store_dir, "%s/w", folder);
	cr_assert_eq(mkdir(store_dir, 0755), 0, "mkdir '%s': %s", store_dir, strerror(errno));
	pid = fork();
	cr_assert_geq(pid, 0, "fork failed");
	if (pid == 0) {
		setenv(NSR_ENV_LOG, log, 1);
		setenv(NSR_ENV_DIR, store_dir, 1);
		execl(NSNAP_CRASH_WORKLOAD, NSNAP_CRASH_WORKLOAD, store_dir, (char *)NULL);
		_exit(127);
	}
	cr_assert_eq(waitpid(pid, &status, 0), pid);
	cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0,
		  "crash_workload failed (status %d)", status);
}

/* Remove @folder, its files and the files of its folders. */
static void remove_tree(const char *folder, int depth)
{
	DIR *d = opendir(folder);
	struct dirent *e;
	char path[4096];
	while (d && (e = readdir(d)))
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0) {
			snprintf(path, sizeof path, "%s/%s", folder, e->d_name);
			if (unlink(path) != 0 && depth > 0)
				remove_tree(path, depth - 1);
		}
	if (d)
		closedir(d);
	rmdir(folder);
}

/* Record the workload, then check the states of operation @op. */
static struct rp_counts replay(const char *op, int no_data_sync)
{
	char folder[2048], log_path[4096], dir[4096], why[1024] = "";
	const char *ctx[2] = { op, dir };
	struct rp_opts o = { .dir = dir, .label = op, .no_data_sync = no_data_sync,
			     .show = no_data_sync ? 0 : 20, .want = want, .check = check,
			     .ctx = ctx };
	struct rp_counts n;
	rp_log *log = NULL;

	snprintf(folder, sizeof folder, "%s", nt_tmpdir_path());
	snprintf(dir, sizeof dir, "%s/state", folder);
	record(folder, log_path, sizeof log_path);
	cr_assert_eq(rp_load(&log, log_path, why, sizeof why), 0, "%s", why);
	o.budget = env_size("NSNAP_CRASH_STATES", BUDGET);
	o.seed = env_size("NSNAP_CRASH_SEED", SEED);
	o.random = env_size("NSNAP_CRASH_RANDOM", 0);
	cr_assert_eq(rp_run(&n, log, &o, why, sizeof why), 0, "%s", why);
	rp_free(log);
	cr_log_info("%s%s: %zu crash points, %zu states, %zu checked (%zu duplicates skipped, "
		    "%zu tearing a meta page), %zu failed", op, no_data_sync ? " (control)" : "",
		    n.points, n.candidates, n.checked, n.duplicates, n.torn_meta, n.failed);
	cr_assert_gt(n.points, 0, "%s: no crash point", op);
	cr_assert_gt(n.checked, 0, "%s: no state checked", op);
	if (n.failed == 0 || no_data_sync)
		remove_tree(folder, 1); /* kept when the test fails */
	return n;
}

static void power_loss(const char *op)
{
	struct rp_counts n = replay(op, 0);
	cr_assert_eq(n.failed, 0, "%s: %zu of %zu states fail (see above)", op, n.failed,
		     n.checked);
}

TestSuite(crash_power, .timeout = 300);

Test(crash_power, create) { power_loss("create"); }
Test(crash_power, commit) { power_loss("commit"); }
Test(crash_power, commit_batched) { power_loss("commit_batched"); }
Test(crash_power, delete) { power_loss("delete"); }
Test(crash_power, gc) { power_loss("gc"); }
Test(crash_power, compact) { power_loss("compact"); }

/* The control: had LMDB not synced its pages before its meta page, states
 * would point at pages that never landed. The checks must see them. */
Test(crash_power, the_checks_catch_a_store_that_does_not_sync_its_data)
{
	struct rp_counts n = replay("commit", 1);
	cr_assert_gt(n.failed, 0, "no state failed among %zu", n.checked);
}
