# SPDX-License-Identifier: MIT
"""nsnap.brian2: every piece of Brian2 state round-tripped, exact resume, mismatches refused.

The networks are small (100 neurons, a few hundred ms) so that the whole file
runs in seconds on the numpy target; the Cython target runs the exact-resume
test again when Cython and a compiler are there."""

import importlib.util

import numpy as np
import pytest

brian2 = pytest.importorskip("brian2")
import nsnap  # noqa: E402
import nsnap.brian2 as nb  # noqa: E402

from brian2 import (NeuronGroup, Synapses, PoissonGroup, SpikeGeneratorGroup, SpikeMonitor,  # noqa: E402
		    StateMonitor, PopulationRateMonitor, Network, ms, Hz, prefs, defaultclock)

brian2.BrianLogger.log_level_error()

HAVE_CYTHON = importlib.util.find_spec("Cython") is not None

TARGETS = ["numpy", pytest.param("cython", marks=pytest.mark.skipif(
	not HAVE_CYTHON, reason="the Cython target needs Debian's cython3"))]


@pytest.fixture(autouse=True)
def _numpy_target():
	prefs.codegen.target = "numpy"
	defaultclock.dt = 0.1 * ms
	yield
	prefs.codegen.target = "numpy"


def build(seed=1, delays=True, n_e=80, n_i=20, extras=True):
	"""An E-I network with STDP (and delays), Poisson drive, a spike generator
	and monitors; every object named, so a rebuild has the same names."""
	np.random.seed(seed)
	brian2.seed(seed)
	eqs = """dv/dt = (ge + gi - (v + 49*mV)) / (20*ms) : volt (unless refractory)
		 dge/dt = -ge / (5*ms) : volt
		 dgi/dt = -gi / (10*ms) : volt"""
	P = NeuronGroup(n_e + n_i, eqs, threshold="v > -50*mV", reset="v = -60*mV",
			refractory=5 * ms, method="exact", name="P")
	P.v = "-60*mV + rand() * 10*mV"
	E, I = P[:n_e], P[n_e:]
	ee = Synapses(E, P, """w : volt
			dApre/dt = -Apre / (20*ms) : volt (event-driven)
			dApost/dt = -Apost / (20*ms) : volt (event-driven)""",
		      on_pre="ge += w; Apre += 0.1*mV; w = clip(w + Apost, 0*mV, 2*mV)",
		      on_post="Apost -= 0.12*mV; w = clip(w + Apre, 0*mV, 2*mV)", name="EE")
	ee.connect(p=0.1)
	ee.w = "rand() * 2*mV"
	ii = Synapses(I, P, "w : volt", on_pre="gi -= w", name="IE")
	ii.connect(p=0.2)
	ii.w = "rand() * 3*mV"
	if delays:
		ee.delay = "rand() * 4*ms"
		ii.delay = "1*ms + rand() * 2*ms"
	objs = [P, ee, ii]
	if extras:
		poi = PoissonGroup(30, 40 * Hz, name="poi")
		sp = Synapses(poi, P, on_pre="v += 1.5*mV", delay=1 * ms, name="poiP")
		sp.connect(p=0.2)
		sg = SpikeGeneratorGroup(3, [0, 1, 2, 0, 1], [1, 5, 9, 150, 260] * ms, name="gen")
		sgp = Synapses(sg, P, on_pre="v += 5*mV", name="genP")
		sgp.connect(j="i")
		objs += [poi, sp, sg, sgp,
			 SpikeMonitor(P, name="spikes"),
			 StateMonitor(P, ["v", "ge"], record=[0, 5, 90], name="trace"),
			 PopulationRateMonitor(P, name="rate")]
	net = Network(*objs, name="ei")
	return net


