/* SPDX-License-Identifier: MIT */
/* The Store's long operations, run with the GIL released: snapshot,
 * restore, diff, export, import, verify, gc. nsnap's last error is per
 * thread: it is read on this thread, right after the call. */
#include "nspy.h"

#include <stdlib.h>
#include <string.h>

static PyTypeObject report_type;

static PyStructSequence_Field report_fields[] = {
	{ "restored", "list of (object, attr or None, detail): values written" },
	{ "converted", "list of (object, attr, detail): written after a float conversion" },
	{ "skipped", "list of (object, attr or None, why): in one of them only" },
	{ "version", "the version number restored" },
	{ NULL, NULL },
};

static PyStructSequence_Desc report_desc = {
	"nsnap.RestoreReport",
	"What Store.restore() did: restored, converted and skipped are lists of\n"
	"(object, attribute or None, detail); version is the version restored.",
	report_fields,
	4,
};

/* The Store's handle for a call that releases the GIL: marks it busy. */
static ns_store *begin(nspy_store *s, int write)
{
	ns_store *st = nspy_store_get(s, write);

	if (st)
		s->busy++;
	return st;
}

static void select_set(ns_select *sel, int populations, int projections, const struct nspy_strv *only)
{
	sel->no_populations = !populations;
	sel->no_projections = !projections;
	sel->only = only->v;
}

/* ------------------------------------------------------------ snapshot */

PyObject *nspy_store_snapshot(PyObject *self, PyObject *args, PyObject *kw)
{
	static char *kwlist[] = { "net", "message", "tag", "branch", "populations", "projections",
				  "only", "background", NULL };
	nspy_store *s = (nspy_store *)self;
	nspy_network *n;
	PyObject *only_o = Py_None, *job_o;
	int populations = 1, projections = 1, background = 0, rc;
	struct nspy_strv only = { NULL, NULL };
	ns_snapshot_opts opts;
	ns_snapshot_job *job = NULL;
	ns_store *st;
	uint64_t v = 0;

	ns_snapshot_opts_init(&opts, NS_SNAPSHOT_OPTS_VERSION);
	if (!PyArg_ParseTupleAndKeywords(args, kw, "O!|zzzppOp:snapshot", kwlist,
					 &nspy_network_type, &n, &opts.message, &opts.tag,
					 &opts.branch, &populations, &projections, &only_o,
					 &background) ||
	    nspy_strv_from(&only, only_o, "snapshot: only") < 0)
		return NULL;
	select_set(&opts.select, populations, projections, &only);
	if (!(st = begin(s, 1))) {
		nspy_strv_free(&only);
		return NULL;
	}
	n->busy++;
	Py_BEGIN_ALLOW_THREADS
	rc = background ? ns_snapshot_async(&job, st, n->net, &opts)
			: ns_snapshot(&v, st, n->net, &opts);
	Py_END_ALLOW_THREADS
	n->busy--;
	nspy_strv_free(&only);
	if (rc != NS_OK) {
		s->busy--;
		return nspy_raise(rc);
	}
	if (!background) {
		s->busy--;
		return PyLong_FromUnsignedLongLong(v);
	}
	/* The job keeps the store busy until it is waited for. */
	if (!(job_o = nspy_job_new(s, job))) {
		Py_BEGIN_ALLOW_THREADS
		ns_snapshot_wait(NULL, job);
		Py_END_ALLOW_THREADS
		s->busy--;
	}
	return job_o;
}

/* ------------------------------------------------------------- restore */

static PyObject *report_new(const ns_restore_report *r)
{
	PyObject *rep = PyStructSequence_New(&report_type), *lists[3];

	if (!rep)
		return NULL;
	for (int i = 0; i < 3; i++) {
		if (!(lists[i] = PyList_New(0))) {
			Py_DECREF(rep);
			return NULL;
		}
		PyStructSequence_SET_ITEM(rep, i, lists[i]);
	}
	PyStructSequence_SET_ITEM(rep, 3, PyLong_FromUnsignedLongLong(r->version));
	if (!PyStructSequence_GET_ITEM(rep, 3)) {
		Py_DECREF(rep);
		return NULL;
	}
	for (size_t i = 0; i < r->n_items; i++) {
		const ns_restore_item *it = &r->items[i];
		int which = it->status == NS_RESTORED ? 0 : it->status == NS_CONVERTED ? 1 : 2;
		PyObject *attr = it->attr ? PyUnicode_FromString(it->attr) : Py_NewRef(Py_None);
		PyObject *t = attr ? Py_BuildValue("(sNs)", it->object, attr, it->detail) : NULL;
		if (!t || PyList_Append(lists[which], t) < 0) {
			Py_XDECREF(t);
			Py_DECREF(rep);
			return NULL;
		}
		Py_DECREF(t);
	}
	return rep;
}

