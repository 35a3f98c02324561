# SPDX-License-Identifier: MIT
# Switching branches: only to one that exists, unless asked to create it.
t init
t branch --switch -c early
t branch
t import "$DATA/net1.nsnt" -m one
t import "$DATA/net2.nsnt" -m two --tag v2
t branch main 1
t branch --switch mian
t branch --switch nowhere
t branch --switch v2
t log -n 1
t branch --switch main
t branch
t branch --switch --create explore 1
t branch --switch -c explore
t branch --switch -c other nosuchrev
t branch -c other
t branch --switch -d main
t branch
t log
# Listing, as git tag -l and git branch -l do, with shell patterns.
t tag v2.1 1
t tag other 1
t tag -l 'v*'
t branch -l 'e*' main
t branch --list
t tag -l -d v2
# "log -N" is "log -n N", as git log -3.
t log -1
t log -n 1 -- 
t log -0x
