/* SPDX-License-Identifier: MIT */
/* nsnap.Network: a network described in Python, its time and its
 * dictionary (nsnap.NetworkMeta). */
#include "nspy.h"

#include <string.h>

typedef struct {
	PyObject_HEAD
	nspy_network *net;
} nspy_meta;

static PyTypeObject nspy_meta_type;

int nspy_network_idle(nspy_network *n)
{
	if (n->busy) {
		nspy_raise_msg(NS_EBUSY, "network '%s': a snapshot or restore is using it in "
			       "another thread", ns_network_name(n->net));
		return -1;
	}
	return 0;
}

/* ------------------------------------------------------------ network */

static PyObject *network_new(PyTypeObject *type, PyObject *args, PyObject *kw)
{
	static char *kwlist[] = { "name", NULL };
	const char *name = "";
	nspy_network *n;
	int rc;

	if (!PyArg_ParseTupleAndKeywords(args, kw, "|s:Network", kwlist, &name))
		return NULL;
	if (!(n = (nspy_network *)type->tp_alloc(type, 0)))
		return NULL;
	if (!(n->bound = PyDict_New())) {
		Py_DECREF(n);
		return NULL;
	}
	if ((rc = ns_network_new(&n->net, name)) != NS_OK) {
		Py_DECREF(n);
		return nspy_raise(rc);
	}
	return (PyObject *)n;
}

static void network_dealloc(PyObject *self)
{
	nspy_network *n = (nspy_network *)self;

	/* The network first: it points into the bound arrays. */
	ns_network_free(n->net);
	Py_XDECREF(n->bound);
	Py_TYPE(self)->tp_free(self);
}

static int shape_from(uint64_t *shape, unsigned *ndim, PyObject *obj)
{
	PyObject *seq = PySequence_Fast(obj, "shape: expected a sequence of int");
	Py_ssize_t n;

	if (!seq)
		return -1;
	n = PySequence_Fast_GET_SIZE(seq);
	if (n < 1 || n > NS_MAX_DIMS) {
		Py_DECREF(seq);
		PyErr_Format(PyExc_ValueError, "shape: 1 to %d dimensions", NS_MAX_DIMS);
		return -1;
	}
	for (Py_ssize_t i = 0; i < n; i++) {
		unsigned long long v = PyLong_AsUnsignedLongLong(PySequence_Fast_GET_ITEM(seq, i));
		if (v == (unsigned long long)-1 && PyErr_Occurred()) {
			Py_DECREF(seq);
			return -1;
		}
		shape[i] = v;
	}
	*ndim = (unsigned)n;
	Py_DECREF(seq);
	return 0;
}

static PyObject *network_add_population(PyObject *self, PyObject *args, PyObject *kw)
{
	static char *kwlist[] = { "name", "size", "shape", "neuron_type", NULL };
	nspy_network *n = (nspy_network *)self;
	const char *name, *type = NULL;
	unsigned long long size;
	PyObject *shape_o = Py_None;
	uint64_t shape[NS_MAX_DIMS];
	unsigned ndim = 0;
	ns_object *obj;
	int rc;

	if (!PyArg_ParseTupleAndKeywords(args, kw, "sK|Oz:add_population", kwlist, &name, &size,
					 &shape_o, &type))
		return NULL;
	if (shape_o != Py_None && shape_from(shape, &ndim, shape_o) < 0)
		return NULL;
	if (nspy_network_idle(n) < 0)
		return NULL;
	if ((rc = ns_population_add(&obj, n->net, name, size, ndim ? shape : NULL, ndim, type)) != NS_OK)
		return nspy_raise(rc);
	return nspy_node_new(n, obj);
}

/* A population given as its name or as its Population object; the
 * string lives as long as @p o (or the network it belongs to). */
static const char *population_name(PyObject *o, const char *what)
{
	if (PyUnicode_Check(o))
		return PyUnicode_AsUTF8(o);
	if (PyObject_TypeCheck(o, &nspy_population_type)) {
		ns_object_info info;
		ns_object_get_info(&info, ((nspy_node *)o)->obj);
		return info.name;
	}
	PyErr_Format(PyExc_TypeError, "%s: expected a population's name or a Population, got %.100s",
		     what, Py_TYPE(o)->tp_name);
	return NULL;
}

