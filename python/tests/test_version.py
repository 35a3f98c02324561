# SPDX-License-Identifier: MIT
"""nsnap.Version: lazily read, read-only, zero-copy views that can never
dangle."""
import gc
import os

import numpy as np
import pytest

import nsnap


def mapped_ranges(path):
    """The address ranges this process maps from the file `path`."""
    real = os.path.realpath(path)
    out = []
    with open("/proc/self/maps") as f:
        for line in f:
            parts = line.split()
            if len(parts) >= 6 and parts[5] == real:
                lo, hi = (int(x, 16) for x in parts[0].split("-"))
                out.append((lo, hi))
    return out


def address(a):
    return a.__array_interface__["data"][0]


@pytest.fixture
def big(store):
    """A version with a raw one-chunk array of 100,000 float64."""
    n = nsnap.Network("big")
    x = np.linspace(0.0, 1.0, 100000)
    n.add_population("P", x.size).bind("x", x)
    store.snapshot(n, message="big")
    return x


def test_version_describes_itself(store, net):
    store.snapshot(net.net, message="hello")
    with store.open("HEAD") as ver:
        assert (ver.number, ver.parent, ver.message) == (1, 0, "hello")
        assert (ver.t, ver.step, ver.dt, ver.name) == (1000.0, 10000, 0.1, "net")
        assert ver.meta == {"seed": 1.0, "model": "brunel"}
        assert ver.time.tzinfo is not None and ver.time_ns > 0
        assert list(ver) == ver.keys() == ["E", "I", "EI"] and len(ver) == 3
        assert "E" in ver and "X" not in ver
        e, p = ver["E"], ver["EI"]
        assert (e.kind, e.size, e.shape, e.type) == ("population", 100, (10, 10), "iaf")
        assert (p.kind, p.size, p.pre_population, p.post_population, p.target) == \
            ("projection", 400, "E", "I", "exc")
        assert e.keys() == ["v", "spikes", "refractory", "tau"] and len(e) == 4
        assert "v" in e and list(p) == ["w", "delay", "trace"]
        assert e.info("tau") == dict(kind="parameter", scope="global", dtype="f64", count=1)
        np.testing.assert_array_equal(e["v"], net.v)
        np.testing.assert_array_equal(e["refractory"], net.refr)
        assert e["refractory"].dtype == np.bool_ and e["spikes"].dtype == np.int32
        assert ver["I"]["v"].dtype == np.float32 and p["delay"].dtype == np.int64
        # Connectivity sorted by (post, pre), the values following it.
        order = np.lexsort((net.pre, net.post))
        np.testing.assert_array_equal(p.pre, net.pre[order])
        np.testing.assert_array_equal(p.post, net.post[order])
        np.testing.assert_array_equal(p["w"], net.w[order])
        np.testing.assert_array_equal(p["trace"], net.trace)
        with pytest.raises(nsnap.NotFoundError, match="no population or projection 'X'"):
            ver["X"]
        with pytest.raises(nsnap.NotFoundError, match="has no attribute 'nope'"):
            e["nope"]
        assert ver.network_attrs == {}
    with pytest.raises(nsnap.NotFoundError):
        store.open(7)


def test_views_are_read_only(store, net):
    store.snapshot(net.net)
    with store.open(1) as ver:
        for a in (ver["E"]["v"], ver["EI"]["w"], ver["EI"].pre, ver["E"]["tau"]):
            assert a.flags.writeable is False
            with pytest.raises(ValueError):
                a[0] = 1
            with pytest.raises(ValueError):
                a.flags.writeable = True
        del a


def test_a_raw_one_chunk_array_is_a_view_of_the_map(store, path, big):
    with store.open(1) as ver:
        a = ver["P"]["x"]
        b = ver["P"]["x"]
        assert address(a) == address(b)
        assert type(a.base).__name__ == "_ViewBase"
        ranges = mapped_ranges(path)
        assert ranges, "the store file is not mapped"
        assert any(lo <= address(a) and address(a) + a.nbytes <= hi for lo, hi in ranges)
        np.testing.assert_array_equal(a, big)
        del a, b


