/* SPDX-License-Identifier: MIT */
/* Finding, loading, checking and listing plugins. */
#define _GNU_SOURCE /* realpath(), dl_iterate_phdr() */
#include "internal.h"

#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <link.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The install folder of the plugins, relative to the folder the library
 * lies in (NSNAP_PLUGIN_SUBDIR, "nsnap/plugins"), and, for a program that
 * holds the static library, relative to the program's folder
 * (NSNAP_PLUGIN_FROM_BINDIR, "../lib/nsnap/plugins"; empty when the install
 * folders are absolute paths). NSNAP_PLUGIN_DEFAULT_DIR is the configured
 * prefix's, for when neither can be worked out. */
#ifndef NSNAP_PLUGIN_SUBDIR
#define NSNAP_PLUGIN_SUBDIR "nsnap/plugins"
#endif
#ifndef NSNAP_PLUGIN_FROM_BINDIR
#define NSNAP_PLUGIN_FROM_BINDIR "../lib/nsnap/plugins"
#endif
#ifndef NSNAP_PLUGIN_DEFAULT_DIR
#define NSNAP_PLUGIN_DEFAULT_DIR "/usr/local/lib/nsnap/plugins"
#endif

struct loaded {
	const ns_plugin *desc;
	void *handle;
	char *path; /* as given */
	char *real; /* resolved, to load a module once */
};

struct ns_plugins {
	struct loaded *items;
	size_t n, cap;
	char **dirs; /* searched, NULL-terminated once ns_plugins_new() returns */
	size_t n_dirs, cap_dirs;
	char **failed; /* NS_PLUGINS_SKIP_BROKEN: messages, NULL-terminated */
	size_t n_failed, cap_failed;
	unsigned flags;
};

static void unload(struct loaded *l)
{
	if (l->desc && l->desc->fini)
		l->desc->fini();
	if (l->handle)
		dlclose(l->handle);
	free(l->path);
	free(l->real);
}

void ns_plugins_free(ns_plugins *ps)
{
	if (!ps)
		return;
	for (size_t i = ps->n; i-- > 0;)
		unload(&ps->items[i]);
	free(ps->items);
	for (size_t i = 0; i < ps->n_dirs; i++)
		free(ps->dirs[i]);
	free(ps->dirs);
	for (size_t i = 0; i < ps->n_failed; i++)
		free(ps->failed[i]);
	free(ps->failed);
	free(ps);
}

/* The size of the descriptor of ABI version @abi. */
static size_t descriptor_size(unsigned abi)
{
	return abi < 2 ? offsetof(ns_plugin, options) : sizeof(ns_plugin);
}

/* The checks of a descriptor, before anything else of it is touched. */
static int check_descriptor(const ns_plugin *d, const char *path)
{
	if (d->abi_version < NS_PLUGIN_ABI_MIN || d->abi_version > NS_PLUGIN_ABI_VERSION)
		return ns_err(NS_EPLUGIN, "plugin '%s': built for ABI version %u; this nsnap "
			      "loads versions %d to %d", path, d->abi_version, NS_PLUGIN_ABI_MIN,
			      NS_PLUGIN_ABI_VERSION);
	if (d->struct_size < descriptor_size(d->abi_version))
		return ns_err(NS_EPLUGIN, "plugin '%s': its descriptor has %zu bytes, ABI version "
			      "%u needs %zu", path, d->struct_size, d->abi_version,
			      descriptor_size(d->abi_version));
	if (!d->name || !*d->name)
		return ns_err(NS_EPLUGIN, "plugin '%s': no name", path);
	if ((d->kind == NS_PLUGIN_FORMAT && (!d->format || !d->format->import_network ||
					     !d->format->export_network)) ||
	    (d->kind == NS_PLUGIN_FILTER && (!d->filter || !d->filter->reader_open ||
					     !d->filter->read || !d->filter->reader_close ||
					     !d->filter->writer_open || !d->filter->write ||
					     !d->filter->writer_finish || !d->filter->writer_close)) ||
	    (d->kind != NS_PLUGIN_FORMAT && d->kind != NS_PLUGIN_FILTER))
		return ns_err(NS_EPLUGIN, "plugin '%s' ('%s'): kind %d without all of its "
			      "callbacks", d->name, path, (int)d->kind);
	return NS_OK;
}

