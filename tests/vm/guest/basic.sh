#!/usr/bin/env bash
# Foundation scenario, run as root inside the test box: load irqlab.ko, check
# /dev/irqlab and its ABI, the CLI as root and as an unprivileged user,
# unload, and a clean kernel log (plus kmemleak on the debug kernel).
# Prints KTAP.
#
# usage (in the guest): tests/vm/guest/basic.sh REPO_TOP
set -uo pipefail

top=${1:?usage: basic.sh REPO_TOP}
# shellcheck source=common.sh
. "$top/tests/vm/guest/common.sh"

abi_test=$top/build/host/tests/vm/irqlab-abi-test
nobody=(setpriv --reuid=65534 --regid=65534 --clear-groups)

ktap_begin
echo "# kernel $kver, module $ko"
sanitizers_begin
out=$(insmod "$ko" 2>&1)
ktap_case $? "insmod" "$out"

dmesg | grep -q 'irqlab: C++ self-check passed'
ktap_case $? "cxx_selfcheck_passed_at_load" "$(dmesg | grep irqlab)"

# The ABI test speaks KTAP itself; its cases become ours.
ktap_import abi_ < <("$abi_test" 2>&1)
[ "$ktap_imported" -eq "$ktap_import_plan" ]
ktap_case $? "abi_test_ran_all_cases" "ran $ktap_imported of $ktap_import_plan"

# The module must report the very release and ABI the CLI was built with.
out=$("$cli" version 2>&1)
st=$?
cli_line=$(sed -n 's/^irqlab CLI     //p' <<<"$out")
[ $st -eq 0 ] && [ -n "$cli_line" ] &&
	grep -qxF "irqlab module  $cli_line on Linux $kver" <<<"$out"
ktap_case $? "cli_version_matches_module" "exit $st" "$out"

out=$("$cli" version --json 2>&1)
python3 -c '
import json, sys
v = json.loads(sys.stdin.read())
assert v["module"]["abi"] == v["cli"]["abi"], v
assert v["module"]["kernel"] == sys.argv[1], v
assert "error" not in v, v
' "$kver" <<<"$out"
ktap_case $? "cli_version_json" "$out"

out=$("${nobody[@]}" "$cli" version 2>&1)
st=$?
[ $st -eq 1 ] && grep -q 'irqlab: not root: /dev/irqlab is for root only' <<<"$out"
ktap_case $? "cli_nonroot_refused_clearly" "exit $st" "$out"

out=$(rmmod irqlab 2>&1)
ktap_case $? "rmmod" "$out"

[ ! -e /dev/irqlab ] && [ ! -d /sys/module/irqlab ]
ktap_case $? "unload_removes_device"

out=$("$cli" version 2>&1)
st=$?
[ $st -eq 1 ] && grep -q 'irqlab: module not loaded: /dev/irqlab does not exist' <<<"$out"
ktap_case $? "cli_module_not_loaded_message" "exit $st" "$out"

# Load and unload once more: a second cycle catches state left behind.
insmod "$ko" && "$cli" version >/dev/null && rmmod irqlab
ktap_case $? "reload_cycle"

sanitizers_end
ktap_end
