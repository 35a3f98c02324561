/* SPDX-License-Identifier: MIT */
/* nsnap.Version, nsnap.VersionObject and the views of their arrays.
 *
 * A Version is a network opened read-only from a version (ns_network_open):
 * its arrays point into the store's map (or into copies the network owns),
 * valid until the network is freed. Each numpy view has as its base a
 * small nsnap._ViewBase that holds the Version and counts itself in it:
 * the network is freed only once no view is left. Version.close() with
 * live views raises BufferError (numpy issue #9537 is the crash this
 * avoids); leaving a `with` block with live views defers the close to the
 * last view. */
#include "nspy.h"

#include <string.h>

typedef struct {
	PyObject_HEAD
	nspy_store *store; /* a strong reference while the network is open */
	ns_network *net;   /* NULL once really closed */
	int closed;        /* closed for the user: no more reads */
	Py_ssize_t views;  /* live _ViewBase objects */
	uint64_t number, parent;
	int64_t time_ns;
	PyObject *message;
} nspy_version;

typedef struct {
	PyObject_HEAD
	nspy_version *ver;
	ns_object *obj;
} nspy_vobject;

typedef struct {
	PyObject_HEAD
	nspy_version *ver;
} nspy_viewbase;

static PyTypeObject version_type, vobject_type, viewbase_type;

static void really_close(nspy_version *v)
{
	nspy_store *s = v->store;

	if (!v->net)
		return;
	ns_network_free(v->net);
	v->net = NULL;
	v->store = NULL;
	nspy_store_version_gone(s);
	Py_DECREF(s);
}

static ns_network *version_net(nspy_version *v)
{
	if (v->closed || !v->net) {
		PyErr_Format(PyExc_ValueError, "version %llu is closed", (unsigned long long)v->number);
		return NULL;
	}
	return v->net;
}

PyObject *nspy_version_open(nspy_store *store, const char *rev)
{
	ns_store *st = nspy_store_get(store, 0);
	const ns_version_info *info;
	ns_network *net = NULL;
	ns_version *ver = NULL;
	nspy_version *v;
	int rc;

	if (!st)
		return NULL;
	store->busy++;
	Py_BEGIN_ALLOW_THREADS
	rc = ns_network_open(&net, st, rev);
	if (rc == NS_OK)
		rc = ns_version_open_number(&ver, st, ns_network_version(net));
	Py_END_ALLOW_THREADS
	store->busy--;
	if (rc != NS_OK) {
		ns_network_free(net);
		return nspy_raise(rc);
	}
	if (!(v = PyObject_New(nspy_version, &version_type))) {
		ns_version_close(ver);
		ns_network_free(net);
		return NULL;
	}
	info = ns_version_get_info(ver);
	v->net = net;
	v->closed = 0;
	v->views = 0;
	v->number = info->number;
	v->parent = info->parent;
	v->time_ns = info->time_ns;
	v->message = PyUnicode_DecodeUTF8(info->message, (Py_ssize_t)strlen(info->message), "replace");
	ns_version_close(ver);
	v->store = (nspy_store *)Py_NewRef((PyObject *)store);
	store->versions++;
	if (!v->message) {
		Py_DECREF(v);
		return NULL;
	}
	return (PyObject *)v;
}

/* --------------------------------------------------------------- views */

static void viewbase_dealloc(PyObject *self)
{
	nspy_version *v = ((nspy_viewbase *)self)->ver;

	if (--v->views == 0 && v->closed)
		really_close(v);
	Py_DECREF(v);
	PyObject_Free(self);
}

static PyTypeObject viewbase_type = {
	PyVarObject_HEAD_INIT(NULL, 0)
	.tp_name = "nsnap._ViewBase",
	.tp_basicsize = sizeof(nspy_viewbase),
	.tp_dealloc = viewbase_dealloc,
	.tp_flags = Py_TPFLAGS_DEFAULT,
	.tp_doc = "The base of a view of a Version's array: keeps the version open.",
};

/* A read-only numpy array of @p count elements at @p data, which lives
 * until the version's network is freed. */
