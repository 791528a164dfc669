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
ko=$top/build/kmod/$kver/irqlab.ko
cli=$top/build/host/userspace/irqlab
