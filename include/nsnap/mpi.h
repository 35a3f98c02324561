/* SPDX-License-Identifier: MIT */
/**
 * @file mpi.h
 * @brief Sharded checkpoints over MPI: a snapshot written by N ranks,
 *        restored on any number M of ranks (libnsnap_mpi).
 *
 * Each rank describes the part of the network it owns in an #ns_mpi_net:
 * its populations with the *global ids* (gids, 0 to size-1 within the
 * population) of the neurons it holds, its projections with the
 * (pre gid, post gid) pair of each synapse it holds, and its arrays, bound
 * as with ns_attr_add() (borrowed: read on snapshot, written on restore,
 * never freed). Because neurons and synapses are named by gids, a shard
 * means the same thing on any distribution.
 *
 * # The store directory
 * A sharded store is a directory:
 * - `rank-R.nsnap` (R = 0, 1, ...): an ordinary nsnap store, written only by
 *   rank R of a snapshot; one version per snapshot that rank R took part
 *   in. Arrays: `gid/P` (the gids of population P the rank owned, sorted),
 *   `pre/J` and `post/J` (the synapses of projection J, sorted by post then
 *   pre gid, multapses in their order on the rank), `attr/OBJ/A` (the
 *   values of attribute A in that order; semiglobal ones in the post
 *   population's gid order).
 * - `global.nsnap`: an ordinary nsnap store of global records, one version
 *   per global version. A record holds the structure (objects, global
 *   sizes, attributes), the time, rank 0's global-scope values (`attr/P/A`)
 *   and network-wide arrays (`net/A`), and the shard version of each rank
 *   (metadata `nsnap.mpi.shard.R`). Its revisions (numbers, tags,
 *   branches, HEAD, `~N`) are the sharded store's revisions.
 * - the LMDB lock file of each (`NAME-lock`).
 *
 * ns_mpi_open() assembles a global version into one ordinary network in
 * one process (for tools, and to compare with an unsharded run).
 *
 * # File systems
 * Every file is an LMDB environment: memory-mapped, one writer at a time,
 * locks in a lock file beside it, fsync for durability. Keep the directory
 * on a local file system or on a shared one that honours mmap, fcntl locks
 * and fsync coherently across nodes (a node-local SSD per job, or a
 * parallel file system such as Lustre or GPFS mounted with locking).
 * NFS is not for it (LMDB's rule: no network file systems for the lock
 * file). Ranks on different nodes each write only their own file, so a
 * node-local directory works for writing; a restore on other nodes needs
 * every shard file visible on every node.
 *
 * # Two-phase commit
 * ns_mpi_snapshot() is collective: (1) every rank checks its part and that
 * every rank describes the same structure and that the neurons of every
 * population are owned once each; (2) every rank commits its shard to its
 * own file; (3) an MPI_Allreduce tells whether every shard committed;
 * (4) only then rank 0 commits the global record, and broadcasts the
 * result. A failure anywhere, or a rank that dies before (4), leaves no
 * global version: only the global record makes a version visible, and
 * readers see the previous ones intact. Shard versions of a failed round
 * are garbage, collected by ns_mpi_gc().
 *
 * # Errors
 * Every function returns NS_OK or a negative #ns_error_code, and records a
 * message that names the file, object and cause; read it with
 * ns_mpi_error_last() (nsnap's own ns_error_last() holds the message of
 * the last nsnap call this layer made, which the layer's message quotes).
 * A collective call returns the same code and message on every rank: the
 * lowest rank that failed says what went wrong, prefixed by "rank R: "
 * (no prefix when every rank reached the verdict from the same data, as
 * for the partition checks).
 * A rank that dies makes MPI abort the job (MPI's default error handler);
 * its peers do not return.
 *
 * Caveats:
 * - Collective calls must be called by every rank of the network's
 *   communicator, in the same order.
 * - All synapses of one (pre gid, post gid) pair must live on one rank (as
 *   when synapses live on the post-synaptic neuron's rank): a restore
 *   refuses a pair split between ranks.
 * - Attributes of scope #NS_ARRAY are network-wide only
 *   (ns_mpi_net_attr_add()): they are replicated, rank 0's values are kept.
 *   Global-scope attributes are rank 0's values too.
 * - The partition checks (every neuron owned by exactly one rank) compare
 *   64-bit sums of hashes of the ids: a wrong partition passes them with a
 *   probability of about 2^-64.
 */
