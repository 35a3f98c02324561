# SPDX-License-Identifier: MIT
# bash completion against a store: commands, options (as each --help lists
# them), revisions, tags and branches of the store of -s or NSNAP_STORE.
export LC_ALL=C
source "$DATA/../../../tools/completion/nsnap.bash"
PATH=$(dirname "$NSNAP_BIN"):$PATH
t init
t import "$DATA/net1.nsnt" -m one -t v1 -q
t import "$DATA/net2.nsnt" -m two -q
t branch explore 1
# comp WORD...: complete the last word (empty: a new one) of "nsnap WORD...".
comp() {
	COMP_WORDS=(nsnap "$@")
	COMP_CWORD=$#
	_nsnap
	echo "\$ nsnap $* <TAB>"
	echo "  $(printf '%s\n' "${COMPREPLY[@]}" | sort | tr '\n' ' ')"
}
comp ""
comp ex
comp help ""
comp export --f
comp branch --
comp show ""
comp diff v1 ""
comp cat 1 ""
comp cat 1 E --no
comp export --format ""
comp init --codec ""
comp params ""
comp branch --switch ""
comp tag -d ""
comp import -m "a message" ""
comp log -n ""
# The store of -s, wherever it is on the line, wins over NSNAP_STORE.
cp s.nsnap other.nsnap
NSNAP_STORE=other.nsnap t tag only-in-other
comp show ""
comp -s other.nsnap show o
comp show -s other.nsnap o
NSNAP_STORE= comp show ""
