#!/usr/bin/env bash
# DKMS for one kernel: dkms add and build the tree as a package (its
# tracked files, as `git ls-files` lists them) against that kernel's
# headers, in a DKMS tree of its own (nothing under /var/lib/dkms or
# /usr/src changes), and check the module it built: for that kernel, and
# the same module the build tier checks (its C++ core linked in). Keeps
# it in build/dkms/KVER/ for the test box's dkms.sh scenario. Prints KTAP.
#
# usage: tests/build/dkms.sh KDIR
set -uo pipefail

kdir=${1:?usage: dkms.sh KDIR}
top=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=../lib/ktap.sh
. "$top/tests/lib/ktap.sh"

kver=$(sed -n 's/^#define UTS_RELEASE "\(.*\)"$/\1/p' "$kdir/include/generated/utsrelease.h")
version=$(sed -n 's/^#define IRQLAB_RELEASE_STRING "\(.*\)"$/\1/p' "$top/include/irqlab/version.h")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
src=$work/src/irqlab-$version
dkms_tree=$work/dkms
# Unsigned: a sign_file that is not there makes dkms skip signing, which
# would otherwise make a MOK key pair under /var/lib/dkms (the test box
# does not enforce module signatures).
dkms=(env sign_file=/nonexistent/sign-file
	dkms --dkmstree "$dkms_tree" --sourcetree "$work/src" -m irqlab -v "$version")

ktap_begin
grep -qx "PACKAGE_VERSION=\"$version\"" "$top/dkms.conf"
ktap_case $? "dkms_conf_version_is_the_release" "want $version: $(grep PACKAGE_VERSION "$top/dkms.conf")"

mkdir -p "$src" "$dkms_tree"
(cd "$top" && git ls-files -z | tar --null -T - -cf -) | tar -xf - -C "$src"
out=$("${dkms[@]}" add 2>&1)
ktap_case $? "dkms_add" "$out"
out=$("${dkms[@]}" build -k "$kver" --kernelsourcedir "$kdir" 2>&1)
st=$?
log=$dkms_tree/irqlab/$version/build/make.log
ktap_case $st "dkms_build_$kver" "$out" "$(tail -n 15 "$log" 2>/dev/null)"
# Compressed as the kernel's own modules are (Debian's 6.12: xz).
ko=$(find "$dkms_tree/irqlab/$version/$kver" -name 'irqlab.ko*' 2>/dev/null | head -n 1)
case $ko in
*.xz) xz -dc "$ko" >"$work/irqlab.ko" && ko=$work/irqlab.ko ;;
*.zst) zstd -qdc "$ko" >"$work/irqlab.ko" && ko=$work/irqlab.ko ;;
*.gz) gzip -dc "$ko" >"$work/irqlab.ko" && ko=$work/irqlab.ko ;;
esac
vermagic=$(modinfo -F vermagic "$ko" 2>/dev/null)
[ -n "$ko" ] && [ "${vermagic%% *}" = "$kver" ]
ktap_case $? "dkms_module_is_for_$kver" "module '${ko:-none}', vermagic '$vermagic'"
syms=$(nm "$ko" 2>/dev/null)
grep -q ' irqlab_core_selfcheck$' <<<"$syms" && grep -q ' _ZnwmN5cxxrt12AllocContextE$' <<<"$syms"
ktap_case $? "dkms_module_carries_the_cxx_core" "nm ${ko:-none} lacks the C++ core symbols"
# For the test box's dkms.sh scenario: the module as DKMS built it.
mkdir -p "$top/build/dkms/$kver" && cp "$ko" "$top/build/dkms/$kver/irqlab.ko"
ktap_case $? "dkms_module_kept_for_the_test_box"
out=$("${dkms[@]}" status 2>&1)
grep -q "irqlab/$version, $kver, .*: built" <<<"$out"
ktap_case $? "dkms_status_built" "$out"
ktap_end
