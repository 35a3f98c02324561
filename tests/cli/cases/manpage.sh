# SPDX-License-Identifier: MIT
# The manual page nsnap(1) against --help: a section per command, in which
# every option its --help lists is described (short flag and long name on
# one .TP line), and no option it does not list; groff finds nothing wrong.
source "$DATA/../options.sh"
page=$DATA/../../../doc/nsnap.1
# The page as plain text lines: "\-" is "-", fonts dropped.
sed -e 's/\\-/-/g' -e 's/\\f[BIRP]//g' "$page" >page.txt
# The option lines (after .TP) of section SECTION ("nsnap CMD" or OPTIONS).
described() {
	awk -v want="$1" '
		/^\.S[HS] / { s = $0; sub(/^\.S[HS] /, "", s); gsub(/"/, "", s); on = s == want; next }
		on && tp { print; tp = 0; next }
		on && /^\.TP/ { tp = 1 }' page.txt
}
check() { # SECTION CMD
	local sec=$1 cmd=$2 n=0 bad=0 short long val lines
	lines=$(described "$sec")
	if [ -z "$lines" ] && [ -n "$(nsnap_options "$cmd")" ]; then
		echo "$sec: no options described (is there a section?)"
		return
	fi
	while read -r short long val; do
		n=$((n + 1))
		if ! grep -qE -- "--$long( |\"|$)" <<<"$lines"; then
			echo "$sec: --$long is not described"; bad=1
		elif [ "$short" != - ] && ! grep -E -- "--$long( |\"|$)" <<<"$lines" | grep -qE -- "(^|[ .])-$short( |\"|,|$)"; then
			echo "$sec: -$short is not on the line of --$long"; bad=1
		fi
	done < <(nsnap_options "$cmd")
	for long in $(grep -oE -- '--[a-z][a-z-]*' <<<"$lines" | sort -u); do
		nsnap_options "$cmd" | grep -q " ${long#--} " ||
			{ echo "$sec: $long is described but not in 'nsnap $cmd --help'"; bad=1; }
	done
	[ $bad = 1 ] || echo "$sec: $n options, all described"
}
check OPTIONS ""
for c in $(nsnap_commands); do
	grep -q "^\.SS \"nsnap $c\"" "$page" || echo "nsnap $c: no section"
	check "nsnap $c" "$c"
done
echo '$ groff -man -ww -z doc/nsnap.1'
if command -v groff >/dev/null; then groff -man -Tutf8 -ww -z "$page" 2>&1; else echo "(groff is missing)"; fi