def full_state(net):
	"""Brian2's own view of the state (what Network.store() keeps), plus what
	it forgets (delays) and the random state: plain numpy for comparison."""
	st = net._full_state()
	for obj in net.objects:
		if isinstance(obj, Synapses):
			for pw in obj._pathways:
				st[obj.name]["%s.delay" % pw.objname] = (pw.variables["delay"].get_value().copy(), 0)
	name, key, pos, hg, g = np.random.get_state()
	st["_numpy_random"] = (key.copy(), pos, hg, g)
	dev = brian2.get_device()
	st["_brian_random"] = (dev.rand_buffer_index.copy(), dev.randn_buffer_index.copy())
	return st


def assert_same(a, b, path=""):
	"""Bit for bit: the same keys, dtypes, shapes and bytes (NaNs equal)."""
	if isinstance(a, dict):
		assert isinstance(b, dict), path
		assert set(a) == set(b), "%s: %s" % (path, set(a) ^ set(b))
		for k in a:
			assert_same(a[k], b[k], "%s/%s" % (path, k))
	elif isinstance(a, (tuple, list)):
		assert isinstance(b, (tuple, list)) and len(a) == len(b), path
		for k, (x, y) in enumerate(zip(a, b)):
			assert_same(x, y, "%s[%d]" % (path, k))
	elif isinstance(a, np.ndarray):
		b = np.asarray(b)
		assert a.dtype == b.dtype and a.shape == b.shape, \
			"%s: %s%s vs %s%s" % (path, a.dtype, a.shape, b.dtype, b.shape)
		assert a.tobytes() == b.tobytes(), "%s: values differ" % path
	else:
		if isinstance(a, float) and isinstance(b, float) and np.isnan(a):
			assert np.isnan(b), path
		else:
			assert a == b, "%s: %r vs %r" % (path, a, b)


@pytest.fixture
def store(tmp_path):
	with nsnap.Store(str(tmp_path / "b2.nsnap"), create=True) as s:
		yield s


def queued(net, name):
	"""The number of spikes in transit in a Synapses' pre pathway."""
	state = net[name].pre.queue._full_state()
	return sum(len(s) for s in state[1])


# ---------------------------------------------------------------- round trips

def test_every_kind_of_state_comes_back_into_the_same_network(store):
	net = build()
	net.run(200 * ms)
	before = full_state(net)
	assert queued(net, "EE") + queued(net, "IE") > 0, "want spikes in transit at the snapshot"
	assert len(before["spikes"]["t"][0]) > 0 and before["trace"]["v"][0].shape[0] == 2000
	v = nb.snapshot(store, net, message="200 ms")
	net.run(50 * ms)   # changes every kind of state
	assert net.t_ != before["0_t"]
	nb.restore(store, v, net)
	assert_same(before, full_state(net))
	assert float(net.t_) == before["0_t"]


def test_a_background_snapshot_holds_the_state_while_the_run_goes_on(store):
	net = build()
	net.run(100 * ms)
	before = full_state(net)
	job = nb.snapshot(store, net, message="100 ms", background=True)
	net.run(50 * ms)   # while the commit runs
	v = job.wait()
	nb.restore(store, v, net)
	assert_same(before, full_state(net))


