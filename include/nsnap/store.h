/* SPDX-License-Identifier: MIT */
/**
 * @file store.h
 * @brief The versioned store: one memory-mapped LMDB file of checkpoints.
 *
 * A store holds *versions*. A version is a set of named arrays plus a
 * message, UTC time, parent, free metadata (string pairs) and one opaque
 * "structure" blob that the engine uses for the network's description.
 * Arrays are cut into fixed-size chunks (the store's chunk size, 1 MiB by
 * default); each chunk is stored once under the XXH3-128 hash of its raw
 * bytes, raw or zstd-compressed (after a byte shuffle for typed numbers).
 * A version therefore only costs the chunks that changed.
 *
 * Caveats, read these first:
 * - A store is the file itself plus LMDB's lock file beside it (`PATH-lock`).
 * - Open a given store file at most once per process (an LMDB rule); share
 *   the #ns_store handle between threads instead. Reads (#ns_version) may run
 *   in parallel from several threads, one thread per #ns_version at a time.
 *   Commits are serialised, across threads and processes.
 * - Pointers returned by an #ns_version (messages, names, views into the
 *   map) are valid until ns_version_close() and must not be written to.
 * - The map grows by itself when a commit needs more room. Growing needs no
 *   other #ns_version of the same handle to be open at that moment; the
 *   initial map is large (64 GiB of address space, not of disk) so that
 *   this is rarely needed.
 */
#ifndef NSNAP_STORE_H
#define NSNAP_STORE_H

#include <nsnap/api.h>

#include <stddef.h>
#include <stdint.h>

#include <nsnap/error.h>

