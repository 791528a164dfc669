#!/usr/bin/env bash
# Engine deferred-work scenario, run as root inside the test box: real
# MSI-X vectors enter irqlab's engine and defer to its workqueues (per-CPU,
# unbound, high priority, ordered, BH, delayed), its irq threads (with and
# without ONESHOT) and its NAPI-style polls; after a flush the accounting
# must be exact. Also concurrency management and the rescuer seen in the
# pool table, flush, detach (workqueue destroy) and rmmod under load,
# forced threading, and bad input. Prints KTAP.
#
# usage (in the guest): tests/vm/guest/deferred.sh REPO_TOP
set -uo pipefail

top=${1:?usage: deferred.sh REPO_TOP}
# shellcheck source=common.sh
. "$top/tests/vm/guest/common.sh"

check=$top/tests/vm/guest/engine_check.py
count=$(scaled 10000)

# accounting NAME BDF [--vector N]: flush what the lines deferred, then
# check exactly (all attached vectors of BDF, or only N).
accounting() {
	local name=$1 bdf=$2 out st
	shift 2
	"$cli" engine flush "$bdf" --all-vectors
	ktap_case $? "flush_$name"
	out=$("$check" "$cli" "$bdf" "$@" 2>&1)
	st=$?
	echo "$out" | grep -v MISMATCH
	ktap_case $st "$name" "$out"
}

# pool_sum FIELD: a column of the worker-pool table, summed.
pool_sum() {
	"$cli" engine workqueues --json | python3 -c '
import json, sys
print(sum(p[sys.argv[1]] for p in json.load(sys.stdin)["pools"]))' "$1"
}

wq_field() {
	"$cli" engine workqueues --json | python3 -c '
import json, sys
print(sum(w[sys.argv[2]] for w in json.load(sys.stdin)["workqueues"] if sys.argv[1] in w["name"]))' "$1" "$2"
}

ktap_begin
echo "# e1000e at $e1000e, ivshmem-doorbell at $ivshmem"
sanitizers_begin
insmod "$ko"
ktap_case $? "insmod"
"$cli" claim "$ivshmem" >/dev/null && "$cli" claim "$e1000e" >/dev/null
ktap_case $? "claim_both"

# The rescuer, first, while each pool has its one initial worker: no new
# worker can be created, and five MEM_RECLAIM lines whose work blocks, all
# fired at CPU 0, keep moving through their rescuers.
"$cli" engine config --worker-fault on >/dev/null
ktap_case $? "worker_fault_on"
attach "$e1000e" --all-vectors --action work:percpu --mem-reclaim --hold sleep --hold-us 500
fire "e1000e_ipi_rescuer_500" "$e1000e" --all-vectors --count 500 --rate 2000 --trigger ipi \
	--cpu 0
accounting "rescuer_accounting_exact" "$e1000e"
rescued=$(wq_field "$e1000e" rescued)
[ "$rescued" -gt 0 ]
ktap_case $? "rescuer_ran_work" "rescued $rescued, maydays $(pool_sum maydays), \
failed creations $(pool_sum create_failures)"
"$cli" engine config --worker-fault off >/dev/null
ktap_case $? "worker_fault_off"
"$cli" engine detach "$e1000e" --all-vectors
ktap_case $? "detach_rescued_lines"

# Workqueues of every kind on the ivshmem vectors, device trigger; vector 1
# blocks in every run, so its pool must wake other workers.
wakeups_before=$(pool_sum concurrency_wakeups)
attach "$ivshmem" --vector 0 --action work:percpu
attach "$ivshmem" --vector 1 --action work:percpu --hold sleep --hold-us 200
attach "$ivshmem" --vector 2 --action work:ordered --hold spin --hold-us 20
attach "$ivshmem" --vector 3 --action work:bh
fire "ivshmem_device_${count}_per_vector" "$ivshmem" --all-vectors --count "$count" \
	--trigger device
accounting "ivshmem_work_accounting_exact" "$ivshmem"
"$cli" engine workqueues | sed 's/^/# /'
wakeups=$(pool_sum concurrency_wakeups)
[ "$wakeups" -gt "$wakeups_before" ]
ktap_case $? "concurrency_management_woke_workers" "wakeups $wakeups_before -> $wakeups"
ps -eo comm | grep -q '^irqlab-kworker/'
ktap_case $? "kworkers_listed" "$(ps -eo comm | grep irqlab | sort | uniq -c)"

