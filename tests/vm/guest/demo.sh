#!/usr/bin/env bash
# The demo scenario inside the test box: load irqlab, show its version and
# what it has claimed, list the interrupt-capable devices, unload.
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

# MSI-X table size from config space: walk the capability list (pointer at
# 0x34) to capability ID 0x11; Message Control bits 10:0 hold size - 1.
msix_vectors() {
	local -a cfg
	read -r -a cfg < <(od -An -v -tu1 -N256 "$1/config" | tr '\n' ' ')
	local pos=${cfg[0x34]:-0} hops=0
	while [ "$pos" -ne 0 ] && [ $hops -lt 48 ]; do
		if [ "${cfg[pos]}" -eq 17 ]; then
			local control=$((cfg[pos + 2] | cfg[pos + 3] << 8))
			echo $(((control & 0x7ff) + 1))
			return
		fi
		pos=${cfg[pos + 1]}
		hops=$((hops + 1))
	done
	echo "-"
}

section "PCI devices in this box (MSI-X vectors, bound driver)"
printf '  %-14s %-10s %-6s %s\n' BDF ID MSI-X DRIVER
for dev in /sys/bus/pci/devices/*; do
	driver=none
	[ -e "$dev/driver" ] && driver=$(basename "$(readlink "$dev/driver")")
	printf '  %-14s %-10s %-6s %s\n' "$(basename "$dev")" \
		"$(cut -c3- "$dev/vendor"):$(cut -c3- "$dev/device")" \
		"$(msix_vectors "$dev")" "$driver"
done

section "claimed by irqlab"
if grep -q irqlab /proc/interrupts; then
	grep irqlab /proc/interrupts
else
	echo "  none: claiming devices and firing their MSI-X vectors is the next step"
	echo "  (see docs/architecture.md)"
fi

section "rmmod irqlab"
rmmod irqlab
echo "  unloaded; kernel log:"
dmesg | grep -E 'irqlab' | tail -n 2 | sed 's/^/  /'