#ifdef __cplusplus
extern "C" {
#endif

/** An open store. */
typedef struct ns_store ns_store;
/** A commit being assembled: arrays, metadata, then ns_commit_finish(). */
typedef struct ns_commit ns_commit;
/** An open version: a consistent read view of one version. */
typedef struct ns_version ns_version;

/** Element types of arrays. Values are stored in files: never renumber. */
typedef enum ns_dtype {
	NS_DTYPE_BYTES = 0, /**< untyped bytes */
	NS_DTYPE_F64 = 1,
	NS_DTYPE_F32 = 2,
	NS_DTYPE_I64 = 3,
	NS_DTYPE_I32 = 4,
	NS_DTYPE_U8 = 5,
	NS_DTYPE_BOOL = 6, /**< one byte, 0 or 1 */
} ns_dtype;

/** Size in bytes of one element of @p dtype; 0 for an unknown type. */
NS_API size_t ns_dtype_size(ns_dtype dtype);
/** Name of @p dtype ("f64", "bool", ...); "?" for an unknown type. */
NS_API const char *ns_dtype_name(ns_dtype dtype);

/** How chunks are stored. Values are stored in files: never renumber. */
typedef enum ns_codec {
	NS_CODEC_DEFAULT = -1, /**< in options: the store's default codec */
	NS_CODEC_RAW = 0,      /**< as is; readable in place from the map */
	NS_CODEC_ZSTD = 1,     /**< zstd; typed numbers byte-shuffled first */
} ns_codec;

/** Flags of #ns_store_opts. */
enum {
	NS_STORE_CREATE = 1u << 0, /**< create the store if the file is missing */
	NS_STORE_RDONLY = 1u << 1, /**< open read-only: commits are refused */
	/** Track writes to the arrays in memory that commits read
	 *  (ns_commit_add(); so ns_snapshot() and ns_snapshot_async()),
	 *  through the page tables (Linux 6.7's userfaultfd write-protect
	 *  bits, read with PAGEMAP_SCAN): a chunk unchanged since an earlier
	 *  commit is neither hashed nor read again, and a projection's
	 *  connectivity unchanged is not checked again. The first write to
	 *  such a page after a commit costs the writer a minor fault. Writes a device makes by DMA into pinned
	 *  memory (RDMA, CUDA's pinned host buffers) do not pass through the
	 *  page tables: do not set it for arrays written that way. Ignored
	 *  where the kernel lacks it, or with NSNAP_TRACK=0 in the
	 *  environment; see ns_store_tracking(). */
	NS_STORE_TRACK_WRITES = 1u << 2,
};

#define NS_STORE_OPTS_VERSION 1
#define NS_DEFAULT_CHUNK_SIZE (1u << 20)

/** Options of ns_store_open(). Initialise with #NS_STORE_OPTS_INIT. */
typedef struct ns_store_opts {
	unsigned version;    /**< #NS_STORE_OPTS_VERSION */
	unsigned flags;      /**< NS_STORE_CREATE, NS_STORE_RDONLY */
	/** At creation: chunk size in bytes, a multiple of 4096 from 4 KiB to
	 *  1 GiB; 0 for #NS_DEFAULT_CHUNK_SIZE. Ignored when opening. */
	size_t chunk_size;
	/** At creation: the default codec of commits. Ignored when opening. */
	ns_codec codec;
	/** At creation: the default zstd level (1..19); 0 for 3. */
	int level;
	/** Address space to map at first, in bytes; 0 for 64 GiB. The map grows
	 *  by itself past it; a small value only makes it grow sooner. */
	uint64_t map_size;
	/** Bytes a commit writes per transaction before its last one: what LMDB
	 *  holds in memory at most. 0 for 48 MiB. */
	uint64_t write_batch;
} ns_store_opts;

#define NS_STORE_OPTS_INIT { NS_STORE_OPTS_VERSION, 0, 0, NS_CODEC_RAW, 0, 0, 0 }
/** Initialise @p opts as #NS_STORE_OPTS_INIT does, for bindings that cannot
 *  use the macro. @p version: #NS_STORE_OPTS_VERSION of the caller's header.
 *  @return NS_OK; NS_EINVAL for a NULL @p opts or a version this nsnap
 *  does not know. */
NS_API int ns_store_opts_init(ns_store_opts *opts, unsigned version);

/**
 * Open (or with NS_STORE_CREATE, create) the store in the file @p path.
 *
 * @param out   the new handle, written on success only (required)
 * @param path  the store file (not a directory)
 * @param opts  options, or NULL for defaults (open read-write, no create)
 * @return NS_OK; NS_ENOTFOUND when the file is missing and NS_STORE_CREATE
 *         was not given; NS_ENOTSTORE when the file is not an nsnap store
 *         (it is left untouched); NS_EVERSION when it was written by a newer
 *         nsnap; NS_EBUSY while ns_store_compact_file() replaces it;
 *         NS_EINVAL for bad options or a NULL @p out or @p path; NS_EIO,
 *         NS_ENOMEM.
 */
NS_API int ns_store_open(ns_store **out, const char *path, const ns_store_opts *opts);

/** Close a store. Every #ns_version and #ns_commit of it must be closed
 *  first. Accepts NULL. */
NS_API void ns_store_close(ns_store *store);

/** The path the store was opened with; valid until ns_store_close(). */
NS_API const char *ns_store_path(const ns_store *store);

/** 1 when @p store was opened with NS_STORE_TRACK_WRITES and this process
 *  can track writes (see there), else 0. */
NS_API int ns_store_tracking(const ns_store *store);

/**
 * Resolve a revision to a version number.
 *
 * A revision is a number (`7`), a tag (`v1`), a branch (`main`), `HEAD`
 * (the tip of the current branch), each optionally followed by `~N` (N
 * parents back; `~` alone means `~1`). Tags win over branches of the same
 * name.
 *
 * @param out  the version number (may be NULL, to learn only whether
 *             @p rev resolves)
 * @return NS_OK; NS_ENOTFOUND for an unknown name, a missing version or a
 *         walk past the first version (the message says which);
 *         NS_EINVAL for a malformed revision.
 */
NS_API int ns_store_resolve(uint64_t *out, ns_store *store, const char *rev);

/* ---------------------------------------------------------------- commits */

#define NS_COMMIT_OPTS_VERSION 1

/** Options of ns_commit_finish(). Initialise with #NS_COMMIT_OPTS_INIT. */
typedef struct ns_commit_opts {
	unsigned version;    /**< #NS_COMMIT_OPTS_VERSION */
	const char *message; /**< NULL for "" */
	/** Branch to commit to; NULL for the current branch. A branch that does
	 *  not exist yet is created, starting from the current branch's tip. */
	const char *branch;
	/** Tag to give the new version, or NULL. An existing tag fails the whole
	 *  commit (NS_EEXISTS) and nothing is written. */
	const char *tag;
	ns_codec codec;      /**< NS_CODEC_DEFAULT for the store's */
	int level;           /**< zstd level; 0 for the store's */
} ns_commit_opts;

#define NS_COMMIT_OPTS_INIT { NS_COMMIT_OPTS_VERSION, NULL, NULL, NULL, NS_CODEC_DEFAULT, 0 }
/** Initialise @p opts as #NS_COMMIT_OPTS_INIT does, for bindings that cannot
 *  use the macro. @p version: #NS_COMMIT_OPTS_VERSION of the caller's header.
 *  @return NS_OK; NS_EINVAL for a NULL @p opts or a version this nsnap
 *  does not know. */
NS_API int ns_commit_opts_init(ns_commit_opts *opts, unsigned version);

/**
 * Start assembling a commit. Nothing is written until ns_commit_finish().
 * @param out  the new commit (required)
 * @return NS_OK; NS_EINVAL for a NULL @p out; NS_EREADONLY for a read-only
 *         store; NS_ENOMEM.
 */
NS_API int ns_commit_new(ns_commit **out, ns_store *store);

/**
 * Add an array to the commit.
 *
 * @param name   unique within the commit, 1 to 4095 bytes; copied
 * @param data   @p count elements of @p dtype; *borrowed*: it must stay valid
 *               and unchanged until ns_commit_finish() or ns_commit_free()
 * @return NS_OK; NS_EEXISTS for a name already added; NS_EINVAL for a bad
 *         name or type, or NULL data with a non-zero count.
 */
NS_API int ns_commit_add(ns_commit *commit, const char *name, ns_dtype dtype,
			 const void *data, uint64_t count);

/**
 * Add an array whose elements a function produces, chunk by chunk, instead
 * of reading them from memory: @p fill writes elements [first, first + n)
 * into @p buf and returns NS_OK, or a negative #ns_error_code, which fails
 * the commit with that code. The last error is cleared before each call:
 * a message @p fill records (its own ns_error_last()) is kept, prefixed
 * with the array's name; when it records none, the message says "commit:
 * fill callback of array 'E/v' returned -3 (invalid argument)". A positive
 * return is not allowed: it fails the commit with NS_ERROR. @p fill may be
 * called more than once for the same elements (normally once per chunk
 * that the store does not have yet, as it is stored), until
 * ns_commit_finish() returns; it runs while the commit holds the store's
 * write lock, so other writers wait for it. @p ctx must stay valid until
 * then.
 * @return as ns_commit_add(); NS_EINVAL for a NULL @p fill.
 */
NS_API int ns_commit_add_fill(ns_commit *commit, const char *name, ns_dtype dtype, uint64_t count,
			      int (*fill)(void *ctx, uint64_t first, uint64_t n, void *buf), void *ctx);

/** The size of a content key of ns_commit_add_fill_keyed(). */
#define NS_CONTENT_KEY_SIZE 16

/**
 * As ns_commit_add_fill(), with @p key (#NS_CONTENT_KEY_SIZE bytes, copied)
 * naming the content: the caller promises that whenever it passes the same
 * @p name and @p key, @p fill produces the same bytes (a 128-bit hash of
 * everything @p fill reads is such a key). The store handle remembers the
 * chunk hashes of each keyed array it committed; a later commit through the
 * same handle of the same name, key, count and dtype calls @p fill only for
 * chunks the store no longer has. For arrays that are costly to produce (the
 * engine gathers a projection's arrays through a permutation) and often
 * unchanged between commits. On more than one core, ns_commit_finish() runs
 * @p fill on a thread of its own, a few chunks ahead of those it stores, so
 * that producing them and writing them overlap: @p fill must not depend on
 * the thread it runs on (thread-local state, locks its caller holds). A
 * chunk whose fill fails there is filled again on the calling thread, whose
 * error the commit reports.
 * @return as ns_commit_add_fill(); NS_EINVAL for a NULL @p key.
 */
NS_API int ns_commit_add_fill_keyed(ns_commit *commit, const char *name, ns_dtype dtype,
				    uint64_t count,
				    int (*fill)(void *ctx, uint64_t first, uint64_t n, void *buf),
				    void *ctx, const uint8_t *key);

/**
 * Take the commit's arrays now, so that ns_commit_finish() can run later,
 * on another thread, while the caller changes them: every chunk of the
 * arrays added from memory or by a fill function is hashed (a keyed array
 * the handle committed before under the same key is not read), and each
 * chunk the store does not have is copied. After it returns, the arrays'
 * memory may change or be freed and the fill functions are not called
 * again; what ns_commit_finish() commits is the state at this call. Costs
 * one read of the arrays and a copy of their new chunks, held until the
 * commit is finished or freed; the memory of the copies is then kept by
 * the store handle for the next capture (so that its pages need not be
 * faulted in again) and freed by ns_store_close(). Arrays added with
 * ns_commit_add_from() are not copied: their version stays borrowed.
 * Arrays added afterwards are captured by a further call, or read at
 * ns_commit_finish() as usual.
 *
 * A chunk the store had at this call but that another writer frees before
 * ns_commit_finish() (by deleting the only version using it) fails the
 * commit with NS_ENOTFOUND, naming the array; nothing is committed.
 *
 * @param copied  the bytes copied (may be NULL)
 * @return NS_OK; NS_ENOMEM; a fill function's error, naming the array. On
 *         an error the arrays captured before the failing one stay
 *         captured, the others are borrowed as before.
 */
NS_API int ns_commit_capture(ns_commit *commit, uint64_t *copied);

/**
 * Add array @p array of the open version @p from under @p name (NULL for its
 * own name), sharing its chunks: nothing is read or written again. @p from
 * must be of the same store and stay open until ns_commit_finish().
 * @return as ns_commit_add(); NS_EINVAL for another store's version or an
 *         index out of range.
 */
NS_API int ns_commit_add_from(ns_commit *commit, const char *name, ns_version *from,
			      uint64_t array);

/**
 * Whether array @p array of @p version holds the content named @p key
 * (#NS_CONTENT_KEY_SIZE bytes): 1 when this version's store handle
 * committed an array of that name with ns_commit_add_fill_keyed() and
 * that key, and it got exactly this array's chunks; 0 otherwise (also when
 * the handle does not remember). Lets a reader skip copying what a
 * destination holds already.
 */
NS_API int ns_version_array_has_key(const ns_version *version, uint64_t array,
				    const uint8_t *key);

/** Set metadata @p key to @p value (both copied; a later call replaces).
 *  @return NS_OK; NS_EINVAL for an empty key; NS_ENOMEM. */
NS_API int ns_commit_set_meta(ns_commit *commit, const char *key, const char *value);

/** Set the opaque structure blob (copied).
 *  @return NS_OK; NS_ENOMEM. */
NS_API int ns_commit_set_blob(ns_commit *commit, const void *data, size_t size);

/**
 * Write the commit as a new version, durably (fsync) and atomically: after
 * a crash at any point either the whole version is there or none of it.
 * Chunks already in the store are not written again. A commit of more new
 * bytes (chunks the store lacks) than the store's write batch first stores
 * its new chunks in batches,
 * then adds the version: a crash in between leaves those chunks as orphans
 * (see ns_store_gc()), a failure frees them. The commit is freed, whatever
 * the result.
 *
 * @param out  the new version number (may be NULL)
 * @return NS_OK; NS_EEXISTS when opts->tag exists; NS_EINVAL for a bad
 *         branch or tag name or option; NS_EFULL when the disk is full or
 *         the map cannot grow; NS_EIO; NS_ENOMEM.
 */
NS_API int ns_commit_finish(uint64_t *out, ns_commit *commit, const ns_commit_opts *opts);

/** Drop a commit without writing it. Accepts NULL. */
NS_API void ns_commit_free(ns_commit *commit);

/* --------------------------------------------------------------- versions */

/** What a version is. Strings are valid while the version is open (or,
 *  from ns_store_foreach_version(), during the callback). */
typedef struct ns_version_info {
	uint64_t number;        /**< 1, 2, ...; never reused */
	uint64_t parent;        /**< 0 for none */
	int64_t time_ns;        /**< UTC, nanoseconds since 1970 */
	const char *message;
	uint64_t logical_bytes; /**< raw size of all its arrays */
	uint64_t new_bytes;     /**< bytes its commit added to the store */
	uint64_t n_arrays;
	uint64_t n_meta;
} ns_version_info;

/** One array of an open version; pointers valid while it is open. */
typedef struct ns_array_info {
	const char *name;
	ns_dtype dtype;
	uint64_t count;          /**< elements */
	uint64_t nbytes;         /**< count * element size */
	uint64_t n_chunks;
	uint64_t chunk_size;     /**< bytes per chunk (the last may be shorter) */
	const uint8_t *hashes;   /**< n_chunks XXH3-128 digests, 16 bytes each */
} ns_array_info;

/** A zero-copy view of a raw chunk, straight from the map: valid until
 *  ns_version_close(); never write through it. */
typedef struct ns_view {
	const void *data;  /**< 8-byte aligned when @p aligned is set */
	size_t size;
	uint64_t offset;   /**< byte offset of the chunk in its array */
	int aligned;       /**< data is aligned to 8 bytes */
} ns_view;

/** Flags of reads. */
enum {
	NS_READ_VERIFY = 1u << 0, /**< check the chunk's hash (NS_ECORRUPT) */
};

/**
 * Open a version for reading. The view is consistent: commits and deletes
 * made meanwhile are not seen.
 * @param out  the open version (required)
 * @return NS_OK; NS_EINVAL for a NULL @p out; the errors of
 *         ns_store_resolve(); NS_ENOMEM.
 */
NS_API int ns_version_open(ns_version **out, ns_store *store, const char *rev);

/** As ns_version_open(), by number. */
NS_API int ns_version_open_number(ns_version **out, ns_store *store, uint64_t number);

/** Close a version; its pointers become invalid. Accepts NULL. */
NS_API void ns_version_close(ns_version *version);

/** The version's description; valid while it is open. */
NS_API const ns_version_info *ns_version_get_info(const ns_version *version);

/** Metadata entry @p i (0 <= i < n_meta); @p key or @p value may be NULL
 *  when not wanted. @return NS_OK; NS_EINVAL. */
NS_API int ns_version_meta_at(const char **key, const char **value,
			      const ns_version *version, uint64_t i);

/** Metadata value for @p key (@p value may be NULL, to learn only whether
 *  it is there). @return NS_OK; NS_ENOTFOUND. */
NS_API int ns_version_meta_get(const char **value, const ns_version *version, const char *key);

/** The structure blob (size 0 if none was set); zero-copy. Either of
 *  @p data and @p size may be NULL when not wanted. */
NS_API void ns_version_blob(const void **data, size_t *size, const ns_version *version);

/** Array @p i (0 <= i < n_arrays) into @p out (required).
 *  @return NS_OK; NS_EINVAL for @p i out of range or a NULL @p out. */
NS_API int ns_version_array_at(ns_array_info *out, const ns_version *version, uint64_t i);

/** Index of the array called @p name (@p index may be NULL, to learn only
 *  whether it is there). @return NS_OK; NS_ENOTFOUND. */
NS_API int ns_version_array_find(uint64_t *index, const ns_version *version, const char *name);

/**
 * Zero-copy view of chunk @p chunk of array @p array, read in place from
 * the map, into @p out (required). Only raw chunks can be viewed.
 * @return NS_OK; NS_EUNSUPPORTED for a compressed chunk (use
 *         ns_version_read_chunk()); NS_EINVAL for an index out of range or
 *         a NULL @p out;
 *         NS_ECORRUPT for a missing or (with NS_READ_VERIFY) damaged chunk.
 */
NS_API int ns_version_view(ns_view *out, ns_version *version, uint64_t array,
			   uint64_t chunk, unsigned flags);

/**
 * Copy chunk @p chunk of array @p array into @p buf, decompressing it if
 * needed. @p size must be at least the chunk's size.
 * @return NS_OK; NS_EINVAL for indices out of range or a small (or NULL)
 *         buffer;
 *         NS_ECORRUPT for a missing, undecodable or (with NS_READ_VERIFY)
 *         damaged chunk.
 */
NS_API int ns_version_read_chunk(void *buf, size_t size, ns_version *version,
				 uint64_t array, uint64_t chunk, unsigned flags);

/**
 * Copy the whole array @p array into @p buf (at least nbytes), as
 * ns_version_read_chunk() does for each chunk.
 * @return NS_OK; NS_EINVAL for an index out of range or a small (or NULL)
 *         buffer; NS_ECORRUPT as ns_version_read_chunk().
 */
NS_API int ns_version_read(void *buf, size_t size, ns_version *version, uint64_t array,
			   unsigned flags);

/**
 * Check that every chunk of array @p array is there, of the right size and,
 * when compressed, decodable; with NS_READ_VERIFY also that every chunk
 * matches its hash. After a successful check, reading the array can only
 * fail for lack of memory: check first, then write into live memory.
 * @return NS_OK; NS_EINVAL for an index out of range; NS_ECORRUPT naming
 *         the first bad chunk; NS_ENOMEM.
 */
NS_API int ns_version_check(ns_version *version, uint64_t array, unsigned flags);

/**
 * Call @p fn (required) for every version, newest first. @p fn returns 0
 * to go on, anything else to stop: ns_store_foreach_version() then returns
 * that value. A positive value is a plain stop (no error is recorded); a
 * negative one is an error: the last error is cleared before each call, so
 * the message is the one @p fn recorded, or when it recorded none, one
 * that names the callback, its code and the version ("callback returned
 * -3 (invalid argument) at version 2").
 * @return NS_OK; what @p fn returned; NS_EINVAL for a NULL @p fn;
 *         NS_ECORRUPT; NS_EIO.
 */
NS_API int ns_store_foreach_version(ns_store *store,
				    int (*fn)(const ns_version_info *info, void *ctx), void *ctx);

/**
 * Delete version @p number. Its chunks that no other version uses are
 * freed; shared chunks stay. Branches at it move to its parent (or are
 * removed when it has none); its children take its parent as theirs.
 * @return NS_OK; NS_ENOTFOUND; NS_EBUSY when a tag names it (delete the tag
 *         first); NS_EREADONLY; NS_EIO.
 */
NS_API int ns_version_delete(ns_store *store, uint64_t number);

/* ------------------------------------------------------------------- refs */

typedef enum ns_ref_kind { NS_REF_TAG = 0, NS_REF_BRANCH = 1 } ns_ref_kind;

/** A tag or branch, as listed by ns_ref_foreach(). */
typedef struct ns_ref {
	const char *name;
	ns_ref_kind kind;
	uint64_t version;
	int is_head; /**< the current branch */
} ns_ref;

/**
 * Tag revision @p rev as @p name. Tags never move.
 * Names: 1 to 255 bytes of letters, digits and `._-/`, not starting with
 * `-`, `.` or `/`, not all digits, not `HEAD`.
 * @return NS_OK; NS_EEXISTS when the tag exists (it is left as it was);
 *         NS_EINVAL for a bad name; the errors of ns_store_resolve().
 */
NS_API int ns_tag_create(ns_store *store, const char *name, const char *rev);

/** Delete tag @p name. @return NS_OK; NS_ENOTFOUND. */
NS_API int ns_tag_delete(ns_store *store, const char *name);

/**
 * Create branch @p name at revision @p rev (NULL for HEAD), or with
 * @p force move an existing one there. Names as for tags.
 * @return NS_OK; NS_EEXISTS without @p force; NS_EINVAL; the errors of
 *         ns_store_resolve().
 */
NS_API int ns_branch_create(ns_store *store, const char *name, const char *rev, int force);

/** Delete branch @p name; its versions stay. @return NS_OK; NS_ENOTFOUND;
 *  NS_EBUSY for the current branch. */
NS_API int ns_branch_delete(ns_store *store, const char *name);

/** Make @p name the current branch: HEAD, and where commits go. It need
 *  not exist yet (the next commit creates it). @return NS_OK; NS_EINVAL. */
NS_API int ns_branch_checkout(ns_store *store, const char *name);

/** Call @p fn (required) for every tag and branch, tags first, by name.
 *  @p fn returns as in ns_store_foreach_version(); a message recorded for
 *  it names the ref. @return as ns_store_foreach_version(). */
NS_API int ns_ref_foreach(ns_store *store, int (*fn)(const ns_ref *ref, void *ctx), void *ctx);

/* -------------------------------------------------- verify, stats, compact */

/** A problem found by ns_store_verify(); valid during the callback. */
typedef struct ns_problem {
	int code;             /**< NS_ECORRUPT */
	uint64_t version;     /**< 0 when no version is concerned */
	const char *array;    /**< NULL when no array is concerned */
	uint64_t chunk;       /**< chunk index in the array */
	const uint8_t *hash;  /**< the chunk's 16-byte hash, or NULL */
	const char *message;  /**< names the object and the damage */
} ns_problem;

/**
 * Check the whole store: every chunk decodes and matches its hash, every
 * chunk every version needs is there, reference counts and statistics are
 * right. Calls @p fn (may be NULL) for each problem; it returns 0 to go
 * on, anything else to stop the check, which then returns that value (a
 * positive one is a plain stop, a negative one an error with the message
 * @p fn recorded, or, when it recorded none, one that names the callback,
 * its code and the problem: the last error is cleared before each call).
 *
 * @param n_problems  the number of problems found (may be NULL); written
 *                    only when the check ran to its end
 * @return NS_OK when nothing is wrong; NS_ECORRUPT when problems were
 *         found (the message counts them); what @p fn returned when it
 *         stopped the check; NS_EIO, NS_ENOMEM.
 */
NS_API int ns_store_verify(ns_store *store, int (*fn)(const ns_problem *p, void *ctx),
			   void *ctx, uint64_t *n_problems);

/**
 * Free the chunks no version references: those a commit had stored when it
 * was interrupted (a crash, a kill). Safe while other processes commit:
 * a commit stores again any of its chunks freed meanwhile.
 * @param chunks, bytes  what was freed (may be NULL)
 * @return NS_OK; NS_EREADONLY; NS_EIO.
 */
NS_API int ns_store_gc(ns_store *store, uint64_t *chunks, uint64_t *bytes);

/** Figures about a store. */
typedef struct ns_store_stats {
	uint64_t versions;
	uint64_t chunks;        /**< distinct chunks */
	uint64_t logical_bytes; /**< raw size of every array of every version */
	uint64_t unique_bytes;  /**< raw size of the distinct chunks */
	uint64_t stored_bytes;  /**< size of the distinct chunks as stored */
	uint64_t orphan_chunks; /**< chunks no version uses (see ns_store_gc()) */
	uint64_t file_bytes;    /**< size of the store file */
	uint64_t chunk_size;
	ns_codec codec;         /**< default codec */
	int level;              /**< default zstd level */
	unsigned format;        /**< on-disk format version */
} ns_store_stats;

/** Fill @p out (required). @return NS_OK; NS_EINVAL for a NULL @p out;
 *  NS_EIO. */
NS_API int ns_store_stats_get(ns_store_stats *out, ns_store *store);

/**
 * Write a compacted copy of the store (no free pages) to the new file
 * @p dest, atomically: a failed compaction leaves no file behind.
 * @return NS_OK; NS_EEXISTS when @p dest exists; NS_EIO; NS_EFULL.
 */
NS_API int ns_store_compact(ns_store *store, const char *dest);

/**
 * Compact the store in the file @p path in place: a compacted copy is
 * written beside it, synced, and renamed over it, atomically. Every open of
 * a store holds a shared lock on its file; this takes it exclusively, so it
 * is refused while any process (this one included) has the store open, and
 * opens made meanwhile fail with NS_EBUSY instead of waiting.
 * @param before, after  the file's size before and after (may be NULL)
 * @return NS_OK; NS_ENOTFOUND; NS_EBUSY when the store is open; the errors
 *         of ns_store_open() and ns_store_compact().
 */
NS_API int ns_store_compact_file(const char *path, uint64_t *before, uint64_t *after);

#ifdef __cplusplus
}
#endif
#endif
