# SPDX-License-Identifier: MIT
"""The GIL is released while nsnap works; a network stays whole while a
snapshot reads it in another thread."""
import sys
import threading

import numpy as np
import pytest

import nsnap


def count_during(call):
    """How far a counter thread gets while `call()` runs in this thread.

    With a switch interval of 100 s this thread never hands the GIL over
    by itself: the counter only moves while this thread waits, here only
    inside `call()` if it releases the GIL."""
    stop = threading.Event()
    count = [0]

    def counter():
        while not stop.is_set():
            count[0] += 1
            stop.wait(0.0005)

    old = sys.getswitchinterval()
    sys.setswitchinterval(100.0)
    t = threading.Thread(target=counter)
    try:
        t.start()
        before = count[0]
        result = call()
        during = count[0] - before
    finally:
        stop.set()
        sys.setswitchinterval(old)
        t.join()
    return during, result


@pytest.fixture
def heavy(tmp_path):
    s = nsnap.Store(str(tmp_path / "big.nsnap"), create=True, codec="zstd")
    n = nsnap.Network()
    x = np.random.default_rng(0).standard_normal(6_000_000)
    n.add_population("P", x.size).bind("x", x)
    yield s, n, x
    s.close()


def test_snapshot_and_restore_release_the_gil(heavy):
    s, n, x = heavy
    during, v = count_during(lambda: s.snapshot(n))
    assert v == 1 and during > 0
    x[:] = 0
    during, _ = count_during(lambda: s.restore(1, n))
    assert during > 0 and x.any()
    during, _ = count_during(lambda: s.verify())
    assert during > 0


def test_a_held_gil_does_not_move_the_counter():
    # The check of the test above can fail: pure Python holds the GIL.
    during, _ = count_during(lambda: sum(range(2_000_000)))
    assert during == 0


def test_a_network_being_snapshot_refuses_changes(heavy):
    s, n, x = heavy
    errors = []
    started = threading.Event()

    def change():
        started.wait()
        try:
            n.add_population("Q", 3)
        except nsnap.BusyError as e:
            errors.append(e)

    t = threading.Thread(target=change)
    t.start()
    old = sys.getswitchinterval()
    sys.setswitchinterval(100.0)
    try:
        started.set()
        s.snapshot(n)
    finally:
        sys.setswitchinterval(old)
        t.join()
    # The thread only gets the GIL while the snapshot runs without it.
    assert len(errors) == 1 and "Q" not in n
    assert "another thread" in str(errors[0])
