/* Commits: arrays (borrowed), metadata and blob, written as a new version. */
#include "internal.h"

#include <stdlib.h>
#include <time.h>

struct commit_array {
	char *name;
	ns_dtype dtype;
	const void *data;
	uint64_t count;
};

struct ns_commit {
	ns_store *s;
	struct commit_array *arrays;
	size_t n_arrays, cap_arrays;
	char **meta; /* key, value, key, value, ... */
	size_t n_meta, cap_meta;
	void *blob;
	size_t blob_size;
};

int ns_commit_new(ns_commit **out, ns_store *s)
{
	ns_commit *c;
	if (s->rdonly)
		return ns_err(NS_EREADONLY, "store '%s': opened read-only, cannot commit", s->path);
	if (!(c = calloc(1, sizeof *c)))
		return ns_err(NS_ENOMEM, "store '%s': commit: out of memory", s->path);
	c->s = s;
	*out = c;
	return NS_OK;
}

void ns_commit_free(ns_commit *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->n_arrays; i++)
		free(c->arrays[i].name);
	for (size_t i = 0; i < 2 * c->n_meta; i++)
		free(c->meta[i]);
	free(c->arrays);
	free(c->meta);
	free(c->blob);
	free(c);
}

/* Make room for one more element of size @size in *@items. */
static int grow(void *items, size_t *cap, size_t n, size_t size)
{
	void **p = items;
	size_t ncap = *cap ? 2 * *cap : 16;
	void *q;
	if (n < *cap)
		return NS_OK;
	if (!(q = realloc(*p, ncap * size)))
		return ns_err(NS_ENOMEM, "commit: out of memory");
	*p = q;
	*cap = ncap;
	return NS_OK;
}

int ns_commit_add(ns_commit *c, const char *name, ns_dtype dtype, const void *data,
		  uint64_t count)
{
	struct commit_array *a;
	size_t len = name ? strlen(name) : 0;
	int rc;

	if (len == 0 || len > NS_NAME_MAX)
		return ns_err(NS_EINVAL, "commit: array name '%s' must have 1 to %d bytes",
			      name ? name : "(null)", NS_NAME_MAX);
	if (ns_dtype_size(dtype) == 0)
		return ns_err(NS_EINVAL, "commit: array '%s': unknown element type %d", name,
			      (int)dtype);
	if (!data && count)
		return ns_err(NS_EINVAL, "commit: array '%s': no data for %llu elements", name,
			      (unsigned long long)count);
	if (count > UINT64_MAX / 8)
		return ns_err(NS_EINVAL, "commit: array '%s': %llu elements is too many", name,
			      (unsigned long long)count);
	for (size_t i = 0; i < c->n_arrays; i++)
		if (strcmp(c->arrays[i].name, name) == 0)
			return ns_err(NS_EEXISTS, "commit: array '%s' was already added", name);
	if ((rc = grow(&c->arrays, &c->cap_arrays, c->n_arrays, sizeof *c->arrays)) < 0)
		return rc;
	a = &c->arrays[c->n_arrays];
	if (!(a->name = strdup(name)))
		return ns_err(NS_ENOMEM, "commit: out of memory");
	a->dtype = dtype;
	a->data = data;
	a->count = count;
	c->n_arrays++;
	return NS_OK;
}

int ns_commit_set_meta(ns_commit *c, const char *key, const char *value)
{
	char *k, *v;
	int rc;
	if (!key || !*key || !value)
		return ns_err(NS_EINVAL, "commit: metadata needs a non-empty key and a value");
	if (!(v = strdup(value)))
		return ns_err(NS_ENOMEM, "commit: out of memory");
	for (size_t i = 0; i < c->n_meta; i++)
		if (strcmp(c->meta[2 * i], key) == 0) {
			free(c->meta[2 * i + 1]);
			c->meta[2 * i + 1] = v;
			return NS_OK;
		}
	if ((rc = grow(&c->meta, &c->cap_meta, c->n_meta, 2 * sizeof *c->meta)) < 0 ||
	    !(k = strdup(key))) {
		free(v);
		return rc < 0 ? rc : ns_err(NS_ENOMEM, "commit: out of memory");
	}
	c->meta[2 * c->n_meta] = k;
	c->meta[2 * c->n_meta + 1] = v;
	c->n_meta++;
	return NS_OK;
}

