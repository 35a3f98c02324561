/* SPDX-License-Identifier: MIT */
/* Fuzz target: the store's reader of chunk records and their decoding
 * (zstd, then unshuffling), on the bytes LMDB hands over for a chunk. A
 * shuffled chunk that decodes must be the unshuffled zstd payload. */
#include <stdio.h>
#include <stdlib.h>
#include <zstd.h>

#include "internal.h" /* store's */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Readers ask for at most an array's chunk size; the default, 1 MiB,
 * keeps runs fast. */
#define RAW_MAX ((uint64_t)1 << 20)

static void fail(const char *what)
{
	fprintf(stderr, "fuzz chunk: %s\n", what);
	abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	MDB_val val = { size, (void *)data };
	chunk_rec rec;
	uint8_t *buf, *plain;
	size_t n, w;

	if (ns__chunk_parse(&rec, &val) < 0)
		return 0;
	if (rec.payload != data + CHUNK_HEADER || rec.payload_size != size - CHUNK_HEADER ||
	    (rec.codec == NS_CODEC_RAW && rec.raw_size != rec.payload_size))
		fail("an accepted record's payload is not the rest of it");
	if (rec.raw_size > RAW_MAX)
		return 0;
	if (!(buf = malloc(rec.raw_size + 1)) || !(plain = malloc(rec.raw_size + 1)))
		fail("out of memory");
	if (ns__chunk_decode(buf, &rec, "fuzz") == NS_OK && rec.codec == NS_CODEC_ZSTD) {
		n = ZSTD_decompress(plain, rec.raw_size, rec.payload, rec.payload_size);
		if (ZSTD_isError(n) || n != rec.raw_size)
			fail("a chunk decoded that zstd does not");
		/* Byte j of element i was stored at j * count + i. */
		w = rec.shuffle > 1 ? rec.shuffle : 1;
		for (size_t i = 0; i < n; i++) {
			size_t k = i < n / w * w ? i % w * (n / w) + i / w : i;
			if (buf[i] != plain[k])
				fail("a decoded chunk is not its payload unshuffled");
		}
	}
	free(buf);
	free(plain);
	return 0;
}
