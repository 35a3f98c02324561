/* SPDX-License-Identifier: MIT */
/**
 * @file formats.h
 * @brief Loading plugins, and moving versions in and out of files.
 *
 * Plugins are found, in this order, in the directories given to
 * ns_plugins_new(), in those of the NSNAP_PLUGIN_PATH environment variable
 * (separated by ':'), then in nsnap's install directory; never in the
 * current directory by accident. A module is a file ending in ".so". The
 * install directory is `<libdir>/nsnap/plugins`, found from where
 * libnsnap.so lies (for the static library: from the program's folder,
 * `<bindir>/../<libdir>/nsnap/plugins`), so that an installed prefix works
 * wherever it was installed or moved to.
 *
 * Formats are chosen as ANNarchy does: `.mat` is MATLAB, `.gz` a gzip'ed
 * pickle, `.json` a parameter file, anything else a pickle; `.zst` is zstd,
 * and each plugin adds its own extensions (`net.tsv.zst`). Filter suffixes
 * are peeled from the end of the name first. On import the probes of the
 * first bytes win over the name; a format nsnap recognises but cannot read
 * gets a precise error.
 */
#ifndef NSNAP_FORMATS_H
#define NSNAP_FORMATS_H

#include <nsnap/api.h>

#include <stddef.h>
#include <stdint.h>

#include <nsnap/plugin.h>
#include <nsnap/snapshot.h>
#include <nsnap/store.h>