PyObject *nspy_store_restore(PyObject *self, PyObject *args, PyObject *kw)
{
	static char *kwlist[] = { "rev", "net", "populations", "projections", "only", "strict",
				  "convert", "verify", "time", NULL };
	nspy_store *s = (nspy_store *)self;
	nspy_network *n;
	PyObject *rev_o, *only_o = Py_None, *ret;
	int populations = 1, projections = 1, time = 1, rc;
	struct nspy_strv only = { NULL, NULL };
	ns_restore_opts opts;
	ns_restore_report *report = NULL;
	const char *rev;
	char buf[32];
	ns_store *st;

	ns_restore_opts_init(&opts, NS_RESTORE_OPTS_VERSION);
	if (!PyArg_ParseTupleAndKeywords(args, kw, "OO!|ppOpppp:restore", kwlist, &rev_o,
					 &nspy_network_type, &n, &populations, &projections, &only_o,
					 &opts.strict, &opts.convert, &opts.verify, &time) ||
	    nspy_rev(&rev, buf, sizeof buf, rev_o) < 0 ||
	    nspy_strv_from(&only, only_o, "restore: only") < 0)
		return NULL;
	select_set(&opts.select, populations, projections, &only);
	opts.no_time = !time;
	if (nspy_network_idle(n) < 0 || !(st = begin(s, 0))) {
		nspy_strv_free(&only);
		return NULL;
	}
	n->busy++;
	Py_BEGIN_ALLOW_THREADS
	rc = ns_restore(&report, st, rev, n->net, &opts);
	Py_END_ALLOW_THREADS
	n->busy--;
	s->busy--;
	nspy_strv_free(&only);
	if (rc != NS_OK)
		return nspy_raise(rc);
	ret = report_new(report);
	ns_restore_report_free(report);
	return ret;
}

/* ---------------------------------------------------------------- diff */

static PyObject *diff_attr(const ns_diff_attr *a)
{
	PyObject *max_abs, *va, *vb;

	if (a->integer) {
		max_abs = PyLong_FromUnsignedLongLong(a->max_abs_u64);
		va = PyLong_FromLongLong(a->value_a_i64);
		vb = PyLong_FromLongLong(a->value_b_i64);
	} else {
		max_abs = PyFloat_FromDouble(a->max_abs);
		va = PyFloat_FromDouble(a->value_a);
		vb = PyFloat_FromDouble(a->value_b);
	}
	return Py_BuildValue("{s:s,s:s,s:s,s:s,s:s,s:s,s:K,s:K,s:K,s:K,s:N,s:d,s:d,s:N,s:N,s:O,s:O}",
			     "change", ns_change_name(a->change), "kind", ns_attr_kind_name(a->kind),
			     "scope_a", ns_scope_name(a->scope_a), "scope_b", ns_scope_name(a->scope_b),
			     "dtype_a", ns_dtype_name(a->dtype_a), "dtype_b", ns_dtype_name(a->dtype_b),
			     "count_a", (unsigned long long)a->count_a, "count_b",
			     (unsigned long long)a->count_b, "compared", (unsigned long long)a->compared,
			     "changed", (unsigned long long)a->changed, "max_abs", max_abs, "mean",
			     a->mean, "rms", a->rms, "value_a", va, "value_b", vb, "unread",
			     a->unread ? Py_True : Py_False, "integer", a->integer ? Py_True : Py_False);
}

