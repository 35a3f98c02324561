/* SPDX-License-Identifier: MIT */
/* Write tracking (NS_STORE_TRACK_WRITES): which chunks of an array in memory
 * are known unchanged since they were last hashed, so that a capture need
 * not read them again.
 *
 * Linux keeps a write-protect bit in each page table entry for userfaultfd.
 * With UFFD_FEATURE_WP_ASYNC (Linux 6.7) the kernel itself clears the bit at
 * the first write to a protected page (a minor fault, about 0.7 us; no
 * handler thread), and the PAGEMAP_SCAN ioctl of /proc/self/pagemap reads
 * the bits of a range. The same mechanism replaces soft-dirty bits (CRIU,
 * Wine's write watches). It sees every write made through the page tables:
 * by any thread, or by the kernel (read() into an array); not a device's DMA
 * into pinned memory (RDMA, CUDA's pinned host buffers), so tracking is
 * something a store asks for.
 *
 * The bits are the process's, not a store's: one table for the process,
 * entries keyed by the array's address and size, holding each chunk's hash
 * and state. Only pages wholly inside the array are tracked (the others may
 * hold other data): the array's bytes in its first and last pages are kept
 * and compared instead (less than a page each). Pages of two entries never
 * overlap (a new range evicts the entries it overlaps), as
 * one entry's protection would otherwise hide another's writes.
 *
 * A chunk's states: hashed (unprotected; hashed again next time), protected
 * (its hash matched the previous one, so its pages were write-protected,
 * after it was hashed) and clean (hashed again after the protection, equal,
 * and no page written since). Only clean chunks are skipped: a write between
 * a hash and the protection that followed it is caught by the second hash.
 * A chunk that changes each time stays hashed and unprotected, so a
 * simulator pays write faults only on chunks that had stopped changing. */
#define _GNU_SOURCE
#include "track.h"

#include <pthread.h>

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifdef __linux__
#include <linux/userfaultfd.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>

/* The ABI of Linux 6.7, for headers older than the kernel. */
#ifndef UFFD_FEATURE_WP_UNPOPULATED
#define UFFD_FEATURE_WP_UNPOPULATED (1 << 13)
#endif
#ifndef UFFD_FEATURE_WP_ASYNC
#define UFFD_FEATURE_WP_ASYNC (1 << 15)
#endif
#ifndef UFFD_USER_MODE_ONLY
#define UFFD_USER_MODE_ONLY 1
#endif
#ifndef PAGEMAP_SCAN
struct page_region {
	uint64_t start, end, categories;
};
struct pm_scan_arg {
	uint64_t size, flags, start, end, walk_end, vec, vec_len, max_pages;
	uint64_t category_inverted, category_mask, category_anyof_mask, return_mask;
};
#define PAGEMAP_SCAN _IOWR('f', 16, struct pm_scan_arg)
#define PAGE_IS_WRITTEN (1 << 1)
#define PAGE_IS_PRESENT (1 << 3)
#define PAGE_IS_SWAPPED (1 << 4)
#define PM_SCAN_CHECK_WPASYNC (1 << 1)
#endif
#endif

enum { HASHED, PROTECTED, CLEAN };

struct track_entry {
	uintptr_t addr, lo, hi; /* the array; its whole pages */
	size_t size, chunk;
	uint64_t n;             /* chunks */
	uint8_t *hashes;        /* NSP_TRACK_HASH per chunk */
	uint8_t *state;         /* per chunk; its hash is valid when *valid */
	uint8_t *edges;         /* the bytes before lo, then those from hi */
	size_t head, tail;      /* their sizes */
	int valid, busy;
	uint64_t used;          /* for eviction: the table's clock when last used */
	uint64_t epoch;         /* the clock when a capture last saw a change */
};

struct ns_track {
	struct track_entry *e;
	uint8_t *dirty; /* per chunk: a page or edge written, at begin */
	uint8_t *edges; /* the edges at begin, kept at end */
	int fresh;      /* protected at begin, before any hash was taken */
};

