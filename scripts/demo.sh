#!/usr/bin/env bash
# make demo: build irqlab, boot the QEMU test box on the stock Debian 6.12
# kernel (with an e1000e and an ivshmem-doorbell device), load irqlab there
# and show what it sees.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"

scripts/deps.sh demo
scripts/kernels.sh >/dev/null
# shellcheck source=/dev/null
. "${IRQLAB_CACHE:-$HOME/.cache/irqlab}/kernels.env"

echo "demo: building irqlab.ko for $KVER_6_12 and the irqlab CLI"
scripts/build-module.sh "/usr/src/linux-headers-$KVER_6_12" >build/demo-build.log 2>&1 || {
	cat build/demo-build.log
	exit 1
}
cmake -S . -B build/host -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build/host -j "$(nproc)" >/dev/null

out=build/demo
mkdir -p "$out"
echo "demo: booting the test box (QEMU TCG, Linux $KVER_6_12)"
tests/vm/run.sh --kernel "$KVER_6_12" --script tests/vm/guest/demo.sh \
	--timeout 180 --log "$out/console.log" --out "$out/guest" -- "$top"
echo "demo: console log in $out/console.log"
