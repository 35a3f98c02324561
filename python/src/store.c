/* SPDX-License-Identifier: MIT */
/* nsnap.Store: one store file, its versions, refs and upkeep. The long
 * operations (snapshot, restore, diff, export, import, verify, gc) are in
 * ops.c. */
#include "nspy.h"

#include <string.h>
#include <sys/stat.h>

/* LMDB allows one environment per file and process: Store objects of the
 * same file share one ns_store, closed with the last of them. Guarded by
 * the GIL. */
struct nspy_handle {
	ns_store *store;
	dev_t dev;
	ino_t ino;
	int readonly;
	int track; /* as asked: track_writes */
	int refs;
	struct nspy_handle *next;
};

static struct nspy_handle *handles;

static void handle_release(struct nspy_handle *h)
{
	struct nspy_handle **p;

	if (!h || --h->refs > 0)
		return;
	for (p = &handles; *p; p = &(*p)->next)
		if (*p == h) {
			*p = h->next;
			break;
		}
	ns_store_close(h->store);
	PyMem_Free(h);
}

static struct nspy_handle *handle_find(const char *path)
{
	struct stat st;

	if (stat(path, &st) != 0)
		return NULL;
	for (struct nspy_handle *h = handles; h; h = h->next)
		if (h->dev == st.st_dev && h->ino == st.st_ino)
			return h;
	return NULL;
}

ns_store *nspy_store_get(nspy_store *s, int write)
{
	if (!s->h || s->closing) {
		PyErr_Format(PyExc_ValueError, "store %R is closed", s->path);
		return NULL;
	}
	if (write && s->readonly) {
		nspy_raise_msg(NS_EREADONLY, "store '%s' was opened read-only",
			       ns_store_path(s->h->store));
		return NULL;
	}
	return s->h->store;
}

static void store_release(nspy_store *s)
{
	handle_release(s->h);
	s->h = NULL;
}

void nspy_store_version_gone(nspy_store *s)
{
	if (--s->versions == 0 && s->closing)
		store_release(s);
}

/* -------------------------------------------------------------- open */

static PyObject *store_new(PyTypeObject *type, PyObject *args, PyObject *kw)
{
	static char *kwlist[] = { "path",  "create",	   "readonly", "chunk_size",
				  "codec", "track_writes", NULL };
	PyObject *path_b = NULL, *chunk_o = Py_None;
	int create = 0, readonly = 0, track = 0, rc;
	const char *codec = NULL, *path;
	ns_store_opts opts;
	struct nspy_handle *h;
	nspy_store *s = NULL;
	struct stat st;

	if (!PyArg_ParseTupleAndKeywords(args, kw, "O&|ppOzp:Store", kwlist, PyUnicode_FSConverter,
					 &path_b, &create, &readonly, &chunk_o, &codec, &track))
		return NULL;
	path = PyBytes_AS_STRING(path_b);
	ns_store_opts_init(&opts, NS_STORE_OPTS_VERSION);
	opts.flags = (create ? NS_STORE_CREATE : 0) | (readonly ? NS_STORE_RDONLY : 0) |
		     (track ? NS_STORE_TRACK_WRITES : 0);
	if (chunk_o != Py_None) {
		unsigned long long c = PyLong_AsUnsignedLongLong(chunk_o);
		if (c == (unsigned long long)-1 && PyErr_Occurred())
			goto fail;
		opts.chunk_size = (size_t)c;
	}
	if (codec && strcmp(codec, "raw") == 0) {
		opts.codec = NS_CODEC_RAW;
	} else if (codec && strcmp(codec, "zstd") == 0) {
		opts.codec = NS_CODEC_ZSTD;
	} else if (codec) {
		PyErr_Format(PyExc_ValueError, "store '%s': codec '%s': expected 'raw' or 'zstd'",
			     path, codec);
		goto fail;
	}
	if (!(s = (nspy_store *)type->tp_alloc(type, 0)) ||
	    !(s->path = PyUnicode_DecodeFSDefault(path)))
		goto fail;
	s->readonly = readonly;
	if ((h = handle_find(path))) {
		if (h->readonly && !readonly) {
			nspy_raise_msg(NS_EBUSY, "store '%s' is open read-only in this process "
				       "(by another nsnap.Store): close that one first", path);
			goto fail;
		}
		if (h->track != track) {
			nspy_raise_msg(NS_EBUSY, "store '%s' is open in this process with "
				       "track_writes=%s (by another nsnap.Store): close that one "
				       "first", path, h->track ? "True" : "False");
			goto fail;
		}
		h->refs++;
		s->h = h;
		Py_DECREF(path_b);
		return (PyObject *)s;
	}
	if (!(h = PyMem_Calloc(1, sizeof *h))) {
		PyErr_NoMemory();
		goto fail;
	}
	if ((rc = ns_store_open(&h->store, path, &opts)) != NS_OK) {
		PyMem_Free(h);
		nspy_raise(rc);
		goto fail;
	}
	if (stat(path, &st) == 0) {
		h->dev = st.st_dev;
		h->ino = st.st_ino;
	}
	h->readonly = readonly;
	h->track = track;
	h->refs = 1;
	h->next = handles;
	handles = h;
	s->h = h;
	Py_DECREF(path_b);
	return (PyObject *)s;
fail:
	Py_XDECREF(s);
	Py_XDECREF(path_b);
	return NULL;
}