#define MAX_ENTRIES 4096

static struct {
	pthread_mutex_t lock;
	int ready; /* 1: tracking works; -1: it does not */
	pid_t pid; /* the process that opened uffd and pagemap */
	int uffd, pagemap;
	long page;
	struct track_entry **e;
	size_t n;
	uint64_t clock;
} T = { .lock = PTHREAD_MUTEX_INITIALIZER };

#ifdef __linux__
static int wp(uintptr_t lo, uintptr_t hi, int on)
{
	struct uffdio_writeprotect w = { { lo, hi - lo }, on ? UFFDIO_WRITEPROTECT_MODE_WP : 0 };
	return hi > lo ? ioctl(T.uffd, UFFDIO_WRITEPROTECT, &w) : 0;
}

static int do_register(uintptr_t lo, uintptr_t hi)
{
	struct uffdio_register r = { { lo, hi - lo }, UFFDIO_REGISTER_MODE_WP, 0 };
	return ioctl(T.uffd, UFFDIO_REGISTER, &r);
}

static void do_unregister(uintptr_t lo, uintptr_t hi)
{
	struct uffdio_range r = { lo, hi - lo };
	/* Best effort: the memory may be unmapped or mapped anew by now. */
	if (wp(lo, hi, 0) == 0)
		ioctl(T.uffd, UFFDIO_UNREGISTER, &r);
}

static int open_uffd(void)
{
	struct uffdio_api api = { UFFD_API, UFFD_FEATURE_WP_ASYNC | UFFD_FEATURE_WP_UNPOPULATED, 0 };
	int fd = (int)syscall(SYS_userfaultfd, O_CLOEXEC | O_NONBLOCK);
	/* Without privilege, only faults from user mode (writes by the kernel
	 * are resolved asynchronously all the same). */
	if (fd < 0 && errno == EPERM)
		fd = (int)syscall(SYS_userfaultfd, O_CLOEXEC | O_NONBLOCK | UFFD_USER_MODE_ONLY);
	if (fd < 0)
		return -1;
	if (ioctl(fd, UFFDIO_API, &api) < 0 ||
	    (api.features & UFFD_FEATURE_WP_ASYNC) != UFFD_FEATURE_WP_ASYNC) {
		close(fd);
		return -1;
	}
	return fd;
}

static void entry_free(struct track_entry *e)
{
	free(e->hashes);
	free(e->state);
	free(e->edges);
	free(e);
}

/* Under T.lock: can this process track writes? */
static int ready(void)
{
	const char *env = getenv("NSNAP_TRACK");
	pid_t pid = getpid();
	if (T.ready && T.pid != pid) {
		/* A child of fork(): the descriptors are the parent's, and its
		 * registrations were not inherited. */
		if (T.uffd >= 0)
			close(T.uffd);
		if (T.pagemap >= 0)
			close(T.pagemap);
		for (size_t i = 0; i < T.n; i++)
			entry_free(T.e[i]);
		T.n = 0;
		T.ready = 0;
	}
	if (T.ready)
		return T.ready > 0;
	T.pid = pid;
	T.page = sysconf(_SC_PAGESIZE);
	T.uffd = env && !strcmp(env, "0") ? -1 : open_uffd();
	T.pagemap = T.uffd < 0 ? -1 : open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
	T.ready = T.uffd >= 0 && T.pagemap >= 0 ? 1 : -1;
	if (T.ready < 0 && T.uffd >= 0) {
		close(T.uffd);
		T.uffd = -1;
	}
	return T.ready > 0;
}

/* Mark in @dirty the chunks of @e with a page written since it was
 * protected. Returns 0, or -1 when the range is no longer what was
 * registered (unmapped, mapped anew). */
