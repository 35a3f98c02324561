/* SPDX-License-Identifier: MIT */
/* The power-loss replayer: see replay.h for the model. Two passes walk the
 * log in order, keeping for each file what its barriers made durable and
 * the writes since: the first counts the states of every crash point, the
 * second writes and checks the sample chosen in between. */
#include "replay.h"
#include "rec.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xxhash.h>

#include "common/util.h" /* ns__grow_array */

#define MAX_NAMES 32
#define RANDOM_SUBSETS 8 /* by default */
#define TEARS_PER_WRITE 3 /* boundaries tried per write and granularity */
#define KEEP_FAILED 3
#define META_BYTES 8192   /* LMDB's two meta pages */

struct rec {
	uint32_t op, flags, pid;
	uint64_t ino, off, len;
	const uint8_t *data;
};

struct rp_log {
	uint8_t *bytes;
	struct rec *recs;
	size_t n_recs, cap_recs;
};

struct file {
	uint64_t ino;
	const char *name; /* the name it was opened with, for messages */
	int junk;         /* mapped writable: its bytes are unknown */
	uint8_t *img;     /* what its barriers made durable */
	size_t size, cap;
	uint64_t live;    /* its size with every write */
	uint8_t *buf;     /* its bytes in the state being built */
	size_t buf_size, buf_cap;
};

/* A name operation: create (NSR_OPEN), rename, link or unlink. */
struct dirop {
	uint32_t op;
	const char *a, *b;
	size_t file;
};

struct entry {
	const char *name;
	size_t file;
};

enum kind { K_NONE, K_ALL, K_SINGLE, K_PREFIX, K_RANDOM, K_TORN, K_NAMES };

struct cand {
	enum kind kind;
	size_t a;           /* write index, prefix length, subset number, name ops */
	uint64_t from, to;  /* K_TORN: the bytes of write a that land */
	int all;            /* K_NAMES: with every unsynced write, or none */
};

struct piece {
	size_t rec;
	uint64_t from, to;
};

/* A write or truncation not yet durable. */
struct pend {
	size_t rec, file;
};

struct sim {
	rp_log *log;
	const struct rp_opts *o;
	int second;              /* the pass that checks */
	struct file *files;
	size_t n_files, cap_files;
	struct pend *pend;       /* written since their file's barrier */
	size_t n_pend, cap_pend;
	struct dirop *dops;
	size_t n_dops, cap_dops, dir_durable;
	struct entry live[MAX_NAMES];
	size_t n_live;
	const char **marks;
	size_t n_marks, cap_marks;
	struct cand *cands;
	size_t n_cands, cap_cands;
	struct piece *pieces;
	size_t n_pieces, cap_pieces;
	uint8_t *chosen;         /* per candidate of the whole run */
	size_t total, point;     /* candidates so far, wanted crash points so far */
	size_t *starts;          /* each wanted crash point's first candidate */
	size_t n_starts, cap_starts;
	size_t barrier;          /* barriers passed */
	XXH128_hash_t *seen;
	size_t n_seen, cap_seen;
	struct rp_counts counts;
	char *why;
	size_t cap;
};

__attribute__((format(printf, 2, 3))) static int fail(struct sim *m, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(m->why, m->cap, fmt, ap);
	va_end(ap);
	return -1;
}

/* A random number from @seed and @x. */
static uint64_t rnd(uint64_t seed, uint64_t x)
{
	return XXH3_64bits_withSeed(&x, sizeof x, seed);
}

/* Append @item to an array grown with ns__grow_array(); -1 without memory. */
#define PUSH(arr, n, cap, item) \
	(ns__grow_array(&(arr), &(cap), (n), sizeof *(arr)) < 0 ? -1 : ((arr)[(n)++] = (item), 0))

/* ------------------------------------------------------------- the log */