static PyObject *make_view(nspy_version *v, void *data, uint64_t count, ns_dtype dtype)
{
	npy_intp dims[1] = { (npy_intp)count };
	nspy_viewbase *base;
	PyObject *arr;
	int type = nspy_npy_type(dtype);

	if (type < 0)
		return nspy_raise_msg(NS_EUNSUPPORTED, "element type %d has no numpy type", (int)dtype);
	if (count == 0) {
		arr = PyArray_SimpleNew(1, dims, type);
		if (arr)
			PyArray_CLEARFLAGS((PyArrayObject *)arr, NPY_ARRAY_WRITEABLE);
		return arr;
	}
	if (!(base = PyObject_New(nspy_viewbase, &viewbase_type)))
		return NULL;
	base->ver = (nspy_version *)Py_NewRef((PyObject *)v);
	v->views++;
	arr = PyArray_New(&PyArray_Type, 1, dims, type, NULL, data, 0,
			  NPY_ARRAY_C_CONTIGUOUS | NPY_ARRAY_ALIGNED, NULL);
	if (!arr || PyArray_SetBaseObject((PyArrayObject *)arr, (PyObject *)base) < 0) {
		/* SetBaseObject steals base, even when it fails. */
		if (!arr)
			Py_DECREF(base);
		Py_XDECREF(arr);
		return NULL;
	}
	return arr;
}

/* ------------------------------------------------------------- version */

static void version_dealloc(PyObject *self)
{
	nspy_version *v = (nspy_version *)self;

	really_close(v);
	Py_XDECREF(v->message);
	PyObject_Free(self);
}

static PyObject *version_close(PyObject *self, PyObject *unused)
{
	nspy_version *v = (nspy_version *)self;

	(void)unused;
	if (v->views > 0 && v->net) {
		PyErr_Format(PyExc_BufferError, "version %llu: cannot close while %zd views of its "
			     "arrays exist (delete them first, or np.array(view) to copy)",
			     (unsigned long long)v->number, v->views);
		return NULL;
	}
	v->closed = 1;
	really_close(v);
	Py_RETURN_NONE;
}

static PyObject *version_enter(PyObject *self, PyObject *unused)
{
	(void)unused;
	if (!version_net((nspy_version *)self))
		return NULL;
	return Py_NewRef(self);
}

static PyObject *version_exit(PyObject *self, PyObject *args)
{
	nspy_version *v = (nspy_version *)self;

	(void)args;
	v->closed = 1;
	if (v->views == 0)
		really_close(v);
	Py_RETURN_FALSE;
}

static PyObject *version_getitem(PyObject *self, PyObject *key)
{
	nspy_version *v = (nspy_version *)self;
	ns_network *net = version_net(v);
	nspy_vobject *o;
	const char *name;
	ns_object *obj;

	if (!net)
		return NULL;
	if (!PyUnicode_Check(key) || !(name = PyUnicode_AsUTF8(key))) {
		if (!PyErr_Occurred())
			PyErr_SetString(PyExc_TypeError, "object names are str");
		return NULL;
	}
	if (!(obj = ns_network_object_find(net, name)))
		return nspy_raise_msg(NS_ENOTFOUND, "version %llu has no population or projection '%s'",
				      (unsigned long long)v->number, name);
	if (!(o = PyObject_New(nspy_vobject, &vobject_type)))
		return NULL;
	o->ver = (nspy_version *)Py_NewRef(self);
	o->obj = obj;
	return (PyObject *)o;
}

static Py_ssize_t version_len(PyObject *self)
{
	ns_network *net = version_net((nspy_version *)self);

	return net ? (Py_ssize_t)ns_network_object_count(net) : -1;
}

static int version_contains(PyObject *self, PyObject *key)
{
	ns_network *net = version_net((nspy_version *)self);
	const char *name;

	if (!net)
		return -1;
	if (!PyUnicode_Check(key))
		return 0;
	if (!(name = PyUnicode_AsUTF8(key)))
		return -1;
	return ns_network_object_find(net, name) != NULL;
}

