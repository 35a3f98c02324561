/* SPDX-License-Identifier: MIT */
/* The gzip filter's writer: what a format writes is cut into blocks of
 * GZ_BLOCK_SIZE bytes, each compressed by libdeflate on a worker thread
 * into a gzip member of its own, and the members are written below in
 * order. Concatenated members are one standard gzip file (RFC 1952, 2.2):
 * gzip(1), zlib's inflate looping over members, Python's gzip module and so
 * ANNarchy's load() read it, as they read pigz's output.
 *
 * Why members, not one stream: a member needs nothing from the one before,
 * so the blocks compress on every core at once and the output is the same
 * whatever the thread count. pigz primes each block with the previous 32 KiB
 * to keep one stream; libdeflate has no preset dictionary, and the cost of
 * starting each 1 MiB block afresh is a fraction of a percent in size (18
 * bytes of header and trailer, and the matches of its first 32 KiB).
 *
 * Levels 7..9 pick each block's libdeflate level by how its bytes look
 * (gz_class). ANNarchy's pickles hold their weights as 9-byte float records
 * ('G' and 8 bytes; order-0 entropy about 7.1 bits a byte): there zlib's
 * level 9 beats libdeflate's levels 6..9, and libdeflate's near-optimal
 * parser (its level 10) beats zlib, cheaply, because such blocks hold few
 * matches. On runs of repeated values (delays: 3.6 bits a byte) that parser
 * is slow, and the asked level stays. gzip_bench's pickle (132 MB, 6.25 M
 * synapses) against ANNarchy's save (zlib 9), two runs on 2 busy cores:
 * level 6, 1.013x its size in 0.061..0.088x its time; level 7 (dense blocks
 * at 10), 0.998x in 0.145..0.165x; level 9, 0.989x in 0.39x. The default
 * stays level 6, plain: the fast one.
 *
 * Memory is bounded: a ring of 2 * threads + 2 blocks (input and output
 * buffers each), whatever the size of the file; when the ring is full the
 * writer waits for the oldest block and writes it out. With 2 threads that
 * is 6 blocks, about 12 MiB, and each thread's compressors: 0.2 to 0.7 MiB
 * for levels 1..6, 9 MiB more from level 7 (the near-optimal parser's). Buffers are made as blocks first need them and
 * threads start at the first whole block, so that a small file (a JSON
 * parameter file) costs one block's buffers and no thread. */
#include "gz.h"
#include "threads.h"

#include <libdeflate.h>
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <string.h>

#define GZ_BLOCK_SIZE ((size_t)1 << 20)

/* What a block looks like, by the order-0 entropy of its bytes. */
enum { GZ_LOW, GZ_MID, GZ_DENSE, GZ_CLASSES };
#define GZ_DENSE_BITS 6.5 /* float records, compressed data */
#define GZ_MID_BITS 5.0   /* text, integer lists */

/* The libdeflate level of each class, for each gzip level 1..9. */
static const int gz_levels[GZ_MAX_LEVEL + 1][GZ_CLASSES] = {
	[1] = { 1, 1, 1 },   [2] = { 2, 2, 2 },    [3] = { 3, 3, 3 },
	[4] = { 4, 4, 4 },   [5] = { 5, 5, 5 },    [6] = { 6, 6, 6 },
	[7] = { 7, 7, 10 },  [8] = { 8, 10, 10 },  [9] = { 9, 10, 10 },
};

typedef struct gz_block {
	unsigned char *in;
	unsigned char *out;
	size_t in_n;     /* bytes of input */
	size_t out_n;    /* bytes of the member; 0 when compressing failed */
	int done;        /* compressed, not yet written below */
} gz_block;

typedef struct gz_writer gz_writer;

typedef struct gz_worker {
	gz_writer *w;
	/* One a class; classes of the same level share one. */
	struct libdeflate_compressor *c[GZ_CLASSES];
	pthread_t thread;
	int started;
} gz_worker;

