/* SPDX-License-Identifier: MIT */
#define _XOPEN_SOURCE 700 /* realpath() */
#include "util.h"

#include <dirent.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char tmpdir[256];

const char *nt_tmpdir(void)
{
	snprintf(tmpdir, sizeof tmpdir, "t-%ld-XXXXXX", (long)getpid());
	cr_assert_not_null(mkdtemp(tmpdir), "mkdtemp failed");
	return tmpdir;
}

void nt_tmpdir_remove(void)
{
	DIR *d;
	struct dirent *e;
	char path[8192];
	if (!tmpdir[0] || !(d = opendir(tmpdir)))
		return;
	while ((e = readdir(d)))
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0) {
			snprintf(path, sizeof path, "%s/%s", tmpdir, e->d_name);
			unlink(path);
		}
	closedir(d);
	rmdir(tmpdir);
}

const char *nt_tmpdir_path(void)
{
	if (!tmpdir[0])
		nt_tmpdir();
	return tmpdir;
}

const char *nt_path(const char *name)
{
	static char bufs[4][4096];
	static unsigned next;
	char *b = bufs[next++ % 4];
	if (!tmpdir[0])
		nt_tmpdir();
	snprintf(b, sizeof bufs[0], "%s/%s", tmpdir, name);
	return b;
}

ns_store *nt_store_new(const char *name, size_t chunk_size, ns_codec codec)
{
	ns_store_opts o = NS_STORE_OPTS_INIT;
	ns_store *s = NULL;
	o.flags = NS_STORE_CREATE;
	o.chunk_size = chunk_size;
	o.codec = codec;
	NT_OK(ns_store_open(&s, nt_path(name), &o));
	return s;
}

uint64_t nt_commit_f64(ns_store *s, const char *name, size_t n, double base,
		       const char *message)
{
	double *v = malloc(n * sizeof *v + 1);
	ns_commit *c = NULL;
	ns_commit_opts o = NS_COMMIT_OPTS_INIT;
	uint64_t num = 0;
	cr_assert_not_null(v);
	for (size_t i = 0; i < n; i++)
		v[i] = base + (double)i;
	o.message = message;
	NT_OK(ns_commit_new(&c, s));
	NT_OK(ns_commit_add(c, name, NS_DTYPE_F64, v, n));
	NT_OK(ns_commit_finish(&num, c, &o));
	free(v);
	return num;
}

void *nt_read_array(ns_store *s, const char *rev, const char *name, uint64_t *nbytes)
{
	ns_version *v = NULL;
	ns_array_info a;
	uint64_t i = 0;
	void *buf;
	NT_OK(ns_version_open(&v, s, rev));
	NT_OK(ns_version_array_find(&i, v, name));
	NT_OK(ns_version_array_at(&a, v, i));
	buf = malloc(a.nbytes + 1);
	cr_assert_not_null(buf);
	NT_OK(ns_version_read(buf, a.nbytes, v, i, NS_READ_VERIFY));
	ns_version_close(v);
	*nbytes = a.nbytes;
	return buf;
}

void nt_write_file(const char *path, const void *data, size_t size)
{
	FILE *f = fopen(path, "wb");
	cr_assert_not_null(f, "cannot create %s", path);
	cr_assert_eq(fwrite(data, 1, size, f), size);
	cr_assert_eq(fclose(f), 0);
}

ns_store *nt_three_versions(void)
{
	ns_store *s = nt_store_new("s.nsnap", 4096, NS_CODEC_RAW);
	for (int i = 1; i <= 3; i++)
		cr_assert_eq(nt_commit_f64(s, "x", 10, i, NULL), (uint64_t)i);
	return s;
}

uint64_t nt_resolve(ns_store *s, const char *rev)
{
	uint64_t n = 0;
	NT_OK(ns_store_resolve(&n, s, rev));
	return n;
}

ns_store_stats nt_stats(ns_store *s)
{
	ns_store_stats st;
	NT_OK(ns_store_stats_get(&st, s));
	return st;
}

char *nt_slurp(const char *path, size_t *size)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;
	cr_assert_not_null(f, "cannot open %s", path);
	cr_assert_eq(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	cr_assert_geq(n, 0);
	rewind(f);
	buf = malloc((size_t)n + 1);
	cr_assert_not_null(buf);
	cr_assert_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = '\0';
	fclose(f);
	*size = (size_t)n;
	return buf;
}

uint64_t nt_new_bytes(ns_store *s, uint64_t number)
{
	ns_version *v = NULL;
	uint64_t n;
	NT_OK(ns_version_open_number(&v, s, number));
	n = ns_version_get_info(v)->new_bytes;
	ns_version_close(v);
	return n;
}

int nt_in_file_mapping(const void *p, const char *path)
{
	char real[PATH_MAX], line[PATH_MAX + 256];
	FILE *f;
	int found = 0;
	cr_assert_not_null(realpath(path, real), "realpath %s", path);
	f = fopen("/proc/self/maps", "r");
	cr_assert_not_null(f);
	while (!found && fgets(line, sizeof line, f)) {
		uintptr_t lo, hi;
		int name_at = 0;
		size_t len;
		if (sscanf(line, "%" SCNxPTR "-%" SCNxPTR " %*s %*s %*s %*s %n", &lo, &hi,
			   &name_at) < 2 || name_at == 0)
			continue;
		len = strlen(line + name_at);
		if (len && line[name_at + len - 1] == '\n')
			line[name_at + len - 1] = 0;
		found = strcmp(line + name_at, real) == 0 && (uintptr_t)p >= lo &&
			(uintptr_t)p < hi;
	}
	fclose(f);
	return found;
}