int rp_load(rp_log **out, const char *path, char *why, size_t cap)
{
	rp_log *log = calloc(1, sizeof *log);
	struct stat st;
	size_t at = 0;
	FILE *f = fopen(path, "rb");

	if (!log || !f || fstat(fileno(f), &st) != 0 ||
	    !(log->bytes = malloc((size_t)st.st_size + 1)) ||
	    fread(log->bytes, 1, (size_t)st.st_size, f) != (size_t)st.st_size) {
		snprintf(why, cap, "log '%s': %s", path, strerror(errno));
		goto fail;
	}
	while (at < (size_t)st.st_size) {
		struct nsr_head h;
		struct rec r;
		if ((size_t)st.st_size - at < sizeof h)
			break;
		memcpy(&h, log->bytes + at, sizeof h);
		if (h.magic != NSR_MAGIC || h.len > (size_t)st.st_size - at - sizeof h)
			break;
		r = (struct rec){ h.op, h.flags, h.pid, h.ino, h.off, h.len,
				  log->bytes + at + sizeof h };
		if (PUSH(log->recs, log->n_recs, log->cap_recs, r) < 0) {
			snprintf(why, cap, "log '%s': out of memory", path);
			goto fail;
		}
		at += sizeof h + h.len;
	}
	if (at != (size_t)st.st_size) {
		snprintf(why, cap, "log '%s': record %zu at byte %zu is damaged", path,
			 log->n_recs, at);
		goto fail;
	}
	fclose(f);
	*out = log;
	return 0;
fail:
	if (f)
		fclose(f);
	rp_free(log);
	return -1;
}

void rp_free(rp_log *log)
{
	if (!log)
		return;
	free(log->bytes);
	free(log->recs);
	free(log);
}

/* ------------------------------------------------------ the forward walk */

static struct file *file_of(struct sim *m, uint64_t ino, size_t at)
{
	/* The newest file of that inode: a freed inode's number comes back. */
	for (size_t i = m->n_files; i-- > 0;)
		if (m->files[i].ino == ino)
			return &m->files[i];
	fail(m, "record %zu: a file (inode %llu) opened before the recording began", at,
	     (unsigned long long)ino);
	return NULL;
}

static int live_find(const struct sim *m, const char *name)
{
	for (size_t i = 0; i < m->n_live; i++)
		if (strcmp(m->live[i].name, name) == 0)
			return (int)i;
	return -1;
}

/* Apply a name operation to a table of names. */
static void dir_apply(struct entry *t, size_t *n, const struct dirop *d)
{
	int at = -1;
	for (size_t i = 0; i < *n; i++)
		if (strcmp(t[i].name, d->op == NSR_RENAME || d->op == NSR_LINK ? d->b : d->a) == 0)
			at = (int)i;
	if (d->op == NSR_RENAME || d->op == NSR_LINK) {
		size_t file = d->file;
		if (at >= 0) /* replaced */
			t[at] = t[--*n];
		if (d->op == NSR_RENAME)
			for (size_t i = 0; i < *n; i++)
				if (strcmp(t[i].name, d->a) == 0)
					t[i] = t[--*n];
		if (*n < MAX_NAMES)
			t[(*n)++] = (struct entry){ d->b, file };
	} else if (d->op == NSR_UNLINK) {
		if (at >= 0)
			t[at] = t[--*n];
	} else if (at < 0 && *n < MAX_NAMES) {
		t[(*n)++] = (struct entry){ d->a, d->file };
	}
}

static int name_op(struct sim *m, size_t at, uint32_t op, const char *a, const char *b)
{
	struct dirop d = { op, a, b, 0 };
	if (op == NSR_OPEN) {
		d.file = m->n_files - 1;
	} else {
		int i = live_find(m, a);
		if (i < 0 && op != NSR_UNLINK)
			return fail(m, "record %zu: '%s' is not in the folder", at, a);
		d.file = i >= 0 ? m->live[i].file : 0;
	}
	if (m->n_live == MAX_NAMES && op != NSR_UNLINK)
		return fail(m, "record %zu: more than %d names in the folder", at, MAX_NAMES);
	dir_apply(m->live, &m->n_live, &d);
	return PUSH(m->dops, m->n_dops, m->cap_dops, d) < 0 ? fail(m, "out of memory") : 0;
}

