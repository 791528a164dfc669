#!/usr/bin/env bash
# Wide test box scenario, run as root inside a box with 72 vCPUs and an
# ivshmem-doorbell of 128 vectors (suite.sh boots it so): more CPUs and
# vectors than 64, the old ABI's limits. Claim every vector, point vector
# 100 at CPU 70 and read the affinity back, fire it there with the device
# and ipi triggers, fire every vector, compare three mechanisms on CPU 70,
# feed vector 120 into the engine, and read the per-CPU accounting of CPUs
# 64-71 from the JSON and the tables. The accounting of every run must be
# exact. Prints KTAP.
#
# usage (in the guest): tests/vm/guest/wide.sh REPO_TOP
set -uo pipefail

top=${1:?usage: wide.sh REPO_TOP}
# shellcheck source=common.sh
. "$top/tests/vm/guest/common.sh"

check=$top/tests/vm/guest/wide_check.py
compare_check=$top/tests/vm/guest/compare_check.py
engine_check=$top/tests/vm/guest/engine_check.py
work=$(mktemp -d)

# The box suite.sh boots for this scenario (tests/vm/suite.sh).
want_cpus=72
want_vectors=128
cpu=70          # the CPU under test, past 63
vector=100      # the vector under test, past 63
engine_vector=120
engine_cpu=66
high_cpus=(64 65 66 67 68 69 70 71) # vector N goes to CPU N
high=${high_cpus[0]}-${high_cpus[-1]}
count=1000      # interrupts per vector, one vector at a time
all_count=100   # per vector with --all-vectors: 12,800 in all

# --- the CLI's spellings, in one place ---------------------------------------
# Written against ABI 2.0 (issue 15): CPU sets are cpulists; `claim` takes
# every vector and says "took N of M" only when it gets fewer; `stats`
# tables show only CPUs with activity unless --cpus LIST or --all-cpus says
# otherwise, and `stats --json` carries every CPU. Adjust here if the CLI
# spells them differently.
claimed_all_re="claimed $ivshmem: $want_vectors MSI-X vectors"
stats_cpus_opt=(--cpus "$high")
# One --vector per vector: the CLI takes the option repeatedly.
vector_args() {
	local v
	for v in "$@"; do printf -- '--vector\n%s\n' "$v"; done
}
# A stats table's device and header lines, and the rows with a count.
busy_rows() {
	awk 'NR <= 2 { print; next } { for (i = 3; i <= NF; i++) if ($i + 0 > 0) { print; next } }'
}

# The CPU columns of a stats table's header, e.g. "CPU64 CPU65" (a table
# is "VEC IRQ CPU.. FIRED RECEIVED HANDLED COALESCED BUSY CHECK").
stats_cpu_columns() {
	grep -m1 -E '^ *VEC +IRQ' | grep -oE 'CPU[0-9]+' | tr '\n' ' ' | sed 's/ $//'
}
# -----------------------------------------------------------------------------

# point_vectors VECTOR:CPU...: set each vector's affinity to its CPU, then
# fire each 10 times by ipi. x86 without interrupt remapping moves an MSI
# vector at its next interrupt, so the first one after a move may still
# land on the old CPU; after these, every vector is where it was pointed.
point_vectors() {
	local pair
	local -a vectors=() args
	for pair in "$@"; do
		"$cli" affinity "$ivshmem" --vector "${pair%:*}" --cpus "${pair#*:}" >/dev/null ||
			return 1
		vectors+=("${pair%:*}")
	done
	mapfile -t args < <(vector_args "${vectors[@]}")
	"$cli" fire "$ivshmem" "${args[@]}" --count 10 --trigger ipi >/dev/null
}

# msix_table_size BDF: the device's MSI-X table size, read from its config
# space (a property of the box, so not asked of irqlab).
msix_table_size() {
	[ -n "$1" ] && python3 -c '
import sys
cfg = open(f"/sys/bus/pci/devices/{sys.argv[1]}/config", "rb").read()
ptr = cfg[0x34]
while ptr:
    if cfg[ptr] == 0x11:  # MSI-X; Message Control bits 10:0 hold size - 1
        print((int.from_bytes(cfg[ptr + 2:ptr + 4], "little") & 0x7ff) + 1)
        break
    ptr = cfg[ptr + 1]' "$1"
}

