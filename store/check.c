/* SPDX-License-Identifier: MIT */
/* The LMDB file's structure, checked before LMDB reads it.
 *
 * LMDB trusts its file. A page number past the end of the file, a node that
 * runs off its page or an overflow record longer than the file make it read
 * past what is mapped (SIGBUS, SIGSEGV); a page of the wrong kind trips its
 * assertions (abort). A signal handler cannot make those safe: LMDB faults
 * with cursors half moved and wild pointers that may land outside the map.
 * So nsnap checks, with bounds of its own and before LMDB uses them, the
 * parts of the file that LMDB and nsnap dereference:
 * - the two meta pages, read with pread() before LMDB maps the file;
 * - at open, in a read transaction: every branch and leaf page of every table
 *   lies in the file, has the kind its level wants and its nodes inside it;
 *   every overflow record lies in the file; no page is reached twice (free
 *   pages included), which also bounds the walk; pages past the end of the
 *   file are free (LMDB may list unwritten pages there);
 * - in verify and before compaction, also what only writers and the
 *   compacting copy read: overflow page headers, the counts in each table's
 *   record, and that every page is used or free.
 * Pages that other processes commit later are written by LMDB itself. The
 * walk reads tree pages only, not the data of overflow records, so opening
 * costs a fraction of the tables' size (a leaf holds some 100 chunk keys). */
#include "internal.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

/* LMDB 0.9's file format (lmdb/mdb.c: MDB_page, MDB_meta, MDB_db, MDB_node),
 * in host byte order as LMDB writes it. */
#define LMDB_MAGIC 0xBEEFC0DEu
#define LMDB_VERSION 1u
#define P_INVALID UINT64_MAX
#define MAX_DEPTH 32 /* LMDB's cursor stack */
#define MAX_KEY 511
enum {
	PAGE_HEADER = 16,
	PG_PGNO = 0, PG_FLAGS = 10, PG_LOWER = 12, PG_UPPER = 14, PG_PAGES = 12,
	P_BRANCH = 0x01, P_LEAF = 0x02, P_OVERFLOW = 0x04, P_META = 0x08, P_DIRTY_FLAG = 0x10,
	/* The meta record, after the page header; its first table record is the
	 * free-page table's, the second the main table's. */
	MM_MAGIC = 16, MM_VERSION = 20, MM_DBS = 40, MM_LAST_PG = 136, MM_TXNID = 144,
	META_END = 152,
	DB_PAD = 0, DB_FLAGS = 4, DB_DEPTH = 6, DB_BRANCH = 8, DB_LEAF = 16, DB_OVERFLOW = 24,
	DB_ENTRIES = 32, DB_ROOT = 40, DB_SIZE = 48,
	NODE_LO = 0, NODE_HI = 2, NODE_FLAGS = 4, NODE_KSIZE = 6, NODE_SIZE = 8,
	F_BIGDATA = 0x01, F_SUBDATA = 0x02,
};
/* Table flags that change how LMDB reads pages (duplicates, reversed keys):
 * nsnap never sets them. */
#define ODD_TABLE_FLAGS (MDB_REVERSEKEY | MDB_DUPSORT | MDB_DUPFIXED | MDB_INTEGERDUP | \
			 MDB_REVERSEDUP)

static unsigned ld16(const uint8_t *p)
{
	uint16_t v;
	memcpy(&v, p, sizeof v);
	return v;
}
static uint32_t ld32(const uint8_t *p)
{
	uint32_t v;
	memcpy(&v, p, sizeof v);
	return v;
}
static uint64_t ld64(const uint8_t *p)
{
	uint64_t v;
	memcpy(&v, p, sizeof v);
	return v;
}

static uint64_t ov_pages(uint64_t size, uint64_t psize)
{
	return (PAGE_HEADER - 1 + size) / psize + 1;
}

/* ---------------------------------------------------------- meta pages */

static int is_meta(const uint8_t *m, uint64_t pgno)
{
	return (ld16(m + PG_FLAGS) & P_META) && ld64(m + PG_PGNO) == pgno &&
	       ld32(m + MM_MAGIC) == LMDB_MAGIC;
}