static void store_dealloc(PyObject *self)
{
	nspy_store *s = (nspy_store *)self;

	/* Versions hold a reference: none is left. */
	store_release(s);
	Py_XDECREF(s->path);
	Py_TYPE(self)->tp_free(self);
}

static PyObject *store_close(PyObject *self, PyObject *unused)
{
	nspy_store *s = (nspy_store *)self;

	(void)unused;
	if (s->busy)
		return nspy_raise_msg(NS_EBUSY, "store '%s': an operation is running in another "
				      "thread", ns_store_path(s->h->store));
	if (!s->closing) {
		s->closing = 1;
		if (s->versions == 0)
			store_release(s);
	}
	Py_RETURN_NONE;
}

static PyObject *store_enter(PyObject *self, PyObject *unused)
{
	(void)unused;
	if (!nspy_store_get((nspy_store *)self, 0))
		return NULL;
	return Py_NewRef(self);
}

static PyObject *store_exit(PyObject *self, PyObject *args)
{
	PyObject *r;

	(void)args;
	if (!(r = store_close(self, NULL)))
		return NULL;
	Py_DECREF(r);
	Py_RETURN_FALSE;
}

static PyObject *store_get(PyObject *self, void *what)
{
	nspy_store *s = (nspy_store *)self;

	if (strcmp(what, "path") == 0)
		return Py_NewRef(s->path);
	if (strcmp(what, "closed") == 0)
		return PyBool_FromLong(!s->h || s->closing);
	if (strcmp(what, "tracking") == 0)
		return PyBool_FromLong(s->h && !s->closing && ns_store_tracking(s->h->store));
	return PyBool_FromLong(s->readonly);
}

/* ------------------------------------------------------ revisions, refs */

static PyObject *store_resolve(PyObject *self, PyObject *arg)
{
	ns_store *st = nspy_store_get((nspy_store *)self, 0);
	const char *rev;
	char buf[32];
	uint64_t n;
	int rc;

	if (!st || nspy_rev(&rev, buf, sizeof buf, arg) < 0)
		return NULL;
	if ((rc = ns_store_resolve(&n, st, rev)) != NS_OK)
		return nspy_raise(rc);
	return PyLong_FromUnsignedLongLong(n);
}

static PyObject *store_open(PyObject *self, PyObject *arg)
{
	const char *rev;
	char buf[32];

	if (!nspy_store_get((nspy_store *)self, 0) || nspy_rev(&rev, buf, sizeof buf, arg) < 0)
		return NULL;
	return nspy_version_open((nspy_store *)self, rev);
}