/* Room for @size bytes in *@buf, the new ones zero. */
static int reserve(uint8_t **buf, size_t *cap, size_t used, size_t size)
{
	if (size > *cap) {
		size_t ncap = size > 2 * *cap ? size : 2 * *cap;
		uint8_t *p = realloc(*buf, ncap);
		if (!p)
			return -1;
		*buf = p;
		*cap = ncap;
	}
	if (size > used)
		memset(*buf + used, 0, size - used);
	return 0;
}

/* Apply bytes [from, to) of write or truncation @r to a file's bytes. */
static int apply(uint8_t **buf, size_t *size, size_t *cap, const struct rec *r, uint64_t from,
		 uint64_t to)
{
	if (r->op != NSR_WRITE) { /* ftruncate, or open with O_TRUNC */
		size_t size_now = r->op == NSR_TRUNC ? (size_t)r->off : 0;
		if (reserve(buf, cap, *size, size_now) < 0)
			return -1;
		*size = size_now;
		return 0;
	}
	if (r->off + to > *size) {
		if (reserve(buf, cap, *size, (size_t)(r->off + to)) < 0)
			return -1;
		*size = (size_t)(r->off + to);
	}
	memcpy(*buf + r->off + from, r->data + from, (size_t)(to - from));
	return 0;
}

/* A barrier on @f: its writes so far are durable. */
static int barrier(struct sim *m, struct file *f)
{
	size_t keep = 0;
	for (size_t i = 0; i < m->n_pend; i++) {
		const struct rec *r = &m->log->recs[m->pend[i].rec];
		if (&m->files[m->pend[i].file] != f)
			m->pend[keep++] = m->pend[i];
		else if (m->second && apply(&f->img, &f->size, &f->cap, r, 0, r->len) < 0)
			return fail(m, "out of memory");
	}
	m->n_pend = keep;
	return 0;
}

static int pending(struct sim *m, size_t at, const struct file *f)
{
	struct pend p = { at, (size_t)(f - m->files) };
	return PUSH(m->pend, m->n_pend, m->cap_pend, p) < 0 ? fail(m, "out of memory") : 0;
}

static int step(struct sim *m, size_t at);
static int crash_point(struct sim *m, size_t at);

/* Whether @r is a barrier (the control of opts->no_data_sync drops the
 * fsync and fdatasync of files). */
static int is_barrier(const struct sim *m, const struct rec *r)
{
	if (r->op == NSR_SYNC)
		return !m->o->no_data_sync || (r->flags & NSR_F_DSYNC);
	return r->op == NSR_DIRSYNC;
}

static int walk(struct sim *m)
{
	for (size_t at = 0; at <= m->log->n_recs; at++) {
		const struct rec *r = at < m->log->n_recs ? &m->log->recs[at] : NULL;
		int b = r && is_barrier(m, r);
		if ((!r || b) && m->o->want(m->marks, m->n_marks, m->o->ctx) &&
		    crash_point(m, at) < 0)
			return -1;
		if (r && (b || r->op != NSR_SYNC) && step(m, at) < 0)
			return -1;
		m->barrier += b;
	}
	return 0;
}

