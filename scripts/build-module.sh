#!/usr/bin/env bash
# Build irqlab.ko against one kernel tree, in a build directory of its own,
# and fail on any compiler, objtool or modpost warning.
#
# usage: scripts/build-module.sh KDIR
# Prints the path of the built irqlab.ko on its last line.
#
# Kbuild writes objects next to their sources, so each kernel gets a mirror
# of the sources made of symlinks (build/kmod/<release>/): builds for 6.1 and
# 6.12 then live side by side and never see each other's objects.
# IRQLAB_KMOD_DIR moves the mirrors elsewhere (two trees building at once);
# the test tiers use the default.
set -euo pipefail

kdir=${1:?usage: build-module.sh KDIR}
top=$(cd "$(dirname "$0")/.." && pwd)

# UTS_RELEASE is what the kernel's uname -r says and what vermagic carries
# (Debian's include/config/kernel.release holds the upstream version).
uts=$kdir/include/generated/utsrelease.h
release=$(sed -n 's/^#define UTS_RELEASE "\(.*\)"$/\1/p' "$uts" 2>/dev/null || true)
if [ -z "$release" ]; then
	echo "build-module: $kdir is not a configured kernel tree (no $uts);" \
		"install that kernel's headers or pass another KDIR=" >&2
	exit 1
fi
out=${IRQLAB_KMOD_DIR:-$top/build/kmod}/$release

mkdir -p "$out"
# Refresh the mirror: new sources appear, removed ones' links go.
cp -asf "$top/Kbuild" "$top/module" "$top/cxxrt" "$top/core" "$top/include" "$out/"
mkdir -p "$out/tests"
cp -asf "$top/tests/cases" "$top/tests/kunit" "$out/tests/"
find "$out" -xtype l -delete

log=$out/build.log
set +e
make -C "$kdir" M="$out" modules 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e
if [ "$status" -ne 0 ]; then
	echo "build-module: build against $release failed" >&2
	exit "$status"
fi
# Kbuild lets objtool and modpost warnings through; irqlab does not.
if grep -nE 'warning:|WARNING:' "$log" >&2; then
	echo "build-module: warnings above; irqlab builds warning-free ($release)" >&2
	exit 1
fi
"$top/scripts/check-cxx-objects.sh" "$out"
echo "$out/irqlab.ko"
[ -f "$out/irqlab_kunit.ko" ] && echo "$out/irqlab_kunit.ko"
exit 0
