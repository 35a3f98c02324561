/* SPDX-License-Identifier: MIT */
/* Write tracking of arrays in memory (track.c; the store's
 * NS_STORE_TRACK_WRITES): which chunks are known unchanged since they were
 * last hashed. Process-wide, thread-safe. */
#ifndef NSNAP_COMMON_TRACK_H
#define NSNAP_COMMON_TRACK_H

#include <stddef.h>
#include <stdint.h>

#define NSP_TRACK_HASH 16 /* bytes of a chunk's hash (the store's) */

typedef struct ns_track ns_track;

/* 1 when this process can track writes. */
int ns__track_available(void);

/* For the chunks of @chunk bytes of [@data, @data + @size) known unchanged
 * since they were hashed: their hash into @hashes (NSP_TRACK_HASH bytes a
 * chunk) and 1 into @known (0 for the others, which the caller hashes).
 * Returns how many, and in *@out a tracker for ns__track_end() (NULL when
 * the range cannot be tracked: every @known is 0 then). */
int ns__track_begin(ns_track **out, const void *data, size_t size, size_t chunk,
		    uint8_t *hashes, uint8_t *known);
/* @hashes: every chunk's hash, the known ones included (NULL when the
 * capture failed: nothing is learnt). Accepts NULL. */
void ns__track_end(ns_track *t, const uint8_t *hashes);

/* [@data, @data + @size) is about to be written whole (a restore): stop
 * watching it, so that its writes do not fault page by page; its chunks
 * are hashed again by the next capture, as changed ones are. */
void ns__track_forget(const void *data, size_t size);

/* Not 0 when no byte of [@data, @data + @size) changed since a capture
 * tracked it: the same number as long as none changes, another after. */
uint64_t ns__track_unchanged(const void *data, size_t size);

#endif