# accounts_case NAME CHECK_ARGS -- FIRE_ARGS...: reset, fire with --json,
# check the run's report with wide_check.py accounts --fire.
accounts_case() {
	local name=$1 out
	local -a check_args=()
	shift
	while [ "$1" != -- ]; do
		check_args+=("$1")
		shift
	done
	shift
	"$cli" reset "$ivshmem"
	# stdout only: the JSON report; warnings go to stderr.
	out=$("$cli" fire "$ivshmem" --json "$@" 2>"$work/fire.err")
	"$check" accounts --fire --cpus "$want_cpus" "${check_args[@]}" <<<"$out" \
		>"$work/check.out"
	ktap_case $? "$name" "$(cat "$work/check.out" "$work/fire.err")" "$(head -c 600 <<<"$out")"
	grep '^# arrivals' "$work/check.out"
}

ktap_begin
echo "# $(nproc) CPUs online ($(cat /sys/devices/system/cpu/online)), ivshmem-doorbell at $ivshmem"
sanitizers_begin
table=$(msix_table_size "$ivshmem")
[ "$(nproc)" -eq "$want_cpus" ] && [ "$table" = "$want_vectors" ]
ktap_case $? "wide_test_box" "want $want_cpus CPUs and a $want_vectors-vector ivshmem-doorbell" \
	"have $(nproc) CPUs and an MSI-X table of '$table' at '$ivshmem'"
insmod "$ko"
ktap_case $? "insmod"

# Every vector, each with its own IRQ, named in /proc/interrupts.
out=$("$cli" claim "$ivshmem" 2>&1) && grep -qx "$claimed_all_re" <<<"$out"
ktap_case $? "claim_all_${want_vectors}_vectors" "$out"
"$cli" vectors "$ivshmem" --json >"$work/vectors.json" 2>&1 &&
	"$check" vectors --nr-vectors "$want_vectors" <"$work/vectors.json" >"$work/check.out"
ktap_case $? "vectors_lists_all_${want_vectors}" "$(cat "$work/check.out")" \
	"$(head -c 400 "$work/vectors.json")"
names=$(grep -c "irqlab-$ivshmem-v[0-9]" /proc/interrupts)
[ "$names" -eq "$want_vectors" ]
ktap_case $? "vectors_named_in_proc_interrupts" "found $names of $want_vectors"

out=$(point_vectors "$vector:$cpu" 2>&1) &&
	"$cli" vectors "$ivshmem" --json >"$work/vectors.json" 2>&1 &&
	"$check" vectors --nr-vectors "$want_vectors" --vector "$vector" --cpu "$cpu" \
		<"$work/vectors.json" >"$work/check.out"
ktap_case $? "affinity_vector${vector}_cpu${cpu}_reads_back" "$out" "$(cat "$work/check.out")"
out=$("$cli" affinity "$ivshmem" --vector "$vector" 2>&1) && grep -q "effective $cpu$" <<<"$out"
ktap_case $? "affinity_command_shows_cpu${cpu}" "$out"

for trigger in device ipi; do
	accounts_case "fire_vector${vector}_cpu${cpu}_${trigger}_exact" \
		--vectors "$vector" --count "$count" --cpu "$cpu" -- \
		--vector "$vector" --count "$count" --trigger "$trigger" --cpu "$cpu"
done

# Every vector at its default affinity (the kernel spreads them).
accounts_case "fire_all_${want_vectors}_vectors_device_exact" \
	--vectors "0-$((want_vectors - 1))" --count "$all_count" -- \
	--all-vectors --count "$all_count" --trigger device