#ifndef NSNAP_MPI_H
#define NSNAP_MPI_H

#include <stddef.h>
#include <stdint.h>

#include <mpi.h>

#include <nsnap/error.h>
#include <nsnap/network.h>
#include <nsnap/store.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Not NS_API: libnsnap's symbol check covers only what libnsnap exports. */
#if defined(__GNUC__) || defined(__clang__)
#define NS_MPI_API __attribute__((visibility("default")))
#else
#define NS_MPI_API
#endif

/** One rank's part of a distributed network. */
typedef struct ns_mpi_net ns_mpi_net;

/**
 * A new, empty part of a network called @p name (may be NULL for ""), for
 * the ranks of @p comm. Not collective: @p comm is kept (not duplicated)
 * and must stay valid until ns_mpi_net_free().
 * @param out  the new network (required)
 * @return NS_OK; NS_EINVAL for a NULL @p out or MPI_COMM_NULL; NS_ENOMEM.
 */
NS_MPI_API int ns_mpi_net_new(ns_mpi_net **out, MPI_Comm comm, const char *name);

/** Free a network part (never its bound arrays). Accepts NULL. */
NS_MPI_API void ns_mpi_net_free(ns_mpi_net *net);

/** Set the simulation time: @p t_ms in ms and the step count (the same on
 *  every rank; rank 0's is stored). */
NS_MPI_API void ns_mpi_net_set_time(ns_mpi_net *net, double t_ms, uint64_t step);
/** The simulation time; either pointer may be NULL. */
NS_MPI_API void ns_mpi_net_time(const ns_mpi_net *net, double *t_ms, uint64_t *step);
/** Set the time step in ms. */
NS_MPI_API void ns_mpi_net_set_dt(ns_mpi_net *net, double dt_ms);
/** The time step in ms. */
NS_MPI_API double ns_mpi_net_dt(const ns_mpi_net *net);

/**
 * Add population @p name of @p size neurons in all, of which this rank
 * owns the @p n_local whose gids are @p gids (borrowed: valid and unchanged
 * until ns_mpi_net_free(); any order; NULL when @p n_local is 0). Local
 * attributes of the population hold one value per entry of @p gids, in
 * that order. Gids are checked (0 <= gid < size, once each) by the
 * collective calls.
 * @param neuron_type  may be NULL
 * @return NS_OK; NS_EEXISTS for a name in use; NS_EINVAL for a bad name
 *         (as in network.h) or type, or NULL @p gids with a non-zero
 *         @p n_local; NS_ENOMEM.
 */
NS_MPI_API int ns_mpi_population_add(ns_mpi_net *net, const char *name, uint64_t size,
				     const char *neuron_type, const int64_t *gids, uint64_t n_local);

/**
 * Add projection @p name from population @p pre to population @p post
 * (added before), with the @p n_local synapses this rank holds: synapse i
 * goes from neuron @p pre_gids[i] of @p pre to neuron @p post_gids[i] of
 * @p post (gids, not local indices; both arrays borrowed as in
 * ns_mpi_population_add()). Local attributes hold one value per synapse,
 * in this order; semiglobal ones one value per neuron of @p post that this
 * rank owns, in the order of that population's gids.
 * @param target, synapse_type  may be NULL
 * @return NS_OK; NS_EEXISTS; NS_ENOTFOUND for a missing population;
 *         NS_EINVAL; NS_ENOMEM.
 */
NS_MPI_API int ns_mpi_projection_add(ns_mpi_net *net, const char *name, const char *pre,
				     const char *post, const char *target,
				     const char *synapse_type, const int64_t *pre_gids,
				     const int64_t *post_gids, uint64_t n_local);

/**
 * Bind attribute @p name of object @p object to @p data: the simulator's
 * memory, borrowed, of #NS_GLOBAL (1 value), #NS_LOCAL (one per owned
 * neuron or held synapse) or #NS_SEMIGLOBAL (projections: one per owned
 * post neuron) scope. NULL @p data only for no values.
 * @return NS_OK; NS_ENOTFOUND for a missing object; NS_EEXISTS for a name
 *         in use on it; NS_EINVAL for a bad name, type or scope
 *         (#NS_ARRAY, or semiglobal on a population); NS_ENOMEM.
 */
NS_MPI_API int ns_mpi_attr_add(ns_mpi_net *net, const char *object, const char *name,
			       ns_attr_kind kind, ns_scope scope, ns_dtype dtype, void *data);

