#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""The Python side of format_bench: ANNarchy's save() and load() of the
dict that nsnap's pickle export wrote, as pickle (`.data`) and as ANNarchy's
`.gz` (pickle.dump into gzip.open(), whose level is 9).

Usage:
  format_baseline.py [--serve] [--reps N] [--level L] PATH --source DATA

It loads DATA (nsnap's export) to have exactly the dict nsnap writes, then
writes PATH (pickle) and PATH.gz. Every write flushes and fsyncs its file
before closing it, as ns_export() does; pickle uses the highest protocol, as
ANNarchy does.

Alone, it times N (3) rounds of each command and prints their medians.
With --serve, format_bench drives it one command a line on stdin (see
bench/pickler.h), so that its repetitions alternate with the C program's:
  dump   -> "dump SECONDS FILE_BYTES"     load   -> "load SECONDS"
  gzdump -> "gzdump SECONDS FILE_BYTES"   gzload -> "gzload SECONDS"
  quit (or end of input) -> "medians ...", then it exits.
It first prints "ready SYNAPSES" (the synapses of every projection of the
dict), or "skip REASON" and exits with status 3 when numpy is missing.
"""
import argparse
import os
import pickle
import statistics
import sys

from pickle_baseline import dump, load, numpy_or_skip


def synapses(data):
    """The synapses of every projection dict: the rows of its pre_ranks."""
    return sum(sum(len(row) for row in d['pre_ranks'])
               for d in data.values() if isinstance(d, dict) and 'pre_ranks' in d)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('path')
    ap.add_argument('--source', required=True)
    ap.add_argument('--serve', action='store_true')
    ap.add_argument('--reps', type=int, default=3)
    ap.add_argument('--level', type=int, default=9)
    args = ap.parse_args()
    numpy_or_skip()  # the dict holds numpy arrays

    with open(args.source, 'rb') as f:
        data = pickle.load(f)
    gz = args.path + '.gz'
    commands = {
        'dump': lambda: dump(data, args.path),
        'load': lambda: (load(args.path), None),
        'gzdump': lambda: dump(data, gz, args.level),
        'gzload': lambda: (load(gz, gz=True), None),
    }
    times = {cmd: [] for cmd in commands}

    def run(cmd):
        t, size = commands[cmd]()
        times[cmd].append(t)
        return '%s %.9f' % (cmd, t) + ('' if size is None else ' %d' % size)

    if args.serve:
        print('ready %d' % synapses(data), flush=True)
        for line in sys.stdin:
            cmd = line.strip()
            if cmd == 'quit':
                break
            print(run(cmd) if cmd in commands else 'error unknown command %r' % cmd,
                  flush=True)
    else:
        for _ in range(args.reps):
            for cmd in commands:
                run(cmd)
    medians = ' '.join('%s=%.9f' % (cmd, statistics.median(v))
                       for cmd, v in times.items() if v)
    try:
        print('medians %s' % medians, flush=True)
    except BrokenPipeError:
        pass  # format_bench stopped first: nobody to tell
    if not args.serve:
        for p in (args.path, gz):
            try:
                os.unlink(p)
            except FileNotFoundError:
                pass


if __name__ == '__main__':
    main()
