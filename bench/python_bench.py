#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""The Python binding's snapshot against the C engine's, on the same arrays.

The benchmarks' network (bench/model.c's shape): E and I, 25,000 neurons,
four projections of 6.25M synapses in all (int32 pre/post sorted by post,
f64 weight and delay, values that do not repeat), bound as numpy arrays.
Each repetition snapshots it into a new store twice, in turns: through
nsnap.Store.snapshot() and through ns_snapshot() called on the very same
arrays (ctypes, here only: a handful of calls to build the C network, then
one call timed). Medians and min-max of --reps.

    PYTHONPATH=build/python /usr/bin/python3 bench/python_bench.py [--reps 7] [--dir /tmp]
"""

import argparse
import ctypes
import os
import statistics
import sys
import time

import numpy as np

import nsnap

HERE = os.path.dirname(os.path.abspath(__file__))


def model(n=25000, per_post=250, seed=1):
    rng = np.random.default_rng(seed)
    sizes = {"E": n * 4 // 5, "I": n - n * 4 // 5}
    pops = {p: (rng.standard_normal(s) - 65, rng.integers(0, 5, s, dtype=np.int32))
            for p, s in sizes.items()}
    projs = {}
    for a in sizes:
        for b in sizes:
            k = per_post * sizes[a] // n   # synapses per post neuron from a
            post = np.repeat(np.arange(sizes[b], dtype=np.int32), k)
            pre = np.sort(rng.integers(0, sizes[a], (sizes[b], k), dtype=np.int32),
                          axis=1).reshape(-1)
            projs[a + b] = (a, b, pre, post, rng.random(pre.size), 1 + 4 * rng.random(pre.size))
    return sizes, pops, projs


def python_net(sizes, pops, projs):
    net = nsnap.Network("bench")
    for p, s in sizes.items():
        pop = net.add_population(p, s)
        pop.bind("v", pops[p][0])
        pop.bind("r", pops[p][1])
    for name, (a, b, pre, post, w, d) in projs.items():
        prj = net.add_projection(name, a, b)
        prj.set_synapses(pre, post)
        prj.bind("w", w)
        prj.bind("delay", d)
    return net


class CEngine:
    """The same network through the C API, on the same memory."""

    def __init__(self, lib, sizes, pops, projs):
        self.lib = lib
        c = ctypes
        lib.ns_network_new.argtypes = [c.POINTER(c.c_void_p), c.c_char_p]
        lib.ns_population_add.argtypes = [c.c_void_p, c.c_void_p, c.c_char_p, c.c_uint64,
                                          c.c_void_p, c.c_uint, c.c_char_p]
        lib.ns_projection_add.argtypes = [c.POINTER(c.c_void_p), c.c_void_p, c.c_char_p,
                                          c.c_char_p, c.c_char_p, c.c_char_p, c.c_char_p]
        lib.ns_projection_set_synapses.argtypes = [c.c_void_p, c.c_void_p, c.c_void_p,
                                                   c.c_uint64, c.c_uint]
        lib.ns_attr_add.argtypes = [c.c_void_p, c.c_void_p, c.c_char_p, c.c_int, c.c_int,
                                    c.c_int, c.c_void_p, c.c_uint]
        lib.ns_network_object_find.argtypes = [c.c_void_p, c.c_char_p]
        lib.ns_network_object_find.restype = c.c_void_p
        lib.ns_network_free.argtypes = [c.c_void_p]
        lib.ns_store_opts_init.argtypes = [c.c_void_p, c.c_uint]
        lib.ns_store_open.argtypes = [c.POINTER(c.c_void_p), c.c_char_p, c.c_void_p]
        lib.ns_store_close.argtypes = [c.c_void_p]
        lib.ns_snapshot.argtypes = [c.c_void_p, c.c_void_p, c.c_void_p, c.c_void_p]
        net = c.c_void_p()
        self.check(lib.ns_network_new(c.byref(net), b"bench"))
        self.net = net
        F64, I32, VARIABLE, LOCAL = 1, 4, 1, 1
        for p, s in sizes.items():
            self.check(lib.ns_population_add(None, net, p.encode(), s, None, 0, None))
            obj = lib.ns_network_object_find(net, p.encode())
            self.check(lib.ns_attr_add(None, obj, b"v", VARIABLE, LOCAL, F64,
                                       pops[p][0].ctypes.data, 0))
            self.check(lib.ns_attr_add(None, obj, b"r", VARIABLE, LOCAL, I32,
                                       pops[p][1].ctypes.data, 0))
        for name, (a, b, pre, post, w, d) in projs.items():
            obj = c.c_void_p()
            self.check(lib.ns_projection_add(c.byref(obj), net, name.encode(), a.encode(),
                                             b.encode(), b"", None))
            self.check(lib.ns_projection_set_synapses(obj, pre.ctypes.data, post.ctypes.data,
                                                      pre.size, 0))
            self.check(lib.ns_attr_add(None, obj, b"w", VARIABLE, LOCAL, F64, w.ctypes.data, 0))
            self.check(lib.ns_attr_add(None, obj, b"delay", VARIABLE, LOCAL, F64,
                                       d.ctypes.data, 0))

    @staticmethod
    def check(rc):
        if rc != 0:
            raise RuntimeError("nsnap error %d" % rc)

    def snapshot(self, path):
        c = ctypes
        opts = c.create_string_buffer(256)
        self.check(self.lib.ns_store_opts_init(opts, 1))
        c.c_uint.from_buffer(opts, 4).value = 1   # flags = NS_STORE_CREATE
        store = c.c_void_p()
        self.check(self.lib.ns_store_open(c.byref(store), path.encode(), opts))
        t0 = time.perf_counter()
        rc = self.lib.ns_snapshot(None, store, self.net, None)
        t = time.perf_counter() - t0
        self.lib.ns_store_close(store)
        self.check(rc)
        return t


def remove(path):
    for p in (path, path + "-lock"):
        if os.path.exists(p):
            os.remove(p)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--reps", type=int, default=7)
    ap.add_argument("--dir", default="/tmp")
    o = ap.parse_args()
    lib = ctypes.CDLL(os.path.join(os.path.dirname(nsnap._nsnap.__file__), "..", "..",
                                   "libnsnap.so.0"))
    sizes, pops, projs = model()
    net = python_net(sizes, pops, projs)
    c_net = CEngine(lib, sizes, pops, projs)
    n_syn = sum(p[2].size for p in projs.values())
    mb = sum(a.nbytes for p in pops.values() for a in p) + \
        sum(a.nbytes for p in projs.values() for a in p[2:])
    print("%d neurons, %d synapses, %.1f MB of arrays" % (sum(sizes.values()), n_syn, mb / 1e6))
    py, cc = [], []
    path = os.path.join(o.dir, "python_bench.nsnap")
    for _ in range(o.reps):
        remove(path)
        with nsnap.Store(path, create=True) as store:
            t0 = time.perf_counter()
            store.snapshot(net)
            py.append(time.perf_counter() - t0)
        remove(path)
        cc.append(c_net.snapshot(path))
    remove(path)
    fmt = lambda xs: "%6.0f ms (%.0f-%.0f)" % (statistics.median(xs) * 1e3, min(xs) * 1e3,
                                               max(xs) * 1e3)
    print("  Python Store.snapshot()  %s" % fmt(py))
    print("  C ns_snapshot()          %s" % fmt(cc))
    print("  ratio %.3fx (Python / C, medians of %d)" % (statistics.median(py) /
                                                        statistics.median(cc), o.reps))
    return 0


if __name__ == "__main__":
    sys.exit(main())