struct gz_writer {
	ns_ostream *below;
	char *path;
	int failed;           /* sticky error code, 0 while healthy */
	size_t out_cap;       /* libdeflate's bound for a whole block */
	unsigned nslots, nworkers;
	gz_block *slots;      /* block number b lives in slots[b % nslots] */
	gz_worker *workers;
	pthread_mutex_t mu;
	pthread_cond_t work;  /* a block was handed over, or stop */
	pthread_cond_t done;  /* a block was compressed */
	int sync_ready;       /* mu and the conditions were initialised */
	int threads_started;  /* gz_start_workers() ran */
	int level;            /* gzip's, 1..9 */
	/* Block numbers, written <= taken <= queued; these three under mu. */
	uint64_t queued;      /* blocks handed to the workers */
	uint64_t taken;       /* blocks a worker took */
	int stop;
	/* The calling thread's alone. */
	uint64_t written;     /* blocks written below */
	size_t fill;          /* bytes in block `queued`, the one being filled */
};

/* The class of @n bytes at @p. */
static int gz_class(const unsigned char *p, size_t n)
{
	size_t count[256] = { 0 };
	for (size_t i = 0; i < n; i++)
		count[p[i]]++;
	double bits = 0;
	for (int b = 0; b < 256; b++)
		if (count[b]) {
			double q = (double)count[b] / (double)n;
			bits -= q * log2(q);
		}
	return bits > GZ_DENSE_BITS ? GZ_DENSE : bits > GZ_MID_BITS ? GZ_MID : GZ_LOW;
}

static void *gz_worker_main(void *arg)
{
	gz_worker *me = arg;
	gz_writer *w = me->w;
	pthread_mutex_lock(&w->mu);
	for (;;) {
		while (!w->stop && w->taken == w->queued)
			pthread_cond_wait(&w->work, &w->mu);
		if (w->stop)
			break;
		gz_block *b = &w->slots[w->taken++ % w->nslots];
		pthread_mutex_unlock(&w->mu);
		/* The block is this thread's until it sets done. */
		struct libdeflate_compressor *c = me->c[gz_class(b->in, b->in_n)];
		size_t n = libdeflate_gzip_compress(c, b->in, b->in_n, b->out, w->out_cap);
		pthread_mutex_lock(&w->mu);
		b->out_n = n;
		b->done = 1;
		pthread_cond_broadcast(&w->done);
	}
	pthread_mutex_unlock(&w->mu);
	return NULL;
}

void gz_writer_close(void *state)
{
	gz_writer *w = state;
	if (!w)
		return;
	if (w->sync_ready) {
		/* Blocks still queued (a format that failed midway) are dropped. */
		pthread_mutex_lock(&w->mu);
		w->stop = 1;
		pthread_cond_broadcast(&w->work);
		pthread_mutex_unlock(&w->mu);
	}
	for (unsigned i = 0; w->workers && i < w->nworkers; i++) {
		if (w->workers[i].started)
			pthread_join(w->workers[i].thread, NULL);
		struct libdeflate_compressor **c = w->workers[i].c;
		for (int k = 0; k < GZ_CLASSES; k++) {
			int shared = 0;
			for (int j = 0; j < k; j++)
				shared |= c[j] == c[k];
			if (c[k] && !shared)
				libdeflate_free_compressor(c[k]);
		}
	}
	if (w->sync_ready) {
		pthread_cond_destroy(&w->done);
		pthread_cond_destroy(&w->work);
		pthread_mutex_destroy(&w->mu);
	}
	for (unsigned i = 0; w->slots && i < w->nslots; i++) {
		host->free(w->slots[i].in);
		host->free(w->slots[i].out);
	}
	host->free(w->slots);
	host->free(w->workers);
	host->free(w->path);
	host->free(w);
}

/* The compressors of worker @i, one a class (shared between classes of
 * the same level); NS_OK or NS_ENOMEM with its message recorded. */
