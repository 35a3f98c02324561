/* SPDX-License-Identifier: MIT */
/* Shared helpers of the Criterion tests. */
#ifndef NSNAP_TESTS_UTIL_H
#define NSNAP_TESTS_UTIL_H

#include <criterion/criterion.h>
#include <nsnap/nsnap.h>

/* Assert that an nsnap call succeeded, printing the last error if not. */
#define NT_OK(expr)                                                          \
	do {                                                                 \
		int nt_rc_ = (expr);                                         \
		cr_assert_eq(nt_rc_, NS_OK, "%s returned %d: %s", #expr,     \
			     nt_rc_, ns_error_last()->message);              \
	} while (0)

/* Assert that an nsnap call failed with @code. */
#define NT_FAILS(code, expr)                                                 \
	do {                                                                 \
		int nt_rc_ = (expr);                                         \
		cr_assert_eq(nt_rc_, (code), "%s returned %d (%s), not %s",  \
			     #expr, nt_rc_, ns_error_last()->message, #code); \
	} while (0)

/* Assert that the last error's message contains @needle. */
#define NT_MESSAGE_HAS(needle)                                               \
	cr_assert(strstr(ns_error_last()->message, (needle)) != NULL,        \
		  "message \"%s\" lacks \"%s\"", ns_error_last()->message,   \
		  (needle))

/* A new empty folder under the test's work folder; a static buffer. */
const char *nt_tmpdir(void);

/* Remove the folder of nt_path() and its files: a .fini for tests that
 * write large stores. */
void nt_tmpdir_remove(void);

/* The folder nt_path() uses (made on first use). */
const char *nt_tmpdir_path(void);

/* "<nt_tmpdir()>/<name>" in a static buffer (one of a few rotating). */
const char *nt_path(const char *name);

/* Create a new store at nt_path(name) with @chunk_size (0 = default). */
ns_store *nt_store_new(const char *name, size_t chunk_size, ns_codec codec);

/* Commit one f64 array @name of @n values base, base+1, ...; returns the
 * version number. */
uint64_t nt_commit_f64(ns_store *s, const char *name, size_t n, double base,
		       const char *message);

/* Array @name of revision @rev, read whole with NS_READ_VERIFY into a new
 * malloc'd buffer (freed by the caller); its size goes to *nbytes. */
void *nt_read_array(ns_store *s, const char *rev, const char *name, uint64_t *nbytes);

/* A store "s.nsnap" (4 KiB chunks) with versions 1, 2, 3 in a line on the
 * current branch, each an f64 array "x". */
ns_store *nt_three_versions(void);

/* The number @rev resolves to (fails the test if it does not). */
uint64_t nt_resolve(ns_store *s, const char *rev);

/* The new_bytes of version @number. */
uint64_t nt_new_bytes(ns_store *s, uint64_t number);

/* The store's statistics (fails the test on error). */
ns_store_stats nt_stats(ns_store *s);

/* The whole file @path in a new buffer (NUL-terminated); *size its size. */
char *nt_slurp(const char *path, size_t *size);

/* Whether @p lies in a mapping of the file @path (/proc/self/maps). */
int nt_in_file_mapping(const void *p, const char *path);

/* Write @size bytes to @path (fails the test on error). */
void nt_write_file(const char *path, const void *data, size_t size);

#endif
