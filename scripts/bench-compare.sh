#!/usr/bin/env bash
# make bench-compare: boot the stock 6.12 test box and print the engine/
# native ratio matrix (tests/vm/guest/bench_compare.sh, scripts/ratios.py).
# Saves results/bench-<timestamp>/ratios.{json,txt} with every run's JSON.
# Prints numbers; fails only when a run fails, never on a ratio.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
# shellcheck source=lib/testbox-job.sh
. scripts/lib/testbox-job.sh

results=results/bench-$(date -u +%Y%m%dT%H%M%SZ)
status=0
testbox_job bench-compare tests/vm/guest/bench_compare.sh "$results" 900 || status=$?
echo
[ -f "$results/ratios.txt" ] && cat "$results/ratios.txt"
echo "bench-compare: results in $results/ (TCG: read the ratios, not the times)"
exit "$status"
