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

# scaled N: how many interrupts per vector a scenario fires where it would
# fire N. The debug kernel (KASAN, lockdep, kmemleak, under TCG) takes many
# times longer per interrupt, and its boxes are there for the sanitizers,
# which see every path at a fifth of the count as well: it fires N / 5.
# The stock kernels keep N, and every count stays exact.
scaled() {
	if [ -e "$kmemleak" ]; then
		echo $(($1 / 5))
	else
		echo "$1"
	fi
}
ko=$top/build/kmod/$kver/irqlab.ko
cli=$top/build/host/userspace/irqlab
