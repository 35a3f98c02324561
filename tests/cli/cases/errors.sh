# SPDX-License-Identifier: MIT
# Every failure: one line "nsnap: <command>: <what and why>", exit status 2,
# and the store left as it was.
t
t frobnicate
t log
export NSNAP_STORE=s.nsnap
t init --codec lz4
t init --chunk-size 12345
t init
t init
t show
t show maim
t import "$DATA/net1.nsnt" -t v1
t import "$DATA/net1.nsnt" --branch feature
t show v2
t show featur
t show 7
t diff v1 HEAD~5
t cat 1 E w
t cat 1 X v
t cat 1 E
t log --frobnicate
t log -n
t log -n many
t diff 1
t diff 1 2 --tol -1
t diff 1 2 --histogram w
t tag v1 1
t tag "bad name" 1
t rm v1
printf 'hello, this is not a network\n' > notes.data
t import notes.data
printf 'PK\003\004 zip' > arrays.npz
t import arrays.npz
t import missing.data
head -c 200 "$DATA/net1.nsnt" > cut.nsnt
t import cut.nsnt
t export 1 out.json -o colour=red
t export 1 out.nsnt
t export 1 out.nsnt
t export 1 out.nsnt --no-such-option
t export 1 out.unknownformat --format nope
t log
# A compaction holds the store: nothing else may open it meanwhile.
echo '$ flock -x s.nsnap nsnap log'
flock -x s.nsnap "$NSNAP_BIN" log 2>&1; echo "[exit $?]"
t -s missing.nsnap log
t -s "$DATA/net1.nsnt" log
t verify
# Global options, mistyped commands, sizes that mean nothing, a full disk.
t -x log
t --frobnicate log
t -s
t logg
t hlep
t help exprot
t -s zero.nsnap init --chunk-size 0
t -s zero.nsnap init --chunk-size 0K
echo '$ nsnap log > /dev/full'
"$NSNAP_BIN" log 2>&1 >/dev/full; echo "[exit $?]"
