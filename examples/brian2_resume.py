#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Exact resume of a Brian2 network through nsnap.

A Brian2 E-I network with STDP and synaptic delays runs 1 s and is
snapshotted; it continues 1 s (the reference). A fresh network, built with
another seed (other initial values, other synapses), is restored from the
snapshot and runs 1 s: the same spikes and, bit for bit, the same state as the
continuation. The first network is then restored twice more and rerun
(Brian2's own bugs #681 and #938 were restores into the same network).
It prints a table of the runs, the store's versions, and the diff of the
weights learnt in the continuation.

    PYTHONPATH=build/python /usr/bin/python3 examples/brian2_resume.py [--target cython] [--out DIR]
"""

import argparse
import os
import sys
import time

import numpy as np

import brian2
from brian2 import (NeuronGroup, Synapses, PoissonGroup, SpikeMonitor, Network, ms, Hz,
		    prefs, defaultclock)

import nsnap
import nsnap.brian2 as nb

N_E, N_I = 800, 200


def build(seed):
	"""The network; every object named, so that a rebuild has the same names."""
	np.random.seed(seed)
	brian2.seed(seed)
	defaultclock.dt = 0.1 * ms
	eqs = """dv/dt = (ge + gi - (v + 49*mV)) / (20*ms) : volt (unless refractory)
		 dge/dt = -ge / (5*ms) : volt
		 dgi/dt = -gi / (10*ms) : volt"""
	P = NeuronGroup(N_E + N_I, eqs, threshold="v > -50*mV", reset="v = -60*mV",
			refractory=5 * ms, method="exact", name="P")
	P.v = "-60*mV + rand() * 10*mV"
	E, I = P[:N_E], P[N_E:]
	ee = Synapses(E, P, """w : volt
			dApre/dt = -Apre / (20*ms) : volt (event-driven)
			dApost/dt = -Apost / (20*ms) : volt (event-driven)""",
		      on_pre="ge += w; Apre += 0.02*mV; w = clip(w + Apost, 0*mV, 1*mV)",
		      on_post="Apost -= 0.021*mV; w = clip(w + Apre, 0*mV, 1*mV)", name="EE")
	ee.connect(p=0.05)
	ee.w = "rand() * 0.5*mV"
	ee.delay = "rand() * 5*ms"
	ie = Synapses(I, P, "w : volt", on_pre="gi -= w", name="IE")
	ie.connect(p=0.1)
	ie.w = "rand() * 2*mV"
	ie.delay = "1*ms + rand() * 2*ms"
	drive = PoissonGroup(200, 15 * Hz, name="drive")
	dp = Synapses(drive, P, on_pre="v += 1.2*mV", delay=1 * ms, name="driveP")
	dp.connect(p=0.1)
	return Network(P, ee, ie, drive, dp, SpikeMonitor(P, name="spikes"), name="ei")


def state(net):
	"""Everything Brian2's store() keeps, the delays it forgets, the random state."""
	st = net._full_state()
	for obj in net.objects:
		if isinstance(obj, Synapses):
			for pw in obj._pathways:
				st[obj.name][pw.objname + ".delay"] = pw.variables["delay"].get_value().copy()
	st["numpy random"] = np.random.get_state()[1].copy()
	return st


def same(a, b):
	"""Bit for bit: the same keys, dtypes, shapes and bytes."""
	if isinstance(a, dict):
		return isinstance(b, dict) and set(a) == set(b) and all(same(a[k], b[k]) for k in a)
	if isinstance(a, (tuple, list)):
		return isinstance(b, (tuple, list)) and len(a) == len(b) and all(map(same, a, b))
	if isinstance(a, np.ndarray):
		b = np.asarray(b)
		return a.dtype == b.dtype and a.shape == b.shape and a.tobytes() == b.tobytes()
	return a == b or (a != a and b != b)


def spikes_after(net, t0):
	m = net["spikes"]
	t = m.t_[:]
	sel = t >= t0
	return m.i[:][sel].copy(), t[sel].copy()


class Run:
	def __init__(self, title, net, t0, wall):
		self.title, self.t0, self.wall = title, t0, wall
		self.i, self.t = spikes_after(net, t0)
		self.state = state(net)
		self.t1 = float(net.t_)


def main():
	ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
	ap.add_argument("--target", default="numpy", choices=("numpy", "cython"))
	ap.add_argument("--out", default=".", help="folder for the store (brian2_resume.nsnap)")
	ap.add_argument("--seconds", type=float, default=1.0, help="each run's length")
	o = ap.parse_args()
	prefs.codegen.target = o.target
	brian2.BrianLogger.log_level_error()
	T = o.seconds * brian2.second
	path = os.path.join(o.out, "brian2_resume.nsnap")
	for p in (path, path + "-lock"):
		if os.path.exists(p):
			os.remove(p)

	a = build(seed=1)
	print("Brian2 %s (%s target) on nsnap: %d E + %d I neurons, %d EE + %d IE synapses with "
	      "STDP and delays" % (brian2.__version__, o.target, N_E, N_I, len(a["EE"]), len(a["IE"])))
	runs, costs = [], []
	with nsnap.Store(path, create=True) as store:
		w0 = time.perf_counter()
		a.run(T)
		print("  simulated %.1f s in %.1f s" % (o.seconds, time.perf_counter() - w0))
		c0 = time.perf_counter()
		v_stored = nb.snapshot(store, a, message="after %.0f ms" % (o.seconds * 1e3), tag="stored")
		costs.append((v_stored, time.perf_counter() - c0))
		t_snap = float(a.t_)

		w0 = time.perf_counter()
		a.run(T)
		runs.append(Run("continued (uninterrupted)", a, t_snap, time.perf_counter() - w0))
		c0 = time.perf_counter()
		v_cont = nb.snapshot(store, a, message="continued to %.0f ms" % (2 * o.seconds * 1e3),
				     tag="continued")
		costs.append((v_cont, time.perf_counter() - c0))
		ref = runs[0]

		b = build(seed=2)   # other initial values, other synapses
		n_b = len(b["EE"])
		r0 = time.perf_counter()
		nb.restore(store, "stored", b)
		t_restore = time.perf_counter() - r0
		w0 = time.perf_counter()
		b.run(T)
		runs.append(Run("fresh network (seed 2, %d EE), restored" % n_b, b, t_snap,
				time.perf_counter() - w0))
		c0 = time.perf_counter()
		v_res = nb.snapshot(store, b, message="resumed exactly, to %.0f ms"
				    % (2 * o.seconds * 1e3), branch=None)
		costs.append((v_res, time.perf_counter() - c0))
		store.tag("resumed", v_res)

		for k in (1, 2):
			nb.restore(store, "stored", a)
			w0 = time.perf_counter()
			a.run(T)
			runs.append(Run("same network, restore %d" % k, a, t_snap, time.perf_counter() - w0))

		print()
		print("  %-46s %11s %7s %7s %7s  %-9s %-9s" % ("run", "time [ms]", "spikes", "E [Hz]",
								  "I [Hz]", "spikes", "state"))
		ok = True
		for k, r in enumerate(runs):
			e = np.count_nonzero(r.i < N_E) / (N_E * o.seconds)
			i = np.count_nonzero(r.i >= N_E) / (N_I * o.seconds)
			sp = k == 0 or (np.array_equal(r.i, ref.i) and np.array_equal(r.t, ref.t))
			st = k == 0 or same(ref.state, r.state)
			ok = ok and sp and st
			print("  %d %-44s %5.0f-%-5.0f %7d %7.2f %7.2f  %-9s %-9s" % (
				k + 1, r.title, r.t0 * 1e3, r.t1 * 1e3, len(r.i), e, i,
				"" if k == 0 else ("same" if sp else "DIFFER"),
				"" if k == 0 else ("same" if st else "DIFFER")))
		print("  (spikes and state compared with run 1: every variable, delays, spikes in "
		      "transit, clocks, random state; bit for bit)")
		print("  restore into the fresh network: %.0f ms" % (t_restore * 1e3))
		print()
		for entry in reversed(store.log()):
			cost = dict(costs).get(entry["number"])
			print("    version %d: %-30s %-10s %7.2f MB logical, %7.2f MB new, snapshot %4.0f ms"
			      % (entry["number"], entry["message"] or "", ",".join(entry["tags"]),
				 entry["logical_bytes"] / 1e6, entry["new_bytes"] / 1e6,
				 cost * 1e3 if cost is not None else float("nan")))
		st = store.stats()
		print("  store %s: %d versions, file %.2f MB; %.2f MB logical in all, %.2f MB stored "
		      "in %d chunks" % (path, st["versions"], st["file_bytes"] / 1e6,
					st["logical_bytes"] / 1e6, st["stored_bytes"] / 1e6, st["chunks"]))
		print()
		d = store.diff("stored", "continued", only=["EE"])
		print("  nsnap diff stored continued (EE: the weights learnt in the continuation)")
		print_diff(d, "EE", "w")
		d2 = store.diff("continued", "resumed")
		print("  nsnap diff continued resumed: %s" % ("equal" if d2.get("equal") else "DIFFER"))
		ok = ok and bool(d2.get("equal"))
	print("\n  exact resume: %s" % ("yes, spike for spike and bit for bit" if ok else "NO"))
	return 0 if ok else 1


def print_diff(d, obj, attr):
	"""The diff's entry for obj/attr (store.diff returns plain dicts)."""
	a = d["objects"][obj]["attrs"][attr]
	print("    %s/%s: %d of %d synapses changed, max |dw| %.4f mV, mean dw %+.5f mV, rms %.5f mV"
	      % (obj, attr, a["changed"], a["compared"], a["max_abs"] * 1e3, a["mean"] * 1e3,
		 a["rms"] * 1e3))


if __name__ == "__main__":
	sys.exit(main())
