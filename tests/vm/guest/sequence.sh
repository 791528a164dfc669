#!/usr/bin/env bash
# Several scenarios in one boot of the test box, one after the other, each
# as if it had the box to itself: its cases come out prefixed with its
# name, and its exit status is a case of its own. A box that boots slowly
# (the debug kernel under TCG: some 45 s on an idle host, twice that
# beside other boxes) boots once for them all. Each scenario leaves the box as it found it (module unloaded,
# devices given back), so a scenario that does not is caught by the next.
#
# usage (in the guest): tests/vm/guest/sequence.sh REPO_TOP SCENARIO...
set -uo pipefail

top=${1:?usage: sequence.sh REPO_TOP SCENARIO...}
shift
# shellcheck source=../../lib/ktap.sh
. "$top/tests/lib/ktap.sh"

status_file=$(mktemp)
ktap_begin
for scenario in "$@"; do
	name=${scenario%.sh}
	echo "# $name: begins after $SECONDS s"
	rm -f "$status_file"
	ktap_import "$name." < <("$top/tests/vm/guest/$scenario" "$top" 2>&1
		echo $? >"$status_file")
	# The scenario's own verdict, whatever its cases said: a script that
	# died half-way has fewer cases, and says so only by its status.
	status=$(cat "$status_file" 2>/dev/null)
	[ "$status" = 0 ] && [ "$ktap_imported" -gt 0 ]
	ktap_case $? "${name}_passed" "exit status ${status:-unknown}, $ktap_imported cases"
done
ktap_end
