#!/usr/bin/env bash
# make matrix: the same 'irqlab compare' (tests/vm/guest/matrix_compare.sh:
# ivshmem-doorbell, device trigger, MATRIX_COUNT interrupts per path,
# default 2000) in the test box on every test-box kernel: the stock 6.1
# and 6.12, their PREEMPT_RT builds when the cache has them, and the debug
# kernel when it is built (its release ends in -irqlab-debug: KASAN and
# lockdep make it slow, so read its column as such). Then one 'irqlab
# report' across them, ratios to the first kernel, as text, JSON, CSV and
# PNG, under results/matrix-<UTC time>/. MATRIX_KERNELS="KVER ..." picks
# kernels (the first is the baseline). Exit 0 when every box ran its
# compare and the report was written; never on a number.
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
count=${MATRIX_COUNT:-2000}
[[ $count =~ ^[1-9][0-9]*$ ]] || { echo "matrix: MATRIX_COUNT must be a positive integer" >&2; exit 2; }
scripts/deps.sh check || exit 1
scripts/kernels.sh >/dev/null || exit 1
# shellcheck source=lib/testbox-kernels.sh
. scripts/lib/testbox-kernels.sh
testbox_kernels matrix "${MATRIX_KERNELS:-}" || exit 2

results=$top/results/matrix-$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p "$results"
echo "matrix: ${kernels[*]}; $count interrupts per path; results in $results"
cmake -S . -B build/host -DCMAKE_BUILD_TYPE=RelWithDebInfo >"$results/build.log" 2>&1 &&
	cmake --build build/host -j "$(nproc)" >>"$results/build.log" 2>&1 ||
	{ echo "matrix: the CLI did not build (see $results/build.log)" >&2; exit 1; }

failed=0
saved=()
for k in "${kernels[@]}"; do
	if ! scripts/build-module.sh "${kdir[$k]}" >>"$results/build.log" 2>&1; then
		echo "matrix: $k: the module did not build (see build.log)"
		failed=1
		continue
	fi
	box=build/matrix/$k
	rm -rf "$box" && mkdir -p "$box"
	start=$(date +%s)
	# One TCG thread: compare enables tracepoints, whose live patching
	# multi-threaded TCG gets wrong now and then (tests/vm/suite.sh).
	tests/vm/run.sh --kernel "$k" --script tests/vm/guest/matrix_compare.sh --tcg-single \
		--timeout 1800 --stall 600 --log "$box/console.log" --out "$box/out" \
		-- "$top" "$count" >"$box/box.log" 2>&1
	status=$?
	grep -E '^(matrix|run.sh):' "$box/box.log" | sed "s/^/  /"
	if [ -s "$box/out/compare.json" ]; then
		cp "$box/out/compare.json" "$results/$k.json"
		cp "$box/box.log" "$results/$k.log"
		saved+=("$results/$k.json")
	fi
	echo "matrix: $k: box exit $status after $(($(date +%s) - start)) s"
	[ $status -eq 0 ] || failed=1
done

[ ${#saved[@]} -gt 0 ] || { echo "matrix: no result to report" >&2; exit 1; }
cli=build/host/userspace/irqlab
"$cli" report "${saved[@]}" >"$results/report.txt" &&
	"$cli" report --json "${saved[@]}" >"$results/report.json" &&
	"$cli" report --csv "${saved[@]}" >"$results/report.csv" &&
	"$cli" report --plot "$results/report.png" "${saved[@]}" >/dev/null ||
	{ echo "matrix: irqlab report failed" >&2; failed=1; }
cat "$results/report.txt" 2>/dev/null
echo "matrix: report in $results/report.{txt,json,csv,png} (TCG: read the ratios, not the times)"
exit $failed