static int scan(struct track_entry *e, uint8_t *dirty)
{
	struct page_region v[256];
	uintptr_t at = e->lo;
	while (at < e->hi) {
		struct pm_scan_arg a = { .size = sizeof a,
					 .flags = PM_SCAN_CHECK_WPASYNC,
					 .start = at,
					 .end = e->hi,
					 .vec = (uintptr_t)v,
					 .vec_len = sizeof v / sizeof *v,
					 .return_mask = PAGE_IS_WRITTEN | PAGE_IS_PRESENT |
							PAGE_IS_SWAPPED };
		long got = ioctl(T.pagemap, PAGEMAP_SCAN, &a);
		if (got < 0 || a.walk_end <= at)
			return -1;
		for (long i = 0; i < got; i++) {
			uint64_t c = v[i].categories;
			/* A page neither present nor swapped lost its bit with
			 * its content (MADV_DONTNEED): count it as written. */
			if ((c & PAGE_IS_WRITTEN) || !(c & (PAGE_IS_PRESENT | PAGE_IS_SWAPPED))) {
				uint64_t first = (v[i].start - e->addr) / e->chunk;
				uint64_t last = (v[i].end - 1 - e->addr) / e->chunk;
				memset(dirty + first, 1, last - first + 1);
			}
		}
		at = a.walk_end;
	}
	return 0;
}
#else
static int ready(void)
{
	return 0;
}
static int wp(uintptr_t lo, uintptr_t hi, int on)
{
	(void)lo, (void)hi, (void)on;
	return -1;
}
static int do_register(uintptr_t lo, uintptr_t hi)
{
	(void)lo, (void)hi;
	return -1;
}
static void do_unregister(uintptr_t lo, uintptr_t hi)
{
	(void)lo, (void)hi;
}
static int scan(struct track_entry *e, uint8_t *dirty)
{
	(void)e, (void)dirty;
	return -1;
}
#endif

int ns__track_available(void)
{
	int r;
	pthread_mutex_lock(&T.lock);
	r = ready();
	pthread_mutex_unlock(&T.lock);
	return r;
}

static void entry_drop(size_t i)
{
	struct track_entry *e = T.e[i];
	do_unregister(e->lo, e->hi);
	entry_free(e);
	T.e[i] = T.e[--T.n];
}

/* Under T.lock: the entry for this array, made (and its pages registered)
 * if need be; NULL when it cannot be tracked. */
static struct track_entry *entry_get(const void *data, size_t size, size_t chunk)
{
	uintptr_t addr = (uintptr_t)data, page = (uintptr_t)T.page;
	uintptr_t lo = (addr + page - 1) & ~(page - 1), hi = (addr + size) & ~(page - 1);
	struct track_entry *e;
	size_t i, oldest = 0;

	for (i = 0; i < T.n; i++) {
		e = T.e[i];
		if (e->addr == addr && e->size == size && e->chunk == chunk)
			return e->busy ? NULL : e;
	}
	if (hi <= lo)
		return NULL;
	for (i = 0; i < T.n;) {
		e = T.e[i];
		if (e->busy && e->lo < hi && lo < e->hi)
			return NULL;
		if (e->lo < hi && lo < e->hi)
			entry_drop(i);
		else
			i++;
	}
	if (T.n == MAX_ENTRIES) {
		for (i = 1; i < T.n; i++)
			if (T.e[i]->used < T.e[oldest]->used)
				oldest = i;
		if (T.e[oldest]->busy)
			return NULL;
		entry_drop(oldest);
	}
	if (!T.e && !(T.e = malloc(MAX_ENTRIES * sizeof *T.e)))
		return NULL;
	if (!(e = calloc(1, sizeof *e)))
		return NULL;
	*e = (struct track_entry){ .addr = addr, .lo = lo, .hi = hi, .size = size, .chunk = chunk,
				   .n = (size + chunk - 1) / chunk, .head = lo - addr,
				   .tail = addr + size - hi };
	e->hashes = malloc(e->n * NSP_TRACK_HASH);
	e->state = calloc(e->n, 1);
	e->edges = calloc(e->head + e->tail + 1, 1);
	if (!e->hashes || !e->state || !e->edges || do_register(lo, hi) < 0) {
		entry_free(e);
		return NULL;
	}
	T.e[T.n++] = e;
	return e;
}

