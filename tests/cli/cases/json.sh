# SPDX-License-Identifier: MIT
# Every command that makes something can say what it made as JSON, and
# import and export can be quiet: a script needs not parse sentences.
t init --json
t import "$DATA/net1.nsnt" --json -m one -t first
t import "$DATA/net2.nsnt" -q
echo '$ nsnap import DATA/net1.nsnt --json | python3 (the version number)'
"$NSNAP_BIN" import "$DATA/net1.nsnt" --json | python3 -c 'import json, sys; print(json.load(sys.stdin)["version"])'
t tag second 2 --json
t tag --json
t tag -d second --json
t branch side 1 --json
t branch --switch side --json
t branch --switch -c fresh 2 --json
t branch --json
t branch -d side --json
t export 1 out.nsnt --json
t export 1 quiet.nsnt -q
ls quiet.nsnt
t params save 1 p.json --json
t params load 1 p.json --json
sed 's/10\.0/12.5/' p.json > p2.json
t params load 1 p2.json --json
# import FILE.json and params load follow one rule: a version only when
# something changes.
t import p2.json --json
t import p2.json
t compact --output copy.nsnap --json
t log -n 2 --json
