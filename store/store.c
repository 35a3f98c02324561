/* SPDX-License-Identifier: MIT */
/* Opening, closing and sizing a store; settings, statistics. */
#include "internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/file.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#define MAP_INITIAL (64ull << 30)
#define MAP_STEP (64ull << 20)

size_t ns_dtype_size(ns_dtype dtype)
{
	switch (dtype) {
	case NS_DTYPE_BYTES:
	case NS_DTYPE_U8:
	case NS_DTYPE_BOOL: return 1;
	case NS_DTYPE_F32:
	case NS_DTYPE_I32: return 4;
	case NS_DTYPE_F64:
	case NS_DTYPE_I64: return 8;
	}
	return 0;
}

const char *ns_dtype_name(ns_dtype dtype)
{
	static const char *const names[] = { "bytes", "f64", "f32", "i64", "i32", "u8", "bool" };
	return (unsigned)dtype < sizeof names / sizeof names[0] ? names[dtype] : "?";
}

/* ---------------------------------------------------------------- meta */

static int meta_get(MDB_txn *txn, ns_store *s, const char *key, MDB_val *v)
{
	MDB_val k = { strlen(key), (void *)key };
	int rc = mdb_get(txn, s->meta, &k, v);
	if (rc == MDB_NOTFOUND)
		return ns_err(NS_ENOTSTORE, "store '%s': setting '%s' is missing", s->path, key);
	if (rc)
		return ns_err_lmdb(rc, "store '%s': reading setting '%s'", s->path, key);
	return NS_OK;
}

static int meta_put(MDB_txn *txn, ns_store *s, const char *key, const void *data, size_t size)
{
	MDB_val k = { strlen(key), (void *)key }, v = { size, (void *)data };
	int rc = mdb_put(txn, s->meta, &k, &v, 0);
	return rc ? ns_err_lmdb(rc, "store '%s': writing setting '%s'", s->path, key) : NS_OK;
}

int ns__meta_get_u64(MDB_txn *txn, ns_store *s, const char *key, uint64_t *out)
{
	MDB_val v;
	int rc = meta_get(txn, s, key, &v);
	if (rc)
		return rc;
	if (v.mv_size == 4)
		*out = ns__get_u32(v.mv_data);
	else if (v.mv_size == 8)
		*out = ns__get_u64(v.mv_data);
	else
		return ns_err(NS_ECORRUPT, "store '%s': setting '%s' has %zu bytes", s->path, key,
			      v.mv_size);
	return NS_OK;
}

int ns__meta_put_u64(MDB_txn *txn, ns_store *s, const char *key, uint64_t v)
{
	uint8_t b[8];
	ns__put_u64(b, v);
	return meta_put(txn, s, key, b, sizeof b);
}

static int meta_put_u32(MDB_txn *txn, ns_store *s, const char *key, uint32_t v)
{
	uint8_t b[4];
	ns__put_u32(b, v);
	return meta_put(txn, s, key, b, sizeof b);
}

int ns__counters_get(MDB_txn *txn, ns_store *s, struct counters *c)
{
	MDB_val v;
	int rc = meta_get(txn, s, META_COUNTERS, &v);
	if (rc)
		return rc;
	if (v.mv_size != 24)
		return ns_err(NS_ECORRUPT, "store '%s': the counters record has %zu bytes", s->path,
			      v.mv_size);
	c->chunks = ns__get_u64(v.mv_data);
	c->unique_bytes = ns__get_u64((uint8_t *)v.mv_data + 8);
	c->stored_bytes = ns__get_u64((uint8_t *)v.mv_data + 16);
	return NS_OK;
}

int ns__counters_put(MDB_txn *txn, ns_store *s, const struct counters *c)
{
	uint8_t b[24];
	ns__put_u64(b, c->chunks);
	ns__put_u64(b + 8, c->unique_bytes);
	ns__put_u64(b + 16, c->stored_bytes);
	return meta_put(txn, s, META_COUNTERS, b, sizeof b);
}

/* -------------------------------------------------------- transactions */

