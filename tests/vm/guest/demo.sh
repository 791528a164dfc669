#!/usr/bin/env bash
# The demo scenario inside the test box: load irqlab, list the devices,
# claim the e1000e and the ivshmem-doorbell, fire their MSI-X vectors and
# show the accounting, release, unload.
set -euo pipefail

top=${1:?usage: demo.sh REPO_TOP}
cli=$top/build/host/userspace/irqlab
kver=$(uname -r)

section() { printf '\n== %s\n' "$*"; }

section "insmod irqlab.ko (Linux $kver)"
insmod "$top/build/kmod/$kver/irqlab.ko"
dmesg | grep 'irqlab:' | sed 's/^/  /'

section "irqlab version"
"$cli" version

section "irqlab devices"
"$cli" devices

find_pci() {
	local dev
	for dev in /sys/bus/pci/devices/*; do
		if [ "$(cat "$dev/vendor"):$(cat "$dev/device")" = "$1" ]; then
			basename "$dev"
		fi
	done
}
e1000e=$(find_pci 0x8086:0x10d3)
ivshmem=$(find_pci 0x1af4:0x1110)

section "irqlab claim $e1000e; irqlab claim $ivshmem"
"$cli" claim "$e1000e"
"$cli" claim "$ivshmem"
grep irqlab /proc/interrupts | sed 's/^/  /'

section "irqlab fire $ivshmem --all-vectors --count 10000 --trigger device"
"$cli" fire "$ivshmem" --all-vectors --count 10000 --trigger device

section "irqlab fire $e1000e --all-vectors --count 10000 --trigger ipi"
"$cli" fire "$e1000e" --all-vectors --count 10000 --trigger ipi

section "irqlab release (both)"
"$cli" release "$e1000e"
"$cli" release "$ivshmem"

section "rmmod irqlab"
rmmod irqlab
echo "  unloaded; kernel log:"
dmesg | grep -E 'irqlab' | tail -n 2 | sed 's/^/  /'