static PyObject *diff_dict(const ns_diff *d)
{
	PyObject *objects = PyDict_New(), *meta = PyDict_New();

	if (!objects || !meta)
		goto fail;
	for (size_t i = 0; i < d->n_objects; i++) {
		const ns_diff_object *o = &d->objects[i];
		PyObject *attrs = PyDict_New(), *od;
		if (!attrs)
			goto fail;
		for (size_t j = 0; j < o->n_attrs; j++) {
			PyObject *ad = diff_attr(&o->attrs[j]);
			if (!ad || PyDict_SetItemString(attrs, o->attrs[j].name, ad) < 0) {
				Py_XDECREF(ad);
				Py_DECREF(attrs);
				goto fail;
			}
			Py_DECREF(ad);
		}
		od = Py_BuildValue("{s:s,s:s,s:K,s:K,s:K,s:K,s:K,s:s,s:N}", "kind",
				   ns_object_kind_name(o->kind), "change", ns_change_name(o->change),
				   "size_a", (unsigned long long)o->size_a, "size_b",
				   (unsigned long long)o->size_b, "syn_removed",
				   (unsigned long long)o->syn_removed, "syn_added",
				   (unsigned long long)o->syn_added, "syn_common",
				   (unsigned long long)o->syn_common, "detail", o->detail, "attrs", attrs);
		if (!od || PyDict_SetItemString(objects, o->name, od) < 0) {
			Py_XDECREF(od);
			goto fail;
		}
		Py_DECREF(od);
	}
	for (size_t i = 0; i < d->n_meta; i++) {
		const ns_diff_meta *m = &d->meta[i];
		PyObject *md = Py_BuildValue("{s:s,s:z,s:z}", "change", ns_change_name(m->change), "a",
					     m->value_a, "b", m->value_b);
		if (!md || PyDict_SetItemString(meta, m->key, md) < 0) {
			Py_XDECREF(md);
			goto fail;
		}
		Py_DECREF(md);
	}
	return Py_BuildValue("{s:O,s:K,s:K,s:d,s:d,s:d,s:d,s:K,s:N,s:N}", "equal",
			     d->equal ? Py_True : Py_False, "version_a",
			     (unsigned long long)d->version_a, "version_b",
			     (unsigned long long)d->version_b, "t_a", d->t_a, "t_b", d->t_b, "dt_a",
			     d->dt_a, "dt_b", d->dt_b, "bytes_read", (unsigned long long)d->bytes_read,
			     "objects", objects, "meta", meta);
fail:
	Py_XDECREF(objects);
	Py_XDECREF(meta);
	return NULL;
}

PyObject *nspy_store_diff(PyObject *self, PyObject *args, PyObject *kw)
{
	static char *kwlist[] = { "a", "b", "tol", "only", NULL };
	nspy_store *s = (nspy_store *)self;
	PyObject *a_o, *b_o, *only_o = Py_None, *ret;
	struct nspy_strv only = { NULL, NULL };
	ns_diff_opts opts;
	ns_diff *d = NULL;
	const char *a, *b;
	char abuf[32], bbuf[32];
	ns_store *st;
	int rc;

	ns_diff_opts_init(&opts, NS_DIFF_OPTS_VERSION);
	if (!PyArg_ParseTupleAndKeywords(args, kw, "OO|dO:diff", kwlist, &a_o, &b_o, &opts.tol,
					 &only_o) ||
	    nspy_rev(&a, abuf, sizeof abuf, a_o) < 0 || nspy_rev(&b, bbuf, sizeof bbuf, b_o) < 0)
		return NULL;
	if (!(opts.tol >= 0)) {
		PyErr_SetString(PyExc_ValueError, "diff: tol is a number >= 0");
		return NULL;
	}
	if (nspy_strv_from(&only, only_o, "diff: only") < 0)
		return NULL;
	opts.select.only = only.v;
	if (!(st = begin(s, 0))) {
		nspy_strv_free(&only);
		return NULL;
	}
	Py_BEGIN_ALLOW_THREADS
	rc = ns_diff_versions(&d, st, a, b, &opts);
	Py_END_ALLOW_THREADS
	s->busy--;
	nspy_strv_free(&only);
	if (rc != NS_OK)
		return nspy_raise(rc);
	ret = diff_dict(d);
	ns_diff_free(d);
	return ret;
}

/* ------------------------------------------------------ export, import */

PyObject *nspy_store_export(PyObject *self, PyObject *args, PyObject *kw)
{
	static char *kwlist[] = { "rev", "path", "format", "options", "overwrite", "populations",
				  "projections", "only", NULL };
	nspy_store *s = (nspy_store *)self;
	PyObject *rev_o, *path_b = NULL, *options_o = Py_None, *only_o = Py_None;
	struct nspy_strv only = { NULL, NULL }, options = { NULL, NULL };
	int populations = 1, projections = 1, rc = NS_OK;
	ns_export_opts opts;
	ns_plugins *plugins;
	const char *rev;
	char buf[32];
	ns_store *st;

	ns_export_opts_init(&opts, NS_EXPORT_OPTS_VERSION);
	if (!PyArg_ParseTupleAndKeywords(args, kw, "OO&|zOpppO:export", kwlist, &rev_o,
					 PyUnicode_FSConverter, &path_b, &opts.format, &options_o,
					 &opts.overwrite, &populations, &projections, &only_o))
		return NULL;
	if (nspy_rev(&rev, buf, sizeof buf, rev_o) < 0 ||
	    nspy_strv_from(&only, only_o, "export: only") < 0 ||
	    nspy_options_from(&options, options_o) < 0 || !(plugins = nspy_plugins()) ||
	    !(st = begin(s, 0)))
		goto done;
	select_set(&opts.select, populations, projections, &only);
	opts.options = options.v;
	Py_BEGIN_ALLOW_THREADS
	rc = ns_export(plugins, st, rev, PyBytes_AS_STRING(path_b), &opts);
	Py_END_ALLOW_THREADS
	s->busy--;
	if (rc != NS_OK)
		nspy_raise(rc);
done:
	nspy_strv_free(&only);
	nspy_strv_free(&options);
	Py_XDECREF(path_b);
	if (PyErr_Occurred())
		return NULL;
	Py_RETURN_NONE;
}

