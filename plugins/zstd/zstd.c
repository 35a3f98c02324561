/* SPDX-License-Identifier: MIT */
/* The zstd filter: decompresses what a format reads from a `.zst` file and
 * compresses what it writes, through libzstd's streaming API with bounded
 * buffers. Reads any sequence of frames, skippable ones included, as
 * zstd(1) does; writes one frame with a content checksum, so that damage is
 * found, not decoded into wrong numbers.
 *
 * The writer compresses on every core (ZSTD_c_nbWorkers, NSNAP_THREADS to
 * ask for fewer): libzstd cuts the input into jobs that workers compress
 * while the format goes on writing, and joins them into that one frame; its
 * memory is bounded by the jobs in flight (a few times the window per
 * worker), not by the file. One core needs no worker: compressing then
 * happens in the caller, as before. */
#include <nsnap/plugin.h>

#include "threads.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <zstd.h>
#include <zstd_errors.h>

#define ZS_DEFAULT_LEVEL 3
#define ZS_MAX_LEVEL 19

static const ns_host *host;

/* The longest frame header (ZSTD_FRAMEHEADERSIZE_MAX, which zstd.h
 * gives only to static linking). */
#define ZS_HEADER_MAX 18

typedef struct zs_reader {
	ZSTD_DStream *ds;
	ns_istream *below;
	char *path;
	ZSTD_inBuffer in;
	int in_eof;     /* the stream below reached its end */
	int in_frame;   /* a frame begun and not finished */
	int frames;     /* frames begun */
	/* The header of the frame being read, kept as it is consumed until
	 * ZSTD_getFrameContentSize() reads it, and what the frame gave so
	 * far: libzstd's streaming decoder (1.5.4) does not compare the size
	 * a frame declares with what it holds when its last block is empty
	 * (its one-shot decoder does), so a large read would fail where
	 * small ones succeed. */
	unsigned char hdr[ZS_HEADER_MAX];
	size_t hdr_len;
	unsigned long long declared; /* ZSTD_CONTENTSIZE_ERROR: not read yet */
	uint64_t decoded;
	int failed;     /* sticky error code, 0 while healthy */
	char msg[256];  /* its message, given again on every later read */
	void *buf;      /* ZSTD_DStreamInSize() bytes */
	size_t buf_size;
} zs_reader;

typedef struct zs_writer {
	ZSTD_CStream *cs;
	ns_ostream *below;
	char *path;
	int failed;
	void *buf;      /* ZSTD_CStreamOutSize() bytes */
	size_t buf_size;
} zs_writer;

static char *zs_strdup(const char *s)
{
	if (!s)
		s = "";
	size_t n = strlen(s) + 1;
	char *p = host->alloc(n);
	if (p)
		memcpy(p, s, n);
	return p;
}

static uint32_t zs_le32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static int zs_probe(const unsigned char *head, size_t n)
{
	if (n < 4)
		return 0;
	uint32_t magic = zs_le32(head);
	if (magic == ZSTD_MAGICNUMBER)
		return 32;
	/* A skippable frame (0x184D2A50..5F): 28 bits fixed. */
	if ((magic & ZSTD_MAGIC_SKIPPABLE_MASK) == ZSTD_MAGIC_SKIPPABLE_START)
		return 28;
	return 0;
}

static int zs_init(const ns_host *h)
{
	host = h;
	return NS_OK;
}

/* ------------------------------------------------------------------ read */

static void zs_reader_close(void *state)
{
	zs_reader *r = state;
	if (!r)
		return;
	ZSTD_freeDStream(r->ds);
	host->free(r->buf);
	host->free(r->path);
	host->free(r);
}

static int zs_reader_open(void **state, ns_istream *below, const ns_plugin_args *args)
{
	const char *path = args && args->path ? args->path : "";
	zs_reader *r = host->alloc(sizeof *r);
	if (!r)
		return host->error(NS_ENOMEM, "file '%s': zstd: out of memory", path);
	memset(r, 0, sizeof *r);
	r->below = below;
	r->buf_size = ZSTD_DStreamInSize();
	r->buf = host->alloc(r->buf_size);
	r->path = zs_strdup(path);
	r->ds = ZSTD_createDStream();
	if (!r->buf || !r->path || !r->ds || ZSTD_isError(ZSTD_initDStream(r->ds))) {
		zs_reader_close(r);
		return host->error(NS_ENOMEM, "file '%s': zstd: cannot start decompressing", path);
	}
	r->in.src = r->buf;
	*state = r;
	return NS_OK;
}

