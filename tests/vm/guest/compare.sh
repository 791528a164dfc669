#!/usr/bin/env bash
# Engine vs native scenario, run as root inside the test box: `irqlab
# compare` over every mechanism the kernel offers, with device, ipi and
# external triggers; the accounting of both paths must be exact, the
# histograms must agree with the counters, and the BPF probes with the
# in-module histograms; the bpftrace scripts of bpf/ must run and print
# histograms. Also bad input, Ctrl-C in the middle of a run, and rmmod
# afterwards. Prints KTAP.
#
# The BPF parts need the kernel's BTF; a kernel without it says so in a
# diagnostic line and skips them. bpftrace goes by BTF too: no kernel in
# the box has a /lib/modules/KVER/build link (it would take the headers
# from there).
#
# usage (in the guest): tests/vm/guest/compare.sh REPO_TOP
set -uo pipefail

top=${1:?usage: compare.sh REPO_TOP}
# shellcheck source=common.sh
. "$top/tests/vm/guest/common.sh"
# shellcheck source=inject.sh
. "$top/tests/vm/guest/inject.sh"

check=$top/tests/vm/guest/compare_check.py
# Samples per mechanism and path: the checks below hold at any count, and
# the statistics stay readable at 100.
samples=$(scaled 400 100)
work=$(mktemp -d)
all_mechanisms=11

