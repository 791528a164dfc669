#!/usr/bin/env bash
# Build the test box initramfs for one cached Debian kernel: busybox, that
# kernel's own 9p/virtio/overlay modules, and tests/vm/init.
#
# usage: tests/vm/mkinitramfs.sh KVER OUT.cpio.gz
#
# Runs unprivileged: the one device node the kernel needs before init runs
# (/dev/console) is written as a hand-made cpio entry instead of mknod.
# run.sh caches the result; this script always rebuilds.
set -euo pipefail

die() { echo "mkinitramfs: $*" >&2; exit 1; }

[ $# -eq 2 ] || die "usage: $0 KVER OUT.cpio.gz"
kver=$1 out=$2
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cache=${IRQLAB_CACHE:-$HOME/.cache/irqlab}
kroot=$cache/kernels/$kver/root
moddir=$kroot/lib/modules/$kver
busybox=/bin/busybox

[ -d "$moddir" ] || die "no modules for $kver in $moddir (run scripts/kernels.sh)"
[ -x "$busybox" ] || die "$busybox missing (apt-get install busybox-static)"
# A dynamically linked busybox would need the host's libc inside the guest.
if ldd "$busybox" >/dev/null 2>&1; then
	die "$busybox is dynamically linked (need busybox-static)"
fi

# The package ships no modules.dep; depmod writes it into the cache only.
if [ ! -s "$moddir/modules.dep" ]; then
	depmod -b "$kroot" "$kver" || die "depmod failed for $kver"
fi

stage=$(mktemp -d "${TMPDIR:-/tmp}/irqlab-initramfs.XXXXXX")
tmp_out=
trap 'rm -rf "$stage" ${tmp_out:+"$tmp_out"}' EXIT
mkdir -p "$stage"/{bin,sbin,dev,proc,sys,lib/modules,lower,rw,newroot}
cp "$busybox" "$stage/bin/busybox"
install -m 0755 "$here/init" "$stage/init"

# modprobe resolves one module per call, dependencies first; a module can
# appear under several roots, so keep the first occurrence only. Built-in
# modules (virtio_pci on 6.12) print "builtin NAME" and need nothing.
declare -A seen=()
: >"$stage/lib/modules/load.list"
for mod in virtio_pci 9pnet_virtio 9p overlay; do
	deps=$(modprobe -d "$kroot" -S "$kver" --show-depends "$mod") ||
		die "cannot resolve $mod for $kver"
	while read -r verb path _; do
		[ "$verb" = insmod ] || continue
		name=$(basename "$path")
		name=${name%.xz}
		name=${name%.zst}
		name=${name%.gz}
		[ -z "${seen[$name]:-}" ] || continue
		seen[$name]=1
		# busybox insmod cannot decompress; the 6.12 modules are .ko.xz.
		case $path in
		*.xz) xz -dc "$path" >"$stage/lib/modules/$name" ;;
		*.zst) zstd -qdc "$path" >"$stage/lib/modules/$name" ;;
		*.gz) gzip -dc "$path" >"$stage/lib/modules/$name" ;;
		*) cp "$path" "$stage/lib/modules/$name" ;;
		esac
		echo "$name" >>"$stage/lib/modules/load.list"
	done <<<"$deps"
done

# One newc cpio entry: magic, 13 hex fields, name, padding to 4 bytes.
# Fields: ino mode uid gid nlink mtime filesize devmajor devminor
# rdevmajor rdevminor namesize check.
cpio_node() {
	local name=$1 mode=$2 rmaj=$3 rmin=$4 hdr
	hdr=$(printf '070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X' \
		1 "$mode" 0 0 1 0 0 0 0 "$rmaj" "$rmin" $((${#name} + 1)) 0)
	printf '%s%s\0' "$hdr" "$name"
	# header (110 bytes) + name + NUL, padded to a multiple of 4
	head -c $(((4 - (110 + ${#name} + 1) % 4) % 4)) /dev/zero
}

tmp_out=$(mktemp "$out.XXXXXX")
{
	(cd "$stage" && find . -mindepth 1 | LC_ALL=C sort |
		cpio --quiet -o -H newc -R 0:0)
	# The kernel opens /dev/console before init runs; without it init
	# starts with no stdio and the log shows "unable to open an initial
	# console". The kernel accepts concatenated archives.
	{
		cpio_node dev/console $((8#20600)) 5 1
		cpio_node 'TRAILER!!!' 0 0 0
	}
} | gzip -6n >"$tmp_out"
mv -f "$tmp_out" "$out"