def test_the_version_holds_brian2s_state_in_nsnaps_model(store):
	net = build()
	net.run(100 * ms)
	v = nb.snapshot(store, net, tag="t100")
	with store.open("t100") as ver:
		assert ver.number == v
		assert ver["P"].kind == "population" and ver["P"].size == 100
		assert ver["EE"].kind == "projection"
		ee = net["EE"]
		n = len(ee)
		assert ver["EE"].size == n
		# connectivity is nsnap's: sorted by post, then pre
		pre, post = np.asarray(ver["EE"].pre), np.asarray(ver["EE"].post)
		assert np.all(np.diff(post) >= 0)
		order = np.asarray(ver["EE"]["brian2.index"])
		np.testing.assert_array_equal(pre, ee.variables["_synaptic_pre"].get_value()[order])
		np.testing.assert_array_equal(np.asarray(ver["EE"]["w"]), ee.w_[:][order])
		np.testing.assert_array_equal(np.asarray(ver["EE"]["pre.delay"]),
					      ee.pre.variables["delay"].get_value()[order])
		assert ver["P"].info("v")["scope"] == "local"
		assert ver["P"].info("_spikespace")["scope"] == "array"
		assert ver.meta["brian2.unit.P/v"] == "V"
		assert ver.meta["brian2.unit.EE/w"] == "V"
		assert np.asarray(ver.network_attrs["network.t"])[0] == net.t_
		assert np.asarray(ver.network_attrs["defaultclock.timestep"])[0] == 1000
		assert len(ver.network_attrs["random.numpy.mt19937.key"]) == 624
		np.testing.assert_array_equal(np.asarray(ver.network_attrs["spikes.i"]), net["spikes"].i[:])
		assert ver.t == pytest.approx(100.0)


def test_spikes_in_transit_come_back_exactly(store):
	net = build()
	net.run(123.4 * ms)
	q = net["EE"].pre.queue._full_state()
	assert sum(len(s) for s in q[1]) > 0
	v = nb.snapshot(store, net)
	net.run(7 * ms)
	assert net["EE"].pre.queue._full_state() != q
	nb.restore(store, v, net)
	assert net["EE"].pre.queue._full_state() == q


def test_random_state_numpy_and_brian2(store):
	net = build()
	net.run(20 * ms)
	v = nb.snapshot(store, net)
	expected = np.random.rand(5)
	np.random.rand(1000)
	nb.restore(store, v, net)
	np.testing.assert_array_equal(np.random.rand(5), expected)


def test_random_state_can_be_left_alone(store):
	net = build()
	net.run(20 * ms)
	v = nb.snapshot(store, net, random_state=False)
	st = np.random.get_state()
	nb.restore(store, v, net, random_state=False)
	assert_same(st[1], np.random.get_state()[1])


def test_poisson_and_generator_groups_and_monitors(store):
	net = build()
	net.run(155 * ms)
	gen, poi = net["gen"], net["poi"]
	want = {k: full_state(net)[k] for k in ("gen", "poi", "spikes", "trace", "rate")}
	v = nb.snapshot(store, net)
	poi.rates = 80 * Hz
	gen.set_spikes([0], [300] * ms)
	net.run(20 * ms)
	nb.restore(store, v, net)
	got = full_state(net)
	for k in want:
		assert_same(want[k], got[k], k)


# ---------------------------------------------------------------- exact resume

def continuation(delays, target="numpy", t1=300 * ms, t2=200 * ms, tmp=None, store=None):
	prefs.codegen.target = target
	a = build(seed=3, delays=delays)
	a.run(t1)
	v = nb.snapshot(store, a, message="after t1")
	a.run(t2)
	ref = full_state(a)
	ref_spikes = (a["spikes"].i[:].copy(), a["spikes"].t_[:].copy())
	return a, v, ref, ref_spikes


@pytest.mark.parametrize("delays", [True, False], ids=["delays", "no-delays"])
def test_a_fresh_network_restored_continues_exactly(store, delays):
	a, v, ref, (ri, rt) = continuation(delays, store=store)
	# another seed: other initial values AND other synapses; restore brings
	# the stored ones back (as Brian2's restore does)
	b = build(seed=99, delays=delays)
	assert len(b["EE"]) != len(a["EE"])
	nb.restore(store, v, b)
	b.run(200 * ms)
	assert_same(ref, full_state(b))
	np.testing.assert_array_equal(b["spikes"].i[:], ri)
	np.testing.assert_array_equal(b["spikes"].t_[:], rt)
	assert len(ri) > 100


