#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Run one CLI test case and compare what it printed with the expected text.
# Usage: run.sh NSNAP CASE.sh EXPECTED.out WORKDIR   (UPDATE=1 rewrites EXPECTED)
#
# A case is a bash script run in an empty WORKDIR, with the store in
# $NSNAP_STORE and the fixtures of tests/cli/data in $DATA. It calls `t ARGS`
# to run `nsnap ARGS`: the transcript holds the command, its standard output
# and error, and its exit status when it is not 0. Times, the build folder and
# the work folder are replaced by fixed words so that the transcript is the
# same on every machine.
set -uo pipefail
nsnap=$1 case=$2 expected=$3 work=$4
here=$(cd "$(dirname "$0")" && pwd)
rm -rf "$work" && mkdir -p "$work" && cd "$work" || exit 2
export NSNAP_BIN=$nsnap DATA=$here/data NSNAP_STORE=s.nsnap TZ=UTC NO_COLOR=1
unset NSNAP_PLUGIN_PATH

t() {
	echo "\$ nsnap $*"
	"$NSNAP_BIN" "$@" 2>&1
	local rc=$?
	[ $rc -eq 0 ] || echo "[exit $rc]"
	return 0
}
export -f t

build=$(cd "$(dirname "$nsnap")/.." && pwd)
bash -c "source '$case'" 2>&1 |
	sed -E -e "s#$work#WORK#g" -e "s#$here/data#DATA#g" -e "s#$build#BUILD#g" \
	    -e 's/[0-9]{4}-[0-9]{2}-[0-9]{2}[ T][0-9]{2}:[0-9]{2}:[0-9]{2}Z?/TIME/g' >actual.out
if [ "${UPDATE:-0}" = 1 ]; then
	cp actual.out "$expected"
	echo "updated $expected"
	exit 0
fi
if ! diff -u "$expected" actual.out; then
	echo "cli test $(basename "$case"): the transcript differs (left: expected)" >&2
	exit 1
fi
