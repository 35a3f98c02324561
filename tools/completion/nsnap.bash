# SPDX-License-Identifier: MIT
# bash completion for nsnap(1): commands, their options (read from each
# command's --help, so they never drift), and the revisions, tags and
# branches of the store given with -s/--store or $NSNAP_STORE.
# Installed as <datadir>/bash-completion/completions/nsnap; standalone
# (source it) without the bash-completion package as well.

# nsnap with the store of the command line being completed.
_nsnap_run()
{
	local bin=${_nsnap_bin:-nsnap}
	if [[ -n $_nsnap_store ]]; then
		"$bin" -s "$_nsnap_store" "$@" 2>/dev/null
	else
		"$bin" "$@" 2>/dev/null
	fi
}

_nsnap_commands()
{
	_nsnap_run --help | awk '/^Commands:/ { on = 1; next } on && /^  [a-z]/ { print $1 }'
	echo help
}

# The options 'nsnap $1 --help' lists (nsnap's own when $1 is empty), one
# a line: "SHORT LONG VALUE", "-" for no short flag or no value.
_nsnap_table()
{
	_nsnap_run ${1:+"$1"} --help | sed -nE \
		-e 's/^  +-([A-Za-z]), --([a-z][a-z-]*) ([^ ]+)  .*/\1 \2 \3/p' \
		-e 's/^  +-([A-Za-z]), --([a-z][a-z-]*)  .*/\1 \2 -/p' \
		-e 's/^  +-([A-Za-z]), --([a-z][a-z-]*)$/\1 \2 -/p' \
		-e 's/^  +--([a-z][a-z-]*) ([^ ]+)  .*/- \1 \2/p' \
		-e 's/^  +--([a-z][a-z-]*)  .*/- \1 -/p'
}

_nsnap_options()
{
	_nsnap_table "$1" | awk '$1 != "-" { print "-" $1 } { print "--" $2 }'
	# every command takes these, listed once in 'nsnap --help'
	[[ -z $1 ]] || printf '%s\n' -s --store -h --help
}

# Whether option $2 of command $1 takes a value (its help shows one).
_nsnap_takes_value()
{
	[[ $2 == -s || $2 == --store ]] && return 0
	_nsnap_table "$1" |
		awk -v o="$2" '("-" $1 == o || "--" $2 == o) && $3 != "-" { f = 1 } END { exit !f }'
}

_nsnap_revisions()
{
	echo HEAD
	# "* name version" or "  name version": the name is the next to last word
	{ _nsnap_run tag; _nsnap_run branch; } | awk 'NF >= 2 { print $(NF - 1) }'
	_nsnap_run log | awk 'NR > 1 && $1 ~ /^[0-9]+$/ { print $1 }'
}

_nsnap_objects()
{
	_nsnap_run show "$1" | awk '/^(population|projection) / { sub(/:$/, "", $2); print $2 }'
}

_nsnap()
{
	local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD - 1]}
	local _nsnap_bin=${COMP_WORDS[0]} _nsnap_store=${NSNAP_STORE:-}
	local cmd="" i w n_operands=0 operands=()
	COMPREPLY=()
	# The store and the command, wherever -s is on the line.
	for ((i = 1; i < COMP_CWORD; i++)); do
		w=${COMP_WORDS[i]}
		case $w in
		-s | --store) _nsnap_store=${COMP_WORDS[i + 1]}; ((i++)); continue ;;
		--store=*) _nsnap_store=${w#--store=}; continue ;;
		esac
		if [[ -z $cmd ]]; then
			[[ $w == -* ]] || cmd=$w
		elif [[ $w != -* ]]; then
			# an option's value is no operand
			if [[ ${COMP_WORDS[i - 1]} == -* ]] &&
				_nsnap_takes_value "$cmd" "${COMP_WORDS[i - 1]}"; then
				continue
			fi
			operands+=("$w")
		fi
	done
	n_operands=${#operands[@]}
	case $prev in
	-s | --store | --output)
		COMPREPLY=($(compgen -f -- "$cur")); return ;;
	--format)
		COMPREPLY=($(compgen -W "$(_nsnap_run plugins | awk '/^[a-z]/ { print $1 }')" -- "$cur"))
		return ;;
	--codec)
		COMPREPLY=($(compgen -W "raw zstd" -- "$cur")); return ;;
	--only)
		COMPREPLY=($(compgen -W "$(_nsnap_objects "${operands[0]:-HEAD}")" -- "$cur"))
		return ;;
	esac
	if [[ -n $cmd && $prev == -* ]] && _nsnap_takes_value "$cmd" "$prev"; then
		return # a value nsnap cannot guess (a number, a message)
	fi
	if [[ $cur == -* ]]; then
		COMPREPLY=($(compgen -W "$(_nsnap_options "$cmd" | sort -u)" -- "$cur"))
		return
	fi
	if [[ -z $cmd ]]; then
		COMPREPLY=($(compgen -W "$(_nsnap_commands)" -- "$cur"))
		return
	fi
	case $cmd in
	help)
		((n_operands == 0)) && COMPREPLY=($(compgen -W "$(_nsnap_commands)" -- "$cur")) ;;
	show | rm | diff | log)
		[[ $cmd == log ]] ||
			COMPREPLY=($(compgen -W "$(_nsnap_revisions)" -- "$cur")) ;;
	cat)
		case $n_operands in
		0) COMPREPLY=($(compgen -W "$(_nsnap_revisions)" -- "$cur")) ;;
		1) COMPREPLY=($(compgen -W "$(_nsnap_objects "${operands[0]}")" -- "$cur")) ;;
		esac ;;
	tag | branch)
		# NAME is new (or, to delete or switch, one of the kind); then REV
		if ((n_operands == 1)); then
			COMPREPLY=($(compgen -W "$(_nsnap_revisions)" -- "$cur"))
		elif [[ " ${COMP_WORDS[*]} " == *" -d "* || " ${COMP_WORDS[*]} " == *" --delete "* ||
			" ${COMP_WORDS[*]} " == *" --switch "* ]]; then
			COMPREPLY=($(compgen -W "$(_nsnap_run "$cmd" | awk 'NF >= 2 { print $(NF - 1) }')" -- "$cur"))
		fi ;;
	export)
		if ((n_operands == 0)); then
			COMPREPLY=($(compgen -W "$(_nsnap_revisions)" -- "$cur"))
		else
			COMPREPLY=($(compgen -f -- "$cur"))
		fi ;;
	import)
		COMPREPLY=($(compgen -f -- "$cur")) ;;
	params)
		case $n_operands in
		0) COMPREPLY=($(compgen -W "save load" -- "$cur")) ;;
		1) COMPREPLY=($(compgen -W "$(_nsnap_revisions)" -- "$cur")) ;;
		*) COMPREPLY=($(compgen -f -- "$cur")) ;;
		esac ;;
	esac
}

complete -F _nsnap nsnap
