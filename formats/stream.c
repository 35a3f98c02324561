/* SPDX-License-Identifier: MIT */
/* Streams: a file at the bottom, filters stacked on it. A reader keeps
 * bytes it read ahead for probing and hands them out first. */
#include "internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define PEEK_MAX 4096

struct ns_istream {
	FILE *file;               /* the bottom of the chain */
	const ns_plugin *filter;  /* or a filter over @below */
	void *state;
	ns_istream *below;
	const char *path;
	unsigned char peek[PEEK_MAX];
	size_t peek_len, peek_pos;
	uint64_t done, total, told; /* file: bytes read, its size, last reported */
};

struct ns_ostream {
	FILE *file;
	const ns_plugin *filter;
	void *state;
	ns_ostream *below;
	const char *path;
	uint64_t done, told; /* file: bytes written, last reported */
};

#define PROGRESS_STEP (64u << 10)

/* ------------------------------------------------------------- reading */

ns_istream *ns__istream_file(FILE *f, const char *path)
{
	ns_istream *in = calloc(1, sizeof *in);
	struct stat st;
	if (!in) {
		ns_err(NS_ENOMEM, "file '%s': out of memory", path);
		return NULL;
	}
	in->file = f;
	in->path = path;
	if (fstat(fileno(f), &st) == 0 && S_ISREG(st.st_mode))
		in->total = (uint64_t)st.st_size;
	return in;
}

/* The bytes under the peek buffer. */
static ptrdiff_t read_raw(ns_istream *in, void *buf, size_t n)
{
	size_t got;
	ptrdiff_t rc;
	if (in->filter) {
		ns_error_clear();
		rc = in->filter->filter->read(in->state, buf, n);
		return rc < 0 ? ns__host_result((int)rc, in->filter, "read") : rc;
	}
	got = fread(buf, 1, n, in->file);
	if (got == 0 && ferror(in->file))
		return ns_err_errno(errno ? errno : EIO, "file '%s': reading", in->path);
	in->done += got;
	if (in->done - in->told >= PROGRESS_STEP || (got == 0 && in->done != in->told)) {
		in->told = in->done;
		ns_progress("import", in->done, in->total);
	}
	return (ptrdiff_t)got;
}

ptrdiff_t ns__istream_read(ns_istream *in, void *buf, size_t n)
{
	size_t left = in->peek_len - in->peek_pos;
	if (left) {
		if (n > left)
			n = left;
		memcpy(buf, in->peek + in->peek_pos, n);
		in->peek_pos += n;
		return (ptrdiff_t)n;
	}
	return read_raw(in, buf, n);
}

static int read_all_oom(unsigned char *buf, const ns_istream *in)
{
	free(buf);
	return ns_err(NS_ENOMEM, "file '%s': out of memory reading it whole", in->path);
}

int ns__istream_read_all(void **out, size_t *size, ns_istream *in)
{
	/* A file read directly takes one read; through a filter the buffer
	 * doubles as it fills. */
	size_t n = 0, cap = in->file && in->total ? (size_t)in->total + 1 : (size_t)1 << 20;
	unsigned char *buf = malloc(cap), *p;
	ptrdiff_t got;
	if (!buf)
		return read_all_oom(NULL, in);
	for (;;) {
		if (cap - n < 2) {
			if (cap > SIZE_MAX / 2 || !(p = realloc(buf, cap * 2)))
				return read_all_oom(buf, in);
			buf = p;
			cap *= 2;
		}
		if ((got = ns__istream_read(in, buf + n, cap - n - 1)) < 0) {
			free(buf);
			return (int)got;
		}
		if (got == 0)
			break;
		n += (size_t)got;
	}
	buf[n] = '\0';
	*out = buf;
	*size = n;
	return NS_OK;
}

int ns__istream_peek(ns_istream *in, const unsigned char **head, size_t *len, size_t n)
{
	if (n > PEEK_MAX)
		n = PEEK_MAX;
	/* Only before the first real read: probing happens at the start. */
	while (in->peek_pos == 0 && in->peek_len < n) {
		ptrdiff_t got = read_raw(in, in->peek + in->peek_len, n - in->peek_len);
		if (got < 0)
			return (int)got;
		if (got == 0)
			break;
		in->peek_len += (size_t)got;
	}
	*head = in->peek + in->peek_pos;
	*len = in->peek_len - in->peek_pos;
	return NS_OK;
}

int ns__istream_filter(ns_istream **top, const ns_plugin *filter, const ns_plugin_args *args)
{
	ns_istream *in = calloc(1, sizeof *in);
	int rc;
	if (!in)
		return ns_err(NS_ENOMEM, "file '%s': out of memory", args->path);
	ns__host_enter(args->verbose);
	rc = ns__host_result(filter->filter->reader_open(&in->state, *top, args), filter,
			 "reader_open");
	if (rc < 0) {
		free(in);
		return rc;
	}
	in->filter = filter;
	in->below = *top;
	in->path = args->path;
	*top = in;
	return NS_OK;
}

void ns__istream_close(ns_istream *top)
{
	while (top) {
		ns_istream *below = top->below;
		if (top->filter)
			top->filter->filter->reader_close(top->state);
		free(top);
		top = below;
	}
}

/* ------------------------------------------------------------- writing */

ns_ostream *ns__ostream_file(FILE *f, const char *path)
{
	ns_ostream *out = calloc(1, sizeof *out);
	if (!out) {
		ns_err(NS_ENOMEM, "file '%s': out of memory", path);
		return NULL;
	}
	out->file = f;
	out->path = path;
	return out;
}

int ns__ostream_write(ns_ostream *out, const void *buf, size_t n)
{
	if (out->filter) {
		ns_error_clear();
		return ns__host_result(out->filter->filter->write(out->state, buf, n), out->filter,
				   "write");
	}
	if (n && fwrite(buf, 1, n, out->file) != n)
		return ns_err_errno(errno ? errno : EIO, "file '%s': writing", out->path);
	out->done += n;
	if (out->done - out->told >= PROGRESS_STEP) {
		out->told = out->done;
		ns_progress("export", out->done, 0);
	}
	return NS_OK;
}

int ns__ostream_filter(ns_ostream **top, const ns_plugin *filter, const ns_plugin_args *args)
{
	ns_ostream *out = calloc(1, sizeof *out);
	int rc;
	if (!out)
		return ns_err(NS_ENOMEM, "file '%s': out of memory", args->path);
	ns__host_enter(args->verbose);
	rc = ns__host_result(filter->filter->writer_open(&out->state, *top, args), filter,
			 "writer_open");
	if (rc < 0) {
		free(out);
		return rc;
	}
	out->filter = filter;
	out->below = *top;
	out->path = args->path;
	*top = out;
	return NS_OK;
}

int ns__ostream_finish(ns_ostream *top)
{
	int rc;
	for (ns_ostream *o = top; o && o->filter; o = o->below) {
		ns_error_clear();
		if ((rc = ns__host_result(o->filter->filter->writer_finish(o->state), o->filter,
				      "writer_finish")) < 0)
			return rc;
	}
	return NS_OK;
}

void ns__ostream_close(ns_ostream *top)
{
	while (top) {
		ns_ostream *below = top->below;
		if (top->filter)
			top->filter->filter->writer_close(top->state);
		free(top);
		top = below;
	}
}