static void track_free(ns_track *t)
{
	if (t) {
		free(t->dirty);
		free(t->edges);
		free(t);
	}
}

int ns__track_begin(ns_track **out, const void *data, size_t size, size_t chunk,
		    uint8_t *hashes, uint8_t *known)
{
	struct track_entry *e;
	ns_track *t;
	int n_known = 0;

	*out = NULL;
	if (!size || !(t = calloc(1, sizeof *t)))
		return 0;
	pthread_mutex_lock(&T.lock);
	if (!ready() || !(e = entry_get(data, size, chunk)) || !(t->dirty = calloc(e->n, 1)) ||
	    !(t->edges = malloc(e->head + e->tail + 1))) {
		pthread_mutex_unlock(&T.lock);
		track_free(t);
		return 0;
	}
	/* The edges as they are, and whether they changed. */
	memcpy(t->edges, data, e->head);
	memcpy(t->edges + e->head, (const uint8_t *)data + size - e->tail, e->tail);
	if (e->head && memcmp(t->edges, e->edges, e->head))
		t->dirty[0] = 1;
	if (e->tail && memcmp(t->edges + e->head, e->edges + e->head, e->tail)) {
		/* Less than a page, so in one chunk or the last two. */
		t->dirty[(size - e->tail) / e->chunk] = 1;
		t->dirty[(size - 1) / e->chunk] = 1;
	}
	if (e->valid && scan(e, t->dirty) < 0) {
		/* Mapped anew: what was registered is gone. */
		e->valid = 0;
		if (do_register(e->lo, e->hi) < 0) {
			pthread_mutex_unlock(&T.lock);
			track_free(t);
			return 0;
		}
	}
	/* A range tracked afresh is protected before it is hashed: chunks
	 * not written by the next capture are clean then. */
	if (!e->valid) {
		t->fresh = 1;
		wp(e->lo, e->hi, 1);
	}
	for (uint64_t k = 0; k < e->n; k++) {
		known[k] = e->valid && e->state[k] == CLEAN && !t->dirty[k];
		if (known[k]) {
			memcpy(hashes + NSP_TRACK_HASH * k, e->hashes + NSP_TRACK_HASH * k,
			       NSP_TRACK_HASH);
			n_known++;
		}
	}
	e->busy = 1;
	e->used = ++T.clock;
	t->e = e;
	pthread_mutex_unlock(&T.lock);
	*out = t;
	return n_known;
}

/* Under T.lock: (un)protect the pages of chunks first..last-1 of @e (those
 * that lie wholly inside the array). A page a neighbour shares goes the
 * same way: a neighbour that finds it unprotected hashes again, and one
 * that finds it protected verifies the protection before it trusts it. */
static void protect_chunks(const struct track_entry *e, uint64_t first, uint64_t last, int on)
{
	uintptr_t page = (uintptr_t)T.page;
	uintptr_t lo = (e->addr + first * e->chunk) & ~(page - 1);
	uintptr_t hi = (e->addr + last * e->chunk + page - 1) & ~(page - 1);
	if (lo < e->lo)
		lo = e->lo;
	if (hi > e->hi)
		hi = e->hi;
	if (lo < hi)
		wp(lo, hi, on);
}

/* What becomes of chunk @k of @e hashed to @h: its next state, and in *act
 * whether its pages are to be protected (1), unprotected (0) or left. */
