# SPDX-License-Identifier: MIT
# NumPy's .npz (ANNarchy's save('x.npz')): a file numpy wrote imports as
# the same version as its pickle; an export, deflated or stored
# (-o level=0), imports back equal; zips that are not .npz, and zip's
# hazards, are refused naming the file and member.
NPZ=$DATA/../../data/npz
t init
t import "$NPZ/net.npz" -m "numpy's savez_compressed"
t import "$DATA/../../data/pickle/net_p4.data" -m "the same as a pickle"
t diff 1 2
t export 1 net.npz
t export 1 stored.npz -o level=0
t import net.npz -m "from npz"
t diff 1 HEAD
t import stored.npz -m "from stored npz"
t diff 1 HEAD
t export 1 bad.npz -o level=10
t import "$NPZ/notnpy.zip"
t import "$NPZ/badcrc.npz"
t import "$NPZ/bomb.npz"
t import "$NPZ/evil.npz"
t log
