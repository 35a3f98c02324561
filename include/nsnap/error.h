/* SPDX-License-Identifier: MIT */
/**
 * @file error.h
 * @brief Error codes and the per-thread last error.
 *
 * Every nsnap function that can fail returns an `int`: #NS_OK (0) on success
 * or one of the negative codes below. The codes have fixed values and are
 * never renumbered. Codes from LMDB, zstd, zlib or errno never escape: they
 * are translated, and the original cause is kept in the message.
 *
 * When a function fails it also records a message on the calling thread,
 * read back with ns_error_last(). The message names the object and the
 * cause, e.g. "store 'run.nsnap': revision 'v9': no such tag or branch".
 */
#ifndef NSNAP_ERROR_H
#define NSNAP_ERROR_H

#include <nsnap/api.h>

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Result codes. New codes are only ever appended. */
typedef enum ns_error_code {
	NS_OK = 0,            /**< success */
	NS_ERROR = -1,        /**< an error with no more specific code */
	NS_ENOMEM = -2,       /**< out of memory */
	NS_EINVAL = -3,       /**< invalid argument or option */
	NS_EIO = -4,          /**< an input/output error from the system */
	NS_ENOTFOUND = -5,    /**< no such file, revision, array or name */
	NS_EEXISTS = -6,      /**< already exists (a tag, a file) */
	NS_ENOTSTORE = -7,    /**< the file is not an nsnap store */
	NS_EVERSION = -8,     /**< written by a newer nsnap (format too new) */
	NS_ECORRUPT = -9,     /**< damaged data: bad hash, bad record */
	NS_EREADONLY = -10,   /**< the store was opened read-only */
	NS_EBUSY = -11,       /**< in use (open versions, a tagged version) */
	NS_EFULL = -12,       /**< no space left (disk full, map cannot grow) */
	NS_EMISMATCH = -13,   /**< stored and live structure differ */
	NS_EFORMAT = -14,     /**< a file in a bad or unknown format */
	NS_EUNSUPPORTED = -15,/**< a recognised but unsupported feature */
	NS_EPLUGIN = -16,     /**< a plugin failed to load or misbehaved */
} ns_error_code;

/** The last error recorded on this thread. */
typedef struct ns_error {
	int code;            /**< an #ns_error_code, NS_OK when none */
	const char *message; /**< never NULL; "" when no error was recorded */
} ns_error;

/**
 * The last error recorded on the calling thread.
 *
 * @return a pointer that is never NULL, valid until the next nsnap call on
 *         this thread fails or ns_error_clear() is called.
 */
NS_API const ns_error *ns_error_last(void);

/** Forget the calling thread's last error. */
NS_API void ns_error_clear(void);

/**
 * A short, static description of an error code ("no such file, revision or
 * name"), as strerror() does for errno. Unknown codes give "unknown error".
 */
NS_API const char *ns_strerror(int code);

/**
 * A progress callback: @p done of @p total units of the operation @p what
 * ("verify", "gc": chunks; "import", "export": bytes of the file; @p total
 * is 0 when unknown). It must not call nsnap.
 */
typedef void (*ns_progress_fn)(void *ctx, const char *what, uint64_t done, uint64_t total);

/**
 * Set the calling thread's progress callback (NULL to remove it). Long
 * operations call it on this thread as they go, at most every 64 KiB or
 * 256 chunks: ns_store_verify(), ns_store_gc(), ns_import() (as the file is
 * read) and ns_export() (as it is written).
 */
NS_API void ns_progress_set(ns_progress_fn fn, void *ctx);

#ifdef __cplusplus
}
#endif
#endif
