/* SPDX-License-Identifier: MIT */
/* nsnap._nsnap: the module, and the helpers its files share. */
#define NSPY_MODULE_C
#include "nspy.h"

#include <stdio.h>
#include <string.h>

/* ------------------------------------------------------- string arrays */

static int strv_push(struct nspy_strv *s, size_t *n, PyObject *str, const char *what)
{
	PyObject *b;
	const char **v;

	if (!PyUnicode_Check(str)) {
		PyErr_Format(PyExc_TypeError, "%s: expected str, got %.100s", what,
			     Py_TYPE(str)->tp_name);
		return -1;
	}
	if (!(b = PyUnicode_AsUTF8String(str)))
		return -1;
	if (strlen(PyBytes_AS_STRING(b)) != (size_t)PyBytes_GET_SIZE(b)) {
		Py_DECREF(b);
		PyErr_Format(PyExc_ValueError, "%s: embedded NUL character", what);
		return -1;
	}
	if (PyList_Append(s->keep, b) < 0) {
		Py_DECREF(b);
		return -1;
	}
	Py_DECREF(b);
	if (!(v = PyMem_Realloc(s->v, (*n + 2) * sizeof *v))) {
		PyErr_NoMemory();
		return -1;
	}
	s->v = v;
	v[(*n)++] = PyBytes_AS_STRING(b);
	v[*n] = NULL;
	return 0;
}

static int strv_begin(struct nspy_strv *out, size_t *n)
{
	out->v = NULL;
	*n = 0;
	if (!(out->keep = PyList_New(0)))
		return -1;
	if (!(out->v = PyMem_Malloc(sizeof *out->v))) {
		Py_CLEAR(out->keep);
		PyErr_NoMemory();
		return -1;
	}
	out->v[0] = NULL;
	return 0;
}

int nspy_strv_from(struct nspy_strv *out, PyObject *obj, const char *what)
{
	PyObject *it, *item;
	size_t n;

	out->v = NULL;
	out->keep = NULL;
	if (!obj || obj == Py_None)
		return 0;
	if (strv_begin(out, &n) < 0)
		return -1;
	if (PyUnicode_Check(obj))
		return strv_push(out, &n, obj, what) < 0 ? (nspy_strv_free(out), -1) : 0;
	if (!(it = PyObject_GetIter(obj))) {
		nspy_strv_free(out);
		PyErr_Format(PyExc_TypeError, "%s: expected a str or an iterable of str", what);
		return -1;
	}
	while ((item = PyIter_Next(it))) {
		int rc = strv_push(out, &n, item, what);
		Py_DECREF(item);
		if (rc < 0)
			break;
	}
	Py_DECREF(it);
	if (PyErr_Occurred()) {
		nspy_strv_free(out);
		return -1;
	}
	return 0;
}

int nspy_options_from(struct nspy_strv *out, PyObject *obj)
{
	PyObject *key, *value;
	Py_ssize_t pos = 0;
	size_t n;

	if (!obj || obj == Py_None || !PyDict_Check(obj))
		return nspy_strv_from(out, obj, "options");
	if (strv_begin(out, &n) < 0)
		return -1;
	while (PyDict_Next(obj, &pos, &key, &value)) {
		PyObject *s;
		int rc;

		if (!PyUnicode_Check(key)) {
			nspy_strv_free(out);
			PyErr_SetString(PyExc_TypeError, "options: names must be str");
			return -1;
		}
		if (value == Py_None || value == Py_True)
			s = Py_NewRef(key);
		else if (PyUnicode_Check(value))
			s = PyUnicode_FromFormat("%U=%U", key, value);
		else
			s = PyUnicode_FromFormat("%U=%S", key, value);
		if (!s) {
			nspy_strv_free(out);
			return -1;
		}
		rc = strv_push(out, &n, s, "options");
		Py_DECREF(s);
		if (rc < 0) {
			nspy_strv_free(out);
			return -1;
		}
	}
	return 0;
}

void nspy_strv_free(struct nspy_strv *s)
{
	PyMem_Free(s->v);
	s->v = NULL;
	Py_CLEAR(s->keep);
}

int nspy_rev(const char **out, char *buf, size_t size, PyObject *rev)
{
	if (PyLong_Check(rev) && !PyBool_Check(rev)) {
		unsigned long long n = PyLong_AsUnsignedLongLong(rev);
		if (n == (unsigned long long)-1 && PyErr_Occurred()) {
			PyErr_SetString(PyExc_ValueError, "revision: a version number is >= 1");
			return -1;
		}
		snprintf(buf, size, "%llu", n);
		*out = buf;
		return 0;
	}
	if (PyUnicode_Check(rev)) {
		Py_ssize_t len;
		const char *s = PyUnicode_AsUTF8AndSize(rev, &len);
		if (!s)
			return -1;
		if ((size_t)len != strlen(s)) {
			PyErr_SetString(PyExc_ValueError, "revision: embedded NUL character");
			return -1;
		}
		*out = s;
		return 0;
	}
	PyErr_Format(PyExc_TypeError, "revision: expected an int or a str, got %.100s",
		     Py_TYPE(rev)->tp_name);
	return -1;
}