static PyObject *store_tag(PyObject *self, PyObject *args, PyObject *kw)
{
	static char *kwlist[] = { "name", "rev", NULL };
	ns_store *st = nspy_store_get((nspy_store *)self, 1);
	PyObject *rev_o = NULL;
	const char *name, *rev = "HEAD";
	char buf[32];
	int rc;

	if (!st || !PyArg_ParseTupleAndKeywords(args, kw, "s|O:tag", kwlist, &name, &rev_o) ||
	    (rev_o && nspy_rev(&rev, buf, sizeof buf, rev_o) < 0))
		return NULL;
	if ((rc = ns_tag_create(st, name, rev)) != NS_OK)
		return nspy_raise(rc);
	Py_RETURN_NONE;
}

static PyObject *store_branch(PyObject *self, PyObject *args, PyObject *kw)
{
	static char *kwlist[] = { "name", "rev", "force", NULL };
	ns_store *st = nspy_store_get((nspy_store *)self, 1);
	PyObject *rev_o = NULL;
	const char *name, *rev = "HEAD";
	char buf[32];
	int force = 0, rc;

	if (!st || !PyArg_ParseTupleAndKeywords(args, kw, "s|Op:branch", kwlist, &name, &rev_o,
						 &force) ||
	    (rev_o && nspy_rev(&rev, buf, sizeof buf, rev_o) < 0))
		return NULL;
	if ((rc = ns_branch_create(st, name, rev, force)) != NS_OK)
		return nspy_raise(rc);
	Py_RETURN_NONE;
}

/* untag, switch, delete_branch: one name. */
static PyObject *name_op(PyObject *self, PyObject *arg, int (*fn)(ns_store *, const char *))
{
	ns_store *st = nspy_store_get((nspy_store *)self, 1);
	const char *name;
	int rc;

	if (!st)
		return NULL;
	if (!PyUnicode_Check(arg)) {
		PyErr_Format(PyExc_TypeError, "expected a name (str), got %.100s", Py_TYPE(arg)->tp_name);
		return NULL;
	}
	if (!(name = PyUnicode_AsUTF8(arg)))
		return NULL;
	if ((rc = fn(st, name)) != NS_OK)
		return nspy_raise(rc);
	Py_RETURN_NONE;
}

static PyObject *store_untag(PyObject *self, PyObject *arg)
{
	return name_op(self, arg, ns_tag_delete);
}

static PyObject *store_switch(PyObject *self, PyObject *arg)
{
	return name_op(self, arg, ns_branch_checkout);
}

static PyObject *store_delete_branch(PyObject *self, PyObject *arg)
{
	return name_op(self, arg, ns_branch_delete);
}

/* ----------------------------------------------------------------- log */

struct log_ctx {
	PyObject *list, *refs; /* refs: number -> [tags, branches] */
	long limit;
	uint64_t head; /* the version HEAD is at; 0 for none */
};

static int ref_cb(const ns_ref *ref, void *p)
{
	struct log_ctx *c = p;
	PyObject *key = PyLong_FromUnsignedLongLong(ref->version), *pair, *name;
	int rc = 1;

	if (!key)
		return 1;
	if (!(pair = PyDict_GetItemWithError(c->refs, key))) {
		if (PyErr_Occurred() || !(pair = Py_BuildValue("[[][]]")) ||
		    PyDict_SetItem(c->refs, key, pair) < 0) {
			Py_XDECREF(pair);
			goto done;
		}
		Py_DECREF(pair);
	}
	if (ref->kind == NS_REF_BRANCH && ref->is_head)
		c->head = ref->version;
	if (!(name = PyUnicode_FromString(ref->name)))
		goto done;
	if (PyList_Append(PyList_GET_ITEM(pair, ref->kind == NS_REF_TAG ? 0 : 1), name) == 0)
		rc = 0;
	Py_DECREF(name);
done:
	Py_DECREF(key);
	return rc;
}

