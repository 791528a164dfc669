#!/usr/bin/env bash
# CPU hotplug scenario, run as root inside a test box with several CPUs:
# real MSI-X vectors of the ivshmem-doorbell (device trigger) and the
# e1000e (ipi trigger) enter irqlab's engine with every action attached,
# while a loop takes every non-boot CPU offline and back through
# /sys/devices/system/cpu/cpuN/online. After a flush the accounting must
# be exact: native fired == received (+ coalesced/busy), and the engine's
# per-line identities (engine_check.py: every work item queued ran once,
# tasklets scheduled == runs + coalesced, softirq units done == units
# handed over, NAPI events consumed == brought, nothing left pending); the
# engine's per-CPU threads are back on their CPUs; the kernel log clean.
# Prints KTAP, with the cycle and interrupt counts as diagnostics.
#
# usage (in the guest): tests/vm/guest/hotplug.sh REPO_TOP
set -uo pipefail

top=${1:?usage: hotplug.sh REPO_TOP}
# shellcheck source=common.sh
. "$top/tests/vm/guest/common.sh"

check=$top/tests/vm/guest/engine_check.py
# The debug kernel (KASAN, lockdep, kmemleak) is some 4x slower under TCG;
# its run took 815 s with 1000 on a loaded machine.
count=3000
case $(uname -r) in *debug*) count=500 ;; esac

cpus=(/sys/devices/system/cpu/cpu[1-9]*/online)
state=$(mktemp -d)

# Takes every non-boot CPU offline and back until told to stop; counts
# the cycles and the refused writes.
hotplug_loop() {
	local cycles=0 refused=0 f
	while [ ! -e "$state/stop" ]; do
		for f in "${cpus[@]}"; do
			if echo 0 >"$f" 2>/dev/null; then
				echo 1 >"$f" 2>/dev/null || refused=$((refused + 1))
				cycles=$((cycles + 1))
			else
				refused=$((refused + 1))
			fi
		done
	done
	echo "$cycles $refused" >"$state/cycles"
}

all_online() {
	local f
	for f in "${cpus[@]}"; do
		[ "$(cat "$f")" = 1 ] || echo 1 >"$f" || return 1
	done
}

# fire_with_hotplug NAME: both devices fire on all their vectors while the
# loop cycles the CPUs; each run must balance.
fire_with_hotplug() {
	local name=$1 st1 st2 cycles refused
	rm -f "$state/stop" "$state/cycles"
	"$cli" reset "$ivshmem" && "$cli" reset "$e1000e"
	hotplug_loop &
	local loop=$!
	"$cli" fire "$ivshmem" --all-vectors --count "$count" --trigger device >"$state/ivshmem" 2>&1 &
	local f1=$!
	"$cli" fire "$e1000e" --all-vectors --count "$count" --trigger ipi >"$state/e1000e" 2>&1
	st2=$?
	wait $f1
	st1=$?
	touch "$state/stop"
	wait $loop
	read -r cycles refused <"$state/cycles"
	echo "# $name: $cycles offline/online cycles of ${#cpus[@]} CPUs ($refused writes refused)"
	sed 's/^/# ivshmem: /' "$state/ivshmem"
	sed 's/^/# e1000e: /' "$state/e1000e"
	[ "$cycles" -gt 0 ]
	ktap_case $? "${name}_cpus_cycled" "$cycles cycles, $refused refused"
	ktap_case $st1 "${name}_ivshmem_device_${count}_balanced" "$(tail -n 8 "$state/ivshmem")"
	ktap_case $st2 "${name}_e1000e_ipi_${count}_balanced" "$(tail -n 8 "$state/e1000e")"
	all_online
	ktap_case $? "${name}_all_cpus_online_again"
}

# accounting NAME BDF: flush, then the engine's identities, exactly.
accounting() {
	local name=$1 bdf=$2 out st
	"$cli" engine flush "$bdf" --all-vectors
	ktap_case $? "flush_$name"
	out=$("$check" "$cli" "$bdf" 2>&1)
	st=$?
	echo "$out" | grep -v MISMATCH
	ktap_case $st "$name" "$out"
}