static PyObject *version_keys(PyObject *self, PyObject *unused)
{
	ns_network *net = version_net((nspy_version *)self);
	PyObject *list;

	(void)unused;
	if (!net || !(list = PyList_New(0)))
		return NULL;
	for (size_t i = 0; i < ns_network_object_count(net); i++) {
		ns_object_info info;
		PyObject *s;
		ns_object_get_info(&info, ns_network_object_at(net, i));
		if (!(s = PyUnicode_FromString(info.name)) || PyList_Append(list, s) < 0) {
			Py_XDECREF(s);
			Py_DECREF(list);
			return NULL;
		}
		Py_DECREF(s);
	}
	return list;
}

static PyObject *version_iter(PyObject *self)
{
	return nspy_iter_of(version_keys(self, NULL));
}

static PyObject *version_get(PyObject *self, void *what)
{
	nspy_version *v = (nspy_version *)self;
	const char *w = what;
	ns_network *net;
	double t;
	uint64_t step;

	if (strcmp(w, "number") == 0)
		return PyLong_FromUnsignedLongLong(v->number);
	if (strcmp(w, "parent") == 0)
		return PyLong_FromUnsignedLongLong(v->parent);
	if (strcmp(w, "message") == 0)
		return Py_NewRef(v->message);
	if (strcmp(w, "time") == 0)
		return nspy_datetime(v->time_ns);
	if (strcmp(w, "time_ns") == 0)
		return PyLong_FromLongLong(v->time_ns);
	if (strcmp(w, "closed") == 0)
		return PyBool_FromLong(v->closed || !v->net);
	if (strcmp(w, "views") == 0)
		return PyLong_FromSsize_t(v->views);
	if (!(net = version_net(v)))
		return NULL;
	ns_network_time(net, &t, &step);
	if (strcmp(w, "t") == 0)
		return PyFloat_FromDouble(t);
	if (strcmp(w, "step") == 0)
		return PyLong_FromUnsignedLongLong(step);
	if (strcmp(w, "dt") == 0)
		return PyFloat_FromDouble(ns_network_dt(net));
	if (strcmp(w, "name") == 0)
		return PyUnicode_FromString(ns_network_name(net));
	if (strcmp(w, "meta") == 0) {
		PyObject *d = PyDict_New();
		for (size_t i = 0; d && i < ns_network_meta_count(net); i++) {
			const char *key, *string;
			double number;
			PyObject *val;
			ns_network_meta_at(&key, &string, &number, net, i);
			val = string ? PyUnicode_FromString(string) : PyFloat_FromDouble(number);
			if (!val || PyDict_SetItemString(d, key, val) < 0)
				Py_CLEAR(d);
			Py_XDECREF(val);
		}
		return d;
	}
	if (strcmp(w, "network_attrs") == 0) {
		PyObject *d = PyDict_New();
		for (size_t i = 0; d && i < ns_network_attr_count(net); i++) {
			ns_attr *at = ns_network_attr_at(net, i);
			ns_attr_info ai;
			PyObject *arr;
			void *data;
			int rc;
			ns_attr_get_info(&ai, at);
			if ((rc = ns_attr_data(&data, at)) != NS_OK) {
				Py_DECREF(d);
				return nspy_raise(rc);
			}
			if (!(arr = make_view(v, data, ai.count, ai.dtype)) ||
			    PyDict_SetItemString(d, ai.name, arr) < 0)
				Py_CLEAR(d);
			Py_XDECREF(arr);
		}
		return d;
	}
	return NULL;
}

static PyObject *version_repr(PyObject *self)
{
	nspy_version *v = (nspy_version *)self;

	return PyUnicode_FromFormat("<nsnap.Version %llu%s: %R>", (unsigned long long)v->number,
				    v->closed || !v->net ? " (closed)" : "", v->message);
}

