/* SPDX-License-Identifier: MIT */
/* Opening and creating stores: ns_store_open() and its errors. */
#include "util.h"

#include <lmdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char text[] =
	"This is a plain text file, not an nsnap store.\n"
	"It must come out of ns_store_open() exactly as it went in.\n";

/* A text file of about 20 KiB (several LMDB pages) at @path. */
static void write_text_file(const char *path, char **content, size_t *size)
{
	size_t n = 0, cap = 20 * 1024;
	char *buf = malloc(cap + sizeof text);
	cr_assert_not_null(buf);
	while (n < cap) {
		memcpy(buf + n, text, sizeof text - 1);
		n += sizeof text - 1;
	}
	nt_write_file(path, buf, n);
	*content = buf;
	*size = n;
}

static void assert_file_is(const char *path, const char *content, size_t size)
{
	size_t now_size = 0;
	char *now = nt_slurp(path, &now_size);
	cr_assert_eq(now_size, size, "%s changed size: %zu, was %zu", path,
		     now_size, size);
	cr_assert(memcmp(now, content, size) == 0, "%s changed", path);
	free(now);
}

/* Overwrite key "format" of the named database "meta" of the store file
 * @path with @format, through LMDB directly. */
static void set_format(const char *path, uint32_t format)
{
	MDB_env *env = NULL;
	MDB_txn *txn = NULL;
	MDB_dbi dbi;
	unsigned char le[4] = { (unsigned char)format, (unsigned char)(format >> 8),
				(unsigned char)(format >> 16), (unsigned char)(format >> 24) };
	MDB_val key = { 6, (void *)"format" }, val = { sizeof le, le };
	cr_assert_eq(mdb_env_create(&env), 0);
	cr_assert_eq(mdb_env_set_maxdbs(env, 64), 0);
	cr_assert_eq(mdb_env_open(env, path, MDB_NOSUBDIR, 0644), 0);
	cr_assert_eq(mdb_txn_begin(env, NULL, 0, &txn), 0);
	cr_assert_eq(mdb_dbi_open(txn, "meta", 0, &dbi), 0, "no database 'meta'");
	cr_assert_eq(mdb_get(txn, dbi, &key, &(MDB_val){ 0, NULL }), 0,
		     "no key 'format' in 'meta'");
	cr_assert_eq(mdb_put(txn, dbi, &key, &val, 0), 0);
	cr_assert_eq(mdb_txn_commit(txn), 0);
	mdb_env_close(env);
}

/* A new store at nt_path(@name) with one version, closed; its path. */
static const char *make_store(const char *name)
{
	static char path[4096];
	ns_store *s = nt_store_new(name, 0, NS_CODEC_RAW);
	snprintf(path, sizeof path, "%s", ns_store_path(s));
	nt_commit_f64(s, "x", 100, 1.0, "first");
	ns_store_close(s);
	return path;
}

Test(store_open, a_created_store_can_be_reopened)
{
	const char *path = make_store("s.nsnap");
	ns_store *s = NULL;
	uint64_t head = 0, n = 0;
	double *x;
	NT_OK(ns_store_open(&s, path, NULL));
	cr_assert_str_eq(ns_store_path(s), path);
	NT_OK(ns_store_resolve(&head, s, "HEAD"));
	cr_assert_eq(head, 1);
	x = nt_read_array(s, "HEAD", "x", &n);
	cr_assert_eq(n, 100 * sizeof(double));
	cr_assert_eq(x[99], 100.0);
	free(x);
	ns_store_close(s);
}

Test(store_open, a_missing_store_without_create_is_not_found_and_named)
{
	const char *path = nt_path("missing.nsnap");
	ns_store *sentinel = (ns_store *)&path, *s = sentinel;
	NT_FAILS(NS_ENOTFOUND, ns_store_open(&s, path, NULL));
	NT_MESSAGE_HAS(path);
	cr_assert_eq(s, sentinel, "*out was written on failure");
	cr_assert_neq(access(path, F_OK), 0, "the missing store was created");
}

Test(store_open, a_text_file_is_not_a_store_and_is_left_untouched)
{
	const char *path = nt_path("notes.txt");
	ns_store *s = NULL;
	char *content;
	size_t size;
	write_text_file(path, &content, &size);
	NT_FAILS(NS_ENOTSTORE, ns_store_open(&s, path, NULL));
	assert_file_is(path, content, size);
	free(content);
}

