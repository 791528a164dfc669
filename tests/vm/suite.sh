#!/usr/bin/env bash
# One VM tier: boot the test box on kernel KVER, run a guest scenario, and
# report its cases plus what only the host can see (the guest finished in
# time, the console log is free of splats, how long it took).
#
# usage: tests/vm/suite.sh KVER SCENARIO[+SCENARIO...] [STALL_S]
#        (SCENARIO: a script under tests/vm/guest/, given the repo top;
#        several joined by + run one after the other in one boot, by
#        sequence.sh, and need the same box)
#
# STALL_S (180) bounds how long the box may go without printing a line
# (boot included), sized for the slowest step on a loaded host; the whole
# run may take IRQLAB_VM_CEILING (4, default) times that. A loaded host
# makes a scenario slower, not silent: a fixed wall-clock limit failed
# scenarios that had passed every case (issue 16).
set -uo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
kver=${1:?usage: suite.sh KVER SCENARIO [STALL_S]}
scenario=${2:?usage: suite.sh KVER SCENARIO [STALL_S]}
stall=${3:-180}
timeout=$((stall * ${IRQLAB_VM_CEILING:-4}))
# shellcheck source=../lib/ktap.sh
. "$top/tests/lib/ktap.sh"

results=$top/build/vm/$kver-${scenario//.sh/}
rm -rf "$results" && mkdir -p "$results"
console=$results/console.log

# Besides the usual splats: the scheduler's report of a task left on a CPU
# going down (sched_cpu_dying()), a CPU hotplug invariant the engine's
# per-CPU threads must keep, whatever the kernel prints with it; and x86's
# reports of a message that found no handler for its vector (a vector
# freed or moved under a trigger in flight).
splats='WARNING:|BUG:|Oops|Call Trace|Kernel panic|objtool|Unpatched return thunk|UBSAN|KASAN|ODEBUG|possible recursive locking|circular locking|sleeping function called|Dying CPU not properly vacated|unexpected IRQ trap at vector|No irq handler for vector'

# The box each scenario needs (run.sh options); the default is 2 vCPUs,
# 1 GiB and a 4-vector ivshmem-doorbell.
#
# The wide box: 72 vCPUs on one host thread. Multi-threaded TCG gives each
# vCPU a host thread, and 72 of them on a 2-core host fight over every
# cross-CPU step of boot (IPIs, stop_machine, code patching): a trivial
# scenario took 546 s on a loaded machine (a second try had not booted
# after 600 s), against 44-51 s with one thread.
wide_box=(--smp 72 --mem 2048 --ivshmem-vectors 128 --tcg-single)
# box_for SCENARIO: sets options and scenario_args.
box_for() {
	options=()
	scenario_args=()
	case $1 in
	# compare.sh enables tracepoints and attaches BPF programs again and
	# again: each patches kernel code while the other vCPU may run it, which
	# multi-threaded TCG does not always get right (run.sh --tcg-single).
	compare.sh) options=(--tcg-single) ;;
	# More CPUs and vectors than 64 (issue 15).
	wide.sh) options=("${wide_box[@]}") ;;
	# hotplug.sh takes CPUs 1-3 offline and back: four CPUs.
	hotplug.sh) options=(--smp 4) ;;
	# igb.sh needs QEMU's igb model: the newer QEMU (scripts/qemu.sh). With a
	# host thread per vCPU its box once hung at boot under load (CPU 1 halted,
	# its timer wake-up never came: RCU stall reports every 21 s); one thread.
	igb.sh) options=(--igb --tcg-single) ;;
	# torture.sh takes CPUs offline too; TORTURE_SECONDS (default 180) is
	# passed to the scenario (the guest's init gives scripts a clean
	# environment, so not as a variable). It attaches the native softirq
	# mechanism, whose tracepoint probes patch kernel code, as compare.sh does:
	# one host thread on every kernel. (On 6.12 with a thread per vCPU, a
	# torture box beside other load once died 4 s in of a double fault in
	# kmalloc with RFLAGS holding garbage; the debug kernel's 4 vCPUs had
	# stalled in RCU at boot.)
	torture.sh)
		options=(--smp 4 --tcg-single)
		scenario_args=("${TORTURE_SECONDS:-180}")
		;;
	# The fuzzer attaches the native softirq mechanism again and again, whose
	# tracepoint probes patch kernel code: one TCG thread, as compare.sh. Its
	# duration (FUZZ_SECONDS, default 120) and a seed to replay (FUZZ_SEED)
	# are passed to the scenario like torture.sh's.
	fuzz.sh)
		options=(--tcg-single)
		scenario_args=("${FUZZ_SECONDS:-120}" ${FUZZ_SEED:+"$FUZZ_SEED"})
		;;
	esac
}

