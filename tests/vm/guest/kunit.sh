#!/usr/bin/env bash
# KUnit scenario (debug kernel): load irqlab_kunit.ko, whose suites KUnit
# runs as the module goes live, and report every case from debugfs by name.
# Then unload, scan for leaks, and check the kernel log.
#
# usage (in the guest): tests/vm/guest/kunit.sh REPO_TOP
set -uo pipefail

top=${1:?usage: kunit.sh REPO_TOP}
# shellcheck source=../../lib/ktap.sh
. "$top/tests/lib/ktap.sh"
# shellcheck source=sanitizers.sh
. "$top/tests/vm/guest/sanitizers.sh"

kver=$(uname -r)
ko=$top/build/kmod/$kver/irqlab_kunit.ko
suites=(irqlab_cxxrt irqlab_platform irqlab_accounting irqlab_claim irqlab_measure irqlab_irqthread
	irqlab_timer irqlab_workqueue irqlab_napi irqlab_softirq irqlab_hotplug
	irqlab_uarray)

ktap_begin
sanitizers_begin

start=$(date +%s%N)
out=$(insmod "$ko" 2>&1)
ktap_case $? "insmod_irqlab_kunit" "$out"
echo "# KUnit suites ran in $((($(date +%s%N) - start) / 1000000)) ms"

for suite in "${suites[@]}"; do
	results=/sys/kernel/debug/kunit/$suite/results
	if [ ! -r "$results" ]; then
		ktap_case 1 "${suite}_results" "no $results"
		continue
	fi
	# The suite's own cases are its subtests, indented one level.
	ktap_import "$suite." < <(sed -n 's/^    \(\(not \)\{0,1\}ok [0-9]\{1,\} .*\)$/\1/p; s/^    \(# .*\)$/\1/p' "$results")
	[ "$ktap_imported" -gt 0 ]
	ktap_case $? "${suite}_reported_cases" "$(cat "$results")"
	grep -q "^ok [0-9]* $suite\$" "$results"
	ktap_case $? "${suite}_suite_passed" "$(tail -n 5 "$results")"
done

out=$(rmmod irqlab_kunit 2>&1)
ktap_case $? "rmmod_irqlab_kunit" "$out"

sanitizers_end
ktap_end
