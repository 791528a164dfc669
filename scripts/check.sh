#!/usr/bin/env bash
# make check: every test tier, each case reported in KTAP, and one closing
# line "N passed, N failed". Exits non-zero when any case failed.
#
# Tiers: style (checkpatch --strict, clang-format), the module build against each stock kernel (zero warnings, C++
# object policy), hosted unit tests (plain and ASan+UBSan), and the VM
# scenario on each stock kernel in the QEMU test box.
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"

"$top/scripts/deps.sh" check || exit 1
"$top/scripts/kernels.sh" >/dev/null || exit 1
# shellcheck source=/dev/null
. "${IRQLAB_CACHE:-$HOME/.cache/irqlab}/kernels.env"
kernels=("$KVER_6_1" "$KVER_6_12")

suites=(style)
for k in "${kernels[@]}"; do suites+=("build:$k"); done
suites+=("unit:host" "unit:asan" "unit:tsan")
for k in "${kernels[@]}"; do suites+=("vm:$k"); done

run_suite() {
	case $1 in
	style) tests/style/run.sh ;;
	build:*) tests/build/check-build.sh "${1#build:}" ;;
	unit:host) tests/unit/run.sh build/host ;;
	unit:asan) tests/unit/run.sh build/asan -DIRQLAB_SANITIZE=address,undefined ;;
	unit:tsan) tests/unit/run.sh build/tsan -DIRQLAB_SANITIZE=thread ;;
	vm:*) tests/vm/suite.sh "${1#vm:}" basic.sh ;;
	esac
}

mkdir -p build/check
passed=0
failed=0
index=0
start=$(date +%s)
echo "KTAP version 1"
echo "1..${#suites[@]}"
for suite in "${suites[@]}"; do
	index=$((index + 1))
	report=build/check/${suite//[:\/]/_}.ktap
	run_suite "$suite" >"$report" 2>&1
	status=$?
	sed 's/^/    /' "$report"
	ok=$(grep -cE '^ok [0-9]+ ' "$report")
	bad=$(grep -cE '^not ok [0-9]+ ' "$report")
	# A tier that fails without a failed case, or reports nothing, still fails.
	if { [ $status -ne 0 ] && [ "$bad" -eq 0 ]; } || [ $((ok + bad)) -eq 0 ]; then
		echo "    # $suite exited $status with no failed case; counted as one failure"
		bad=$((bad + 1))
	fi
	passed=$((passed + ok))
	failed=$((failed + bad))
	if [ "$bad" -eq 0 ]; then echo "ok $index $suite"; else echo "not ok $index $suite"; fi
done
echo "# make check took $(($(date +%s) - start)) s"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