# Every per-CPU engine thread (irqlab-sirqd/N, irqlab-timer/N) exists
# once per CPU and last ran on its own CPU: parked and bound back, never
# left where the scheduler moved it.
threads_home() {
	local name=$1 bad=() n comm psr
	for comm in irqlab-sirqd irqlab-timer; do
		n=$(ps -eo comm | grep -c "^$comm/")
		[ "$n" -eq "$(nproc)" ] || bad+=("$n $comm threads for $(nproc) CPUs")
	done
	while read -r psr comm; do
		[ "${comm##*/}" = "$psr" ] || bad+=("$comm last ran on CPU $psr")
	done < <(ps -eo psr,comm | grep -E 'irqlab-(sirqd|timer)/')
	[ ${#bad[@]} -eq 0 ]
	ktap_case $? "$name" "${bad[@]}"
}

ktap_begin
echo "# e1000e at $e1000e, ivshmem-doorbell at $ivshmem, $(nproc) CPUs, count $count"
[ ${#cpus[@]} -gt 0 ] && [ -e "${cpus[0]}" ]
ktap_case $? "hotpluggable_cpus" "no /sys/devices/system/cpu/cpuN/online"
sanitizers_begin
insmod "$ko"
ktap_case $? "insmod"
"$cli" claim "$ivshmem" >/dev/null && "$cli" claim "$e1000e" >/dev/null
ktap_case $? "claim_both"

# Round 1: counting, softirq work with rounds, tasklets, and per-CPU,
# unbound, high priority, ordered and BH work.
attach "$ivshmem" --vector 0 --action count
attach "$ivshmem" --vector 1 --action softirq:net_rx --rounds 20
attach "$ivshmem" --vector 2 --action tasklet
attach "$ivshmem" --vector 3 --action tasklet-hi
attach "$e1000e" --vector 0 --action work:percpu
attach "$e1000e" --vector 1 --action work:unbound
attach "$e1000e" --vector 2 --action work:highpri
attach "$e1000e" --vector 3 --action work:ordered
attach "$e1000e" --vector 4 --action work:bh
fire_with_hotplug "round1"
accounting "round1_ivshmem_accounting_exact" "$ivshmem"
accounting "round1_e1000e_accounting_exact" "$e1000e"
threads_home "round1_per_cpu_threads_home"
"$cli" engine detach "$ivshmem" --all-vectors && "$cli" engine detach "$e1000e" --all-vectors
ktap_case $? "round1_detach"

# Round 2: delayed work, threads (one ONESHOT), NAPI, a softirq storm
# handed to the daemons, and work that sleeps while its CPU goes.
attach "$ivshmem" --vector 0 --action work:delayed --delay-us 300
attach "$ivshmem" --vector 1 --action thread
attach "$ivshmem" --vector 2 --action thread:oneshot
attach "$ivshmem" --vector 3 --action napi --napi-events 100 --napi-weight 64
attach "$e1000e" --vector 0 --action softirq:block --rounds 200
attach "$e1000e" --vector 1 --action tasklet
attach "$e1000e" --vector 2 --action work:percpu --hold sleep --hold-us 200
attach "$e1000e" --vector 3 --action thread --hold spin --hold-us 20
attach "$e1000e" --vector 4 --action work:bh
fire_with_hotplug "round2"
accounting "round2_ivshmem_accounting_exact" "$ivshmem"
accounting "round2_e1000e_accounting_exact" "$e1000e"
threads_home "round2_per_cpu_threads_home"
"$cli" engine softirqs | sed 's/^/# /'

rmmod irqlab
ktap_case $? "rmmod"
left=$(ps -eo comm | grep -c '^irqlab-')
[ "$left" -eq 0 ]
ktap_case $? "engine_threads_gone_after_rmmod" "$left left"
rm -rf "$state"
sanitizers_end
ktap_end
