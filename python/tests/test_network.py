# SPDX-License-Identifier: MIT
"""nsnap.Network: objects, bound arrays, argument checks."""
import numpy as np
import pytest

import nsnap


def test_objects_are_found_by_name_and_listed_in_order(net):
    n = net.net
    assert len(n) == 3
    assert list(n) == ["E", "I", "EI"] == n.keys()
    assert "EI" in n and "X" not in n and 3 not in n
    assert isinstance(n["E"], nsnap.Population)
    assert isinstance(n["EI"], nsnap.Projection)
    assert n["E"].size == 100 and n["E"].shape == (10, 10) and n["E"].type == "iaf"
    assert n["I"].shape == (25,)
    p = n["EI"]
    assert (p.pre_population, p.post_population, p.target, p.type, p.size) == \
        ("E", "I", "exc", "stdp", 400)
    assert p.kind == "projection" and n["E"].kind == "population"
    with pytest.raises(nsnap.NotFoundError, match="no population or projection 'X'"):
        n["X"]
    with pytest.raises(KeyError):
        n["X"]


def test_bound_arrays_are_the_callers_arrays(net):
    assert net.net["E"]["v"] is net.v
    assert net.net["EI"]["w"] is net.w
    assert net.net["EI"].pre is net.pre and net.net["EI"].post is net.post
    assert net.E.keys() == ["v", "spikes", "refractory", "tau"]
    assert len(net.E) == 4 and "v" in net.E and "x" not in net.E
    assert list(net.EI) == ["w", "delay", "trace"]
    assert net.E.info("tau") == dict(kind="parameter", scope="global", dtype="f64", count=1)
    assert net.EI.info("trace") == dict(kind="variable", scope="semiglobal", dtype="f64",
                                        count=25)
    assert net.I.info("v")["dtype"] == "f32"
    with pytest.raises(nsnap.NotFoundError, match="population 'E' has no attribute 'x'"):
        net.E["x"]


def test_the_network_keeps_bound_arrays_alive():
    import gc
    import sys
    n = nsnap.Network()
    p = n.add_population("P", 5)
    a = np.arange(5.0)
    before = sys.getrefcount(a)
    p.bind("x", a)
    assert sys.getrefcount(a) == before + 1
    del a
    gc.collect()
    np.testing.assert_array_equal(n["P"]["x"], np.arange(5.0))
    del n, p


def test_time_dt_and_dictionary(net):
    n = net.net
    assert (n.t, n.step, n.dt, n.name) == (1000.0, 10000, 0.1, "net")
    n.meta["x"] = 3
    assert n.meta["x"] == 3.0 and n.meta["model"] == "brunel"
    assert dict(n.meta.items()) == {"seed": 1.0, "model": "brunel", "x": 3.0}
    assert len(n.meta) == 3 and "x" in n.meta and list(n.meta) == ["seed", "model", "x"]
    n.meta["x"] = "text"
    assert n.meta.copy() == {"seed": 1.0, "model": "brunel", "x": "text"}
    with pytest.raises(TypeError):
        n.meta["y"] = [1]
    with pytest.raises(TypeError):
        del n.meta["x"]
    with pytest.raises(KeyError):
        n.meta["missing"]


@pytest.mark.parametrize("dtype", [np.float64, np.float32, np.int64, np.int32, np.uint8,
                                   np.bool_])
def test_every_element_type_binds(dtype):
    n = nsnap.Network()
    p = n.add_population("P", 4)
    p.bind("a", np.zeros(4, dtype=dtype))
    assert p.info("a")["count"] == 4


@pytest.mark.parametrize("arr, exc, msg", [
    (np.zeros(10, dtype=np.int16), TypeError, "dtype int16 is not one of"),
    (np.zeros(10, dtype=np.complex128), TypeError, "is not one of"),
    (np.zeros(20)[::2], ValueError, "not C-contiguous"),
    (np.zeros(11), ValueError, "the array has 11 values, the population's size needs 10"),
    ([0.0] * 10, TypeError, "expected a numpy array, got list"),
    (np.zeros(10).astype(">f8"), ValueError, "native byte order"),
])
def test_bad_arrays_are_refused_and_nothing_is_bound(arr, exc, msg):
    n = nsnap.Network()
    p = n.add_population("P", 10)
    with pytest.raises(exc, match=msg):
        p.bind("a", arr)
    assert "a" not in p and len(p) == 0


