/* SPDX-License-Identifier: MIT */
/* What the power-loss workload writes: the store's settings, and the
 * arrays of each version as a function of its number, so that the checks
 * regenerate any version they find. */
#ifndef NSNAP_TESTS_CRASH_SPEC_H
#define NSNAP_TESTS_CRASH_SPEC_H

#include <nsnap/nsnap.h>

#include <stddef.h>
#include <stdint.h>

/* Small chunks and a small write batch: a few hundred KiB make a commit of
 * many chunks, and the batched versions take five transactions. */
#define CS_CHUNK 4096u
#define CS_WRITE_BATCH (64u << 10)
#define CS_STORE "s.nsnap"

/* One array of a version. Its chunks never repeat, within the array or
 * across arrays, except the chunks of "w" that versions share on purpose. */
struct cs_array {
	const char *name;
	ns_dtype dtype;
	uint64_t count;
	uint64_t version;
};

/* Whether version @n is a batched commit: more new bytes than a batch. */
int cs_batched(uint64_t n);

/* The arrays of version @n into @out; returns how many (2 or 3). */
int cs_arrays(struct cs_array out[3], uint64_t n);

/* The bytes of @a into @buf (cs_nbytes(a) of them). */
size_t cs_nbytes(const struct cs_array *a);
void cs_fill(uint8_t *buf, const struct cs_array *a);

/* Commit the arrays of version @n (*out: the number it got). */
int cs_commit(uint64_t *out, ns_store *s, uint64_t n);

/* Whether version @number of @s holds exactly the arrays of cs_arrays()
 * for @n: NS_OK, or an error with a message in @why. */
int cs_check(ns_store *s, uint64_t number, uint64_t n, char *why, size_t cap);

#endif
