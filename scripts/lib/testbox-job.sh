# shellcheck shell=bash
# Sourced by the jobs that run one guest script on the stock 6.12 test box
# and keep what it made (make demo, make bench-compare).
#
#   testbox_job JOB GUEST_SCRIPT RESULTS_DIR TIMEOUT_S
#       installs what is missing, builds irqlab.ko for 6.12 and the CLI,
#       boots the box on single-threaded TCG (the jobs enable tracepoints
#       and BPF programs, whose live code patching multi-threaded TCG gets
#       wrong now and then), runs GUEST_SCRIPT there and copies the JSON,
#       CSV, PNG and text files it left, and the console log, into
#       RESULTS_DIR. Returns the box's status.

testbox_job() {
	local job=$1 script=$2 results=$3 timeout=$4 status=0 out
	# Called as 'testbox_job ... || status=$?', where set -e does not act.
	scripts/deps.sh demo || return 1
	scripts/kernels.sh >/dev/null || return 1
	# shellcheck source=/dev/null
	. "${IRQLAB_CACHE:-$HOME/.cache/irqlab}/kernels.env"

	echo "$job: building irqlab.ko for $KVER_6_12 and the irqlab CLI"
	mkdir -p build
	scripts/build-module.sh "/usr/src/linux-headers-$KVER_6_12" >"build/$job-build.log" 2>&1 || {
		cat "build/$job-build.log"
		return 1
	}
	cmake -S . -B build/host -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null || return 1
	cmake --build build/host -j "$(nproc)" >/dev/null || return 1

	out=build/$job/$(basename "$results")
	mkdir -p "$out" "$results"
	echo "$job: booting the test box (QEMU TCG, Linux $KVER_6_12): e1000e + ivshmem-doorbell"
	tests/vm/run.sh --kernel "$KVER_6_12" --script "$script" --tcg-single \
		--timeout "$timeout" --log "$out/console.log" --out "$out/guest" -- "$PWD" ||
		status=$?
	find "$out/guest" -maxdepth 1 -type f \( -name '*.json' -o -name '*.csv' \
		-o -name '*.png' -o -name '*.txt' \) -exec cp -t "$results" {} +
	cp "$out/console.log" "$results/"
	return "$status"
}
