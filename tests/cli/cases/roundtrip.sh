# SPDX-License-Identifier: MIT
# Export then import gives back the same version, as nsnap diff sees it
# (exit 0, time and dt included), for every format that holds a network:
# the pickle (.data), its gzip (.gz), NumPy's .npz, MATLAB v5, compressed
# and v7.3, and the text format. The network has a name, time in ms, dt, a
# dictionary and neuron and synapse types, which ANNarchy's layout has no
# place for and nsnap's own entry ('nsnap') keeps.

# round_trip REV NAME: export version REV in every format, import each file
# back and diff it against REV.
round_trip() {
	local rev=$1 name=$2 how
	for how in "data:pickle" "gz:gzip" "npz:npz" "mat:MATLAB v5" \
		   "z.mat -o compress:compressed MATLAB v5" \
		   "73.mat -o version=7.3:MATLAB v7.3" "nsnt:text"; do
		local file=${how%%:*} opts=
		if [[ $file == *" "* ]]; then opts=${file#* }; file=${file%% *}; fi
		[[ $file == *.mat ]] || file=.$file
		# shellcheck disable=SC2086
		t export "$rev" "$name$file" $opts
		t import "$name$file" -m "$name from ${how#*:}"
		t diff "$rev" HEAD
	done
	t show HEAD
}

t init
t import "$DATA/net1.nsnt" -m original
round_trip 1 net
# The same with network-wide arrays (an i64 random state past 2^53, an f32
# array named like a keyword of the text format) and attributes of scope
# array on a population and on a projection (one empty), which ANNarchy's
# layout has no place for and nsnap's own entry keeps.
t import "$DATA/arrays1.nsnt" -m arrays
round_trip 9 arrays
