# SPDX-License-Identifier: MIT
# Versions built with known differences: net2 pruned synapse 2->1, grew 0->3,
# potentiated 1->2 by 0.5 and 0->1 by 0.0001, grew population I by a neuron
# and changed the model's name.
t init
t import "$DATA/net1.nsnt" -m one
t import "$DATA/net2.nsnt" -m two
t diff 1 2
t diff 1 2 --tol 0.1
t diff 1 2 --tol 0.6
t diff 2 1
t diff 1 1
t diff 1 2 --only EE --tol 0.1
t diff 1 2 --only E
t diff 1 2 --histogram EE/w --bins 4
t diff 1 2 --tol 0.1 --json
t diff 1 2 --all
t diff 1 2 --stat
t diff 1 1 --stat
t diff 1 2 -a --stat
# Columns stay aligned whatever the names' lengths.
for n in 1 2; do
	sed -e 's/attribute w /attribute synaptic_efficacy_of_the_long_name /' \
	    -e 's/table pre post w$/table pre post synaptic_efficacy_of_the_long_name/' \
	    "$DATA/net$n.nsnt" > long$n.nsnt
done
t import long1.nsnt -m "long one"
t import long2.nsnt -m "long two"
t diff 3 4
t diff 3 4 --all --only EE
