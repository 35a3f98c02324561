/* SPDX-License-Identifier: MIT */
/**
 * @file plugin.h
 * @brief Writing a plugin: a file format or a compression filter, loaded at
 *        run time with dlopen. Plugins include only this header.
 *
 * A plugin is a shared module that exports one symbol, #NS_PLUGIN_ENTRY:
 *
 *     NS_PLUGIN_EXPORT const ns_plugin *nsnap_plugin_entry(void);
 *
 * It returns a `static const` descriptor whose first two fields are the ABI
 * version and the struct's size; the host checks both before it touches
 * anything else. The host then calls the descriptor's init() with a table of
 * host functions (#ns_host): memory, errors, logging, streams, and every
 * function of <nsnap/network.h>. A plugin calls nsnap only through that
 * table and never links against libnsnap.
 *
 * Two kinds, as libarchive splits them:
 * - a *format* reads a file's bytes into a network (import) and writes a
 *   network out (export);
 * - a *filter* wraps a stream: it decompresses what it reads, compresses
 *   what it writes (gzip, zstd). Filters stack under formats: `net.data.gz`
 *   is the pickle format through the gzip filter.
 *
 * Detection is a bid: probe() gets the first bytes of a stream and returns
 * how many bits of them it recognised (0: not mine). The highest bid wins
 * over file name extensions. A format chosen by a file's name whose probe
 * returns 0 for its bytes is refused (the user is told what the bytes look
 * like): a probe must accept every file its import reads, or be NULL.
 *
 * An export gets the objects the user selected: with populations switched
 * off (ANNarchy's populations=False) or a selection of projections only, a
 * projection's pre and post populations may be missing from the network;
 * their names are in its ns_object_info.
 *
 * Errors: a callback returns #NS_OK or a negative #ns_error_code, after
 * host->error() recorded a message that names the file, object and cause.
 * A plugin that fails without a message still yields one from the host.
 *
 * The ABI only grows: new host functions and descriptor fields are added at
 * the end, and the version rises. A plugin built for version N runs on a
 * host of version N or later. Version 2 added format options (the
 * descriptor's options, ns_plugin_args.options and ns_host.option);
 * version 3 added ns_host.read_all, attr_kind_name, scope_name and the
 * functions of network-wide arrays and of attributes of scope NS_ARRAY, and
 * renamed the format callbacks import/export to import_network and
 * export_network (`export` is a C++ keyword); their places, and so the
 * ABI, did not change.
 */
#ifndef NSNAP_PLUGIN_H
#define NSNAP_PLUGIN_H

#include <stddef.h>
#include <stdint.h>

#include <nsnap/error.h>
#include <nsnap/network.h>

