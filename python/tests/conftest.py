# SPDX-License-Identifier: MIT
"""Fixtures of the nsnap package's tests: a store in a temporary folder and
a small network whose attributes are bound numpy arrays."""
import os
import pathlib

import numpy as np
import pytest

import nsnap

# The build tree's plugins, when CTest did not say where they are.
if "NSNAP_PLUGIN_PATH" not in os.environ:
    _plugins = pathlib.Path(nsnap.__file__).resolve().parents[2] / "plugins"
    if _plugins.is_dir():
        os.environ["NSNAP_PLUGIN_PATH"] = str(_plugins)


class Net:
    """A network and the arrays bound to it."""

    def __init__(self, name="net", n_e=100, n_i=25, seed=1):
        rng = np.random.default_rng(seed)
        self.net = nsnap.Network(name)
        self.E = self.net.add_population("E", n_e, shape=(10, n_e // 10),
                                         neuron_type="iaf")
        self.I = self.net.add_population("I", n_i)
        self.v = rng.standard_normal(n_e)
        self.spikes = rng.integers(0, 100, n_e).astype(np.int32)
        self.refr = np.zeros(n_e, dtype=np.bool_)
        self.refr[::3] = True
        self.tau = np.array([10.0])
        self.E.bind("v", self.v)
        self.E.bind("spikes", self.spikes)
        self.E.bind("refractory", self.refr)
        self.E.bind("tau", self.tau, kind="parameter", scope="global")
        self.vi = rng.standard_normal(n_i).astype(np.float32)
        self.I.bind("v", self.vi)
        n_syn = 400
        # Not sorted by (post, pre): nsnap keeps its own order.
        self.pre = rng.integers(0, n_e, n_syn).astype(np.int32)
        self.post = rng.integers(0, n_i, n_syn).astype(np.int32)
        self.EI = self.net.add_projection("EI", "E", self.I, target="exc",
                                          synapse_type="stdp")
        self.EI.set_synapses(self.pre, self.post)
        self.w = rng.random(n_syn)
        self.delay = rng.integers(1, 20, n_syn).astype(np.int64)
        self.trace = rng.random(n_i)
        self.EI.bind("w", self.w)
        self.EI.bind("delay", self.delay, kind="parameter")
        self.EI.bind("trace", self.trace, scope="semiglobal")
        self.net.t = 1000.0
        self.net.step = 10000
        self.net.dt = 0.1
        self.net.meta["seed"] = float(seed)
        self.net.meta["model"] = "brunel"

    def arrays(self):
        return {"v": self.v, "spikes": self.spikes, "refractory": self.refr,
                "tau": self.tau, "vi": self.vi, "w": self.w, "delay": self.delay,
                "trace": self.trace}

    def copies(self):
        return {k: a.copy() for k, a in self.arrays().items()}

    def scramble(self):
        for a in self.arrays().values():
            if a.dtype == np.bool_:
                a[:] = ~a
            else:
                a += 7


@pytest.fixture
def path(tmp_path):
    return str(tmp_path / "run.nsnap")


@pytest.fixture
def store(path):
    s = nsnap.Store(path, create=True)
    yield s
    s.close()


@pytest.fixture
def net():
    return Net()
