/* SPDX-License-Identifier: MIT */
/* Little-endian fields, and a bounds-checked reader of records made of
 * them: the store's version records and the engine's manifests. */
#ifndef NSNAP_COMMON_BYTES_H
#define NSNAP_COMMON_BYTES_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

static inline void ns__put_u32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}
static inline void ns__put_u64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}
static inline uint32_t ns__get_u32(const uint8_t *p)
{
	uint32_t v = 0;
	for (int i = 3; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}
static inline uint64_t ns__get_u64(const uint8_t *p)
{
	uint64_t v = 0;
	for (int i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

/* A reader over [p, end). A take past the end sets @bad and yields NULL
 * (numbers read as 0), and so does every take after it: a decoder reads
 * on and checks @bad once. */
typedef struct ns__rd {
	const uint8_t *p, *end;
	int bad;
} ns__rd;

static inline const uint8_t *ns__rd_take(ns__rd *r, size_t n)
{
	const uint8_t *p = r->p;
	if (r->bad || (size_t)(r->end - r->p) < n) {
		r->bad = 1;
		return NULL;
	}
	r->p += n;
	return p;
}
static inline unsigned ns__rd_u8(ns__rd *r)
{
	const uint8_t *p = ns__rd_take(r, 1);
	return p ? *p : 0;
}
static inline uint32_t ns__rd_u32(ns__rd *r)
{
	const uint8_t *p = ns__rd_take(r, 4);
	return p ? ns__get_u32(p) : 0;
}
static inline uint64_t ns__rd_u64(ns__rd *r)
{
	const uint8_t *p = ns__rd_take(r, 8);
	return p ? ns__get_u64(p) : 0;
}
static inline double ns__rd_f64(ns__rd *r)
{
	uint64_t bits = ns__rd_u64(r);
	double v;
	memcpy(&v, &bits, sizeof v);
	return v;
}

#endif
