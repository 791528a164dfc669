#!/usr/bin/env bash
# make check: every test tier, each case reported in KTAP, and one closing
# line "N passed, N failed". Exits non-zero when any case failed.
#
# Tiers: style (checkpatch --strict, clang-format); the module build against
# each stock kernel and the debug kernel (zero warnings, C++ object policy);
# the hosted build (CLI, benchmark, VM tools); the unit tests under TSan and
# under clang with ASan+UBSan and its thread-safety analysis of the core's
# locks (one build for both); the debug kernel itself
# (built once, then cached); and the QEMU test box: the foundation and MSI-X
# scenarios on each stock kernel and, on the debug kernel, the same under
# KASAN/lockdep/kmemleak plus the KUnit suites and the ioctl fuzzer.
# 6.12-rt's and the debug kernel's tiers run in a second lane beside the
# others, and the last debug tiers in whichever lane is free first; the
# reports are printed in the order of the list all the same.
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
cache=${IRQLAB_CACHE:-$HOME/.cache/irqlab}

"$top/scripts/deps.sh" check || exit 1
"$top/scripts/kernels.sh" >/dev/null || exit 1
# shellcheck source=/dev/null
. "$cache/kernels.env"

stock=("$KVER_6_1" "$KVER_6_12")
rt=("$KVER_6_1_RT" "$KVER_6_12_RT")
declare -A kdir=()
for k in "${stock[@]}" "${rt[@]}"; do kdir[$k]=/usr/src/linux-headers-$k; done

suites=(style)
for k in "${stock[@]}" "${rt[@]}"; do suites+=("build:$k"); done
suites+=(build:host bench:host unit:tsan unit:clang-asan)
for k in "${stock[@]}"; do
	suites+=("vm:$k:basic.sh" "vm:$k:msix.sh" "vm:$k:external.sh" "vm:$k:engine.sh"
		"vm:$k:deferred.sh" "vm:$k:compare.sh")
done
# The PREEMPT_RT kernels' boxes: 6.1's in this lane, 6.12's at the head of
# the second, so that the two lanes end at about the same time.
rt_boxes=(basic.sh msix.sh engine.sh compare.sh)
for s in "${rt_boxes[@]}"; do suites+=("vm:$KVER_6_1_RT:$s"); done
# The wide box (72 vCPUs, a 128-vector ivshmem-doorbell: CPUs and vectors
# past 63) on the newer kernel; single-threaded TCG boots it in about 45 s.
suites+=("vm:$KVER_6_12:wide.sh")
# The igb (82576) device trigger, in a box run by bookworm-backports'
# QEMU (scripts/qemu.sh), on the newer kernel.
suites+=("vm:$KVER_6_12:igb.sh")
# Ownership (kill -9, SIGHUP, concurrent compares) on the newer kernel only.
suites+=("vm:$KVER_6_12:ownership.sh")
# CPU hotplug of the engine on 6.12 (4 vCPUs); on the debug kernel its
# KUnit cases take real CPUs down and up. vm:debug:hotplug.sh is left out:
# the debug kernel on 4 multi-threaded TCG vCPUs stalled in RCU at boot,
# before the scenario ran, and sat until the 1800 s timeout.
suites+=("vm:$KVER_6_12:hotplug.sh")
# irqlab torture: 3 minutes of random attach/detach/fire/hotplug on 6.12,
# and on the debug kernel below.
suites+=("vm:$KVER_6_12:torture.sh")
# The second lane: 6.12-rt's boxes (while the debug kernel may still be
# building), then the debug kernel's tiers.
second_lane=()
for s in "${rt_boxes[@]}"; do second_lane+=("vm:$KVER_6_12_RT:$s"); done
# The debug kernel takes some 40 s to boot under TCG on an idle host, and
# twice that beside make check's other work: its scenarios that run in
# the same box share boots (tests/vm/guest/sequence.sh).
# The debug kernel's engine, deferred and compare scenarios (some 25
# minutes) run in make soak: its torture below attaches every engine action
# and native mechanism under the same sanitizers.
second_lane+=(debug-kernel build:debug vm:debug:basic.sh+kunit.sh+msix.sh)
# The last debug tiers, the ioctl fuzzer (2 minutes under KASAN, lockdep
# and kmemleak) at the end, go to whichever lane is free first: on an
# empty cache the second lane, which waits for the debug kernel, is the
# longer.
shared_tail=(vm:debug:torture.sh vm:debug:fuzz.sh)

