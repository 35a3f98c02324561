# SPDX-License-Identifier: MIT
"""nsnap.Store: snapshot, restore, refs, log, diff, export/import, upkeep."""
import datetime
import os

import numpy as np
import pytest

import nsnap
from conftest import Net


def assert_arrays(net, expected):
    for k, a in net.arrays().items():
        np.testing.assert_array_equal(a, expected[k], err_msg=k)


def test_restore_writes_into_the_very_bound_arrays(store, net):
    saved = net.copies()
    ids = {k: (id(a), a.__array_interface__["data"][0]) for k, a in net.arrays().items()}
    v = store.snapshot(net.net, message="first")
    assert v == 1
    net.scramble()
    net.net.t, net.net.step, net.net.dt = 0.0, 0, 1.0
    rep = store.restore(v, net.net)
    assert_arrays(net, saved)
    assert {k: (id(a), a.__array_interface__["data"][0]) for k, a in net.arrays().items()} == ids
    assert (net.net.t, net.net.step, net.net.dt) == (1000.0, 10000, 0.1)
    assert isinstance(rep, nsnap.RestoreReport) and rep.version == 1
    assert sorted(rep.restored) == sorted([
        ("E", "v", ""), ("E", "spikes", ""), ("E", "refractory", ""), ("E", "tau", ""),
        ("I", "v", ""), ("EI", "w", ""), ("EI", "delay", ""), ("EI", "trace", "")])
    assert rep.converted == [] and rep.skipped == []


def test_restore_into_a_network_that_differs_changes_nothing(store, net):
    store.snapshot(net.net)
    other = Net(n_i=30, seed=2)
    before = other.copies()
    t = other.net.t = 5.0
    with pytest.raises(nsnap.MismatchError) as e:
        store.restore(1, other.net)
    assert "I" in str(e.value) and e.value.code == -13
    assert_arrays(other, before)
    assert other.net.t == t
    # The same sizes, other synapses: the connectivity is checked.
    other = Net(seed=3)
    before = other.copies()
    with pytest.raises(nsnap.MismatchError, match="EI"):
        store.restore(1, other.net)
    assert_arrays(other, before)


def test_restore_selections_strict_convert_and_time(store, net):
    saved = net.copies()
    store.snapshot(net.net)
    net.scramble()
    rep = store.restore(1, net.net, projections=False, time=False)
    np.testing.assert_array_equal(net.v, saved["v"])
    np.testing.assert_array_equal(net.w, saved["w"] + 7)
    assert all(o != "EI" for o, _, _ in rep.restored)
    rep = store.restore(1, net.net, only=["EI"])
    np.testing.assert_array_equal(net.w, saved["w"])
    assert {o for o, _, _ in rep.restored} == {"EI"}
    with pytest.raises(nsnap.NotFoundError):
        store.restore(1, net.net, only="nothing")

    # Attributes in one side only are skipped, and with strict refused.
    n2 = nsnap.Network()
    e = n2.add_population("E", 100, shape=(10, 10))
    v = np.zeros(100)
    e.bind("v", v)
    e.bind("extra", np.zeros(100))
    rep = store.restore(1, n2, strict=False)
    np.testing.assert_array_equal(v, saved["v"])
    skipped = {(o, a) for o, a, _ in rep.skipped}
    assert ("E", "extra") in skipped and ("I", None) in skipped and ("E", "spikes") in skipped
    v[:] = 0
    with pytest.raises(nsnap.MismatchError, match="strict"):
        store.restore(1, n2, strict=True)
    assert not v.any()

    # f64 into f32 only with convert.
    n3 = nsnap.Network()
    e = n3.add_population("E", 100, shape=(10, 10))
    v32 = np.zeros(100, np.float32)
    e.bind("v", v32)
    with pytest.raises(nsnap.MismatchError):
        store.restore(1, n3)
    assert not v32.any()
    rep = store.restore(1, n3, convert=True, verify=True)
    np.testing.assert_array_equal(v32, saved["v"].astype(np.float32))
    assert rep.converted == [("E", "v", "f64 -> f32")]


