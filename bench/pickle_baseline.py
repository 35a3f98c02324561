#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""The pickle baseline of engine_bench: how long ANNarchy's way of saving
takes for the same network, pickle.dump of numpy arrays in nested dicts to a
file (with flush and fsync, to be as durable as a snapshot), and pickle.load
of that file back.

Usage:
  pickle_baseline.py [--serve] [--reps N] PATH --pop NAME SIZE ...
                     --proj NAME PRE POST SYNAPSES ...

Every population has v (float64), r (int32) and the global parameter tau;
every projection has pre_ranks and post_ranks (int32), w and delay
(float64). The values are random: only sizes and types matter.

Alone, it times N (5) dumps and loads in turn and prints their medians.
With --serve, engine_bench drives it, so that its repetitions alternate with
the C program's: it answers one command a line on stdin,
  dump -> "dump SECONDS FILE_BYTES"    load -> "load SECONDS"
  quit (or end of input) -> "medians dump=SECONDS load=SECONDS", then exits.
It first prints "ready BYTES" (the arrays' size), or "skip REASON" and exits
with status 3 when numpy is missing.
"""
import argparse
import gzip
import os
import pickle
import statistics
import sys
import time

PROTOCOL = pickle.HIGHEST_PROTOCOL  # what ANNarchy's save() uses; 5 here


def build(args, np):
    """ANNarchy's save() layout: one dict per object, under its name."""
    rng = np.random.default_rng(42)
    data = {'obj_time': 10000, 'net_id': 0}
    nbytes = 0
    for name, size in args.pop:
        size = int(size)
        d = {'name': name, 'geometry': (size,), 'size': size,
             'attributes': ['tau', 'v', 'r'], 'parameters': ['tau'],
             'variables': ['v', 'r'],
             'tau': 10.0,
             'v': rng.normal(-65.0, 5.0, size),
             'r': rng.integers(0, 20, size, dtype=np.int32)}
        data[name] = d
        nbytes += 8 + d['v'].nbytes + d['r'].nbytes
    for name, pre, post, n in args.proj:
        n = int(n)
        n_pre, n_post = data[pre]['size'], data[post]['size']
        d = {'name': name, 'pre': pre, 'post': post, 'target': 'exc',
             'attributes': ['w', 'delay'], 'parameters': ['delay'],
             'variables': ['w'],
             'post_ranks': np.sort(rng.integers(0, n_post, n, dtype=np.int32)),
             'pre_ranks': rng.integers(0, n_pre, n, dtype=np.int32),
             'w': rng.lognormal(-2.3, 0.25, n),
             'delay': np.round(rng.uniform(1.0, 2.0, n), 1)}
        data[name] = d
        nbytes += sum(d[k].nbytes for k in ('post_ranks', 'pre_ranks', 'w', 'delay'))
    return data, nbytes


def dump(data, path, level=None):
    """One timed save into a new file; returns seconds and the file's size.
    With a gzip level, ANNarchy's .gz save: the pickle through gzip."""
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass
    t0 = time.perf_counter()
    with open(path, 'wb') as f:
        if level is None:
            pickle.dump(data, f, protocol=PROTOCOL)
        else:
            with gzip.GzipFile(fileobj=f, mode='wb', compresslevel=level) as z:
                pickle.dump(data, z, protocol=PROTOCOL)
        f.flush()
        os.fsync(f.fileno())
    t = time.perf_counter() - t0
    return t, os.path.getsize(path)


def load(path, gz=False):
    """One timed load (of a .gz: through gzip, as ANNarchy's); freeing what
    it loaded is not timed."""
    t0 = time.perf_counter()
    with gzip.open(path, 'rb') if gz else open(path, 'rb') as f:
        data = pickle.load(f)
    t = time.perf_counter() - t0
    if not isinstance(data, dict):
        raise SystemExit('pickle_baseline: %s did not load as a dict' % path)
    del data
    return t


def numpy_or_skip():
    """numpy; without it, say "skip" (the C side reports why) and exit 3."""
    try:
        import numpy as np
    except ImportError as e:
        print('skip numpy is missing for %s (%s): install python3-numpy'
              % (sys.executable, e), flush=True)
        sys.exit(3)
    return np


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('path')
    ap.add_argument('--serve', action='store_true')
    ap.add_argument('--reps', type=int, default=5)
    ap.add_argument('--pop', nargs=2, action='append', default=[],
                    metavar=('NAME', 'SIZE'))
    ap.add_argument('--proj', nargs=4, action='append', default=[],
                    metavar=('NAME', 'PRE', 'POST', 'SYNAPSES'))
    args = ap.parse_args()
    data, nbytes = build(args, numpy_or_skip())
    dumps, loads = [], []
    if args.serve:
        print('ready %d' % nbytes, flush=True)
        for line in sys.stdin:
            cmd = line.strip()
            if cmd == 'dump':
                t, size = dump(data, args.path)
                dumps.append(t)
                print('dump %.9f %d' % (t, size), flush=True)
            elif cmd == 'load':
                t = load(args.path)
                loads.append(t)
                print('load %.9f' % t, flush=True)
            elif cmd == 'quit':
                break
            else:
                print('error unknown command %r' % cmd, flush=True)
    else:
        for _ in range(args.reps):
            dumps.append(dump(data, args.path)[0])
            loads.append(load(args.path))
    med = lambda v: '%.9f' % statistics.median(v) if v else 'nan'
    try:
        print('medians dump=%s load=%s' % (med(dumps), med(loads)), flush=True)
    except BrokenPipeError:
        pass  # engine_bench stopped first: nobody to tell
    if not args.serve:
        try:
            os.unlink(args.path)
        except FileNotFoundError:
            pass


if __name__ == '__main__':
    main()
