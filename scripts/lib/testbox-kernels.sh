# shellcheck shell=bash
# Sourced by the jobs that run on every test-box kernel (make soak, make
# matrix).
#
#   testbox_kernels JOB PICKED
#       fills the array kernels (in order: the stock 6.1 and 6.12, their
#       PREEMPT_RT builds when kernels.env names them, the debug kernel
#       when it is built) and the map kdir (each kernel's build tree, KDIR
#       for its module); PICKED, a space-separated list of kernel versions
#       (the job's *_KERNELS variable), keeps those, in its order. Returns
#       2, saying why as JOB, for a version that is no test-box kernel.

testbox_kernels() {
	local job=$1 picked=$2 cache=${IRQLAB_CACHE:-$HOME/.cache/irqlab} k
	kernels=()
	declare -gA kdir=()
	# shellcheck source=/dev/null
	. "$cache/kernels.env"
	testbox_kernel "$KVER_6_1" "/usr/src/linux-headers-$KVER_6_1"
	testbox_kernel "$KVER_6_12" "/usr/src/linux-headers-$KVER_6_12"
	testbox_kernel "${KVER_6_1_RT:-}" "/usr/src/linux-headers-${KVER_6_1_RT:-}"
	testbox_kernel "${KVER_6_12_RT:-}" "/usr/src/linux-headers-${KVER_6_12_RT:-}"
	if [ -f "$cache/debug-kernel.env" ]; then
		# shellcheck source=/dev/null
		. "$cache/debug-kernel.env"
		testbox_kernel "${KVER_DEBUG:-}" "${KDIR_DEBUG:-}"
	fi
	[ -n "$picked" ] || return 0
	for k in $picked; do
		[ -n "${kdir[$k]:-}" ] ||
			{ echo "$job: no test-box kernel $k (have: ${kernels[*]})" >&2; return 2; }
	done
	read -ra kernels <<<"$picked"
}

# testbox_kernel KVER KDIR: one kernel, when both are there.
testbox_kernel() {
	[ -n "$1" ] && [ -d "$2" ] || return 0
	kernels+=("$1")
	kdir[$1]=$2
}
