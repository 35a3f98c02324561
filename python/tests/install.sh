#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Install the build into a temporary prefix and use the nsnap package from
# there as a user would (PYTHONUSERBASE=<prefix>, the user site-packages of
# Debian's python3): it must find the installed libnsnap through its rpath
# and the installed plugins, with nothing from the build tree.
# Usage: install.sh BUILD_DIR PYTHON WORK_DIR
set -euo pipefail
build=$1 python=$2 work=$3
rm -rf "$work"
mkdir -p "$work"
prefix=$work/prefix
cmake --install "$build" --prefix "$prefix" >/dev/null
unset PYTHONPATH LD_LIBRARY_PATH NSNAP_PLUGIN_PATH
cd "$work"
PYTHONUSERBASE=$prefix PYTHONDONTWRITEBYTECODE=1 "$python" - "$prefix" <<'PY'
import os, sys
import numpy as np
import nsnap

prefix = os.path.realpath(sys.argv[1])
assert os.path.realpath(nsnap.__file__).startswith(prefix), nsnap.__file__
libs = {l.split()[-1] for l in open("/proc/self/maps") if "libnsnap.so" in l}
assert libs and all(os.path.realpath(l).startswith(prefix) for l in libs), libs
net = nsnap.Network("n")
v = np.arange(10.0)
net.add_population("E", 10).bind("v", v)
with nsnap.Store("run.nsnap", create=True) as s:
    s.snapshot(net, message="installed")
    v[:] = 0
    s.restore(1, net)
    assert v[3] == 3.0
    s.export(1, "E.pkl")
    assert s.import_file("E.pkl") == 2
    plugins = [p["path"] for p in nsnap.plugins()]
    assert plugins and all(os.path.realpath(p).startswith(prefix) for p in plugins), plugins
print("python install: nsnap imports from", os.path.dirname(nsnap.__file__))
PY