static int step(struct sim *m, size_t at)
{
	const struct rec *r = &m->log->recs[at];
	const char *a = (const char *)r->data, *b = a + strnlen(a, r->len) + 1;
	struct file *f;

	switch (r->op) {
	case NSR_OPEN:
		if (r->flags & NSR_F_CREATED) {
			struct file nf = { .ino = r->ino, .name = a };
			if (PUSH(m->files, m->n_files, m->cap_files, nf) < 0)
				return fail(m, "out of memory");
			return name_op(m, at, NSR_OPEN, a, NULL);
		}
		if (live_find(m, a) < 0 || !(f = file_of(m, r->ino, at)))
			return fail(m, "record %zu: '%s' was in the folder before the recording "
				    "began", at, a);
		if (r->flags & NSR_F_TRUNC) {
			f->live = 0;
			return f->junk ? 0 : pending(m, at, f);
		}
		return 0;
	case NSR_WRITE:
	case NSR_TRUNC:
		if (!(f = file_of(m, r->ino, at)))
			return -1;
		if (r->op == NSR_TRUNC)
			f->live = r->off;
		else if (r->off + r->len > f->live)
			f->live = r->off + r->len;
		return f->junk ? 0 : pending(m, at, f);
	case NSR_SYNC:
		return (f = file_of(m, r->ino, at)) ? barrier(m, f) : -1;
	case NSR_DIRSYNC:
		m->dir_durable = m->n_dops;
		return 0;
	case NSR_RENAME:
	case NSR_LINK:
		return name_op(m, at, r->op, a, b);
	case NSR_UNLINK:
		return name_op(m, at, r->op, a, NULL);
	case NSR_MAPWRITE:
		if (!(f = file_of(m, r->ino, at)))
			return -1;
		f->junk = 1;
		return barrier(m, f); /* its writes no longer matter */
	case NSR_MARK:
		return PUSH(m->marks, m->n_marks, m->cap_marks, a) < 0 ? fail(m, "out of memory") : 0;
	case NSR_UNSUPPORTED:
		return fail(m, "record %zu (pid %u): the recorder saw %s", at, r->pid, a);
	}
	return fail(m, "record %zu: unknown operation %u", at, r->op);
}

/* ------------------------------------------------------- a crash point */

static const struct rec *pend_rec(const struct sim *m, size_t i)
{
	return &m->log->recs[m->pend[i].rec];
}

/* Up to TEARS_PER_WRITE multiples of @g strictly inside write @r, spread
 * over it, as offsets into the write. */
static size_t tears(uint64_t out[TEARS_PER_WRITE], const struct rec *r, uint64_t g)
{
	uint64_t first = (r->off / g + 1) * g, end = r->off + r->len, n;
	size_t k;
	if (r->op != NSR_WRITE || first >= end)
		return 0;
	n = (end - 1 - first) / g + 1;
	k = n < TEARS_PER_WRITE ? (size_t)n : TEARS_PER_WRITE;
	for (size_t i = 0; i < k; i++)
		out[i] = first + (k == 1 ? 0 : i * (n - 1) / (k - 1)) * g - r->off;
	return k;
}

static int add(struct sim *m, enum kind kind, size_t a, uint64_t from, uint64_t to, int all)
{
	struct cand c = { kind, a, from, to, all };
	return PUSH(m->cands, m->n_cands, m->cap_cands, c) < 0 ? fail(m, "out of memory") : 0;
}

/* The states of this crash point, as replay.h lists them. */
static int list_candidates(struct sim *m)
{
	static const uint64_t grains[] = { 512, 4096 };
	size_t n = m->n_pend, pages = 0;
	int rc = 0;
	for (size_t i = 0; i < n; i++) {
		const struct rec *r = pend_rec(m, i);
		pages += r->op == NSR_WRITE ? (r->off + r->len - 1) / 4096 - r->off / 4096 + 1 : 1;
	}
	m->n_cands = 0;
	rc |= add(m, K_NONE, 0, 0, 0, 0);
	if (n)
		rc |= add(m, K_ALL, 0, 0, 0, 0);
	for (size_t i = 0; n >= 2 && i < n; i++)
		rc |= add(m, K_SINGLE, i, 0, 0, 0);
	for (size_t len = 1; len < n; len++)
		rc |= add(m, K_PREFIX, len, 0, 0, 0);
	for (size_t r = 0; pages >= 2 && r < (m->o->random ? m->o->random : RANDOM_SUBSETS); r++)
		rc |= add(m, K_RANDOM, r, 0, 0, 0);
	for (size_t i = 0; i < n; i++)
		for (size_t g = 0; g < 2; g++) {
			uint64_t b[TEARS_PER_WRITE];
			size_t k = tears(b, pend_rec(m, i), grains[g]);
			for (size_t j = 0; j < k; j++) {
				rc |= add(m, K_TORN, i, 0, b[j], 0);
				rc |= add(m, K_TORN, i, b[j], pend_rec(m, i)->len, 0);
			}
		}
	for (size_t p = m->dir_durable; p < m->n_dops; p++) {
		rc |= add(m, K_NAMES, p, 0, 0, 0);
		if (n)
			rc |= add(m, K_NAMES, p, 0, 0, 1);
	}
	return rc;
}

