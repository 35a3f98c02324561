# SPDX-License-Identifier: MIT
# Hostile pickles: what an import may hold is bounded by the file's size
# (16 times it plus 32 MiB), and -o max-memory=SIZE sets another limit for
# a network that a small file legitimately makes large (rows shared through
# the pickle's memo); sizes that nothing in the file backs, names that hide
# a NUL, lengths past the end and integers beyond 64 bits are refused by
# name, and nothing is committed.
/usr/bin/python3 - <<'PY'
import pickle
row = list(range(1024))
shared = {'name': 'P', 'pre': 'A', 'post': 'B', 'post_ranks': [0] * 4096,
          'pre_ranks': [row] * 4096, 'attributes': []}
pickle.dump(shared, open('shared.data', 'wb'), protocol=4)
placeholder = {'name': 'P', 'pre': 'A', 'post': 'B', 'post_ranks': [2**31 - 2],
               'pre_ranks': [[2**31 - 2]], 'attributes': ['t'], 't': [1.0]}
pickle.dump(placeholder, open('placeholder.data', 'wb'), protocol=4)
big = {'name': 'P', 'pre': 'A', 'post': 'A', 'post_ranks': [0],
       'pre_ranks': [[0, 1]], 'attributes': ['c'], 'c': [[1, 2**64]]}
pickle.dump(big, open('big.data', 'wb'), protocol=4)
open('nul.data', 'wb').write(b'\x80\x02cnumpy.core.multiarray\0os\n_reconstruct\n.')
open('frame.data', 'wb').write(b'\x80\x04\x95' + b'\xff' * 8 + b'}.')
open('trailing.data', 'wb').write(pickle.dumps(shared, protocol=4) + bytes(10000))
PY
t init
t import shared.data
t import shared.data -o max-memory=lots
t import shared.data -o max-memory=512M -m "shared rows"
t show HEAD
t import placeholder.data
t import big.data
t import nul.data
t import frame.data
t import trailing.data
t log
