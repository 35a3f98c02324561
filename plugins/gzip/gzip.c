/* SPDX-License-Identifier: MIT */
/* The gzip filter: decompresses what a format reads from a `.gz` file
 * through zlib's streaming inflate with bounded buffers, and compresses what
 * it writes on every core (gzip_write.c). Reads concatenated members (`cat
 * a.gz b.gz`, and what the writer and pigz write) and zero padding after a
 * member, as gzip(1) and Python's gzip module do. */
#include "gz.h"

#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <zlib.h>

/* windowBits for zlib: a 32 KiB window, with the gzip header and trailer. */
#define GZ_WINDOW_BITS (15 + 16)
#define GZ_BUF_SIZE (64 * 1024)

const ns_host *host;

typedef struct gz_reader {
	z_stream z;
	ns_istream *below;
	char *path;
	int in_eof;     /* the stream below reached its end */
	int in_member;  /* inside a member: its end not yet seen */
	int members;    /* members begun */
	int failed;     /* sticky error code, 0 while healthy */
	char msg[256];  /* its message, given again on every later read */
	unsigned char in[GZ_BUF_SIZE];
} gz_reader;

char *gz_strdup(const char *s)
{
	if (!s)
		s = "";
	size_t n = strlen(s) + 1;
	char *p = host->alloc(n);
	if (p)
		memcpy(p, s, n);
	return p;
}

/* zlib's allocator hooks, so that the host's allocator sees every byte. */
static voidpf gz_zalloc(voidpf opaque, uInt items, uInt size)
{
	(void)opaque;
	if (size && items > (size_t)-1 / size)
		return Z_NULL;
	return host->alloc((size_t)items * size);
}

static void gz_zfree(voidpf opaque, voidpf p)
{
	(void)opaque;
	host->free(p);
}

static int gz_probe(const unsigned char *head, size_t n)
{
	/* ID1 ID2 CM=deflate: the only method gzip defines. */
	if (n >= 3 && head[0] == 0x1f && head[1] == 0x8b && head[2] == 0x08)
		return 24;
	return 0;
}

static int gz_init(const ns_host *h)
{
	host = h;
	return NS_OK;
}

static const char *gz_zmsg(const z_stream *z, int rc)
{
	if (z->msg)
		return z->msg;
	switch (rc) {
	case Z_MEM_ERROR:
		return "out of memory";
	case Z_NEED_DICT:
		return "needs a preset dictionary";
	default:
		return "invalid data";
	}
}

/* ------------------------------------------------------------------ read */

/* Fail the reader for good: a format may read again after an error, and
 * then gets the same code and message, not a host's generic one. */
static ptrdiff_t gz_rfail(gz_reader *r, int code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(r->msg, sizeof r->msg, fmt, ap);
	va_end(ap);
	r->failed = code;
	return host->error(code, "%s", r->msg);
}

static void gz_reader_close(void *state)
{
	gz_reader *r = state;
	if (!r)
		return;
	inflateEnd(&r->z);
	host->free(r->path);
	host->free(r);
}

static int gz_reader_open(void **state, ns_istream *below, const ns_plugin_args *args)
{
	const char *path = args && args->path ? args->path : "";
	gz_reader *r = host->alloc(sizeof *r);
	if (!r)
		return host->error(NS_ENOMEM, "file '%s': gzip: out of memory", path);
	memset(r, 0, offsetof(gz_reader, in));
	r->below = below;
	r->z.zalloc = gz_zalloc;
	r->z.zfree = gz_zfree;
	r->path = gz_strdup(path);
	int zrc = inflateInit2(&r->z, GZ_WINDOW_BITS);
	if (!r->path || zrc != Z_OK) {
		if (zrc == Z_OK)
			inflateEnd(&r->z);
		host->free(r->path);
		host->free(r);
		return host->error(NS_ENOMEM, "file '%s': gzip: cannot start inflating", path);
	}
	*state = r;
	return NS_OK;
}

/* Make input available: NS_OK (maybe with nothing at the end of the
 * stream below) or the error of the stream below. */
static int gz_refill(gz_reader *r)
{
	if (r->z.avail_in > 0 || r->in_eof)
		return NS_OK;
	ptrdiff_t got = host->read(r->below, r->in, sizeof r->in);
	if (got < 0)
		return (int)got;
	if (got == 0)
		r->in_eof = 1;
	r->z.next_in = r->in;
	r->z.avail_in = (uInt)got;
	return NS_OK;
}

static ptrdiff_t gz_read(void *state, void *buf, size_t n)
{
	gz_reader *r = state;
	if (r->failed)
		return host->error(r->failed, "%s", r->msg);
	if (n > INT_MAX)
		n = INT_MAX; /* fits uInt and the ptrdiff_t result */
	r->z.next_out = buf;
	r->z.avail_out = (uInt)n;
	while (r->z.avail_out == n && n > 0) {
		int rc = gz_refill(r);
		if (rc < 0) {
			/* The stream below recorded its message. */
			snprintf(r->msg, sizeof r->msg, "file '%s': gzip: reading the file failed",
				 r->path);
			return r->failed = rc;
		}
		if (!r->in_member) {
			/* Between members: zeros pad, anything else starts one. */
			while (r->z.avail_in > 0 && *r->z.next_in == 0 && r->members > 0) {
				r->z.next_in++;
				r->z.avail_in--;
			}
			if (r->z.avail_in == 0) {
				if (!r->in_eof)
					continue;
				if (r->members > 0)
					return 0;
				return gz_rfail(r, NS_EFORMAT,
						"file '%s': gzip stream truncated (empty)", r->path);
			}
			r->in_member = 1;
			r->members++;
		}
		/* Inflate even without input: it may still owe the rest of a
		 * match that did not fit the last caller's buffer. */
		int zrc = inflate(&r->z, Z_NO_FLUSH);
		if (zrc == Z_STREAM_END) {
			r->in_member = 0;
			if (inflateReset(&r->z) != Z_OK)
				return gz_rfail(r, NS_ERROR, "file '%s': gzip: %s", r->path,
						gz_zmsg(&r->z, zrc));
		} else if (zrc == Z_BUF_ERROR) {
			/* No progress: it needs input the stream no longer has. */
			if (r->z.avail_in == 0 && r->in_eof)
				return gz_rfail(r, NS_EFORMAT, "file '%s': gzip stream truncated",
						r->path);
		} else if (zrc != Z_OK) {
			int code = zrc == Z_MEM_ERROR ? NS_ENOMEM : NS_EFORMAT;
			return gz_rfail(r, code, "file '%s': gzip: %s", r->path,
					gz_zmsg(&r->z, zrc));
		}
	}
	return (ptrdiff_t)(n - r->z.avail_out);
}

static const ns_filter_ops gz_ops = {
	.reader_open = gz_reader_open,
	.read = gz_read,
	.reader_close = gz_reader_close,
	.writer_open = gz_writer_open,
	.write = gz_write,
	.writer_finish = gz_writer_finish,
	.writer_close = gz_writer_close,
};

static const char *const gz_extensions[] = { ".gz", NULL };

static const ns_plugin gz_plugin = {
	.abi_version = NS_PLUGIN_ABI_VERSION,
	.struct_size = sizeof(ns_plugin),
	.kind = NS_PLUGIN_FILTER,
	.name = "gzip",
	.description = "gzip compression (libdeflate on every core), levels 1..9, default 6",
	.extensions = gz_extensions,
	.probe = gz_probe,
	.init = gz_init,
	.filter = &gz_ops,
};


NS_PLUGIN_EXPORT const ns_plugin *nsnap_plugin_entry(void)
{
	return &gz_plugin;
}
