/* SPDX-License-Identifier: MIT */
/* The safe pickle reader's state, shared by its parts: the pool of values
 * and the budget they are charged to (pool.c), the input, a buffer or a
 * stream read through a window (input.c), and the pickle machine
 * (reader.c). Private to the pickle plugin (and the npz plugin, which
 * compiles it in). */
#ifndef NSNAP_PLUGIN_PICKLE_READER_H
#define NSNAP_PLUGIN_PICKLE_READER_H

#include "pickle.h"

/* Values are allocated this many at a time: a list of lists of numbers is
 * one value a number, millions of them, and a malloc each cost more than
 * the parsing. */
#define PK_SLAB 4096
/* Ints from 0 below this are shared values: the ranks of synapses, the
 * ints of BININT1 and BININT2. */
#define PK_INTS 65536
/* The stream is read this much at a time; longer strings are read
 * straight into their own buffer. */
#define PK_WINDOW ((size_t)64 << 10)
/* What the allocator adds to each block, charged with it. */
#define PK_MALLOC_OVERHEAD 16

struct pk_reader {
	/* The window p[0..n) holds the pickle's bytes from offset base; pos
	 * is the next to parse. Without a stream p is the whole pickle. */
	const unsigned char *p;
	size_t n, pos;
	uint64_t base;
	ns_istream *in;
	unsigned char *win; /* the window's buffer, reading @in */
	size_t wcap;
	int eof;
	uint64_t op;        /* the current opcode's offset */
	unsigned char opc;  /* and the opcode */
	uint64_t frame_at, frame_end; /* the last FRAME: where it is and ends */
	const char *path;
	nsp_budget *budget;
	int over;           /* an allocation met the budget's limit */
	pv **stack;
	size_t sp, scap;
	size_t *marks;
	size_t nmarks, mcap;
	pv **memo;
	size_t nmemo, nmemo_next; /* memo slots allocated; MEMOIZE's next */
	pv **slabs;               /* every value made, PK_SLAB a slab */
	size_t nslabs, slabcap;
	size_t npool;             /* values made */
	pv *none, *bools[2], **ints; /* shared values, made when first met */
	pv *packed[2];            /* the dtypes of packed lists: f64, i64 */
	int proto;
};

/* pool.c. Grow block @p of @old bytes to @size, charged to the budget;
 * NULL when refused (r->over says whether the budget refused it). */
void *pk_realloc(pk_reader *r, void *p, size_t old, size_t size);
/* Room in *@p (of *@cap elements of @elem bytes) for @need: exactly @need
 * at first (most containers are made whole), then by half again. 0, or
 * -1 when refused. */
int pk_grow(pk_reader *r, void **p, size_t *cap, size_t need, size_t elem);
/* The shared value in *@slot, made when first asked for. */
pv *pk_shared(pk_reader *r, pv **slot, pv_type t, int64_t i);
/* Give back to the pool the values among @items (the @count that an
 * APPENDS packed) that are its last ones, in order, and that nothing else
 * holds: numbers, neither memoised nor shared. Nothing else can hold them:
 * values are made on the stack, above the last mark for these, and only
 * containers made after them, the stack (APPENDS emptied it above the
 * mark) and the memo take them. */
void pk_pool_give_back(pk_reader *r, pv *const *items, size_t count);

/* input.c. The offset in the pickle of the next byte to parse. */
uint64_t pk_at(const pk_reader *r);
/* Make @len bytes available from pos: 1, 0 when the input ends first, or
 * the stream's error. */
int pk_fill(pk_reader *r, size_t len);
/* The error of a length @len declared with only @left bytes left. */
int pk_truncated(pk_reader *r, uint64_t len, uint64_t left);
/* @len bytes of input at *@out (in the window: valid until the next read). */
int pk_take(pk_reader *r, const unsigned char **out, size_t len);
/* A little-endian unsigned of @size bytes. */
int pk_take_uint(pk_reader *r, uint64_t *out, unsigned size);
/* @len bytes of input copied into a new NUL-terminated block *@out. */
int pk_take_copy(pk_reader *r, char **out, uint64_t len);
/* A text line without its newline, in the window: *@line, *@len bytes; a
 * line longer than @max is refused. */
int pk_take_line_at(pk_reader *r, const unsigned char **line, size_t *len, size_t max);
/* A short text line copied NUL-terminated into @buf of @size bytes (it
 * may hold NULs of the file: its length goes to *@len). */
int pk_take_line(pk_reader *r, char *buf, size_t size, size_t *len);

#endif
