/* SPDX-License-Identifier: MIT */
/* Compaction: a copy of the store without its free pages, written to a
 * temporary file beside its destination and named only once whole and
 * durable. A temporary file is "<dest>.compact-<pid>", locked (flock) by the
 * process writing it until it is renamed or removed; a compaction killed
 * midway leaves it behind, and the next compaction or gc removes it. */
#include "internal.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#define TMP_TAG ".compact-"

int ns__sync_dir(const char *path)
{
	const char *slash = strrchr(path, '/');
	char dir[4096];
	int fd, rc = NS_OK;

	if (!slash)
		snprintf(dir, sizeof dir, ".");
	else
		snprintf(dir, sizeof dir, "%.*s", slash == path ? 1 : (int)(slash - path), path);
	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0 || fsync(fd) != 0)
		rc = ns_err_errno(errno, "folder '%s': syncing", dir);
	if (fd >= 0)
		close(fd);
	return rc;
}

/* Whether the compaction that wrote @file (by process @pid) is over: its
 * process is gone (kill() finds none) and nothing holds the file's lock (a
 * pid reused by another process, or one from another pid namespace, keeps
 * the file). */
static int abandoned(const char *file, long pid)
{
	int fd, over;
	if (pid <= 0 || pid == (long)getpid() || kill((pid_t)pid, 0) == 0 || errno != ESRCH)
		return 0;
	if ((fd = open(file, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) < 0)
		return 0;
	over = flock(fd, LOCK_EX | LOCK_NB) == 0;
	close(fd);
	return over;
}

void ns__compact_leftovers_remove(const char *dest)
{
	const char *slash = strrchr(dest, '/'), *base = slash ? slash + 1 : dest;
	size_t nbase = strlen(base);
	char dir[4096], file[8192];
	struct dirent *e;
	DIR *d;

	snprintf(dir, sizeof dir, "%.*s", slash ? (int)(slash - dest) + 1 : 1, slash ? dest : ".");
	if (!(d = opendir(dir)))
		return; /* best effort: what cannot be listed stays */
	while ((e = readdir(d))) {
		const char *tail = e->d_name + nbase + strlen(TMP_TAG);
		char *end;
		long pid;
		if (strncmp(e->d_name, base, nbase) != 0 ||
		    strncmp(e->d_name + nbase, TMP_TAG, strlen(TMP_TAG)) != 0)
			continue;
		pid = strtol(tail, &end, 10);
		if (end == tail || *end)
			continue;
		snprintf(file, sizeof file, "%s%s", slash ? dir : "", e->d_name);
		if (abandoned(file, pid))
			unlink(file);
	}
	closedir(d);
}

/* Write the compacted copy of @s to the new file @tmp, with the mode and
 * owner of @like (NULL: those of any new file), synced; *@fd gets it, still
 * locked. On failure no file is left. */
static int write_copy(int *fd, ns_store *s, const char *tmp, const struct stat *like)
{
	int rc = NS_OK, mrc;

	/* LMDB's copy reads overflow page headers, which opening does not check. */
	if ((rc = ns__check_pages(s, 1, NULL, NULL)) < 0)
		return rc;
	if ((*fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, like ? 0600 : 0666)) < 0)
		return ns_err_errno(errno, "store '%s': compact: creating '%s'", s->path, tmp);
	if (flock(*fd, LOCK_EX) != 0)
		rc = ns_err_errno(errno, "store '%s': compact: locking '%s'", s->path, tmp);
	else if ((mrc = mdb_env_copyfd2(s->env, *fd, MDB_CP_COMPACT)))
		rc = ns_err_lmdb(mrc, "store '%s': compact into '%s'", s->path, tmp);
	/* The owner first: chown() may clear the setuid and setgid bits. */
	else if (like && fchown(*fd, like->st_uid, like->st_gid) != 0)
		rc = ns_err_errno(errno, "store '%s': compact: giving '%s' the store's owner "
				  "(%u:%u; compact as that user or as root)", s->path, tmp,
				  (unsigned)like->st_uid, (unsigned)like->st_gid);
	else if (like && fchmod(*fd, like->st_mode & 07777) != 0)
		rc = ns_err_errno(errno, "store '%s': compact: giving '%s' the store's mode",
				  s->path, tmp);
	else if (fsync(*fd) != 0)
		rc = ns_err_errno(errno, "store '%s': compact: syncing '%s'", s->path, tmp);
	if (rc < 0) {
		unlink(tmp);
		close(*fd);
		*fd = -1;
	}
	return rc;
}