#ifdef __cplusplus
extern "C" {
#endif

/** The ABI this header describes. */
#define NS_PLUGIN_ABI_VERSION 3
/** The oldest plugin ABI this host still loads. */
#define NS_PLUGIN_ABI_MIN 1
/** The entry symbol every plugin exports. */
#define NS_PLUGIN_ENTRY nsnap_plugin_entry
#define NS_PLUGIN_ENTRY_NAME "nsnap_plugin_entry"

#if defined(__GNUC__)
#define NS_PLUGIN_EXPORT __attribute__((visibility("default")))
#else
#define NS_PLUGIN_EXPORT
#endif

/** A stream the host reads for a plugin (a file, or a filter's output). */
typedef struct ns_istream ns_istream;
/** A stream the host writes for a plugin. */
typedef struct ns_ostream ns_ostream;

typedef enum ns_plugin_kind { NS_PLUGIN_FORMAT = 1, NS_PLUGIN_FILTER = 2 } ns_plugin_kind;

typedef enum ns_log_level { NS_LOG_ERROR = 0, NS_LOG_WARNING = 1, NS_LOG_INFO = 2 } ns_log_level;

/** What an import or export was asked for, passed to every callback. */
typedef struct ns_plugin_args {
	unsigned version;      /**< NS_PLUGIN_ABI_VERSION of the host */
	size_t struct_size;    /**< sizeof(ns_plugin_args) of the host */
	const char *path;      /**< the file, for messages */
	int level;             /**< filters: compression level; 0 for the default */
	int verbose;           /**< say more through host->log() */
	int global_only;       /**< parameter files: only global parameters */
	/** ABI 2: the user's options for the format, each "name=value" or
	 *  "name", NULL-terminated (never NULL). The host passes only names
	 *  the format's descriptor lists; read them with ns_host.option(). */
	const char *const *options;
} ns_plugin_args;

/** The host's functions, handed to init(). Valid until fini(). */
typedef struct ns_host {
	unsigned abi_version;  /**< NS_PLUGIN_ABI_VERSION of the host */
	size_t struct_size;    /**< sizeof(ns_host) of the host */

	void *(*alloc)(size_t size);
	void *(*realloc)(void *p, size_t size);
	void (*free)(void *p);
	/** Record an error message (printf-style) and return @p code. */
	int (*error)(int code, const char *fmt, ...);
	/** Say something to the user (shown when verbose, or always for errors
	 *  and warnings). */
	void (*log)(ns_log_level level, const char *fmt, ...);

	/** Read up to @p n bytes: the count read, 0 at the end, or a negative
	 *  error code (with its message recorded). */
	ptrdiff_t (*read)(ns_istream *in, void *buf, size_t n);
	/** Write all @p n bytes: NS_OK or a negative error code. */
	int (*write)(ns_ostream *out, const void *buf, size_t n);

	/* The functions of <nsnap/network.h>, as documented there. */
	int (*network_new)(ns_network **out, const char *name);
	void (*network_free)(ns_network *net);
	const char *(*network_name)(const ns_network *net);
	void (*network_set_time)(ns_network *net, double t_ms, uint64_t step);
	void (*network_time)(const ns_network *net, double *t_ms, uint64_t *step);
	void (*network_set_dt)(ns_network *net, double dt_ms);
	double (*network_dt)(const ns_network *net);
	int (*network_set_meta)(ns_network *net, const char *key, const char *string,
				double number);
	size_t (*network_meta_count)(const ns_network *net);
	int (*network_meta_at)(const char **key, const char **string, double *number,
			       const ns_network *net, size_t i);
	int (*population_add)(ns_object **out, ns_network *net, const char *name, uint64_t size,
			      const uint64_t *shape, unsigned ndim, const char *neuron_type);
	int (*projection_add)(ns_object **out, ns_network *net, const char *name,
			      const char *pre, const char *post, const char *target,
			      const char *synapse_type);
	int (*projection_set_synapses)(ns_object *proj, int32_t *pre, int32_t *post, uint64_t n,
				       unsigned flags);
	uint64_t (*projection_synapses)(const ns_object *proj);
	void (*projection_connectivity)(const int32_t **pre, const int32_t **post,
					const ns_object *proj);
	size_t (*network_object_count)(const ns_network *net);
	ns_object *(*network_object_at)(const ns_network *net, size_t i);
	ns_object *(*network_object_find)(const ns_network *net, const char *name);
	void (*object_get_info)(ns_object_info *out, const ns_object *obj);
	int (*attr_add)(ns_attr **out, ns_object *obj, const char *name, ns_attr_kind kind,
			ns_scope scope, ns_dtype dtype, void *data, unsigned flags);
	size_t (*object_attr_count)(const ns_object *obj);
	ns_attr *(*object_attr_at)(const ns_object *obj, size_t i);
	ns_attr *(*object_attr_find)(const ns_object *obj, const char *name);
	void (*attr_get_info)(ns_attr_info *out, const ns_attr *attr);
	int (*attr_data)(void **out, ns_attr *attr);
	int (*attr_read)(void *buf, ns_dtype dtype, ns_attr *attr);
	size_t (*dtype_size)(ns_dtype dtype);
	const char *(*dtype_name)(ns_dtype dtype);
	/** The message of the last error a host function recorded, to build
	 *  on it (never NULL). */
	const char *(*last_error)(void);
	/** ABI 2: the value of option @p name in @p args: the text after '='
	 *  ("" for a bare "name"), or NULL when it was not given. The last
	 *  of repeated options wins. */
	const char *(*option)(const ns_plugin_args *args, const char *name);
	/** ABI 3: the rest of the stream in one buffer (free it with host->free()),
	 *  followed by a NUL byte that @p size does not count, so that text
	 *  formats can parse it as a string. NS_OK, or a negative error code
	 *  with its message recorded (nothing to free then). */
	int (*read_all)(void **out, size_t *size, ns_istream *in);
	/** ABI 3: as ns_attr_kind_name() and ns_scope_name(). */
	const char *(*attr_kind_name)(ns_attr_kind kind);
	const char *(*scope_name)(ns_scope scope);
	/** ABI 3: as ns_attr_add_array() and the ns_network_attr_*()
	 *  functions (network-wide arrays; scope #NS_ARRAY). */
	int (*attr_add_array)(ns_attr **out, ns_object *obj, const char *name, ns_attr_kind kind,
			      ns_dtype dtype, uint64_t count, void *data, unsigned flags);
	int (*network_attr_add)(ns_attr **out, ns_network *net, const char *name,
				ns_attr_kind kind, ns_dtype dtype, uint64_t count, void *data,
				unsigned flags);
	size_t (*network_attr_count)(const ns_network *net);
	ns_attr *(*network_attr_at)(const ns_network *net, size_t i);
	ns_attr *(*network_attr_find)(const ns_network *net, const char *name);
} ns_host;

/** The callbacks of a format. */
typedef struct ns_format_ops {
	/** Read the whole stream into a new network (built with the host's
	 *  functions, its arrays owned: NS_ARRAY_COPY or data NULL). */
	int (*import_network)(ns_network **out, ns_istream *in, const ns_plugin_args *args);
	/** Write @p net (read it through the host's functions). */
	int (*export_network)(ns_ostream *out, const ns_network *net,
			      const ns_plugin_args *args);
} ns_format_ops;

/** The callbacks of a filter. Each opened reader or writer has its own
 *  state, which the plugin allocates and frees. */
typedef struct ns_filter_ops {
	int (*reader_open)(void **state, ns_istream *below, const ns_plugin_args *args);
	/** As ns_host.read, of the decoded bytes. Truncated or corrupt input:
	 *  a negative error code, never a crash. */
	ptrdiff_t (*read)(void *state, void *buf, size_t n);
	void (*reader_close)(void *state);
	int (*writer_open)(void **state, ns_ostream *below, const ns_plugin_args *args);
	int (*write)(void *state, const void *buf, size_t n);
	/** Write what is left (trailers) to the stream below. */
	int (*writer_finish)(void *state);
	void (*writer_close)(void *state);
} ns_filter_ops;

/** Flags of a format. */
enum {
	/** A parameter file (JSON): its import is applied onto a version with
	 *  ns_params_set() instead of making a whole network. The network it
	 *  builds holds global attributes only (one value each) and the
	 *  dictionary; its export gets a version's whole network. */
	NS_FORMAT_PARAMETERS = 1u << 0,
};

/** A plugin's descriptor; the plugin keeps it `static const`. */
typedef struct ns_plugin {
	unsigned abi_version;   /**< NS_PLUGIN_ABI_VERSION the plugin was built for */
	size_t struct_size;     /**< sizeof(ns_plugin) the plugin was built with */
	ns_plugin_kind kind;
	const char *name;       /**< unique: "pickle", "gzip" */
	const char *description;
	/** File name suffixes, with their dot, NULL-terminated: {".gz", NULL}. */
	const char *const *extensions;
	unsigned flags;         /**< formats: NS_FORMAT_PARAMETERS */
	/** Bits of @p head (its first @p n bytes) recognised; 0 for "not mine".
	 *  May be NULL (then only extensions choose it). */
	int (*probe)(const unsigned char *head, size_t n);
	/** Called once after loading; NULL for nothing to do. A failure makes
	 *  the host close the module again. */
	int (*init)(const ns_host *host);
	/** Called once before the module is closed; may be NULL. */
	void (*fini)(void);
	const ns_format_ops *format; /**< for NS_PLUGIN_FORMAT */
	const ns_filter_ops *filter; /**< for NS_PLUGIN_FILTER */
	/** ABI 2, formats: the names of the options import and export accept
	 *  (`nsnap export -o version=7.3`), NULL-terminated; NULL for none. The
	 *  host refuses any other option, naming these. */
	const char *const *options;
} ns_plugin;

/** The type of the entry symbol. */
typedef const ns_plugin *(*ns_plugin_entry_fn)(void);

/** The entry every plugin defines (declared here, so that a plugin's
 *  definition has its prototype). */
NS_PLUGIN_EXPORT const ns_plugin *nsnap_plugin_entry(void);

#ifdef __cplusplus
}
#endif
#endif
