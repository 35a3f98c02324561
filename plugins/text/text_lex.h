/* SPDX-License-Identifier: MIT */
/* The reader's lines and tokens: the file being read, the cursor, and
 * errors that name the file, line and column. */
#ifndef NSNAP_PLUGIN_TEXT_LEX_H
#define NSNAP_PLUGIN_TEXT_LEX_H

#include "text.h"

#include <stdint.h>

#define TX_SLOTS 6

/* A declared attribute of the object being read. */
typedef struct tx_decl {
	const char *name; /* the network's copy */
	ns_scope scope;
	ns_dtype dtype;
	uint64_t count; /* scope array: its values */
	void *data;
} tx_decl;

typedef struct tx_in {
	const char *path;
	unsigned version; /* of the file, once its header is read */
	char *buf; /* the whole file, NUL-terminated */
	size_t size;
	unsigned line;        /* of the current line, from 1 */
	const char *bol;      /* its first byte */
	const char *eol;      /* its '\n' (or the end of the file) */
	const char *p;        /* where reading is */
	int at_end;           /* past the last line */
	char *slot[TX_SLOTS]; /* names read, reused line after line */
	size_t slot_cap[TX_SLOTS];
	tx_decl *decl;
	size_t n_decl, decl_cap;
} tx_in;

/* An error at byte @at of the current line: "<file>:<line>:<col>: ...". */
int tx_fail(tx_in *r, const char *at, int code, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
#define ERR(r, at, ...) tx_fail((r), (at), NS_EFORMAT, __VA_ARGS__)
/* A host function's error @rc, placed at the current line. */
int tx_host_fail(tx_in *r, const char *at, int rc);

/* Move to the next line: 1, or 0 at the end of the file or on an error
 * (*rc). */
int tx_next_line(tx_in *r, int *rc);
/* The next line that is not blank nor a '#' comment, as tx_next_line(). */
int tx_next_content(tx_in *r, int *rc);
int tx_is_blank(const tx_in *r);
/* Bytes after the current line. */
size_t tx_bytes_left(const tx_in *r);
void tx_skip_space(tx_in *r);
/* The bare token at the cursor: from *start to the returned end. */
const char *tx_bare(tx_in *r, const char **start);
int tx_end_of_line(tx_in *r);
/* Whether the line starts with the bare keyword @word. */
int tx_keyword_is(tx_in *r, const char *word);
int tx_expect_word(tx_in *r, const char *word);
/* A name or string, bare or quoted, into r->slot[slot]; *quoted (may be
 * NULL) tells which. */
int tx_name(tx_in *r, int slot, int *quoted, const char *what);
int tx_parse_u64(tx_in *r, uint64_t *v, const char *what);
int tx_parse_i64(tx_in *r, int64_t *v, int64_t min, int64_t max);
/* A float as the writer writes it, into its bits (@is32: a float's). */
int tx_parse_float(tx_in *r, uint64_t *bits, int is32);
/* Value @i of an array of @dtype at @data. */
int tx_parse_value(tx_in *r, ns_dtype dtype, void *data, uint64_t i);

#endif
