#!/usr/bin/env bash
# make check: every test tier, each case reported in KTAP, and one closing
# line "N passed, N failed". Exits non-zero when any case failed.
#
# Tiers: style (checkpatch --strict, clang-format); the module build against
# each stock, RT and the debug kernel (zero warnings, C++ object policy);
# the hosted build (CLI, benchmark, VM tools, man pages, completions); DKMS
# (dkms add and build for each stock kernel, in a tree of its own); the
# installed CLI (make install's tree, its man pages and completions against
# every command's --help); the unit tests under TSan and
# under clang with ASan+UBSan and its thread-safety analysis of the core's
# locks (one build for both); the debug kernel itself (built once, then
# cached); and the QEMU test box: every scenario on 6.12, the foundation
# and MSI-X scenarios on 6.1, those and the engine and compare scenarios on
# both PREEMPT_RT kernels, and on the debug kernel the foundation, MSI-X,
# torture and fuzzer scenarios under KASAN/lockdep/kmemleak plus the KUnit
# suites. Two lanes take the tiers, each the next one whose prerequisites
# are done, the debug kernel's first; the reports are printed in the order
# of the list all the same.
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
cache=${IRQLAB_CACHE:-$HOME/.cache/irqlab}

"$top/scripts/deps.sh" check || exit 1

