/* SPDX-License-Identifier: MIT */
/* The npz plugin's private interface: NumPy's .npz (a zip of .npy
 * members), read with libzip and mapped onto a network through the pickle
 * plugin's ANNarchy layout (plugins/pickle, compiled in). */
#ifndef NSNAP_PLUGIN_NPZ_H
#define NSNAP_PLUGIN_NPZ_H

#include "pickle.h"

/* An import: the pool of the values built from the members, and what
 * lives as long as they do (the readers of object members, strings). */
typedef struct npz_ctx {
	nsp_budget budget; /* the whole import's */
	pk_reader *pool;
	pk_reader **readers;
	char **strs;
	size_t nreaders, nstrs, rcap, scap;
} npz_ctx;

typedef struct npz_member {
	const char *path; /* the file */
	const char *name; /* the member, "E.npy" */
} npz_member;

/* Keep reader @r and/or string @s (either may be NULL) until the import
 * ends; on failure they are freed. */
int npz_keep(npz_ctx *c, pk_reader *r, char *s);

/* The value of .npy member @m (its @n bytes @data), owned by @c. */
int npy_value(npz_ctx *c, pv **out, const unsigned char *data, size_t n, const npz_member *m);

/* A version 1.0 .npy header of a C-order array of @descr and @shape into
 * @out (room for @size bytes); its length in *@len. */
int npy_header(unsigned char *out, size_t size, size_t *len, const char *descr,
	       const uint64_t *shape, unsigned ndim);

#endif
