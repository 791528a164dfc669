#!/usr/bin/env bash
# Fetch the stock Debian kernel images (vmlinuz + modules) for the test box
# into the cache, outside the work tree. They are unpacked, not installed:
# the host keeps its own kernel and no boot hooks run.
#
# usage: scripts/kernels.sh          fetch the stock kernels (6.1, 6.12 and
#                                    their PREEMPT_RT builds), print their dirs
#        scripts/kernels.sh dir VER  print the cache dir of kernel ABI VER
set -euo pipefail

cache=${IRQLAB_CACHE:-$HOME/.cache/irqlab}
env_file=$cache/kernels.env
[ -f "$env_file" ] || { echo "kernels: run scripts/deps.sh first" >&2; exit 1; }
# shellcheck source=/dev/null
. "$env_file"

kernel_dir() { echo "$cache/kernels/$1"; }

fetch() {
	local kver=$1 dir
	dir=$(kernel_dir "$kver")
	if [ -f "$dir/.complete" ]; then
		echo "$dir"
		return
	fi
	rm -rf "$dir" && mkdir -p "$dir/deb"
	# As root, apt would warn that its sandbox user cannot write here.
	(cd "$dir/deb" && apt-get download -qq -o APT::Sandbox::User=root \
		"linux-image-$kver-unsigned" >&2)
	dpkg-deb -x "$dir"/deb/*.deb "$dir/root"
	rm -rf "$dir/deb"
	cp "$dir/root/boot/vmlinuz-$kver" "$dir/vmlinuz"
	touch "$dir/.complete"
	echo "$dir"
}

case ${1:-all} in
all)
	fetch "$KVER_6_1"
	fetch "$KVER_6_12"
	fetch "$KVER_6_1_RT"
	fetch "$KVER_6_12_RT"
	;;
dir) kernel_dir "$2" ;;
*) echo "usage: $0 [all | dir VER]" >&2; exit 2 ;;
esac
