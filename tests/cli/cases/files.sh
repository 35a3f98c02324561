# SPDX-License-Identifier: MIT
# Exports and imports through the format plugins, and parameter files.
t init
t import "$DATA/net1.nsnt" -m one
t export 1 net.data
t export 1 net.gz --level 9
t export 1 net.nsnt
t export 1 pops.nsnt --no-projections
t export 1 ee.nsnt --only EE
t import net.data -m "from pickle"
t import net.gz -m "from gzip"
t import net.nsnt -m "from text"
t export 1 net.mat
t export 1 net73.mat -o version=7.3
t export 1 bad.mat -o version=8
t diff 1 2
t diff 1 3
t diff 1 4
t import net.mat -m "from MATLAB v5"
t import net73.mat -m "from MATLAB v7.3"
t diff 4 HEAD~1
t diff 4 HEAD
t import pops.nsnt
t show HEAD
t params save 1 params.json
cat params.json; echo
sed 's/"tau": 10.0/"tau": 12.5/' params.json > changed.json
t params load 1 changed.json -m "tau 12.5" --verbose
t params load 1 params.json
t params save 1 params.json
t diff 1 HEAD
t plugins
