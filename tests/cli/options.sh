# SPDX-License-Identifier: MIT
# Helpers of the CLI cases that read the options a command's --help lists
# (sourced by cases/flags.sh, manpage.sh, completion.sh).

# The commands of 'nsnap --help', one a line.
nsnap_commands() {
	"$NSNAP_BIN" --help | awk '/^Commands:/ { on = 1; next } on && /^  [a-z]/ { print $1 }'
}

# The options 'nsnap CMD --help' lists (nsnap's own with CMD empty), one a
# line: "SHORT LONG VALUE", with "-" for no short flag or no value.
nsnap_options() {
	"$NSNAP_BIN" ${1:+"$1"} --help | sed -nE \
	  -e 's/^  +-([A-Za-z]), --([a-z][a-z-]*) ([^ ]+)  .*/\1 \2 \3/p' \
	  -e 's/^  +-([A-Za-z]), --([a-z][a-z-]*)  .*/\1 \2 -/p' \
	  -e 's/^  +-([A-Za-z]), --([a-z][a-z-]*)$/\1 \2 -/p' \
	  -e 's/^  +--([a-z][a-z-]*) ([^ ]+)  .*/- \1 \2/p' \
	  -e 's/^  +--([a-z][a-z-]*)  .*/- \1 -/p'
}