static int log_cb(const ns_version_info *info, void *p)
{
	struct log_ctx *c = p;
	PyObject *key, *pair, *time, *tags, *branches, *d;

	if (c->limit >= 0 && PyList_GET_SIZE(c->list) >= c->limit)
		return 1;
	if (!(key = PyLong_FromUnsignedLongLong(info->number)))
		return 1;
	pair = PyDict_GetItemWithError(c->refs, key);
	Py_DECREF(key);
	if (PyErr_Occurred())
		return 1;
	tags = pair ? Py_NewRef(PyList_GET_ITEM(pair, 0)) : PyList_New(0);
	branches = pair ? Py_NewRef(PyList_GET_ITEM(pair, 1)) : PyList_New(0);
	if (!tags || !branches || !(time = nspy_datetime(info->time_ns))) {
		Py_XDECREF(tags);
		Py_XDECREF(branches);
		return 1;
	}
	d = Py_BuildValue("{s:K,s:K,s:N,s:L,s:s,s:N,s:N,s:O,s:K,s:K,s:K}", "number",
			  (unsigned long long)info->number, "parent", (unsigned long long)info->parent,
			  "time", time, "time_ns", (long long)info->time_ns, "message", info->message,
			  "tags", tags, "branches", branches, "head",
			  info->number == c->head ? Py_True : Py_False,
			  "logical_bytes", (unsigned long long)info->logical_bytes, "new_bytes",
			  (unsigned long long)info->new_bytes, "arrays",
			  (unsigned long long)info->n_arrays);
	if (!d || PyList_Append(c->list, d) < 0) {
		Py_XDECREF(d);
		return 1;
	}
	Py_DECREF(d);
	return 0;
}

static PyObject *store_log(PyObject *self, PyObject *args, PyObject *kw)
{
	static char *kwlist[] = { "limit", NULL };
	ns_store *st = nspy_store_get((nspy_store *)self, 0);
	PyObject *limit_o = Py_None;
	struct log_ctx c = { NULL, NULL, -1, 0 };
	int rc;

	if (!st || !PyArg_ParseTupleAndKeywords(args, kw, "|O:log", kwlist, &limit_o))
		return NULL;
	if (limit_o != Py_None && ((c.limit = PyLong_AsLong(limit_o)) < 0)) {
		if (!PyErr_Occurred())
			PyErr_SetString(PyExc_ValueError, "log: limit is >= 0 (or None)");
		return NULL;
	}
	if (!(c.list = PyList_New(0)) || !(c.refs = PyDict_New()))
		goto fail;
	rc = ns_ref_foreach(st, ref_cb, &c);
	if (PyErr_Occurred())
		goto fail;
	if (rc < 0) {
		nspy_raise(rc);
		goto fail;
	}
	rc = ns_store_foreach_version(st, log_cb, &c);
	if (PyErr_Occurred())
		goto fail;
	if (rc < 0) {
		nspy_raise(rc);
		goto fail;
	}
	Py_DECREF(c.refs);
	return c.list;
fail:
	Py_XDECREF(c.list);
	Py_XDECREF(c.refs);
	return NULL;
}

static PyObject *store_stats(PyObject *self, PyObject *unused)
{
	ns_store *st = nspy_store_get((nspy_store *)self, 0);
	ns_store_stats x;
	int rc;

	(void)unused;
	if (!st)
		return NULL;
	if ((rc = ns_store_stats_get(&x, st)) != NS_OK)
		return nspy_raise(rc);
	return Py_BuildValue("{s:K,s:K,s:K,s:K,s:K,s:K,s:K,s:K,s:s,s:i,s:I}", "versions",
			     (unsigned long long)x.versions, "chunks", (unsigned long long)x.chunks,
			     "logical_bytes", (unsigned long long)x.logical_bytes, "unique_bytes",
			     (unsigned long long)x.unique_bytes, "stored_bytes",
			     (unsigned long long)x.stored_bytes, "orphan_chunks",
			     (unsigned long long)x.orphan_chunks, "file_bytes",
			     (unsigned long long)x.file_bytes, "chunk_size",
			     (unsigned long long)x.chunk_size, "codec",
			     x.codec == NS_CODEC_ZSTD ? "zstd" : "raw", "level", x.level, "format",
			     x.format);
}

static PyObject *store_repr(PyObject *self)
{
	nspy_store *s = (nspy_store *)self;

	return PyUnicode_FromFormat("<nsnap.Store %R%s>", s->path,
				    !s->h || s->closing ? " (closed)" : s->readonly ? " (read-only)" : "");
}

#define KW (METH_VARARGS | METH_KEYWORDS)
#define KWFN(f) (PyCFunction)(void (*)(void))(f)

