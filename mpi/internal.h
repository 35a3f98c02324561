/* SPDX-License-Identifier: MIT */
/* What the files of libnsnap_mpi share. Private: never installed. */
#ifndef NSNAP_MPI_INTERNAL_H
#define NSNAP_MPI_INTERNAL_H

#include <nsnap/mpi.h>
#include <nsnap/nsnap.h>

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#if defined(__GNUC__)
#define NSM_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define NSM_PRINTF(a, b)
#endif

/* Format of the global records and shard metadata this layer writes. */
#define NSM_FORMAT 1
#define NSM_GLOBAL_FILE "global.nsnap"
#define NSM_PATH_MAX 4096

/* An attribute: of an object, or network-wide. data is NULL in a
 * structure parsed from a record. */
struct nsm_attr {
	char *name;
	ns_attr_kind kind;
	ns_scope scope;
	ns_dtype dtype;
	uint64_t count; /* network-wide arrays only */
	void *data;     /* borrowed */
};

struct nsm_obj {
	char *name;
	ns_object_kind kind;
	uint64_t size;    /* populations: global size */
	char *type;       /* "" when not given */
	char *pre, *post; /* projections */
	char *target;
	uint64_t n_local; /* owned neurons, held synapses */
	const int64_t *gids;               /* populations (borrowed) */
	const int64_t *pre_gids, *post_gids; /* projections (borrowed) */
	struct nsm_attr *attrs;
	size_t n_attrs;
	/* The sort order of the gids (by post, then pre, for synapses):
	 * computed once, as the gids stay unchanged. NULL when in order. */
	uint64_t *order;
	int order_known;
};

/* A structure: an ns_mpi_net, or one parsed from a global record. */
struct ns_mpi_net {
	MPI_Comm comm;
	int rank, size;
	char *name;
	double t, dt;
	uint64_t step;
	struct nsm_obj *objs;
	size_t n_objs;
	struct nsm_attr *net_attrs;
	size_t n_net_attrs;
};

/* ---- error.c */
int nsm_err(int code, const char *fmt, ...) NSM_PRINTF(2, 3);
/* nsm_err() whose message ends with ": " and nsnap's last message. */
int nsm_err_ns(int code, const char *fmt, ...) NSM_PRINTF(2, 3);
/* Prefix the current message with a formatted context; returns @code. */
int nsm_err_wrap(int code, const char *fmt, ...) NSM_PRINTF(2, 3);
/* Collective: NS_OK when every rank's @rc is NS_OK; otherwise the code and
 * message of the lowest failing rank, recorded on every rank, prefixed by
 * "rank R: ". */
int nsm_agree(MPI_Comm comm, int rc);
/* Mark @rc, a verdict every rank reached from the same data, as agreed
 * (no "rank R: " prefix, no vote); returns @rc. */
int nsm_agreed(int rc);
/* Run @expr; on a negative result keep it in rc and jump to done. */
#define NSM_TRY(expr)                         \
	do {                                  \
		if ((rc = (expr)) < 0)        \
			goto done;            \
	} while (0)

/* ---- net.c */
struct nsm_obj *nsm_obj_find(const ns_mpi_net *net, const char *name);
struct nsm_attr *nsm_attr_find(const struct nsm_obj *obj, const char *name);
/* The structure as text (lines of tab-separated fields); malloc'ed. */
int nsm_structure_write(char **out, size_t *len, const ns_mpi_net *net);
/* Parse a structure written by nsm_structure_write() into a new net with
 * no data (free with ns_mpi_net_free()); NS_ECORRUPT names @what. */
int nsm_structure_parse(ns_mpi_net **out, const char *text, size_t len, const char *what);
/* NS_OK when @a and @b describe the same structure, else @code with a
 * message naming the first difference, @an and @bn naming the two sides
 * ("rank 0", "the version"). */
int nsm_structure_compare(const ns_mpi_net *a, const char *an, const ns_mpi_net *b,
			  const char *bn, int code);
/* Local checks of a net before a collective call: gids within sizes,
 * owned once on this rank. */
