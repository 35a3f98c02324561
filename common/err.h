/* SPDX-License-Identifier: MIT */
/* Internal error helpers: set the per-thread last error and return its code. */
#ifndef NSNAP_COMMON_ERR_H
#define NSNAP_COMMON_ERR_H

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
/* The LMDB result code of the last error when ns_err_lmdb() recorded it
 * (wrapping keeps it), else 0. */
int ns__err_lmdb_code(void);
/* Replace the cause that ns_err_lmdb() put at the end of the last message
 * (LMDB's text) by a formatted one, and its code by @code; returns @code. */
int ns__err_recause(int code, const char *fmt, ...) NS_PRINTF(2, 3);
/* Prefix the current message with "<context>: " and return @code. */
int ns_err_wrap(int code, const char *fmt, ...) NS_PRINTF(2, 3);

/* Options of @what (a printf format) declare @version: every version from
 * 1 to @current is accepted (an older program's options mean what they
 * meant when it was built); 0 and newer ones are refused, NS_EINVAL. */
int ns__opts_check(unsigned version, unsigned current, const char *what, ...) NS_PRINTF(3, 4);

/* Define ns_<what>_opts_init(): @type's defaults (@init), for a @version
 * from 1 to @current. */
#define NS__OPTS_INIT_FN(fn, type, init, current)                                   \
	int fn(type *opts, unsigned version)                                        \
	{                                                                           \
		static const type defaults = init;                                  \
		int rc;                                                             \
		if (!opts)                                                          \
			return ns_err(NS_EINVAL, #fn ": no options given");         \
		if ((rc = ns__opts_check(version, current, #fn)) < 0)              \
			return rc;                                                  \
		*opts = defaults;                                                   \
		opts->version = version;                                            \
		return NS_OK;                                                       \
	}

/* Report progress to the thread's ns_progress_set() callback, if any. */
void ns_progress(const char *what, uint64_t done, uint64_t total);

/* Run @expr; on a negative result keep it in rc and jump to done. */
#define NS_TRY(expr)                          \
	do {                                  \
		if ((rc = (expr)) < 0)        \
			goto done;            \
	} while (0)

#endif
