/* SPDX-License-Identifier: MIT */
/* nsnap.Population, nsnap.Projection: the objects of a Network, whose
 * attributes are bound numpy arrays (borrowed, never copied: snapshot reads
 * them, restore writes into them). */
#include "nspy.h"

#include <string.h>

PyObject *nspy_node_new(nspy_network *net, ns_object *obj)
{
	ns_object_info info;
	nspy_node *nd;

	ns_object_get_info(&info, obj);
	nd = PyObject_New(nspy_node, info.kind == NS_PROJECTION ? &nspy_projection_type
								: &nspy_population_type);
	if (!nd)
		return NULL;
	nd->net = (nspy_network *)Py_NewRef((PyObject *)net);
	nd->obj = obj;
	return (PyObject *)nd;
}

/* ------------------------------------------------------------ checking */

/* The nsnap element type of a numpy array, or -1. */
static int array_dtype(PyArrayObject *a)
{
	PyArray_Descr *d = PyArray_DESCR(a);

	switch (d->kind) {
	case 'f': return d->elsize == 8 ? NS_DTYPE_F64 : d->elsize == 4 ? NS_DTYPE_F32 : -1;
	case 'i': return d->elsize == 8 ? NS_DTYPE_I64 : d->elsize == 4 ? NS_DTYPE_I32 : -1;
	case 'u': return d->elsize == 1 ? NS_DTYPE_U8 : -1;
	case 'b': return d->elsize == 1 ? NS_DTYPE_BOOL : -1;
	}
	return -1;
}

/* A numpy array nsnap may borrow: C-contiguous, aligned, in native byte
 * order, and (when restore writes into it) writeable. */
static PyArrayObject *check_array(PyObject *obj, const char *what, int writeable)
{
	PyArrayObject *a;

	if (!PyArray_Check(obj)) {
		PyErr_Format(PyExc_TypeError, "%s: expected a numpy array, got %.100s", what,
			     Py_TYPE(obj)->tp_name);
		return NULL;
	}
	a = (PyArrayObject *)obj;
	if (!PyArray_IS_C_CONTIGUOUS(a)) {
		PyErr_Format(PyExc_ValueError, "%s: the array is not C-contiguous (bind the "
			     "array itself, not a strided view; np.ascontiguousarray() copies)", what);
		return NULL;
	}
	if (!PyArray_ISALIGNED(a) || !PyArray_ISNOTSWAPPED(a)) {
		PyErr_Format(PyExc_ValueError, "%s: the array is not aligned in native byte order",
			     what);
		return NULL;
	}
	if (writeable && !PyArray_ISWRITEABLE(a)) {
		PyErr_Format(PyExc_ValueError, "%s: the array is read-only (restore writes into "
			     "bound arrays)", what);
		return NULL;
	}
	return a;
}

static const char *const kind_names[] = { "parameter", "variable" };
static const char *const scope_names[] = { "global", "local", "semiglobal", "array" };
static int parse_choice(const char *s, const char *const *names, int n, const char *what);

PyArrayObject *nspy_bindable(PyObject *obj, const char *owner_kind, const char *owner,
			     const char *name, int *dtype)
{
	PyArrayObject *a = check_array(obj, name, 1);

	if (!a)
		return NULL;
	if ((*dtype = array_dtype(a)) < 0) {
		PyErr_Format(PyExc_TypeError, "%s '%s': attribute '%s': dtype %S is not one of "
			     "float64, float32, int64, int32, uint8, bool", owner_kind, owner, name,
			     (PyObject *)PyArray_DESCR(a));
		return NULL;
	}
	return a;
}

int nspy_parse_kind(const char *s)
{
	return parse_choice(s, kind_names, 2, "kind");
}

static int parse_choice(const char *s, const char *const *names, int n, const char *what)
{
	for (int i = 0; i < n; i++)
		if (strcmp(s, names[i]) == 0)
			return i;
	PyErr_Format(PyExc_ValueError, "%s '%s': expected one of %s", what, s,
		     n == 2 ? "'parameter', 'variable'" : "'global', 'local', 'semiglobal', 'array'");
	return -1;
}


/* --------------------------------------------------------------- nodes */

