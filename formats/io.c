/* SPDX-License-Identifier: MIT */
/* Import (a file -> a new version) and export (a version -> a file). */
#include "internal.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "engine.h"

#define MAX_FILTERS 4
#define PROBE_BYTES 512

static const char *const no_options[] = { NULL };

/* Formats nsnap knows by their first bytes, and the plugin that reads
 * them (NULL: none does). */
static const struct {
	const char *magic;
	size_t len;
	const char *plugin;
	ns_plugin_kind kind;
	const char *what;
} known[] = {
	{ "PK\3\4", 4, "npz", NS_PLUGIN_FORMAT, "a zip archive (NumPy's .npz, as ANNarchy's "
						   "savez_compressed writes)" },
	{ "PK\5\6", 4, "npz", NS_PLUGIN_FORMAT, "an empty zip archive (NumPy's .npz)" },
	{ "BZh", 3, NULL, 0, "bzip2-compressed; decompress it first, or use .gz or .zst" },
	{ "\xfd" "7zXZ", 5, NULL, 0, "xz-compressed; decompress it first, or use .gz or .zst" },
	{ "\x89HDF\r\n\x1a\n", 8, "mat", NS_PLUGIN_FORMAT, "an HDF5 file (MATLAB v7.3)" },
	{ "MATLAB 5.0 MAT-file", 19, "mat", NS_PLUGIN_FORMAT, "a MATLAB v5 file" },
	{ "\x80", 1, "pickle", NS_PLUGIN_FORMAT, "a Python pickle" },
	{ "\x1f\x8b", 2, "gzip", NS_PLUGIN_FILTER, "gzip-compressed" },
	{ "\x28\xb5\x2f\xfd", 4, "zstd", NS_PLUGIN_FILTER, "zstd-compressed" },
};

/* Whether @head starts as entry @i of known[]. */
static int looks_known(size_t i, const unsigned char *head, size_t n)
{
	return n >= known[i].len && memcmp(head, known[i].magic, known[i].len) == 0;
}

static int describe_unknown(const ns_plugins *ps, const char *path, const unsigned char *head,
			    size_t n)
{
	char hex[3 * 8 + 1] = "";
	for (size_t i = 0; i < sizeof known / sizeof known[0]; i++) {
		if (!looks_known(i, head, n))
			continue;
		if (!known[i].plugin)
			return ns_err(NS_EUNSUPPORTED, "file '%s': %s", path, known[i].what);
		if (!ns__plugins_find(ps, known[i].plugin, known[i].kind))
			return ns_err(NS_EUNSUPPORTED, "file '%s': %s, and the %s plugin is not "
				      "loaded", path, known[i].what, known[i].plugin);
		return ns_err(NS_EFORMAT, "file '%s': it starts as %s, but the %s plugin does "
			      "not recognise it: too short or damaged", path, known[i].what,
			      known[i].plugin);
	}
	for (size_t i = 0; i < n && i < 8; i++)
		snprintf(hex + 3 * i, sizeof hex - 3 * i, "%02x ", head[i]);
	return ns_err(NS_EFORMAT, "file '%s': no plugin reads it (it starts with %s%s)", path,
		      n ? hex : "nothing: it is empty", n > 8 ? "..." : "");
}

/* The last suffix of @name from @end back (".gz"), into @ext. */
static int last_suffix(char *ext, size_t size, const char *name, size_t end)
{
	const char *base = strrchr(name, '/');
	size_t start = base ? (size_t)(base - name) + 1 : 0;
	for (size_t i = end; i-- > start;)
		if (name[i] == '.') {
			if (end - i >= size || i == start)
				return 0;
			memcpy(ext, name + i, end - i);
			ext[end - i] = '\0';
			return 1;
		}
	return 0;
}

/* Extensions that name a format, whose files must never silently become
 * pickles when its plugin is missing. */
static const struct {
	const char *ext, *plugin, *what;
} reserved[] = {
	{ ".mat", "mat", "a MATLAB file" },
	{ ".json", "json", "a parameter file" },
	{ ".nsnt", "text", "an nsnap text file" },
	{ ".npz", "npz", "NumPy's .npz" },
};