def test_snapshot_options_tags_branches_and_log(store, net):
    v1 = store.snapshot(net.net, message="one", tag="t1")
    net.v += 1
    v2 = store.snapshot(net.net, message="two", branch="exp")
    v3 = store.snapshot(net.net, populations=False, message="prj only", branch="exp")
    assert (v1, v2, v3) == (1, 2, 3)
    assert store.resolve("t1") == 1 and store.resolve("exp") == 3 and store.resolve("exp~1") == 2
    assert store.resolve("main") == 1 and store.resolve(2) == 2
    with store.open(3) as ver:
        assert list(ver) == ["EI"]
    with pytest.raises(nsnap.ExistsError):
        store.snapshot(net.net, tag="t1")
    assert store.resolve("HEAD") == 1  # nothing written, still on main
    store.tag("t2", rev=2)
    store.branch("side", rev="t1")
    with pytest.raises(nsnap.ExistsError):
        store.branch("side", rev=3)
    store.branch("side", rev=3, force=True)
    assert store.resolve("side") == 3
    store.switch("exp")
    assert store.resolve("HEAD") == 3
    log = store.log()
    assert [e["number"] for e in log] == [3, 2, 1]
    e3, e2, e1 = log
    assert e1["message"] == "one" and e1["tags"] == ["t1"] and e1["branches"] == ["main"]
    assert e2["tags"] == ["t2"] and e2["parent"] == 1
    assert sorted(e3["branches"]) == ["exp", "side"] and e3["head"] and not e1["head"]
    assert isinstance(e1["time"], datetime.datetime) and e1["time"].tzinfo is not None
    assert abs((datetime.datetime.now(datetime.timezone.utc) - e1["time"]).total_seconds()) < 3600
    assert e1["logical_bytes"] > 0 and e1["arrays"] > 0
    assert [e["number"] for e in store.log(limit=2)] == [3, 2]
    with pytest.raises(ValueError):
        store.log(limit=-1)
    store.untag("t2")
    with pytest.raises(nsnap.NotFoundError):
        store.resolve("t2")
    with pytest.raises(nsnap.NotFoundError):
        store.untag("t2")
    with pytest.raises(nsnap.BusyError):
        store.delete_branch("exp")
    store.delete_branch("side")
    with pytest.raises(nsnap.NotFoundError):
        store.resolve("side")
    with pytest.raises(nsnap.InvalidError):
        store.tag("-bad")
    with pytest.raises(TypeError):
        store.resolve(1.5)


def test_diff_is_plain_data(store, net):
    store.snapshot(net.net)
    net.w[:10] += 0.5
    net.tau[0] = 20.0
    net.net.meta["model"] = "other"
    store.snapshot(net.net)
    d = store.diff(1, 2)
    assert d["equal"] is False and (d["version_a"], d["version_b"]) == (1, 2)
    w = d["objects"]["EI"]["attrs"]["w"]
    assert w["change"] == "changed" and w["changed"] == 10 and w["compared"] == 400
    assert w["max_abs"] == pytest.approx(0.5)
    assert d["objects"]["EI"]["syn_common"] == 400
    tau = d["objects"]["E"]["attrs"]["tau"]
    assert (tau["value_a"], tau["value_b"]) == (10.0, 20.0)
    assert d["objects"]["E"]["attrs"]["v"]["unread"] is True
    assert d["objects"]["E"]["attrs"]["spikes"]["integer"] is True
    # nsnap prints dictionary values as text (strings quoted).
    assert d["meta"]["model"] == {"change": "changed", "a": "'brunel'", "b": "'other'"}
    assert store.diff(1, 2, tol=1.0)["objects"]["EI"]["attrs"]["w"]["changed"] == 0
    assert list(store.diff(1, 2, only=["I"])["objects"]) == ["I"]
    assert store.diff(1, 1)["equal"] is True
    with pytest.raises(ValueError):
        store.diff(1, 2, tol=-1)
    with pytest.raises(nsnap.NotFoundError):
        store.diff(1, 9)


def test_export_and_import_round_trip(store, net, tmp_path):
    store.snapshot(net.net, message="orig")
    out = str(tmp_path / "net.nsnt")
    store.export(1, out)
    assert os.path.getsize(out) > 0
    with pytest.raises(nsnap.ExistsError):
        store.export(1, out)
    store.export("HEAD", out, overwrite=True)
    v = store.import_file(out, message="imported", tag="imp")
    assert v == 2 and store.resolve("imp") == 2
    assert store.log(limit=1)[0]["message"] == "imported"
    d = store.diff(1, 2)
    for name, o in d["objects"].items():
        assert o["change"] == "same", (name, o)
    pk = str(tmp_path / "E.pkl")
    store.export(1, pk, only="E")
    store.import_file(pk, format="pickle", branch="pk")
    with store.open("pk") as ver:
        assert "E" in ver
    with pytest.raises(nsnap.NotFoundError):
        store.import_file(str(tmp_path / "missing.pkl"))
    bad = tmp_path / "bad.bin"
    bad.write_bytes(b"\x01\x02garbage" * 10)
    with pytest.raises(nsnap.Error) as e:
        store.import_file(str(bad))
    assert "bad.bin" in str(e.value)
    with pytest.raises(nsnap.Error, match="option"):
        store.export(1, str(tmp_path / "o.nsnt"), options={"no-such-option": "1"})
    assert not (tmp_path / "o.nsnt").exists()