static PyMethodDef store_methods[] = {
	{ "snapshot", KWFN(nspy_store_snapshot), KW,
	  "snapshot(net, message=None, tag=None, branch=None, populations=True,\n"
	  "         projections=True, only=None, background=False) -> int | SnapshotJob\n\n"
	  "Write the network's state (its bound arrays, time, dt and dictionary) as a\n"
	  "new version and return its number. Unchanged arrays cost nothing. `only`\n"
	  "is a name or a list of names of objects to take; populations=False or\n"
	  "projections=False leave those out. `branch` commits to that branch\n"
	  "(created from the current one when new); `tag` tags the new version (an\n"
	  "existing tag fails the whole snapshot: ExistsError). The GIL is released.\n"
	  "background=True returns a SnapshotJob as soon as the state is captured\n"
	  "(every chunk hashed, the changed ones copied): the arrays may change at\n"
	  "once, a thread commits, job.wait() gives the version or raises; the Store\n"
	  "cannot close until the job was waited for." },
	{ "restore", KWFN(nspy_store_restore), KW,
	  "restore(rev, net, populations=True, projections=True, only=None,\n"
	  "        strict=False, convert=False, verify=False, time=True) -> RestoreReport\n\n"
	  "Write version `rev` (a number or a revision such as 'v1', 'main~2') into\n"
	  "the network's bound arrays, and (with time=True) its t, step and dt.\n"
	  "Everything is checked before anything is written: a network that differs\n"
	  "(names, sizes, connectivity, dtypes) raises MismatchError and is left as it\n"
	  "was. Objects or attributes in only one of them are skipped (strict=True\n"
	  "makes that an error); convert=True allows float64 <-> float32; verify=True\n"
	  "checks chunk hashes. The report lists what was restored, converted and\n"
	  "skipped. The GIL is released." },
	{ "open", store_open, METH_O,
	  "open(rev) -> Version\n\n"
	  "Open version `rev` for reading, lazily (a context manager). Its arrays are\n"
	  "read-only numpy views into the store's map where they can be (no copy)." },
	{ "log", KWFN(store_log), KW,
	  "log(limit=None) -> list of dict\n\n"
	  "The versions, newest first: number, parent, time (UTC datetime), time_ns,\n"
	  "message, tags, branches, head (HEAD is at it), logical_bytes, new_bytes,\n"
	  "arrays." },
	{ "resolve", store_resolve, METH_O,
	  "resolve(rev) -> int\n\nThe version number of a revision: 7, 'v1', 'main', 'HEAD', 'main~2'." },
	{ "tag", KWFN(store_tag), KW,
	  "tag(name, rev='HEAD')\n\nTag revision `rev` as `name` (tags never move; ExistsError)." },
	{ "untag", store_untag, METH_O, "untag(name)\n\nDelete tag `name` (NotFoundError)." },
	{ "branch", KWFN(store_branch), KW,
	  "branch(name, rev='HEAD', force=False)\n\n"
	  "Create branch `name` at `rev`; force=True moves an existing one." },
	{ "switch", store_switch, METH_O,
	  "switch(name)\n\nMake `name` the current branch: HEAD, and where snapshots go." },
	{ "delete_branch", store_delete_branch, METH_O,
	  "delete_branch(name)\n\nDelete branch `name` (its versions stay; BusyError for the current one)." },
	{ "diff", KWFN(nspy_store_diff), KW,
	  "diff(a, b, tol=0.0, only=None) -> dict\n\n"
	  "What changed from revision a to b (b - a), as plain data: equal, version_a,\n"
	  "version_b, t_a, t_b, dt_a, dt_b, bytes_read, meta (key -> change, a, b) and\n"
	  "objects (name -> kind, change, sizes, synapses added/removed/common, detail,\n"
	  "attrs: name -> change, kind, scope, dtype, counts, compared, changed,\n"
	  "max_abs, mean, rms, value_a, value_b, unread). Synapses are matched by\n"
	  "their (pre, post) identity. The GIL is released." },
	{ "export", KWFN(nspy_store_export), KW,
	  "export(rev, path, format=None, options=None, overwrite=False,\n"
	  "       populations=True, projections=True, only=None)\n\n"
	  "Write version `rev` to the file `path` through a format plugin (chosen by\n"
	  "the extension, or `format`), atomically. options: a dict or a list of\n"
	  "'name=value' strings of the format's options. The GIL is released." },
	{ "import_file", KWFN(nspy_store_import), KW,
	  "import_file(path, message=None, tag=None, branch=None, format=None,\n"
	  "            options=None) -> int\n\n"
	  "Import a file (an ANNarchy pickle, a MAT file, ...) as a new version and\n"
	  "return its number. The GIL is released." },
	{ "verify", nspy_store_verify, METH_NOARGS,
	  "verify() -> list of str\n\n"
	  "Check every chunk of every version; return the problems found (empty when\n"
	  "the store is sound). The GIL is released." },
	{ "gc", nspy_store_gc, METH_NOARGS,
	  "gc() -> (chunks, bytes)\n\nFree chunks no version uses (left by interrupted commits)." },
	{ "stats", store_stats, METH_NOARGS,
	  "stats() -> dict\n\n"
	  "versions, chunks, logical_bytes, unique_bytes, stored_bytes, orphan_chunks,\n"
	  "file_bytes, chunk_size, codec, level, format." },
	{ "close", store_close, METH_NOARGS,
	  "close()\n\n"
	  "Close the store. Versions still open (held by live views) keep it open\n"
	  "until they go; no new call is accepted. Closing twice is fine." },
	{ "__enter__", store_enter, METH_NOARGS, "Enter the context: the store." },
	{ "__exit__", store_exit, METH_VARARGS, "Leave the context: close()." },
	{ NULL, NULL, 0, NULL },
};

