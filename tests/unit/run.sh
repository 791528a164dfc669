#!/usr/bin/env bash
# The unit tier: configure and build the hosted tree (CLI, unit tests), run
# the tests through CTest, and report each GoogleTest case in KTAP.
#
# usage: tests/unit/run.sh BUILD_DIR [--tests-only | --no-tests] [CMAKE_ARGS...]
#
# --tests-only builds the unit tests alone, not the CLI, benchmarks and VM
# tools: the sanitizer builds, whose other binaries no tier runs.
# --no-tests builds those binaries alone and runs nothing: make check's
# build:host, whose tests the two sanitizer builds run.
set -uo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:?usage: run.sh BUILD_DIR [--tests-only | --no-tests] [CMAKE_ARGS...]}
shift
targets=()
run_tests=1
case ${1:-} in
--tests-only)
	targets=(--target irqlab_unit_tests)
	shift
	;;
--no-tests)
	targets=(--target irqlab irqlab_docs irqlab_bench irqlab-abi-test irqlab-ioctl-fuzz)
	run_tests=0
	shift
	;;
esac
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
[ $run_tests -eq 1 ] || { ktap_end; exit 0; }

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
