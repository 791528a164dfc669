#!/usr/bin/env bash
# The main job inside the test box: load irqlab, claim the e1000e and the
# ivshmem-doorbell, and compare every mechanism, engine vs native, with
# device, external and ipi triggers. Tables go to stdout; JSON, CSV and
# PNG of each comparison go to $IRQLAB_OUT, which scripts/demo.sh turns
# into results/<timestamp>/.
set -uo pipefail

top=${1:?usage: demo.sh REPO_TOP}
cli=$top/build/host/userspace/irqlab
kver=$(uname -r)
out=${IRQLAB_OUT:?not in the test box}
# shellcheck source=inject.sh
. "$top/tests/vm/guest/inject.sh"
# shellcheck source=../../lib/ktap.sh
. "$top/tests/lib/ktap.sh"
# shellcheck source=devices.sh
. "$top/tests/vm/guest/devices.sh"

section() { printf '\n== %s\n' "$*"; }
failures=0

# compare NAME ARGS...: one comparison, its table on stdout, its files in
# $out; a failure is reported and counted, and the demo goes on.
compare() {
	local name=$1 st
	shift
	section "irqlab compare $*"
	"$cli" compare --quiet "$@" --save "$out/$name" |
		tee "$out/$name.txt"
	st=${PIPESTATUS[0]}
	if [ "$st" -ne 0 ]; then
		echo "demo: compare $name exited $st"
		failures=$((failures + 1))
	fi
}

section "insmod irqlab.ko (Linux $kver)"
insmod "$top/build/kmod/$kver/irqlab.ko" || exit 1
"$cli" version
"$cli" claim "$e1000e" && "$cli" claim "$ivshmem" || exit 1
grep irqlab /proc/interrupts | sed 's/^/  /'

# Device trigger: irqlab rings the ivshmem doorbell itself, back to back.
compare ivshmem-device --device "$ivshmem" --trigger device --count 1000 --warmup 100

# External: the host writes both doorbells at 500 Hz while each mechanism
# is measured for one second, and stops when compare is done.
inject_request demo_external 0,1 300000 500
compare ivshmem-external --device "$ivshmem" --trigger external --duration 1 --warmup 0
inject_stop demo_external
section "host injector"
inject_wait demo_external 120 || failures=$((failures + 1))

# The e1000e through irq_inject_interrupt(), both vectors on CPU 1.
compare e1000e-ipi --device "$e1000e" --trigger ipi --cpu 1 --count 500 --warmup 50

# The BPF probes: the same comparison measured again with them attached,
# cross-checked against the module's histograms, and what they cost.
compare ivshmem-bpf --device "$ivshmem" --trigger device --count 1000 --warmup 100 \
	--probe bpf --mechanism softirq tasklet wq-system thread --histograms deferral

section "release, rmmod"
"$cli" release "$e1000e"
"$cli" release "$ivshmem"
rmmod irqlab
dmesg | grep -E 'WARNING|BUG|KASAN|lockdep' && failures=$((failures + 1))
echo "demo: $failures failure(s)"
[ "$failures" -eq 0 ]
