/* SPDX-License-Identifier: MIT */
/* Tags, branches, HEAD and revisions ("7", "v1", "main~2", "HEAD~"). */
#include "internal.h"

#include <ctype.h>
#include <stdlib.h>

int ns__ref_name_check(const char *what, const char *name)
{
	size_t len = strlen(name), digits = 0;
	if (len == 0 || len > NS_REF_NAME_MAX)
		return ns_err(NS_EINVAL, "%s name '%s': must have 1 to %d bytes", what, name,
			      NS_REF_NAME_MAX);
	if (name[0] == '-' || name[0] == '.' || name[0] == '/')
		return ns_err(NS_EINVAL, "%s name '%s': must not start with '%c'", what, name,
			      name[0]);
	for (const char *p = name; *p; p++) {
		if (isdigit((unsigned char)*p))
			digits++;
		else if (!isalpha((unsigned char)*p) && !strchr("._-/", *p))
			return ns_err(NS_EINVAL, "%s name '%s': '%c' is not allowed (letters, "
				      "digits and ._-/ are)", what, name, *p);
	}
	if (digits == len)
		return ns_err(NS_EINVAL, "%s name '%s': a number would be read as a version",
			      what, name);
	if (strcmp(name, "HEAD") == 0)
		return ns_err(NS_EINVAL, "%s name 'HEAD' is reserved", what);
	return NS_OK;
}

static const char *kind_name(char kind)
{
	return kind == REF_TAG ? "tag" : "branch";
}

/* The key of a ref: its kind byte, then its name. */
static int ref_key(MDB_val *k, uint8_t *buf, char kind, const char *name)
{
	size_t len = strlen(name);
	if (len > NS_REF_NAME_MAX)
		return ns_err(NS_EINVAL, "%s name '%.40s...' is too long", kind_name(kind), name);
	buf[0] = (uint8_t)kind;
	memcpy(buf + 1, name, len);
	k->mv_size = len + 1;
	k->mv_data = buf;
	return NS_OK;
}

int ns__ref_get(MDB_txn *txn, ns_store *s, char kind, const char *name, uint64_t *out)
{
	uint8_t buf[NS_REF_NAME_MAX + 1];
	MDB_val k, v;
	int rc;
	if ((rc = ref_key(&k, buf, kind, name)) < 0)
		return rc;
	rc = mdb_get(txn, s->refs, &k, &v);
	if (rc == MDB_NOTFOUND)
		return ns_err(NS_ENOTFOUND, "store '%s': no %s '%s'", s->path, kind_name(kind),
			      name);
	if (rc)
		return ns_err_lmdb(rc, "store '%s': reading %s '%s'", s->path, kind_name(kind),
				   name);
	if (v.mv_size != 8)
		return ns_err(NS_ECORRUPT, "store '%s': %s '%s' has a %zu-byte record", s->path,
			      kind_name(kind), name, v.mv_size);
	*out = ns__get_u64(v.mv_data);
	return NS_OK;
}

int ns__ref_put(MDB_txn *txn, ns_store *s, char kind, const char *name, uint64_t number)
{
	uint8_t buf[NS_REF_NAME_MAX + 1], b[8];
	MDB_val k, v = { 8, b };
	int rc;
	if ((rc = ref_key(&k, buf, kind, name)) < 0)
		return rc;
	ns__put_u64(b, number);
	rc = mdb_put(txn, s->refs, &k, &v, 0);
	return rc ? ns_err_lmdb(rc, "store '%s': writing %s '%s'", s->path, kind_name(kind),
				name) : NS_OK;
}

static int ref_del(MDB_txn *txn, ns_store *s, char kind, const char *name)
{
	uint8_t buf[NS_REF_NAME_MAX + 1];
	MDB_val k;
	int rc;
	if ((rc = ref_key(&k, buf, kind, name)) < 0)
		return rc;
	rc = mdb_del(txn, s->refs, &k, NULL);
	if (rc == MDB_NOTFOUND)
		return ns_err(NS_ENOTFOUND, "store '%s': no %s '%s'", s->path, kind_name(kind),
			      name);
	return rc ? ns_err_lmdb(rc, "store '%s': deleting %s '%s'", s->path, kind_name(kind),
				name) : NS_OK;
}

int ns__head_branch(MDB_txn *txn, ns_store *s, char *buf, size_t size)
{
	MDB_val k = { strlen(META_HEAD), META_HEAD }, v;
	int rc = mdb_get(txn, s->meta, &k, &v);
	if (rc)
		return ns_err_lmdb(rc, "store '%s': reading HEAD", s->path);
	if (v.mv_size == 0 || v.mv_size >= size)
		return ns_err(NS_ECORRUPT, "store '%s': HEAD has %zu bytes", s->path, v.mv_size);
	memcpy(buf, v.mv_data, v.mv_size);
	buf[v.mv_size] = '\0';
	return NS_OK;
}

