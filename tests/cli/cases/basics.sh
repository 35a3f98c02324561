# SPDX-License-Identifier: MIT
# A store's day: create it, import checkpoints, look at them, name them.
t --help
t init --chunk-size 64K --codec zstd --level 5
t log
t import "$DATA/net1.nsnt" -m "after 1 s"
t import "$DATA/net2.nsnt" -m "after 2 s" --tag learned
t log
t log -n 1 --json
t show 1
t show learned --json
t cat HEAD EE w
t cat 1 EE
t cat 1 E v
t cat 2 I v
t tag
t tag start 1
t tag
t branch
t branch explore 1
t branch
t branch --switch explore
t import "$DATA/net1.nsnt" -m "explore again"
t log
t branch -d main
t tag -d start
t stats
t stats --json
t verify
t init --help
t -s kib.nsnap init --chunk-size 64KiB --json
