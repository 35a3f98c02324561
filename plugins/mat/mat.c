/* SPDX-License-Identifier: MIT */
/* The mat format: MATLAB .mat files in ANNarchy's layout, written and read
 * through matio (MAT v5, optionally compressed, and v7.3 on HDF5). See
 * README.md for the layout, the options and the renaming of names. */
#define _GNU_SOURCE /* mkstemp */
#include "mat.h"

#include <dlfcn.h>
#include <hdf5.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

const ns_host *host;

/* matio reports through one process-wide log function; its messages go
 * into the calling thread's buffer, never to stderr. */
static _Thread_local char log_first[512];
static _Thread_local char log_minor[160];
static _Thread_local int log_count;

static void log_catch(int level, char *message)
{
	const char *minor;
	if (!(level & (MATIO_LOG_LEVEL_ERROR | MATIO_LOG_LEVEL_CRITICAL |
		       MATIO_LOG_LEVEL_WARNING)) || !message)
		return;
	if (log_count++ == 0) {
		/* HDF5's error stacks: the first line says where, "minor" what. */
		size_t n = strcspn(message, "\n");
		if (n >= sizeof log_first)
			n = sizeof log_first - 1;
		memcpy(log_first, message, n);
		log_first[n] = '\0';
	}
	if ((minor = strstr(message, "minor: ")) && !log_minor[0]) {
		size_t n = strcspn(minor + 7, "\n");
		if (n >= sizeof log_minor)
			n = sizeof log_minor - 1;
		memcpy(log_minor, minor + 7, n);
		log_minor[n] = '\0';
	}
}

void mt_log_reset(void)
{
	log_first[0] = log_minor[0] = '\0';
	log_count = 0;
}

int mt_log_failed(void)
{
	return log_count > 0;
}

const char *mt_log_text(void)
{
	static _Thread_local char text[sizeof log_first + sizeof log_minor + 8];
	if (!log_count)
		return "no message from matio";
	if (log_minor[0])
		snprintf(text, sizeof text, "%s (%s)", log_first, log_minor);
	else
		snprintf(text, sizeof text, "%s", log_first);
	return text;
}

const char *mt_path(const ns_plugin_args *args)
{
	return args && args->path ? args->path : "(stream)";
}

int mt_tmpfile(char *name, size_t size, const char *path)
{
	const char *dir = getenv("TMPDIR");
	int fd;
	if (!dir || !*dir)
		dir = "/tmp";
	if ((size_t)snprintf(name, size, "%s/nsnap-mat-XXXXXX", dir) >= size)
		return host->error(NS_EIO, "file '%s': the temporary folder '%s' has too long "
				      "a name", path, dir);
	if ((fd = mkstemp(name)) < 0)
		return host->error(NS_EIO, "file '%s': cannot make a temporary file in '%s' "
				      "for matio", path, dir);
	close(fd);
	return NS_OK;
}

/* ------------------------------------------------------------------ plugin */

/* MAT v5: the text, then version 0x0100 and "IM" (little-endian) or "MI"
 * at bytes 124 to 127. v7.3: the same with 0x0200, in HDF5's 512-byte user
 * block (its signature at 512 is past the bytes a probe sees). An HDF5
 * file that starts with its signature is bid for too, only to be refused
 * with a message saying what it is. */
static int mt_probe(const unsigned char *head, size_t n)
{
	int le;
	/* HDF5 without the MAT header (Octave's save -hdf5): import says so. */
	if (n >= 8 && memcmp(head, "\x89HDF\r\n\x1a\n", 8) == 0)
		return 64;
	if (n < 128 || (memcmp(head, "MATLAB 5.0 MAT-file", 19) != 0 &&
			memcmp(head, "MATLAB 7.3 MAT-file", 19) != 0))
		return 0;
	if (head[126] == 'I' && head[127] == 'M')
		le = 1;
	else if (head[126] == 'M' && head[127] == 'I')
		le = 0;
	else
		return 0;
	if (head[7] == '5' && head[124 + le] == 0x01 && head[125 - le] == 0x00)
		return 184;
	if (head[7] == '7' && le && head[125] == 0x02 && head[124] == 0x00)
		return 184;
	return 0;
}

/* HDF5 (matio's, and with it curl and gnutls) stays loaded once this
 * plugin has been, for the rest of the process: unloading it with the
 * plugin would run gnutls's destructors, which leak what they set up for
 * the thread (1.8 KB) every time a program closes its plugins, and HDF5 is
 * not made to be torn down and set up again in one process. */
static void keep_hdf5_loaded(void)
{
	Dl_info info;
	if (dladdr((void *)H5open, &info) && info.dli_fname)
		(void)dlopen(info.dli_fname, RTLD_LAZY | RTLD_NOLOAD | RTLD_NODELETE);
}

static int mt_init(const ns_host *h)
{
	host = h;
	keep_hdf5_loaded();
	Mat_LogInitFunc("nsnap", log_catch);
	return NS_OK;
}

static const ns_format_ops mt_ops = {
	.import_network = mt_import,
	.export_network = mt_export,
};

static const char *const mt_extensions[] = { ".mat", NULL };
static const char *const mt_options[] = { "version", "compress", "rename", "max-memory", NULL };

static const ns_plugin mt_plugin = {
	.abi_version = NS_PLUGIN_ABI_VERSION,
	.struct_size = sizeof(ns_plugin),
	.kind = NS_PLUGIN_FORMAT,
	.name = "mat",
	.description = "MATLAB .mat files in ANNarchy's layout (MAT v5, compressed or not, "
		       "and v7.3), through matio",
	.extensions = mt_extensions,
	.probe = mt_probe,
	.init = mt_init,
	.format = &mt_ops,
	.options = mt_options,
};

NS_PLUGIN_EXPORT const ns_plugin *nsnap_plugin_entry(void)
{
	return &mt_plugin;
}
