/* SPDX-License-Identifier: MIT */
/* The memory budget of an import (plugins/common/budget.c), shared by the
 * pickle, npz and mat plugins. */
#ifndef NSNAP_PLUGINS_COMMON_BUDGET_H
#define NSNAP_PLUGINS_COMMON_BUDGET_H

#include <nsnap/plugin.h>

#include <stdint.h>

/* Every plugin names its host table so. */
extern const ns_host *host;

/* What an import may allocate: the reader's values and the network's
 * arrays, charged as they are allocated (with what the allocator and the
 * engine add), against a limit set from the file's size on disk
 * (NSP_MEMORY_FACTOR times it plus NSP_MEMORY_BASE) or by the option
 * max-memory (budget.c). A file that needs more is refused before it
 * takes it: a small file can hold few values, however many it
 * references (a shared row, a size that nothing backs). */
#define NSP_MEMORY_FACTOR 16
#define NSP_MEMORY_BASE ((uint64_t)32 << 20)
typedef struct nsp_budget {
	uint64_t limit, used;
	uint64_t file;  /* the size the limit derives from; 0: unknown yet */
	int given;      /* the limit is max-memory's */
	int growing;    /* no size on disk: the limit follows the bytes read */
} nsp_budget;

/* Set @b for an import of @path from the option max-memory of @args, else
 * from @file_size (0: unknown, then from the bytes read). NS_EINVAL for a
 * bad option. */
int nsp_budget_init(nsp_budget *b, const ns_plugin_args *args, uint64_t file_size,
		    const char *path);
/* Charge @bytes to @b: 0, or -1 (nothing charged) beyond its limit. */
int nsp_charge(nsp_budget *b, uint64_t bytes);
/* The bytes read so far, for a limit that follows them. */
void nsp_budget_read(nsp_budget *b, uint64_t bytes);
/* The end of a message about the limit: "the import's memory limit of
 * 48 MiB (16 times the file's 1.0 MiB, plus 32 MiB; -o max-memory=SIZE
 * raises it)". */
const char *nsp_budget_text(char buf[192], const nsp_budget *b);
/* @bytes as "1.5 MiB". */
const char *nsp_size_text(char buf[32], uint64_t bytes);

#endif
