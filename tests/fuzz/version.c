/* SPDX-License-Identifier: MIT */
/* Fuzz target: the store's reader of version records, on the bytes LMDB
 * hands over for a version. The number the record must carry is taken from
 * it, so that inputs get past that check. What the reader accepts, the
 * store then walks without checking again (ns_version_open() indexes
 * n_meta entries and n_arrays arrays): a record accepted must hold all of
 * them, within its bytes. */
#include <stdio.h>
#include <stdlib.h>

#include "internal.h" /* store's */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fail(const char *what, uint64_t i)
{
	fprintf(stderr, "fuzz version: an accepted record %s (entry %llu)\n", what,
		(unsigned long long)i);
	abort();
}

/* A string as the record holds one: u32 length, bytes, NUL. */
static int string_in(ns__rd *r)
{
	uint32_t n = ns__rd_u32(r);
	const uint8_t *p = ns__rd_take(r, (size_t)n + 1);
	return p && p[n] == '\0';
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	MDB_val val = { size, (void *)data };
	const uint8_t *end = data + size, *p;
	version_rec rec;
	ns__rd r;

	if (ns__version_parse(&rec, &val, size >= 16 ? ns__get_u64(data + REC_NUMBER) : 0) < 0)
		return 0;
	r = (ns__rd){ rec.meta, end, 0 };
	for (uint64_t i = 0; i < rec.info.n_meta; i++)
		if (!string_in(&r) || !string_in(&r))
			fail("lacks a metadata entry it counts", i);
	if ((const uint8_t *)rec.blob < data || rec.blob_size > (size_t)(end - (const uint8_t *)rec.blob))
		fail("has a blob outside it", 0);
	p = rec.arrays;
	for (uint64_t i = 0; i < rec.info.n_arrays; i++) {
		ns_array_info a;
		if (ns__version_next_array(&a, &p, end) < 0)
			fail("lacks an array it counts", i);
		/* Every byte of the array in exactly n_chunks chunks. */
		if (a.nbytes != a.count * ns_dtype_size(a.dtype) ||
		    a.n_chunks != (a.nbytes ? (a.nbytes - 1) / a.chunk_size + 1 : 0))
			fail("has an array whose chunks do not cover its bytes", i);
		if (a.hashes < data || a.n_chunks > (uint64_t)(end - a.hashes) / NS_HASH_SIZE)
			fail("has an array whose hashes lie outside it", i);
	}
	if (p != end)
		fail("has bytes after its arrays", rec.info.n_arrays);
	return 0;
}
