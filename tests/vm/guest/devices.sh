# Sourced by guest scenarios: the test box's devices, the bad-input check,
# and the engine scenarios' attach and fire cases.

# find_pci VENDOR DEVICE: the BDF of the first such PCI device, if any.
# Builtins only: every process costs a second or more on the debug kernel
# under TCG, and a box has some 30 PCI functions.
find_pci() {
	local dev vendor device
	for dev in /sys/bus/pci/devices/*; do
		read -r vendor <"$dev/vendor" && read -r device <"$dev/device" || continue
		if [ "$vendor" = "$1" ] && [ "$device" = "$2" ]; then
			echo "${dev##*/}"
			return
		fi
	done
}
e1000e=$(find_pci 0x8086 0x10d3)
ivshmem=$(find_pci 0x1af4 0x1110)
# Only in the igb box (run.sh --igb): QEMU's 82576.
igb=$(find_pci 0x8086 0x10c9)

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

# fire_case NAME EXPECT BDF ARGS...: reset BDF's counters, fire with
# ARGS, and check the run's report against EXPECT for $count per vector.
fire_check=$top/tests/vm/guest/fire_check.py
fire_case() {
	local name=$1 expect=$2 bdf=$3 out
	shift 3
	"$cli" reset "$bdf"
	# stdout only: the JSON report; warnings go to stderr.
	out=$("$cli" fire "$bdf" --json "$@" 2>/tmp/fire.err)
	"$fire_check" --expect "$expect" --count "$count" <<<"$out"
	ktap_case $? "$name" "$(cat /tmp/fire.err)" "$(head -c 600 <<<"$out")"
}

engine_check=$top/tests/vm/guest/engine_check.py
# engine_case NAME BDF [--spurious]: the engine's accounting, once the
# deferred work drained (tasklets and daemons may still be running).
engine_case() {
	local name=$1 out st i
	shift
	for i in 1 2 3 4 5 6 7 8 9 10; do
		out=$("$engine_check" "$cli" "$@" 2>&1)
		st=$?
		[ $st -eq 0 ] && break
		sleep 0.5
	done
	echo "$out" | grep -v MISMATCH
	ktap_case $st "$name" "$out"
}
