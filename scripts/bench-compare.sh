#!/usr/bin/env bash
# make bench-compare: boot the stock 6.12 test box and print the engine/
# native ratio matrix (tests/vm/guest/bench_compare.sh, scripts/ratios.py).
# Saves results/bench-<timestamp>/ratios.{json,txt} with every run's JSON.
# Prints numbers; fails only when a run fails, never on a ratio.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"

scripts/deps.sh demo
scripts/kernels.sh >/dev/null
# shellcheck source=/dev/null
. "${IRQLAB_CACHE:-$HOME/.cache/irqlab}/kernels.env"

mkdir -p build
scripts/build-module.sh "/usr/src/linux-headers-$KVER_6_12" >build/bench-build.log 2>&1 || {
	cat build/bench-build.log
	exit 1
}
cmake -S . -B build/host -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build/host -j "$(nproc)" >/dev/null

stamp=$(date -u +%Y%m%dT%H%M%SZ)
results=results/bench-$stamp
out=build/bench-compare/$stamp
mkdir -p "$out" "$results"
echo "bench-compare: booting the test box (QEMU TCG, Linux $KVER_6_12)"
status=0
# Single-threaded TCG, as make demo: tracepoints are enabled and disabled.
tests/vm/run.sh --kernel "$KVER_6_12" --script tests/vm/guest/bench_compare.sh --tcg-single \
	--timeout 900 --log "$out/console.log" --out "$out/guest" -- "$top" || status=$?
find "$out/guest" -maxdepth 1 -type f \( -name '*.json' -o -name '*.txt' \) \
	-exec cp -t "$results" {} +
cp "$out/console.log" "$results/"
echo
[ -f "$results/ratios.txt" ] && cat "$results/ratios.txt"
echo "bench-compare: results in $results/ (TCG: read the ratios, not the times)"
exit "$status"