# The debug kernel (some 13 minutes of compiling on an idle 2-core machine
# with an empty cache; a moment once cached) builds from the start, beside
# the first lane's tiers and at their priority: on an empty cache it and
# the debug tiers after it are the longest path through make check (at
# the lowest priority it got only what the hosted builds left idle, and
# took 50 minutes). Its exit status lands in a file: the tier that waits
# for it runs in the second lane, which is not the build's parent.
debug_kernel_start() {
	# Its own process group, so that an interrupted make check stops the
	# compilers too.
	setsid bash -c 'scripts/debug-kernel.sh >build/check/debug-kernel.log 2>&1
		echo $? >build/check/debug-kernel.status' &
	debug_kernel_pid=$!
}

debug_kernel() {
	local start status
	start=$(date +%s)
	echo "KTAP version 1"
	while [ ! -s build/check/debug-kernel.status ] && kill -0 "$debug_kernel_pid" 2>/dev/null; do
		sleep 5
	done
	status=$(cat build/check/debug-kernel.status 2>/dev/null)
	status=${status:-1}
	ktap_case_line "$status" "debug_kernel_ready" "build/check/debug-kernel.log"
	echo "# debug kernel ready after $(($(date +%s) - start)) s more:" \
		"$(tail -n 1 build/check/debug-kernel.log)"
	echo "1..1"
	return "$status"
}

ktap_case_line() {
	if [ "$1" -eq 0 ]; then
		echo "ok 1 $2"
	else
		sed 's/^/# /' "$3" | tail -n 30
		echo "not ok 1 $2"
	fi
}

debug_env() {
	# shellcheck source=/dev/null
	[ -f "$cache/debug-kernel.env" ] && . "$cache/debug-kernel.env" && [ -n "${KVER_DEBUG:-}" ]
}

run_suite() {
	case $1 in
	style) tests/style/run.sh ;;
	# The binaries the boxes and bench:host run. The unit tests run in the
	# two sanitizer builds below (gcc's TSan, clang's ASan+UBSan); a third,
	# plain -O2 -g build of the same cases cost some 5 minutes of both
	# cores.
	build:host) tests/unit/run.sh build/host --no-tests ;;
	build:debug) debug_env && tests/build/check-build.sh "$KDIR_DEBUG" ;;
	build:*) tests/build/check-build.sh "${kdir[${1#build:}]}" ;;
	bench:host) tests/bench/run.sh build/host ;;
	unit:tsan) tests/unit/run.sh build/tsan --tests-only -DIRQLAB_SANITIZE=thread ;;
	# clang checks the core's lock annotations (-Wthread-safety -Werror)
	# in the same build that runs the tests under ASan+UBSan: one build of
	# the hosted tree fewer (some 6 minutes on 2 cores).
	unit:clang-asan)
		tests/unit/run.sh build/clang-asan --tests-only -DCMAKE_C_COMPILER=clang \
			-DCMAKE_CXX_COMPILER=clang++ \
			-DIRQLAB_THREAD_SAFETY=ON -DIRQLAB_SANITIZE=address,undefined
		;;
	debug-kernel) debug_kernel ;;
	# The number is the stall limit: how long a box may print nothing (see
	# tests/vm/suite.sh; the whole run may take four times that).
	# KASAN, lockdep and kmemleak under TCG are slow (msix.sh took 818 s on
	# an otherwise idle 2-core machine).
	vm:debug:*) debug_env && tests/vm/suite.sh "$KVER_DEBUG" "${1##*:}" 900 ;;
	# The engine scenarios fire some 250,000 interrupts each; compare
	# runs every mechanism several times, and BPF and bpftrace start slowly.
	# msix.sh fires some 100,000 interrupts and cycles claims 100 times.
	# hotplug.sh cycles 3 CPUs offline and back during two firing rounds.
	# torture.sh tortures for 180 s, printing a line every 10 s. The silence
	# before a box's first line includes its boot, which took over 180 s
	# beside a soak: basic.sh and external.sh get the same limit.
	vm:*:msix.sh | vm:*:engine.sh | vm:*:deferred.sh | vm:*:compare.sh | vm:*:ownership.sh | \
		vm:*:hotplug.sh | vm:*:torture.sh | vm:*:basic.sh | vm:*:external.sh | vm:*:igb.sh)
		tests/vm/suite.sh "$(cut -d: -f2 <<<"$1")" "${1##*:}" 420
		;;
	# 72 vCPUs on one TCG thread: boot alone takes about a minute.
	vm:*:wide.sh) tests/vm/suite.sh "$(cut -d: -f2 <<<"$1")" wide.sh 300 ;;
	vm:*)
		local spec=${1#vm:}
		tests/vm/suite.sh "${spec%%:*}" "${spec#*:}"
		;;
	esac
}