static PyObject *network_add_projection(PyObject *self, PyObject *args, PyObject *kw)
{
	static char *kwlist[] = { "name", "pre", "post", "target", "synapse_type", NULL };
	nspy_network *n = (nspy_network *)self;
	const char *name, *pre, *post, *target = "", *type = NULL;
	PyObject *pre_o, *post_o;
	ns_object *obj;
	int rc;

	if (!PyArg_ParseTupleAndKeywords(args, kw, "sOO|zz:add_projection", kwlist, &name, &pre_o,
					 &post_o, &target, &type))
		return NULL;
	if (!(pre = population_name(pre_o, "add_projection: pre")) ||
	    !(post = population_name(post_o, "add_projection: post")) || nspy_network_idle(n) < 0)
		return NULL;
	if ((rc = ns_projection_add(&obj, n->net, name, pre, post, target, type)) != NS_OK)
		return nspy_raise(rc);
	return nspy_node_new(n, obj);
}

static PyObject *network_bind(PyObject *self, PyObject *args, PyObject *kw)
{
	static char *kwlist[] = { "name", "array", "kind", NULL };
	nspy_network *n = (nspy_network *)self;
	const char *name, *kind_s = "variable";
	PyObject *arr_obj, *key;
	PyArrayObject *a;
	int kind, dtype, rc;

	if (!PyArg_ParseTupleAndKeywords(args, kw, "sO|s:bind", kwlist, &name, &arr_obj, &kind_s))
		return NULL;
	if ((kind = nspy_parse_kind(kind_s)) < 0 ||
	    !(a = nspy_bindable(arr_obj, "network", ns_network_name(n->net), name, &dtype)) ||
	    nspy_network_idle(n) < 0)
		return NULL;
	/* Object names are never "": the key cannot clash with theirs. */
	if (!(key = Py_BuildValue("(ss)", "", name)))
		return NULL;
	if ((rc = ns_network_attr_add(NULL, n->net, name, (ns_attr_kind)kind, (ns_dtype)dtype,
				      (uint64_t)PyArray_SIZE(a), PyArray_DATA(a), 0)) != NS_OK) {
		Py_DECREF(key);
		return nspy_raise(rc);
	}
	rc = PyDict_SetItem(n->bound, key, arr_obj);
	Py_DECREF(key);
	if (rc < 0)
		return NULL;
	Py_RETURN_NONE;
}

/* {name: bound array} of the network-wide arrays. */
static PyObject *network_attrs(nspy_network *n)
{
	PyObject *d = PyDict_New();

	for (size_t i = 0; d && i < ns_network_attr_count(n->net); i++) {
		ns_attr_info ai;
		PyObject *key, *v;
		ns_attr_get_info(&ai, ns_network_attr_at(n->net, i));
		if (!(key = Py_BuildValue("(ss)", "", ai.name))) {
			Py_CLEAR(d);
			break;
		}
		v = PyDict_GetItemWithError(n->bound, key);
		Py_DECREF(key);
		if (!v || PyDict_SetItemString(d, ai.name, v) < 0)
			Py_CLEAR(d);
	}
	return d;
}

static PyObject *network_getitem(PyObject *self, PyObject *key)
{
	nspy_network *n = (nspy_network *)self;
	const char *name;
	ns_object *obj;

	if (!PyUnicode_Check(key) || !(name = PyUnicode_AsUTF8(key))) {
		if (!PyErr_Occurred())
			PyErr_SetString(PyExc_TypeError, "object names are str");
		return NULL;
	}
	if (!(obj = ns_network_object_find(n->net, name)))
		return nspy_raise_msg(NS_ENOTFOUND, "network '%s' has no population or projection '%s'",
				      ns_network_name(n->net), name);
	return nspy_node_new(n, obj);
}

static Py_ssize_t network_len(PyObject *self)
{
	return (Py_ssize_t)ns_network_object_count(((nspy_network *)self)->net);
}

static int network_contains(PyObject *self, PyObject *key)
{
	const char *name;

	if (!PyUnicode_Check(key))
		return 0;
	if (!(name = PyUnicode_AsUTF8(key)))
		return -1;
	return ns_network_object_find(((nspy_network *)self)->net, name) != NULL;
}