static PyMethodDef version_methods[] = {
	{ "keys", version_keys, METH_NOARGS, "keys() -> names of the populations and projections." },
	{ "close", version_close, METH_NOARGS,
	  "close()\n\n"
	  "Close the version. Raises BufferError while numpy views of its arrays\n"
	  "exist (they point into the store's map). Leaving a `with` block instead\n"
	  "closes it for reading and lets live views keep it open until they go." },
	{ "__enter__", version_enter, METH_NOARGS, "Enter the context: the version." },
	{ "__exit__", version_exit, METH_VARARGS,
	  "Leave the context: close for reading; live views keep the data alive." },
	{ NULL, NULL, 0, NULL },
};

static PyGetSetDef version_getset[] = {
	{ "number", version_get, NULL, "The version's number.", "number" },
	{ "parent", version_get, NULL, "The parent's number (0 for none).", "parent" },
	{ "message", version_get, NULL, "The message.", "message" },
	{ "time", version_get, NULL, "When it was made: a UTC datetime.", "time" },
	{ "time_ns", version_get, NULL, "When it was made: ns since 1970 (UTC).", "time_ns" },
	{ "t", version_get, NULL, "The network's simulation time (ms).", "t" },
	{ "step", version_get, NULL, "The network's step count.", "step" },
	{ "dt", version_get, NULL, "The network's time step (ms).", "dt" },
	{ "name", version_get, NULL, "The network's name.", "name" },
	{ "meta", version_get, NULL, "The network dictionary (a dict).", "meta" },
	{ "network_attrs", version_get, NULL,
	  "The network-wide arrays: a dict {name: read-only view}.", "network_attrs" },
	{ "closed", version_get, NULL, "True once closed.", "closed" },
	{ "views", version_get, NULL, "Number of live numpy views of its arrays.", "views" },
	{ NULL, NULL, NULL, NULL, NULL },
};

static PyMappingMethods version_mapping = { .mp_length = version_len,
					    .mp_subscript = version_getitem };
static PySequenceMethods version_sequence = { .sq_contains = version_contains };

static PyTypeObject version_type = {
	PyVarObject_HEAD_INIT(NULL, 0)
	.tp_name = "nsnap.Version",
	.tp_basicsize = sizeof(nspy_version),
	.tp_dealloc = version_dealloc,
	.tp_repr = version_repr,
	.tp_as_mapping = &version_mapping,
	.tp_as_sequence = &version_sequence,
	.tp_iter = version_iter,
	.tp_flags = Py_TPFLAGS_DEFAULT,
	.tp_doc = "A version opened read-only by Store.open(rev); a context manager.\n\n"
		  "ver['EE'] is a VersionObject; ver['EE']['w'] a read-only numpy array that\n"
		  "views the store's map (no copy) where the array is one raw chunk, else a\n"
		  "read-only copy. A view keeps its version open: close() raises BufferError\n"
		  "while views exist, and leaving a `with` block defers the close to the\n"
		  "last view. number, parent, message, time, t, step, dt, meta describe it.",
	.tp_methods = version_methods,
	.tp_getset = version_getset,
};

/* ------------------------------------------------------ version objects */

static void vobject_dealloc(PyObject *self)
{
	Py_XDECREF(((nspy_vobject *)self)->ver);
	PyObject_Free(self);
}

/* The object, once its version is known to be open. */
static ns_object *vobject_obj(PyObject *self)
{
	nspy_vobject *o = (nspy_vobject *)self;

	return version_net(o->ver) ? o->obj : NULL;
}

static ns_attr *vobject_attr(PyObject *self, PyObject *key)
{
	ns_object *obj = vobject_obj(self);
	ns_object_info info;
	const char *name;
	ns_attr *at;

	if (!obj)
		return NULL;
	if (!PyUnicode_Check(key) || !(name = PyUnicode_AsUTF8(key))) {
		if (!PyErr_Occurred())
			PyErr_SetString(PyExc_TypeError, "attribute names are str");
		return NULL;
	}
	if ((at = ns_object_attr_find(obj, name)))
		return at;
	ns_object_get_info(&info, obj);
	nspy_raise_msg(NS_ENOTFOUND, "version %llu: %s '%s' has no attribute '%s'",
		       (unsigned long long)((nspy_vobject *)self)->ver->number,
		       ns_object_kind_name(info.kind), info.name, name);
	return NULL;
}