/**
 * Bind a network-wide array of @p count values (the same on every rank:
 * rank 0's are stored; a restore writes them on every rank).
 * @return as ns_mpi_attr_add().
 */
NS_MPI_API int ns_mpi_net_attr_add(ns_mpi_net *net, const char *name, ns_attr_kind kind,
				   ns_dtype dtype, uint64_t count, void *data);

#define NS_MPI_SNAPSHOT_OPTS_VERSION 1

/** Options of ns_mpi_snapshot(). Initialise with #NS_MPI_SNAPSHOT_OPTS_INIT. */
typedef struct ns_mpi_snapshot_opts {
	unsigned version;    /**< #NS_MPI_SNAPSHOT_OPTS_VERSION */
	const char *message; /**< of the global version; NULL for "" */
	const char *branch;  /**< of the global store, as in #ns_commit_opts */
	const char *tag;     /**< of the global store, as in #ns_commit_opts */
	ns_codec codec;      /**< of the shards; NS_CODEC_DEFAULT for the store's */
	int level;           /**< zstd level of the shards; 0 for the store's */
	size_t chunk_size;   /**< when a shard file is created; 0 for the default */
	/**
	 * Called on every rank after its shard committed, before the vote of
	 * phase (3), with the shard's version number (may be NULL). A
	 * negative return fails the round on this rank, with the message it
	 * recorded in ns_mpi_error_last() or one naming the hook and the code.
	 * For a simulator's own per-rank work of the first phase, and for
	 * fault-injection tests.
	 */
	int (*on_shard)(void *ctx, int rank, uint64_t shard_version);
	void *ctx;
} ns_mpi_snapshot_opts;

#define NS_MPI_SNAPSHOT_OPTS_INIT \
	{ NS_MPI_SNAPSHOT_OPTS_VERSION, NULL, NULL, NULL, NS_CODEC_DEFAULT, 0, 0, NULL, NULL }
/** Initialise @p opts as #NS_MPI_SNAPSHOT_OPTS_INIT does, for bindings that
 *  cannot use the macro. @p version: #NS_MPI_SNAPSHOT_OPTS_VERSION of the
 *  caller's header. @return NS_OK; NS_EINVAL for a NULL @p opts or a
 *  version this nsnap does not know. */
NS_MPI_API int ns_mpi_snapshot_opts_init(ns_mpi_snapshot_opts *opts, unsigned version);

/**
 * Collective: snapshot the network into the store directory @p dir
 * (created by rank 0 when missing), by the two-phase commit above.
 * @param out  the new global version's number, the same on every rank
 *             (may be NULL); written on success only
 * @return NS_OK on every rank, or the same error on every rank:
 *         NS_EINVAL for a bad option, a gid out of range or owned twice, a
 *         neuron nobody owns, or a structure that differs between ranks
 *         (the message names the object and the ranks); NS_EEXISTS when
 *         @p opts->tag exists; NS_ENOTSTORE when @p dir holds files that
 *         are not stores; NS_EIO, NS_EFULL, NS_ENOMEM; what @p on_shard
 *         returned.
 */
NS_MPI_API int ns_mpi_snapshot(uint64_t *out, const char *dir, ns_mpi_net *net,
			       const ns_mpi_snapshot_opts *opts);

#define NS_MPI_RESTORE_OPTS_VERSION 2

/** Options of ns_mpi_restore(). Initialise with #NS_MPI_RESTORE_OPTS_INIT. */
typedef struct ns_mpi_restore_opts {
	unsigned version; /**< #NS_MPI_RESTORE_OPTS_VERSION */
	int verify;       /**< check the hash of every chunk read */
	int no_time;      /**< leave the time, dt and network-wide arrays as they are */
	/** (version 2) where to put, on success, the bytes of the chunks this
	 *  rank read (each once: the index, the value chunks it serves, the
	 *  global record's values; decoded sizes for compressed chunks), or
	 *  NULL */
	uint64_t *bytes_read;
} ns_mpi_restore_opts;

#define NS_MPI_RESTORE_OPTS_INIT { NS_MPI_RESTORE_OPTS_VERSION, 0, 0, NULL }
/** Initialise @p opts as #NS_MPI_RESTORE_OPTS_INIT does; as
 *  ns_mpi_snapshot_opts_init(). */
NS_MPI_API int ns_mpi_restore_opts_init(ns_mpi_restore_opts *opts, unsigned version);

