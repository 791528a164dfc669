#!/usr/bin/env bash
# The unit tier: configure and build the hosted tree (CLI, unit tests), run
# the tests through CTest, and report each GoogleTest case in KTAP.
#
# usage: tests/unit/run.sh BUILD_DIR [--tests-only] [CMAKE_ARGS...]
#
# --tests-only builds the unit tests alone, not the CLI, benchmarks and VM
# tools: the sanitizer builds, whose other binaries no tier runs.
set -uo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:?usage: run.sh BUILD_DIR [--tests-only] [CMAKE_ARGS...]}
shift
targets=()
if [ "${1:-}" = --tests-only ]; then
	targets=(--target irqlab_unit_tests)
	shift
fi
# shellcheck source=../lib/ktap.sh
. "$top/tests/lib/ktap.sh"

ktap_begin
log=$(mktemp)
{ cmake -S "$top" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@" &&
	cmake --build "$build" -j "$(nproc)" ${targets[@]+"${targets[@]}"}; } >"$log" 2>&1
status=$?
ktap_case $status "build_$(basename "$build")" "$(grep -E 'error|warning' "$log" | head -20)"
rm -f "$log"
[ $status -eq 0 ] || { ktap_end; exit 1; }

rm -f "$build/unit.ktap"
ctest_out=$(ctest --test-dir "$build" --output-on-failure 2>&1)
ctest_status=$?
if [ -f "$build/unit.ktap" ]; then
	ktap_import "" <"$build/unit.ktap"
fi
# A crash mid-run leaves a short report: CTest's verdict must agree.
[ $ctest_status -eq 0 ]
ktap_case $? "ctest_$(basename "$build")" "$(tail -n 20 <<<"$ctest_out")"
ktap_end