/* Filters from the end of the name (outermost first), then the format, as
 * ANNarchy chooses: its own extension, or a pickle. */
static int choose_by_name(const ns_plugin **filters, size_t *n_filters, const ns_plugin **fmt,
			  const ns_plugins *ps, const char *path, const char *format)
{
	char ext[64] = "";
	size_t end = strlen(path);
	const ns_plugin *f;

	*n_filters = 0;
	while (*n_filters < MAX_FILTERS && last_suffix(ext, sizeof ext, path, end) &&
	       (f = ns__plugins_by_ext(ps, ext, NS_PLUGIN_FILTER))) {
		filters[(*n_filters)++] = f;
		end -= strlen(ext);
	}
	if (format) {
		if (!(*fmt = ns__plugins_find(ps, format, NS_PLUGIN_FORMAT)))
			return ns_err(NS_ENOTFOUND, "file '%s': no format plugin '%s' is loaded",
				      path, format);
		return NS_OK;
	}
	*fmt = last_suffix(ext, sizeof ext, path, end) ?
		ns__plugins_by_ext(ps, ext, NS_PLUGIN_FORMAT) : NULL;
	for (size_t i = 0; !*fmt && ext[0] && i < sizeof reserved / sizeof reserved[0]; i++)
		if (strcasecmp(ext, reserved[i].ext) == 0)
			return reserved[i].plugin
				       ? ns_err(NS_ENOTFOUND, "file '%s': %s, and the %s plugin "
						"is not loaded", path, reserved[i].what,
						reserved[i].plugin)
				       : ns_err(NS_EUNSUPPORTED, "file '%s': %s", path,
						reserved[i].what);
	if (!*fmt && !(*fmt = ns__plugins_find(ps, "pickle", NS_PLUGIN_FORMAT)))
		return ns_err(NS_ENOTFOUND, "file '%s': no format plugin for its name, and the "
			      "default one, pickle, is not loaded", path);
	return NS_OK;
}

/* ---------------------------------------------------------------- import */

/* Stack the filters whose probes recognise the stream, then choose the
 * format: the best probe, else the name. */
static int open_import(ns_istream **in, const ns_plugin **fmt, const ns_plugins *ps,
		       const char *path, const ns_import_opts *o, const ns_plugin_args *args)
{
	const ns_plugin *filters[MAX_FILTERS], *f;
	const unsigned char *head;
	size_t n, n_filters;
	int rc, stacked = 0;

	for (;;) {
		if ((rc = ns__istream_peek(*in, &head, &n, PROBE_BYTES)) < 0)
			return rc;
		if (stacked == MAX_FILTERS || !(f = ns__plugins_probe(ps, head, n, NS_PLUGIN_FILTER)))
			break;
		if ((rc = ns__istream_filter(in, f, args)) < 0)
			return rc;
		stacked++;
	}
	if (o->format || !(*fmt = ns__plugins_probe(ps, head, n, NS_PLUGIN_FORMAT))) {
		if ((rc = choose_by_name(filters, &n_filters, fmt, ps, path, o->format)) < 0) {
			/* What the bytes are says more than what the name is. */
			for (size_t i = 0; !o->format && i < sizeof known / sizeof known[0]; i++)
				if (looks_known(i, head, n))
					return describe_unknown(ps, path, head, n);
			if (!o->format && !ns__plugins_find(ps, "pickle", NS_PLUGIN_FORMAT))
				return describe_unknown(ps, path, head, n);
			return rc;
		}
		/* Chosen by name, but its probe does not know these bytes. */
		if (!o->format && (*fmt)->probe && !(*fmt)->probe(head, n))
			return describe_unknown(ps, path, head, n);
	}
	return NS_OK;
}