int ns_plugins_load(ns_plugins *ps, const char *path)
{
	struct loaded l = { NULL, NULL, NULL, NULL };
	ns_plugin_entry_fn entry;
	char real[PATH_MAX];
	int rc;

	if (!realpath(path, real))
		return ns_err_errno(errno, "plugin '%s'", path);
	for (size_t i = 0; i < ps->n; i++)
		if (strcmp(ps->items[i].real, real) == 0)
			return NS_OK; /* the same module, found twice */
	if (!(l.path = strdup(path)) || !(l.real = strdup(real))) {
		rc = ns_err(NS_ENOMEM, "plugin '%s': out of memory", path);
		goto fail;
	}
	if (!(l.handle = dlopen(path, RTLD_NOW | RTLD_LOCAL))) {
		rc = ns_err(NS_EPLUGIN, "plugin '%s': cannot load it: %s", path, dlerror());
		goto fail;
	}
	/* POSIX lets a data pointer carry a function pointer from dlsym(). */
	*(void **)&entry = dlsym(l.handle, NS_PLUGIN_ENTRY_NAME);
	if (!entry) {
		rc = ns_err(NS_EPLUGIN, "plugin '%s': no entry symbol '%s': not an nsnap plugin",
			    path, NS_PLUGIN_ENTRY_NAME);
		goto fail;
	}
	if (!(l.desc = entry())) {
		rc = ns_err(NS_EPLUGIN, "plugin '%s': its entry returned no descriptor", path);
		goto fail;
	}
	if ((rc = check_descriptor(l.desc, path)) < 0)
		goto fail;
	for (size_t i = 0; i < ps->n; i++)
		if (strcmp(ps->items[i].desc->name, l.desc->name) == 0) {
			rc = ns_err(NS_EPLUGIN, "plugin '%s': '%s' and '%s' both call themselves "
				    "that", l.desc->name, ps->items[i].path, path);
			goto fail;
		}
	/* Room first: once init() ran, nothing may fail. */
	if ((rc = ns__grow_array(&ps->items, &ps->cap, ps->n, sizeof *ps->items)) < 0)
		goto fail;
	if (l.desc->init) {
		ns__host_enter(0);
		rc = ns__host_result(l.desc->init(&ns__host_table), l.desc, "init");
		if (rc < 0) {
			rc = ns_err_wrap(NS_EPLUGIN, "plugin '%s' ('%s'): init failed",
					 l.desc->name, path);
			goto fail;
		}
	}
	ps->items[ps->n++] = l;
	return NS_OK;
fail:
	l.desc = NULL; /* fini() only after a successful init() */
	unload(&l);
	return rc;
}

/* Keep the last error's message as a module passed over. */
static int skip_broken(ns_plugins *ps)
{
	if (ns__grow_array(&ps->failed, &ps->cap_failed, ps->n_failed + 1, sizeof *ps->failed) < 0 ||
	    !(ps->failed[ps->n_failed] = strdup(ns_error_last()->message)))
		return ns_err(NS_ENOMEM, "plugins: out of memory");
	ps->failed[++ps->n_failed] = NULL;
	return NS_OK;
}