# Unbound, high priority and delayed work, threads and NAPI on e1000e, ipi.
attach "$e1000e" --vector 0 --action work:unbound
attach "$e1000e" --vector 1 --action work:delayed --delay-us 300
attach "$e1000e" --vector 2 --action thread
attach "$e1000e" --vector 3 --action thread:oneshot --hold spin --hold-us 30
attach "$e1000e" --vector 4 --action napi --napi-events 100 --napi-weight 64
fire "e1000e_ipi_${count}_per_vector" "$e1000e" --all-vectors --count "$count" --trigger ipi
accounting "e1000e_deferred_accounting_exact" "$e1000e"
"$cli" engine threads | sed 's/^/# /'
"$cli" engine napi | sed 's/^/# /'
fifo=$(ps -eo cls,comm | awk '$2 ~ /^irqlab-irq\// && $1 == "FF"' | wc -l)
[ "$fifo" -eq 2 ]
ktap_case $? "irq_threads_fifo" "$(ps -eo pid,cls,rtprio,comm | grep irqlab-irq)"
exhausted=$("$cli" engine napi --json | python3 -c '
import json, sys
print(sum(n["budget_exhausted"] for n in json.load(sys.stdin)["napi"]))')
[ "$exhausted" -gt 0 ]
ktap_case $? "napi_budget_exhausted_and_rescheduled" "$exhausted polls used their whole weight"

# Flush and detach (destroy_workqueue drains) under load.
"$cli" fire "$ivshmem" --all-vectors --count 200000 --trigger device --no-wait >/dev/null
sleep 0.3
"$cli" engine flush "$ivshmem" --all-vectors
ktap_case $? "flush_under_load"
"$cli" engine detach "$ivshmem" --vector 1
ktap_case $? "detach_blocking_work_under_load"
"$cli" stop "$ivshmem"

# Forced threading (the engine's threadirqs): a plain tasklet line gets an
# irq thread that runs its handler, the line held masked meanwhile.
"$cli" engine config --forced-threading on >/dev/null
ktap_case $? "forced_threading_on"
attach "$ivshmem" --vector 1 --action tasklet
"$cli" engine config --forced-threading off >/dev/null
forced_count=$(scaled 5000)
fire "ivshmem_device_forced_threading_$forced_count" "$ivshmem" --vector 1 --count "$forced_count" \
	--trigger device
accounting "forced_threading_accounting_exact" "$ivshmem" --vector 1
"$cli" engine threads | grep -E "forced +FIFO" | sed 's/^/# /'
"$cli" engine threads --json | python3 -c '
import json, sys
t = [t for t in json.load(sys.stdin)["threads"] if t["vector"] == 1 and t["forced"]]
sys.exit(0 if t and t[0]["runs"] > 0 else 1)'
ktap_case $? "forced_thread_listed" "$("$cli" engine threads)"
"$cli" engine detach "$ivshmem" --vector 1
ktap_case $? "detach_forced_line"

# Bad input: exact message and exit status, state unchanged.
expect_fail "attach_unknown_work_kind" 1 "unknown work kind 'lazy'" \
	"$cli" engine attach "$ivshmem" --vector 1 --action work:lazy
expect_fail "attach_unknown_thread_kind" 1 "unknown action 'thread:twice'" \
	"$cli" engine attach "$ivshmem" --vector 1 --action thread:twice
expect_fail "hold_without_time" 1 "--hold needs --hold-us" \
	"$cli" engine attach "$ivshmem" --vector 1 --action thread --hold sleep
expect_fail "hold_sleep_in_bh" 1 "cannot sleep" \
	"$cli" engine attach "$ivshmem" --vector 1 --action work:bh --hold sleep --hold-us 10
expect_fail "delay_without_delayed_work" 1 "--delay-us applies" \
	"$cli" engine attach "$ivshmem" --vector 1 --action work --delay-us 10
expect_fail "napi_weight_zero" 2 "napi-weight" \
	"$cli" engine attach "$ivshmem" --vector 1 --action napi --napi-weight 0
expect_fail "flush_not_attached" 1 "not attached" \
	"$cli" engine flush "$ivshmem" --vector 1
n=$("$cli" engine interrupts --json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["interrupts"]))')
[ "$n" -eq 8 ]
ktap_case $? "bad_input_changed_nothing" "$n attached lines (want 8)"

# rmmod with every kind attached, under load.
"$cli" fire "$e1000e" --all-vectors --count 100000 --trigger ipi --no-wait >/dev/null
"$cli" fire "$ivshmem" --all-vectors --count 100000 --trigger device --no-wait >/dev/null
sleep 0.5
rmmod irqlab
ktap_case $? "rmmod_deferred_under_load"
left=$(ps -eo comm | grep -c '^irqlab-')
[ "$left" -eq 0 ]
ktap_case $? "engine_threads_gone_after_rmmod" "$left left"
sanitizers_end
ktap_end