/* ------------------------------------------------------------ revisions */

static int parent_of(MDB_txn *txn, ns_store *s, uint64_t number, uint64_t *parent)
{
	MDB_val v;
	int rc = ns__version_get(txn, s, number, &v);
	if (rc < 0)
		return rc;
	if (v.mv_size < REC_HEADER)
		return ns_err(NS_ECORRUPT, "store '%s': version %llu: record too short", s->path,
			      (unsigned long long)number);
	*parent = ns__get_u64((uint8_t *)v.mv_data + REC_PARENT);
	return NS_OK;
}

static int parse_number(const char *str, size_t len, uint64_t *out)
{
	uint64_t v = 0;
	if (len == 0 || len > 19)
		return -1;
	for (size_t i = 0; i < len; i++) {
		if (!isdigit((unsigned char)str[i]))
			return -1;
		v = v * 10 + (uint64_t)(str[i] - '0');
	}
	*out = v;
	return 0;
}

int ns__resolve_txn(MDB_txn *txn, ns_store *s, const char *rev, uint64_t *out)
{
	char base[NS_REF_NAME_MAX + 1], head[NS_REF_NAME_MAX + 1];
	const char *tilde = strchr(rev, '~');
	size_t blen = tilde ? (size_t)(tilde - rev) : strlen(rev);
	uint64_t number = 0, back = 0, parent = 0;
	MDB_val v;
	int rc;

	if (blen == 0 || blen > NS_REF_NAME_MAX ||
	    (tilde && tilde[1] && parse_number(tilde + 1, strlen(tilde + 1), &back) < 0))
		return ns_err(NS_EINVAL, "revision '%s': expected a number, tag, branch or HEAD, "
			      "optionally followed by ~N", rev);
	if (tilde && !tilde[1])
		back = 1;
	memcpy(base, rev, blen);
	base[blen] = '\0';

	if (parse_number(base, blen, &number) == 0) {
		if ((rc = ns__version_get(txn, s, number, &v)) < 0)
			return ns_err(rc, "store '%s': revision '%s': no version %s", s->path, rev,
				      base);
	} else if (strcmp(base, "HEAD") == 0) {
		if ((rc = ns__head_branch(txn, s, head, sizeof head)) < 0)
			return rc;
		if (ns__ref_get(txn, s, REF_BRANCH, head, &number) < 0)
			return ns_err(NS_ENOTFOUND, "store '%s': revision '%s': branch '%s' has "
				      "no versions yet", s->path, rev, head);
	} else if (ns__ref_get(txn, s, REF_TAG, base, &number) < 0 &&
		   ns__ref_get(txn, s, REF_BRANCH, base, &number) < 0) {
		return ns_err(NS_ENOTFOUND, "store '%s': revision '%s': no version, tag or "
			      "branch '%s'", s->path, rev, base);
	}
	for (uint64_t i = 0; i < back; i++) {
		if ((rc = parent_of(txn, s, number, &parent)) < 0)
			return ns_err_wrap(rc, "store '%s': revision '%s'", s->path, rev);
		if (parent == 0)
			return ns_err(NS_ENOTFOUND, "store '%s': revision '%s': version %llu has "
				      "no parent (%llu of %llu steps back)", s->path, rev,
				      (unsigned long long)number, (unsigned long long)i,
				      (unsigned long long)back);
		number = parent;
	}
	*out = number;
	return NS_OK;
}

int ns_store_resolve(uint64_t *out, ns_store *s, const char *rev)
{
	MDB_txn *txn = NULL;
	uint64_t number = 0;
	int rc;
	if (!rev)
		return ns_err(NS_EINVAL, "store '%s': no revision given", s->path);
	NS_TRY(ns__store_txn_begin(&txn, s, MDB_RDONLY));
	NS_TRY(ns__resolve_txn(txn, s, rev, &number));
	if (out)
		*out = number;
done:
	ns__store_txn_end(s, txn, 0, &rc);
	return rc;
}

/* --------------------------------------------------- tags and branches */

struct ref_job {
	char kind;
	const char *name, *rev;
	int force;
};

static int do_ref_create(MDB_txn *txn, void *ctx)
{
	struct ref_job *j = ctx;
	ns_store *s;
	uint64_t number, old;
	int rc;

	s = mdb_env_get_userctx(mdb_txn_env(txn));
	if (ns__ref_get(txn, s, j->kind, j->name, &old) == NS_OK && !j->force)
		return ns_err(NS_EEXISTS, "store '%s': %s '%s' already names version %llu",
			      s->path, kind_name(j->kind), j->name, (unsigned long long)old);
	if ((rc = ns__resolve_txn(txn, s, j->rev ? j->rev : "HEAD", &number)) < 0)
		return rc;
	return ns__ref_put(txn, s, j->kind, j->name, number);
}