static int gz_compressors(gz_writer *w, unsigned i)
{
	const int *lv = gz_levels[w->level];
	struct libdeflate_compressor **c = w->workers[i].c;
	for (int k = 0; k < GZ_CLASSES; k++) {
		for (int j = 0; j < k && !c[k]; j++)
			if (lv[j] == lv[k])
				c[k] = c[j];
		if (!c[k] && !(c[k] = libdeflate_alloc_compressor(lv[k])))
			return host->error(NS_ENOMEM,
					   "file '%s': gzip: no memory for a compressor (level %d)",
					   w->path, w->level);
	}
	return NS_OK;
}

/* The buffers of the block being filled, made on its slot's first use. */
static int gz_buffers(gz_writer *w, gz_block *b)
{
	if (!b->in)
		b->in = host->alloc(GZ_BLOCK_SIZE);
	if (!b->out)
		b->out = host->alloc(w->out_cap);
	if (!b->in || !b->out)
		return host->error(NS_ENOMEM,
				   "file '%s': gzip: out of memory for a block of %zu bytes",
				   w->path, GZ_BLOCK_SIZE);
	return NS_OK;
}

/* Start the workers, at the first whole block: a file smaller than one
 * block is compressed by the caller, without a thread. */
static int gz_start_workers(gz_writer *w)
{
	unsigned started = 0;
	for (unsigned i = 0; i < w->nworkers; i++) {
		int rc = gz_compressors(w, i);
		if (rc < 0)
			return rc;
		if (pthread_create(&w->workers[i].thread, NULL, gz_worker_main, &w->workers[i]) ==
		    0) {
			w->workers[i].started = 1;
			started++;
		}
	}
	w->threads_started = 1;
	/* Fewer threads than asked still compress every block. */
	if (started == 0)
		return host->error(NS_ERROR, "file '%s': gzip: cannot start a compressing thread",
				   w->path);
	return NS_OK;
}

/* The writer's state without buffers or threads; NS_OK or an error code
 * with its message recorded. */
static int gz_writer_init(gz_writer *w)
{
	unsigned threads = nsp_threads();
	w->nworkers = threads;
	w->nslots = 2 * threads + 2;
	w->out_cap = libdeflate_gzip_compress_bound(NULL, GZ_BLOCK_SIZE);
	w->workers = host->alloc(threads * sizeof *w->workers);
	w->slots = host->alloc(w->nslots * sizeof *w->slots);
	if (!w->workers || !w->slots)
		return host->error(NS_ENOMEM, "file '%s': gzip: out of memory", w->path);
	memset(w->workers, 0, threads * sizeof *w->workers);
	memset(w->slots, 0, w->nslots * sizeof *w->slots);
	for (unsigned i = 0; i < threads; i++)
		w->workers[i].w = w;
	if (pthread_mutex_init(&w->mu, NULL) != 0)
		return host->error(NS_ERROR, "file '%s': gzip: cannot make a mutex", w->path);
	if (pthread_cond_init(&w->work, NULL) != 0) {
		pthread_mutex_destroy(&w->mu);
		return host->error(NS_ERROR, "file '%s': gzip: cannot make a condition", w->path);
	}
	if (pthread_cond_init(&w->done, NULL) != 0) {
		pthread_cond_destroy(&w->work);
		pthread_mutex_destroy(&w->mu);
		return host->error(NS_ERROR, "file '%s': gzip: cannot make a condition", w->path);
	}
	w->sync_ready = 1;
	return NS_OK;
}

int gz_writer_open(void **state, ns_ostream *below, const ns_plugin_args *args)
{
	const char *path = args && args->path ? args->path : "";
	int level = args ? args->level : 0;
	if (level == 0)
		level = GZ_DEFAULT_LEVEL;
	if (level < 1 || level > GZ_MAX_LEVEL)
		return host->error(NS_EINVAL, "file '%s': gzip level %d is not within 1..%d", path,
				   level, GZ_MAX_LEVEL);
	gz_writer *w = host->alloc(sizeof *w);
	if (!w)
		return host->error(NS_ENOMEM, "file '%s': gzip: out of memory", path);
	memset(w, 0, sizeof *w);
	w->below = below;
	if (!(w->path = gz_strdup(path))) {
		host->free(w);
		return host->error(NS_ENOMEM, "file '%s': gzip: out of memory", path);
	}
	w->level = level;
	int rc = gz_writer_init(w);
	if (rc < 0) {
		gz_writer_close(w);
		return rc;
	}
	*state = w;
	return NS_OK;
}