static int piece(struct sim *m, size_t i, uint64_t from, uint64_t to)
{
	struct piece p = { i, from, to };
	return PUSH(m->pieces, m->n_pieces, m->cap_pieces, p) < 0 ? fail(m, "out of memory") : 0;
}

static int whole(struct sim *m, size_t first, size_t end)
{
	for (size_t i = first; i < end; i++)
		if (piece(m, i, 0, pend_rec(m, i)->len) < 0)
			return -1;
	return 0;
}

/* Describe pending write @i into @buf. */
static const char *write_name(const struct sim *m, size_t i, char *buf, size_t cap)
{
	const struct rec *r = pend_rec(m, i);
	const char *name = m->files[m->pend[i].file].name;
	if (r->op == NSR_WRITE)
		snprintf(buf, cap, "record %zu: %llu bytes at %llu of '%s'", m->pend[i].rec,
			 (unsigned long long)r->len, (unsigned long long)r->off, name);
	else
		snprintf(buf, cap, "record %zu: truncation of '%s' to %llu bytes", m->pend[i].rec,
			 name, (unsigned long long)(r->op == NSR_TRUNC ? r->off : 0));
	return buf;
}

/* The pieces of candidate @c, its name operations (*names) and its description. */
static int realize(struct sim *m, const struct cand *c, size_t *names, char *what, size_t cap)
{
	size_t n = m->n_pend, pages = 0, taken = 0;
	char w[160];
	uint64_t rng;
	int rc = 0;

	m->n_pieces = 0;
	*names = m->n_dops;
	switch (c->kind) {
	case K_NONE:
		snprintf(what, cap, "none of the %zu unsynced writes", n);
		break;
	case K_ALL:
		rc = whole(m, 0, n);
		snprintf(what, cap, "all %zu unsynced writes", n);
		break;
	case K_SINGLE:
		rc = whole(m, c->a, c->a + 1);
		snprintf(what, cap, "unsynced write %zu of %zu alone (%s)", c->a + 1, n,
			 write_name(m, c->a, w, sizeof w));
		break;
	case K_PREFIX:
		rc = whole(m, 0, c->a);
		snprintf(what, cap, "the first %zu of %zu unsynced writes (up to %s)", c->a, n,
			 write_name(m, c->a - 1, w, sizeof w));
		break;
	case K_RANDOM:
		rng = rnd(m->o->seed, (uint64_t)m->point << 32 ^ c->a);
		for (size_t i = 0; rc == 0 && i < n; i++) {
			const struct rec *r = pend_rec(m, i);
			uint64_t at = 0;
			do { /* a truncation is one unit */
				uint64_t end = ((r->off + at) / 4096 + 1) * 4096 - r->off;
				if (end > r->len || r->op != NSR_WRITE)
					end = r->len;
				rng = rnd(m->o->seed, rng);
				pages++;
				if (rng & 1) {
					taken++;
					rc = piece(m, i, at, end);
				}
				at = end;
			} while (rc == 0 && at < r->len);
		}
		snprintf(what, cap, "random subset %zu (seed %llu): %zu of the %zu pages of the %zu "
			 "unsynced writes", c->a, (unsigned long long)m->o->seed, taken, pages, n);
		break;
	case K_TORN:
		rc = whole(m, 0, c->a);
		if (rc == 0)
			rc = piece(m, c->a, c->from, c->to);
		snprintf(what, cap, "the first %zu of %zu unsynced writes, then write %zu torn: only "
			 "its bytes [%llu, %llu) (%s)", c->a, n, c->a + 1,
			 (unsigned long long)c->from, (unsigned long long)c->to,
			 write_name(m, c->a, w, sizeof w));
		break;
	case K_NAMES:
		*names = c->a;
		if (c->all)
			rc = whole(m, 0, n);
		snprintf(what, cap, "%s of the %zu unsynced writes", c->all ? "all" : "none", n);
		break;
	}
	if (*names < m->n_dops) {
		const struct dirop *d = &m->dops[*names];
		size_t len = strlen(what);
		snprintf(what + len, cap - len, "; of the %zu name operations since the folder's "
			 "fsync, the first %zu survive (lost first: %s '%s'%s%s)",
			 m->n_dops - m->dir_durable, *names - m->dir_durable,
			 d->op == NSR_OPEN ? "create" : d->op == NSR_RENAME ? "rename"
			 : d->op == NSR_LINK ? "link" : "unlink", d->a, d->b ? " -> " : "",
			 d->b ? d->b : "");
	}
	return rc;
}