static int do_ref_delete(MDB_txn *txn, void *ctx)
{
	struct ref_job *j = ctx;
	ns_store *s = mdb_env_get_userctx(mdb_txn_env(txn));
	char head[NS_REF_NAME_MAX + 1];
	int rc;
	if (j->kind == REF_BRANCH) {
		if ((rc = ns__head_branch(txn, s, head, sizeof head)) < 0)
			return rc;
		if (strcmp(head, j->name) == 0)
			return ns_err(NS_EBUSY, "store '%s': branch '%s' is the current branch; "
				      "check out another first", s->path, j->name);
	}
	return ref_del(txn, s, j->kind, j->name);
}

static int do_checkout(MDB_txn *txn, void *ctx)
{
	struct ref_job *j = ctx;
	ns_store *s = mdb_env_get_userctx(mdb_txn_env(txn));
	MDB_val k = { strlen(META_HEAD), META_HEAD }, v = { strlen(j->name), (void *)j->name };
	int rc = mdb_put(txn, s->meta, &k, &v, 0);
	return rc ? ns_err_lmdb(rc, "store '%s': setting HEAD", s->path) : NS_OK;
}

static int ref_change(ns_store *s, int (*fn)(MDB_txn *, void *), char kind, const char *name,
		      const char *rev, int force)
{
	struct ref_job j = { kind, name, rev, force };
	int rc;
	if (!name)
		return ns_err(NS_EINVAL, "store '%s': no %s name given", s->path, kind_name(kind));
	if ((rc = ns__ref_name_check(kind_name(kind), name)) < 0)
		return rc;
	return ns__store_write(s, 0, fn, &j);
}

int ns_tag_create(ns_store *s, const char *name, const char *rev)
{
	if (!rev)
		return ns_err(NS_EINVAL, "store '%s': tag '%s': no revision given", s->path,
			      name ? name : "");
	return ref_change(s, do_ref_create, REF_TAG, name, rev, 0);
}

int ns_tag_delete(ns_store *s, const char *name)
{
	return ref_change(s, do_ref_delete, REF_TAG, name, NULL, 0);
}

int ns_branch_create(ns_store *s, const char *name, const char *rev, int force)
{
	return ref_change(s, do_ref_create, REF_BRANCH, name, rev, force);
}

int ns_branch_delete(ns_store *s, const char *name)
{
	return ref_change(s, do_ref_delete, REF_BRANCH, name, NULL, 0);
}

int ns_branch_checkout(ns_store *s, const char *name)
{
	return ref_change(s, do_checkout, REF_BRANCH, name, NULL, 0);
}

int ns_ref_foreach(ns_store *s, int (*fn)(const ns_ref *ref, void *ctx), void *ctx)
{
	char head[NS_REF_NAME_MAX + 1], name[NS_REF_NAME_MAX + 1];
	MDB_txn *txn = NULL;
	MDB_cursor *cur = NULL;
	MDB_val k, v;
	ns_ref ref;
	int rc, mrc, op = MDB_FIRST;

	if (!fn)
		return ns_err(NS_EINVAL, "ns_ref_foreach: fn must not be NULL");
	NS_TRY(ns__store_txn_begin(&txn, s, MDB_RDONLY));
	NS_TRY(ns__head_branch(txn, s, head, sizeof head));
	if ((mrc = mdb_cursor_open(txn, s->refs, &cur))) {
		rc = ns_err_lmdb(mrc, "store '%s': listing refs", s->path);
		goto done;
	}
	while ((mrc = mdb_cursor_get(cur, &k, &v, op)) == 0) {
		op = MDB_NEXT;
		if (k.mv_size < 2 || k.mv_size > NS_REF_NAME_MAX + 1 || v.mv_size != 8) {
			rc = ns_err(NS_ECORRUPT, "store '%s': a damaged ref record", s->path);
			goto done;
		}
		memcpy(name, (char *)k.mv_data + 1, k.mv_size - 1);
		name[k.mv_size - 1] = '\0';
		ref.name = name;
		ref.kind = ((char *)k.mv_data)[0] == REF_TAG ? NS_REF_TAG : NS_REF_BRANCH;
		ref.version = ns__get_u64(v.mv_data);
		ref.is_head = ref.kind == NS_REF_BRANCH && strcmp(name, head) == 0;
		/* A callback that fails without a message gets one, not a stale one. */
		ns_error_clear();
		if ((rc = fn(&ref, ctx)) != 0) {
			if (rc < 0 && ns_error_last()->code == NS_OK)
				ns_err(rc, "store '%s': ns_ref_foreach callback returned %d (%s) at "
				       "%s '%s'", s->path, rc, ns_strerror(rc),
				       ref.kind == NS_REF_TAG ? "tag" : "branch", name);
			goto done;
		}
	}
	rc = mrc == MDB_NOTFOUND ? NS_OK : ns_err_lmdb(mrc, "store '%s': listing refs", s->path);
done:
	mdb_cursor_close(cur);
	ns__store_txn_end(s, txn, 0, &rc);
	return rc;
}