report_of() {
	echo "build/check/${1//[:\/]/_}.ktap"
}

# run_tier SUITE: its report, then "STATUS SECONDS" in REPORT.done.
run_tier() {
	local report tier_start status
	report=$(report_of "$1")
	tier_start=$(date +%s)
	run_suite "$1" >"$report" 2>&1
	status=$?
	echo "$status $(($(date +%s) - tier_start))" >"$report.done"
}

# The second lane: the RT and debug kernels' tiers, one after the other, beside
# the first lane's from the moment the CLI the boxes run is built (after
# build:host). A box keeps about one host CPU busy (one TCG thread, or
# vCPUs that mostly wait on paced firing), so two boxes at once put a
# 2-core machine's second core to work. Its own process group (job
# control), so that an interrupted make check stops its boxes too.
second_lane_start() {
	set -m
	(
		set +m
		for suite in "${second_lane[@]}"; do
			run_tier "$suite"
		done
		take_shared_tail
	) &
	second_lane_pid=$!
	set +m
}

# take_shared_tail: runs each tier of the shared tail the other lane has not
# claimed (mkdir is the atomic claim).
take_shared_tail() {
	local suite
	for suite in "${shared_tail[@]}"; do
		mkdir "$(report_of "$suite").claim" 2>/dev/null && run_tier "$suite"
	done
}

# wait_tier SUITE: until the second lane has run it.
wait_tier() {
	local report
	report=$(report_of "$1")
	while [ ! -s "$report.done" ]; do
		if ! kill -0 "$second_lane_pid" 2>/dev/null; then
			[ -s "$report.done" ] && return
			echo "# the second lane ended before $1 had run" >>"$report"
			echo "1 0" >"$report.done"
			return
		fi
		sleep 5
	done
}

mkdir -p build/check
rm -rf build/check/*.done build/check/*.claim build/check/debug-kernel.status
debug_kernel_start
second_lane_pid=
trap 'kill -- "-$debug_kernel_pid" 2>/dev/null; [ -z "$second_lane_pid" ] || kill -- "-$second_lane_pid" 2>/dev/null' EXIT
suites+=("${second_lane[@]}" "${shared_tail[@]}")
passed=0
failed=0
index=0
start=$(date +%s)
echo "KTAP version 1"
echo "1..${#suites[@]}"
for suite in "${suites[@]}"; do
	index=$((index + 1))
	report=$(report_of "$suite")
	if [[ " ${second_lane[*]} ${shared_tail[*]} " == *" $suite "* ]]; then
		[ -n "$second_lane_pid" ] || second_lane_start
		# This lane's own tiers are done: it takes what is left of the
		# shared tail once the debug kernel's module is built.
		if [ "$suite" = "${second_lane[0]}" ]; then
			wait_tier build:debug
			take_shared_tail
		fi
		wait_tier "$suite"
	else
		run_tier "$suite"
	fi
	[ "$suite" != build:host ] || [ -n "$second_lane_pid" ] || second_lane_start
	read -r status took <"$report.done"
	sed 's/^/    /' "$report"
	ok=$(grep -cE '^ok [0-9]+ ' "$report")
	bad=$(grep -cE '^not ok [0-9]+ ' "$report")
	# A tier that fails without a failed case, or reports nothing, still fails.
	if { [ $status -ne 0 ] && [ "$bad" -eq 0 ]; } || [ $((ok + bad)) -eq 0 ]; then
		echo "    # $suite exited $status with no failed case; counted as one failure"
		bad=$((bad + 1))
	fi
	passed=$((passed + ok))
	failed=$((failed + bad))
	echo "    # $suite took $took s"
	if [ "$bad" -eq 0 ]; then echo "ok $index $suite"; else echo "not ok $index $suite"; fi
done
echo "# make check took $(($(date +%s) - start)) s"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
