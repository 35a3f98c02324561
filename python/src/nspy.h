/* SPDX-License-Identifier: MIT */
/* The nsnap._nsnap extension: what its files share. Private. */
#ifndef NSPY_H
#define NSPY_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>

#define NPY_NO_DEPRECATED_API NPY_1_7_API_VERSION
#define PY_ARRAY_UNIQUE_SYMBOL nspy_ARRAY_API
#ifndef NSPY_MODULE_C
#define NO_IMPORT_ARRAY
#endif
#include <numpy/arrayobject.h>

#include <nsnap/nsnap.h>

/* ------------------------------------------------------------ errors.c */

/* Raise the exception of @p rc with the calling thread's last nsnap
 * message (read at once: it is per thread and the next call replaces it).
 * Returns NULL, to be returned. */
PyObject *nspy_raise(int rc);
/* Raise the exception of @p code with a message of our own. */
PyObject *nspy_raise_msg(int code, const char *fmt, ...);
int nspy_errors_init(PyObject *module);

/* ------------------------------------------------------------ module.c */

/* A NULL-terminated array of UTF-8 strings from None, a str or an
 * iterable of str, for the `only` and `options` arguments. */
struct nspy_strv {
	const char **v; /* NULL when the argument was None */
	PyObject *keep; /* the bytes objects the strings point into */
};
int nspy_strv_from(struct nspy_strv *out, PyObject *obj, const char *what);
/* options: None, a dict {name: value} (True/None for a bare name) or an
 * iterable of "name=value" strings. */
int nspy_options_from(struct nspy_strv *out, PyObject *obj);
void nspy_strv_free(struct nspy_strv *s);
/* A revision: an int (a version number) or a str, as text into @p buf. */
int nspy_rev(const char **out, char *buf, size_t size, PyObject *rev);
/* The numpy type of an nsnap element type, or -1. */
int nspy_npy_type(ns_dtype dtype);
/* A timezone-aware UTC datetime of @p ns nanoseconds since 1970. */
PyObject *nspy_datetime(int64_t ns);
/* An iterator over @items (a new reference, consumed; NULL passes on). */
PyObject *nspy_iter_of(PyObject *items);
/* The plugins, loaded on first use (with NSNAP_PLUGIN_PATH). */
ns_plugins *nspy_plugins(void);

/* ----------------------------------------------------- network.c, node.c */

typedef struct {
	PyObject_HEAD
	ns_network *net;
	PyObject *bound;  /* dict: (object, attr) -> the bound array */
	int busy;         /* snapshots/restores running with the GIL released */
} nspy_network;

extern PyTypeObject nspy_network_type;
int nspy_network_init_types(PyObject *module);
/* Refuse to change a network that a snapshot or restore is reading. */
int nspy_network_idle(nspy_network *n);
typedef struct {
	PyObject_HEAD
	nspy_network *net; /* a strong reference: obj lives as long as it */
	ns_object *obj;
} nspy_node;

/* The Population or Projection object of @p obj of @p net. */
PyObject *nspy_node_new(nspy_network *net, ns_object *obj);
extern PyTypeObject nspy_population_type, nspy_projection_type;
/* @p obj as an array nsnap may bind (a C-contiguous, aligned, writeable
 * numpy array of a dtype nsnap has), its type into @p dtype; else NULL
 * with TypeError or ValueError naming the attribute. */
PyArrayObject *nspy_bindable(PyObject *obj, const char *owner_kind, const char *owner,
			     const char *name, int *dtype);
/* "parameter" or "variable" as an ns_attr_kind; -1 with ValueError. */
int nspy_parse_kind(const char *s);

/* ------------------------------------------------------------- store.c */

/* One ns_store per store file in this process (an LMDB rule), shared by
 * the Store objects that open it. */
struct nspy_handle;

typedef struct {
	PyObject_HEAD
	struct nspy_handle *h; /* NULL once closed */
	PyObject *path;
	int readonly;
	int busy;              /* calls running with the GIL released */
	int versions;          /* open Version objects (which hold a reference) */
	int closing;           /* closed by the user; the handle goes with the last version */
} nspy_store;

extern PyTypeObject nspy_store_type;
int nspy_store_init_types(PyObject *module);
/* The store's handle, or NULL with ValueError once it is closed (or, with
 * @p write, ReadOnlyError for a read-only Store). */
ns_store *nspy_store_get(nspy_store *s, int write);

/* -------------------------------------------------------------- ops.c */

/* Store methods that run with the GIL released. */
PyObject *nspy_store_snapshot(PyObject *self, PyObject *args, PyObject *kw);
PyObject *nspy_store_restore(PyObject *self, PyObject *args, PyObject *kw);
PyObject *nspy_store_diff(PyObject *self, PyObject *args, PyObject *kw);
PyObject *nspy_store_export(PyObject *self, PyObject *args, PyObject *kw);
PyObject *nspy_store_import(PyObject *self, PyObject *args, PyObject *kw);
PyObject *nspy_store_verify(PyObject *self, PyObject *unused);
PyObject *nspy_store_gc(PyObject *self, PyObject *unused);
int nspy_ops_init_types(PyObject *module);

/* -------------------------------------------------------------- job.c */

/* A SnapshotJob for @job of @store (whose busy count it keeps raised
 * until waited for). */
PyObject *nspy_job_new(nspy_store *store, ns_snapshot_job *job);
int nspy_job_init_types(PyObject *module);
/* A Version of @p s is fully closed: close the store if it was closing. */
void nspy_store_version_gone(nspy_store *s);

/* ----------------------------------------------------------- version.c */

int nspy_version_init_types(PyObject *module);
/* Open revision @p rev of @p store as a Version. */
PyObject *nspy_version_open(nspy_store *store, const char *rev);

#endif
