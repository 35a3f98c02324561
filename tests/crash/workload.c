/* SPDX-License-Identifier: MIT */
/* The recorded program of the power-loss test: `crash_workload FOLDER`
 * creates the store FOLDER/s.nsnap and runs every operation on it once or
 * twice, marking in the recorder's log when each begins and returns:
 *
 *   create; commit 1..4 (3 batched); delete 2, delete 3 (batched);
 *   a batched commit interrupted by _exit() after two batches, which
 *   leaves orphans (in a child, as a kill would); gc; commit 5, 6
 *   (batched, into the pages gc freed); compact in place; commit 7.
 *
 * Marks are "begin OP N" and "end OP N", OP one of create, commit,
 * delete, interrupted, gc, compact. Exits 0, or 1 with a message. */
#include "rec.h"
#include "spec.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define INTERRUPTED 999 /* the arrays of the interrupted commit (batched) */

static char path[4096];

static void mark(const char *what, const char *op, uint64_t n)
{
	char text[64];
	snprintf(text, sizeof text, "%s %s %llu", what, op, (unsigned long long)n);
	ns_crashrec_mark(text);
}

static void fail(const char *what, int rc)
{
	fprintf(stderr, "crash_workload: %s: %d %s\n", what, rc, ns_error_last()->message);
	exit(1);
}

static ns_store *open_store(unsigned flags)
{
	ns_store_opts o = NS_STORE_OPTS_INIT;
	ns_store *s = NULL;
	int rc;
	o.flags = flags;
	o.chunk_size = CS_CHUNK;
	o.write_batch = CS_WRITE_BATCH;
	if ((rc = ns_store_open(&s, path, &o)) < 0)
		fail("open", rc);
	return s;
}

static void commit(ns_store *s, uint64_t n)
{
	uint64_t got = 0;
	int rc;
	mark("begin", "commit", n);
	if ((rc = cs_commit(&got, s, n)) < 0)
		fail("commit", rc);
	if (got != n) {
		fprintf(stderr, "crash_workload: commit got number %llu, not %llu\n",
			(unsigned long long)got, (unsigned long long)n);
		exit(1);
	}
	mark("end", "commit", n);
}

static void delete_version(ns_store *s, uint64_t n)
{
	int rc;
	mark("begin", "delete", n);
	if ((rc = ns_version_delete(s, n)) < 0)
		fail("delete", rc);
	mark("end", "delete", n);
}

/* In a child: a batched commit that ends, unsynced, after its second
 * batch (two barriers each: the data, then the meta page; one when the
 * meta page is not synced, and the process then ends in the third). */
static void interrupted(void)
{
	ns_store *s = open_store(0);
	uint64_t n = 0;
	mark("begin", "interrupted", INTERRUPTED);
	ns_crashrec_exit_after(4);
	fail("the interrupted commit returned", cs_commit(&n, s, INTERRUPTED));
}

int main(int argc, char **argv)
{
	uint64_t freed = 0;
	ns_store *s;
	pid_t pid;
	int status = 0, rc;

	if (argc != 2) {
		fprintf(stderr, "usage: crash_workload FOLDER\n");
		return 2;
	}
	snprintf(path, sizeof path, "%s/%s", argv[1], CS_STORE);
	mark("begin", "create", 0);
	s = open_store(NS_STORE_CREATE);
	mark("end", "create", 0);
	for (uint64_t n = 1; n <= 4; n++)
		commit(s, n);
	delete_version(s, 2);
	delete_version(s, 3);
	ns_store_close(s);

	/* Never fork with the store open (an LMDB rule). */
	if ((pid = fork()) == 0)
		interrupted();
	if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
	    WEXITSTATUS(status) != 0)
		fail("the interrupted commit's process", NS_ERROR);

	s = open_store(0);
	mark("begin", "gc", 0);
	if ((rc = ns_store_gc(s, &freed, NULL)) < 0)
		fail("gc", rc);
	if (freed == 0)
		fail("gc found no orphans of the interrupted commit", NS_ERROR);
	mark("end", "gc", 0);
	commit(s, 5);
	commit(s, 6);
	ns_store_close(s);

	mark("begin", "compact", 0);
	if ((rc = ns_store_compact_file(path, NULL, NULL)) < 0)
		fail("compact", rc);
	mark("end", "compact", 0);
	s = open_store(0);
	commit(s, 7);
	ns_store_close(s);
	return 0;
}
