# SPDX-License-Identifier: MIT
# The modes of the files nsnap writes, as Unix tools write them, and what
# --force replaces: regular files only.
t init
t import "$DATA/net1.nsnt" -m one
umask 022
t export 1 a.data
t params save 1 p.json
umask 077
t export 1 b.mat
umask 002
t export 1 c.nsnt.gz
stat -c '%a %F %n' a.data p.json b.mat c.nsnt.gz
umask 077
chmod 640 a.data
chmod 644 p.json
t export 1 a.data --force
t params save 1 p.json --force
stat -c '%a %F %n' a.data p.json
mkfifo fifo.data
ln -s a.data link.data
mkdir dir.data
t export 1 fifo.data --force
t export 1 link.data --force
t export 1 dir.data --force
t params save 1 fifo.data --force
t export 1 fifo.data
stat -c '%F %n' fifo.data link.data dir.data
ls
