#!/usr/bin/env bash
# Torture scenario, run as root inside a test box with several CPUs: claim
# the ivshmem-doorbell (device trigger) and the e1000e (ipi trigger) and run
# 'irqlab torture' on both for SECONDS (random engine lines and native
# mechanisms attached and detached while firing, affinity shuffles, CPU
# offline/online, stutter, forced-threading flips), then check its verdict:
# SUCCESS and exit 0, every identity exact by its own summary, the kernel
# log clean (its own watch and the sanitizers' scan, kmemleak included).
# The seed is printed, so a failure can be replayed with --seed.
#
# usage (in the guest): tests/vm/guest/torture.sh REPO_TOP [SECONDS]
#        (tests/vm/suite.sh passes TORTURE_SECONDS, default 180)
set -uo pipefail

top=${1:?usage: torture.sh REPO_TOP [SECONDS]}
seconds=${2:-180}
# shellcheck source=common.sh
. "$top/tests/vm/guest/common.sh"
out=$(mktemp)

ktap_begin
echo "# e1000e at $e1000e, ivshmem-doorbell at $ivshmem, $(nproc) CPUs, $seconds s"
sanitizers_begin
insmod "$ko"
ktap_case $? "insmod"
"$cli" claim "$ivshmem" >/dev/null && "$cli" claim "$e1000e" >/dev/null
ktap_case $? "claim_both"

# Bad flags and no root are errors (exit 1), not verdicts.
expect_fail "bad_duration_is_an_error" 1 "--duration" "$cli" torture --duration forever
expect_fail "bad_trigger_is_an_error" 1 "--triggers" "$cli" torture --triggers warp
expect_fail "unknown_flag_is_an_error" 1 "--frobnicate" "$cli" torture --frobnicate
expect_fail "needs_root" 1 "root" setpriv --reuid=65534 --regid=65534 --clear-groups \
	"$cli" torture --duration 1

# The stats lines every 10 s, the verdict last; stuck bound: 5 minutes
# (the debug kernel under TCG is slow, not stuck).
"$cli" torture --duration "$seconds" --stat-interval 10 --stuck-timeout 300 \
	--device "$ivshmem" --device "$e1000e" >"$out" 2>&1 &
torture=$!
# Its own watchdog ends it 300 s into a stuck operation; a process that
# cannot even exit then is blocked in the kernel: show where (sysrq w,
# the blocked tasks' stacks) rather than wait for the host's stall limit.
# Its lines are passed on as they come: the host takes a long silence for
# a hang (a soak runs for an hour).
# A second watchdog, for a torture that cannot even report itself stuck
# (its own bound is 300 s): once the torture has printed nothing for 6
# minutes, or this script has passed nothing on for 3 (a write to ttyS1
# that never ends), it leaves on the kernel console (written by polling,
# no interrupt needed) each CPU's hotplug state, the kernel stacks of
# the torture's threads, the blocked tasks and every CPU's backtrace.
heartbeat=$(mktemp)
watch_silence() {
	local now quiet still task
	while sleep 30; do
		now=$(date +%s)
		quiet=$((now - $(stat -c %Y "$heartbeat")))
		still=$((now - $(stat -c %Y "$out")))
		[ $quiet -ge 180 ] || [ $still -ge 360 ] || continue
		{
			echo "torture.sh: nothing passed on for $quiet s, no torture line for $still s"
			for cpu in /sys/devices/system/cpu/cpu[0-9]*; do
				echo "torture.sh: ${cpu##*/} online $(cat "$cpu/online" 2>/dev/null)" \
					"hotplug state $(cat "$cpu/hotplug/state") target $(cat "$cpu/hotplug/target")"
			done
			for task in "/proc/$torture/task/"*; do
				echo "torture.sh: thread ${task##*/} ($(cat "$task/comm")) $(cat "$task/wchan"):" \
					"$(tr '\n' ' ' <"$task/stack")"
			done
			echo "torture.sh: this script waits in $(tr '\n' ' ' <"/proc/$$/stack")"
			grep 'irq:' /proc/tty/driver/serial
		} 2>&1 | while read -r line; do echo "$line" >/dev/kmsg; done
		# sysrq restores the console level before it reports: raise it
		# for the report itself.
		read -r level _ </proc/sys/kernel/printk
		echo 7 >/proc/sys/kernel/printk
		echo w >/proc/sysrq-trigger
		echo l >/proc/sysrq-trigger
		echo "$level" >/proc/sys/kernel/printk
		return
	done
}
watch_silence &
watcher=$!
shown=0
show_new_lines() {
	local total
	total=$(wc -l <"$out")
	[ "$total" -gt "$shown" ] && tail -n "+$((shown + 1))" "$out" | head -n "$((total - shown))" |
		sed 's/^/# /'
	shown=$total
}
deadline=$((SECONDS + seconds + 900))
while kill -0 "$torture" 2>/dev/null && [ $SECONDS -lt $deadline ]; do
	sleep 5
	show_new_lines
	touch "$heartbeat"
done
kill "$watcher" 2>/dev/null
wait "$watcher" 2>/dev/null
if kill -0 "$torture" 2>/dev/null; then
	echo "# irqlab torture has not ended $((seconds + 900)) s after its start: blocked tasks"
	echo w >/proc/sysrq-trigger
	sleep 2
	dmesg | tail -n 200 | sed 's/^/# /'
	kill -9 "$torture" 2>/dev/null
fi
wait "$torture"
status=$?
show_new_lines
grep -q '^irqlab-torture: --- Start of test: ' "$out"
ktap_case $? "torture_ran" "$(tail -n 5 "$out")"
[ $status -eq 0 ] && tail -n 1 "$out" | grep -q '^irqlab-torture: --- End of test: SUCCESS: '
ktap_case $? "verdict_success" "exit $status" "$(grep -E 'FAILURE|End of test' "$out" | head -20)"
# Its summary: lines and mechanisms really checked, nothing reported.
checked=$(sed -n 's/^irqlab-torture: identities: \([0-9]*\) engine lines.*/\1/p' "$out")
[ "${checked:-0}" -gt 0 ] && ! grep -q '^irqlab-torture: FAILURE' "$out"
ktap_case $? "identities_exact" "$(grep '^irqlab-torture: identities' "$out")"
grep -q 'kernel log watched' "$out" && ! grep -q 'FAILURE: kernel log' "$out"
ktap_case $? "torture_kernel_log_clean" "$(grep 'kernel log' "$out" | head -5)"

"$cli" release "$ivshmem" && "$cli" release "$e1000e"
ktap_case $? "release_both"
rmmod irqlab
ktap_case $? "rmmod"
rm -f "$out" "$heartbeat"
sanitizers_end
ktap_end
