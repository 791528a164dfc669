# Sourced by guest scenarios: the test box's devices and the bad-input check.

# find_pci VENDOR DEVICE: the BDF of the first such PCI device, if any.
find_pci() {
	local dev
	for dev in /sys/bus/pci/devices/*; do
		if [ "$(cat "$dev/vendor")" = "$1" ] && [ "$(cat "$dev/device")" = "$2" ]; then
			basename "$dev"
			return
		fi
	done
}
e1000e=$(find_pci 0x8086 0x10d3)
ivshmem=$(find_pci 0x1af4 0x1110)

# expect_fail NAME STATUS MESSAGE CMD...: CMD exits with STATUS and says MESSAGE.
expect_fail() {
	local name=$1 want=$2 message=$3 out st
	shift 3
	out=$("$@" 2>&1)
	st=$?
	[ $st -eq "$want" ] && grep -qF -- "$message" <<<"$out"
	ktap_case $? "$name" "exit $st (want $want)" "$out"
}
