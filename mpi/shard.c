/* SPDX-License-Identifier: MIT */
/* Reading the arrays of a shard element by element, from the map. */
#include "internal.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int nsm_path(char *buf, const char *dir, const char *file)
{
	int n = snprintf(buf, NSM_PATH_MAX, "%s/%s", dir, file);
	if (n < 0 || n >= NSM_PATH_MAX)
		return nsm_err(NS_EINVAL, "store directory '%s': path too long", dir);
	return NS_OK;
}

void nsm_shard_file(char *buf, int rank)
{
	snprintf(buf, 64, "rank-%d.nsnap", rank);
}

int nsm_reader_open(struct nsm_reader *r, ns_version *v, const char *name, ns_dtype dtype,
		    uint64_t count, unsigned flags, struct nsm_decode *dec, const char *what)
{
	uint64_t index;
	memset(r, 0, sizeof *r);
	r->chunk = UINT64_MAX;
	if (ns_version_array_find(&index, v, name) < 0)
		return nsm_err(NS_ECORRUPT, "%s: no array '%s'", what, name);
	if (ns_version_array_at(&r->info, v, index) < 0)
		return nsm_err_ns(NS_ECORRUPT, "%s: array '%s'", what, name);
	if (r->info.dtype != dtype)
		return nsm_err(NS_ECORRUPT, "%s: array '%s' is %s, not %s", what, name,
			       ns_dtype_name(r->info.dtype), ns_dtype_name(dtype));
	if (count != UINT64_MAX && r->info.count != count)
		return nsm_err(NS_ECORRUPT, "%s: array '%s' has %" PRIu64 " values, not %" PRIu64,
			       what, name, r->info.count, count);
	r->version = v;
	r->counted = UINT64_MAX;
	r->lo = r->hi = 0;
	r->index = index;
	r->esize = ns_dtype_size(dtype);
	r->flags = flags;
	r->dec = dec;
	if (r->info.n_chunks && dec->cap < r->info.chunk_size) {
		uint8_t *buf = realloc(dec->buf, r->info.chunk_size);
		if (!buf)
			return nsm_err(NS_ENOMEM, "%s: array '%s': out of memory", what, name);
		dec->buf = buf;
		dec->cap = r->info.chunk_size;
	}
	return NS_OK;
}

int nsm_reader_at(const void **out, struct nsm_reader *r, uint64_t i)
{
	uint64_t chunk = i * r->esize / r->info.chunk_size;
	int rc;
	if (chunk != r->chunk || (r->data == r->dec->buf && r->dec->owner != r)) {
		ns_view view;
		rc = ns_version_view(&view, r->version, r->index, chunk, r->flags);
		if (rc == NS_OK) {
			r->data = view.data;
			r->data_size = view.size;
		} else if (rc == NS_EUNSUPPORTED) {
			uint64_t left = r->info.nbytes - chunk * r->info.chunk_size;
			size_t size = left < r->info.chunk_size ? (size_t)left : r->info.chunk_size;
			if ((rc = ns_version_read_chunk(r->dec->buf, r->dec->cap, r->version,
							r->index, chunk, r->flags)) < 0)
				return nsm_err_ns(rc, "reading"); /* the store names the array and chunk */
			r->data = r->dec->buf;
			r->dec->owner = r;
			r->data_size = size;
		} else {
			return nsm_err_ns(rc, "reading"); /* the store names the array and chunk */
		}
		r->chunk = chunk;
		if (r->counted == UINT64_MAX || chunk > r->counted) {
			r->dec->bytes += r->data_size;
			r->counted = chunk;
		}
	}
	r->lo = chunk * r->info.chunk_size / r->esize;
	r->hi = r->lo + r->data_size / r->esize;
	*out = r->data + (i - r->lo) * r->esize;
	return NS_OK;
}

int64_t nsm_reader_span(const void **out, struct nsm_reader *r, uint64_t i)
{
	int rc;
	if ((rc = nsm_reader_at(out, r, i)) < 0)
		return rc;
	return (int64_t)(r->hi - i);
}

int64_t nsm_reader_i64(struct nsm_reader *r, uint64_t i, int *rc)
{
	const void *p = NULL;
	int64_t x = 0;
	if ((*rc = nsm_reader_at(&p, r, i)) == NS_OK)
		memcpy(&x, p, sizeof x);
	return x;
}