static int good_psize(uint64_t p)
{
	return p >= 512 && p <= 32768 && (p & (p - 1)) == 0;
}

/* What is wrong with meta page @i (@m), or NULL. */
static const char *meta_problem(char *why, size_t n, const uint8_t *m, unsigned i,
				uint32_t psize)
{
	uint64_t last = ld64(m + MM_LAST_PG);
	if (!(ld16(m + PG_FLAGS) & P_META) || ld64(m + PG_PGNO) != i)
		return "not a meta page";
	if (ld32(m + MM_MAGIC) != LMDB_MAGIC) {
		snprintf(why, n, "bad magic number 0x%08x", (unsigned)ld32(m + MM_MAGIC));
		return why;
	}
	if (ld32(m + MM_DBS + DB_PAD) != psize) {
		snprintf(why, n, "page size %u, but the pages are %u bytes",
			 (unsigned)ld32(m + MM_DBS + DB_PAD), (unsigned)psize);
		return why;
	}
	if (last < 1 || last >= (1ull << 48) / psize) {
		snprintf(why, n, "impossible last page %llu", (unsigned long long)last);
		return why;
	}
	for (int t = 0; t < 2; t++) {
		const uint8_t *db = m + MM_DBS + t * DB_SIZE;
		uint64_t root = ld64(db + DB_ROOT);
		unsigned flags = ld16(db + DB_FLAGS);
		const char *name = t ? "the main table" : "the free-page table";
		if (root != P_INVALID && (root < 2 || root > last)) {
			snprintf(why, n, "the root page %llu of %s lies outside pages 2 to %llu",
				 (unsigned long long)root, name, (unsigned long long)last);
			return why;
		}
		if ((flags & ODD_TABLE_FLAGS) || (t == 0) != !!(flags & MDB_INTEGERKEY)) {
			snprintf(why, n, "%s has flags 0x%x", name, flags);
			return why;
		}
	}
	return NULL;
}

/* Read meta page @i of @psize bytes into @m: 1, or 0 when the file is too
 * short or the read fails. */
static int read_meta(int fd, uint64_t size, uint8_t m[META_END], uint64_t off)
{
	return size >= off + META_END && pread(fd, m, META_END, (off_t)off) == META_END;
}