script=$scenario
IFS=+ read -ra members <<<"$scenario"
box_for "${members[0]}"
if [ ${#members[@]} -gt 1 ]; then
	box=${options[*]}
	for member in "${members[@]}"; do
		box_for "$member"
		if [ "${options[*]}" != "$box" ] || [ ${#scenario_args[@]} -gt 0 ]; then
			echo "suite.sh: $member needs a box of its own (${options[*]:-the default})," \
				"not one with ${members[0]} (${box:-the default})" >&2
			exit 2
		fi
	done
	script=sequence.sh
	scenario_args=("${members[@]}")
fi

boot() {
	"$top/tests/vm/run.sh" --kernel "$kver" --script "$top/tests/vm/guest/$script" \
		"${options[@]}" \
		--stall "$stall" --timeout "$timeout" --log "$console" --out "$results/out" -- "$top" \
		${scenario_args[@]+"${scenario_args[@]}"} \
		>"$results/guest.ktap" 2>"$results/run.err"
}

# A report from the kernel's own boot, before the scenario (and irqlab)
# started, is the kernel's: such a box is booted again, at most twice, and
# each failed boot's console is kept. (Seen under TCG: a KASAN report in
# handle_edge_irq during start_kernel of the debug kernel, about one boot
# in 30; on a loaded host, an int3 oops in sched_clock_cpu while boot code
# live-patches a static key, right after such a boot.)
boot_splat() {
	sed '/irqlab-init: running/q' "$console" 2>/dev/null | grep -E "$splats" | head -5
}

ktap_begin
start=$(date +%s)
boot
status=$?
for attempt in 1 2; do
	early=$(boot_splat)
	[ -z "$early" ] && break
	echo "# the kernel reported a problem while booting, before the scenario ran;" \
		"booting again (console kept: $console.boot-$attempt):"
	sed 's/^/#   /' <<<"$early"
	mv "$console" "$console.boot-$attempt"
	rm -rf "$results/out"
	boot
	status=$?
done
elapsed=$(($(date +%s) - start))

ktap_import "" <"$results/guest.ktap"
[ "$ktap_imported" -gt 0 ]
ktap_case $? "guest_reported_cases" "no KTAP from the guest; console: $console" \
	"$(cat "$results/run.err")"

[ $status -eq 0 ]
ktap_case $? "guest_scenario_passed" "run.sh exit $status" "$(tail -n 20 "$results/run.err")"

# The console carries what the guest's own dmesg check cannot: messages
# from boot and power-off, and a panic that kills the guest script.
bad=$(grep -E "$splats" "$console" 2>/dev/null | head -20)
[ -f "$console" ] && [ -z "$bad" ]
ktap_case $? "console_log_clean" "$bad"

# The accelerator run.sh chose is the one the guest's CLI reads from
# CPUID and saves in its results (compare.sh prints it).
accel_line=$(sed -n 's/^run.sh: accelerator //p' "$results/run.err" | tail -n 1)
accelerator=${accel_line%% *}
seen=$(sed -n 's/^# hypervisor (CPUID): //p' "$results/guest.ktap" | sort -u)
if [ -n "$seen" ]; then
	[ "$seen" = "$accelerator" ]
	ktap_case $? "guest_sees_the_accelerator" "run.sh chose '$accelerator', the guest saw: $seen"
fi

echo "# $kver: boot + $scenario + power-off took $elapsed s (console: $console)"
echo "# accelerator: $accel_line"
ktap_end