/* A parameter file's network: its global values, applied onto a version. */
static int apply_parameters(uint64_t *out, ns_store *store, const ns_network *net,
			    const char *path, const ns_import_opts *o)
{
	ns_params_opts po = NS_PARAMS_OPTS_INIT;
	ns_param *params = NULL;
	ns_param_result *res = NULL;
	size_t n = 0, cap = 0;
	double value;
	int rc = NS_OK;

	/* Each object's parameters, then the network's own (its constants,
	 * object ""). */
	for (size_t i = 0; i <= ns_network_object_count(net); i++) {
		ns_object *obj = ns_network_object_at(net, i);
		ns_object_info oi = { .name = "" };
		size_t n_attrs = obj ? ns_object_attr_count(obj) : ns_network_attr_count(net);
		ns_object_get_info(obj ? &oi : NULL, obj);
		for (size_t a = 0; a < n_attrs; a++) {
			ns_attr *at = obj ? ns_object_attr_at(obj, a) : ns_network_attr_at(net, a);
			ns_attr_info ai;
			ns_attr_get_info(&ai, at);
			if ((rc = ns__grow_array(&params, &cap, n, sizeof *params)) < 0 ||
			    (rc = ns_attr_read(&value, NS_DTYPE_F64, at)) < 0)
				goto done;
			params[n].object = oi.name;
			params[n].name = ai.name;
			params[n].value = value;
			n++;
		}
	}
	if (!(res = calloc(n + 1, sizeof *res))) {
		rc = ns_err(NS_ENOMEM, "out of memory");
		goto done;
	}
	po.global_only = o->global_only;
	po.message = o->message;
	po.branch = o->branch;
	/* A file without a dictionary leaves the version's as it was. */
	po.dictionary = ns_network_meta_count(net) ? net : NULL;
	NS_TRY(ns_params_set(out, res, store, o->onto ? o->onto : "HEAD", params, n, &po));
	for (size_t i = 0; o->verbose && i < n; i++) {
		char old[32], new[32];
		const char *obj = *params[i].object ? params[i].object : "constants";
		if (res[i].applied)
			ns__host_table.log(NS_LOG_INFO, "%s: %s.%s: %s -> %s", path, obj,
				       params[i].name, ns__shortest_double(old, res[i].old_value),
				       ns__shortest_double(new, params[i].value));
		else
			ns__host_table.log(NS_LOG_INFO, "%s: %s.%s skipped: %s", path, obj,
				       params[i].name, res[i].reason);
	}
done:
	free(params);
	free(res);
	return rc;
}

static int drain(ns_istream *in)
{
	char buf[65536];
	ptrdiff_t got;
	while ((got = ns__istream_read(in, buf, sizeof buf)) > 0)
		;
	return got < 0 ? (int)got : NS_OK;
}

int ns_import(uint64_t *out, ns_plugins *ps, ns_store *store, const char *path,
	      const ns_import_opts *opts)
{
	ns_import_opts defaults = NS_IMPORT_OPTS_INIT;
	const ns_import_opts *o = opts ? opts : &defaults;
	ns_plugin_args args = { NS_PLUGIN_ABI_VERSION, sizeof args, path, 0, o->verbose,
				o->global_only, o->options ? o->options : no_options };
	ns_snapshot_opts so = NS_SNAPSHOT_OPTS_INIT;
	const ns_plugin *fmt = NULL;
	ns_network *net = NULL;
	ns_istream *in = NULL;
	char *copy = NULL;
	FILE *f;
	int rc;

	if ((rc = ns__opts_check(o->version, NS_IMPORT_OPTS_VERSION, "import")) < 0)
		return rc;
	if (!(f = fopen(path, "rb")))
		return ns_err_errno(errno, "file '%s'", path);
	if (!(in = ns__istream_file(f, path))) {
		rc = NS_ENOMEM;
		goto done;
	}
	NS_TRY(open_import(&in, &fmt, ps, path, o, &args));
	NS_TRY(ns__options_check(fmt, o->options));
	ns__host_enter(o->verbose);
	if ((rc = ns__host_result(fmt->format->import_network(&net, in, &args), fmt, "import")) < 0) {
		/* What the engine refused (a name, a size) names the file too. */
		if (!strstr(ns_error_last()->message, path))
			ns_err_wrap(rc, "file '%s'", path);
		goto done;
	}
	if (!net) {
		rc = ns_err(NS_EPLUGIN, "plugin '%s' import of '%s' returned no network",
			    fmt->name, path);
		goto done;
	}
	/* Read to the end: the filters check their trailers (CRC, checksum)
	 * only there, and a format may stop at its own end mark. */
	NS_TRY(drain(in));
	if (fmt->flags & NS_FORMAT_PARAMETERS) {
		rc = apply_parameters(out, store, net, path, o);
		goto done;
	}
	if (!(copy = strdup(path))) {
		rc = ns_err(NS_ENOMEM, "out of memory");
		goto done;
	}
	so.message = o->message ? o->message : basename(copy);
	so.branch = o->branch;
	so.tag = o->tag;
	rc = ns_snapshot(out, store, net, &so);
done:
	ns_network_free(net);
	ns__istream_close(in);
	fclose(f);
	free(copy);
	return rc;
}