int ns__check_meta(const char *path, int fd)
{
	uint8_t m[2][META_END];
	char why[160];
	const char *bad;
	struct stat st;
	uint64_t size, t0, t1, psize = 0;

	if (fstat(fd, &st) != 0)
		return ns_err_errno(errno, "store '%s'", path);
	size = (uint64_t)st.st_size;
	/* Find the page size where meta page 1 is: meta page 0 says it, unless
	 * it is the damaged one. */
	if (read_meta(fd, size, m[0], 0) && is_meta(m[0], 0) &&
	    good_psize(ld32(m[0] + MM_DBS + DB_PAD)) &&
	    read_meta(fd, size, m[1], ld32(m[0] + MM_DBS + DB_PAD)) && is_meta(m[1], 1))
		psize = ld32(m[0] + MM_DBS + DB_PAD);
	for (uint64_t p = 512; !psize && p <= 32768; p *= 2)
		if (read_meta(fd, size, m[1], p) && is_meta(m[1], 1) &&
		    ld32(m[1] + MM_DBS + DB_PAD) == p)
			psize = p;
	if (!psize) {
		if (size < 20 || !read_meta(fd, size, m[0], 0) || !is_meta(m[0], 0))
			return ns_err(NS_ENOTSTORE, "store '%s': not an nsnap store (not an LMDB "
				      "file)", path);
		psize = ld32(m[0] + MM_DBS + DB_PAD);
		if (!good_psize(psize))
			return ns_err(NS_ECORRUPT, "store '%s' is damaged: meta page 0: page size "
				      "%llu is not a power of two from 512 to 32768", path,
				      (unsigned long long)psize);
	}
	if (size < 2 * psize)
		return ns_err(NS_ECORRUPT, "store '%s' is damaged: the file has %llu bytes, less "
			      "than its two meta pages of %llu (truncated)", path,
			      (unsigned long long)size, (unsigned long long)psize);
	if (!read_meta(fd, size, m[0], 0) || !read_meta(fd, size, m[1], psize))
		return ns_err_errno(errno, "store '%s': reading", path);
	if (ld32(m[0] + MM_VERSION) == ld32(m[1] + MM_VERSION) &&
	    ld32(m[0] + MM_VERSION) != LMDB_VERSION && is_meta(m[0], 0) && is_meta(m[1], 1))
		return ns_err(NS_ENOTSTORE, "store '%s': not a readable nsnap store (LMDB data "
			      "version %u; this LMDB reads %u)", path,
			      (unsigned)ld32(m[0] + MM_VERSION), LMDB_VERSION);
	for (unsigned i = 0; i < 2; i++) {
		if (ld32(m[i] + MM_VERSION) != LMDB_VERSION && is_meta(m[i], i))
			return ns_err(NS_ECORRUPT, "store '%s' is damaged: meta page %u: LMDB data "
				      "version %u, the other's is %u", path, i,
				      (unsigned)ld32(m[i] + MM_VERSION),
				      (unsigned)ld32(m[!i] + MM_VERSION));
		if ((bad = meta_problem(why, sizeof why, m[i], i, (uint32_t)psize)))
			return ns_err(NS_ECORRUPT, "store '%s' is damaged: meta page %u: %s", path,
				      i, bad);
	}
	/* Transaction n writes meta page n % 2; a new file has 0 in both. */
	t0 = ld64(m[0] + MM_TXNID);
	t1 = ld64(m[1] + MM_TXNID);
	if (!((t0 == 0 && t1 == 0) || (t1 == t0 + 1 && t1 % 2 == 1) ||
	      (t0 == t1 + 1 && t0 % 2 == 0)))
		return ns_err(NS_ECORRUPT, "store '%s' is damaged: its meta pages are of "
			      "transactions %llu and %llu, which do not follow each other", path,
			      (unsigned long long)t0, (unsigned long long)t1);
	if (ld64(m[t0 > t1 ? 1 : 0] + MM_LAST_PG) > ld64(m[t0 > t1 ? 0 : 1] + MM_LAST_PG))
		return ns_err(NS_ECORRUPT, "store '%s' is damaged: the older meta page uses more "
			      "pages (%llu) than the newer (%llu)", path,
			      (unsigned long long)ld64(m[t0 > t1 ? 1 : 0] + MM_LAST_PG),
			      (unsigned long long)ld64(m[t0 > t1 ? 0 : 1] + MM_LAST_PG));
	return NS_OK;
}

/* ----------------------------------------------------------- the walk */

enum tree_kind { TREE_FREE, TREE_MAIN, TREE_TABLE };

struct tree {
	enum tree_kind kind;
	char name[96];
	const uint8_t *rec; /* its MDB_db record */
	unsigned depth, integer_keys;
	uint64_t branch, leaf, overflow, entries; /* counted */
};

struct walk {
	ns_store *s;
	const uint8_t *map;
	uint64_t psize, last_pg, file_pages;
	uint8_t *seen;           /* a bit per page below min(last_pg + 1, file_pages) */
	uint64_t n_seen, free_past_end;
	int full;
	int (*problem)(void *ctx, const char *message);
	void *ctx;
	int stop; /* what ends the walk: the first problem at open, or the callback's answer */
};

static int bad(struct walk *w, const char *fmt, ...) NS_PRINTF(2, 3);

/* Report a problem; returns 1, for "skip the rest of this page". */
static int bad(struct walk *w, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (!w->problem)
		w->stop = ns_err(NS_ECORRUPT, "store '%s' is damaged: %s", w->s->path, msg);
	else if (!w->stop)
		w->stop = w->problem(w->ctx, msg);
	return 1;
}

