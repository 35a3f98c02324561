# Export then import gives back the same version, as nsnap diff sees it
# (exit 0, time and dt included), for every format that holds a network:
# the pickle (.data), its gzip (.gz), MATLAB v5, compressed and v7.3, and
# the text format. The network has a name, time in ms, dt, a dictionary and
# neuron and synapse types, which ANNarchy's layout has no place for and
# nsnap's own entry ('nsnap') keeps.
t init
t import "$DATA/net1.nsnt" -m original
t export 1 net.data
t export 1 net.gz
t export 1 net.mat
t export 1 netz.mat -o compress
t export 1 net73.mat -o version=7.3
t export 1 net.nsnt
t import net.data -m "from pickle"
t diff 1 HEAD
t import net.gz -m "from gzip"
t diff 1 HEAD
t import net.mat -m "from MATLAB v5"
t diff 1 HEAD
t import netz.mat -m "from compressed MATLAB v5"
t diff 1 HEAD
t import net73.mat -m "from MATLAB v7.3"
t diff 1 HEAD
t import net.nsnt -m "from text"
t diff 1 HEAD
t show HEAD
# The same with network-wide arrays (an i64 random state past 2^53, an f32
# array named like a keyword of the text format) and attributes of scope
# array on a population and on a projection (one empty), which ANNarchy's
# layout has no place for and nsnap's own entry keeps.
t import "$DATA/arrays1.nsnt" -m arrays
t export 8 a.data
t export 8 a.gz
t export 8 a.mat
t export 8 az.mat -o compress
t export 8 a73.mat -o version=7.3
t export 8 a.nsnt
t import a.data -m "arrays from pickle"
t diff 8 HEAD
t import a.gz -m "arrays from gzip"
t diff 8 HEAD
t import a.mat -m "arrays from MATLAB v5"
t diff 8 HEAD
t import az.mat -m "arrays from compressed MATLAB v5"
t diff 8 HEAD
t import a73.mat -m "arrays from MATLAB v7.3"
t diff 8 HEAD
t import a.nsnt -m "arrays from text"
t diff 8 HEAD
t show HEAD