/* ---------------------------------------------------------------- export */

/* What a path that is not a regular file names, for messages. */
static const char *file_kind(mode_t m)
{
	return S_ISLNK(m) ? "a symbolic link" : S_ISDIR(m) ? "a directory"
	       : S_ISFIFO(m) ? "a FIFO" : S_ISCHR(m) ? "a character device"
	       : S_ISBLK(m) ? "a block device" : S_ISSOCK(m) ? "a socket" : "of another kind";
}

static int refuse_to_replace(const char *path, mode_t m)
{
	return ns_err(NS_EINVAL, "file '%s': not a regular file (%s): refusing to replace it",
		      path, file_kind(m));
}

/* Whether @path may become the export: it does not exist, or it is a
 * regular file and @overwrite (then *old is its status and *exists 1).
 * Renaming over a FIFO, a device, a folder's entry or a symbolic link would
 * put a regular file where something else was: only regular files are
 * replaced. */
static int check_target(struct stat *old, int *exists, const char *path, int overwrite)
{
	*exists = 0;
	if (lstat(path, old) != 0)
		return errno == ENOENT ? NS_OK : ns_err_errno(errno, "file '%s'", path);
	*exists = 1;
	if (!overwrite)
		return ns_err(NS_EEXISTS, "file '%s' exists (export with overwrite to replace it)",
			      path);
	return S_ISREG(old->st_mode) ? NS_OK : refuse_to_replace(path, old->st_mode);
}

/* The new file takes the mode of the file it replaces, and its owner and
 * group where this process may give them (root; a member of the group). */
static int take_mode(int fd, const char *path, const struct stat *old)
{
	struct stat st;
	if (fstat(fd, &st) != 0)
		return ns_err_errno(errno, "file '%s': the temporary file beside it", path);
	if ((st.st_uid != old->st_uid || st.st_gid != old->st_gid) &&
	    fchown(fd, old->st_uid, old->st_gid) != 0 && fchown(fd, (uid_t)-1, old->st_gid) != 0) {
		/* Not ours to give: the new file stays ours. */
	}
	if (fchmod(fd, old->st_mode & 0777) != 0)
		return ns_err_errno(errno, "file '%s': giving the new file the mode %03o of the "
				    "old one", path, (unsigned)(old->st_mode & 0777));
	return NS_OK;
}

/* The temporary file "<path>.tmpXXXXXX" beside @path; *tmp is malloc'd.
 * A new export is created as open(2) creates any file: 0666 less the umask
 * (or as the folder's default ACL says). One that replaces the file @old
 * starts as 0600 and takes @old's mode: never more readable than the file
 * it becomes. (mkstemp() would make every export 0600.) */
static FILE *create_beside(char **tmp, const char *path, const struct stat *old)
{
	static const char digits[] = "abcdefghijklmnopqrstuvwxyz"
				     "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
	size_t len = strlen(path), n = len + 16;
	struct timespec ts;
	uint64_t x;
	FILE *f = NULL;
	int fd = -1, err = 0;

	if (!(*tmp = malloc(n))) {
		ns_err(NS_ENOMEM, "out of memory");
		return NULL;
	}
	clock_gettime(CLOCK_REALTIME, &ts);
	x = (uint64_t)ts.tv_nsec ^ ((uint64_t)ts.tv_sec << 30) ^ ((uint64_t)getpid() << 12) ^
	    (uint64_t)(uintptr_t)&ts;
	/* O_EXCL makes the name ours; another one on a collision. */
	for (int attempt = 0; fd < 0 && attempt < 100; attempt++) {
		snprintf(*tmp, n, "%s.tmpXXXXXX", path);
		for (size_t i = len + 4; i < len + 10; i++) {
			x = x * 6364136223846793005u + 1442695040888963407u;
			(*tmp)[i] = digits[(x >> 33) % (sizeof digits - 1)];
		}
		fd = open(*tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, old ? 0600 : 0666);
		if (fd < 0 && (err = errno) != EEXIST)
			break;
	}
	if (fd < 0)
		ns_err_errno(err, "file '%s': creating a temporary file beside it", path);
	else if ((!old || take_mode(fd, path, old) == NS_OK) && !(f = fdopen(fd, "wb")))
		ns_err_errno(errno, "file '%s': creating a temporary file beside it", path);
	if (!f) {
		if (fd >= 0) {
			close(fd);
			unlink(*tmp);
		}
		free(*tmp);
		*tmp = NULL;
	}
	return f;
}