/* Mark pages [@pgno, @pgno + @n) of @t as reached: once each, inside the
 * snapshot and the file. 0, or 1 after a problem. */
static int claim(struct walk *w, const struct tree *t, uint64_t pgno, uint64_t n,
		 const char *what)
{
	if (pgno < 2 || n > w->last_pg || pgno > w->last_pg + 1 - n)
		return bad(w, "%s: %s %llu (of %llu pages) lies outside pages 2 to %llu", t->name,
			   what, (unsigned long long)pgno, (unsigned long long)n,
			   (unsigned long long)w->last_pg);
	if (pgno + n > w->file_pages)
		return bad(w, "%s: %s %llu (of %llu pages) lies past the end of the file, which "
			   "has %llu pages (truncated?)", t->name, what, (unsigned long long)pgno,
			   (unsigned long long)n, (unsigned long long)w->file_pages);
	for (uint64_t i = pgno; i < pgno + n; i++) {
		if (w->seen[i / 8] & (1u << (i % 8)))
			return bad(w, "%s: page %llu is reached twice", t->name,
				   (unsigned long long)i);
		w->seen[i / 8] |= (uint8_t)(1u << (i % 8));
	}
	return 0;
}

/* A record of the free-page table: a count, then that many page numbers in
 * descending order. */
static int check_free_list(struct walk *w, const struct tree *t, const uint8_t *v,
			   uint64_t size)
{
	uint64_t n = size / 8, prev = UINT64_MAX;
	if (size < 8 || size % 8 || ld64(v) != n - 1)
		return bad(w, "%s: a list of %llu bytes", t->name, (unsigned long long)size);
	for (uint64_t i = 1; i < n; i++) {
		uint64_t pg = ld64(v + 8 * i);
		if (pg >= prev || pg < 2 || pg > w->last_pg)
			return bad(w, "%s: free page %llu out of order or outside pages 2 to %llu",
				   t->name, (unsigned long long)pg, (unsigned long long)w->last_pg);
		prev = pg;
		if (pg >= w->file_pages) {
			w->free_past_end++;
			continue;
		}
		if (w->seen[pg / 8] & (1u << (pg % 8)))
			return bad(w, "%s: free page %llu is reached twice", t->name,
				   (unsigned long long)pg);
		w->seen[pg / 8] |= (uint8_t)(1u << (pg % 8));
	}
	return 0;
}

/* The pages of a value stored on overflow pages, from its header. */
static int check_overflow(struct walk *w, struct tree *t, uint64_t pgno, uint64_t size)
{
	const uint8_t *p = w->map + pgno * w->psize;
	uint64_t need = ov_pages(size, w->psize), pages = ld32(p + PG_PAGES);
	if (ld64(p + PG_PGNO) != pgno || ld16(p + PG_FLAGS) != P_OVERFLOW || pages < need)
		return bad(w, "%s: overflow page %llu has a bad header (number %llu, flags 0x%x, "
			   "%llu pages for %llu bytes)", t->name, (unsigned long long)pgno,
			   (unsigned long long)ld64(p + PG_PGNO), ld16(p + PG_FLAGS),
			   (unsigned long long)pages, (unsigned long long)size);
	t->overflow += pages;
	/* LMDB may leave a record longer than its value when it rewrites it. */
	return pages > need ? claim(w, t, pgno + need, pages - need, "overflow page") : 0;
}

static int walk_tree(struct walk *w, struct tree *t);

