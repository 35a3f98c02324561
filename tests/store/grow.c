/* SPDX-License-Identifier: MIT */
/* The map grows by itself: a store mapped small takes commits far larger. */
#include <stdlib.h>
#include <string.h>

#include "util.h"

#define MB (1u << 20)

static ns_store *open_small_map(const char *name)
{
	ns_store_opts o = NS_STORE_OPTS_INIT;
	ns_store *s = NULL;
	o.flags = NS_STORE_CREATE;
	o.map_size = MB;
	NT_OK(ns_store_open(&s, nt_path(name), &o));
	return s;
}

static uint8_t *noise(size_t n, unsigned seed)
{
	uint8_t *b = malloc(n);
	uint64_t x = 0x9E3779B97F4A7C15ull * (seed + 1);
	cr_assert_not_null(b);
	for (size_t i = 0; i < n; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		b[i] = (uint8_t)x;
	}
	return b;
}

static uint64_t commit_bytes(ns_store *s, const uint8_t *data, size_t n, int *rc)
{
	ns_commit *c = NULL;
	uint64_t number = 0;
	NT_OK(ns_commit_new(&c, s));
	NT_OK(ns_commit_add(c, "noise", NS_DTYPE_BYTES, data, n));
	*rc = ns_commit_finish(&number, c, NULL);
	return number;
}

Test(store_grow, commits_larger_than_the_initial_map_succeed, .fini = nt_tmpdir_remove)
{
	ns_store *s = open_small_map("grow.nsnap");
	size_t n = 48 * MB;
	uint8_t *out = malloc(n);
	uint64_t idx;
	int rc;

	for (unsigned seed = 0; seed < 3; seed++) {
		uint8_t *data = noise(n, seed);
		ns_version *v = NULL;
		uint64_t number = commit_bytes(s, data, n, &rc);
		cr_assert_eq(rc, NS_OK, "commit %u: %s", seed, ns_error_last()->message);
		NT_OK(ns_version_open_number(&v, s, number));
		NT_OK(ns_version_array_find(&idx, v, "noise"));
		NT_OK(ns_version_read(out, n, v, idx, NS_READ_VERIFY));
		cr_assert(memcmp(out, data, n) == 0, "version %llu reads back changed",
			  (unsigned long long)number);
		ns_version_close(v);
		free(data);
	}
	NT_OK(ns_store_verify(s, NULL, NULL, NULL));
	free(out);
	ns_store_close(s);
}

Test(store_grow, a_map_that_cannot_grow_fails_cleanly_and_names_the_cause,
     .fini = nt_tmpdir_remove)
{
	ns_store *s = open_small_map("held.nsnap");
	ns_version *held = NULL;
	ns_store_stats before, after;
	uint8_t *small = noise(MB / 4, 1), *big = noise(160u * MB, 2);
	int rc;

	commit_bytes(s, small, MB / 4, &rc);
	NT_OK(rc);
	/* An open version pins the map: it cannot be remapped larger. */
	NT_OK(ns_version_open(&held, s, "HEAD"));
	NT_OK(ns_store_stats_get(&before, s));
	commit_bytes(s, big, 160u * MB, &rc);
	cr_assert_eq(rc, NS_EFULL, "got %d: %s", rc, ns_error_last()->message);
	NT_MESSAGE_HAS("close them");
	NT_OK(ns_store_stats_get(&after, s));
	cr_assert_eq(after.versions, before.versions);
	cr_assert_eq(after.chunks, before.chunks);
	ns_version_close(held);

	/* Closed, the same commit grows the map and goes through. */
	commit_bytes(s, big, 160u * MB, &rc);
	NT_OK(rc);
	free(small);
	free(big);
	ns_store_close(s);
}
