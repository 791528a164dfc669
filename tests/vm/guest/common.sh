# Sourced first by guest scenarios, once they set top (the repository):
# the KTAP helpers, the kernel's bug reports as cases (sanitizers.sh), the
# test box's devices (devices.sh), and the module and CLI under test, as
# the host built them for this kernel.

# shellcheck source=../../lib/ktap.sh
. "$top/tests/lib/ktap.sh"
# shellcheck source=sanitizers.sh
. "$top/tests/vm/guest/sanitizers.sh"
# shellcheck source=devices.sh
. "$top/tests/vm/guest/devices.sh"

kver=$(uname -r)

# scaled N [FLOOR]: how many interrupts (or cycles) a scenario runs where
# its full run would run N, and at least FLOOR (1). make check runs a
# fraction of the full counts (IRQLAB_COUNT_DIVISOR, from the host's
# tests/vm/run.sh; make soak, make matrix and a scenario run by hand keep
# them): every accounting identity is checked the same, exactly, at any
# count. The debug kernel (KASAN, lockdep, kmemleak, under TCG) takes many
# times longer per interrupt, and its boxes are there for the sanitizers,
# which see every path at a fifth of the count as well: it runs N / 5.
scaled() {
	local n=$(($1 / ${IRQLAB_COUNT_DIVISOR:-1}))
	[ -e "$kmemleak" ] && n=$((n / 5))
	echo $((n > ${2:-1} ? n : ${2:-1}))
}
ko=$top/build/kmod/$kver/irqlab.ko
cli=$top/build/host/userspace/irqlab