static PyObject *vobject_getitem(PyObject *self, PyObject *key)
{
	ns_attr *at = vobject_attr(self, key);
	ns_attr_info ai;
	void *data;
	int rc;

	if (!at)
		return NULL;
	ns_attr_get_info(&ai, at);
	if ((rc = ns_attr_data(&data, at)) != NS_OK)
		return nspy_raise(rc);
	return make_view(((nspy_vobject *)self)->ver, data, ai.count, ai.dtype);
}

static PyObject *vobject_info(PyObject *self, PyObject *key)
{
	ns_attr *at = vobject_attr(self, key);
	ns_attr_info ai;

	if (!at)
		return NULL;
	ns_attr_get_info(&ai, at);
	return Py_BuildValue("{s:s,s:s,s:s,s:K}", "kind", ns_attr_kind_name(ai.kind), "scope",
			     ns_scope_name(ai.scope), "dtype", ns_dtype_name(ai.dtype), "count",
			     (unsigned long long)ai.count);
}

static PyObject *vobject_keys(PyObject *self, PyObject *unused)
{
	ns_object *obj = vobject_obj(self);
	PyObject *list;

	(void)unused;
	if (!obj || !(list = PyList_New(0)))
		return NULL;
	for (size_t i = 0; i < ns_object_attr_count(obj); i++) {
		ns_attr_info ai;
		PyObject *s;
		ns_attr_get_info(&ai, ns_object_attr_at(obj, i));
		if (!(s = PyUnicode_FromString(ai.name)) || PyList_Append(list, s) < 0) {
			Py_XDECREF(s);
			Py_DECREF(list);
			return NULL;
		}
		Py_DECREF(s);
	}
	return list;
}

static PyObject *vobject_iter(PyObject *self)
{
	return nspy_iter_of(vobject_keys(self, NULL));
}

static Py_ssize_t vobject_len(PyObject *self)
{
	ns_object *obj = vobject_obj(self);

	return obj ? (Py_ssize_t)ns_object_attr_count(obj) : -1;
}

static int vobject_contains(PyObject *self, PyObject *key)
{
	ns_object *obj = vobject_obj(self);
	const char *name;

	if (!obj)
		return -1;
	if (!PyUnicode_Check(key))
		return 0;
	if (!(name = PyUnicode_AsUTF8(key)))
		return -1;
	return ns_object_attr_find(obj, name) != NULL;
}

static PyObject *vobject_get(PyObject *self, void *what)
{
	ns_object *obj = vobject_obj(self);
	const char *w = what;
	ns_object_info info;

	if (!obj)
		return NULL;
	ns_object_get_info(&info, obj);
	if (strcmp(w, "name") == 0)
		return PyUnicode_FromString(info.name);
	if (strcmp(w, "kind") == 0)
		return PyUnicode_FromString(ns_object_kind_name(info.kind));
	if (strcmp(w, "size") == 0)
		return PyLong_FromUnsignedLongLong(info.size);
	if (strcmp(w, "type") == 0)
		return PyUnicode_FromString(info.type);
	if (info.kind != NS_PROJECTION && strcmp(w, "shape") == 0) {
		PyObject *t = PyTuple_New(info.ndim ? (Py_ssize_t)info.ndim : 1);
		for (unsigned i = 0; t && i < (info.ndim ? info.ndim : 1); i++) {
			PyObject *e = PyLong_FromUnsignedLongLong(info.ndim ? info.shape[i] : info.size);
			if (!e) {
				Py_CLEAR(t);
				break;
			}
			PyTuple_SET_ITEM(t, (Py_ssize_t)i, e);
		}
		return t;
	}
	if (info.kind != NS_PROJECTION)
		Py_RETURN_NONE;
	if (strcmp(w, "target") == 0)
		return PyUnicode_FromString(info.target ? info.target : "");
	if (strcmp(w, "pre_population") == 0)
		return PyUnicode_FromString(info.pre);
	if (strcmp(w, "post_population") == 0)
		return PyUnicode_FromString(info.post);
	if (strcmp(w, "shape") == 0)
		Py_RETURN_NONE;
	const int32_t *pre, *post;
	ns_projection_connectivity(&pre, &post, obj);
	return make_view(((nspy_vobject *)self)->ver, (void *)(strcmp(w, "pre") == 0 ? pre : post),
			 info.size, NS_DTYPE_I32);
}