def test_read_only_arrays_and_bad_kinds_are_refused():
    n = nsnap.Network()
    p = n.add_population("P", 3)
    ro = np.zeros(3)
    ro.flags.writeable = False
    with pytest.raises(ValueError, match="read-only"):
        p.bind("a", ro)
    with pytest.raises(ValueError, match="kind 'state'"):
        p.bind("a", np.zeros(3), kind="state")
    with pytest.raises(ValueError, match="scope 'everywhere'"):
        p.bind("a", np.zeros(3), scope="everywhere")
    with pytest.raises(ValueError, match="needs 1"):
        p.bind("a", np.zeros(3), scope="global")
    with pytest.raises(ValueError, match="semiglobal' is for projections"):
        p.bind("a", np.zeros(3), scope="semiglobal")
    assert len(p) == 0
    p.bind("a", np.zeros(3))
    with pytest.raises(nsnap.ExistsError):
        p.bind("a", np.zeros(3))


def test_projection_lengths_follow_synapses_and_post():
    n = nsnap.Network()
    n.add_population("A", 3)
    n.add_population("B", 2)
    prj = n.add_projection("AB", "A", "B")
    assert prj.pre is None
    with pytest.raises(TypeError, match="int32"):
        prj.set_synapses(np.array([0, 1]), np.array([0, 1]))
    with pytest.raises(ValueError, match="pre has 2 values, post 1"):
        prj.set_synapses(np.array([0, 1], np.int32), np.array([0], np.int32))
    prj.set_synapses(np.array([0, 1, 2], np.int32), np.array([0, 1, 1], np.int32))
    with pytest.raises(ValueError, match="synapse count needs 3"):
        prj.bind("w", np.zeros(2))
    with pytest.raises(ValueError, match="post population needs 2"):
        prj.bind("s", np.zeros(3), scope="semiglobal")
    prj.bind("w", np.zeros(3))
    prj.bind("s", np.zeros(2), scope="semiglobal")
    assert prj.keys() == ["w", "s"]


def test_structure_errors_carry_nsnaps_message():
    n = nsnap.Network()
    n.add_population("A", 3)
    with pytest.raises(nsnap.ExistsError) as e:
        n.add_population("A", 3)
    assert e.value.code == -6 and "A" in str(e.value)
    assert isinstance(e.value, FileExistsError)
    with pytest.raises(nsnap.NotFoundError):
        n.add_projection("P", "A", "missing")
    with pytest.raises(nsnap.InvalidError):
        n.add_population("a/b", 3)
    with pytest.raises(nsnap.InvalidError):
        n.add_population("G", 10, shape=(3, 3))
    with pytest.raises(TypeError):
        n.add_projection("P", "A", 5)


def test_network_wide_arrays_and_array_scope_bind_any_length():
    n = nsnap.Network()
    rng = np.zeros(624, np.uint8)
    n.bind("rng", rng, kind="parameter")
    assert n.network_attrs["rng"] is rng
    with pytest.raises(nsnap.ExistsError):
        n.bind("rng", np.zeros(3))
    with pytest.raises(TypeError, match="network '': attribute 'x': dtype int16"):
        n.bind("x", np.zeros(3, np.int16))
    with pytest.raises(ValueError, match="kind 'state'"):
        n.bind("x", np.zeros(3), kind="state")
    p = n.add_population("A", 3)
    q = np.zeros(7)
    p.bind("queue", q, scope="array")
    assert p["queue"] is q and p.info("queue") == dict(kind="variable", scope="array",
                                                      dtype="f64", count=7)
    assert "rng" not in n and len(n) == 1