static PyObject *network_keys(PyObject *self, PyObject *unused)
{
	ns_network *net = ((nspy_network *)self)->net;
	size_t count = ns_network_object_count(net);
	PyObject *list = PyList_New((Py_ssize_t)count);

	(void)unused;
	for (size_t i = 0; list && i < count; i++) {
		ns_object_info info;
		PyObject *s;
		ns_object_get_info(&info, ns_network_object_at(net, i));
		if (!(s = PyUnicode_FromString(info.name))) {
			Py_CLEAR(list);
			break;
		}
		PyList_SET_ITEM(list, (Py_ssize_t)i, s);
	}
	return list;
}

static PyObject *network_iter(PyObject *self)
{
	return nspy_iter_of(network_keys(self, NULL));
}

static PyObject *network_repr(PyObject *self)
{
	ns_network *net = ((nspy_network *)self)->net;

	return PyUnicode_FromFormat("<nsnap.Network '%s' of %zu objects>", ns_network_name(net),
				    ns_network_object_count(net));
}

static PyObject *network_get(PyObject *self, void *what)
{
	nspy_network *n = (nspy_network *)self;
	const char *w = what;
	double t;
	uint64_t step;

	ns_network_time(n->net, &t, &step);
	if (strcmp(w, "t") == 0)
		return PyFloat_FromDouble(t);
	if (strcmp(w, "step") == 0)
		return PyLong_FromUnsignedLongLong(step);
	if (strcmp(w, "dt") == 0)
		return PyFloat_FromDouble(ns_network_dt(n->net));
	if (strcmp(w, "name") == 0)
		return PyUnicode_FromString(ns_network_name(n->net));
	if (strcmp(w, "network_attrs") == 0)
		return network_attrs(n);
	if (strcmp(w, "meta") == 0) {
		nspy_meta *m = PyObject_New(nspy_meta, &nspy_meta_type);
		if (m)
			m->net = (nspy_network *)Py_NewRef(self);
		return (PyObject *)m;
	}
	return NULL;
}

static int network_set(PyObject *self, PyObject *value, void *what)
{
	nspy_network *n = (nspy_network *)self;
	const char *w = what;
	double t;
	uint64_t step;

	if (!value) {
		PyErr_Format(PyExc_AttributeError, "cannot delete %s", w);
		return -1;
	}
	if (nspy_network_idle(n) < 0)
		return -1;
	ns_network_time(n->net, &t, &step);
	if (strcmp(w, "step") == 0) {
		unsigned long long v = PyLong_AsUnsignedLongLong(value);
		if (v == (unsigned long long)-1 && PyErr_Occurred())
			return -1;
		ns_network_set_time(n->net, t, v);
		return 0;
	}
	double v = PyFloat_AsDouble(value);
	if (v == -1.0 && PyErr_Occurred())
		return -1;
	if (strcmp(w, "t") == 0)
		ns_network_set_time(n->net, v, step);
	else
		ns_network_set_dt(n->net, v);
	return 0;
}

static PyMethodDef network_methods[] = {
	{ "add_population", (PyCFunction)(void (*)(void))network_add_population,
	  METH_VARARGS | METH_KEYWORDS,
	  "add_population(name, size, shape=None, neuron_type=None) -> Population\n\n"
	  "Add a population of `size` neurons; `shape` is its geometry (a tuple\n"
	  "whose product is size). Raises ExistsError for a name in use,\n"
	  "InvalidError for a bad name or geometry." },
	{ "add_projection", (PyCFunction)(void (*)(void))network_add_projection,
	  METH_VARARGS | METH_KEYWORDS,
	  "add_projection(name, pre, post, target='', synapse_type=None) -> Projection\n\n"
	  "Add a projection from population `pre` to `post` (names or Population\n"
	  "objects, which must exist). Then set_synapses() and bind its attributes." },
	{ "bind", (PyCFunction)(void (*)(void))network_bind, METH_VARARGS | METH_KEYWORDS,
	  "bind(name, array, kind='variable')\n\n"
	  "Bind a network-wide array of any length (scope 'array'): state of the\n"
	  "network itself, such as a random generator's. Borrowed, never copied,\n"
	  "as Population.bind() says; snapshot, restore, open and diff take it." },
	{ "keys", network_keys, METH_NOARGS,
	  "keys() -> list of the names of the populations and projections, in order added." },
	{ NULL, NULL, 0, NULL },
};

