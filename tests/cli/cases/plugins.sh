# SPDX-License-Identifier: MIT
# A plugin that cannot be loaded is a warning naming it and why; only an
# operation that needs it fails.
t init
mkdir extra
printf 'not a module\n' > extra/broken.so
cp "$(dirname "$NSNAP_BIN")/../plugins/text.so" extra/second-text.so
export NSNAP_PLUGIN_PATH=$PWD/extra
t import "$DATA/net1.nsnt" -m one
t export 1 out.mat
t export 1 out.data --format broken
t import -q "$DATA/net2.nsnt"
echo '$ nsnap plugins  (its warnings and the text plugin)'
"$NSNAP_BIN" plugins 2>&1 | grep -e warning -e '^text'
unset NSNAP_PLUGIN_PATH
t export 1 again.nsnt
