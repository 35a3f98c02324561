# SPDX-License-Identifier: MIT
# Throwing versions away and getting the space back.
t init --chunk-size 4K
for i in 1 2 3 4 5 6; do
	sed "s/^0 -60$/0 -6$i/" "$DATA/net1.nsnt" > v$i.nsnt
	t import v$i.nsnt -m "run $i"
done
t tag keep 2
t gc --keep-last 2 --dry-run
t gc --keep-last 2
t log
t rm 5 keep
t rm 5
t gc
t compact
t compact --output copy.nsnap
t -s copy.nsnap log
t verify
