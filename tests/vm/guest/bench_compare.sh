#!/usr/bin/env bash
# make bench-compare inside the test box: the engine/native ratio matrix of
# three cases (device trigger back to back, ipi pinned to CPU 1, external
# at 500 Hz) and the saturation rate of each path. Prints numbers, fails
# only when a run itself fails; the JSON of every run goes to $IRQLAB_OUT.
set -uo pipefail

top=${1:?usage: bench_compare.sh REPO_TOP}
cli=$top/build/host/userspace/irqlab
kver=$(uname -r)
out=${IRQLAB_OUT:?not in the test box}
# shellcheck source=inject.sh
. "$top/tests/vm/guest/inject.sh"
# shellcheck source=devices.sh
. "$top/tests/vm/guest/devices.sh"

failures=0
# compare NAME ARGS...: one comparison as JSON in $out/NAME.json.
compare() {
	local name=$1 st
	shift
	echo "bench-compare: irqlab compare $*"
	"$cli" compare --quiet --json "$@" >"$out/$name.json" 2>"$out/$name.err"
	st=$?
	# Exit 3 (events lost) and 4 (p99 limit) still carry a full result.
	if [ "$st" -ne 0 ] && [ "$st" -ne 3 ]; then
		echo "bench-compare: compare $name exited $st: $(cat "$out/$name.err")"
		failures=$((failures + 1))
	fi
}

insmod "$top/build/kmod/$kver/irqlab.ko" || exit 1
"$cli" claim "$e1000e" && "$cli" claim "$ivshmem" || exit 1

compare device --device "$ivshmem" --trigger device --count 1000 --warmup 100
compare ipi-cpu1 --device "$e1000e" --trigger ipi --cpu 1 --count 500 --warmup 50
inject_request bench_external 0,1 300000 500
compare external --device "$ivshmem" --trigger external --duration 1 --warmup 0
inject_stop bench_external
inject_wait bench_external 120 >/dev/null || failures=$((failures + 1))

# Saturation: paced runs at rising rates (triggers of both vectors share
# the rate); a path sustains a rate while every interrupt is delivered and
# run on its own.
rates=(1000 2000 5000 10000 20000 50000)
saturation=()
for rate in "${rates[@]}"; do
	compare "rate-$rate" --device "$ivshmem" --trigger device --rate "$rate" --count 500 \
		--warmup 0
	saturation+=("$rate=$out/rate-$rate.json")
done

"$cli" release "$e1000e"
"$cli" release "$ivshmem"
rmmod irqlab

"$top/scripts/ratios.py" "$out/ratios" device="$out/device.json" \
	ipi-cpu1="$out/ipi-cpu1.json" external="$out/external.json" \
	--saturation "${saturation[@]}" || failures=$((failures + 1))
dmesg | grep -E 'WARNING|BUG|KASAN|lockdep' && failures=$((failures + 1))
echo "bench-compare: $failures failure(s)"
[ "$failures" -eq 0 ]