/* Fail the reader for good: a format may read again after an error, and
 * then gets the same code and message, not a host's generic one. */
static ptrdiff_t zs_rfail(zs_reader *r, int code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(r->msg, sizeof r->msg, fmt, ap);
	va_end(ap);
	r->failed = code;
	return host->error(code, "%s", r->msg);
}

static ptrdiff_t zs_read(void *state, void *buf, size_t n)
{
	zs_reader *r = state;
	if (r->failed)
		return host->error(r->failed, "%s", r->msg);
	if (n > PTRDIFF_MAX)
		n = PTRDIFF_MAX;
	ZSTD_outBuffer out = { buf, n, 0 };
	while (out.pos == 0 && n > 0) {
		if (r->in.pos == r->in.size && !r->in_eof) {
			ptrdiff_t got = host->read(r->below, r->buf, r->buf_size);
			if (got < 0) {
				/* The stream below recorded its message. */
				snprintf(r->msg, sizeof r->msg,
					 "file '%s': zstd: reading the file failed", r->path);
				return r->failed = (int)got;
			}
			if (got == 0)
				r->in_eof = 1;
			r->in.size = (size_t)got;
			r->in.pos = 0;
		}
		if (r->in.pos == r->in.size) {
			if (!r->in_eof)
				continue;
			if (!r->in_frame) {
				if (r->frames > 0)
					return 0;
				return zs_rfail(r, NS_EFORMAT,
						"file '%s': zstd stream truncated (empty)", r->path);
			}
			/* Input is over but the frame is not: it may still owe
			 * decoded bytes; if not, it was cut short. */
		}
		if (!r->in_frame) {
			r->frames++;
			r->hdr_len = 0;
			r->declared = ZSTD_CONTENTSIZE_ERROR;
			r->decoded = 0;
		}
		size_t in_before = r->in.pos, out_before = out.pos;
		size_t rc = ZSTD_decompressStream(r->ds, &out, &r->in);
		if (ZSTD_isError(rc)) {
			int code = ZSTD_getErrorCode(rc) == ZSTD_error_memory_allocation ? NS_ENOMEM
											   : NS_EFORMAT;
			return zs_rfail(r, code, "file '%s': zstd: %s", r->path,
					ZSTD_getErrorName(rc));
		}
		r->decoded += out.pos - out_before;
		if (r->declared == ZSTD_CONTENTSIZE_ERROR && r->hdr_len < sizeof r->hdr) {
			size_t k = r->in.pos - in_before;
			if (k > sizeof r->hdr - r->hdr_len)
				k = sizeof r->hdr - r->hdr_len;
			memcpy(r->hdr + r->hdr_len, (const char *)r->in.src + in_before, k);
			r->hdr_len += k;
			/* 0 for a skippable frame, which gives no bytes */
			r->declared = ZSTD_getFrameContentSize(r->hdr, r->hdr_len);
		}
		/* 0: a frame was decoded and flushed whole. */
		r->in_frame = rc != 0;
		if (!r->in_frame && r->declared != ZSTD_CONTENTSIZE_ERROR &&
		    r->declared != ZSTD_CONTENTSIZE_UNKNOWN && r->decoded != r->declared)
			return zs_rfail(r, NS_EFORMAT, "file '%s': zstd: frame %d declares %llu "
					"bytes and holds %llu", r->path, r->frames, r->declared,
					(unsigned long long)r->decoded);
		if (r->in_frame && r->in_eof && r->in.pos == r->in.size && out.pos == 0 &&
		    r->in.pos == in_before)
			return zs_rfail(r, NS_EFORMAT, "file '%s': zstd stream truncated",
					r->path);
	}
	return (ptrdiff_t)out.pos;
}

/* ----------------------------------------------------------------- write */

static void zs_writer_close(void *state)
{
	zs_writer *w = state;
	if (!w)
		return;
	ZSTD_freeCStream(w->cs);
	host->free(w->buf);
	host->free(w->path);
	host->free(w);
}

