/* SPDX-License-Identifier: MIT */
/* nsnap's error codes as Python exceptions: one class per kind, each an
 * nsnap.Error carrying .code and nsnap's message. */
#include "nspy.h"

#include <stdarg.h>
#include <stdio.h>

struct exc_def {
	int code;
	const char *name;  /* nsnap.<name> */
	const char *extra; /* a builtin it also derives from, or NULL */
	const char *doc;
};

static const struct exc_def exc_defs[] = {
	{ NS_ENOTFOUND, "NotFoundError", "KeyError", "No such file, revision, object, array or name." },
	{ NS_EINVAL, "InvalidError", "ValueError", "An invalid argument or option." },
	{ NS_EMISMATCH, "MismatchError", NULL,
	  "The version and the network differ (a restore changed nothing)." },
	{ NS_EFORMAT, "FormatError", NULL, "A file in a bad or unknown format." },
	{ NS_EUNSUPPORTED, "UnsupportedError", NULL, "A recognised but unsupported feature." },
	{ NS_ECORRUPT, "CorruptError", NULL, "Damaged data: a bad hash or record." },
	{ NS_EVERSION, "VersionError", NULL, "A store or record written by a newer nsnap." },
	{ NS_ENOTSTORE, "NotStoreError", NULL, "The file is not an nsnap store." },
	{ NS_EREADONLY, "ReadOnlyError", NULL, "The store (or network) is read-only." },
	{ NS_EBUSY, "BusyError", NULL, "In use: open versions, a tagged version, a running call." },
	{ NS_EEXISTS, "ExistsError", "FileExistsError", "Already exists: a tag, a branch, a file, a name." },
	{ NS_EFULL, "FullError", NULL, "No space left: the disk is full or the map cannot grow." },
	{ NS_EPLUGIN, "PluginError", NULL, "A plugin failed to load or misbehaved." },
	{ NS_EIO, "IOError_", "OSError", "An input/output error from the system." },
};

#define N_EXC (sizeof exc_defs / sizeof exc_defs[0])

static PyObject *exc_base;     /* nsnap.Error */
static PyObject *exc_cls[N_EXC];

static PyObject *class_of(int code)
{
	if (code == NS_ENOMEM)
		return PyExc_MemoryError;
	for (size_t i = 0; i < N_EXC; i++)
		if (exc_defs[i].code == code)
			return exc_cls[i];
	return exc_base;
}

static PyObject *raise_text(int code, PyObject *text)
{
	PyObject *cls = class_of(code), *exc = NULL, *c = NULL;

	if (!text)
		return NULL;
	exc = PyObject_CallOneArg(cls, text);
	if (!exc)
		goto done;
	if (cls != PyExc_MemoryError) {
		if (!(c = PyLong_FromLong(code)) || PyObject_SetAttrString(exc, "code", c) < 0)
			goto done;
	}
	PyErr_SetObject(cls, exc);
done:
	Py_XDECREF(c);
	Py_XDECREF(exc);
	Py_DECREF(text);
	return NULL;
}

PyObject *nspy_raise(int rc)
{
	const ns_error *e = ns_error_last();
	const char *msg = e->message[0] ? e->message : ns_strerror(rc);

	return raise_text(rc, PyUnicode_DecodeUTF8(msg, (Py_ssize_t)strlen(msg), "replace"));
}

PyObject *nspy_raise_msg(int code, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	return raise_text(code, PyUnicode_DecodeUTF8(buf, (Py_ssize_t)strlen(buf), "replace"));
}

static PyObject *make_class(const char *name, PyObject *bases, const char *doc, int code)
{
	char full[64];
	PyObject *dict = PyDict_New(), *c = PyLong_FromLong(code), *cls = NULL;

	snprintf(full, sizeof full, "nsnap.%s", name);
	if (dict && c && PyDict_SetItemString(dict, "code", c) == 0)
		cls = PyErr_NewExceptionWithDoc(full, doc, bases, dict);
	Py_XDECREF(dict);
	Py_XDECREF(c);
	return cls;
}

int nspy_errors_init(PyObject *module)
{
	PyObject *builtins = PyEval_GetBuiltins();

	exc_base = make_class("Error", PyExc_Exception,
			      "Base class of nsnap's errors.\n\n"
			      ".code is nsnap's error code (a negative int, NS_E*); args[0] is\n"
			      "nsnap's message, which names the object and the cause.",
			      NS_ERROR);
	if (!exc_base || PyModule_AddObjectRef(module, "Error", exc_base) < 0)
		return -1;
	for (size_t i = 0; i < N_EXC; i++) {
		const struct exc_def *d = &exc_defs[i];
		PyObject *bases, *extra = d->extra ? PyDict_GetItemString(builtins, d->extra) : NULL;

		bases = extra ? PyTuple_Pack(2, exc_base, extra) : PyTuple_Pack(1, exc_base);
		if (!bases)
			return -1;
		exc_cls[i] = make_class(d->name, bases, d->doc, d->code);
		Py_DECREF(bases);
		if (!exc_cls[i] || PyModule_AddObjectRef(module, d->name, exc_cls[i]) < 0)
			return -1;
	}
	return 0;
}