/* Flush, sync and close @f, then give it its name. */
static int publish(FILE *f, const char *tmp, const char *path, int overwrite)
{
	struct stat st;
	int rc = NS_OK;
	if (fflush(f) != 0 || fsync(fileno(f)) != 0)
		rc = ns_err_errno(errno, "file '%s': writing", path);
	if (fclose(f) != 0 && rc == NS_OK)
		rc = ns_err_errno(errno, "file '%s': writing", path);
	/* What appeared at @path while the export ran is checked again. */
	if (rc == NS_OK && overwrite && lstat(path, &st) == 0 && !S_ISREG(st.st_mode))
		rc = refuse_to_replace(path, st.st_mode);
	if (rc == NS_OK && overwrite && rename(tmp, path) != 0)
		rc = ns_err_errno(errno, "file '%s': renaming '%s' to it", path, tmp);
	/* link() never replaces a file that appeared meanwhile. */
	if (rc == NS_OK && !overwrite && link(tmp, path) != 0)
		rc = errno == EEXIST ? ns_err(NS_EEXISTS, "file '%s' exists", path)
				     : ns_err_errno(errno, "file '%s': naming it", path);
	if (!overwrite || rc < 0)
		unlink(tmp);
	return rc;
}

int ns_export(ns_plugins *ps, ns_store *store, const char *rev, const char *path,
	      const ns_export_opts *opts)
{
	ns_export_opts defaults = NS_EXPORT_OPTS_INIT;
	const ns_export_opts *o = opts ? opts : &defaults;
	ns_plugin_args args = { NS_PLUGIN_ABI_VERSION, sizeof args, path, o->level, o->verbose,
				1, o->options ? o->options : no_options };
	const ns_plugin *filters[MAX_FILTERS], *fmt;
	size_t n_filters;
	ns_network *net = NULL;
	ns_ostream *out = NULL;
	struct stat old;
	char *tmp = NULL;
	FILE *f = NULL;
	int rc, exists;

	if ((rc = ns__opts_check(o->version, NS_EXPORT_OPTS_VERSION, "export")) < 0)
		return rc;
	if ((rc = check_target(&old, &exists, path, o->overwrite)) < 0)
		return rc;
	NS_TRY(choose_by_name(filters, &n_filters, &fmt, ps, path, o->format));
	NS_TRY(ns__options_check(fmt, o->options));
	NS_TRY(ns__network_open_selected(&net, store, rev, &o->select));
	if (!(f = create_beside(&tmp, path, exists ? &old : NULL))) {
		rc = ns_error_last()->code;
		goto done;
	}
	if (!(out = ns__ostream_file(f, path))) {
		rc = NS_ENOMEM;
		goto done;
	}
	/* The filter nearest the file is the last suffix. */
	for (size_t i = n_filters; i-- > 0;)
		NS_TRY(ns__ostream_filter(&out, filters[i], &args));
	ns__host_enter(o->verbose);
	NS_TRY(ns__host_result(fmt->format->export_network(out, net, &args), fmt, "export"));
	NS_TRY(ns__ostream_finish(out));
	ns__ostream_close(out);
	out = NULL;
	rc = publish(f, tmp, path, o->overwrite);
	f = NULL;
done:
	ns__ostream_close(out);
	if (f) {
		fclose(f);
		unlink(tmp);
	}
	free(tmp);
	ns_network_free(net);
	return rc;
}