# compare on CPU 70: exact per mechanism, and both of its vectors (the
# engine's 0 and the native 1, compare's defaults) served there only.
for mech in tasklet wq-percpu thread; do
	name=compare_cpu${cpu}_${mech//-/_}
	"$cli" compare --quiet --json --device "$ivshmem" --trigger device --cpu "$cpu" \
		--count 200 --warmup 20 --mechanism "$mech" >"$work/$name.json" 2>"$work/$name.err"
	st=$?
	[ $st -eq 0 ]
	ktap_case $? "${name}_exit_0" "exit $st" "$(cat "$work/$name.err")"
	"$compare_check" "$name" --mechanisms 1 <"$work/$name.json" >"$work/$name.ktap"
	ktap_import "" <"$work/$name.ktap"
	# The counters of compare's last measured phase stay until the next reset.
	"$cli" stats "$ivshmem" --json 2>&1 |
		"$check" on-cpu --vectors 0,1 --cpu "$cpu" --cpus "$want_cpus" >"$work/check.out"
	ktap_case $? "${name}_served_on_cpu${cpu}" "$(cat "$work/check.out")"
done

# The engine on a vector past 63, fired at another high CPU (pointed there
# first, so that the run's --cpu moves nothing).
out=$(point_vectors "$engine_vector:$engine_cpu" 2>&1)
ktap_case $? "affinity_vector${engine_vector}_cpu${engine_cpu}" "$out"
out=$("$cli" engine attach "$ivshmem" --vector "$engine_vector" --action tasklet 2>&1)
ktap_case $? "engine_attach_vector$engine_vector" "$out"
accounts_case "fire_engine_vector${engine_vector}_cpu${engine_cpu}_exact" \
	--vectors "$engine_vector" --count "$count" --cpu "$engine_cpu" -- \
	--vector "$engine_vector" --count "$count" --trigger device --cpu "$engine_cpu"
# Tasklets may still be running: give the deferred work a moment to drain.
for _ in 1 2 3 4 5 6 7 8 9 10; do
	out=$("$engine_check" "$cli" "$ivshmem" --vector "$engine_vector" 2>&1)
	st=$?
	[ $st -eq 0 ] && break
	sleep 0.5
done
ktap_case "$st" "engine_vector${engine_vector}_accounting_exact" "$out"
out=$("$cli" engine detach "$ivshmem" --vector "$engine_vector" 2>&1)
ktap_case $? "engine_detach_vector$engine_vector" "$out"

# CPUs 64-71: vector 64+k pointed at CPU 64+k, all eight fired at once,
# counted from zero.
pairs=()
for c in "${high_cpus[@]}"; do
	pairs+=("$c:$c")
done
map=$(IFS=,; echo "${pairs[*]}")
out=$(point_vectors "${pairs[@]}" 2>&1)
ktap_case $? "affinity_vectors_${high/-/_}_to_cpus_${high/-/_}" "$out"
mapfile -t fire_vectors < <(vector_args "${high_cpus[@]}")
"$cli" reset "$ivshmem"
out=$("$cli" fire "$ivshmem" "${fire_vectors[@]}" --count "$count" --trigger ipi 2>&1)
ktap_case $? "fire_vectors_${high/-/_}_ipi" "$out"
"$cli" stats "$ivshmem" --json >"$work/stats.json" 2>&1
"$check" accounts --vectors "$high" --map "$map" --count "$count" --cpus "$want_cpus" \
	<"$work/stats.json" >"$work/check.out"
ktap_case $? "stats_json_cpus_${high/-/_}_present_and_exact" "$(cat "$work/check.out")"
grep '^# arrivals' "$work/check.out"

# The tables: asked for CPUs 64-71, exactly their columns, each vector's
# arrivals in its own CPU's column; by default the busy CPUs, 64-71 among
# them, and not all 72.
out=$("$cli" stats "$ivshmem" "${stats_cpus_opt[@]}" 2>&1)
st=$?
# The log shows the header and the rows that carry something.
busy_rows <<<"$out" | sed 's/^/# /'
columns=$(stats_cpu_columns <<<"$out")
rows_ok=1
for i in "${!high_cpus[@]}"; do
	# VEC IRQ CPU64..CPU71 FIRED RECEIVED ...: vector 64+i has all it
	# received in column 3+i and nothing in the other CPU columns.
	awk -v v="${high_cpus[$i]}" -v col=$((3 + i)) -v ncpu=${#high_cpus[@]} '
		$1 == v {
			found = 1
			received = $(4 + ncpu)
			for (c = 3; c < 3 + ncpu; c++)
				if ($c != (c == col ? received : 0))
					bad = 1
		}
		END { exit !(found && received > 0 && !bad) }' <<<"$out" || rows_ok=0
done
[ $st -eq 0 ] && [ "$columns" = "$(printf 'CPU%s\n' "${high_cpus[@]}" | paste -sd' ')" ] &&
	[ $rows_ok -eq 1 ]
ktap_case $? "stats_table_cpus_${high/-/_}" "exit $st, columns: $columns, rows right: $rows_ok"
out=$("$cli" stats "$ivshmem" 2>&1)
busy_rows <<<"$out" | sed 's/^/# /'
columns=$(stats_cpu_columns <<<"$out")
shown=$(wc -w <<<"$columns")
all_high=1
for c in "${high_cpus[@]}"; do
	grep -qw "CPU$c" <<<"$columns" || all_high=0
done
[ $all_high -eq 1 ] && [ "$shown" -lt "$want_cpus" ]
ktap_case $? "stats_table_shows_busy_cpus_only" "$shown CPU columns: $columns"

"$cli" release "$ivshmem" >/dev/null
ktap_case $? "release"
out=$(rmmod irqlab 2>&1)
ktap_case $? "rmmod" "$out"
rm -rf "$work"
sanitizers_end
ktap_end