def test_close_with_live_views_raises_buffer_error(store, big):
    ver = store.open(1)
    a = ver["P"]["x"]
    assert ver.views == 1
    with pytest.raises(BufferError, match="1 views"):
        ver.close()
    assert not ver.closed
    np.testing.assert_array_equal(a, big)
    del a
    gc.collect()
    assert ver.views == 0
    ver.close()
    assert ver.closed
    with pytest.raises(ValueError, match="closed"):
        ver["P"]


def test_a_view_outlives_with_blocks_and_the_store(path, big):
    with nsnap.Store(path) as s:
        with s.open(1) as ver:
            a = ver["P"]["x"]
            obj = ver["P"]
        with pytest.raises(ValueError, match="closed"):
            ver["P"]
        with pytest.raises(ValueError, match="closed"):
            obj["x"]
    del s, ver, obj
    gc.collect()
    # The store and the version stay open for the view, which still reads
    # the map.
    np.testing.assert_array_equal(a, big)
    s2 = nsnap.Store(path)  # the same file: shares the handle kept alive
    assert s2.resolve("HEAD") == 1
    s2.close()
    del a
    gc.collect()
    with nsnap.Store(path) as s3:
        assert s3.resolve(1) == 1


def test_del_store_while_a_view_exists(path, big):
    s = nsnap.Store(path)
    ver = s.open(1)
    a = ver["P"]["x"]
    del s, ver
    gc.collect()
    np.testing.assert_array_equal(a, big)
    assert a.sum() == pytest.approx(big.sum())
    del a


def test_closing_the_store_defers_to_open_versions(path, big):
    s = nsnap.Store(path)
    ver = s.open(1)
    s.close()
    assert s.closed
    with pytest.raises(ValueError, match="closed"):
        s.open(1)
    np.testing.assert_array_equal(ver["P"]["x"], big)
    ver.close()
    del ver


def test_views_of_compressed_arrays_are_copies_kept_by_the_version(tmp_path):
    p = str(tmp_path / "z.nsnap")
    x = np.arange(300000, dtype=np.float64)
    with nsnap.Store(p, create=True, codec="zstd") as s:
        n = nsnap.Network()
        n.add_population("P", x.size).bind("x", x)
        s.snapshot(n)
        with s.open(1) as ver:
            a = ver["P"]["x"]
            assert address(a) == address(ver["P"]["x"])
            assert not any(lo <= address(a) < hi for lo, hi in mapped_ranges(p))
    np.testing.assert_array_equal(a, x)
    assert a.flags.writeable is False
    del a


def test_an_empty_population_gives_empty_views(store):
    n = nsnap.Network()
    n.add_population("Z", 0).bind("x", np.zeros(0))
    store.snapshot(n)
    with store.open(1) as ver:
        z = ver["Z"]["x"]
        assert z.shape == (0,) and not z.flags.writeable
    assert ver.closed


def test_network_wide_and_array_scope_arrays_round_trip(store):
    n = nsnap.Network("n")
    state = np.arange(624, dtype=np.uint8)
    n.bind("rng", state)
    p = n.add_population("A", 3)
    queue = np.array([1.5, 2.5, 3.5, 4.5, 5.5])
    p.bind("queue", queue, scope="array")
    store.snapshot(n)
    with store.open(1) as ver:
        r = ver.network_attrs["rng"]
        np.testing.assert_array_equal(r, state)
        assert r.dtype == np.uint8 and not r.flags.writeable
        np.testing.assert_array_equal(ver["A"]["queue"], queue)
        assert ver["A"].info("queue")["scope"] == "array"
        del r
    state[:] = 0
    queue[:] = 0
    rep = store.restore(1, n)
    np.testing.assert_array_equal(state, np.arange(624, dtype=np.uint8))
    np.testing.assert_array_equal(queue, [1.5, 2.5, 3.5, 4.5, 5.5])
    assert ("A", "queue", "") in rep.restored
    # A queue of another length: refused, nothing written.
    m = nsnap.Network("n")
    s2 = np.zeros(624, np.uint8)
    m.bind("rng", s2)
    m.add_population("A", 3).bind("queue", np.zeros(6), scope="array")
    with pytest.raises(nsnap.MismatchError, match="queue"):
        store.restore(1, m)
    assert not s2.any()