/* Leaf node @i of page @pgno (@p), at @off: its value. */
static int check_leaf_node(struct walk *w, struct tree *t, const uint8_t *p, uint64_t pgno,
			   unsigned i, unsigned off)
{
	const uint8_t *node = p + off, *v = node + NODE_SIZE + ld16(node + NODE_KSIZE);
	uint64_t size = ld16(node + NODE_LO) | (uint64_t)ld16(node + NODE_HI) << 16;
	uint64_t room = w->psize - off - NODE_SIZE - ld16(node + NODE_KSIZE);
	unsigned flags = ld16(node + NODE_FLAGS);
	struct tree sub;

	t->entries++;
	if ((flags & ~(unsigned)(F_BIGDATA | F_SUBDATA)) || flags == (F_BIGDATA | F_SUBDATA) ||
	    ((flags & F_SUBDATA) && t->kind != TREE_MAIN))
		return bad(w, "%s: page %llu: node %u has flags 0x%x", t->name,
			   (unsigned long long)pgno, i, flags);
	if (flags & F_BIGDATA) {
		uint64_t ov;
		if (room < 8)
			return bad(w, "%s: page %llu: node %u runs past the end of the page", t->name,
				   (unsigned long long)pgno, i);
		ov = ld64(v);
		if (claim(w, t, ov, ov_pages(size, w->psize), "overflow page") ||
		    (w->full && check_overflow(w, t, ov, size)))
			return 1;
		if (!w->full)
			t->overflow += ov_pages(size, w->psize);
		v = w->map + ov * w->psize + PAGE_HEADER;
	} else if (size > room) {
		return bad(w, "%s: page %llu: the value of node %u (%llu bytes) runs past the end "
			   "of the page", t->name, (unsigned long long)pgno, i,
			   (unsigned long long)size);
	}
	if (t->kind == TREE_FREE)
		return check_free_list(w, t, v, size);
	if (!(flags & F_SUBDATA))
		return 0;
	if (size != DB_SIZE)
		return bad(w, "%s: page %llu: the record of table '%.*s' has %llu bytes", t->name,
			   (unsigned long long)pgno, (int)ld16(node + NODE_KSIZE),
			   (const char *)node + NODE_SIZE, (unsigned long long)size);
	memset(&sub, 0, sizeof sub);
	sub.kind = TREE_TABLE;
	sub.rec = v;
	snprintf(sub.name, sizeof sub.name, "table '%.*s'", (int)ld16(node + NODE_KSIZE),
		 (const char *)node + NODE_SIZE);
	return walk_tree(w, &sub);
}

/* Page @pgno of @t at @level (1 is the root) and what hangs from it. */
static int walk_page(struct walk *w, struct tree *t, uint64_t pgno, unsigned level)
{
	const uint8_t *p;
	unsigned flags, lower, upper, n, want;

	if (claim(w, t, pgno, 1, "page"))
		return 1;
	p = w->map + pgno * w->psize;
	flags = ld16(p + PG_FLAGS);
	lower = ld16(p + PG_LOWER);
	upper = ld16(p + PG_UPPER);
	want = level < t->depth ? P_BRANCH : P_LEAF;
	if (ld64(p + PG_PGNO) != pgno)
		return bad(w, "%s: page %llu says it is page %llu", t->name,
			   (unsigned long long)pgno, (unsigned long long)ld64(p + PG_PGNO));
	if (flags != want)
		return bad(w, "%s: page %llu has flags 0x%x where a %s page belongs (level %u of "
			   "%u)", t->name, (unsigned long long)pgno, flags,
			   want == P_BRANCH ? "branch" : "leaf", level, t->depth);
	n = (lower - PAGE_HEADER) / 2;
	if (lower < PAGE_HEADER || lower > upper || upper > w->psize || lower % 2 ||
	    n < (want == P_LEAF || t->kind == TREE_FREE ? 1u : 2u))
		return bad(w, "%s: page %llu: bad bounds %u and %u of its nodes", t->name,
			   (unsigned long long)pgno, lower, upper);
	if (want == P_BRANCH)
		t->branch++;
	else
		t->leaf++;
	for (unsigned i = 0; i < n && !w->stop; i++) {
		unsigned off = ld16(p + PAGE_HEADER + 2 * i), ksize;
		const uint8_t *node = p + off;
		if (off < upper || off % 2 || off > w->psize - NODE_SIZE)
			return bad(w, "%s: page %llu: node %u at offset %u lies outside the page's "
				   "nodes", t->name, (unsigned long long)pgno, i, off);
		ksize = ld16(node + NODE_KSIZE);
		if (ksize > w->psize - off - NODE_SIZE)
			return bad(w, "%s: page %llu: node %u runs past the end of the page", t->name,
				   (unsigned long long)pgno, i);
		/* A branch's first key is never compared (LMDB leaves it empty). */
		if ((want == P_LEAF || i > 0) &&
		    (ksize < 1 || ksize > MAX_KEY || (t->integer_keys && ksize != 8)))
			return bad(w, "%s: page %llu: node %u has a key of %u bytes", t->name,
				   (unsigned long long)pgno, i, ksize);
		if (want == P_LEAF)
			check_leaf_node(w, t, p, pgno, i, off);
		else
			walk_page(w, t, ld16(node + NODE_LO) | (uint64_t)ld16(node + NODE_HI) << 16 |
				  (uint64_t)ld16(node + NODE_FLAGS) << 32, level + 1);
	}
	return 0;
}

