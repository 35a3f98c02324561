/* SPDX-License-Identifier: MIT */
/* Stores that are damaged, compacted, or on media nsnap cannot write: what
 * opening refuses, what compaction keeps, what read-only media allow. The
 * CLI on many damaged stores: damaged.sh. */
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define NOBODY 65534 /* Debian's nobody:nogroup */

static const ns_store_opts *read_only(void)
{
	static ns_store_opts o = NS_STORE_OPTS_INIT;
	o.flags = NS_STORE_RDONLY;
	return &o;
}

/* A closed store of two versions at nt_path(@name), the first deleted (so
 * that compaction has pages to drop); its path. */
static const char *two_versions(const char *name)
{
	static char path[4096];
	ns_store *s = nt_store_new(name, 4096, NS_CODEC_RAW);
	snprintf(path, sizeof path, "%s", ns_store_path(s));
	nt_commit_f64(s, "x", 50000, 1.0, "first");
	nt_commit_f64(s, "x", 50000, 2.0, "second");
	NT_OK(ns_version_delete(s, 1));
	ns_store_close(s);
	return path;
}

static off_t file_size(const char *path)
{
	struct stat st;
	cr_assert_eq(stat(path, &st), 0, "%s: %s", path, strerror(errno));
	return st.st_size;
}

Test(store_damaged, a_truncated_store_is_refused_naming_the_damage_and_left_as_it_was)
{
	const char *path = two_versions("t.nsnap");
	off_t size = file_size(path);
	ns_store *s = NULL;
	for (int quarter = 1; quarter <= 3; quarter++) {
		off_t cut = size * quarter / 4 / 4096 * 4096;
		cr_assert_eq(truncate(path, cut), 0);
		NT_FAILS(NS_ECORRUPT, ns_store_open(&s, path, NULL));
		NT_MESSAGE_HAS("is damaged");
		NT_MESSAGE_HAS("past the end of the file");
		cr_assert_eq(file_size(path), cut, "opening changed the damaged file");
		cr_assert_null(s);
	}
}

Test(store_damaged, a_damaged_meta_page_is_refused_naming_it)
{
	const char *path = two_versions("m.nsnap");
	ns_store *s = NULL;
	int fd = open(path, O_RDWR);
	uint32_t magic = 0xdeadbeef;
	cr_assert_geq(fd, 0);
	/* the magic number of the second meta page (page 1, after its header) */
	cr_assert_eq(pwrite(fd, &magic, sizeof magic, 4096 + 16), (ssize_t)sizeof magic);
	close(fd);
	NT_FAILS(NS_ECORRUPT, ns_store_open(&s, path, read_only()));
	NT_MESSAGE_HAS("meta page 1");
}

/* Compact @path in place and return its mode and owner after. */
static struct stat compact_in_place(const char *path)
{
	struct stat st;
	uint64_t before = 0, after = 0;
	NT_OK(ns_store_compact_file(path, &before, &after));
	cr_assert_lt(after, before, "nothing was compacted: %llu -> %llu bytes",
		     (unsigned long long)before, (unsigned long long)after);
	cr_assert_eq(stat(path, &st), 0);
	return st;
}

Test(store_damaged, compaction_in_place_keeps_the_mode)
{
	const char *path = two_versions("mode.nsnap");
	cr_assert_eq(chmod(path, 0444), 0);
	cr_assert_eq(compact_in_place(path).st_mode & 07777, 0444);
	path = two_versions("mode2.nsnap");
	cr_assert_eq(chmod(path, 0640), 0);
	cr_assert_eq(compact_in_place(path).st_mode & 07777, 0640);
}

Test(store_damaged, compaction_in_place_by_root_keeps_another_users_ownership)
{
	const char *path;
	struct stat st;
	if (geteuid() != 0)
		cr_skip_test("only root can give a file to another user");
	path = two_versions("owner.nsnap");
	cr_assert_eq(chown(path, NOBODY, NOBODY), 0);
	cr_assert_eq(chmod(path, 0640), 0);
	st = compact_in_place(path);
	cr_assert_eq(st.st_uid, NOBODY);
	cr_assert_eq(st.st_gid, NOBODY);
	cr_assert_eq(st.st_mode & 07777, 0640);
}

/* The pid of a process that has exited. */
static pid_t dead_pid(void)
{
	pid_t pid = fork();
	cr_assert_geq(pid, 0);
	if (pid == 0)
		_exit(0);
	cr_assert_eq(waitpid(pid, NULL, 0), pid);
	return pid;
}