static PyGetSetDef store_getset[] = {
	{ "path", store_get, NULL, "The store file's path.", "path" },
	{ "closed", store_get, NULL, "True once closed.", "closed" },
	{ "readonly", store_get, NULL, "True when opened read-only.", "readonly" },
	{ "tracking", store_get, NULL,
	  "True when writes to the arrays are tracked (track_writes=True, and the\n"
	  "kernel can: Linux 6.7 or later).",
	  "tracking" },
	{ NULL, NULL, NULL, NULL, NULL },
};

PyTypeObject nspy_store_type = {
	PyVarObject_HEAD_INIT(NULL, 0)
	.tp_name = "nsnap.Store",
	.tp_basicsize = sizeof(nspy_store),
	.tp_dealloc = store_dealloc,
	.tp_repr = store_repr,
	.tp_flags = Py_TPFLAGS_DEFAULT,
	.tp_doc = "Store(path, create=False, readonly=False, chunk_size=None, codec=None,\n"
		  "      track_writes=False)\n\n"
		  "An nsnap store: one file of versioned checkpoints (plus its '-lock' file).\n"
		  "create=True makes it when missing (chunk_size in bytes, a multiple of\n"
		  "4096; codec 'raw' or 'zstd' as the default of snapshots).\n"
		  "track_writes=True: snapshots skip the chunks of arrays that the page\n"
		  "tables show unwritten since an earlier one (Linux 6.7; see\n"
		  "Store.tracking). Not for arrays a device writes by DMA (CUDA's pinned\n"
		  "host buffers, RDMA): those writes are not seen. A context manager:\n\n"
		  "    with nsnap.Store('run.nsnap', create=True) as store:\n"
		  "        v = store.snapshot(net, message='warm-up')\n"
		  "        store.restore(v, net)\n"
		  "        with store.open(v) as ver:\n"
		  "            w = ver['EE']['w']      # read-only view, no copy\n\n"
		  "Store objects of the same file in one process share one handle.\n"
		  "Errors raise nsnap.Error subclasses carrying nsnap's message.",
	.tp_methods = store_methods,
	.tp_getset = store_getset,
	.tp_new = store_new,
};

int nspy_store_init_types(PyObject *module)
{
	if (PyType_Ready(&nspy_store_type) < 0 ||
	    PyModule_AddObjectRef(module, "Store", (PyObject *)&nspy_store_type) < 0)
		return -1;
	return nspy_ops_init_types(module);
}