static int walk_tree(struct walk *w, struct tree *t)
{
	const uint8_t *r = t->rec;
	uint64_t root = ld64(r + DB_ROOT);
	unsigned flags = ld16(r + DB_FLAGS);

	t->depth = ld16(r + DB_DEPTH);
	t->integer_keys = !!(flags & MDB_INTEGERKEY);
	if (t->kind == TREE_TABLE && (flags & ~(unsigned)MDB_INTEGERKEY))
		return bad(w, "%s has flags 0x%x (duplicate keys or reverse order)", t->name, flags);
	if ((root == P_INVALID) != (t->depth == 0) || t->depth > MAX_DEPTH)
		return bad(w, "%s: root page %llu at depth %u", t->name, (unsigned long long)root,
			   t->depth);
	if (root != P_INVALID)
		walk_page(w, t, root, 1);
	if (!w->full || w->stop)
		return 0;
	if (t->branch != ld64(r + DB_BRANCH) || t->leaf != ld64(r + DB_LEAF) ||
	    t->overflow != ld64(r + DB_OVERFLOW) || t->entries != ld64(r + DB_ENTRIES))
		return bad(w, "%s: its record counts %llu branch, %llu leaf and %llu overflow pages "
			   "and %llu entries, the pages hold %llu, %llu, %llu and %llu", t->name,
			   (unsigned long long)ld64(r + DB_BRANCH), (unsigned long long)ld64(r + DB_LEAF),
			   (unsigned long long)ld64(r + DB_OVERFLOW),
			   (unsigned long long)ld64(r + DB_ENTRIES), (unsigned long long)t->branch,
			   (unsigned long long)t->leaf, (unsigned long long)t->overflow,
			   (unsigned long long)t->entries);
	return 0;
}

/* After the walk: each page is used or free. */
static void check_accounting(struct walk *w)
{
	uint64_t past = w->last_pg + 1 > w->file_pages ? w->last_pg + 1 - w->file_pages : 0;
	uint64_t lost = 0, first = 0;
	if (w->free_past_end != past)
		bad(w, "the file has %llu pages and the last transaction %llu, but %llu of the "
		    "pages past the end of the file are free, not %llu (truncated?)",
		    (unsigned long long)w->file_pages, (unsigned long long)w->last_pg + 1,
		    (unsigned long long)w->free_past_end, (unsigned long long)past);
	if (!w->full || w->stop)
		return;
	for (uint64_t i = 2; i < w->n_seen; i++)
		if (!(w->seen[i / 8] & (1u << (i % 8))) && !lost++)
			first = i;
	if (lost)
		bad(w, "%llu pages (the first is page %llu) are neither used nor free",
		    (unsigned long long)lost, (unsigned long long)first);
}