static int zs_writer_open(void **state, ns_ostream *below, const ns_plugin_args *args)
{
	const char *path = args && args->path ? args->path : "";
	int level = args ? args->level : 0;
	if (level == 0)
		level = ZS_DEFAULT_LEVEL;
	if (level < 1 || level > ZS_MAX_LEVEL)
		return host->error(NS_EINVAL, "file '%s': zstd level %d is not within 1..%d", path,
				   level, ZS_MAX_LEVEL);
	zs_writer *w = host->alloc(sizeof *w);
	if (!w)
		return host->error(NS_ENOMEM, "file '%s': zstd: out of memory", path);
	memset(w, 0, sizeof *w);
	w->below = below;
	w->buf_size = ZSTD_CStreamOutSize();
	w->buf = host->alloc(w->buf_size);
	w->path = zs_strdup(path);
	w->cs = ZSTD_createCStream();
	if (!w->buf || !w->path || !w->cs ||
	    ZSTD_isError(ZSTD_CCtx_setParameter(w->cs, ZSTD_c_compressionLevel, level)) ||
	    ZSTD_isError(ZSTD_CCtx_setParameter(w->cs, ZSTD_c_checksumFlag, 1))) {
		zs_writer_close(w);
		return host->error(NS_ENOMEM, "file '%s': zstd: cannot start compressing", path);
	}
	unsigned threads = nsp_threads();
	/* A libzstd built without threads refuses workers: it then compresses
	 * in the caller, which is still correct. */
	if (threads > 1 &&
	    ZSTD_isError(ZSTD_CCtx_setParameter(w->cs, ZSTD_c_nbWorkers, (int)threads)))
		host->log(NS_LOG_INFO, "file '%s': zstd: this libzstd has no worker threads",
			  path);
	*state = w;
	return NS_OK;
}

/* Compress @in with @mode until it is consumed (ZSTD_e_continue) or the
 * frame is closed (ZSTD_e_end), writing each full buffer below. */
static int zs_compress(zs_writer *w, ZSTD_inBuffer *in, ZSTD_EndDirective mode)
{
	for (;;) {
		ZSTD_outBuffer out = { w->buf, w->buf_size, 0 };
		size_t left = ZSTD_compressStream2(w->cs, &out, in, mode);
		if (ZSTD_isError(left))
			return host->error(ZSTD_getErrorCode(left) == ZSTD_error_memory_allocation
						   ? NS_ENOMEM
						   : NS_ERROR,
					   "file '%s': zstd: %s", w->path, ZSTD_getErrorName(left));
		if (out.pos > 0) {
			int rc = host->write(w->below, w->buf, out.pos);
			if (rc < 0)
				return rc;
		}
		if (mode == ZSTD_e_end ? left == 0 : in->pos == in->size)
			return NS_OK;
	}
}

static int zs_write(void *state, const void *buf, size_t n)
{
	zs_writer *w = state;
	if (w->failed)
		return host->error(w->failed, "file '%s': zstd: writing after an earlier error",
				   w->path);
	if (n == 0)
		return NS_OK;
	ZSTD_inBuffer in = { buf, n, 0 };
	int rc = zs_compress(w, &in, ZSTD_e_continue);
	if (rc < 0)
		w->failed = rc;
	return rc;
}

static int zs_writer_finish(void *state)
{
	zs_writer *w = state;
	if (w->failed)
		return host->error(w->failed, "file '%s': zstd: writing after an earlier error",
				   w->path);
	ZSTD_inBuffer in = { NULL, 0, 0 };
	int rc = zs_compress(w, &in, ZSTD_e_end);
	if (rc < 0)
		w->failed = rc;
	return rc;
}

static const ns_filter_ops zs_ops = {
	.reader_open = zs_reader_open,
	.read = zs_read,
	.reader_close = zs_reader_close,
	.writer_open = zs_writer_open,
	.write = zs_write,
	.writer_finish = zs_writer_finish,
	.writer_close = zs_writer_close,
};

static const char *const zs_extensions[] = { ".zst", NULL };

static const ns_plugin zs_plugin = {
	.abi_version = NS_PLUGIN_ABI_VERSION,
	.struct_size = sizeof(ns_plugin),
	.kind = NS_PLUGIN_FILTER,
	.name = "zstd",
	.description = "Zstandard compression, levels 1..19, default 3",
	.extensions = zs_extensions,
	.probe = zs_probe,
	.init = zs_init,
	.filter = &zs_ops,
};


NS_PLUGIN_EXPORT const ns_plugin *nsnap_plugin_entry(void)
{
	return &zs_plugin;
}
