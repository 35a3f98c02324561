/* SPDX-License-Identifier: MIT */
/* The power-loss recorder: a library that takes over the C library's file
 * calls (found with dlsym(RTLD_NEXT)) and logs, for the files of one
 * folder, every write with its offset and bytes, truncation, sync, open,
 * rename, link and unlink, in order, to the file $NSNAP_CRASH_LOG (the
 * folder: $NSNAP_CRASH_DIR). A program linked with it (or started with it
 * in LD_PRELOAD) behaves as before; without the variables nothing is logged.
 *
 * A page cache keeps what a kill leaves; a power cut loses every write not
 * yet synced. The log lets replay.c build the files a power cut could leave.
 *
 * The hot path allocates nothing and takes one mutex, so that the log's
 * order is the calls' order across threads (LMDB's copy thread). Not
 * followed, so logged as unsupported or not used by LMDB and nsnap: writes
 * on O_APPEND files, fcntl(F_DUPFD), the *at() variants of rename, link
 * and unlink, sync_file_range(), syncfs(). */
#define _GNU_SOURCE
#include "rec.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#define FD_MAX 4096
#define MAPS_MAX 64

enum { FD_NONE = 0, FD_FILE, FD_DIR };

static struct {
	uint64_t ino;
	uint8_t kind, dsync, append;
} fds[FD_MAX];

static struct {
	const char *addr;
	size_t len;
	uint64_t ino;
} maps[MAPS_MAX];

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static int log_fd = -1;
static dev_t dir_dev;
static ino_t dir_ino;
static unsigned exit_after;

/* The next definition of each call, looked up on first use. */
#define REAL(name) ((__typeof__(real_##name))resolve((void **)&real_##name, #name))
static int (*real_open)(const char *, int, ...);
static int (*real_openat)(int, const char *, int, ...);
static int (*real_close)(int);
static int (*real_dup)(int);
static int (*real_dup2)(int, int);
static ssize_t (*real_write)(int, const void *, size_t);
static ssize_t (*real_pwrite)(int, const void *, size_t, off_t);
static ssize_t (*real_writev)(int, const struct iovec *, int);
static ssize_t (*real_pwritev)(int, const struct iovec *, int, off_t);
static int (*real_ftruncate)(int, off_t);
static int (*real_fsync)(int);
static int (*real_fdatasync)(int);
static int (*real_msync)(void *, size_t, int);
static void *(*real_mmap)(void *, size_t, int, int, int, off_t);
static int (*real_munmap)(void *, size_t);
static int (*real_rename)(const char *, const char *);
static int (*real_link)(const char *, const char *);
static int (*real_unlink)(const char *);

static void *resolve(void **slot, const char *name);

static void die(const char *what)
{
	static const char pre[] = "nsnap crash recorder: ";
	ssize_t r = REAL(write)(2, pre, sizeof pre - 1);
	r += REAL(write)(2, what, strlen(what));
	r += REAL(write)(2, "\n", 1);
	(void)r;
	abort();
}

static void *resolve(void **slot, const char *name)
{
	if (!*slot && !(*slot = dlsym(RTLD_NEXT, name)))
		abort(); /* no C library below: nothing to do but stop */
	return *slot;
}