static void node_dealloc(PyObject *self)
{
	Py_XDECREF(((nspy_node *)self)->net);
	PyObject_Free(self);
}

static PyObject *bound_key(ns_object *obj, const char *attr)
{
	ns_object_info info;

	ns_object_get_info(&info, obj);
	return Py_BuildValue("(ss)", info.name, attr);
}

static PyObject *node_bind(PyObject *self, PyObject *args, PyObject *kw)
{
	static char *kwlist[] = { "name", "array", "kind", "scope", NULL };
	nspy_node *nd = (nspy_node *)self;
	const char *name, *kind_s = "variable", *scope_s = "local";
	PyObject *arr_obj, *key = NULL;
	PyArrayObject *a;
	ns_object_info info;
	uint64_t want = 0;
	int kind, scope, dtype, rc;

	if (!PyArg_ParseTupleAndKeywords(args, kw, "sO|ss:bind", kwlist, &name, &arr_obj,
					 &kind_s, &scope_s))
		return NULL;
	ns_object_get_info(&info, nd->obj);
	if ((kind = parse_choice(kind_s, kind_names, 2, "kind")) < 0 ||
	    (scope = parse_choice(scope_s, scope_names, 4, "scope")) < 0)
		return NULL;
	if (!(a = nspy_bindable(arr_obj, ns_object_kind_name(info.kind), info.name, name, &dtype)))
		return NULL;
	if (scope == NS_ARRAY) {
		if (nspy_network_idle(nd->net) < 0 || !(key = bound_key(nd->obj, name)))
			return NULL;
		rc = ns_attr_add_array(NULL, nd->obj, name, (ns_attr_kind)kind, (ns_dtype)dtype,
				       (uint64_t)PyArray_SIZE(a), PyArray_DATA(a), 0);
		goto added;
	}
	if (scope == NS_GLOBAL) {
		want = 1;
	} else if (scope == NS_LOCAL) {
		want = info.size;
	} else if (info.kind != NS_PROJECTION) {
		PyErr_Format(PyExc_ValueError, "population '%s': attribute '%s': scope "
			     "'semiglobal' is for projections (one value per post neuron)", info.name, name);
		return NULL;
	} else {
		ns_object_info post;
		ns_object_get_info(&post, ns_network_object_find(nd->net->net, info.post));
		want = post.size;
	}
	if ((uint64_t)PyArray_SIZE(a) != want) {
		PyErr_Format(PyExc_ValueError, "%s '%s': attribute '%s' (%s): the array has %zd "
			     "values, the %s needs %llu", ns_object_kind_name(info.kind), info.name, name,
			     scope_s, PyArray_SIZE(a),
			     scope == NS_GLOBAL ? "scope" : scope == NS_SEMIGLOBAL ? "post population" :
			     info.kind == NS_PROJECTION ? "projection's synapse count" : "population's size",
			     (unsigned long long)want);
		return NULL;
	}
	if (nspy_network_idle(nd->net) < 0 || !(key = bound_key(nd->obj, name)))
		return NULL;
	rc = ns_attr_add(NULL, nd->obj, name, (ns_attr_kind)kind, (ns_scope)scope, (ns_dtype)dtype,
			 PyArray_DATA(a), 0);
added:
	if (rc != NS_OK) {
		Py_DECREF(key);
		return nspy_raise(rc);
	}
	rc = PyDict_SetItem(nd->net->bound, key, arr_obj);
	Py_DECREF(key);
	if (rc < 0)
		return NULL;
	Py_RETURN_NONE;
}

static PyObject *node_getitem(PyObject *self, PyObject *key)
{
	nspy_node *nd = (nspy_node *)self;
	const char *name;
	PyObject *k, *v;

	if (!PyUnicode_Check(key) || !(name = PyUnicode_AsUTF8(key))) {
		PyErr_SetString(PyExc_TypeError, "attribute names are str");
		return NULL;
	}
	if (!(k = bound_key(nd->obj, name)))
		return NULL;
	v = PyDict_GetItemWithError(nd->net->bound, k);
	Py_DECREF(k);
	if (!v && !PyErr_Occurred()) {
		ns_object_info info;
		ns_object_get_info(&info, nd->obj);
		return nspy_raise_msg(NS_ENOTFOUND, "%s '%s' has no attribute '%s'",
				      ns_object_kind_name(info.kind), info.name, name);
	}
	return Py_XNewRef(v);
}

