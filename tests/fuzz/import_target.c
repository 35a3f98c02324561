#include "import_target.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static ns_store *store;
static ns_plugins *plugins;
static char dir[] = "/tmp/nsnap-fuzz-XXXXXX";
static char input[64];

static void teardown(void)
{
	char path[80];
	ns_plugins_free(plugins);
	ns_store_close(store);
	snprintf(path, sizeof path, "%s/s.nsnap", dir);
	unlink(path);
	snprintf(path, sizeof path, "%s/s.nsnap-lock", dir);
	unlink(path);
	unlink(input);
	rmdir(dir);
}

static void setup(void (*prepare)(ns_store *store))
{
	ns_store_opts so = NS_STORE_OPTS_INIT;
	const char *dirs[] = { NSNAP_TEST_PLUGIN_DIR, NULL };
	char path[64];

	if (!mkdtemp(dir))
		exit(2);
	snprintf(path, sizeof path, "%s/s.nsnap", dir);
	snprintf(input, sizeof input, "%s/in", dir);
	so.flags = NS_STORE_CREATE;
	if (ns_store_open(&store, path, &so) ||
	    ns_plugins_new(&plugins, dirs, NS_PLUGINS_NO_ENV | NS_PLUGINS_NO_DEFAULT)) {
		fprintf(stderr, "fuzz: %s\n", ns_error_last()->message);
		exit(2);
	}
	atexit(teardown);
	if (prepare)
		prepare(store);
}

void fuzz_import(const uint8_t *data, size_t size, const char *format, const char *onto,
		 void (*prepare)(ns_store *store))
{
	ns_import_opts o = NS_IMPORT_OPTS_INIT;
	FILE *f;
	if (!store)
		setup(prepare);
	if (!(f = fopen(input, "wb")))
		return;
	fwrite(data, 1, size, f);
	fclose(f);
	o.format = format;
	o.onto = onto;
	ns_import(NULL, plugins, store, input, &o);
}
