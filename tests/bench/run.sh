#!/usr/bin/env bash
# The benchmark tier: builds the hosted benchmarks into BUILD_DIR (the unit
# tier's tree), runs them briefly and prints engine/native ratios. A
# number tier, not a timing test: it fails only when the benchmarks do
# not build or run, never on the numbers.
#
# usage: tests/bench/run.sh BUILD_DIR
set -uo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:?usage: run.sh BUILD_DIR}
# shellcheck source=../lib/ktap.sh
. "$top/tests/lib/ktap.sh"

ktap_begin
log=$(mktemp)
{ cmake -S "$top" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo &&
	cmake --build "$build" -j "$(nproc)" --target irqlab_bench; } >"$log" 2>&1
status=$?
ktap_case $status "build_bench" "$(grep -E 'error|warning' "$log" | head -20)"
if [ $status -ne 0 ]; then
	rm -f "$log"
	ktap_end
	exit 1
fi
json=$build/bench.json
"$build/tests/bench/irqlab_bench" --benchmark_min_time=0.2 --benchmark_repetitions=3 \
	--benchmark_report_aggregates_only=true --benchmark_out="$json" \
	--benchmark_out_format=json >"$log" 2>&1
status=$?
sed 's/^/# /' "$log"
ktap_case $status "bench_ran" "$(tail -n 5 "$log")"
rm -f "$log"
[ $status -eq 0 ] || { ktap_end; exit 1; }
python3 - "$json" <<'PY'
import json, sys
rows = {(b["run_name"] if b["run_name"].startswith("stage_") else b["run_name"].split("/")[0]): b["real_time"]
        for b in json.load(open(sys.argv[1]))["benchmarks"] if b.get("aggregate_name") == "median"}
for name in sorted(n for n in rows if n.startswith("stage_")):
    print(f"# stage {name}: {rows[name]:.0f} ns (median of 3)")
pairs = sorted({n.rsplit("_", 1)[0] for n in rows if not n.startswith("stage_")})
for name in pairs:
    engine, native = rows.get(name + "_engine"), rows.get(name + "_native")
    if not (engine and native):
        sys.exit(f"# {name}: engine or native result missing")
    print(f"# ratio {name}: engine {engine:.0f} ns, native {native:.0f} ns, "
          f"engine/native {engine / native:.2f} (median of 3)")
sys.exit(0 if pairs else "# no benchmark results")
PY
ktap_case $? "bench_ratios"
ktap_end
