/* SPDX-License-Identifier: MIT */
#include "import_target.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

static fuzz_env env;
static char dir[4096];

static void rm(const char *name)
{
	char path[4200];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	unlink(path);
}

static void teardown(void)
{
	static const char *const files[] = { "s.nsnap", "s.nsnap-lock", "in", "out", NULL };
	ns_plugins_free(env.plugins);
	ns_store_close(env.store);
	for (size_t i = 0; files[i]; i++)
		rm(files[i]);
	rmdir(dir);
}

/* Stores commit (and sync) once per input or more: tmpfs makes that free. */
static const char *scratch_root(void)
{
	const char *t = getenv("TMPDIR");
	struct stat st;
	if (t && *t)
		return t;
	return stat("/dev/shm", &st) == 0 && S_ISDIR(st.st_mode) && access("/dev/shm", W_OK) == 0
		       ? "/dev/shm" : "/tmp";
}

const fuzz_env *fuzz_env_get(void (*prepare)(ns_store *store))
{
	ns_store_opts so = NS_STORE_OPTS_INIT;
	const char *dirs[] = { NSNAP_TEST_PLUGIN_DIR, NULL };
	char path[4200];

	if (env.store)
		return &env;
	snprintf(dir, sizeof dir, "%s/nsnap-fuzz-XXXXXX", scratch_root());
	if (!mkdtemp(dir)) {
		perror(dir);
		exit(2);
	}
	env.dir = dir;
	snprintf(path, sizeof path, "%s/s.nsnap", dir);
	so.flags = NS_STORE_CREATE;
	if (ns_store_open(&env.store, path, &so) ||
	    ns_plugins_new(&env.plugins, dirs, NS_PLUGINS_NO_ENV | NS_PLUGINS_NO_DEFAULT)) {
		fprintf(stderr, "fuzz: %s\n", ns_error_last()->message);
		exit(2);
	}
	atexit(teardown);
	if (prepare)
		prepare(env.store);
	return &env;
}

int fuzz_write(const char *path, const uint8_t *data, size_t size)
{
	FILE *f = fopen(path, "wb");
	int rc = 0;
	if (!f)
		return -1;
	if (fwrite(data, 1, size, f) != size)
		rc = -1;
	if (fclose(f) != 0)
		rc = -1;
	return rc;
}

void fuzz_import(const uint8_t *data, size_t size, const char *format, const char *onto,
		 void (*prepare)(ns_store *store))
{
	const fuzz_env *e = fuzz_env_get(prepare);
	ns_import_opts o = NS_IMPORT_OPTS_INIT;
	char input[4200];
	uint64_t v;
	snprintf(input, sizeof input, "%s/in", e->dir);
	if (fuzz_write(input, data, size))
		return;
	o.format = format;
	o.onto = onto;
	/* Deleting what was imported keeps the store (in memory) small. */
	if (ns_import(&v, e->plugins, e->store, input, &o) == NS_OK)
		ns_version_delete(e->store, v);
}