# BH workqueues came with Linux 6.9: older kernels report wq-bh unavailable.
kernel=$(uname -r)
major=${kernel%%.*}
minor=${kernel#*.}
minor=${minor%%.*}
unavailable=()
if [ "$major" -lt 6 ] || { [ "$major" -eq 6 ] && [ "$minor" -lt 9 ]; }; then
	unavailable=(wq-bh)
fi

# compare_json NAME EXPECT_STATUS CHECK_ARGS -- COMPARE_ARGS...: one compare
# run as JSON, its exit status as a case, then the checks on its result.
compare_json() {
	local name=$1 want=$2 st
	local -a check_args=()
	shift 2
	while [ "$1" != -- ]; do
		check_args+=("$1")
		shift
	done
	shift
	"$cli" compare --quiet --json "$@" >"$work/$name.json" 2>"$work/$name.err"
	st=$?
	[ "$st" -eq "$want" ]
	ktap_case $? "${name}_exit_$want" "exit $st" "$(cat "$work/$name.err")"
	"$check" "$name" "${check_args[@]}" <"$work/$name.json" >"$work/$name.ktap"
	ktap_import "" <"$work/$name.ktap"
}

# bpftrace's deadlines (seconds): to start (the one-liner, or a script up
# to its BEGIN line), to exit after SIGINT, and for the whole part (it
# starts in about 30 s under TCG, much later on a loaded host: the tier's
# timeout must not be what stops it). bpftrace 0.17 detaches every probe
# before it runs END, and each tracepoint detach waits for RCU grace
# periods: under TCG beside another busy box that took over 180 s once.
bpftrace_start_s=150
bpftrace_stop_s=180
bpftrace_budget_s=300

# running PID: the process is alive (neither gone nor a zombie).
running() {
	local state
	state=$(cut -d' ' -f3 "/proc/$1/stat" 2>/dev/null) && [ "$state" != Z ]
}

# wait_bounded PID SECONDS: wait at most SECONDS for the background job PID
# to end; its exit status, or 124 if it still runs (left running).
wait_bounded() {
	local pid=$1 deadline=$((SECONDS + $2))
	while running "$pid"; do
		[ $SECONDS -lt "$deadline" ] || return 124
		sleep 0.2
	done
	wait "$pid"
}

# histogram_in FILE: FILE holds a histogram row: "[8K, 16K)   12 |@@@@    |".
histogram_in() {
	grep -qE '^\[[0-9]+[KMG]?, [0-9]+[KMG]?\) +[1-9][0-9]* \|@' "$1"
}

# bpftrace_case SCRIPT DEADLINE: bpf/SCRIPT.bt traces a compare run; its
# maps must hold a histogram, and it must exit cleanly on SIGINT. It must
# be tracing by DEADLINE ($SECONDS). SIGUSR1 makes bpftrace print its maps
# while every probe is still attached, so the histograms do not wait on
# the detach. The SIGINT that ends it goes to timeout(1), which forwards
# it and sends SIGKILL if bpftrace has not exited $bpftrace_stop_s s later.
bpftrace_case() {
	local script=$1 deadline=$2 out=$work/$1.out tracer st stop_start
	local name=bpftrace_$1_histograms exit_name=bpftrace_$1_exits
	timeout -s INT -k "$bpftrace_stop_s" "$bpftrace_budget_s" \
		bpftrace "$top/bpf/$script.bt" >"$out" 2>&1 &
	tracer=$!
	until grep -q "^Tracing" "$out"; do
		if ! running "$tracer" || [ $SECONDS -ge "$deadline" ]; then
			break
		fi
		sleep 0.2
	done
	if ! grep -q "^Tracing" "$out"; then
		if running "$tracer"; then
			# Still starting: bpftrace's own slowness (its one-liner
			# did start), not irqlab's.
			kill -INT "$tracer" 2>/dev/null
			wait_bounded "$tracer" $((bpftrace_stop_s + 10)) || kill -KILL "$tracer" 2>/dev/null
			ktap_skip "$name" "bpftrace was still starting when its time ran out"
			ktap_skip "$exit_name" "bpftrace was still starting when its time ran out"
		else
			# It gave up by itself: irqlab's tracepoints or the script.
			wait "$tracer"
			st=$?
			ktap_case 1 "$name" "bpftrace exited with status $st before tracing" \
				"$(tail -n 5 "$out")"
			ktap_skip "$exit_name" "bpftrace never traced"
		fi
		return
	fi
	timeout -s INT -k 10 120 "$cli" compare --quiet --device "$ivshmem" --count 200 \
		--warmup 0 --mechanism tasklet wq-system thread softirq >/dev/null 2>&1
	# To bpftrace itself: timeout(1) would die of SIGUSR1, not forward it.
	pkill -USR1 -P "$tracer" -x bpftrace
	stop_start=$SECONDS
	until histogram_in "$out" || [ $((SECONDS - stop_start)) -ge 60 ] || ! running "$tracer"; do
		sleep 0.2
	done
	echo "# bpftrace printed its maps $((SECONDS - stop_start)) s after SIGUSR1"
	histogram_in "$out"
	ktap_case $? "$name" "no histogram row in the maps bpftrace printed" "$(tail -n 5 "$out")"

	kill -INT "$tracer" 2>/dev/null
	stop_start=$SECONDS
	# A line every 30 s: the box's console must not look stalled.
	st=124
	while [ $st -eq 124 ] && [ $((SECONDS - stop_start)) -le $((bpftrace_stop_s + 10)) ]; do
		wait_bounded "$tracer" 30
		st=$?
		[ $st -ne 124 ] || echo "# bpftrace still exiting $((SECONDS - stop_start)) s after SIGINT"
	done
	[ $st -ne 124 ] || kill -KILL "$tracer" 2>/dev/null
	echo "# bpftrace exited $((SECONDS - stop_start)) s after SIGINT, status $st"
	sed 's/^/# /' "$out" | head -n 60
	cp "$out" "${IRQLAB_OUT:-$work}/bpftrace-$script.out"
	# bpftrace 0.17 detaches every probe before it runs END, and each
	# tracepoint's detach waits for RCU grace periods: minutes under TCG
	# on a loaded host. Killed during the detach (137) is the host's
	# slowness; any other status is the script's or irqlab's.
	if [ $st -eq 137 ] || [ $st -eq 124 ]; then
		ktap_skip "$exit_name" "still detaching its probes ${bpftrace_stop_s} s after SIGINT"
	else
		[ $st -eq 0 ]
		ktap_case $? "$exit_name" "bpftrace exit $st after SIGINT" "$(tail -n 5 "$out")"
	fi
}

ktap_begin
sanitizers_begin
insmod "$ko"
ktap_case $? "insmod"
"$cli" claim "$ivshmem" >/dev/null && "$cli" claim "$e1000e" >/dev/null
ktap_case $? "claim_both"

# Every mechanism, device trigger, back to back; the table for the log,
# the twins' p50 ratios printed (make bench-compare measures them).
compare_json ivshmem_device 0 --mechanisms $all_mechanisms \
	--expect-unavailable "${unavailable[@]}" -- \
	--device "$ivshmem" --trigger device --count "$samples" --warmup 50
"$cli" compare --quiet --device "$ivshmem" --trigger device --count "$samples" --warmup 50 \
	--mechanism tasklet wq-system thread --csv >"$work/table.csv" &&
	[ "$(wc -l <"$work/table.csv")" -eq $((1 + 3 * 2 * 5)) ]
ktap_case $? "compare_csv_rows" "$(head -n 3 "$work/table.csv")"

# The e1000e through ipi, pinned to CPU 1, with a plot.
"$cli" compare --quiet --device "$e1000e" --trigger ipi --cpu 1 --count "$samples" --warmup 30 \
	--mechanism softirq tasklet-hi wq-unbound thread-oneshot --plot "$work/e1000e.png" \
	>"$work/e1000e.txt" 2>&1
st=$?
cat "$work/e1000e.txt"
[ $st -eq 0 ] && [ "$(head -c 4 "$work/e1000e.png" | od -An -tx1 | tr -d ' ')" = 89504e47 ]
ktap_case $? "compare_e1000e_ipi_table_and_png" "exit $st"
compare_json e1000e_ipi 0 --mechanisms 2 -- \
	--device "$e1000e" --trigger ipi --count "$samples" --warmup 30 --mechanism tasklet wq-percpu

# External: the host fires both vectors at 500 Hz while compare measures
# each mechanism for one second (no t0: delivery and end-to-end stay empty).
# Asked for up to 10 minutes and stopped when compare is done: a slow box
# never runs out of interrupts, and the runs after it see none.
inject_request compare_external 0,1 300000 500
compare_json ivshmem_external 0 --mechanisms 3 --no-t0 -- \
	--device "$ivshmem" --trigger external --duration 1 --warmup 0 \
	--mechanism tasklet wq-highpri thread
inject_stop compare_external
sent=$(inject_wait compare_external 120 2>"$work/inject.err")
ktap_case $? "external_injector_done" "sent '$sent'" "$(cat "$work/inject.err")"

if [ ! -e /sys/kernel/btf/vmlinux ]; then
	echo "# no kernel BTF (/sys/kernel/btf/vmlinux): BPF probes and bpftrace skipped"
else
	# The BPF probes: the same run measured twice, cross-checked.
	compare_json ivshmem_bpf 0 --mechanisms 4 --bpf -- \
		--device "$ivshmem" --trigger device --count "$samples" --warmup 30 --probe bpf \
		--mechanism softirq tasklet wq-system thread

	# The bpftrace scripts, each while a compare runs. Under TCG bpftrace
	# takes tens of seconds to start (more on a loaded host). Every
	# wait below has a deadline, so a bpftrace that never starts or never
	# stops costs minutes at most, not the tier's whole timeout.
	scripts=(native-latency engine-latency compare)
	skip=''
	part_start=$SECONDS
	budget_end=$((SECONDS + bpftrace_budget_s))
	timeout -k 10 "$bpftrace_start_s" bpftrace -e \
		'tracepoint:irq:softirq_entry /args->vec >= 0/ { printf("ready\n"); exit(); }' \
		>"$work/ready.out" 2>&1 &
	probe=$!
	wait_bounded "$probe" $((bpftrace_start_s + 20))
	st=$?
	[ $st -ne 124 ] || kill -KILL "$probe" 2>/dev/null
	ready=$(cat "$work/ready.out")
	echo "# bpftrace one-liner: exit $st after $((SECONDS - part_start)) s"
	# A one-liner on a core kernel tracepoint: irqlab plays no part, so a
	# failure here is the environment's (no headers, too slow a start),
	# and the scripts are skipped, saying why.
	if [ $st -eq 124 ] || [ $st -eq 137 ]; then
		skip="bpftrace did not start within $bpftrace_start_s s on $(uname -r)"
	elif ! grep -q '^ready$' <<<"$ready"; then
		skip="bpftrace cannot run on $(uname -r) (exit $st)"
	fi
	[ -z "$skip" ] || sed 's/^/#   /' <<<"$ready" | head -n 5
	for script in "${scripts[@]}"; do
		# A script needs its start, a compare and its exit: with less
		# than 2 minutes of the budget left, slow starts or exits (the
		# environment's) have used it up.
		if [ -z "$skip" ] && [ $((budget_end - SECONDS)) -lt 120 ]; then
			skip="bpftrace's $bpftrace_budget_s s were spent on the scripts before"
		fi
		if [ -n "$skip" ]; then
			ktap_skip "bpftrace_${script}_histograms" "$skip"
			ktap_skip "bpftrace_${script}_exits" "$skip"
			continue
		fi
		deadline=$((SECONDS + bpftrace_start_s))
		[ "$deadline" -le "$budget_end" ] || deadline=$budget_end
		bpftrace_case "$script" "$deadline"
	done
fi

# Thresholds and bad input.
"$cli" compare --quiet --device "$ivshmem" --count 100 --mechanism tasklet --max-p99 0.001 \
	>/dev/null 2>&1
st=$?
[ $st -eq 4 ]
ktap_case $? "max_p99_exceeded_exits_4" "exit $st"
expect_fail compare_unknown_mechanism 1 "unknown mechanism 'bogus'" \
	"$cli" compare --device "$ivshmem" --mechanism bogus
expect_fail compare_same_vectors 1 "two different vectors" \
	"$cli" compare --device "$ivshmem" --engine-vector 1 --native-vector 1
expect_fail compare_bad_hist 1 "--hist 'cubic:5:5'" \
	"$cli" compare --device "$ivshmem" --hist cubic:5:5
expect_fail compare_count_and_duration 2 "excludes" \
	"$cli" compare --device "$ivshmem" --count 5 --duration 1
expect_fail compare_unclaimed 1 "not claimed" \
	"$cli" compare --device 0000:00:00.0 --mechanism tasklet
"$cli" engine attach "$ivshmem" --vector 1 --action count >/dev/null
expect_fail compare_vector_in_use 1 "attached already" \
	"$cli" compare --device "$ivshmem" --mechanism tasklet
"$cli" engine detach "$ivshmem" --vector 1

# Ctrl-C in the middle of a long run: stopped, detached, nothing left.
"$cli" compare --quiet --device "$ivshmem" --count 1000000 --warmup 0 --mechanism wq-unbound \
	>/dev/null 2>"$work/interrupted.err" &
runner=$!
sleep 3
kill -INT "$runner"
wait "$runner"
st=$?
[ $st -eq 1 ] && grep -q interrupted "$work/interrupted.err"
ktap_case $? "ctrl_c_stops_the_run" "exit $st" "$(cat "$work/interrupted.err")"
"$cli" compare --quiet --device "$ivshmem" --count 50 --warmup 0 --mechanism wq-unbound \
	>/dev/null 2>&1
ktap_case $? "vectors_free_after_ctrl_c"

"$cli" release "$ivshmem" && "$cli" release "$e1000e"
ktap_case $? "release_both"
rmmod irqlab
ktap_case $? "rmmod"
rm -rf "$work"
sanitizers_end
ktap_end