PyObject *nspy_store_import(PyObject *self, PyObject *args, PyObject *kw)
{
	static char *kwlist[] = { "path", "message", "tag", "branch", "format", "options", NULL };
	nspy_store *s = (nspy_store *)self;
	PyObject *path_b = NULL, *options_o = Py_None;
	struct nspy_strv options = { NULL, NULL };
	ns_import_opts opts;
	ns_plugins *plugins;
	ns_store *st;
	uint64_t v = 0;
	int rc;

	ns_import_opts_init(&opts, NS_IMPORT_OPTS_VERSION);
	if (!PyArg_ParseTupleAndKeywords(args, kw, "O&|zzzzO:import_file", kwlist,
					 PyUnicode_FSConverter, &path_b, &opts.message, &opts.tag,
					 &opts.branch, &opts.format, &options_o))
		return NULL;
	if (nspy_options_from(&options, options_o) < 0 || !(plugins = nspy_plugins()) ||
	    !(st = begin(s, 1))) {
		nspy_strv_free(&options);
		Py_DECREF(path_b);
		return NULL;
	}
	opts.options = options.v;
	Py_BEGIN_ALLOW_THREADS
	rc = ns_import(&v, plugins, st, PyBytes_AS_STRING(path_b), &opts);
	Py_END_ALLOW_THREADS
	s->busy--;
	nspy_strv_free(&options);
	Py_DECREF(path_b);
	if (rc != NS_OK)
		return nspy_raise(rc);
	return PyLong_FromUnsignedLongLong(v);
}

/* ---------------------------------------------------------- verify, gc */

struct problems {
	char **v;
	size_t n, cap;
	int oom;
};

/* Runs without the GIL: collects C strings. */
static int problem_cb(const ns_problem *p, void *ctx)
{
	struct problems *ps = ctx;
	char *m;

	if (ps->n == ps->cap) {
		size_t cap = ps->cap ? 2 * ps->cap : 16;
		char **v = realloc(ps->v, cap * sizeof *v);
		if (!v) {
			ps->oom = 1;
			return 0;
		}
		ps->v = v;
		ps->cap = cap;
	}
	if (!(m = strdup(p->message))) {
		ps->oom = 1;
		return 0;
	}
	ps->v[ps->n++] = m;
	return 0;
}

PyObject *nspy_store_verify(PyObject *self, PyObject *unused)
{
	nspy_store *s = (nspy_store *)self;
	struct problems ps = { NULL, 0, 0, 0 };
	PyObject *list = NULL;
	ns_store *st;
	uint64_t n = 0;
	int rc;

	(void)unused;
	if (!(st = begin(s, 0)))
		return NULL;
	Py_BEGIN_ALLOW_THREADS
	rc = ns_store_verify(st, problem_cb, &ps, &n);
	Py_END_ALLOW_THREADS
	s->busy--;
	if (rc != NS_OK && !(rc == NS_ECORRUPT && ps.n > 0))
		nspy_raise(rc);
	else if (ps.oom)
		PyErr_NoMemory();
	else if ((list = PyList_New((Py_ssize_t)ps.n)))
		for (size_t i = 0; i < ps.n; i++) {
			PyObject *m = PyUnicode_DecodeUTF8(ps.v[i], (Py_ssize_t)strlen(ps.v[i]),
							   "replace");
			if (!m) {
				Py_CLEAR(list);
				break;
			}
			PyList_SET_ITEM(list, (Py_ssize_t)i, m);
		}
	for (size_t i = 0; i < ps.n; i++)
		free(ps.v[i]);
	free(ps.v);
	return list;
}

PyObject *nspy_store_gc(PyObject *self, PyObject *unused)
{
	nspy_store *s = (nspy_store *)self;
	uint64_t chunks = 0, bytes = 0;
	ns_store *st;
	int rc;

	(void)unused;
	if (!(st = begin(s, 1)))
		return NULL;
	Py_BEGIN_ALLOW_THREADS
	rc = ns_store_gc(st, &chunks, &bytes);
	Py_END_ALLOW_THREADS
	s->busy--;
	if (rc != NS_OK)
		return nspy_raise(rc);
	return Py_BuildValue("(KK)", (unsigned long long)chunks, (unsigned long long)bytes);
}

int nspy_ops_init_types(PyObject *module)
{
	if (PyStructSequence_InitType2(&report_type, &report_desc) < 0)
		return -1;
	return PyModule_AddObjectRef(module, "RestoreReport", (PyObject *)&report_type);
}