# The debug kernel (some 15 minutes of compiling on an idle 2-core machine
# with an empty cache; a moment once cached) builds from the start, before
# the stock kernels are even downloaded: on an empty cache it and the debug
# tiers after it are the longest path through make check. Its exit status
# lands in a file: the tier that reports it runs in a lane, which is not
# the build's parent.
mkdir -p build/check
rm -rf build/check/*.done build/check/*.claim build/check/debug-kernel.status
# Its own process group, so that an interrupted make check stops the
# compilers too; not its own session (setsid), which would put it in an
# autogroup of its own, where the lanes' nice values cannot reach.
set -m
(
	set +m
	scripts/debug-kernel.sh >build/check/debug-kernel.log 2>&1
	echo $? >build/check/debug-kernel.status
) &
debug_kernel_pid=$!
set +m
trap 'kill -- "-$debug_kernel_pid" 2>/dev/null' EXIT

# The boxes fire a fifth of the full counts (tests/vm/guest/common.sh,
# scaled): every identity is checked as exactly at 2,000 interrupts per
# vector as at 10,000; make soak and make matrix fire the full counts.
export IRQLAB_COUNT_DIVISOR=5

"$top/scripts/kernels.sh" >/dev/null || exit 1
# shellcheck source=/dev/null
. "$cache/kernels.env"

stock=("$KVER_6_1" "$KVER_6_12")
rt=("$KVER_6_1_RT" "$KVER_6_12_RT")
declare -A kdir=()
for k in "${stock[@]}" "${rt[@]}"; do kdir[$k]=/usr/src/linux-headers-$k; done

suites=(style)
for k in "${stock[@]}" "${rt[@]}"; do suites+=("build:$k"); done
# DKMS packaging of the same module, for each stock kernel.
for k in "${stock[@]}"; do suites+=("dkms:$k"); done
suites+=(build:host cli:host bench:host unit:tsan unit:clang-asan)
# 6.1 gets the foundation and MSI-X scenarios; its engine, deferred,
# external and compare scenarios run in make soak and make matrix. 6.12,
# the newer stock kernel, gets every scenario.
suites+=("vm:$KVER_6_1:basic.sh+dkms.sh" "vm:$KVER_6_1:msix.sh")
for s in basic.sh+dkms.sh msix.sh external.sh engine.sh deferred.sh compare.sh; do
	suites+=("vm:$KVER_6_12:$s")
done
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
# The PREEMPT_RT kernels: the foundation, MSI-X and engine scenarios share
# a boot; compare.sh needs a box of its own (one TCG thread).
for k in "${rt[@]}"; do
	suites+=("vm:$k:basic.sh+msix.sh+engine.sh" "vm:$k:compare.sh")
done
# The debug kernel takes some 40 s to boot under TCG on an idle host, and
# twice that beside make check's other work: its scenarios that run in
# the same box share boots (tests/vm/guest/sequence.sh). Its engine,
# deferred and compare scenarios (some 25 minutes) run in make soak: its
# torture attaches every engine action and native mechanism under the
# same sanitizers.
debug_tiers=(debug-kernel build:debug vm:debug:basic.sh+kunit.sh+msix.sh vm:debug:torture.sh
	vm:debug:fuzz.sh)
suites+=("${debug_tiers[@]}")

# The order the lanes take the tiers in, each as soon as what it needs is
# done: the debug kernel's first, the longest path through make check on
# an empty cache (its build, then its tiers one after the other); the
# compilers, whose CLI the boxes need; then the boxes, the longest first,
# so that the two lanes end close together.
order=()
order_add() {
	local pattern suite
	for pattern in "$@"; do
		for suite in "${suites[@]}"; do
			# shellcheck disable=SC2053 # a glob on purpose
			[[ $suite == $pattern && " ${order[*]} " != *" $suite "* ]] && order+=("$suite")
		done
	done
}
order_add "${debug_tiers[@]}" build:host style 'build:*' 'unit:*' cli:host bench:host 'dkms:*'
order_add "vm:$KVER_6_12_RT:*" "vm:$KVER_6_1_RT:*" "vm:*:torture.sh" "vm:*:compare.sh" \
	"vm:*:wide.sh" "vm:*:ownership.sh" "vm:*:deferred.sh" "vm:*:msix.sh" 'vm:*'

# The debug-kernel tier: the build's verdict, once it has one (ready).
debug_kernel() {
	local status
	status=$(cat build/check/debug-kernel.status 2>/dev/null)
	status=${status:-1}
	echo "KTAP version 1"
	ktap_case_line "$status" "debug_kernel_ready" "build/check/debug-kernel.log"
	sed -n 's/^debug-kernel: \(.* built in .*\)/# \1/p' build/check/debug-kernel.log
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
	dkms:*) tests/build/dkms.sh "${kdir[${1#dkms:}]}" ;;
	bench:host) tests/bench/run.sh build/host ;;
	cli:host) tests/cli/run.sh build/host ;;
	unit:tsan)
		tests/unit/run.sh build/tsan --tests-only -DIRQLAB_SANITIZE=thread \
			-DIRQLAB_UNIT_CLI_TESTS=OFF
		;;
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
	# 72 vCPUs on one TCG thread: boot alone takes about a minute.
	vm:*:wide.sh) tests/vm/suite.sh "$(cut -d: -f2 <<<"$1")" wide.sh 300 ;;
	# The slowest steps: the engine's spurious line (100,500 interrupts),
	# bpftrace starting and stopping in compare.sh, a box booting beside a
	# soak (over 180 s once). torture.sh prints a line every 10 s.
	vm:*) tests/vm/suite.sh "$(cut -d: -f2 <<<"$1")" "${1#vm:*:}" 420 ;;
	esac
}

report_of() {
	echo "build/check/${1//[:\/]/_}.ktap"
}

# debug_kernel_building: the debug kernel's build has not ended yet.
debug_kernel_building() {
	[ ! -s build/check/debug-kernel.status ] && kill -0 "$debug_kernel_pid" 2>/dev/null
}

# run_tier SUITE: its report, then "STATUS SECONDS" in REPORT.done. While
# the debug kernel builds, the tiers no other tier waits for (style, the
# module builds, the unit tests) yield to it: its build is the head of the
# longest path, and they fill the CPU it leaves.
run_tier() {
	local report tier_start status yield=0
	report=$(report_of "$1")
	tier_start=$(date +%s)
	case $1 in
	build:host) ;;
	style | unit:* | build:* | dkms:*) debug_kernel_building && yield=1 ;;
	esac
	(
		[ $yield -eq 0 ] || renice -n 10 -p "$BASHPID" >/dev/null
		run_suite "$1"
	) >"$report" 2>&1
	status=$?
	echo "$status $(($(date +%s) - tier_start))" >"$report.done"
}

# ready SUITE: what the tier needs is done. The boxes run the CLI that
# build:host builds, and bench:host its benchmark; the debug kernel's
# boxes also its module.
ready() {
	case $1 in
	bench:host | cli:host) tier_done build:host ;;
	debug-kernel) ! debug_kernel_building ;;
	build:debug) tier_done debug-kernel ;;
	vm:debug:*) tier_done build:debug && tier_done build:host ;;
	# No box boots while the debug kernel builds: a box takes a core or
	# two of the two, and the kernel is on the longest path.
	vm:*) tier_done build:host && ! debug_kernel_building && dkms_ready "$1" ;;
	*) true ;;
	esac
}

# dkms_ready SUITE: a box that loads the DKMS-built module (dkms.sh) has
# its kernel's dkms tier done.
dkms_ready() {
	local kernel=${1#vm:}
	[[ $1 != *dkms.sh* ]] || tier_done "dkms:${kernel%%:*}"
}

tier_done() {
	[ -s "$(report_of "$1").done" ]
}

# lane: again and again, takes the first tier in order that no lane has
# taken and that is ready (mkdir is the atomic claim) and runs it, until
# every tier is taken. Two lanes: a box keeps about one host CPU busy (one
# TCG thread, or vCPUs that mostly wait on paced firing), and so does each
# hosted build's share of a 2-core machine.
lane() {
	local suite waiting
	while :; do
		waiting=0
		for suite in "${order[@]}"; do
			[ -d "$(report_of "$suite").claim" ] && continue
			waiting=1
			if ready "$suite" && mkdir "$(report_of "$suite").claim" 2>/dev/null; then
				run_tier "$suite"
				continue 2
			fi
		done
		[ $waiting -eq 1 ] || return 0
		sleep 5
	done
}

# Each lane in its own process group (job control), so that an interrupted
# make check stops its boxes too.
lane_pids=()
set -m
for _ in 1 2; do
	(
		set +m
		lane
	) &
	lane_pids+=($!)
done
set +m
trap 'kill -- "-$debug_kernel_pid" 2>/dev/null; for p in "${lane_pids[@]}"; do kill -- "-$p" 2>/dev/null; done' EXIT

# wait_tier SUITE: until a lane has run it.
wait_tier() {
	local report p
	report=$(report_of "$1")
	while [ ! -s "$report.done" ]; do
		for p in "${lane_pids[@]}"; do
			kill -0 "$p" 2>/dev/null && { sleep 5; continue 2; }
		done
		[ -s "$report.done" ] && return
		echo "# every lane ended before $1 had run" >>"$report"
		echo "1 0" >"$report.done"
		return
	done
}

passed=0
failed=0
index=0
start=$(date +%s)
echo "KTAP version 1"
echo "1..${#suites[@]}"
for suite in "${suites[@]}"; do
	index=$((index + 1))
	report=$(report_of "$suite")
	wait_tier "$suite"
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
