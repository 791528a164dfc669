#!/usr/bin/env bash
# make matrix inside one test box: the same 'irqlab compare' on every
# kernel (ivshmem-doorbell, device trigger, every mechanism the kernel
# offers), saved as $IRQLAB_OUT/compare.json for 'irqlab report'. Prints
# the table; exits non-zero when the run fails (exit 3, events lost, still
# leaves a full result, and says so).
#
# usage (in the guest): tests/vm/guest/matrix_compare.sh REPO_TOP COUNT
set -uo pipefail

top=${1:?usage: matrix_compare.sh REPO_TOP COUNT}
count=${2:?usage: matrix_compare.sh REPO_TOP COUNT}
cli=$top/build/host/userspace/irqlab
kver=$(uname -r)
out=${IRQLAB_OUT:?not in the test box}
# shellcheck source=devices.sh
. "$top/tests/vm/guest/devices.sh"
# shellcheck source=sanitizers.sh
. "$top/tests/vm/guest/sanitizers.sh"

insmod "$top/build/kmod/$kver/irqlab.ko" || exit 1
"$cli" claim "$ivshmem" >/dev/null || exit 1
echo "matrix: irqlab compare on $kver"
"$cli" compare --device "$ivshmem" --trigger device --count "$count" --warmup 100 \
	--save "$out/compare"
status=$?
[ $status -eq 3 ] && echo "matrix: compare lost events (exit 3); the result says where"
"$cli" release "$ivshmem" >/dev/null
rmmod irqlab
if dmesg | grep -E "$sanitizer_splats"; then
	echo "matrix: the kernel log has a splat"
	status=1
fi
exit "$status"
