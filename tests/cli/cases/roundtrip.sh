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