Test(store_open, a_text_file_is_not_a_store_even_with_create)
{
	const char *path = nt_path("notes.txt");
	ns_store_opts o = NS_STORE_OPTS_INIT;
	ns_store *s = NULL;
	char *content;
	size_t size;
	write_text_file(path, &content, &size);
	o.flags = NS_STORE_CREATE;
	NT_FAILS(NS_ENOTSTORE, ns_store_open(&s, path, &o));
	assert_file_is(path, content, size);
	free(content);
}

Test(store_open, a_short_text_file_is_not_a_store)
{
	const char *path = nt_path("short.txt");
	ns_store *s = NULL;
	nt_write_file(path, text, sizeof text - 1);
	NT_FAILS(NS_ENOTSTORE, ns_store_open(&s, path, NULL));
	assert_file_is(path, text, sizeof text - 1);
}

/* A plain LMDB file holding one key of its own, at @path; its bytes. */
static char *write_foreign_lmdb(const char *path, size_t *size)
{
	MDB_env *env = NULL;
	MDB_txn *txn = NULL;
	MDB_dbi dbi;
	MDB_val key = { 5, (void *)"hello" }, val = { 5, (void *)"world" };
	cr_assert_eq(mdb_env_create(&env), 0);
	cr_assert_eq(mdb_env_open(env, path, MDB_NOSUBDIR, 0644), 0);
	cr_assert_eq(mdb_txn_begin(env, NULL, 0, &txn), 0);
	cr_assert_eq(mdb_dbi_open(txn, NULL, 0, &dbi), 0);
	cr_assert_eq(mdb_put(txn, dbi, &key, &val, 0), 0);
	cr_assert_eq(mdb_txn_commit(txn), 0);
	mdb_env_close(env);
	return nt_slurp(path, size);
}

Test(store_open, a_foreign_lmdb_file_is_not_a_store_and_is_left_untouched)
{
	const char *path = nt_path("other.mdb");
	ns_store_opts o = NS_STORE_OPTS_INIT;
	ns_store *s = NULL;
	size_t size;
	char *content = write_foreign_lmdb(path, &size);
	NT_FAILS(NS_ENOTSTORE, ns_store_open(&s, path, NULL));
	assert_file_is(path, content, size);
	o.flags = NS_STORE_CREATE;
	NT_FAILS(NS_ENOTSTORE, ns_store_open(&s, path, &o));
	assert_file_is(path, content, size);
	o.flags = NS_STORE_RDONLY;
	NT_FAILS(NS_ENOTSTORE, ns_store_open(&s, path, &o));
	free(content);
}

Test(store_open, an_empty_file_without_create_is_not_a_store)
{
	const char *path = nt_path("empty.nsnap");
	ns_store *s = NULL;
	struct stat st;
	nt_write_file(path, "", 0);
	NT_FAILS(NS_ENOTSTORE, ns_store_open(&s, path, NULL));
	cr_assert_eq(stat(path, &st), 0);
	cr_assert_eq(st.st_size, 0, "the empty file was written to");
}

Test(store_open, a_read_only_store_refuses_commits)
{
	const char *path = make_store("ro.nsnap");
	ns_store_opts o = NS_STORE_OPTS_INIT;
	ns_store *s = NULL;
	ns_commit *sentinel = (ns_commit *)&o, *c = sentinel;
	o.flags = NS_STORE_RDONLY;
	NT_OK(ns_store_open(&s, path, &o));
	NT_FAILS(NS_EREADONLY, ns_commit_new(&c, s));
	cr_assert_eq(c, sentinel, "*out was written on failure");
	ns_store_close(s);
}

Test(store_open, a_read_only_store_can_be_read)
{
	const char *path = make_store("ro.nsnap");
	ns_store_opts o = NS_STORE_OPTS_INIT;
	ns_store *s = NULL;
	uint64_t n = 0;
	double *x;
	o.flags = NS_STORE_RDONLY;
	NT_OK(ns_store_open(&s, path, &o));
	x = nt_read_array(s, "1", "x", &n);
	cr_assert_eq(n, 100 * sizeof(double));
	cr_assert_eq(x[0], 1.0);
	free(x);
	ns_store_close(s);
}

Test(store_open, a_store_of_a_newer_format_is_refused)
{
	const char *path = make_store("new.nsnap");
	ns_store *s = NULL;
	set_format(path, 99);
	NT_FAILS(NS_EVERSION, ns_store_open(&s, path, NULL));
	cr_assert_null(s);
}

