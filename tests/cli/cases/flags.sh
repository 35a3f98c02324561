# SPDX-License-Identifier: MIT
# One meaning per short flag across every command, and every option a
# command's --help lists is one it takes (with a value when it shows one).
# The table printed is the whole list of options, for the README.
export LC_ALL=C
source "$DATA/../options.sh"
cmds=$(nsnap_commands)
{
	nsnap_options "" | sed 's/^/(global) /'
	for c in $cmds; do nsnap_options "$c" | sed "s/^/$c /"; done
} >all.txt
echo "options listed: $(wc -l <all.txt)"
echo "short flags (letter, long option, commands):"
awk '$2 != "-" { k = $2 " --" $3; cmds[k] = cmds[k] (cmds[k] ? " " : "") $1 }
     END { for (k in cmds) print "  -" k ": " cmds[k] }' all.txt | sort
echo "letters with more than one meaning:"
awk '$2 != "-" { print $2, $3 }' all.txt | sort -u | awk '{ n[$1]++ } END { for (l in n) if (n[l] > 1) print "  -" l }'
echo "long options without a short flag:"
awk '$2 == "-" { k = "--" $3; cmds[k] = cmds[k] (cmds[k] ? " " : "") $1 }
     END { for (k in cmds) print "  " k ": " cmds[k] }' all.txt | sort
# A value each placeholder accepts, for the check that the option is taken.
value() { case $1 in -) ;; OBJ/ATTR) echo E/v ;; raw\|zstd) echo raw ;; SIZE) echo 4K ;;
	*) echo 1 ;; esac; }
echo "options a command does not take (none expected):"
while read -r cmd short long val; do
	[ "$cmd" = "(global)" ] && cmd=
	v=$(value "$val")
	"$NSNAP_BIN" $cmd "--$long" ${v:+"$v"} --help >/dev/null 2>err.txt ||
		echo "  $cmd --$long: $(cat err.txt)"
	[ "$short" = - ] || "$NSNAP_BIN" $cmd "-$short" ${v:+"$v"} --help >/dev/null 2>err.txt ||
		echo "  $cmd -$short: $(cat err.txt)"
done <all.txt