static void log_bytes(const void *data, size_t n)
{
	const char *p = data;
	while (n) {
		ssize_t r = REAL(write)(log_fd, p, n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			die("writing the log failed");
		p += r;
		n -= (size_t)r;
	}
}

static void log_head(uint32_t op, uint64_t ino, uint64_t off, uint64_t len, uint32_t flags)
{
	struct nsr_head h = { NSR_MAGIC, op, ino, off, len, flags, (uint32_t)getpid() };
	log_bytes(&h, sizeof h);
}

static void log_text(uint32_t op, const char *a, const char *b)
{
	size_t na = strlen(a) + 1, nb = b ? strlen(b) + 1 : 0;
	log_head(op, 0, 0, na + nb, 0);
	log_bytes(a, na);
	if (b)
		log_bytes(b, nb);
}

__attribute__((constructor)) static void start(void)
{
	const char *path = getenv(NSR_ENV_LOG), *dir = getenv(NSR_ENV_DIR);
	struct stat st;
	if (!path || !dir)
		return;
	if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
		die("$" NSR_ENV_DIR " is not a folder");
	dir_dev = st.st_dev;
	dir_ino = st.st_ino;
	log_fd = REAL(open)(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if (log_fd < 0)
		die("cannot open $" NSR_ENV_LOG);
}

void ns_crashrec_exit_after(unsigned n)
{
	exit_after = n;
}

/* Log a barrier on @ino (0: the folder). */
static void barrier(uint32_t op, uint64_t ino, uint32_t flags)
{
	log_head(op, ino, 0, 0, flags);
	if (exit_after && --exit_after == 0)
		_exit(0);
}

void ns_crashrec_mark(const char *text)
{
	if (log_fd < 0)
		return;
	pthread_mutex_lock(&lock);
	log_text(NSR_MARK, text, NULL);
	pthread_mutex_unlock(&lock);
}

/* The name of @path in the watched folder, or NULL when it lies elsewhere. */
static const char *watched_name(int dirfd, const char *path)
{
	const char *slash = strrchr(path, '/');
	char parent[PATH_MAX] = ".";
	size_t n = slash ? (slash == path ? 1 : (size_t)(slash - path)) : 0;
	struct stat st;
	if (n >= sizeof parent)
		return NULL;
	if (slash) {
		memcpy(parent, path, n);
		parent[n] = 0;
	}
	if (fstatat(dirfd, parent, &st, 0) != 0 || st.st_dev != dir_dev || st.st_ino != dir_ino)
		return NULL;
	return slash ? slash + 1 : path;
}

static int tracked(int fd)
{
	return log_fd >= 0 && fd >= 0 && fd < FD_MAX && fds[fd].kind != FD_NONE;
}

/* After a successful open: follow @fd if it is the folder or one of its files. */
static void opened(int fd, int dirfd, const char *path, int flags, int existed)
{
	const char *name;
	struct stat st;
	uint32_t f = 0;
	if (fstat(fd, &st) != 0)
		return;
	if (S_ISDIR(st.st_mode) && st.st_dev == dir_dev && st.st_ino == dir_ino) {
		if (fd < FD_MAX)
			fds[fd] = (__typeof__(fds[0])){ 0, FD_DIR, 0, 0 };
		return;
	}
	if (!S_ISREG(st.st_mode) || !(name = watched_name(dirfd, path)))
		return;
	if (fd >= FD_MAX) {
		log_text(NSR_UNSUPPORTED, "a file descriptor beyond the recorder's table", NULL);
		return;
	}
	fds[fd].kind = FD_FILE;
	fds[fd].ino = st.st_ino;
	fds[fd].dsync = !!(flags & (O_DSYNC | O_SYNC));
	fds[fd].append = !!(flags & O_APPEND);
	if ((flags & O_CREAT) && !existed)
		f |= NSR_F_CREATED;
	if (flags & O_TRUNC)
		f |= NSR_F_TRUNC;
	if (fds[fd].dsync)
		f |= NSR_F_DSYNC;
	log_head(NSR_OPEN, st.st_ino, 0, strlen(name) + 1, f);
	log_bytes(name, strlen(name) + 1);
}

static int do_open(int dirfd, const char *path, int flags, mode_t mode)
{
	struct stat st;
	int fd, existed;
	if (log_fd < 0)
		return dirfd == AT_FDCWD ? REAL(open)(path, flags, mode)
					 : REAL(openat)(dirfd, path, flags, mode);
	pthread_mutex_lock(&lock);
	existed = fstatat(dirfd, path, &st, 0) == 0;
	fd = dirfd == AT_FDCWD ? REAL(open)(path, flags, mode) : REAL(openat)(dirfd, path, flags, mode);
	if (fd >= 0)
		opened(fd, dirfd, path, flags, existed);
	pthread_mutex_unlock(&lock);
	return fd;
}

/* The mode argument exists only with O_CREAT or O_TMPFILE. */
#define MODE_ARG(flags, mode)                                                  \
	do {                                                                   \
		va_list ap;                                                    \
		va_start(ap, flags);                                           \
		if (((flags) & O_CREAT) || ((flags) & O_TMPFILE) == O_TMPFILE) \
			mode = (mode_t)va_arg(ap, int);                        \
		va_end(ap);                                                    \
	} while (0)

int open(const char *path, int flags, ...)
{
	mode_t mode = 0;
	MODE_ARG(flags, mode);
	return do_open(AT_FDCWD, path, flags, mode);
}

int open64(const char *path, int flags, ...)
{
	mode_t mode = 0;
	MODE_ARG(flags, mode);
	return do_open(AT_FDCWD, path, flags, mode);
}

int openat(int dirfd, const char *path, int flags, ...)
{
	mode_t mode = 0;
	MODE_ARG(flags, mode);
	return do_open(dirfd, path, flags, mode);
}

int openat64(int dirfd, const char *path, int flags, ...)
{
	mode_t mode = 0;
	MODE_ARG(flags, mode);
	return do_open(dirfd, path, flags, mode);
}

int close(int fd)
{
	if (log_fd >= 0 && fd >= 0 && fd < FD_MAX) {
		pthread_mutex_lock(&lock);
		fds[fd].kind = FD_NONE;
		pthread_mutex_unlock(&lock);
	}
	return REAL(close)(fd);
}

static int duplicated(int from, int to)
{
	if (to >= 0 && tracked(from)) {
		if (to < FD_MAX)
			fds[to] = fds[from];
		else
			log_text(NSR_UNSUPPORTED, "a duplicate beyond the recorder's table", NULL);
	} else if (to >= 0 && to < FD_MAX) {
		fds[to].kind = FD_NONE;
	}
	return to;
}

int dup(int fd)
{
	int r;
	pthread_mutex_lock(&lock);
	r = duplicated(fd, REAL(dup)(fd));
	pthread_mutex_unlock(&lock);
	return r;
}

int dup2(int fd, int to)
{
	int r;
	pthread_mutex_lock(&lock);
	r = duplicated(fd, REAL(dup2)(fd, to));
	pthread_mutex_unlock(&lock);
	return r;
}

/* Log what a write of @done bytes from @iov at @off put in the file. */
static void wrote(int fd, const struct iovec *iov, int n, off_t off, ssize_t done)
{
	size_t left;
	if (done <= 0)
		return;
	if (fds[fd].append)
		log_text(NSR_UNSUPPORTED, "a write on an O_APPEND file", NULL);
	log_head(NSR_WRITE, fds[fd].ino, (uint64_t)off, (uint64_t)done, 0);
	left = (size_t)done;
	for (int i = 0; i < n && left; i++) {
		size_t k = iov[i].iov_len < left ? iov[i].iov_len : left;
		log_bytes(iov[i].iov_base, k);
		left -= k;
	}
	if (fds[fd].dsync)
		barrier(NSR_SYNC, fds[fd].ino, NSR_F_DSYNC);
}

static ssize_t do_write(int fd, const struct iovec *iov, int n, off_t off, int positioned)
{
	ssize_t r;
	off_t at = off;
	pthread_mutex_lock(&lock);
	if (!positioned)
		at = lseek(fd, 0, SEEK_CUR);
	if (positioned)
		r = n == 1 ? REAL(pwrite)(fd, iov[0].iov_base, iov[0].iov_len, off)
			   : REAL(pwritev)(fd, iov, n, off);
	else
		r = n == 1 ? REAL(write)(fd, iov[0].iov_base, iov[0].iov_len)
			   : REAL(writev)(fd, iov, n);
	if (at < 0 && r > 0)
		log_text(NSR_UNSUPPORTED, "a write at an unknown position", NULL);
	else
		wrote(fd, iov, n, at, r);
	pthread_mutex_unlock(&lock);
	return r;
}

ssize_t write(int fd, const void *buf, size_t n)
{
	struct iovec iov = { (void *)buf, n };
	return tracked(fd) ? do_write(fd, &iov, 1, 0, 0) : REAL(write)(fd, buf, n);
}

ssize_t pwrite(int fd, const void *buf, size_t n, off_t off)
{
	struct iovec iov = { (void *)buf, n };
	return tracked(fd) ? do_write(fd, &iov, 1, off, 1) : REAL(pwrite)(fd, buf, n, off);
}

ssize_t pwrite64(int fd, const void *buf, size_t n, off_t off)
{
	return pwrite(fd, buf, n, off);
}

ssize_t writev(int fd, const struct iovec *iov, int n)
{
	return tracked(fd) && n > 0 ? do_write(fd, iov, n, 0, 0) : REAL(writev)(fd, iov, n);
}

ssize_t pwritev(int fd, const struct iovec *iov, int n, off_t off)
{
	return tracked(fd) && n > 0 ? do_write(fd, iov, n, off, 1) : REAL(pwritev)(fd, iov, n, off);
}

ssize_t pwritev64(int fd, const struct iovec *iov, int n, off_t off)
{
	return pwritev(fd, iov, n, off);
}

int ftruncate(int fd, off_t size)
{
	int r;
	if (!tracked(fd) || fds[fd].kind != FD_FILE)
		return REAL(ftruncate)(fd, size);
	pthread_mutex_lock(&lock);
	if ((r = REAL(ftruncate)(fd, size)) == 0)
		log_head(NSR_TRUNC, fds[fd].ino, (uint64_t)size, 0, 0);
	pthread_mutex_unlock(&lock);
	return r;
}

int ftruncate64(int fd, off_t size)
{
	return ftruncate(fd, size);
}

/* A sync that succeeded is a barrier: everything written before it stays. */
static int do_sync(int fd, int (*fn)(int))
{
	int r;
	if (!tracked(fd))
		return fn(fd);
	pthread_mutex_lock(&lock);
	if ((r = fn(fd)) == 0)
		barrier(fds[fd].kind == FD_DIR ? NSR_DIRSYNC : NSR_SYNC, fds[fd].ino, 0);
	pthread_mutex_unlock(&lock);
	return r;
}

int fsync(int fd)
{
	return do_sync(fd, REAL(fsync));
}

int fdatasync(int fd)
{
	return do_sync(fd, REAL(fdatasync));
}

void *mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
	void *p;
	if (!tracked(fd) || fds[fd].kind != FD_FILE)
		return REAL(mmap)(addr, len, prot, flags, fd, off);
	pthread_mutex_lock(&lock);
	p = REAL(mmap)(addr, len, prot, flags, fd, off);
	if (p != MAP_FAILED) {
		int i = 0;
		while (i < MAPS_MAX && maps[i].addr)
			i++;
		if (i < MAPS_MAX) {
			maps[i].addr = p;
			maps[i].len = len;
			maps[i].ino = fds[fd].ino;
		}
		/* Writes through the map are invisible here. */
		if ((flags & MAP_SHARED) && (prot & PROT_WRITE))
			log_head(NSR_MAPWRITE, fds[fd].ino, 0, 0, 0);
	}
	pthread_mutex_unlock(&lock);
	return p;
}

void *mmap64(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
	return mmap(addr, len, prot, flags, fd, off);
}

int munmap(void *addr, size_t len)
{
	if (log_fd >= 0) {
		pthread_mutex_lock(&lock);
		for (int i = 0; i < MAPS_MAX; i++)
			if (maps[i].addr == addr)
				maps[i].addr = NULL;
		pthread_mutex_unlock(&lock);
	}
	return REAL(munmap)(addr, len);
}

int msync(void *addr, size_t len, int flags)
{
	int r;
	if (log_fd < 0)
		return REAL(msync)(addr, len, flags);
	pthread_mutex_lock(&lock);
	if ((r = REAL(msync)(addr, len, flags)) == 0 && (flags & MS_SYNC))
		for (int i = 0; i < MAPS_MAX; i++)
			if (maps[i].addr && (const char *)addr < maps[i].addr + maps[i].len &&
			    maps[i].addr < (const char *)addr + len)
				barrier(NSR_SYNC, maps[i].ino, 0);
	pthread_mutex_unlock(&lock);
	return r;
}

/* rename() and link(): names in the folder, or unsupported when only one
 * side is in it. */
static int two_names(uint32_t op, int (*fn)(const char *, const char *), const char *from,
		     const char *to)
{
	const char *a, *b;
	int r;
	if (log_fd < 0)
		return fn(from, to);
	pthread_mutex_lock(&lock);
	a = watched_name(AT_FDCWD, from);
	b = watched_name(AT_FDCWD, to);
	if ((r = fn(from, to)) == 0 && a && b)
		log_text(op, a, b);
	else if (r == 0 && (a || b))
		log_text(NSR_UNSUPPORTED, "a rename or link across the folder's edge", NULL);
	pthread_mutex_unlock(&lock);
	return r;
}

int rename(const char *from, const char *to)
{
	return two_names(NSR_RENAME, REAL(rename), from, to);
}

int link(const char *from, const char *to)
{
	return two_names(NSR_LINK, REAL(link), from, to);
}

int unlink(const char *path)
{
	const char *name;
	int r;
	if (log_fd < 0)
		return REAL(unlink)(path);
	pthread_mutex_lock(&lock);
	name = watched_name(AT_FDCWD, path);
	if ((r = REAL(unlink)(path)) == 0 && name)
		log_text(NSR_UNLINK, name, NULL);
	pthread_mutex_unlock(&lock);
	return r;
}