static Py_ssize_t node_len(PyObject *self)
{
	return (Py_ssize_t)ns_object_attr_count(((nspy_node *)self)->obj);
}

static int node_contains(PyObject *self, PyObject *key)
{
	const char *name;

	if (!PyUnicode_Check(key) || !(name = PyUnicode_AsUTF8(key)))
		return PyErr_Occurred() ? -1 : 0;
	return ns_object_attr_find(((nspy_node *)self)->obj, name) != NULL;
}

static PyObject *node_keys(PyObject *self, PyObject *unused)
{
	ns_object *obj = ((nspy_node *)self)->obj;
	size_t n = ns_object_attr_count(obj);
	PyObject *list = PyList_New((Py_ssize_t)n);

	(void)unused;
	for (size_t i = 0; list && i < n; i++) {
		ns_attr_info ai;
		PyObject *s;
		ns_attr_get_info(&ai, ns_object_attr_at(obj, i));
		if (!(s = PyUnicode_FromString(ai.name))) {
			Py_CLEAR(list);
			break;
		}
		PyList_SET_ITEM(list, (Py_ssize_t)i, s);
	}
	return list;
}

static PyObject *node_iter(PyObject *self)
{
	return nspy_iter_of(node_keys(self, NULL));
}

static PyObject *node_info(PyObject *self, PyObject *arg)
{
	nspy_node *nd = (nspy_node *)self;
	const char *name = PyUnicode_Check(arg) ? PyUnicode_AsUTF8(arg) : NULL;
	ns_attr *at;
	ns_attr_info ai;

	if (!name) {
		if (!PyErr_Occurred())
			PyErr_SetString(PyExc_TypeError, "info(name): name is a str");
		return NULL;
	}
	if (!(at = ns_object_attr_find(nd->obj, name))) {
		ns_object_info info;
		ns_object_get_info(&info, nd->obj);
		return nspy_raise_msg(NS_ENOTFOUND, "%s '%s' has no attribute '%s'",
				      ns_object_kind_name(info.kind), info.name, name);
	}
	ns_attr_get_info(&ai, at);
	return Py_BuildValue("{s:s,s:s,s:s,s:K}", "kind", ns_attr_kind_name(ai.kind), "scope",
			     ns_scope_name(ai.scope), "dtype", ns_dtype_name(ai.dtype), "count",
			     (unsigned long long)ai.count);
}

static PyObject *node_set_synapses(PyObject *self, PyObject *args, PyObject *kw)
{
	static char *kwlist[] = { "pre", "post", NULL };
	nspy_node *nd = (nspy_node *)self;
	PyObject *po, *qo, *k1 = NULL, *k2 = NULL, *ret = NULL;
	PyArrayObject *p, *q;
	ns_object_info info;
	int rc;

	if (!PyArg_ParseTupleAndKeywords(args, kw, "OO:set_synapses", kwlist, &po, &qo))
		return NULL;
	ns_object_get_info(&info, nd->obj);
	if (!(p = check_array(po, "set_synapses: pre", 0)) ||
	    !(q = check_array(qo, "set_synapses: post", 0)))
		return NULL;
	if (PyArray_TYPE(p) != NPY_INT32 || PyArray_TYPE(q) != NPY_INT32) {
		PyErr_Format(PyExc_TypeError, "projection '%s': set_synapses: pre and post must "
			     "be int32 arrays, got %S and %S", info.name, (PyObject *)PyArray_DESCR(p),
			     (PyObject *)PyArray_DESCR(q));
		return NULL;
	}
	if (PyArray_SIZE(p) != PyArray_SIZE(q)) {
		PyErr_Format(PyExc_ValueError, "projection '%s': set_synapses: pre has %zd "
			     "values, post %zd", info.name, PyArray_SIZE(p), PyArray_SIZE(q));
		return NULL;
	}
	if (nspy_network_idle(nd->net) < 0)
		return NULL;
	if (!(k1 = bound_key(nd->obj, "/pre")) || !(k2 = bound_key(nd->obj, "/post")))
		goto done;
	if ((rc = ns_projection_set_synapses(nd->obj, PyArray_DATA(p), PyArray_DATA(q),
					     (uint64_t)PyArray_SIZE(p), 0)) != NS_OK) {
		nspy_raise(rc);
		goto done;
	}
	/* nsnap now points into them: keep them alive (replacing older ones). */
	if (PyDict_SetItem(nd->net->bound, k1, po) < 0 || PyDict_SetItem(nd->net->bound, k2, qo) < 0)
		goto done;
	ret = Py_NewRef(Py_None);
done:
	Py_XDECREF(k1);
	Py_XDECREF(k2);
	return ret;
}

