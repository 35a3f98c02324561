/* Fuzz target: the pickle plugin's import, through the host, as a new
 * version of a store. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <nsnap/nsnap.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static ns_store *store;
static ns_plugins *plugins;
static char dir[] = "/tmp/nsnap-fuzz-XXXXXX";
static char input[64];

static void setup(void)
{
	ns_store_opts so = NS_STORE_OPTS_INIT;
	const char *dirs[] = { NSNAP_TEST_PLUGIN_DIR, NULL };
	char path[64];

	if (!mkdtemp(dir))
		exit(2);
	snprintf(path, sizeof path, "%s/s.nsnap", dir);
	snprintf(input, sizeof input, "%s/in.data", dir);
	so.flags = NS_STORE_CREATE;
	if (ns_store_open(&store, path, &so) ||
	    ns_plugins_new(&plugins, dirs, NS_PLUGINS_NO_ENV | NS_PLUGINS_NO_DEFAULT)) {
		fprintf(stderr, "fuzz pickle: %s\n", ns_error_last()->message);
		exit(2);
	}
}

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

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	ns_import_opts o = NS_IMPORT_OPTS_INIT;
	FILE *f;
	if (!store) {
		setup();
		atexit(teardown);
	}
	if (!(f = fopen(input, "wb")))
		return 0;
	fwrite(data, 1, size, f);
	fclose(f);
	o.format = "pickle";
	ns_import(NULL, plugins, store, input, &o);
	return 0;
}