/* ------------------------------------------------- writing and checking */

/* Whether @h was seen before (and remember it). */
static int seen(struct sim *m, XXH128_hash_t h, int *was)
{
	/* A few thousand states: a list is enough. */
	for (size_t i = 0; i < m->n_seen; i++)
		if (XXH128_isEqual(m->seen[i], h)) {
			*was = 1;
			return 0;
		}
	*was = 0;
	return PUSH(m->seen, m->n_seen, m->cap_seen, h) < 0 ? fail(m, "out of memory") : 0;
}

static int empty_dir(struct sim *m, const char *dir)
{
	char path[4096];
	struct dirent *e;
	DIR *d = opendir(dir);
	if (!d && errno == ENOENT && mkdir(dir, 0755) == 0)
		return 0;
	if (!d)
		return fail(m, "folder '%s': %s", dir, strerror(errno));
	while ((e = readdir(d)))
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0) {
			snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
			unlink(path);
		}
	closedir(d);
	return 0;
}

static int write_file(struct sim *m, const char *path, const uint8_t *data, size_t size)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	size_t done = 0;
	while (fd >= 0 && done < size) {
		ssize_t r = write(fd, data + done, size - done);
		if (r <= 0)
			break;
		done += (size_t)r;
	}
	if (fd < 0 || done < size) {
		if (fd >= 0)
			close(fd);
		return fail(m, "writing '%s': %s", path, strerror(errno));
	}
	return close(fd) == 0 ? 0 : fail(m, "writing '%s': %s", path, strerror(errno));
}

/* Build the state (the pieces, the first @names name operations) into
 * the folder; *dup when it equals a state checked before. */
