#!/usr/bin/env bash
# make demo, the main job: build irqlab, boot the QEMU test box on the stock
# Debian 6.12 kernel (with an e1000e and an ivshmem-doorbell device), claim
# both, run `irqlab compare` over every mechanism with device, external and
# ipi triggers, print the tables, and leave results/<timestamp>/ with the
# JSON, CSV and PNG of each comparison.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"

scripts/deps.sh demo
scripts/kernels.sh >/dev/null
# shellcheck source=/dev/null
. "${IRQLAB_CACHE:-$HOME/.cache/irqlab}/kernels.env"

echo "demo: building irqlab.ko for $KVER_6_12 and the irqlab CLI"
mkdir -p build
scripts/build-module.sh "/usr/src/linux-headers-$KVER_6_12" >build/demo-build.log 2>&1 || {
	cat build/demo-build.log
	exit 1
}
cmake -S . -B build/host -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build/host -j "$(nproc)" >/dev/null

stamp=$(date -u +%Y%m%dT%H%M%SZ)
results=results/$stamp
out=build/demo/$stamp
mkdir -p "$out" "$results"
echo "demo: booting the test box (QEMU TCG, Linux $KVER_6_12): e1000e + ivshmem-doorbell"
status=0
# Single-threaded TCG: the comparisons enable tracepoints and BPF programs,
# whose live code patching multi-threaded TCG gets wrong now and then.
tests/vm/run.sh --kernel "$KVER_6_12" --script tests/vm/guest/demo.sh --tcg-single \
	--timeout 600 --log "$out/console.log" --out "$out/guest" -- "$top" || status=$?
# Only what the guest made: JSON, CSV, PNG and the tables, per comparison.
find "$out/guest" -maxdepth 1 -type f \( -name '*.json' -o -name '*.csv' -o -name '*.png' \
	-o -name '*.txt' \) -exec cp -t "$results" {} +
cp "$out/console.log" "$results/"
echo
echo "demo: results in $results/:"
ls -1 "$results" | sed 's/^/  /'
echo "demo: TCG times are emulation times; read the ratios engine/native and the accounting"
exit "$status"
