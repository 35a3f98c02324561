/* SPDX-License-Identifier: MIT */
#include "filter_target.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "import_target.h"
#include "internal.h" /* formats' */

/* Decoding stops there: a few kilobytes of zstd can stand for gigabytes. */
#define OUT_MAX ((size_t)64 << 20)

static const char *const no_options[] = { NULL };

static void fail(const char *name, const char *what) __attribute__((noreturn));

static void fail(const char *name, const char *what)
{
	fprintf(stderr, "fuzz %s: %s\n", name, what);
	abort();
}

typedef struct decoded {
	uint8_t *bytes;
	size_t size;
	int rc; /* NS_OK at the end of the stream, or the error read */
} decoded;

/* Read everything the reader of @filter gives for @data, in reads of the
 * sizes of @steps in turn (0-terminated). */
static void decode(decoded *out, const ns_plugin *filter, const uint8_t *data, size_t size,
		   const size_t *steps)
{
	ns_plugin_args args = { NS_PLUGIN_ABI_VERSION, sizeof args, "fuzz", 0, 0, 1, no_options };
	FILE *f = fmemopen((void *)data, size, "rb");
	ns_istream *in = NULL;
	size_t cap = 0, k = 0;

	memset(out, 0, sizeof *out);
	if (!f || !(in = ns__istream_file(f, "fuzz")))
		fail(filter->name, "cannot open a stream in memory");
	if ((out->rc = ns__istream_filter(&in, filter, &args)) < 0)
		goto done;
	while (out->size < OUT_MAX) {
		size_t n = steps[k];
		ptrdiff_t got;
		k = steps[k + 1] ? k + 1 : 0;
		if (out->size + n > cap) {
			cap = 2 * cap > out->size + n ? 2 * cap : out->size + n;
			if (!(out->bytes = realloc(out->bytes, cap)))
				fail(filter->name, "out of memory");
		}
		if ((got = ns__istream_read(in, out->bytes + out->size, n)) <= 0) {
			out->rc = (int)got;
			break;
		}
		if ((size_t)got > n)
			fail(filter->name, "a read gave more bytes than asked for");
		out->size += (size_t)got;
	}
done:
	ns__istream_close(in);
	fclose(f);
}

/* @data through the writer of @filter into a new buffer (*out, *n). */
static void encode(char **out, size_t *n, const ns_plugin *filter, const uint8_t *data,
		   size_t size)
{
	ns_plugin_args args = { NS_PLUGIN_ABI_VERSION, sizeof args, "fuzz", 1, 0, 1, no_options };
	FILE *f = open_memstream(out, n);
	ns_ostream *o = NULL;
	if (!f || !(o = ns__ostream_file(f, "fuzz")) || ns__ostream_filter(&o, filter, &args) < 0 ||
	    ns__ostream_write(o, data, size) < 0 || ns__ostream_finish(o) < 0) {
		fprintf(stderr, "fuzz %s: %s\n", filter->name, ns_error_last()->message);
		fail(filter->name, "cannot compress");
	}
	ns__ostream_close(o);
	fclose(f);
}

void fuzz_filter(const uint8_t *data, size_t size, const char *name)
{
	static const size_t large[] = { (size_t)1 << 20, 0 };
	static const size_t mixed[] = { 1, 7, 4096, 3, 65536, 100, 0 };
	const ns_plugin *filter = ns__plugins_find(fuzz_env_get(NULL)->plugins, name,
						   NS_PLUGIN_FILTER);
	decoded a, b;
	char *packed = NULL;
	size_t n = 0;

	if (!filter)
		fail(name, "the plugin is not loaded");
	decode(&a, filter, data, size, large);
	decode(&b, filter, data, size, mixed);
	/* Output past the cap may stop either at another point. */
	if (a.size < OUT_MAX && b.size < OUT_MAX &&
	    ((a.rc < 0) != (b.rc < 0) || (a.rc == 0 && a.size != b.size)))
		fail(name, "large and small reads end differently");
	if (a.size && b.size && memcmp(a.bytes, b.bytes, a.size < b.size ? a.size : b.size) != 0)
		fail(name, "large and small reads give different bytes");
	free(a.bytes);
	free(b.bytes);

	encode(&packed, &n, filter, data, size);
	decode(&a, filter, (const uint8_t *)packed, n, mixed);
	if (a.rc < 0 || a.size != size || (size && memcmp(a.bytes, data, size) != 0))
		fail(name, "what the writer wrote does not read back the same");
	free(a.bytes);
	free(packed);
}