def test_verify_reports_damage_and_gc_stats(path, tmp_path):
    net = Net()
    marker = np.full(50000, 1.2345678901234567)
    net.net["E"].bind("marker", np.zeros(100))
    with nsnap.Store(path, create=True) as s:
        p = nsnap.Network()
        p.add_population("M", marker.size).bind("m", marker)
        s.snapshot(p)
        assert s.verify() == []
        assert s.gc() == (0, 0)
        st = s.stats()
        assert st["versions"] == 1 and st["chunks"] >= 1 and st["codec"] == "raw"
        assert st["chunk_size"] == 1 << 20 and st["file_bytes"] > marker.nbytes
    data = bytearray(open(path, "rb").read())
    at = data.find(marker[:4].tobytes())
    assert at >= 0
    data[at + 100] ^= 0xFF
    open(path, "wb").write(data)
    with nsnap.Store(path) as s:
        problems = s.verify()
        assert problems and any("'M/m'" in p for p in problems), problems
        n = nsnap.Network()
        m = np.zeros(marker.size)
        n.add_population("M", marker.size).bind("m", m)
        with pytest.raises(nsnap.CorruptError):
            s.restore(1, n, verify=True)
        assert not m.any()


def test_store_options_readonly_and_close(path, net):
    with pytest.raises(nsnap.NotFoundError):
        nsnap.Store(path)
    with pytest.raises(ValueError, match="codec 'lz4'"):
        nsnap.Store(path, create=True, codec="lz4")
    with nsnap.Store(path, create=True, codec="zstd", chunk_size=65536) as s:
        assert s.stats()["codec"] == "zstd" and s.stats()["chunk_size"] == 65536
        s.snapshot(net.net)
        assert s.path == path and not s.readonly
    assert s.closed
    with pytest.raises(ValueError, match="closed"):
        s.snapshot(net.net)
    s.close()  # twice is fine
    with nsnap.Store(path, readonly=True) as r:
        assert r.readonly and r.resolve("HEAD") == 1
        with pytest.raises(nsnap.ReadOnlyError):
            r.snapshot(net.net)
        with pytest.raises(nsnap.ReadOnlyError):
            r.tag("x")
        saved = net.copies()
        net.scramble()
        r.restore(1, net.net)
        np.testing.assert_array_equal(net.w, saved["w"])
    not_a_store = path + ".txt"
    open(not_a_store, "w").write("hello, this is not a store\n" * 100)
    with pytest.raises(nsnap.NotStoreError):
        nsnap.Store(not_a_store)


def test_two_store_objects_of_one_file_share_it(path, net):
    a = nsnap.Store(path, create=True)
    b = nsnap.Store(path)
    a.snapshot(net.net)
    assert b.resolve("HEAD") == 1
    a.close()
    assert b.snapshot(net.net) == 2
    b.close()
    with nsnap.Store(path, readonly=True) as r:
        with pytest.raises(nsnap.BusyError, match="read-only"):
            nsnap.Store(path)
        assert r.resolve("HEAD") == 2


def test_background_snapshot_holds_the_state_at_the_call(store, net):
    saved = net.copies()
    job = store.snapshot(net.net, message="in the background", background=True)
    assert isinstance(job, nsnap.SnapshotJob)
    net.scramble()  # the simulator goes on at once
    assert job.copied > 0
    with pytest.raises(nsnap.BusyError):
        store.close()  # not while the job runs
    v = job.wait()
    assert job.done and job.wait() == v == 1
    store.restore(v, net.net)
    assert_arrays(net, saved)
    # unchanged state copies nothing: its chunks are stored
    again = store.snapshot(net.net, background=True)
    assert again.copied == 0 and again.wait() == 2


def test_background_snapshot_errors_come_from_wait_each_time(store, net):
    store.snapshot(net.net, tag="t")
    job = store.snapshot(net.net, tag="t", background=True)
    for _ in range(2):
        with pytest.raises(nsnap.ExistsError, match="snapshot in the background.*'t'"):
            job.wait()
    assert [e["number"] for e in store.log()] == [1]


def test_a_job_dropped_without_wait_is_waited_for_with_a_warning(store, net):
    job = store.snapshot(net.net, background=True)
    with pytest.warns(ResourceWarning, match="deleted before wait"):
        del job
    store.close()


def test_tracked_background_snapshots_hold_each_state(tmp_path):
    path = str(tmp_path / "tracked.nsnap")
    with nsnap.Store(path, create=True, chunk_size=4096, track_writes=True) as store:
        if not store.tracking:
            pytest.skip("this kernel cannot track writes (Linux 6.7)")
        with pytest.raises(nsnap.BusyError, match="track_writes=True"):
            nsnap.Store(path)
        net = nsnap.Network("big")
        p = net.add_population("P", 200_000)
        v = np.arange(200_000, dtype=np.float64)
        p.bind("v", v)
        rng = np.random.default_rng(5)
        for r in range(8):
            # a slice, one value, or nothing, changed before each snapshot
            at = int(rng.integers(0, v.size))
            if r % 3 == 0:
                v[at:at + 3000] += 1.0
            elif r % 3 == 1:
                v[at] = -v[at]
            expected = v.copy()
            job = store.snapshot(net, background=True)
            v[int(rng.integers(0, v.size))] += 0.5  # the run goes on
            n = job.wait()
            with store.open(n) as ver:
                np.testing.assert_array_equal(ver["P"]["v"], expected, err_msg=f"round {r}")
    with nsnap.Store(path) as store:
        assert not store.tracking