int ns_commit_set_blob(ns_commit *c, const void *data, size_t size)
{
	void *b = NULL;
	if (size && !(b = malloc(size)))
		return ns_err(NS_ENOMEM, "commit: out of memory for a %zu-byte blob", size);
	if (size)
		memcpy(b, data, size);
	free(c->blob);
	c->blob = b;
	c->blob_size = size;
	return NS_OK;
}

/* ------------------------------------------------------------- writing */

struct job {
	ns_commit *c;
	const ns_commit_opts *o;
	chunk_writer *w;
	uint8_t *rec;      /* the version record, hashes filled in as written */
	size_t rec_size;
	uint8_t **hashes;  /* per array: where its hashes go in rec */
	uint64_t number;
};

static uint64_t n_chunks_of(const ns_commit *c, const struct commit_array *a)
{
	uint64_t nbytes = a->count * ns_dtype_size(a->dtype);
	return (nbytes + c->s->chunk_size - 1) / c->s->chunk_size;
}

static uint8_t *put_str(uint8_t *p, const char *str)
{
	uint32_t n = (uint32_t)strlen(str);
	put_u32(p, n);
	memcpy(p + 4, str, n + 1);
	return p + 4 + n + 1;
}

/* Lay out the record, leaving number, parent, new bytes and hashes to fill. */
static int build_record(struct job *j)
{
	const ns_commit *c = j->c;
	const char *msg = j->o->message ? j->o->message : "";
	size_t size = REC_HEADER + 5 + strlen(msg) + 8 + c->blob_size;
	uint64_t logical = 0;
	struct timespec ts;
	uint8_t *p;

	for (size_t i = 0; i < 2 * c->n_meta; i++)
		size += 5 + strlen(c->meta[i]);
	for (size_t i = 0; i < c->n_arrays; i++)
		size += 5 + strlen(c->arrays[i].name) + 28 + NS_HASH_SIZE * n_chunks_of(c, &c->arrays[i]);
	j->rec = calloc(1, size);
	j->hashes = calloc(c->n_arrays + 1, sizeof *j->hashes);
	if (!j->rec || !j->hashes)
		return ns_err(NS_ENOMEM, "commit: out of memory for a %zu-byte record", size);
	j->rec_size = size;

	p = j->rec;
	memcpy(p, "NSV", 3);
	p[3] = NS_STORE_FORMAT;
	clock_gettime(CLOCK_REALTIME, &ts);
	put_u64(p + 24, (uint64_t)((int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec));
	put_u64(p + 48, c->n_meta);
	put_u64(p + 56, c->n_arrays);
	p = put_str(p + REC_HEADER, msg);
	for (size_t i = 0; i < 2 * c->n_meta; i++)
		p = put_str(p, c->meta[i]);
	put_u64(p, c->blob_size);
	if (c->blob_size)
		memcpy(p + 8, c->blob, c->blob_size);
	p += 8 + c->blob_size;
	for (size_t i = 0; i < c->n_arrays; i++) {
		const struct commit_array *a = &c->arrays[i];
		p = put_str(p, a->name);
		p[0] = (uint8_t)a->dtype;
		put_u64(p + 4, a->count);
		put_u64(p + 12, c->s->chunk_size);
		put_u64(p + 20, n_chunks_of(c, a));
		j->hashes[i] = p + 28;
		p += 28 + NS_HASH_SIZE * n_chunks_of(c, a);
		logical += a->count * ns_dtype_size(a->dtype);
	}
	put_u64(j->rec + 32, logical);
	return NS_OK;
}

/* The parent of a commit to @branch: its tip, or for a new branch the
 * current branch's tip (0 in an empty store). */
static int find_parent(MDB_txn *txn, ns_store *s, const char *branch, const char *head,
		       uint64_t *parent)
{
	int rc = ref_get(txn, s, REF_BRANCH, branch, parent);
	if (rc == NS_ENOTFOUND)
		rc = ref_get(txn, s, REF_BRANCH, head, parent);
	if (rc == NS_ENOTFOUND) {
		*parent = 0;
		rc = NS_OK;
	}
	return rc;
}

static int write_commit(MDB_txn *txn, void *ctx)
{
	struct job *j = ctx;
	ns_commit *c = j->c;
	ns_store *s = c->s;
	char head[NS_REF_NAME_MAX + 1];
	const char *branch;
	uint64_t parent, number, tagged, added, new_bytes = 0;
	struct counters cnt;
	MDB_val k, v;
	size_t key;
	int rc;

	if (j->o->tag && ref_get(txn, s, REF_TAG, j->o->tag, &tagged) == NS_OK)
		return ns_err(NS_EEXISTS, "store '%s': tag '%s' already names version %llu",
			      s->path, j->o->tag, (unsigned long long)tagged);
	NS_TRY(head_branch(txn, s, head, sizeof head));
	branch = j->o->branch ? j->o->branch : head;
	NS_TRY(find_parent(txn, s, branch, head, &parent));
	NS_TRY(meta_get_u64(txn, s, META_NEXT, &number));
	NS_TRY(counters_get(txn, s, &cnt));

	for (size_t i = 0; i < c->n_arrays; i++) {
		const struct commit_array *a = &c->arrays[i];
		const uint8_t *data = a->data;
		uint64_t nbytes = a->count * ns_dtype_size(a->dtype);
		for (uint64_t off = 0, ci = 0; off < nbytes; off += s->chunk_size, ci++) {
			size_t n = (size_t)(nbytes - off < s->chunk_size ? nbytes - off
								       : s->chunk_size);
			uint8_t *h = j->hashes[i] + NS_HASH_SIZE * ci;
			chunk_hash(h, data + off, n);
			rc = chunk_ref(j->w, txn, s, h, data + off, n, a->dtype, &cnt, &added);
			if (rc < 0)
				return ns_err_wrap(rc, "array '%s'", a->name);
			new_bytes += added;
		}
	}
	put_u64(j->rec + 8, number);
	put_u64(j->rec + REC_PARENT, parent);
	put_u64(j->rec + 40, new_bytes);
	key = (size_t)number;
	k.mv_size = sizeof key;
	k.mv_data = &key;
	v.mv_size = j->rec_size;
	v.mv_data = j->rec;
	if ((rc = mdb_put(txn, s->versions, &k, &v, MDB_NOOVERWRITE)))
		return ns_err_lmdb(rc, "store '%s': writing version %llu", s->path,
				   (unsigned long long)number);
	NS_TRY(meta_put_u64(txn, s, META_NEXT, number + 1));
	NS_TRY(ref_put(txn, s, REF_BRANCH, branch, number));
	if (j->o->tag)
		NS_TRY(ref_put(txn, s, REF_TAG, j->o->tag, number));
	NS_TRY(counters_put(txn, s, &cnt));
	j->number = number;
done:
	return rc;
}

int ns_commit_finish(uint64_t *out, ns_commit *c, const ns_commit_opts *opts)
{
	ns_commit_opts defaults = NS_COMMIT_OPTS_INIT;
	const ns_commit_opts *o = opts ? opts : &defaults;
	struct job j = { c, o, NULL, NULL, 0, NULL, 0 };
	ns_store *s = c->s;
	ns_codec codec = o->codec == NS_CODEC_DEFAULT ? s->codec : o->codec;
	int rc, level = o->level ? o->level : s->level;
	uint64_t estimate = 0;

	if (o->version != NS_COMMIT_OPTS_VERSION)
		rc = ns_err(NS_EINVAL, "commit: options version %u, expected %u", o->version,
			    NS_COMMIT_OPTS_VERSION);
	else if (codec != NS_CODEC_RAW && codec != NS_CODEC_ZSTD)
		rc = ns_err(NS_EINVAL, "commit: unknown codec %d", (int)codec);
	else if (level < 1 || level > 19)
		rc = ns_err(NS_EINVAL, "commit: zstd level %d: must be from 1 to 19", level);
	else if ((o->tag && (rc = ref_name_check("tag", o->tag)) < 0) ||
		 (o->branch && (rc = ref_name_check("branch", o->branch)) < 0))
		;
	else
		rc = NS_OK;
	if (rc < 0)
		goto done;
	NS_TRY(build_record(&j));
	for (size_t i = 0; i < c->n_arrays; i++)
		estimate += c->arrays[i].count * ns_dtype_size(c->arrays[i].dtype) +
			    n_chunks_of(c, &c->arrays[i]) * 8192;
	NS_TRY(store_reserve(s, estimate + j.rec_size));
	NS_TRY(chunk_writer_new(&j.w, codec, level));
	NS_TRY(store_write(s, write_commit, &j));
	if (out)
		*out = j.number;
done:
	chunk_writer_free(j.w);
	free(j.rec);
	free(j.hashes);
	ns_commit_free(c);
	return rc;
}