#ifdef __cplusplus
extern "C" {
#endif

/** A set of loaded plugins. */
typedef struct ns_plugins ns_plugins;

/** Flags of ns_plugins_new(). */
enum {
	NS_PLUGINS_NO_ENV = 1u << 0,     /**< ignore NSNAP_PLUGIN_PATH */
	NS_PLUGINS_NO_DEFAULT = 1u << 1, /**< ignore the install directory */
	/** Pass over a module that fails to load (not a module, no entry
	 *  symbol, a wrong ABI, a name taken, a failed init) instead of
	 *  failing: ns_plugins_failures() says which and why. Only the formats
	 *  and filters it would have brought are missing. */
	NS_PLUGINS_SKIP_BROKEN = 1u << 2,
};

/**
 * Load the plugins of @p dirs (NULL-terminated; may be NULL), then of
 * NSNAP_PLUGIN_PATH, then of the install directory. A directory that does
 * not exist is passed over; a module that fails to load fails the whole
 * call, with an error naming its file and the cause: not a loadable module,
 * no entry symbol, an ABI version out of range, a descriptor too small, a
 * second plugin of the same name, a failed init.
 * @return NS_OK; NS_EPLUGIN; NS_ENOMEM; NS_EINVAL for a NULL @p out.
 */
NS_API int ns_plugins_new(ns_plugins **out, const char *const *dirs, unsigned flags);

/**
 * The directories ns_plugins_new() searched, in the order it searched them,
 * those that do not exist included; NULL-terminated. To say where plugins
 * were looked for when none was found. Valid until ns_plugins_free().
 */
NS_API const char *const *ns_plugins_dirs(const ns_plugins *plugins);

/**
 * The modules passed over with #NS_PLUGINS_SKIP_BROKEN: one message each,
 * naming the file and the cause, as ns_plugins_new() would have failed
 * with; NULL-terminated (empty when all loaded). Valid until
 * ns_plugins_free().
 */
NS_API const char *const *ns_plugins_failures(const ns_plugins *plugins);

/** Load one more module file. @return as ns_plugins_new(). */
NS_API int ns_plugins_load(ns_plugins *plugins, const char *path);

/** Call every plugin's fini() and close the modules. Accepts NULL. */
NS_API void ns_plugins_free(ns_plugins *plugins);

/** A loaded plugin, as listed. Valid until ns_plugins_free(). */
typedef struct ns_plugin_info {
	const char *name;
	const char *description;
	ns_plugin_kind kind;
	const char *const *extensions;
	const char *path;      /**< the module's file */
	unsigned abi_version;  /**< what the plugin was built for */
	unsigned flags;
	const char *const *options; /**< formats: option names; NULL for none */
} ns_plugin_info;

NS_API size_t ns_plugins_count(const ns_plugins *plugins);
/** Plugin @p i, by name. @return NS_OK; NS_EINVAL when out of range or
 *  @p out is NULL. */
NS_API int ns_plugins_at(ns_plugin_info *out, const ns_plugins *plugins, size_t i);

#define NS_IMPORT_OPTS_VERSION 1

/** Options of ns_import(). Initialise with #NS_IMPORT_OPTS_INIT. */
typedef struct ns_import_opts {
	unsigned version;    /**< #NS_IMPORT_OPTS_VERSION */
	const char *format;  /**< a format's name, overriding detection; NULL */
	const char *message; /**< NULL for the file's name */
	const char *branch, *tag;
	/** Parameter files: the revision they apply onto (NULL for HEAD), and
	 *  ANNarchy's load_parameters() switches. */
	const char *onto;
	int global_only;
	int verbose;
	/** The format's options, "name=value" or "name", NULL-terminated;
	 *  NULL for none. A name the format does not list is refused. */
	const char *const *options;
} ns_import_opts;

#define NS_IMPORT_OPTS_INIT { NS_IMPORT_OPTS_VERSION, NULL, NULL, NULL, NULL, NULL, 1, 0, NULL }
/** Initialise @p opts as #NS_IMPORT_OPTS_INIT does, for bindings that cannot
 *  use the macro. @p version: #NS_IMPORT_OPTS_VERSION of the caller's header.
 *  @return NS_OK; NS_EINVAL for a NULL @p opts or a version this nsnap
 *  does not know. */
NS_API int ns_import_opts_init(ns_import_opts *opts, unsigned version);

/**
 * Import the file @p path as a new version: a whole network, one
 * population or projection, or (a parameter file) new parameter values
 * applied onto a version, whose network dictionary the file's replaces when
 * it has a non-empty one.
 * @param out  the new version (may be NULL)
 * @return NS_OK; NS_ENOTFOUND for a missing file; NS_EFORMAT for a file no
 *         plugin reads (the message says what its first bytes look like);
 *         NS_EUNSUPPORTED for a format recognised but not read (`.npz`);
 *         NS_EPLUGIN for a plugin that misbehaved; the plugin's errors;
 *         those of ns_snapshot() and ns_params_set().
 */
NS_API int ns_import(uint64_t *out, ns_plugins *plugins, ns_store *store, const char *path,
		     const ns_import_opts *opts);

#define NS_EXPORT_OPTS_VERSION 1

/** Options of ns_export(). Initialise with #NS_EXPORT_OPTS_INIT. */
typedef struct ns_export_opts {
	unsigned version;   /**< #NS_EXPORT_OPTS_VERSION */
	const char *format; /**< a format's name, overriding the extension; NULL */
	ns_select select;   /**< populations/projections switches, names */
	int level;          /**< filters' compression level; 0 for theirs */
	int verbose;
	int overwrite;      /**< replace an existing file (atomically) */
	const char *const *options; /**< as in #ns_import_opts */
} ns_export_opts;

#define NS_EXPORT_OPTS_INIT { NS_EXPORT_OPTS_VERSION, NULL, { 0, 0, NULL }, 0, 0, 0, NULL }
/** Initialise @p opts as #NS_EXPORT_OPTS_INIT does, for bindings that cannot
 *  use the macro. @p version: #NS_EXPORT_OPTS_VERSION of the caller's header.
 *  @return NS_OK; NS_EINVAL for a NULL @p opts or a version this nsnap
 *  does not know. */
NS_API int ns_export_opts_init(ns_export_opts *opts, unsigned version);

/**
 * Export revision @p rev to the file @p path, atomically: it is written to
 * a temporary file beside @p path, synced and renamed; a failed export
 * leaves no file behind and an existing file untouched. A new file gets the
 * mode any Unix tool gives one (0666 less the umask); a replaced file keeps
 * its mode (and its owner and group where the process may give them). Only
 * a regular file is replaced: a symbolic link, FIFO, device or directory at
 * @p path is refused and left as it is.
 * @return NS_OK; NS_EEXISTS when @p path exists and not @p opts->overwrite;
 *         NS_EINVAL when @p path names something else than a regular file;
 *         NS_ENOTFOUND for no plugin of that format; the plugin's errors;
 *         those of ns_network_open(); NS_EIO.
 */
NS_API int ns_export(ns_plugins *plugins, ns_store *store, const char *rev, const char *path,
		     const ns_export_opts *opts);

#ifdef __cplusplus
}
#endif
#endif
