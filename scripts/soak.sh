#!/usr/bin/env bash
# make soak: 'irqlab torture' for SOAK_MINUTES (default 60) on every test-box
# kernel (6.1, 6.12 and, when built, the debug kernel), one box after the
# other, through the torture scenario (tests/vm/guest/torture.sh), then the
# ioctl fuzzer (tests/vm/guest/fuzz.sh) for SOAK_FUZZ_MINUTES (default 10);
# before them, the scenarios make check leaves out on that kernel (6.1's
# engine, deferred, external and compare; the debug kernel's engine,
# deferred and compare), at their full counts.
# Writes results/soak-<UTC time>/: per kernel its KTAP, console log, torture
# output and fuzzer KTAP, and summary.txt with each kernel's verdict, totals
# and fuzz calls. Not part of make check. Exit 0 when every kernel's
# torture ended in SUCCESS and every fuzzer run passed.
# SOAK_KERNELS (a space-separated list of kernel versions) limits it to
# those, e.g. SOAK_KERNELS=6.12.95-irqlab-debug; SOAK_LEFT_OUT=0 skips the
# left-out scenarios (torture and the fuzzer only).
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
cache=${IRQLAB_CACHE:-$HOME/.cache/irqlab}
minutes=${SOAK_MINUTES:-60}
fuzz_minutes=${SOAK_FUZZ_MINUTES:-10}
for n in "$minutes" "$fuzz_minutes"; do
	[[ $n =~ ^[1-9][0-9]*$ ]] ||
		{ echo "soak: SOAK_MINUTES and SOAK_FUZZ_MINUTES must be positive integers" >&2; exit 2; }
done
[ -f "$cache/kernels.env" ] || scripts/deps.sh build
# shellcheck source=lib/testbox-kernels.sh
. scripts/lib/testbox-kernels.sh
testbox_kernels soak "${SOAK_KERNELS:-}" || exit 2

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
	# First the scenarios make check leaves out on this kernel (past its
	# budget: some 25 minutes on the debug kernel under KASAN, lockdep
	# and kmemleak; make check's torture there covers their paths).
	left_out=()
	[ "${SOAK_LEFT_OUT:-1}" = 0 ] || case $k in
	*-irqlab-debug) left_out=(engine.sh+deferred.sh compare.sh) ;;
	"$KVER_6_1") left_out=(external.sh+engine.sh+deferred.sh compare.sh) ;;
	esac
	for scenarios in "${left_out[@]}"; do
		start=$(date +%s)
		tests/vm/suite.sh "$k" "$scenarios" 900 >"$out/$k.$scenarios.ktap" 2>&1
		status=$?
		echo "$k: $scenarios $([ $status -eq 0 ] && echo PASS || echo FAIL)" \
			"in $(($(date +%s) - start)) s, $(tail -n 1 "$out/$k.$scenarios.ktap" | sed 's/^# //')" |
			tee -a "$summary"
		[ $status -eq 0 ] || failed=1
	done
	start=$(date +%s)
	# The torture prints a line every 10 s: 900 s of silence is a hang.
	# The whole run may take the torture plus boot, setup and the final
	# checks (slow on the debug kernel): the ceiling, in stalls.
	stall=900
	ceiling=$(((minutes * 60 + 1800) / stall + 1))
	IRQLAB_VM_CEILING=$ceiling TORTURE_SECONDS=$((minutes * 60)) \
		tests/vm/suite.sh "$k" torture.sh "$stall" >"$out/$k.ktap" 2>&1
	status=$?
	results=build/vm/$k-torture
	cp "$results/console.log" "$out/$k.console.log" 2>/dev/null
	cp "$results/guest.ktap" "$out/$k.guest.ktap" 2>/dev/null
	grep '^# irqlab-torture:' "$results/guest.ktap" 2>/dev/null | sed 's/^# //' \
		>"$out/$k.torture.txt"
	verdict=$(grep -- '--- End of test' "$out/$k.torture.txt" | tail -n 1)
	stats=$(grep ' t=' "$out/$k.torture.txt" | tail -n 1)
	totals=$(grep -E '^irqlab-torture: (interrupts|identities):' "$out/$k.torture.txt")
	{
		echo "$k: $([ $status -eq 0 ] && echo PASS || echo FAIL) in $(($(date +%s) - start)) s"
		echo "  ${verdict:-no verdict line (see $k.ktap and $k.console.log)}"
		[ -n "$stats" ] && echo "  $stats"
		[ -n "$totals" ] && sed 's/^/  /' <<<"$totals"
	} | tee -a "$summary"
	[ $status -eq 0 ] || failed=1

	# Then the ioctl fuzzer, in a box of its own: it claims and releases
	# the devices the torture fires, so the two cannot share one.
	start=$(date +%s)
	IRQLAB_VM_CEILING=$(((fuzz_minutes * 60 + 1800) / stall + 1)) \
		FUZZ_SECONDS=$((fuzz_minutes * 60)) \
		tests/vm/suite.sh "$k" fuzz.sh "$stall" >"$out/$k.fuzz.ktap" 2>&1
	status=$?
	results=build/vm/$k-fuzz
	cp "$results/guest.ktap" "$out/$k.fuzz.guest.ktap" 2>/dev/null
	totals=$(sed -n 's/^# fuzz totals: /fuzz: /p' "$results/guest.ktap" 2>/dev/null)
	{
		echo "$k: fuzzer $([ $status -eq 0 ] && echo PASS || echo FAIL) in $(($(date +%s) - start)) s"
		echo "  ${totals:-no fuzz totals line (see $k.fuzz.ktap)}"
	} | tee -a "$summary"
	[ $status -eq 0 ] || failed=1
done
echo "soak: summary in $summary"
exit $failed