int nsm_check_local(const ns_mpi_net *net);
/* Elements of an attribute on this rank. */
uint64_t nsm_attr_count(const ns_mpi_net *net, const struct nsm_obj *obj,
			const struct nsm_attr *a);

/* ---- partition.c */
/* A 64-bit mix of @x (splitmix64's finaliser). */
uint64_t nsm_mix(uint64_t x);
/* Collective: every gid of every population owned by exactly one rank. */
int nsm_check_partition(const ns_mpi_net *net);
/* The sort order of @o's gids, or of its synapses by post, then pre
 * gid (stable): (*perm)[k] is the local index of the k-th; NULL when
 * they are in order. Kept in @o (the gids are unchanged until it is
 * freed). */
int nsm_obj_order(const uint64_t **perm, struct nsm_obj *o);

/* ---- shard.c: reading one array of an open version, element by element */
/* A buffer for decoded chunks, shared by readers (one at a time). */
struct nsm_decode {
	uint8_t *buf;
	size_t cap;
	const void *owner; /* the reader whose chunk it holds */
	uint64_t bytes;    /* the bytes of the chunks its readers loaded */
};
struct nsm_reader {
	ns_version *version;
	uint64_t index;
	ns_array_info info;
	size_t esize;
	uint64_t chunk;      /* the chunk at hand; UINT64_MAX for none */
	uint64_t lo, hi;     /* its elements */
	uint64_t counted;    /* chunks up to this one are in dec->bytes; UINT64_MAX: none */
	const uint8_t *data; /* its bytes: a view, or buf */
	size_t data_size;
	struct nsm_decode *dec; /* for compressed chunks */
	unsigned flags;      /* NS_READ_VERIFY */
};
/* Open array @name of @v as a reader: the array must exist with @dtype
 * (and @count, unless UINT64_MAX); @what names it for messages. Grows
 * @dec to its chunk size, so that reads cannot fail for want of a buffer.
 * No chunk is read: a reader checks the chunks it reads (with
 * NS_READ_VERIFY, their hashes), so a restore's check pass reads what it
 * needs before its write pass reads the same again. */
int nsm_reader_open(struct nsm_reader *r, ns_version *v, const char *name, ns_dtype dtype,
		    uint64_t count, unsigned flags, struct nsm_decode *dec, const char *what);
/* Element @i (i < count): a pointer valid until the next call. A chunk's
 * bytes are added to dec->bytes when it is loaded the first time in a run
 * of rising chunk numbers (a second pass over the same elements adds
 * nothing). */
int nsm_reader_at(const void **out, struct nsm_reader *r, uint64_t i);
/* Elements @i onwards that lie in the chunk of element @i: *out points at
 * element @i, valid until the next call with @r or with a reader sharing
 * its decode buffer; returns their count (at least 1), or an error. */
int64_t nsm_reader_span(const void **out, struct nsm_reader *r, uint64_t i);
/* nsm_reader_at(), inlined when element @i is in the chunk at hand. */
static inline int nsm_reader_get(const void **out, struct nsm_reader *r, uint64_t i)
{
	if (i >= r->lo && i < r->hi && (r->data != r->dec->buf || r->dec->owner == r)) {
		*out = r->data + (i - r->lo) * r->esize;
		return NS_OK;
	}
	return nsm_reader_at(out, r, i);
}
/* Copy one element of @size bytes (the usual sizes inlined). */
static inline void nsm_copy_value(void *dst, const void *src, size_t size)
{
	if (size == 8)
		memcpy(dst, src, 8);
	else if (size == 4)
		memcpy(dst, src, 4);
	else
		memcpy(dst, src, size);
}
int64_t nsm_reader_i64(struct nsm_reader *r, uint64_t i, int *rc);

/* The path of @file in @dir into @buf (NSM_PATH_MAX). */
int nsm_path(char *buf, const char *dir, const char *file);
/* The shard file name of @rank into @buf (64 bytes). */
void nsm_shard_file(char *buf, int rank);

#endif
