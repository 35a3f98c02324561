/* SPDX-License-Identifier: MIT */
#include "spec.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t mix(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ull;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

int cs_batched(uint64_t n)
{
	return n % 3 == 0;
}

int cs_arrays(struct cs_array out[3], uint64_t n)
{
	/* "w": 12 chunks, of which version n changes those with j % 4 == n % 4;
	 * "v": all new, its last chunk short; "big": 75 new chunks and a bit. */
	out[0] = (struct cs_array){ "w", NS_DTYPE_F64, 12 * CS_CHUNK / 8, n };
	out[1] = (struct cs_array){ "v", NS_DTYPE_F32, 1000 + 37 * n, n };
	if (!cs_batched(n))
		return 2;
	out[2] = (struct cs_array){ "big", NS_DTYPE_U8, 75 * CS_CHUNK + 123, n };
	return 3;
}

size_t cs_nbytes(const struct cs_array *a)
{
	return (size_t)a->count * ns_dtype_size(a->dtype);
}

void cs_fill(uint8_t *buf, const struct cs_array *a)
{
	size_t nbytes = cs_nbytes(a);
	for (size_t j = 0; j * CS_CHUNK < nbytes; j++) {
		uint64_t owner = a->version;
		uint64_t st;
		if (strcmp(a->name, "w") == 0 && j % 4 != a->version % 4)
			owner = 0; /* shared by every version */
		st = mix(mix((uint64_t)a->name[0] << 56 ^ owner << 20 ^ j));
		for (size_t o = j * CS_CHUNK; o < nbytes && o < (j + 1) * CS_CHUNK; o += 8) {
			st = mix(st);
			memcpy(buf + o, &st, nbytes - o < 8 ? nbytes - o : 8);
		}
	}
}

int cs_commit(uint64_t *out, ns_store *s, uint64_t n)
{
	ns_commit_opts o = NS_COMMIT_OPTS_INIT;
	struct cs_array a[3];
	uint8_t *data[3] = { NULL };
	ns_commit *c = NULL;
	char msg[32];
	int rc, k = cs_arrays(a, n);

	snprintf(msg, sizeof msg, "version %llu", (unsigned long long)n);
	o.message = msg;
	rc = ns_commit_new(&c, s);
	for (int i = 0; rc == NS_OK && i < k; i++) {
		if (!(data[i] = malloc(cs_nbytes(&a[i]) + 8))) {
			rc = NS_ENOMEM;
			break;
		}
		cs_fill(data[i], &a[i]);
		rc = ns_commit_add(c, a[i].name, a[i].dtype, data[i], a[i].count);
	}
	if (rc == NS_OK)
		rc = ns_commit_finish(out, c, &o);
	else
		ns_commit_free(c);
	for (int i = 0; i < k; i++)
		free(data[i]);
	return rc;
}

int cs_check(ns_store *s, uint64_t number, uint64_t n, char *why, size_t cap)
{
	struct cs_array a[3];
	ns_version *v = NULL;
	uint8_t *want = NULL, *got = NULL;
	int rc, k = cs_arrays(a, n);

	if ((rc = ns_version_open_number(&v, s, number)) < 0) {
		snprintf(why, cap, "version %llu: %s", (unsigned long long)number,
			 ns_error_last()->message);
		return rc;
	}
	if (ns_version_get_info(v)->n_arrays != (uint64_t)k) {
		snprintf(why, cap, "version %llu has %llu arrays, not %d", (unsigned long long)number,
			 (unsigned long long)ns_version_get_info(v)->n_arrays, k);
		rc = NS_ECORRUPT;
	}
	for (int i = 0; rc == NS_OK && i < k; i++) {
		size_t nbytes = cs_nbytes(&a[i]);
		ns_array_info info;
		uint64_t at = 0;
		free(want);
		free(got);
		want = malloc(nbytes + 8);
		got = malloc(nbytes + 8);
		if (!want || !got) {
			snprintf(why, cap, "out of memory");
			rc = NS_ENOMEM;
			break;
		}
		cs_fill(want, &a[i]);
		if ((rc = ns_version_array_find(&at, v, a[i].name)) < 0 ||
		    (rc = ns_version_array_at(&info, v, at)) < 0 ||
		    (rc = ns_version_read(got, nbytes, v, at, NS_READ_VERIFY)) < 0) {
			snprintf(why, cap, "version %llu, array '%s': %s", (unsigned long long)number,
				 a[i].name, ns_error_last()->message);
			break;
		}
		if (info.dtype != a[i].dtype || info.count != a[i].count ||
		    memcmp(want, got, nbytes) != 0) {
			snprintf(why, cap, "version %llu, array '%s' differs from what was "
				 "committed", (unsigned long long)number, a[i].name);
			rc = NS_ECORRUPT;
		}
	}
	free(want);
	free(got);
	ns_version_close(v);
	return rc;
}