/* Wait until block `written` is compressed, and write it below. */
static int gz_write_oldest(gz_writer *w)
{
	gz_block *b = &w->slots[w->written % w->nslots];
	pthread_mutex_lock(&w->mu);
	while (!b->done)
		pthread_cond_wait(&w->done, &w->mu);
	b->done = 0;
	pthread_mutex_unlock(&w->mu);
	uint64_t number = w->written++;
	if (b->out_n == 0)
		return host->error(NS_ERROR,
				   "file '%s': gzip: block %llu (%zu bytes) did not compress",
				   w->path, (unsigned long long)number, b->in_n);
	return host->write(w->below, b->out, b->out_n);
}

/* Hand the block being filled to the workers, and make room for the next
 * one: write out the oldest when the ring is full, and any already done. */
static int gz_queue(gz_writer *w)
{
	if (!w->threads_started) {
		int rc = gz_start_workers(w);
		if (rc < 0)
			return rc;
	}
	w->slots[w->queued % w->nslots].in_n = w->fill;
	pthread_mutex_lock(&w->mu);
	w->queued++;
	pthread_cond_signal(&w->work);
	pthread_mutex_unlock(&w->mu);
	w->fill = 0;
	for (;;) {
		int full = w->queued - w->written == w->nslots;
		if (!full) {
			pthread_mutex_lock(&w->mu);
			int ready = w->written < w->queued && w->slots[w->written % w->nslots].done;
			pthread_mutex_unlock(&w->mu);
			if (!ready)
				return NS_OK;
		}
		int rc = gz_write_oldest(w);
		if (rc < 0)
			return rc;
	}
}

int gz_write(void *state, const void *buf, size_t n)
{
	gz_writer *w = state;
	if (w->failed)
		return host->error(w->failed, "file '%s': gzip: writing after an earlier error",
				   w->path);
	const unsigned char *p = buf;
	while (n > 0) {
		gz_block *b = &w->slots[w->queued % w->nslots];
		int rc = gz_buffers(w, b);
		if (rc < 0)
			return w->failed = rc;
		size_t take = GZ_BLOCK_SIZE - w->fill;
		if (take > n)
			take = n;
		memcpy(b->in + w->fill, p, take);
		w->fill += take;
		p += take;
		n -= take;
		if (w->fill == GZ_BLOCK_SIZE && (rc = gz_queue(w)) < 0)
			return w->failed = rc;
	}
	return NS_OK;
}

/* Less than one block in all: compress it here, without a thread. */
static int gz_finish_alone(gz_writer *w)
{
	gz_block *b = &w->slots[0];
	int rc = gz_buffers(w, b);
	if (rc < 0 || (rc = gz_compressors(w, 0)) < 0)
		return rc;
	struct libdeflate_compressor *c = w->workers[0].c[gz_class(b->in, w->fill)];
	size_t n = libdeflate_gzip_compress(c, b->in, w->fill, b->out, w->out_cap);
	if (n == 0)
		return host->error(NS_ERROR, "file '%s': gzip: %zu bytes did not compress", w->path,
				   w->fill);
	w->fill = 0;
	return host->write(w->below, b->out, n);
}

int gz_writer_finish(void *state)
{
	gz_writer *w = state;
	if (w->failed)
		return host->error(w->failed, "file '%s': gzip: writing after an earlier error",
				   w->path);
	int rc = NS_OK;
	if (!w->threads_started)
		rc = gz_finish_alone(w);
	/* The last, partial block; an empty file is one empty member. */
	else if (w->fill > 0)
		rc = gz_queue(w);
	while (rc == NS_OK && w->written < w->queued)
		rc = gz_write_oldest(w);
	if (rc < 0)
		w->failed = rc;
	return rc;
}
