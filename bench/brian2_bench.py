#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""nsnap.brian2 against Brian2's own store(filename=)/restore(filename=).

The same network for both: 20,000 E + 5,000 I neurons, 6.25M synapses
(p = 0.01) with STDP and delays, numpy target. Measured: the time of a
snapshot (first, and later ones of a learning run; in the background: the
time the simulation is blocked, and until the version is durable), of a
restore, and the bytes of 10 successive checkpoints of a learning run (Brian2 keeps one pickle
per store; nsnap keeps versions in one store, sharing unchanged chunks).
Brian2's file is fsync'd inside the timing (nsnap's commit is durable).
Each figure is the median of --reps repetitions, with its min-max.

    PYTHONPATH=build/python /usr/bin/python3 bench/brian2_bench.py [--reps 5] [--dir /tmp]
"""

import argparse
import os
import statistics
import sys
import time

import numpy as np

import brian2
from brian2 import NeuronGroup, Synapses, Network, ms, prefs, defaultclock

import nsnap
import nsnap.brian2 as nb


def build(n_e, n_i, p, seed=1):
	np.random.seed(seed)
	brian2.seed(seed)
	defaultclock.dt = 0.1 * ms
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
		      on_pre="ge += w; Apre += 0.01*mV; w = clip(w + Apost, 0*mV, 0.5*mV)",
		      on_post="Apost -= 0.0105*mV; w = clip(w + Apre, 0*mV, 0.5*mV)", name="EE")
	ee.connect(p=p)
	ee.w = "rand() * 0.25*mV"
	ee.delay = "rand() * 5*ms"
	ie = Synapses(I, P, "w : volt", on_pre="gi -= w", name="IE")
	ie.connect(p=p)
	ie.w = "rand() * 1*mV"
	ie.delay = "1*ms + rand() * 2*ms"
	return Network(P, ee, ie, name="bench")


def fsynced(path):
	fd = os.open(path, os.O_RDONLY)
	try:
		os.fsync(fd)
	finally:
		os.close(fd)


def brian_store(net, path):
	if os.path.exists(path):
		os.remove(path)   # one pickle per store: store() would read an existing one back
	t0 = time.perf_counter()
	net.store(name="default", filename=path)
	fsynced(path)
	return time.perf_counter() - t0


def brian_restore(net, path):
	t0 = time.perf_counter()
	net.restore(name="default", filename=path, restore_random_state=True)
	return time.perf_counter() - t0


def raw_write(path, buf):
	"""The floor: write+fsync of as many bytes as a snapshot stores."""
	t0 = time.perf_counter()
	with open(path, "wb") as f:
		f.write(buf)
	fsynced(path)
	t = time.perf_counter() - t0
	os.remove(path)
	return t


def med(xs):
	return "%8.0f ms (%.0f-%.0f, %d runs)" % (statistics.median(xs) * 1e3, min(xs) * 1e3,
						   max(xs) * 1e3, len(xs))


def main():
	ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
	ap.add_argument("--n", type=int, default=25000, help="neurons (4/5 excitatory)")
	ap.add_argument("--p", type=float, default=0.01, help="connection probability")
	ap.add_argument("--reps", type=int, default=5)
	ap.add_argument("--checkpoints", type=int, default=10)
	ap.add_argument("--learn-ms", type=float, default=5.0,
			help="simulated time between two checkpoints")
	ap.add_argument("--dir", default="/tmp", help="where the files go")
	ap.add_argument("--codec", default="raw", choices=("raw", "zstd"),
			help="the store's chunk codec (zstd: level 3, byte-shuffled)")
	ap.add_argument("--track-writes", action="store_true",
			help="open the stores with track_writes=True")
	o = ap.parse_args()
	prefs.codegen.target = "numpy"
	brian2.BrianLogger.log_level_error()
	n_e = o.n * 4 // 5
	t0 = time.perf_counter()
	net = build(n_e, o.n - n_e, o.p)
	net.run(1 * ms)
	n_syn = len(net["EE"]) + len(net["IE"])
	print("Brian2 %s, numpy target: %d neurons, %d synapses with STDP and delays (built in %.0f s);"
	      " nsnap's codec %s" % (brian2.__version__, o.n, n_syn, time.perf_counter() - t0, o.codec))
	store_path = os.path.join(o.dir, "brian2_bench.nsnap")
	pkl = os.path.join(o.dir, "brian2_bench.pkl")
	for p in (store_path, store_path + "-lock"):
		if os.path.exists(p):
			os.remove(p)

	b_store, b_restore, n_snap_first, n_snap_later, n_restore = [], [], [], [], []
	n_bg_blocked, n_bg_durable = [], []
	raw, raw_buf = [], None
	for r in range(o.reps):
		b_store.append(brian_store(net, pkl))
		b_restore.append(brian_restore(net, pkl))
	b_bytes = os.path.getsize(pkl)
	for r in range(o.reps):
		sp = "%s.%d" % (store_path, r)
		for p in (sp, sp + "-lock"):
			if os.path.exists(p):
				os.remove(p)
		with nsnap.Store(sp, create=True, codec=o.codec, track_writes=o.track_writes) as store:
			t0 = time.perf_counter()
			v = nb.snapshot(store, net, message="first")
			n_snap_first.append(time.perf_counter() - t0)
			if raw_buf is None:
				n_bytes = store.stats()["stored_bytes"]
				raw_buf = np.random.default_rng(1).integers(0, 255, n_bytes, dtype=np.uint8)
			raw.append(raw_write(pkl + ".raw", raw_buf))
			# a later snapshot: weights and state changed, connectivity not
			net.run(1 * ms)
			t0 = time.perf_counter()
			nb.snapshot(store, net, message="later")
			n_snap_later.append(time.perf_counter() - t0)
			# the same in the background: run() could go on once it returns.
			# Timed the second time: the first one fills the handle's
			# capture blocks, which later ones reuse.
			for k in range(2):
				net.run(1 * ms)
				t0 = time.perf_counter()
				job = nb.snapshot(store, net, message="background", background=True)
				blocked = time.perf_counter() - t0
				job.wait()
			n_bg_blocked.append(blocked)
			n_bg_durable.append(time.perf_counter() - t0)
			t0 = time.perf_counter()
			nb.restore(store, v, net)
			n_restore.append(time.perf_counter() - t0)
		for p in (sp, sp + "-lock"):
			os.remove(p)

	# 10 checkpoints of a learning run
	b_total, files = 0, []
	with nsnap.Store(store_path, create=True, codec=o.codec, track_writes=o.track_writes) as store:
		n_ck = []
		for k in range(o.checkpoints):
			net.run(o.learn_ms * ms)
			f = "%s.%d" % (pkl, k)
			brian_store(net, f)
			b_total += os.path.getsize(f)
			files.append(f)
			t0 = time.perf_counter()
			nb.snapshot(store, net, message="checkpoint %d" % k)
			n_ck.append(time.perf_counter() - t0)
		st = store.stats()
	n_total = os.path.getsize(store_path)
	for f in files + [pkl]:
		os.remove(f)

	print()
	print("  %-36s %s" % ("Brian2 store(filename=) + fsync", med(b_store)))
	print("  %-36s %s" % ("write+fsync of its %.0f MB" % (len(raw_buf) / 1e6), med(raw)))
	print("  %-36s %s" % ("nsnap snapshot, first", med(n_snap_first)))
	print("  %-36s %s" % ("nsnap snapshot, later", med(n_snap_later)))
	print("  %-36s %s" % ("nsnap snapshot, learning checkpoints", med(n_ck)))
	print("  %-36s %s" % ("nsnap background snapshot, blocked", med(n_bg_blocked)))
	print("  %-36s %s" % ("  and until durable", med(n_bg_durable)))
	print("  %-36s %s" % ("Brian2 restore(filename=)", med(b_restore)))
	print("  %-36s %s" % ("nsnap restore", med(n_restore)))
	print("  first snapshot / write+fsync of its bytes: %.2fx" % (
		statistics.median(n_snap_first) / statistics.median(raw)))
	print("  speed-up: first snapshot %.1fx, later %.1fx, background (blocked) %.1fx, restore %.1fx"
	      % (statistics.median(b_store) / statistics.median(n_snap_first),
		 statistics.median(b_store) / statistics.median(n_snap_later),
		 statistics.median(b_store) / statistics.median(n_bg_blocked),
		 statistics.median(b_restore) / statistics.median(n_restore)))
	print()
	print("  one Brian2 file: %.1f MB" % (b_bytes / 1e6))
	print("  %d checkpoints, %.0f ms apart: Brian2 %.1f MB in %d files, nsnap %.1f MB in one "
	      "store (%.2fx; %.1f MB logical, %.1f MB stored)" % (
		      o.checkpoints, o.learn_ms, b_total / 1e6, len(files), n_total / 1e6,
		      n_total / b_total, st["logical_bytes"] / 1e6, st["stored_bytes"] / 1e6))
	return 0


if __name__ == "__main__":
	sys.exit(main())