static PyGetSetDef network_getset[] = {
	{ "name", network_get, NULL, "The network's name.", "name" },
	{ "t", network_get, network_set, "Simulation time in ms (restore sets it).", "t" },
	{ "step", network_get, network_set, "Simulation step count (restore sets it).", "step" },
	{ "dt", network_get, network_set, "Time step in ms (0 when unknown).", "dt" },
	{ "meta", network_get, NULL,
	  "The network dictionary: net.meta['key'] = 'text' or a number.", "meta" },
	{ "network_attrs", network_get, NULL,
	  "The network-wide arrays: a dict {name: bound array}.", "network_attrs" },
	{ NULL, NULL, NULL, NULL, NULL },
};

static PyMappingMethods network_mapping = { .mp_length = network_len,
					    .mp_subscript = network_getitem };
static PySequenceMethods network_sequence = { .sq_contains = network_contains };

PyTypeObject nspy_network_type = {
	PyVarObject_HEAD_INIT(NULL, 0)
	.tp_name = "nsnap.Network",
	.tp_basicsize = sizeof(nspy_network),
	.tp_dealloc = network_dealloc,
	.tp_repr = network_repr,
	.tp_as_mapping = &network_mapping,
	.tp_as_sequence = &network_sequence,
	.tp_iter = network_iter,
	.tp_flags = Py_TPFLAGS_DEFAULT,
	.tp_doc = "Network(name='')\n\n"
		  "A network description whose attributes are bound numpy arrays: the\n"
		  "arrays are borrowed, never copied (Store.snapshot() reads them,\n"
		  "Store.restore() writes into them), and the Network keeps them alive.\n\n"
		  "    net = nsnap.Network('brunel')\n"
		  "    E = net.add_population('E', 100)\n"
		  "    v = np.zeros(100); E.bind('v', v)\n"
		  "    EE = net.add_projection('EE', 'E', 'E', target='exc')\n"
		  "    EE.set_synapses(pre, post)      # int32 arrays\n"
		  "    EE.bind('w', w)                 # one value per synapse\n\n"
		  "net['E'] is an object; len(net), iteration over names and `in` work.\n"
		  "t, step and dt are the simulation time; meta is the network dictionary.",
	.tp_methods = network_methods,
	.tp_getset = network_getset,
	.tp_new = network_new,
};

/* ---------------------------------------------------------------- meta */

static void meta_dealloc(PyObject *self)
{
	Py_XDECREF(((nspy_meta *)self)->net);
	PyObject_Free(self);
}

static PyObject *meta_value(const char *string, double number)
{
	return string ? PyUnicode_FromString(string) : PyFloat_FromDouble(number);
}

static PyObject *meta_dict(PyObject *self, PyObject *unused)
{
	ns_network *net = ((nspy_meta *)self)->net->net;
	PyObject *d = PyDict_New();

	(void)unused;
	for (size_t i = 0; d && i < ns_network_meta_count(net); i++) {
		const char *key, *string;
		double number;
		PyObject *v;
		ns_network_meta_at(&key, &string, &number, net, i);
		if (!(v = meta_value(string, number)) || PyDict_SetItemString(d, key, v) < 0)
			Py_CLEAR(d);
		Py_XDECREF(v);
	}
	return d;
}

static PyObject *meta_getitem(PyObject *self, PyObject *key)
{
	ns_network *net = ((nspy_meta *)self)->net->net;
	const char *k;

	if (!PyUnicode_Check(key) || !(k = PyUnicode_AsUTF8(key))) {
		if (!PyErr_Occurred())
			PyErr_SetString(PyExc_TypeError, "network dictionary keys are str");
		return NULL;
	}
	for (size_t i = 0; i < ns_network_meta_count(net); i++) {
		const char *key_i, *string;
		double number;
		ns_network_meta_at(&key_i, &string, &number, net, i);
		if (strcmp(key_i, k) == 0)
			return meta_value(string, number);
	}
	PyErr_SetObject(PyExc_KeyError, key);
	return NULL;
}

static int meta_setitem(PyObject *self, PyObject *key, PyObject *value)
{
	nspy_network *n = ((nspy_meta *)self)->net;
	const char *k, *s = NULL;
	double d = 0;
	int rc;

	if (!PyUnicode_Check(key) || !(k = PyUnicode_AsUTF8(key))) {
		if (!PyErr_Occurred())
			PyErr_SetString(PyExc_TypeError, "network dictionary keys are str");
		return -1;
	}
	if (!value) {
		PyErr_SetString(PyExc_TypeError, "entries of the network dictionary cannot be "
				"deleted (set another value)");
		return -1;
	}
	if (PyUnicode_Check(value)) {
		if (!(s = PyUnicode_AsUTF8(value)))
			return -1;
	} else if (PyFloat_Check(value) || PyLong_Check(value)) {
		if ((d = PyFloat_AsDouble(value)) == -1.0 && PyErr_Occurred())
			return -1;
	} else {
		PyErr_Format(PyExc_TypeError, "network dictionary '%s': a value is a str or a "
			     "number, not %.100s", k, Py_TYPE(value)->tp_name);
		return -1;
	}
	if (nspy_network_idle(n) < 0)
		return -1;
	if ((rc = ns_network_set_meta(n->net, k, s, d)) != NS_OK) {
		nspy_raise(rc);
		return -1;
	}
	return 0;
}