static int next_state(const ns_track *t, uint64_t k, const uint8_t *h, int *act)
{
	const struct track_entry *e = t->e;
	int from = e->state[k], dirty = t->dirty[k];
	*act = -1;
	if (t->fresh) /* (so an entry not valid never gets here) */
		return CLEAN;
	if (memcmp(e->hashes + NSP_TRACK_HASH * k, h, NSP_TRACK_HASH)) {
		/* Changed: spare the simulator faults on it. */
		if (from != HASHED)
			*act = 0;
		return HASHED;
	}
	if (!dirty && from != HASHED)
		return CLEAN; /* protected since its last hash, and equal */
	*act = 1; /* unprotected or written since: protect, to verify next time */
	return PROTECTED;
}

void ns__track_end(ns_track *t, const uint8_t *hashes)
{
	struct track_entry *e;
	if (!t)
		return;
	e = t->e;
	pthread_mutex_lock(&T.lock);
	if (hashes) {
		/* Runs of chunks whose pages go the same way, one ioctl a run. */
		uint64_t run = 0;
		int run_act = -1, steady = !t->fresh;
		for (uint64_t k = 0; k <= e->n; k++) {
			int act = -1;
			if (k < e->n) {
				const uint8_t *h = hashes + NSP_TRACK_HASH * k;
				e->state[k] = (uint8_t)next_state(t, k, h, &act);
				memcpy(e->hashes + NSP_TRACK_HASH * k, h, NSP_TRACK_HASH);
				steady &= e->state[k] == CLEAN && !t->dirty[k];
			}
			if (k == e->n || act != run_act) {
				if (run_act >= 0)
					protect_chunks(e, run, k, run_act);
				run = k;
				run_act = act;
			}
		}
		memcpy(e->edges, t->edges, e->head + e->tail);
		e->valid = 1;
		if (!steady)
			e->epoch = ++T.clock;
	}
	e->busy = 0;
	pthread_mutex_unlock(&T.lock);
	track_free(t);
}

uint64_t ns__track_unchanged(const void *data, size_t size)
{
	const uint8_t *p = data;
	uint64_t epoch = 0;
	pthread_mutex_lock(&T.lock);
	for (size_t i = 0, n = ready() ? T.n : 0; i < n; i++) {
		struct track_entry *e = T.e[i];
		uint8_t *dirty;
		int clean = 1;
		if (e->addr != (uintptr_t)data || e->size != size || !e->valid || e->busy)
			continue;
		for (uint64_t k = 0; k < e->n && clean; k++)
			clean = e->state[k] == CLEAN;
		clean = clean && !memcmp(p, e->edges, e->head) &&
			!memcmp(p + size - e->tail, e->edges + e->head, e->tail);
		if (clean && (dirty = calloc(e->n, 1))) {
			if (scan(e, dirty) == 0 && !memchr(dirty, 1, e->n))
				epoch = e->epoch;
			free(dirty);
		}
		break;
	}
	pthread_mutex_unlock(&T.lock);
	return epoch;
}

void ns__track_forget(const void *data, size_t size)
{
	uintptr_t lo = (uintptr_t)data, hi = lo + size;
	pthread_mutex_lock(&T.lock);
	for (size_t i = 0, n = size && ready() ? T.n : 0; i < n; i++) {
		struct track_entry *e = T.e[i];
		uint64_t first, last, k, run;
		if (e->busy || !e->valid || e->addr >= hi || lo >= e->addr + e->size)
			continue;
		first = (lo > e->addr ? lo - e->addr : 0) / e->chunk;
		last = ((hi < e->addr + e->size ? hi : e->addr + e->size) - 1 - e->addr) / e->chunk;
		/* Unprotect the chunks watched (runs of them); all are to be
		 * hashed again, as chunks that changed are. */
		for (k = first; k <= last; k++) {
			for (run = k; k <= last && e->state[k] != HASHED; k++)
				e->state[k] = HASHED;
			if (k > run)
				protect_chunks(e, run, k, 0);
		}
		e->epoch = ++T.clock;
	}
	pthread_mutex_unlock(&T.lock);
}