static PyObject *node_bound_get(nspy_node *nd, const char *which)
{
	PyObject *k = bound_key(nd->obj, which), *v;

	if (!k)
		return NULL;
	v = PyDict_GetItemWithError(nd->net->bound, k);
	Py_DECREF(k);
	if (!v && !PyErr_Occurred())
		Py_RETURN_NONE;
	return Py_XNewRef(v);
}

static PyObject *node_get(PyObject *self, void *what)
{
	nspy_node *nd = (nspy_node *)self;
	const char *w = what;
	ns_object_info info;

	ns_object_get_info(&info, nd->obj);
	if (strcmp(w, "name") == 0)
		return PyUnicode_FromString(info.name);
	if (strcmp(w, "size") == 0)
		return PyLong_FromUnsignedLongLong(info.size);
	if (strcmp(w, "kind") == 0)
		return PyUnicode_FromString(ns_object_kind_name(info.kind));
	if (strcmp(w, "type") == 0)
		return PyUnicode_FromString(info.type);
	if (strcmp(w, "target") == 0)
		return PyUnicode_FromString(info.target ? info.target : "");
	if (strcmp(w, "pre_population") == 0)
		return PyUnicode_FromString(info.pre);
	if (strcmp(w, "post_population") == 0)
		return PyUnicode_FromString(info.post);
	if (strcmp(w, "pre") == 0)
		return node_bound_get(nd, "/pre");
	if (strcmp(w, "post") == 0)
		return node_bound_get(nd, "/post");
	if (strcmp(w, "shape") == 0) {
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
	return NULL;
}

static PyObject *node_repr(PyObject *self)
{
	ns_object_info info;

	ns_object_get_info(&info, ((nspy_node *)self)->obj);
	if (info.kind == NS_PROJECTION)
		return PyUnicode_FromFormat("<nsnap.Projection '%s' %s -> %s, %llu synapses>",
					    info.name, info.pre, info.post,
					    (unsigned long long)info.size);
	return PyUnicode_FromFormat("<nsnap.Population '%s' of %llu>", info.name,
				    (unsigned long long)info.size);
}

#define BIND_DOC                                                                              \
	"bind(name, array, kind='variable', scope='local')\n\n"                                  \
	"Bind attribute `name` to `array`, which nsnap borrows (never copies):\n"                \
	"snapshot reads it, restore writes into it; the Network keeps a reference.\n"           \
	"array: C-contiguous, writeable numpy array of float64, float32, int64, int32,\n"       \
	"uint8 or bool. kind: 'variable' or 'parameter'. scope: 'local' (one value per\n"       \
	"neuron or synapse), 'global' (1 value), 'semiglobal' (projections: one per\n"          \
	"post neuron), 'array' (any length: state such as a spike queue; a restore\n"           \
	"needs the same length).\n"                                                              \
	"Raises TypeError (not an array, dtype), ValueError (not contiguous, read-only,\n"     \
	"wrong length, bad kind/scope) and ExistsError (name in use), changing nothing."

static PyMethodDef node_methods[] = {
	{ "bind", (PyCFunction)(void (*)(void))node_bind, METH_VARARGS | METH_KEYWORDS, BIND_DOC },
	{ "keys", node_keys, METH_NOARGS, "keys() -> list of the attribute names, in order added." },
	{ "info", node_info, METH_O,
	  "info(name) -> dict(kind=, scope=, dtype=, count=) of attribute `name`." },
	{ NULL, NULL, 0, NULL },
};

static PyMethodDef projection_methods[] = {
	{ "bind", (PyCFunction)(void (*)(void))node_bind, METH_VARARGS | METH_KEYWORDS, BIND_DOC },
	{ "keys", node_keys, METH_NOARGS, "keys() -> list of the attribute names, in order added." },
	{ "info", node_info, METH_O,
	  "info(name) -> dict(kind=, scope=, dtype=, count=) of attribute `name`." },
	{ "set_synapses", (PyCFunction)(void (*)(void))node_set_synapses,
	  METH_VARARGS | METH_KEYWORDS,
	  "set_synapses(pre, post)\n\n"
	  "Set the connectivity: synapse i goes from neuron pre[i] to neuron post[i].\n"
	  "Both are C-contiguous int32 arrays of the same length, bound (borrowed and\n"
	  "kept alive by the network). Set them before the local attributes; any order\n"
	  "of synapses is fine (nsnap keeps them sorted by post, then pre)." },
	{ NULL, NULL, 0, NULL },
};

static PyGetSetDef node_getset[] = {
	{ "name", node_get, NULL, "The object's name.", "name" },
	{ "size", node_get, NULL, "Neurons of a population; synapses of a projection.", "size" },
	{ "kind", node_get, NULL, "'population' or 'projection'.", "kind" },
	{ "type", node_get, NULL, "The neuron or synapse type ('' when not given).", "type" },
	{ "shape", node_get, NULL, "Populations: the geometry, a tuple.", "shape" },
	{ NULL, NULL, NULL, NULL, NULL },
};

static PyGetSetDef projection_getset[] = {
	{ "name", node_get, NULL, "The projection's name.", "name" },
	{ "size", node_get, NULL, "Number of synapses.", "size" },
	{ "kind", node_get, NULL, "'projection'.", "kind" },
	{ "type", node_get, NULL, "The synapse type ('' when not given).", "type" },
	{ "target", node_get, NULL, "The target ('' when not given), e.g. 'exc'.", "target" },
	{ "pre_population", node_get, NULL, "Name of the pre-synaptic population.", "pre_population" },
	{ "post_population", node_get, NULL, "Name of the post-synaptic population.", "post_population" },
	{ "pre", node_get, NULL, "The bound int32 array of pre indices (None before set_synapses).", "pre" },
	{ "post", node_get, NULL, "The bound int32 array of post indices (None before set_synapses).", "post" },
	{ NULL, NULL, NULL, NULL, NULL },
};

static PyMappingMethods node_mapping = { .mp_length = node_len, .mp_subscript = node_getitem };
static PySequenceMethods node_sequence = { .sq_contains = node_contains };

PyTypeObject nspy_population_type = {
	PyVarObject_HEAD_INIT(NULL, 0)
	.tp_name = "nsnap.Population",
	.tp_basicsize = sizeof(nspy_node),
	.tp_dealloc = node_dealloc,
	.tp_repr = node_repr,
	.tp_as_mapping = &node_mapping,
	.tp_as_sequence = &node_sequence,
	.tp_iter = node_iter,
	.tp_flags = Py_TPFLAGS_DEFAULT,
	.tp_doc = "A population of a Network (made by Network.add_population()).\n\n"
		  "pop['v'] is the bound array of attribute 'v'; len(), iteration and `in`\n"
		  "go over attribute names.",
	.tp_methods = node_methods,
	.tp_getset = node_getset,
};

PyTypeObject nspy_projection_type = {
	PyVarObject_HEAD_INIT(NULL, 0)
	.tp_name = "nsnap.Projection",
	.tp_basicsize = sizeof(nspy_node),
	.tp_dealloc = node_dealloc,
	.tp_repr = node_repr,
	.tp_as_mapping = &node_mapping,
	.tp_as_sequence = &node_sequence,
	.tp_iter = node_iter,
	.tp_flags = Py_TPFLAGS_DEFAULT,
	.tp_doc = "A projection of a Network (made by Network.add_projection()).\n\n"
		  "Set its synapses with set_synapses(pre, post), then bind attributes.\n"
		  "prj['w'] is the bound array of attribute 'w'.",
	.tp_methods = projection_methods,
	.tp_getset = projection_getset,
};