static Py_ssize_t meta_len(PyObject *self)
{
	return (Py_ssize_t)ns_network_meta_count(((nspy_meta *)self)->net->net);
}

static PyObject *meta_call_dict(PyObject *self, const char *method)
{
	PyObject *d = meta_dict(self, NULL), *r;

	if (!d)
		return NULL;
	r = PyObject_CallMethod(d, method, NULL);
	Py_DECREF(d);
	return r;
}

static PyObject *meta_keys(PyObject *self, PyObject *unused)
{
	(void)unused;
	return meta_call_dict(self, "keys");
}

static PyObject *meta_items(PyObject *self, PyObject *unused)
{
	(void)unused;
	return meta_call_dict(self, "items");
}

static PyObject *meta_values(PyObject *self, PyObject *unused)
{
	(void)unused;
	return meta_call_dict(self, "values");
}

static PyObject *meta_iter(PyObject *self)
{
	return nspy_iter_of(meta_dict(self, NULL));
}

static int meta_contains(PyObject *self, PyObject *key)
{
	PyObject *d = meta_dict(self, NULL);
	int r;

	if (!d)
		return -1;
	r = PyDict_Contains(d, key);
	Py_DECREF(d);
	return r;
}

static PyObject *meta_repr(PyObject *self)
{
	PyObject *d = meta_dict(self, NULL), *r;

	if (!d)
		return NULL;
	r = PyObject_Repr(d);
	Py_DECREF(d);
	return r;
}

static PyMethodDef meta_methods[] = {
	{ "keys", meta_keys, METH_NOARGS, "keys() -> the keys, as dict.keys()." },
	{ "items", meta_items, METH_NOARGS, "items() -> (key, value) pairs, as dict.items()." },
	{ "values", meta_values, METH_NOARGS, "values() -> the values, as dict.values()." },
	{ "copy", meta_dict, METH_NOARGS, "copy() -> a plain dict of the entries." },
	{ NULL, NULL, 0, NULL },
};

static PyMappingMethods meta_mapping = { .mp_length = meta_len, .mp_subscript = meta_getitem,
					 .mp_ass_subscript = meta_setitem };
static PySequenceMethods meta_sequence = { .sq_contains = meta_contains };

static PyTypeObject nspy_meta_type = {
	PyVarObject_HEAD_INIT(NULL, 0)
	.tp_name = "nsnap.NetworkMeta",
	.tp_basicsize = sizeof(nspy_meta),
	.tp_dealloc = meta_dealloc,
	.tp_repr = meta_repr,
	.tp_as_mapping = &meta_mapping,
	.tp_as_sequence = &meta_sequence,
	.tp_iter = meta_iter,
	.tp_flags = Py_TPFLAGS_DEFAULT,
	.tp_doc = "The network dictionary of a Network: str keys, str or float values.\n"
		  "Entries can be set and replaced, not deleted.",
	.tp_methods = meta_methods,
};

int nspy_network_init_types(PyObject *module)
{
	if (PyType_Ready(&nspy_network_type) < 0 || PyType_Ready(&nspy_population_type) < 0 ||
	    PyType_Ready(&nspy_projection_type) < 0 || PyType_Ready(&nspy_meta_type) < 0)
		return -1;
	if (PyModule_AddObjectRef(module, "Network", (PyObject *)&nspy_network_type) < 0 ||
	    PyModule_AddObjectRef(module, "Population", (PyObject *)&nspy_population_type) < 0 ||
	    PyModule_AddObjectRef(module, "Projection", (PyObject *)&nspy_projection_type) < 0 ||
	    PyModule_AddObjectRef(module, "NetworkMeta", (PyObject *)&nspy_meta_type) < 0)
		return -1;
	return 0;
}