/* Every "*.so" of @dir, in name order; a missing directory is no error. */
static int load_dir(ns_plugins *ps, const char *dir)
{
	struct dirent **names = NULL;
	char path[PATH_MAX];
	int n, rc = NS_OK;

	/* Room for the list's NULL too. */
	if (ns__grow_array(&ps->dirs, &ps->cap_dirs, ps->n_dirs + 1, sizeof *ps->dirs) < 0 ||
	    !(ps->dirs[ps->n_dirs] = strdup(dir)))
		return ns_err(NS_ENOMEM, "plugin directory '%s': out of memory", dir);
	ps->dirs[++ps->n_dirs] = NULL;
	n = scandir(dir, &names, NULL, alphasort);
	if (n < 0)
		return errno == ENOENT || errno == ENOTDIR ? NS_OK
			: ns_err_errno(errno, "plugin directory '%s'", dir);
	for (int i = 0; i < n; i++) {
		size_t len = strlen(names[i]->d_name);
		if (rc == NS_OK && len > 3 && strcmp(names[i]->d_name + len - 3, ".so") == 0) {
			snprintf(path, sizeof path, "%s/%s", dir, names[i]->d_name);
			rc = ns_plugins_load(ps, path);
			if (rc < 0 && rc != NS_ENOMEM && (ps->flags & NS_PLUGINS_SKIP_BROKEN))
				rc = skip_broken(ps);
		}
		free(names[i]);
	}
	free(names);
	return rc;
}

/* Which loaded object holds the address @addr: its file name, and whether
 * it is the program itself (which dl_iterate_phdr() visits first). */
struct holder {
	uintptr_t addr;
	int index, found, is_program;
	char name[PATH_MAX];
};

static int find_holder(struct dl_phdr_info *info, size_t size, void *data)
{
	struct holder *h = data;
	(void)size;
	for (int i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		uintptr_t start = (uintptr_t)info->dlpi_addr + (uintptr_t)ph->p_vaddr;
		if (ph->p_type == PT_LOAD && h->addr >= start && h->addr - start < ph->p_memsz) {
			h->found = 1;
			h->is_program = h->index == 0;
			snprintf(h->name, sizeof h->name, "%s", info->dlpi_name ? info->dlpi_name : "");
			return 1;
		}
	}
	h->index++;
	return 0;
}

/* The plugins' install folder, <libdir>/nsnap/plugins, found from where
 * this code was loaded from, so that an installed prefix may lie anywhere
 * and be moved: beside libnsnap.so, or for the static library under the
 * program's folder. (dladdr() would name the program by its argv[0], which
 * may be relative to PATH, not to the current folder.) */
static void install_dir(char out[PATH_MAX])
{
	struct holder h = { (uintptr_t)&install_dir, 0, 0, 0, "" };
	char real[PATH_MAX], *slash;
	struct stat st;
	ssize_t n;
	size_t len;
	int shared;

	snprintf(out, PATH_MAX, "%s", NSNAP_PLUGIN_DEFAULT_DIR);
	dl_iterate_phdr(find_holder, &h);
	if (!h.found)
		return;
	if (h.is_program || !h.name[0]) {
		if ((n = readlink("/proc/self/exe", real, sizeof real - 1)) <= 0)
			return;
		real[n] = '\0';
	} else if (!realpath(h.name, real)) {
		return;
	}
	if (!(slash = strrchr(real, '/')))
		return;
	len = (size_t)(slash - real);
	shared = !h.is_program && h.name[0];
	if ((size_t)snprintf(slash, sizeof real - len, "/%s",
			     shared ? NSNAP_PLUGIN_SUBDIR : NSNAP_PLUGIN_FROM_BINDIR) >=
	    sizeof real - len)
		return;
	/* A program that holds the static library may lie outside any
	 * prefix: its folder counts only when it has the plugins' folder. */
	if (shared || (NSNAP_PLUGIN_FROM_BINDIR[0] && stat(real, &st) == 0 && S_ISDIR(st.st_mode)))
		memcpy(out, real, strlen(real) + 1);
}

const char *const *ns_plugins_failures(const ns_plugins *ps)
{
	static const char *const none[] = { NULL };
	return ps->failed ? (const char *const *)ps->failed : none;
}

