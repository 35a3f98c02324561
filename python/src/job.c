/* SPDX-License-Identifier: MIT */
/* SnapshotJob: a snapshot committed in the background (Store.snapshot(...,
 * background=True)). It holds its Store, which counts it as a running
 * operation until wait() (so close() refuses while it runs). */
#include "nspy.h"

#include <stdlib.h>
#include <string.h>

typedef struct {
	PyObject_HEAD
	nspy_store *store;   /* NULL once waited for */
	ns_snapshot_job *job;
	uint64_t copied, version;
	int rc;              /* of the wait, once waited for */
	char *error;         /* its message, raised again by each wait() */
} nspy_job;

static PyTypeObject job_type;

PyObject *nspy_job_new(nspy_store *store, ns_snapshot_job *job)
{
	nspy_job *j = PyObject_New(nspy_job, &job_type);
	if (!j)
		return NULL;
	j->store = (nspy_store *)Py_NewRef((PyObject *)store);
	j->job = job;
	j->copied = ns_snapshot_copied(job);
	j->version = 0;
	j->rc = NS_OK;
	j->error = NULL;
	return (PyObject *)j;
}

/* End the job (the GIL released while it waits); 0, or the error code. */
static int finish(nspy_job *j)
{
	ns_snapshot_job *job = j->job;
	uint64_t v = 0;
	int rc;
	if (!job)
		return j->rc;
	j->job = NULL;
	Py_BEGIN_ALLOW_THREADS
	rc = ns_snapshot_wait(&v, job);
	Py_END_ALLOW_THREADS
	j->rc = rc;
	j->version = v;
	if (rc != NS_OK)
		j->error = strdup(ns_error_last()->message);
	j->store->busy--;
	Py_CLEAR(j->store);
	return rc;
}

static PyObject *job_wait(PyObject *self, PyObject *unused)
{
	nspy_job *j = (nspy_job *)self;
	(void)unused;
	if (finish(j) != NS_OK)
		return nspy_raise_msg(j->rc, "%s", j->error ? j->error : "out of memory");
	return PyLong_FromUnsignedLongLong(j->version);
}

static PyObject *job_get(PyObject *self, void *what)
{
	nspy_job *j = (nspy_job *)self;
	if (*(const char *)what == 'c')
		return PyLong_FromUnsignedLongLong(j->copied);
	return PyBool_FromLong(!j->job || ns_snapshot_poll(j->job) == 1);
}

static void job_dealloc(PyObject *self)
{
	nspy_job *j = (nspy_job *)self;
	if (j->job) {
		PyObject *type, *value, *tb;
		PyErr_Fetch(&type, &value, &tb);
		finish(j);
		if (PyErr_WarnEx(PyExc_ResourceWarning, "nsnap.SnapshotJob deleted before wait(): "
				 "waited for it", 1) < 0)
			PyErr_WriteUnraisable(self);
		PyErr_Restore(type, value, tb);
	}
	free(j->error);
	PyObject_Free(self);
}

static PyMethodDef job_methods[] = {
	{ "wait", job_wait, METH_NOARGS,
	  "wait()\n\nWait for the background commit to end (the GIL released) and return "
	  "the new\nversion's number, or raise its error (the same each time it is called)." },
	{ NULL, NULL, 0, NULL },
};

static PyGetSetDef job_getset[] = {
	{ "done", job_get, NULL, "True once the commit is over: wait() will not block", "d" },
	{ "copied", job_get, NULL, "bytes copied when the state was captured (the chunks the "
				   "store did not have)", "c" },
	{ NULL, NULL, NULL, NULL, NULL },
};

static PyTypeObject job_type = {
	PyVarObject_HEAD_INIT(NULL, 0)
	.tp_name = "nsnap.SnapshotJob",
	.tp_basicsize = sizeof(nspy_job),
	.tp_dealloc = job_dealloc,
	.tp_flags = Py_TPFLAGS_DEFAULT,
	.tp_doc = "A snapshot being committed in the background, from\n"
		  "Store.snapshot(net, ..., background=True): the network's arrays may\n"
		  "change as soon as that returns; the version holds the state at the call.\n"
		  "wait() gives the version (or raises); the Store refuses to close until\n"
		  "then.",
	.tp_methods = job_methods,
	.tp_getset = job_getset,
};

int nspy_job_init_types(PyObject *module)
{
	if (PyType_Ready(&job_type) < 0)
		return -1;
	return PyModule_AddObjectRef(module, "SnapshotJob", (PyObject *)&job_type);
}