/* "<dest>.compact-<pid>", malloc'd. */
static char *tmp_name(const char *dest)
{
	size_t n = strlen(dest) + sizeof TMP_TAG + 24;
	char *tmp = malloc(n);
	if (tmp)
		snprintf(tmp, n, "%s" TMP_TAG "%ld", dest, (long)getpid());
	return tmp;
}

int ns_store_compact(ns_store *s, const char *dest)
{
	char *tmp;
	int rc, fd;

	if (!dest || !*dest)
		return ns_err(NS_EINVAL, "store '%s': compact: no destination given", s->path);
	if (access(dest, F_OK) == 0)
		return ns_err(NS_EEXISTS, "store '%s': compact: '%s' already exists", s->path,
			      dest);
	if (!(tmp = tmp_name(dest)))
		return ns_err(NS_ENOMEM, "store '%s': compact: out of memory", s->path);
	ns__compact_leftovers_remove(dest);
	/* link() never replaces a file that appeared meanwhile. */
	if ((rc = write_copy(&fd, s, tmp, NULL)) == NS_OK) {
		if (link(tmp, dest) != 0)
			rc = ns_err_errno(errno, "store '%s': compact: naming the copy '%s'",
					  s->path, dest);
		unlink(tmp);
		close(fd);
	}
	free(tmp);
	return rc;
}

int ns_store_compact_file(const char *path, uint64_t *before, uint64_t *after)
{
	ns_store_opts o = NS_STORE_OPTS_INIT;
	ns_store *s = NULL;
	struct stat st, copy;
	char *tmp = NULL;
	int fd, tmp_fd = -1, rc;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return errno == ENOENT ? ns_err(NS_ENOTFOUND, "store '%s': no such file", path)
				       : ns_err_errno(errno, "store '%s'", path);
	if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
		rc = errno == EWOULDBLOCK
			     ? ns_err(NS_EBUSY, "store '%s' is open in another process; compact "
				      "it when no one uses it", path)
			     : ns_err_errno(errno, "store '%s': locking", path);
		goto done;
	}
	if (fstat(fd, &st) != 0) {
		rc = ns_err_errno(errno, "store '%s'", path);
		goto done;
	}
	if (!(tmp = tmp_name(path))) {
		rc = ns_err(NS_ENOMEM, "store '%s': compact: out of memory", path);
		goto done;
	}
	ns__compact_leftovers_remove(path);
	o.flags = NS_STORE_RDONLY | STORE_NO_FLOCK;
	NS_TRY(ns_store_open(&s, path, &o));
	NS_TRY(write_copy(&tmp_fd, s, tmp, &st));
	ns_store_close(s);
	s = NULL;
	if (before)
		*before = (uint64_t)st.st_size;
	if (after && fstat(tmp_fd, &copy) == 0)
		*after = (uint64_t)copy.st_size;
	/* The copy is durable; renaming it over the store is atomic, and the
	 * folder is synced so that the new name survives a crash. */
	if (rename(tmp, path) != 0) {
		rc = ns_err_errno(errno, "store '%s': compact: renaming '%s' to it", path, tmp);
		unlink(tmp);
		goto done;
	}
	rc = ns__sync_dir(path);
done:
	ns_store_close(s);
	if (tmp_fd >= 0)
		close(tmp_fd);
	free(tmp);
	close(fd);
	return rc;
}
