#!/bin/sh
# Test box smoke test (runs in the guest): the two MSI-X devices the harness
# relies on are on the PCI bus. Uses sysfs only; the guest has no lspci.
set -u

echo "kernel $(uname -r), cwd $(pwd), $(nproc) CPUs"

# PCI capability id 0x11 is MSI-X. Walk the capability list in config space
# (pointer at 0x34); od prints the bytes as decimal.
has_msix() {
	cfg=$1/config
	ptr=$(od -An -tu1 -j 52 -N 1 "$cfg" | tr -d ' ')
	hops=0
	while [ "$ptr" -ne 0 ] && [ "$hops" -lt 48 ]; do
		read -r id next <<-EOF
			$(od -An -tu1 -j "$ptr" -N 2 "$cfg")
		EOF
		[ "$id" -eq 17 ] && return 0
		ptr=$next
		hops=$((hops + 1))
	done
	return 1
}

# find_device VENDOR DEVICE NAME: print the device's sysfs dir or fail.
find_device() {
	for d in /sys/bus/pci/devices/*; do
		if [ "$(cat "$d/vendor")" = "$1" ] && [ "$(cat "$d/device")" = "$2" ]; then
			if has_msix "$d"; then
				echo "ok: $3 ($1:$2) at ${d##*/} with MSI-X"
				return 0
			fi
			echo "FAIL: $3 ($1:$2) at ${d##*/} has no MSI-X capability"
			return 1
		fi
	done
	echo "FAIL: no $3 ($1:$2) on the PCI bus"
	return 1
}

rc=0
find_device 0x8086 0x10d3 e1000e || rc=1
find_device 0x1af4 0x1110 ivshmem-doorbell || rc=1
exit "$rc"
