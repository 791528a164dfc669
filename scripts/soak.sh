#!/usr/bin/env bash
# make soak: 'irqlab torture' for SOAK_MINUTES (default 60) on every test-box
# kernel (6.1, 6.12 and, when built, the debug kernel), one box after the
# other, through the torture scenario (tests/vm/guest/torture.sh). Writes
# results/soak-<UTC time>/: per kernel its KTAP, console log and torture
# output, and summary.txt with each kernel's verdict line. Not part of
# make check. Exit 0 when every kernel's torture ended in SUCCESS.
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
cache=${IRQLAB_CACHE:-$HOME/.cache/irqlab}
minutes=${SOAK_MINUTES:-60}
[[ $minutes =~ ^[1-9][0-9]*$ ]] || { echo "soak: SOAK_MINUTES must be a positive integer" >&2; exit 2; }
[ -f "$cache/kernels.env" ] || scripts/deps.sh build
# shellcheck source=/dev/null
. "$cache/kernels.env"
kernels=("$KVER_6_1" "$KVER_6_12")
declare -A kdir=([$KVER_6_1]=/usr/src/linux-headers-$KVER_6_1
	[$KVER_6_12]=/usr/src/linux-headers-$KVER_6_12)
if [ -f "$cache/debug-kernel.env" ]; then
	# shellcheck source=/dev/null
	. "$cache/debug-kernel.env"
	if [ -n "${KVER_DEBUG:-}" ] && [ -d "${KDIR_DEBUG:-}" ]; then
		kernels+=("$KVER_DEBUG")
		kdir[$KVER_DEBUG]=$KDIR_DEBUG
	fi
fi

out=$top/results/soak-$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p "$out"
summary=$out/summary.txt
echo "irqlab soak: $minutes minutes of irqlab torture per kernel, $(date -u)" >"$summary"

# The CLI and a module for each kernel, as the scenario expects them.
cmake -S . -B build/host -DCMAKE_BUILD_TYPE=RelWithDebInfo >"$out/build.log" 2>&1 &&
	cmake --build build/host -j "$(nproc)" >>"$out/build.log" 2>&1 ||
	{ echo "soak: the CLI did not build (see $out/build.log)" | tee -a "$summary"; exit 1; }
failed=0
for k in "${kernels[@]}"; do
	if ! scripts/build-module.sh "${kdir[$k]}" >>"$out/build.log" 2>&1; then
		echo "$k: the module did not build (see build.log)" | tee -a "$summary"
		failed=1
		continue
	fi
	start=$(date +%s)
	# Boot, setup and the final checks on top; the debug kernel is slow.
	timeout_s=$((minutes * 60 + 900))
	case $k in *debug*) timeout_s=$((minutes * 60 + 1800)) ;; esac
	TORTURE_SECONDS=$((minutes * 60)) tests/vm/suite.sh "$k" torture.sh "$timeout_s" \
		>"$out/$k.ktap" 2>&1
	status=$?
	results=build/vm/$k-torture
	cp "$results/console.log" "$out/$k.console.log" 2>/dev/null
	cp "$results/guest.ktap" "$out/$k.guest.ktap" 2>/dev/null
	grep '^# irqlab-torture:' "$results/guest.ktap" 2>/dev/null | sed 's/^# //' \
		>"$out/$k.torture.txt"
	verdict=$(grep -- '--- End of test' "$out/$k.torture.txt" | tail -n 1)
	stats=$(grep ' t=' "$out/$k.torture.txt" | tail -n 1)
	{
		echo "$k: $([ $status -eq 0 ] && echo PASS || echo FAIL) in $(($(date +%s) - start)) s"
		echo "  ${verdict:-no verdict line (see $k.ktap and $k.console.log)}"
		[ -n "$stats" ] && echo "  $stats"
	} | tee -a "$summary"
	[ $status -eq 0 ] || failed=1
done
echo "soak: summary in $summary"
exit $failed