int ns__store_txn_begin(MDB_txn **out, ns_store *s, unsigned flags)
{
	int rc;
	for (;;) {
		rc = mdb_txn_begin(s->env, NULL, flags, out);
		if (rc != MDB_MAP_RESIZED)
			break;
		/* Another process grew the map: adopt its size, then retry. */
		pthread_mutex_lock(&s->lock);
		rc = s->active ? MDB_MAP_RESIZED : mdb_env_set_mapsize(s->env, 0);
		pthread_mutex_unlock(&s->lock);
		if (rc)
			return ns_err_lmdb(rc, "store '%s': another process grew the map while "
					   "versions are open here; close them and retry", s->path);
	}
	if (rc)
		return ns_err_lmdb(rc, "store '%s': beginning a transaction", s->path);
	pthread_mutex_lock(&s->lock);
	s->active++;
	pthread_mutex_unlock(&s->lock);
	return NS_OK;
}

/* What is behind a failed write. LMDB turns a short write into EIO, and a
 * disk fills up with short writes: with little space left (less than a
 * commit's batch of new pages), say that; likewise for a file that reached
 * the process's size limit (ulimit -f, where writes fail with EFBIG). */
static int write_cause(ns_store *s, int rc)
{
	int mrc = ns__err_lmdb_code(), fd;
	struct statvfs fs;
	struct rlimit rl;
	struct stat st;
	uint64_t room;

	if ((rc != NS_EIO && rc != NS_EFULL) || (mrc != EIO && mrc != EFBIG) ||
	    mdb_env_get_fd(s->env, &fd) != 0)
		return rc;
	if (getrlimit(RLIMIT_FSIZE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY &&
	    fstat(fd, &st) == 0 && (uint64_t)st.st_size + (64u << 10) > (uint64_t)rl.rlim_cur)
		return ns__err_recause(NS_EFULL, "the file '%s' reached the size limit of this "
				       "process (%llu bytes, ulimit -f)", s->path,
				       (unsigned long long)rl.rlim_cur);
	if (fstatvfs(fd, &fs) != 0)
		return rc;
	room = (uint64_t)(geteuid() == 0 ? fs.f_bfree : fs.f_bavail) * fs.f_frsize;
	if (room < s->write_batch)
		return ns__err_recause(NS_EFULL, "no space left on device (the file system of "
				       "'%s' has %llu bytes free)", s->path,
				       (unsigned long long)room);
	return rc;
}

/* Commit (when @commit_it and *rc is OK) or abort @txn; a failed commit
 * sets *rc. */
void ns__store_txn_end(ns_store *s, MDB_txn *txn, int commit_it, int *rc)
{
	if (!txn)
		return;
	if (commit_it && *rc == NS_OK) {
		int mrc = mdb_txn_commit(txn);
		if (mrc)
			*rc = write_cause(s, ns_err_lmdb(mrc, "store '%s': committing", s->path));
	} else {
		mdb_txn_abort(txn);
	}
	pthread_mutex_lock(&s->lock);
	s->active--;
	pthread_mutex_unlock(&s->lock);
}

int ns__store_write(ns_store *s, unsigned txn_flags, int (*fn)(MDB_txn *txn, void *ctx), void *ctx)
{
	MDB_txn *txn;
	int rc;

	if (s->rdonly)
		return ns_err(NS_EREADONLY, "store '%s': opened read-only", s->path);
	for (int attempt = 0;; attempt++) {
		/* LMDB 0.9 takes MDB_NOMETASYNC only for the whole environment
		 * (mdb_txn_begin() ignores it): it is set for this transaction
		 * alone, while this handle's writers are held off, so that no
		 * other commit of this process runs without its meta sync. */
		pthread_mutex_lock(&s->write_lock);
		if ((rc = ns__store_txn_begin(&txn, s, txn_flags & ~MDB_NOMETASYNC)) < 0) {
			pthread_mutex_unlock(&s->write_lock);
			return rc;
		}
		if (txn_flags & MDB_NOMETASYNC)
			mdb_env_set_flags(s->env, MDB_NOMETASYNC, 1);
		rc = write_cause(s, fn(txn, ctx));
		ns__store_txn_end(s, txn, 1, &rc);
		if (txn_flags & MDB_NOMETASYNC)
			mdb_env_set_flags(s->env, MDB_NOMETASYNC, 0);
		pthread_mutex_unlock(&s->write_lock);
		/* A full map is not a full disk: grow it and start again. */
		if (rc != NS_EFULL || !ns_err_is_map_full() || attempt == 8)
			return rc;
		if ((rc = ns__store_grow(s)) < 0)
			return rc;
	}
}

static int set_mapsize_locked(ns_store *s, uint64_t size)
{
	int rc;
	if (s->active)
		return ns_err(NS_EFULL, "store '%s': the map is full and cannot grow while %u "
			      "versions or transactions are open in this process; close them",
			      s->path, s->active);
	rc = mdb_env_set_mapsize(s->env, (size_t)size);
	return rc ? ns_err_lmdb(rc, "store '%s': growing the map to %llu bytes", s->path,
				(unsigned long long)size) : NS_OK;
}

static uint64_t round_up(uint64_t v, uint64_t to)
{
	return (v + to - 1) / to * to;
}

int ns__store_reserve(ns_store *s, uint64_t bytes)
{
	MDB_envinfo info;
	MDB_stat st;
	uint64_t used, want;
	int rc = NS_OK;

	mdb_env_info(s->env, &info);
	mdb_env_stat(s->env, &st);
	used = ((uint64_t)info.me_last_pgno + 1) * st.ms_psize;
	/* Copy-on-write keeps the old pages until the commit: count twice. */
	want = used + 2 * bytes + (64ull << 20);
	if (want <= info.me_mapsize)
		return NS_OK;
	pthread_mutex_lock(&s->lock);
	if (!s->active)
		rc = set_mapsize_locked(s, round_up(want, MAP_STEP));
	pthread_mutex_unlock(&s->lock);
	return rc; /* with versions open, try anyway: freed pages may suffice */
}

int ns__store_grow(ns_store *s)
{
	MDB_envinfo info;
	int rc;
	mdb_env_info(s->env, &info);
	pthread_mutex_lock(&s->lock);
	rc = set_mapsize_locked(s, round_up((uint64_t)info.me_mapsize * 2, MAP_STEP));
	pthread_mutex_unlock(&s->lock);
	return rc;
}

/* ----------------------------------------------------------- open/close */

/* Refuse, without touching it, a file that is not an LMDB environment or
 * whose meta pages are damaged. */
static int check_file(const char *path, unsigned flags, int *exists)
{
	struct stat st;
	int fd, rc;

	*exists = 0;
	if (stat(path, &st) != 0) {
		if (errno == ENOENT && (flags & NS_STORE_CREATE))
			return NS_OK;
		if (errno == ENOENT)
			return ns_err(NS_ENOTFOUND, "store '%s': no such file", path);
		return ns_err_errno(errno, "store '%s'", path);
	}
	if (!S_ISREG(st.st_mode))
		return ns_err(NS_ENOTSTORE, "store '%s': not a regular file", path);
	if (st.st_size == 0) {
		if (flags & NS_STORE_CREATE)
			return NS_OK; /* an empty file becomes a new store */
		return ns_err(NS_ENOTSTORE, "store '%s': not an nsnap store (empty file)", path);
	}
	*exists = 1;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return ns_err_errno(errno, "store '%s'", path);
	rc = ns__check_meta(path, fd);
	close(fd);
	return rc;
}

static int dbi_open(MDB_txn *txn, ns_store *s, const char *table, unsigned flags, MDB_dbi *out)
{
	const char *name = table ? table : "main";
	int rc = mdb_dbi_open(txn, table, flags, out);
	if (rc == MDB_NOTFOUND)
		return ns_err(NS_ENOTSTORE, "store '%s': not an nsnap store (an LMDB file "
			      "without nsnap's '%s' table)", s->path, name);
	return rc ? ns_err_lmdb(rc, "store '%s': opening table '%s'", s->path, name) : NS_OK;
}

static int check_create_opts(const ns_store_opts *o)
{
	if (o->chunk_size && (o->chunk_size % 4096 || o->chunk_size > (1u << 30)))
		return ns_err(NS_EINVAL, "chunk size %zu: must be a multiple of 4096 from 4 KiB "
			      "to 1 GiB", o->chunk_size);
	if (o->codec != NS_CODEC_RAW && o->codec != NS_CODEC_ZSTD)
		return ns_err(NS_EINVAL, "codec %d: must be raw or zstd", (int)o->codec);
	if (o->level < 0 || o->level > 19)
		return ns_err(NS_EINVAL, "zstd level %d: must be from 1 to 19", o->level);
	return NS_OK;
}

/* Write the settings of a new store. */
static int init_store(MDB_txn *txn, ns_store *s, const ns_store_opts *o)
{
	struct counters c = { 0, 0, 0 };
	int rc;
	NS_TRY(meta_put_u32(txn, s, META_FORMAT, NS_STORE_FORMAT));
	NS_TRY(ns__meta_put_u64(txn, s, META_CHUNK_SIZE, o->chunk_size ? o->chunk_size
								     : NS_DEFAULT_CHUNK_SIZE));
	NS_TRY(meta_put_u32(txn, s, META_CODEC, (uint32_t)o->codec));
	NS_TRY(meta_put_u32(txn, s, META_LEVEL, (uint32_t)(o->level ? o->level : 3)));
	NS_TRY(ns__meta_put_u64(txn, s, META_NEXT, 1));
	NS_TRY(meta_put(txn, s, META_HEAD, "main", 4));
	NS_TRY(ns__counters_put(txn, s, &c));
done:
	return rc;
}

/* Open the tables, creating them and the settings in a new store. */
static int open_tables(ns_store *s, const ns_store_opts *o)
{
	MDB_txn *txn = NULL;
	MDB_dbi main_dbi;
	MDB_stat st;
	uint64_t v;
	int rc, fresh = 0;
	unsigned create = 0;

	NS_TRY(ns__store_txn_begin(&txn, s, s->rdonly ? MDB_RDONLY : 0));
	NS_TRY(dbi_open(txn, s, NULL, 0, &main_dbi));
	if (!s->rdonly && mdb_stat(txn, main_dbi, &st) == 0 && st.ms_entries == 0) {
		if (!(o->flags & NS_STORE_CREATE)) {
			rc = ns_err(NS_ENOTSTORE, "store '%s': not an nsnap store (an empty "
				    "LMDB file)", s->path);
			goto done;
		}
		fresh = 1;
		create = MDB_CREATE;
	}
	NS_TRY(dbi_open(txn, s, "meta", create, &s->meta));
	NS_TRY(dbi_open(txn, s, "chunks", create, &s->chunks));
	NS_TRY(dbi_open(txn, s, "refcnt", create, &s->refcnt));
	NS_TRY(dbi_open(txn, s, "versions", create | MDB_INTEGERKEY, &s->versions));
	NS_TRY(dbi_open(txn, s, "refs", create, &s->refs));
	if (fresh)
		NS_TRY(init_store(txn, s, o));

	NS_TRY(ns__meta_get_u64(txn, s, META_FORMAT, &v));
	if (v > NS_STORE_FORMAT) {
		rc = ns_err(NS_EVERSION, "store '%s': format %llu is newer than this nsnap "
			    "reads (up to %u); upgrade nsnap", s->path, (unsigned long long)v,
			    NS_STORE_FORMAT);
		goto done;
	}
	s->format = (unsigned)v;
	NS_TRY(ns__meta_get_u64(txn, s, META_CHUNK_SIZE, &s->chunk_size));
	NS_TRY(ns__meta_get_u64(txn, s, META_CODEC, &v));
	s->codec = (ns_codec)v;
	NS_TRY(ns__meta_get_u64(txn, s, META_LEVEL, &v));
	s->level = (int)v;
	if (s->chunk_size == 0 || s->chunk_size % 4096 || (s->codec != NS_CODEC_RAW &&
							   s->codec != NS_CODEC_ZSTD))
		rc = ns_err(NS_ECORRUPT, "store '%s': bad settings (chunk size %llu, codec %d)",
			    s->path, (unsigned long long)s->chunk_size, (int)s->codec);
done:
	/* Commit even a read-only transaction: aborting it would close the
	 * table handles opened in it. */
	ns__store_txn_end(s, txn, 1, &rc);
	return rc;
}

/* The same file: device and inode. */
static int same_file(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino;
}

/* Hold a shared lock on the store file while it is open, so that an
 * in-place compaction (which takes it exclusively) never replaces a store
 * in use; and check that the file LMDB mapped is still the one at path. */
static int lock_file(ns_store *s)
{
	struct stat a, b, c;
	int env_fd;

	if ((s->lock_fd = open(s->path, O_RDONLY | O_CLOEXEC)) < 0)
		return ns_err_errno(errno, "store '%s'", s->path);
	if (flock(s->lock_fd, LOCK_SH | LOCK_NB) != 0)
		return errno == EWOULDBLOCK
			       ? ns_err(NS_EBUSY, "store '%s' is locked by another process "
					"(being compacted); try again when it is done", s->path)
			       : ns_err_errno(errno, "store '%s': locking", s->path);
	if (mdb_env_get_fd(s->env, &env_fd) != 0 || fstat(env_fd, &a) != 0 ||
	    fstat(s->lock_fd, &b) != 0 || stat(s->path, &c) != 0 || !same_file(&a, &b) ||
	    !same_file(&b, &c))
		return ns_err(NS_EBUSY, "store '%s' was replaced while it was being opened "
			      "(a compaction); try again", s->path);
	return NS_OK;
}

/* Open the LMDB environment of @s. A reader on read-only media (a folder it
 * cannot write, a lock file it cannot open) has no lock file to share, and
 * reads without one (MDB_NOLOCK; what that means is in store.h). LMDB does
 * so itself on a read-only file system. */
static int env_open(ns_store *s, unsigned flags, uint64_t map)
{
	int rc;
	for (;;) {
		if ((rc = mdb_env_create(&s->env)))
			return ns_err_lmdb(rc, "store '%s': creating the environment", s->path);
		mdb_env_set_maxdbs(s->env, 8);
		mdb_env_set_userctx(s->env, s);
		mdb_env_set_mapsize(s->env, (size_t)map);
		/* 0666 less the umask, as any new file (the lock file too). */
		if (!(rc = mdb_env_open(s->env, s->path, flags, 0666)))
			return NS_OK;
		mdb_env_close(s->env);
		s->env = NULL;
		if (!(flags & MDB_RDONLY) || (flags & MDB_NOLOCK) ||
		    (rc != EACCES && rc != EPERM && rc != EROFS))
			break;
		flags |= MDB_NOLOCK;
	}
	rc = ns_err_lmdb(rc, "store '%s': opening", s->path);
	if (rc == NS_ECORRUPT || rc == NS_EVERSION)
		rc = ns_err_wrap(NS_ENOTSTORE, "store '%s': not a readable nsnap store", s->path);
	return rc;
}

int ns_store_open(ns_store **out, const char *path, const ns_store_opts *opts)
{
	ns_store_opts defaults = NS_STORE_OPTS_INIT;
	const ns_store_opts *o = opts ? opts : &defaults;
	ns_store *s = NULL;
	struct stat st;
	uint64_t map = opts && opts->map_size ? round_up(opts->map_size, 1u << 20) : MAP_INITIAL;
	int rc, exists, dead;
	unsigned flags = MDB_NOSUBDIR | MDB_NOTLS;

	if (!out)
		return ns_err(NS_EINVAL, "ns_store_open: out must not be NULL");
	if (!path || !*path)
		return ns_err(NS_EINVAL, "ns_store_open: no path given");
	if ((rc = ns__opts_check(o->version, NS_STORE_OPTS_VERSION, "store '%s'", path)) < 0)
		return rc;
	if ((o->flags & NS_STORE_CREATE) && (o->flags & NS_STORE_RDONLY))
		return ns_err(NS_EINVAL, "store '%s': cannot create a store read-only", path);
	if ((o->flags & NS_STORE_CREATE) && (rc = check_create_opts(o)) < 0)
		return ns_err_wrap(rc, "store '%s'", path);
	if ((rc = check_file(path, o->flags, &exists)) < 0)
		return rc;

	s = calloc(1, sizeof *s);
	if (!s || !(s->path = strdup(path))) {
		free(s);
		return ns_err(NS_ENOMEM, "store '%s': out of memory", path);
	}
	pthread_mutex_init(&s->lock, NULL);
	pthread_mutex_init(&s->write_lock, NULL);
	s->lock_fd = -1;
	s->rdonly = !!(o->flags & NS_STORE_RDONLY);
	s->track = !s->rdonly && (o->flags & NS_STORE_TRACK_WRITES) && ns__track_available();
	s->write_batch = o->write_batch ? o->write_batch : 48u << 20;
	if (exists && stat(path, &st) == 0 && (uint64_t)st.st_size * 2 > map)
		map = round_up((uint64_t)st.st_size * 2, MAP_STEP);
	if (s->rdonly)
		flags |= MDB_RDONLY;

	if ((rc = env_open(s, flags, map)) < 0)
		goto done;
	if (!(o->flags & STORE_NO_FLOCK) && (rc = lock_file(s)) < 0)
		goto done;
	/* Free the reader slots of processes that died holding them, so the
	 * pages they pinned can be reused. */
	mdb_reader_check(s->env, &dead);
	if ((rc = ns__check_pages(s, 0, NULL, NULL)) == NS_OK)
		rc = open_tables(s, o);
	/* A new file's name survives a power cut only once its folder is
	 * synced: without it, the store and every version could vanish. */
	if (rc == NS_OK && !exists)
		rc = ns__sync_dir(path);
done:
	if (rc) {
		ns_store_close(s);
		return rc;
	}
	*out = s;
	return NS_OK;
}

void ns_store_close(ns_store *s)
{
	if (!s)
		return;
	if (s->env)
		mdb_env_close(s->env);
	ns__memo_free(s);
	ns__capture_blocks_free(s);
	if (s->lock_fd >= 0)
		close(s->lock_fd); /* releases the lock */
	pthread_mutex_destroy(&s->lock);
	pthread_mutex_destroy(&s->write_lock);
	free(s->path);
	free(s);
}

const char *ns_store_path(const ns_store *s)
{
	return s->path;
}

int ns_store_tracking(const ns_store *s)
{
	return s && s->track;
}

/* ---------------------------------------------------- stats and compact */

static int count_versions(MDB_txn *txn, ns_store *s, ns_store_stats *out)
{
	MDB_cursor *cur = NULL;
	MDB_val k, v;
	version_rec rec;
	int rc = mdb_cursor_open(txn, s->versions, &cur), op = MDB_FIRST;
	if (rc)
		return ns_err_lmdb(rc, "store '%s': listing versions", s->path);
	while ((rc = mdb_cursor_get(cur, &k, &v, op)) == 0) {
		op = MDB_NEXT;
		if ((rc = ns__version_parse(&rec, &v, version_key(&k))) < 0)
			break;
		out->versions++;
		out->logical_bytes += rec.info.logical_bytes;
	}
	mdb_cursor_close(cur);
	if (rc == MDB_NOTFOUND)
		return NS_OK;
	return rc < 0 ? rc : ns_err_lmdb(rc, "store '%s': listing versions", s->path);
}

int ns_store_stats_get(ns_store_stats *out, ns_store *s)
{
	ns_store_stats st = { 0 };
	struct counters c;
	struct stat fst;
	MDB_txn *txn = NULL;
	int rc;

	if (!out)
		return ns_err(NS_EINVAL, "ns_store_stats_get: out must not be NULL");
	NS_TRY(ns__store_txn_begin(&txn, s, MDB_RDONLY));
	NS_TRY(ns__counters_get(txn, s, &c));
	NS_TRY(count_versions(txn, s, &st));
	NS_TRY(ns__orphans_count(txn, s, &st.orphan_chunks));
	st.chunks = c.chunks;
	st.unique_bytes = c.unique_bytes;
	st.stored_bytes = c.stored_bytes;
	st.chunk_size = s->chunk_size;
	st.codec = s->codec;
	st.level = s->level;
	st.format = s->format;
	if (stat(s->path, &fst) == 0)
		st.file_bytes = (uint64_t)fst.st_size;
	*out = st;
done:
	ns__store_txn_end(s, txn, 0, &rc);
	return rc;
}