static int materialize(struct sim *m, size_t names, int *dup)
{
	struct entry t[MAX_NAMES];
	size_t n = 0;
	XXH3_state_t *hs = XXH3_createState();
	static uint8_t *junk;
	static size_t junk_cap;
	int rc = 0;

	for (size_t i = 0; rc == 0 && i < m->n_files; i++) {
		struct file *f = &m->files[i];
		if ((rc = reserve(&f->buf, &f->buf_cap, 0, f->size)) == 0 && f->size)
			memcpy(f->buf, f->img, f->size);
		f->buf_size = f->size;
	}
	for (size_t i = 0; rc == 0 && i < m->n_pieces; i++) {
		const struct piece *p = &m->pieces[i];
		struct file *f = &m->files[m->pend[p->rec].file];
		rc = apply(&f->buf, &f->buf_size, &f->buf_cap, pend_rec(m, p->rec), p->from, p->to);
	}
	if (rc < 0 || !hs) {
		XXH3_freeState(hs);
		return fail(m, "out of memory");
	}
	for (size_t i = 0; i < names; i++)
		dir_apply(t, &n, &m->dops[i]);
	XXH3_128bits_reset(hs);
	for (size_t i = 0; i < n; i++) {
		const struct file *f = &m->files[t[i].file];
		uint64_t size = f->junk ? f->live : f->buf_size;
		XXH3_128bits_update(hs, t[i].name, strlen(t[i].name) + 1);
		XXH3_128bits_update(hs, &size, sizeof size);
		if (!f->junk)
			XXH3_128bits_update(hs, f->buf, f->buf_size);
	}
	rc = seen(m, XXH3_128bits_digest(hs), dup);
	XXH3_freeState(hs);
	if (rc < 0 || *dup || empty_dir(m, m->o->dir) < 0)
		return rc;
	for (size_t i = 0; i < n; i++) {
		const struct file *f = &m->files[t[i].file];
		char path[4096], first[4096];
		size_t j = 0;
		snprintf(path, sizeof path, "%s/%s", m->o->dir, t[i].name);
		while (j < i && t[j].file != t[i].file)
			j++;
		if (j < i) { /* a second name of the same file */
			snprintf(first, sizeof first, "%s/%s", m->o->dir, t[j].name);
			if (link(first, path) != 0)
				return fail(m, "linking '%s': %s", path, strerror(errno));
			continue;
		}
		if (f->junk) {
			/* Unknown bytes: what LMDB's lock file held is anyone's guess. */
			if (reserve(&junk, &junk_cap, 0, (size_t)f->live) < 0)
				return fail(m, "out of memory");
			for (size_t k = 0; k < f->live; k++)
				junk[k] = (uint8_t)(0xa5 ^ k * 31);
		}
		if (write_file(m, path, f->junk ? junk : f->buf,
			       (size_t)(f->junk ? f->live : f->buf_size)) < 0)
			return -1;
	}
	return 0;
}

static void describe_barrier(const struct sim *m, size_t at, char *buf, size_t cap)
{
	const struct rec *r = at < m->log->n_recs ? &m->log->recs[at] : NULL;
	const struct file *f = NULL;
	for (size_t i = m->n_files; r && r->op == NSR_SYNC && i-- > 0;)
		if (m->files[i].ino == r->ino) {
			f = &m->files[i];
			break;
		}
	if (!r)
		snprintf(buf, cap, "the end of the log");
	else if (r->op == NSR_DIRSYNC)
		snprintf(buf, cap, "barrier %zu (record %zu: fsync of the folder, pid %u)",
			 m->barrier, at, r->pid);
	else
		snprintf(buf, cap, "barrier %zu (record %zu: %s of '%s', pid %u)", m->barrier, at,
			 r->flags & NSR_F_DSYNC ? "the end of an O_DSYNC write" : "a sync",
			 f ? f->name : "?", r->pid);
}

static int check_one(struct sim *m, const struct cand *c, size_t at)
{
	struct rp_state st = { .barrier = m->barrier, .marks = m->marks, .n_marks = m->n_marks };
	char why[2048] = "", kept[4200];
	size_t names;
	int dup = 0;

	if (realize(m, c, &names, st.what, sizeof st.what) < 0 || materialize(m, names, &dup) < 0)
		return -1;
	if (dup) {
		m->counts.duplicates++;
		return 0;
	}
	m->counts.checked++;
	if (c->kind == K_TORN && pend_rec(m, c->a)->off < META_BYTES)
		m->counts.torn_meta++;
	describe_barrier(m, at, st.where, sizeof st.where);
	if (m->o->check(&st, m->o->ctx, why, sizeof why) == 0)
		return 0;
	if (++m->counts.failed <= m->o->show)
		fprintf(stderr, "%s: a power cut before %s fails: %s; %s\n", m->o->label, st.where,
			st.what, why);
	if (m->counts.failed <= KEEP_FAILED && m->counts.failed <= m->o->show) {
		snprintf(kept, sizeof kept, "%s-failed-%zu", m->o->dir, m->counts.failed);
		if (rename(m->o->dir, kept) == 0)
			fprintf(stderr, "%s: that state is kept in '%s'\n", m->o->label, kept);
	}
	return 0;
}