Test(store_open, a_chunk_size_not_a_multiple_of_4096_is_rejected)
{
	static const size_t bad[] = { 1, 1000, 4095, 4097, 6144, (1u << 20) + 512 };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		ns_store_opts o = NS_STORE_OPTS_INIT;
		ns_store *s = NULL;
		char name[64];
		snprintf(name, sizeof name, "bad%zu.nsnap", i);
		o.flags = NS_STORE_CREATE;
		o.chunk_size = bad[i];
		NT_FAILS(NS_EINVAL, ns_store_open(&s, nt_path(name), &o));
		cr_assert_null(s, "chunk size %zu accepted", bad[i]);
	}
}

Test(store_open, a_chunk_size_above_1_gib_is_rejected)
{
	ns_store_opts o = NS_STORE_OPTS_INIT;
	ns_store *s = NULL;
	o.flags = NS_STORE_CREATE;
	o.chunk_size = ((size_t)1 << 30) + 4096;
	NT_FAILS(NS_EINVAL, ns_store_open(&s, nt_path("huge.nsnap"), &o));
}

Test(store_open, bad_store_options_are_rejected)
{
	ns_store_opts o = NS_STORE_OPTS_INIT;
	ns_store *s = NULL;
	o.flags = NS_STORE_CREATE;
	o.version = 0;
	NT_FAILS(NS_EINVAL, ns_store_open(&s, nt_path("v.nsnap"), &o));
	o.version = NS_STORE_OPTS_VERSION;
	o.codec = (ns_codec)7;
	NT_FAILS(NS_EINVAL, ns_store_open(&s, nt_path("c.nsnap"), &o));
	o.codec = NS_CODEC_ZSTD;
	o.level = 20;
	NT_FAILS(NS_EINVAL, ns_store_open(&s, nt_path("l.nsnap"), &o));
	o.level = -1;
	NT_FAILS(NS_EINVAL, ns_store_open(&s, nt_path("m.nsnap"), &o));
	cr_assert_null(s);
}

Test(store_open, chunk_size_and_default_codec_are_kept_across_reopen)
{
	ns_store_opts o = NS_STORE_OPTS_INIT;
	ns_store_stats st;
	ns_store *s = NULL;
	char path[4096];
	snprintf(path, sizeof path, "%s", nt_path("kept.nsnap"));
	o.flags = NS_STORE_CREATE;
	o.chunk_size = 8192;
	o.codec = NS_CODEC_ZSTD;
	o.level = 7;
	NT_OK(ns_store_open(&s, path, &o));
	ns_store_close(s);
	s = NULL;
	/* Creation options are ignored when opening an existing store. */
	o.chunk_size = 4096;
	o.codec = NS_CODEC_RAW;
	o.level = 1;
	NT_OK(ns_store_open(&s, path, &o));
	NT_OK(ns_store_stats_get(&st, s));
	cr_assert_eq(st.chunk_size, 8192);
	cr_assert_eq(st.codec, NS_CODEC_ZSTD);
	cr_assert_eq(st.level, 7);
	ns_store_close(s);
}

Test(store_open, the_default_chunk_size_is_1_mib)
{
	ns_store *s = nt_store_new("d.nsnap", 0, NS_CODEC_RAW);
	ns_store_stats st;
	NT_OK(ns_store_stats_get(&st, s));
	cr_assert_eq(st.chunk_size, NS_DEFAULT_CHUNK_SIZE);
	cr_assert_eq(st.versions, 0);
	ns_store_close(s);
}

Test(store_open, closing_null_does_nothing)
{
	ns_store_close(NULL);
	ns_commit_free(NULL);
	ns_version_close(NULL); /* a crash fails the test */
}

Test(store_open, a_new_store_and_its_lock_file_take_the_umask_as_any_new_file)
{
	ns_store_opts o = NS_STORE_OPTS_INIT;
	ns_store *s;
	struct stat st;
	char lock[4200];
	mode_t old = umask(002);
	o.flags = NS_STORE_CREATE;
	NT_OK(ns_store_open(&s, nt_path("shared.nsnap"), &o));
	umask(old);
	ns_store_close(s);
	cr_assert_eq(stat(nt_path("shared.nsnap"), &st), 0);
	cr_assert_eq(st.st_mode & 0777, 0664, "mode %o", (unsigned)(st.st_mode & 0777));
	snprintf(lock, sizeof lock, "%s-lock", nt_path("shared.nsnap"));
	cr_assert_eq(stat(lock, &st), 0);
	cr_assert_eq(st.st_mode & 0777, 0664, "lock file mode %o", (unsigned)(st.st_mode & 0777));
}