def test_a_fresh_network_with_the_same_synapses_is_written_in_place(store):
	a, v, ref, _ = continuation(True, store=store)
	b = build(seed=3)
	w_before = b["EE"].variables["w"].get_value()
	nb.restore(store, v, b)
	assert b["EE"].variables["w"].get_value() is w_before or \
		np.shares_memory(b["EE"].variables["w"].get_value(), w_before)
	b.run(200 * ms)
	assert_same(ref, full_state(b))


def test_restored_into_the_same_network_several_times(store):
	"""Brian2's own bugs #681 and #938 were restores into the same network."""
	a, v, ref, (ri, rt) = continuation(True, store=store)
	for k in range(3):
		nb.restore(store, v, a)
		a.run(200 * ms)
		assert_same(ref, full_state(a))
		np.testing.assert_array_equal(a["spikes"].i[:], ri)


def test_cython_target(store, tmp_path):
	if not HAVE_CYTHON:
		pytest.skip("the Cython target needs Debian's cython3")
	a, v, ref, (ri, rt) = continuation(True, target="cython", store=store)
	b = build(seed=99)
	nb.restore(store, v, b)
	b.run(200 * ms)
	assert_same(ref, full_state(b))
	np.testing.assert_array_equal(b["spikes"].t_[:], rt)


# ---------------------------------------------------------------- mismatches

def check_refused(store, v, net, match):
	before = full_state(net)
	t = net.t_
	with pytest.raises(nsnap.MismatchError, match=match):
		nb.restore(store, v, net)
	assert net.t_ == t
	assert_same(before, full_state(net))


def test_a_group_of_another_size_is_refused_and_nothing_changes(store):
	net = build()
	net.run(50 * ms)
	v = nb.snapshot(store, net)
	other = build(n_e=81)
	other.run(10 * ms)
	check_refused(store, v, other, "P|spikes|rate|trace")


def test_a_missing_object_is_refused(store):
	net = build()
	net.run(50 * ms)
	v = nb.snapshot(store, net)
	other = build(extras=False)
	other.run(10 * ms)
	check_refused(store, v, other, "")


def _lone_group(unit):
	P = NeuronGroup(10, "dv/dt = -v / (10*ms) : %s" % unit, method="exact", name="P")
	P.v = "i * 1e-3 * %s" % ("volt" if unit == "volt" else "1")
	return Network(P, name="lone")


def test_another_unit_is_refused(store):
	net = _lone_group("volt")
	net.run(1 * ms)
	v = nb.snapshot(store, net)
	other = _lone_group("1")
	check_refused(store, v, other, "unit V in the version, 1 in the network")


def test_a_version_not_written_by_the_adapter_is_refused(store):
	nnet = nsnap.Network()
	pop = nnet.add_population("P", 100)
	pop.bind("v", np.zeros(100))
	v = store.snapshot(nnet)
	net = build()
	check_refused(store, v, net, "not written by nsnap.brian2")


def test_brian2s_python_spike_queue(store, monkeypatch):
	"""Without its C++ queue Brian2 uses a Python one, whose state differs."""
	from brian2.devices.device import RuntimeDevice
	from brian2.synapses.spikequeue import SpikeQueue as PyQueue
	monkeypatch.setattr(RuntimeDevice, "spike_queue",
			    lambda self, start, stop: PyQueue(source_start=start, source_end=stop))
	a, v, ref, (ri, rt) = continuation(True, store=store, t1=150 * ms, t2=100 * ms)
	assert isinstance(a["EE"].pre.queue, PyQueue)
	b = build(seed=5)
	nb.restore(store, v, b)
	b.run(100 * ms)
	assert_same(ref, full_state(b))
	np.testing.assert_array_equal(b["spikes"].t_[:], rt)


def test_a_snapshot_before_the_first_run_empties_the_queues(store):
	net = build()
	v = nb.snapshot(store, net)
	net.run(50 * ms)
	assert queued(net, "EE") > 0
	nb.restore(store, v, net)
	assert queued(net, "EE") == 0 and net.t_ == 0.0
	assert len(net["spikes"].t[:]) == 0