/**
 * Collective: restore global revision @p rev (NULL for HEAD) of the store
 * directory @p dir into the network, on any number of ranks. Each rank
 * reads the index (every shard's gid and synapse arrays) from the shards'
 * maps (zero-copy views of raw chunks) and finds there, by gid, the
 * neurons and synapses it owns. Of the values, each chunk-sized unit of a
 * shard is read by one rank (the one owning most of it when one owns more
 * than half, else one in turn) and sent to the ranks owning its values
 * (MPI_Alltoallv, one attribute at a time), so that each rank reads about
 * its share of the values whatever the two distributions; a rank that owns
 * exactly what it reads exchanges nothing.
 *
 * Everything is checked first, on every rank: the structure (every object
 * and attribute, their kinds, global sizes, pre and post populations,
 * scopes, element types and counts, the same in the version and the
 * network: no conversion, no skipping), that every neuron of every
 * population is owned by exactly one rank, that every synapse a rank holds
 * is in the version and the ranks hold as many as it has, and every chunk
 * to be read. Only when every rank passed does any rank write: a failed
 * restore changes no array and no time on any rank.
 *
 * @param out  the global version restored, the same on every rank (may be
 *             NULL); written on success only
 * @return NS_OK on every rank, or the same error on every rank:
 *         NS_EMISMATCH when the network differs from the version (the
 *         message says exactly what); NS_EINVAL for a bad option or a bad
 *         distribution (a gid out of range, a neuron owned by two ranks or
 *         by none); NS_ENOTFOUND for a missing directory or revision;
 *         NS_ECORRUPT for a damaged or inconsistent store (a shard missing
 *         the version its global record names, or of another snapshot);
 *         NS_EVERSION, NS_EIO, NS_ENOMEM.
 */
NS_MPI_API int ns_mpi_restore(uint64_t *out, const char *dir, const char *rev, ns_mpi_net *net,
			      const ns_mpi_restore_opts *opts);

/**
 * Not collective: assemble global revision @p rev (NULL for HEAD) of the
 * store directory @p dir into one network in this process, whose arrays
 * nsnap owns: populations of their global size with values by gid, the
 * projections with every shard's synapses (pre and post gids as indices),
 * the time, dt and network-wide arrays. It is the state as an unsharded
 * network: ns_snapshot() of it makes the version a single process would
 * have made; tools show, diff or export it as any network.
 * @param out  the new network (required); free with ns_network_free()
 * @return NS_OK; NS_EINVAL for a NULL @p out or @p dir; NS_ENOTFOUND for a
 *         missing directory or revision; NS_ECORRUPT for a damaged or
 *         inconsistent store; NS_EUNSUPPORTED for a projection between
 *         populations of 2^31 neurons or more; NS_EVERSION; NS_ENOMEM.
 */
NS_MPI_API int ns_mpi_open(ns_network **out, const char *dir, const char *rev);

/** Flags of ns_mpi_gc(). */
enum {
	/** Also collect shard versions newer than every one a global record
	 *  names: only when no snapshot of the directory is under way (one
	 *  might be between its phases (2) and (4)). */
	NS_MPI_GC_ALL = 1u << 0,
};

/**
 * Not collective (run it on one process): delete the shard versions that
 * no global version names (those of failed rounds, or of global versions
 * deleted since), with their chunks no other version uses, then free the
 * orphan chunks of shard commits that were killed (ns_store_gc()). Without
 * #NS_MPI_GC_ALL it keeps a shard's versions newer than the newest one a
 * global record names, so that it is safe while a snapshot runs; those are
 * collected by a later gc, after a later round succeeded.
 * @param versions  shard versions deleted (may be NULL)
 * @param bytes     orphan chunk bytes freed (may be NULL)
 * @return NS_OK; NS_ENOTFOUND for a missing directory or global store;
 *         NS_EBUSY when a tag of a shard names a version to delete; the
 *         errors of ns_store_open(); NS_ECORRUPT for a bad global record;
 *         NS_EIO.
 */
NS_MPI_API int ns_mpi_gc(uint64_t *versions, uint64_t *bytes, const char *dir, unsigned flags);

/** The last error this layer recorded on the calling thread: never NULL;
 *  valid until the next failing ns_mpi_* call on this thread. */
NS_MPI_API const ns_error *ns_mpi_error_last(void);

#ifdef __cplusplus
}
#endif
#endif