int ns__check_pages(ns_store *s, int full, int (*problem)(void *ctx, const char *message),
		    void *ctx)
{
	struct walk w = { .s = s, .full = full, .problem = problem, .ctx = ctx };
	struct tree free_tree = { .kind = TREE_FREE, .name = "the free-page table" };
	struct tree main_tree = { .kind = TREE_MAIN, .name = "the main table" };
	MDB_stat st;
	MDB_txn *txn = NULL;
	struct stat fst;
	const uint8_t *meta = NULL;
	void *map = MAP_FAILED;
	int rc, fd;

	/* The transaction pins the snapshot, whose pages are read through a
	 * mapping of the file's own (LMDB does not tell where its map is). */
	NS_TRY(ns__store_txn_begin(&txn, s, MDB_RDONLY));
	mdb_env_stat(s->env, &st);
	if (mdb_env_get_fd(s->env, &fd) != 0 || fstat(fd, &fst) != 0 ||
	    (map = mmap(NULL, (size_t)fst.st_size, PROT_READ, MAP_SHARED, fd, 0)) == MAP_FAILED) {
		rc = ns_err_errno(errno, "store '%s': checking its pages", s->path);
		goto done;
	}
	w.map = map;
	w.psize = st.ms_psize;
	w.file_pages = (uint64_t)fst.st_size / w.psize;
	for (int i = 0; i < 2 && (uint64_t)i < w.file_pages; i++)
		if (ld64(w.map + i * w.psize + MM_TXNID) == mdb_txn_id(txn))
			meta = w.map + i * w.psize;
	if (!meta) {
		rc = ns_err(NS_ECORRUPT, "store '%s' is damaged: no meta page of transaction %llu",
			    s->path, (unsigned long long)mdb_txn_id(txn));
		goto done;
	}
	w.last_pg = ld64(meta + MM_LAST_PG);
	w.n_seen = w.last_pg + 1 < w.file_pages ? w.last_pg + 1 : w.file_pages;
	if (!(w.seen = calloc(w.n_seen / 8 + 1, 1))) {
		rc = ns_err(NS_ENOMEM, "store '%s': checking its pages: out of memory", s->path);
		goto done;
	}
	free_tree.rec = meta + MM_DBS;
	main_tree.rec = meta + MM_DBS + DB_SIZE;
	walk_tree(&w, &free_tree);
	if (!w.stop)
		walk_tree(&w, &main_tree);
	if (!w.stop)
		check_accounting(&w);
	rc = w.stop;
done:
	ns__store_txn_end(s, txn, 0, &rc);
	if (map != MAP_FAILED)
		munmap(map, (size_t)fst.st_size);
	free(w.seen);
	return rc;
}

int ns__check_value(ns_store *s, size_t key_size, const MDB_val *v, const char *what)
{
	MDB_envinfo info;
	MDB_stat st;
	const uint8_t *p = (const uint8_t *)v->mv_data - PAGE_HEADER;
	uint64_t pgno, pages, node_max;

	mdb_env_info(s->env, &info);
	mdb_env_stat(s->env, &st);
	/* LMDB 0.9 keeps a value in its leaf unless the node (8 bytes, the key,
	 * the value) exceeds me_nodemax; then it is an overflow record whose
	 * page header comes right before it, on the map or, when this
	 * transaction wrote it, on a page of LMDB's own (flagged dirty). */
	node_max = (((st.ms_psize - PAGE_HEADER) / 2) & ~(uint64_t)1) - 2;
	if (8 + key_size + v->mv_size <= node_max)
		return NS_OK;
	pgno = ld64(p + PG_PGNO);
	pages = ld32(p + PG_PAGES);
	if (ld16(p + PG_FLAGS) == (P_OVERFLOW | P_DIRTY_FLAG))
		return NS_OK;
	if (ld16(p + PG_FLAGS) == P_OVERFLOW && pages >= ov_pages(v->mv_size, st.ms_psize) &&
	    pgno >= 2 && pages <= info.me_last_pgno + 1 && pgno <= info.me_last_pgno + 1 - pages)
		return NS_OK;
	return ns_err(NS_ECORRUPT, "store '%s' is damaged: %s: overflow page %llu has a bad "
		      "header (flags 0x%x, %llu pages for %zu bytes); 'nsnap verify' tells more",
		      s->path, what, (unsigned long long)pgno, ld16(p + PG_FLAGS),
		      (unsigned long long)pages, v->mv_size);
}
