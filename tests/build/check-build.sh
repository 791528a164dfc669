#!/usr/bin/env bash
# The build tier for one kernel: irqlab.ko builds against its headers with
# zero compiler/objtool/modpost warnings, the C++ objects obey the runtime
# policy, and the module really carries the C++ core.
#
# usage: tests/build/check-build.sh KDIR
set -uo pipefail

kdir=${1:?usage: check-build.sh KDIR}
top=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=../lib/ktap.sh
. "$top/tests/lib/ktap.sh"

kver=$(sed -n 's/^#define UTS_RELEASE "\(.*\)"$/\1/p' "$kdir/include/generated/utsrelease.h")
out=$top/build/kmod/$kver
ko=$out/irqlab.ko
ktap_begin

# build-module.sh fails on any warning line, and runs the C++ object check.
log=$(mktemp)
"$top/scripts/build-module.sh" "$kdir" >"$log" 2>&1
status=$?
ktap_case $status "kbuild_${kver}_zero_warnings" "$(tail -n 15 "$log" | sed 's/^/  /')"

grep -q '^check-cxx-objects: .* clean' "$log"
ktap_case $? "cxx_object_policy_${kver}" "$(grep '^check-cxx-objects' "$log")"
rm -f "$log"

# The mangled core symbols prove the C++ objects were linked in, not dropped.
syms=$(nm "$ko" 2>/dev/null)
grep -q ' _ZnwmN5cxxrt12AllocContextE$' <<<"$syms" &&
	grep -q ' _ZdlPvm$' <<<"$syms" &&
	grep -q ' irqlab_core_selfcheck$' <<<"$syms" &&
	grep -q '_ZTVN12_GLOBAL__N_18FortyTwoE' <<<"$syms"
ktap_case $? "ko_contains_cxx_core_${kver}" "nm $ko lacks the C++ core symbols"

for module in "$out"/*.ko; do
	vermagic=$(modinfo -F vermagic "$module" 2>/dev/null)
	[ "${vermagic%% *}" = "$kver" ]
	ktap_case $? "vermagic_$(basename "$module" .ko)_${kver}" "vermagic '$vermagic'"
done

# Kernels with KUnit get the test module too.
if grep -q '^CONFIG_KUNIT=y' "$kdir/.config"; then
	[ -f "$out/irqlab_kunit.ko" ]
	ktap_case $? "kunit_module_built_${kver}"
fi

ktap_end