static int crash_point(struct sim *m, size_t at)
{
	if (list_candidates(m) < 0)
		return -1;
	if (!m->second && PUSH(m->starts, m->n_starts, m->cap_starts, m->total) < 0)
		return fail(m, "out of memory");
	for (size_t k = 0; m->second && k < m->n_cands; k++)
		if (m->chosen[m->total + k] && check_one(m, &m->cands[k], at) < 0)
			return -1;
	m->total += m->n_cands;
	m->point++;
	return 0;
}

/* The sample: every candidate, or within the budget the first two of
 * every crash point (nothing and everything unsynced) and others at random. */
static int choose(struct sim *m)
{
	const size_t *starts = m->starts, n_points = m->n_starts;
	size_t budget = m->o->budget, left, n_rest = 0, *rest;
	uint64_t rng = m->o->seed;
	if (!(m->chosen = calloc(m->total + 1, 1)) || !(rest = malloc((m->total + 1) * sizeof *rest)))
		return fail(m, "out of memory");
	for (size_t p = 0; p < n_points; p++) {
		size_t end = p + 1 < n_points ? starts[p + 1] : m->total;
		for (size_t k = starts[p]; k < end; k++) {
			if ((k - starts[p] < 2 && 2 * n_points <= budget) || !budget)
				m->chosen[k] = 1;
			else
				rest[n_rest++] = k;
		}
	}
	left = budget > m->total - n_rest ? budget - (m->total - n_rest) : 0;
	for (size_t i = 0; budget && i < left && i < n_rest; i++) {
		size_t j = i + (size_t)((rng = rnd(m->o->seed, rng)) % (n_rest - i)), t = rest[i];
		rest[i] = rest[j];
		rest[j] = t;
		m->chosen[rest[i]] = 1;
	}
	free(rest);
	return 0;
}

static void sim_clear(struct sim *m)
{
	for (size_t i = 0; i < m->n_files; i++) {
		free(m->files[i].img);
		free(m->files[i].buf);
	}
	free(m->files);
	free(m->pend);
	free(m->dops);
	free(m->marks);
	m->files = NULL;
	m->pend = NULL;
	m->dops = NULL;
	m->marks = NULL;
	m->n_files = m->cap_files = m->n_pend = m->cap_pend = m->n_dops = m->cap_dops = 0;
	m->n_marks = m->cap_marks = m->dir_durable = m->n_live = 0;
	m->total = m->point = m->barrier = 0;
}

int rp_run(struct rp_counts *out, rp_log *log, const struct rp_opts *o, char *why, size_t cap)
{
	struct sim m = { .log = log, .o = o, .why = why, .cap = cap };
	int rc;

	/* The first pass counts each crash point's candidates. */
	rc = walk(&m);
	m.counts.points = m.point;
	m.counts.candidates = m.total;
	if (rc == 0)
		rc = choose(&m);
	sim_clear(&m);
	m.second = 1;
	if (rc == 0 && (rc = walk(&m)) == 0 && empty_dir(&m, o->dir) == 0)
		rmdir(o->dir);
	sim_clear(&m);
	free(m.starts);
	free(m.chosen);
	free(m.cands);
	free(m.pieces);
	free(m.seen);
	*out = m.counts;
	return rc;
}