Test(store_damaged, leftovers_of_killed_compactions_are_removed_by_the_next_compact_and_gc)
{
	const char *path = two_versions("left.nsnap");
	char dead[4096], live[4096];
	ns_store *s = NULL;
	uint64_t chunks = 0, bytes = 0;

	/* a full-size copy, as a compaction killed before its rename leaves */
	snprintf(dead, sizeof dead, "%s.compact-%ld", path, (long)dead_pid());
	nt_write_file(dead, "x", 1);
	/* one whose process still runs (ours: it may be compacting now) stays */
	snprintf(live, sizeof live, "%s.compact-%ld", path, (long)getppid());
	nt_write_file(live, "y", 1);
	compact_in_place(path);
	cr_assert_eq(access(dead, F_OK), -1, "compact left '%s'", dead);
	cr_assert_eq(access(live, F_OK), 0, "compact removed a live compaction's '%s'", live);

	snprintf(dead, sizeof dead, "%s.compact-%ld", path, (long)dead_pid());
	nt_write_file(dead, "x", 1);
	NT_OK(ns_store_open(&s, path, NULL));
	NT_OK(ns_store_gc(s, &chunks, &bytes));
	ns_store_close(s);
	cr_assert_eq(access(dead, F_OK), -1, "gc left '%s'", dead);
	cr_assert_eq(access(live, F_OK), 0);
}

/* In a child that is not root (nobody, when the test runs as root, for
 * whom permissions do not hold), in the folder @dir: open the store @path
 * (relative to @dir, so that the folders above need not be open to
 * nobody) read-only, open version 2, and try to delete it. Exit status 0
 * when the reads worked and the delete was refused as read-only. */
static int read_as_nobody(const char *dir, const char *path)
{
	pid_t pid = fork();
	int status = 0;
	cr_assert_geq(pid, 0);
	if (pid == 0) {
		ns_store *s = NULL;
		ns_version *v = NULL;
		if (chdir(dir) != 0 ||
		    (geteuid() == 0 && (setgid(NOBODY) != 0 || setuid(NOBODY) != 0)))
			_exit(10);
		if (ns_store_open(&s, path, read_only()) < 0) {
			fprintf(stderr, "open: %s\n", ns_error_last()->message);
			_exit(11);
		}
		if (ns_version_open(&v, s, "2") < 0 || ns_version_get_info(v)->number != 2) {
			fprintf(stderr, "version 2: %s\n", ns_error_last()->message);
			_exit(12);
		}
		ns_version_close(v);
		if (ns_version_delete(s, 2) != NS_EREADONLY) {
			fprintf(stderr, "delete on read-only media: %s\n", ns_error_last()->message);
			_exit(13);
		}
		ns_store_close(s);
		_exit(0);
	}
	cr_assert_eq(waitpid(pid, &status, 0), pid);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

Test(store_damaged, a_store_in_a_folder_nobody_may_write_is_read)
{
	char lock[4200];
	const char *path;
	cr_assert_eq(mkdir(nt_path("ro"), 0755), 0);
	path = two_versions("ro/s.nsnap");
	/* no lock file may be made beside it, and the store itself is 0444 */
	snprintf(lock, sizeof lock, "%s-lock", path);
	cr_assert_eq(unlink(lock), 0);
	cr_assert_eq(chmod(path, 0444), 0);
	cr_assert_eq(chmod(nt_path("ro"), 0555), 0);
	cr_assert_eq(chmod(nt_tmpdir_path(), 0755), 0);
	cr_assert_eq(read_as_nobody(nt_tmpdir_path(), "ro/s.nsnap"), 0);
	cr_assert_eq(chmod(nt_path("ro"), 0755), 0);
}

Test(store_damaged, a_full_disk_is_named_as_such_and_the_store_stays_whole)
{
	char dir[4200], path[4300];
	ns_store *s = NULL;
	ns_commit *c = NULL;
	ns_store_stats st;
	uint64_t problems = 1;
	static double big[200000]; /* 1.6 MB: more than the file system holds */
	int rc;

	snprintf(dir, sizeof dir, "%s/full", nt_tmpdir_path());
	cr_assert_eq(mkdir(dir, 0755), 0);
	if (geteuid() != 0 || mount("tmpfs", dir, "tmpfs", 0, "size=600k") != 0)
		cr_skip_test("needs root to mount a small tmpfs: %s", strerror(errno));
	snprintf(path, sizeof path, "%s/s.nsnap", dir);
	for (size_t i = 0; i < sizeof big / sizeof big[0]; i++)
		big[i] = (double)i * 1.5; /* chunks that do not repeat */
	s = NULL;
	{
		ns_store_opts o = NS_STORE_OPTS_INIT;
		o.flags = NS_STORE_CREATE;
		o.chunk_size = 4096;
		NT_OK(ns_store_open(&s, path, &o));
	}
	NT_OK(ns_commit_new(&c, s));
	NT_OK(ns_commit_add(c, "x", NS_DTYPE_F64, big, sizeof big / sizeof big[0]));
	rc = ns_commit_finish(NULL, c, NULL);
	cr_assert_eq(rc, NS_EFULL, "commit returned %d: %s", rc, ns_error_last()->message);
	NT_MESSAGE_HAS("no space left on device");
	NT_MESSAGE_HAS("s.nsnap");
	ns_store_close(s);
	NT_OK(ns_store_open(&s, path, NULL));
	NT_OK(ns_store_verify(s, NULL, NULL, &problems));
	cr_assert_eq(problems, 0);
	NT_OK(ns_store_stats_get(&st, s));
	cr_assert_eq(st.versions, 0);
	ns_store_close(s);
	umount(dir);
}
