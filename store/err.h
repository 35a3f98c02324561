/* Internal error helpers: set the per-thread last error and return its code. */
#ifndef NSNAP_STORE_ERR_H
#define NSNAP_STORE_ERR_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <nsnap/error.h>

#if defined(__GNUC__)
#define NS_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define NS_PRINTF(a, b)
#endif

/* Record @code with a formatted message; returns @code. */
int ns_err(int code, const char *fmt, ...) NS_PRINTF(2, 3);
/* ns_err() with a va_list. */
int ns_err_v(int code, const char *fmt, va_list ap);
/* Record an errno value: the message ends with ": <strerror>". */
int ns_err_errno(int errnum, const char *fmt, ...) NS_PRINTF(2, 3);
/* Record an LMDB result code, translated; the message ends with LMDB's text. */
int ns_err_lmdb(int mdb_rc, const char *fmt, ...) NS_PRINTF(2, 3);
/* Whether the last error recorded was LMDB's MDB_MAP_FULL (the map, not
 * the disk, is full: growing the map helps). */
int ns_err_is_map_full(void);
/* Prefix the current message with "<context>: " and return @code. */
int ns_err_wrap(int code, const char *fmt, ...) NS_PRINTF(2, 3);

/* Report progress to the thread's ns_progress_set() callback, if any. */
void ns_progress(const char *what, uint64_t done, uint64_t total);

/* The shorter of %.15g and %.17g that reads back as @v (0.1, not
 * 0.10000000000000001), into @buf. */
const char *shortest_double(char buf[32], double v);

/* Make room in *@items (an array of @size-byte elements with room for
 * *@cap) for one more than @n, doubling it. */
int grow_array(void *items, size_t *cap, size_t n, size_t size);

/* Run @expr; on a negative result keep it in rc and jump to done. */
#define NS_TRY(expr)                          \
	do {                                  \
		if ((rc = (expr)) < 0)        \
			goto done;            \
	} while (0)

#endif
