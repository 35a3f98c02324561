/* SPDX-License-Identifier: MIT */
/* The map grows by itself: what grow.c leaves out (reopening a grown store,
 * a map grown by another process). */
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define MIB ((size_t)1 << 20)

TestSuite(store_map, .fini = nt_tmpdir_remove);

static ns_store *small_map_store(const char *name, char *path, size_t path_size)
{
	ns_store_opts o = NS_STORE_OPTS_INIT;
	ns_store *s = NULL;
	snprintf(path, path_size, "%s", nt_path(name));
	o.flags = NS_STORE_CREATE;
	o.map_size = MIB;
	NT_OK(ns_store_open(&s, path, &o));
	return s;
}

/* @nbytes bytes, none of their 1 MiB chunks alike, a function of @seed. */
static uint64_t *make_data(size_t nbytes, uint64_t seed)
{
	uint64_t *x = malloc(nbytes);
	cr_assert_not_null(x);
	for (size_t i = 0; i < nbytes / 8; i++)
		x[i] = (i + 1) * 0x9e3779b97f4a7c15ull ^ seed;
	return x;
}

static uint64_t commit_data(ns_store *s, const void *x, size_t nbytes, int *rc)
{
	ns_commit *c = NULL;
	uint64_t n = 0;
	NT_OK(ns_commit_new(&c, s));
	NT_OK(ns_commit_add(c, "x", NS_DTYPE_BYTES, x, nbytes));
	*rc = ns_commit_finish(&n, c, NULL);
	return n;
}

static void assert_reads_back(ns_store *s, const char *rev, const void *x, size_t nbytes)
{
	uint64_t n = 0;
	void *back = nt_read_array(s, rev, "x", &n);
	cr_assert_eq(n, nbytes);
	cr_assert(memcmp(back, x, nbytes) == 0, "version %s differs", rev);
	free(back);
}

Test(store_map, a_store_grown_past_its_first_map_reopens)
{
	char path[4096];
	ns_store *s = small_map_store("s.nsnap", path, sizeof path);
	size_t nbytes = 40 * MIB;
	uint64_t *x = make_data(nbytes, 1);
	int rc;
	commit_data(s, x, nbytes, &rc);
	NT_OK(rc);
	assert_reads_back(s, "HEAD", x, nbytes);
	ns_store_close(s);
	s = NULL;
	NT_OK(ns_store_open(&s, path, NULL));
	assert_reads_back(s, "HEAD", x, nbytes);
	ns_store_close(s);
	free(x);
}

Test(store_map, a_map_grown_by_another_process_is_adopted)
{
	char path[4096];
	ns_store *s = small_map_store("s.nsnap", path, sizeof path);
	size_t nbytes = 200 * MIB;
	int go[2], status = 0;
	uint64_t *x;
	pid_t pid;
	int rc;
	ns_store_close(s); /* never open across fork */
	cr_assert_eq(pipe(go), 0);
	pid = fork();
	cr_assert_geq(pid, 0);
	if (pid == 0) {
		ns_store_opts o = NS_STORE_OPTS_INIT;
		ns_commit *c = NULL;
		char byte;
		close(go[1]);
		if (read(go[0], &byte, 1) != 1)
			_exit(3);
		x = make_data(nbytes, 9);
		o.map_size = MIB;
		rc = ns_store_open(&s, path, &o);
		if (rc == NS_OK)
			rc = ns_commit_new(&c, s);
		if (rc == NS_OK)
			rc = ns_commit_add(c, "x", NS_DTYPE_BYTES, x, nbytes);
		if (rc == NS_OK)
			rc = ns_commit_finish(NULL, c, NULL);
		ns_store_close(s);
		_exit(rc == NS_OK ? 0 : 1);
	}
	close(go[0]);
	s = NULL;
	{
		ns_store_opts o = NS_STORE_OPTS_INIT;
		o.map_size = MIB;
		NT_OK(ns_store_open(&s, path, &o));
	}
	cr_assert_eq(write(go[1], "g", 1), 1);
	close(go[1]);
	cr_assert_eq(waitpid(pid, &status, 0), pid);
	cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0, "the child's commit failed");
	/* This handle's map is still small: it must adopt the new size. */
	x = make_data(nbytes, 9);
	assert_reads_back(s, "HEAD", x, nbytes);
	commit_data(s, x, 4096, &rc);
	NT_OK(rc);
	free(x);
	ns_store_close(s);
}
