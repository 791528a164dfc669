#!/usr/bin/env bash
# The main job inside the test box: load irqlab, claim the e1000e and the
# ivshmem-doorbell, and compare every mechanism, engine vs native, with
# device, external and ipi triggers. Each comparison's table, JSON, CSV and
# PNG go to $IRQLAB_OUT, which scripts/demo.sh turns into
# results/<timestamp>/; stdout gets a line per comparison and, at the end,
# one screen: `irqlab report --summary` of them all.
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

failures=0
compared=()

# compare NAME ARGS...: one comparison, its table and files in $out, a
# line on stdout; a failure is reported and counted, and the demo goes on.
compare() {
	local name=$1 st start=$SECONDS
	shift
	"$cli" compare --quiet "$@" --save "$out/$name" >"$out/$name.txt" 2>"$out/$name.err"
	st=$?
	echo "compare $name: exit $st, $((SECONDS - start)) s"
	if [ "$st" -ne 0 ]; then
		sed 's/^/  /' "$out/$name.err"
		failures=$((failures + 1))
	fi
	[ ! -s "$out/$name.json" ] || compared+=("$out/$name.json")
}

echo "insmod irqlab.ko on Linux $kver; claim the e1000e ($e1000e) and the ivshmem ($ivshmem)"
insmod "$top/build/kmod/$kver/irqlab.ko" || exit 1
"$cli" version >"$out/version.txt"
"$cli" claim "$e1000e" >/dev/null && "$cli" claim "$ivshmem" >/dev/null || exit 1
grep irqlab /proc/interrupts >"$out/interrupts.txt"

# Device trigger: irqlab rings the ivshmem doorbell itself, back to back.
compare ivshmem-device --device "$ivshmem" --trigger device --count 1000 --warmup 100

# External: the host writes both doorbells at 500 Hz while each mechanism
# is measured for one second, and stops when compare is done.
inject_request demo_external 0,1 300000 500
compare ivshmem-external --device "$ivshmem" --trigger external --duration 1 --warmup 0
inject_stop demo_external
sent=$(inject_wait demo_external 120) || failures=$((failures + 1))
echo "  the host's injector rang both doorbells ${sent:-?} times"

# The e1000e through irq_inject_interrupt(), both vectors on CPU 1.
compare e1000e-ipi --device "$e1000e" --trigger ipi --cpu 1 --count 500 --warmup 50

# The BPF probes: the same comparison measured again with them attached,
# cross-checked against the module's histograms, and what they cost.
compare ivshmem-bpf --device "$ivshmem" --trigger device --count 1000 --warmup 100 \
	--probe bpf --mechanism softirq tasklet wq-system thread --histograms deferral

"$cli" release "$e1000e" >/dev/null
"$cli" release "$ivshmem" >/dev/null
rmmod irqlab
dmesg | grep -E 'WARNING|BUG|KASAN|lockdep' && failures=$((failures + 1))

echo
"$cli" report --summary "${compared[@]}" | tee "$out/summary.txt"
[ "${PIPESTATUS[0]}" -eq 0 ] || failures=$((failures + 1))
echo
echo "demo: $failures failure(s)"
[ "$failures" -eq 0 ]