static PyObject *vobject_repr(PyObject *self)
{
	ns_object *obj = vobject_obj(self);
	ns_object_info info;

	if (!obj)
		return NULL;
	ns_object_get_info(&info, obj);
	return PyUnicode_FromFormat("<nsnap.VersionObject %s '%s' of version %llu>",
				    ns_object_kind_name(info.kind), info.name,
				    (unsigned long long)((nspy_vobject *)self)->ver->number);
}

static PyMethodDef vobject_methods[] = {
	{ "keys", vobject_keys, METH_NOARGS, "keys() -> the attribute names." },
	{ "info", vobject_info, METH_O,
	  "info(name) -> dict(kind=, scope=, dtype=, count=) of attribute `name`." },
	{ NULL, NULL, 0, NULL },
};

static PyGetSetDef vobject_getset[] = {
	{ "name", vobject_get, NULL, "The object's name.", "name" },
	{ "kind", vobject_get, NULL, "'population' or 'projection'.", "kind" },
	{ "size", vobject_get, NULL, "Neurons; for a projection, synapses.", "size" },
	{ "type", vobject_get, NULL, "The neuron or synapse type ('' when not given).", "type" },
	{ "shape", vobject_get, NULL, "Populations: the geometry (None for projections).", "shape" },
	{ "target", vobject_get, NULL, "Projections: the target (None for populations).", "target" },
	{ "pre_population", vobject_get, NULL, "Projections: the pre population's name.",
	  "pre_population" },
	{ "post_population", vobject_get, NULL, "Projections: the post population's name.",
	  "post_population" },
	{ "pre", vobject_get, NULL,
	  "Projections: the pre index of each synapse (read-only int32 view).", "pre" },
	{ "post", vobject_get, NULL,
	  "Projections: the post index of each synapse (read-only int32 view).", "post" },
	{ NULL, NULL, NULL, NULL, NULL },
};

static PyMappingMethods vobject_mapping = { .mp_length = vobject_len,
					    .mp_subscript = vobject_getitem };
static PySequenceMethods vobject_sequence = { .sq_contains = vobject_contains };

static PyTypeObject vobject_type = {
	PyVarObject_HEAD_INIT(NULL, 0)
	.tp_name = "nsnap.VersionObject",
	.tp_basicsize = sizeof(nspy_vobject),
	.tp_dealloc = vobject_dealloc,
	.tp_repr = vobject_repr,
	.tp_as_mapping = &vobject_mapping,
	.tp_as_sequence = &vobject_sequence,
	.tp_iter = vobject_iter,
	.tp_flags = Py_TPFLAGS_DEFAULT,
	.tp_doc = "A population or projection of a Version, read lazily.\n\n"
		  "obj['v'] is a read-only numpy array (a view of the store's map where\n"
		  "possible); keys(), info(name), size, kind, and for projections pre and\n"
		  "post (the connectivity, sorted by post then pre).",
	.tp_methods = vobject_methods,
	.tp_getset = vobject_getset,
};

int nspy_version_init_types(PyObject *module)
{
	if (PyType_Ready(&version_type) < 0 || PyType_Ready(&vobject_type) < 0 ||
	    PyType_Ready(&viewbase_type) < 0)
		return -1;
	if (PyModule_AddObjectRef(module, "Version", (PyObject *)&version_type) < 0 ||
	    PyModule_AddObjectRef(module, "VersionObject", (PyObject *)&vobject_type) < 0)
		return -1;
	return 0;
}
