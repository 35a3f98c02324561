/* SPDX-License-Identifier: MIT */
#include "err.h"

#include <errno.h>
#include <lmdb.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define MESSAGE_MAX 1024

static _Thread_local char message[MESSAGE_MAX];
static _Thread_local ns_error last = { NS_OK, "" };
static _Thread_local int lmdb_code; /* of the last error, when LMDB's */

static int set_v(int code, const char *suffix, const char *fmt, va_list ap)
{
	int n = vsnprintf(message, sizeof message, fmt, ap);
	if (n < 0)
		n = 0;
	if (suffix && (size_t)n < sizeof message)
		snprintf(message + n, sizeof message - (size_t)n, ": %s", suffix);
	last.code = code;
	last.message = message;
	lmdb_code = 0;
	return code;
}

int ns_err_v(int code, const char *fmt, va_list ap)
{
	return set_v(code, NULL, fmt, ap);
}

int ns_err(int code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	set_v(code, NULL, fmt, ap);
	va_end(ap);
	return code;
}

static int from_errno(int errnum)
{
	switch (errnum) {
	case ENOENT: return NS_ENOTFOUND;
	case ENOMEM: return NS_ENOMEM;
	case EEXIST: return NS_EEXISTS;
	case EINVAL: return NS_EINVAL;
	case ENOSPC:
	case EDQUOT:
	case EFBIG: return NS_EFULL;
	case EROFS:
	case EACCES:
	case EPERM: return NS_EREADONLY;
	case EAGAIN:
	case EBUSY: return NS_EBUSY;
	default: return NS_EIO;
	}
}

int ns_err_errno(int errnum, const char *fmt, ...)
{
	va_list ap;
	int code = from_errno(errnum);
	va_start(ap, fmt);
	set_v(code, strerror(errnum), fmt, ap);
	va_end(ap);
	return code;
}

static int from_lmdb(int rc)
{
	switch (rc) {
	case MDB_NOTFOUND: return NS_ENOTFOUND;
	case MDB_KEYEXIST: return NS_EEXISTS;
	case MDB_MAP_FULL:
	case MDB_TXN_FULL:
	case MDB_PAGE_FULL: return NS_EFULL;
	case MDB_READERS_FULL:
	case MDB_MAP_RESIZED:
	case MDB_BAD_RSLOT: return NS_EBUSY;
	case MDB_CORRUPTED:
	case MDB_PAGE_NOTFOUND:
	case MDB_INVALID:
	case MDB_BAD_VALSIZE: return NS_ECORRUPT;
	case MDB_VERSION_MISMATCH: return NS_EVERSION;
	case MDB_INCOMPATIBLE:
	case MDB_DBS_FULL: return NS_ENOTSTORE;
	default: return rc > 0 ? from_errno(rc) : NS_ERROR;
	}
}

int ns_err_lmdb(int mdb_rc, const char *fmt, ...)
{
	va_list ap;
	int code = from_lmdb(mdb_rc);
	va_start(ap, fmt);
	set_v(code, mdb_strerror(mdb_rc), fmt, ap);
	va_end(ap);
	lmdb_code = mdb_rc;
	return code;
}

int ns_err_wrap(int code, const char *fmt, ...)
{
	char old[MESSAGE_MAX];
	va_list ap;
	int n;
	memcpy(old, message, sizeof old);
	va_start(ap, fmt);
	n = vsnprintf(message, sizeof message, fmt, ap);
	va_end(ap);
	if (n >= 0 && (size_t)n < sizeof message)
		snprintf(message + n, sizeof message - (size_t)n, ": %.900s", old);
	last.code = code;
	last.message = message;
	return code;
}

int ns_err_is_map_full(void)
{
	return lmdb_code == MDB_MAP_FULL && last.code == NS_EFULL;
}

int ns__err_lmdb_code(void)
{
	return lmdb_code;
}

int ns__err_recause(int code, const char *fmt, ...)
{
	const char *text = mdb_strerror(lmdb_code);
	size_t n = strlen(message), len = strlen(text);
	va_list ap;
	/* Cut ": <LMDB's text>" off the end; wrapping only adds in front. */
	if (lmdb_code && n >= len + 2 && strcmp(message + n - len, text) == 0 &&
	    message[n - len - 2] == ':')
		n -= len + 2;
	if (n + 2 < sizeof message) {
		memcpy(message + n, ": ", 3);
		va_start(ap, fmt);
		vsnprintf(message + n + 2, sizeof message - n - 2, fmt, ap);
		va_end(ap);
	}
	last.code = code;
	lmdb_code = 0;
	return code;
}

const ns_error *ns_error_last(void)
{
	return &last;
}

void ns_error_clear(void)
{
	message[0] = '\0';
	lmdb_code = 0;
	last.code = NS_OK;
	last.message = message;
}

const char *ns_strerror(int code)
{
	switch (code) {
	case NS_OK: return "success";
	case NS_ERROR: return "error";
	case NS_ENOMEM: return "out of memory";
	case NS_EINVAL: return "invalid argument";
	case NS_EIO: return "input/output error";
	case NS_ENOTFOUND: return "no such file, revision or name";
	case NS_EEXISTS: return "already exists";
	case NS_ENOTSTORE: return "not an nsnap store";
	case NS_EVERSION: return "written by a newer nsnap";
	case NS_ECORRUPT: return "damaged data";
	case NS_EREADONLY: return "read-only";
	case NS_EBUSY: return "in use";
	case NS_EFULL: return "no space left";
	case NS_EMISMATCH: return "stored and live structure differ";
	case NS_EFORMAT: return "bad or unknown file format";
	case NS_EUNSUPPORTED: return "not supported";
	case NS_EPLUGIN: return "plugin failure";
	default: return "unknown error";
	}
}

static _Thread_local ns_progress_fn progress_fn;
static _Thread_local void *progress_ctx;

void ns_progress_set(ns_progress_fn fn, void *ctx)
{
	progress_fn = fn;
	progress_ctx = ctx;
}

void ns_progress(const char *what, uint64_t done, uint64_t total)
{
	if (progress_fn)
		progress_fn(progress_ctx, what, done, total);
}

int ns__opts_check(unsigned version, unsigned current, const char *what, ...)
{
	char name[256];
	va_list ap;
	if (version >= 1 && version <= current)
		return NS_OK;
	va_start(ap, what);
	vsnprintf(name, sizeof name, what, ap);
	va_end(ap);
	if (version == 0)
		return ns_err(NS_EINVAL, "%s: options version 0: initialise the options with "
			      "their _INIT macro or _opts_init() function", name);
	return ns_err(NS_EINVAL, "%s: options version %u is newer than this nsnap's %u: "
		      "the program was built against a newer nsnap", name, version, current);
}