int nspy_npy_type(ns_dtype dtype)
{
	switch (dtype) {
	case NS_DTYPE_F64: return NPY_FLOAT64;
	case NS_DTYPE_F32: return NPY_FLOAT32;
	case NS_DTYPE_I64: return NPY_INT64;
	case NS_DTYPE_I32: return NPY_INT32;
	case NS_DTYPE_U8: return NPY_UINT8;
	case NS_DTYPE_BOOL: return NPY_BOOL;
	case NS_DTYPE_BYTES: return NPY_UINT8;
	}
	return -1;
}

PyObject *nspy_iter_of(PyObject *items)
{
	PyObject *it;
	if (!items)
		return NULL;
	it = PyObject_GetIter(items);
	Py_DECREF(items);
	return it;
}

PyObject *nspy_datetime(int64_t ns)
{
	PyObject *mod = PyImport_ImportModule("datetime"), *cls = NULL, *tz = NULL, *utc = NULL,
		 *dt = NULL, *replace = NULL, *noargs = NULL, *kw = NULL, *r = NULL;
	int64_t sec = ns / 1000000000, rem = ns % 1000000000;

	if (rem < 0) {
		rem += 1000000000;
		sec--;
	}
	if (!mod || !(cls = PyObject_GetAttrString(mod, "datetime")) ||
	    !(tz = PyObject_GetAttrString(mod, "timezone")) ||
	    !(utc = PyObject_GetAttrString(tz, "utc")) ||
	    !(dt = PyObject_CallMethod(cls, "fromtimestamp", "LO", (long long)sec, utc)) ||
	    !(replace = PyObject_GetAttrString(dt, "replace")) || !(noargs = PyTuple_New(0)) ||
	    !(kw = Py_BuildValue("{s:l}", "microsecond", (long)(rem / 1000))))
		goto done;
	r = PyObject_Call(replace, noargs, kw);
done:
	Py_XDECREF(kw);
	Py_XDECREF(noargs);
	Py_XDECREF(replace);
	Py_XDECREF(dt);
	Py_XDECREF(utc);
	Py_XDECREF(tz);
	Py_XDECREF(cls);
	Py_XDECREF(mod);
	return r;
}

/* --------------------------------------------------------------- plugins */

static ns_plugins *plugins;

ns_plugins *nspy_plugins(void)
{
	int rc;

	if (plugins)
		return plugins;
	if ((rc = ns_plugins_new(&plugins, NULL, 0)) != NS_OK) {
		plugins = NULL;
		nspy_raise(rc);
	}
	return plugins;
}

static PyObject *py_plugins(PyObject *self, PyObject *unused)
{
	ns_plugins *p = nspy_plugins();
	PyObject *list;

	(void)self;
	(void)unused;
	if (!p || !(list = PyList_New(0)))
		return NULL;
	for (size_t i = 0; i < ns_plugins_count(p); i++) {
		ns_plugin_info info;
		PyObject *exts, *d;

		if (ns_plugins_at(&info, p, i) != NS_OK || !(exts = PyList_New(0)))
			goto fail;
		for (size_t j = 0; info.extensions && info.extensions[j]; j++) {
			PyObject *e = PyUnicode_FromString(info.extensions[j]);
			if (!e || PyList_Append(exts, e) < 0) {
				Py_XDECREF(e);
				Py_DECREF(exts);
				goto fail;
			}
			Py_DECREF(e);
		}
		d = Py_BuildValue("{s:s,s:s,s:s,s:N,s:s}", "name", info.name, "description",
				  info.description ? info.description : "", "kind",
				  info.kind == NS_PLUGIN_FORMAT ? "format" : "filter", "extensions",
				  exts, "path", info.path);
		if (!d || PyList_Append(list, d) < 0) {
			Py_XDECREF(d);
			goto fail;
		}
		Py_DECREF(d);
	}
	return list;
fail:
	Py_DECREF(list);
	return NULL;
}

/* ---------------------------------------------------------------- module */

static PyMethodDef module_methods[] = {
	{ "plugins", py_plugins, METH_NOARGS,
	  "plugins() -> list of dict\n\n"
	  "The format and filter plugins nsnap loaded (from NSNAP_PLUGIN_PATH, then\n"
	  "the install directory): name, description, kind, extensions, path." },
	{ NULL, NULL, 0, NULL },
};

static void module_free(void *m)
{
	(void)m;
	ns_plugins_free(plugins);
	plugins = NULL;
}

static struct PyModuleDef module_def = {
	PyModuleDef_HEAD_INIT,
	.m_name = "nsnap._nsnap",
	.m_doc = "nsnap's C core: stores, networks of bound numpy arrays, versions.\n\n"
		 "Use it through the nsnap package.",
	.m_size = -1,
	.m_methods = module_methods,
	.m_free = module_free,
};

PyMODINIT_FUNC PyInit__nsnap(void);

PyMODINIT_FUNC PyInit__nsnap(void)
{
	PyObject *m;

	import_array();
	if (!(m = PyModule_Create(&module_def)))
		return NULL;
	if (nspy_errors_init(m) < 0 || nspy_network_init_types(m) < 0 ||
	    nspy_store_init_types(m) < 0 || nspy_version_init_types(m) < 0 ||
	    nspy_job_init_types(m) < 0 ||
	    PyModule_AddStringConstant(m, "__version__", NSNAP_VERSION_STRING) < 0) {
		Py_DECREF(m);
		return NULL;
	}
	return m;
}
