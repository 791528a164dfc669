# Sourced by guest scenarios: the test box's devices, the bad-input check,
# and the engine scenarios' attach and fire cases.

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

# attach ARGS...: 'irqlab engine attach ARGS' as a case ($cli: the CLI).
attach() {
	local out
	out=$("$cli" engine attach "$@" 2>&1)
	ktap_case $? "attach $*" "$out"
}

# fire NAME BDF ARGS...: reset BDF's counters, fire, one case.
fire() {
	local name=$1 bdf=$2 out
	shift 2
	"$cli" reset "$bdf"
	out=$("$cli" fire "$bdf" "$@" 2>&1)
	ktap_case $? "$name" "$(tail -n 5 <<<"$out")"
}