const char *const *ns_plugins_dirs(const ns_plugins *ps)
{
	static const char *const none[] = { NULL };
	return ps->dirs ? (const char *const *)ps->dirs : none;
}

int ns_plugins_new(ns_plugins **out, const char *const *dirs, unsigned flags)
{
	ns_plugins *ps;
	const char *env = getenv("NSNAP_PLUGIN_PATH");
	int rc = NS_OK;

	if (!out)
		return ns_err(NS_EINVAL, "ns_plugins_new: out must not be NULL");
	if (!(ps = calloc(1, sizeof *ps)))
		return ns_err(NS_ENOMEM, "plugins: out of memory");
	ps->flags = flags;
	for (size_t i = 0; dirs && dirs[i] && rc == NS_OK; i++)
		rc = load_dir(ps, dirs[i]);
	if (rc == NS_OK && env && *env && !(flags & NS_PLUGINS_NO_ENV)) {
		char *copy = strdup(env), *save = NULL;
		if (!copy)
			rc = ns_err(NS_ENOMEM, "plugins: out of memory");
		for (char *d = copy ? strtok_r(copy, ":", &save) : NULL; d && rc == NS_OK;
		     d = strtok_r(NULL, ":", &save))
			rc = load_dir(ps, d);
		free(copy);
	}
	if (rc == NS_OK && !(flags & NS_PLUGINS_NO_DEFAULT)) {
		char dir[PATH_MAX];
		install_dir(dir);
		rc = load_dir(ps, dir);
	}
	if (rc < 0) {
		ns_plugins_free(ps);
		return rc;
	}
	*out = ps;
	return NS_OK;
}

size_t ns_plugins_count(const ns_plugins *ps)
{
	return ps->n;
}

int ns_plugins_at(ns_plugin_info *out, const ns_plugins *ps, size_t i)
{
	const ns_plugin *d;
	if (!out)
		return ns_err(NS_EINVAL, "ns_plugins_at: out must not be NULL");
	if (i >= ps->n)
		return ns_err(NS_EINVAL, "no plugin %zu (there are %zu)", i, ps->n);
	d = ps->items[i].desc;
	out->name = d->name;
	out->description = d->description ? d->description : "";
	out->kind = d->kind;
	out->extensions = d->extensions;
	out->path = ps->items[i].path;
	out->abi_version = d->abi_version;
	out->flags = d->flags;
	out->options = ns__plugin_options(d);
	return NS_OK;
}

const char *const *ns__plugin_options(const ns_plugin *d)
{
	return d->abi_version >= 2 ? d->options : NULL;
}

const ns_plugin *ns__plugins_find(const ns_plugins *ps, const char *name, ns_plugin_kind kind)
{
	for (size_t i = 0; i < ps->n; i++)
		if (ps->items[i].desc->kind == kind && strcmp(ps->items[i].desc->name, name) == 0)
			return ps->items[i].desc;
	return NULL;
}

const ns_plugin *ns__plugins_by_ext(const ns_plugins *ps, const char *ext, ns_plugin_kind kind)
{
	for (size_t i = 0; i < ps->n; i++) {
		const ns_plugin *d = ps->items[i].desc;
		for (const char *const *e = d->extensions; d->kind == kind && e && *e; e++)
			if (strcmp(*e, ext) == 0)
				return d;
	}
	return NULL;
}

const ns_plugin *ns__plugins_probe(const ns_plugins *ps, const unsigned char *head, size_t n,
			       ns_plugin_kind kind)
{
	const ns_plugin *best = NULL;
	int best_bid = 0;
	for (size_t i = 0; i < ps->n; i++) {
		const ns_plugin *d = ps->items[i].desc;
		int bid = d->kind == kind && d->probe ? d->probe(head, n) : 0;
		if (bid > best_bid) {
			best = d;
			best_bid = bid;
		}
	}
	return best;
}
