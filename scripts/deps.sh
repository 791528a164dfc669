#!/usr/bin/env bash
# Install everything irqlab needs on a Debian 12 (bookworm) machine.
# Idempotent: a second run changes nothing and takes a few seconds.
#
# usage: scripts/deps.sh [build|check|demo]   (default: check)
set -euo pipefail

need=${1:-check}
stamp_dir=${IRQLAB_CACHE:-$HOME/.cache/irqlab}
mkdir -p "$stamp_dir"

as_root() {
	if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

# Backports carry the 6.12 kernel. Its pin keeps every other package on
# bookworm: only what is asked for explicitly comes from backports.
backports_list=/etc/apt/sources.list.d/irqlab-bookworm-backports.list
backports_pin=/etc/apt/preferences.d/irqlab-bookworm-backports
if ! grep -rqs 'bookworm-backports' /etc/apt/sources.list /etc/apt/sources.list.d/; then
	echo "deps: adding bookworm-backports (pinned to priority 100)"
	echo 'deb http://deb.debian.org/debian bookworm-backports main' |
		as_root tee "$backports_list" >/dev/null
	rm -f "$stamp_dir/apt-updated"
fi
if [ ! -f "$backports_pin" ]; then
	printf '%s\n' 'Package: *' 'Pin: release n=bookworm-backports' \
		'Pin-Priority: 100' | as_root tee "$backports_pin" >/dev/null
fi

# One apt-get update per day is plenty; the stamp keeps reruns fast.
if [ -z "$(find "$stamp_dir/apt-updated" -mmin -1440 2>/dev/null)" ]; then
	as_root apt-get update -qq
	touch "$stamp_dir/apt-updated"
fi

# Kernel ABI names of the two stock kernels, as the archive has them now.
kabi_stock() {
	apt-cache depends linux-headers-amd64 2>/dev/null |
		sed -n 's/.*Depends: linux-headers-\(.*-amd64\)$/\1/p' | head -n1
}
kabi_backports() {
	apt-cache show 'linux-headers-amd64/bookworm-backports' 2>/dev/null |
		sed -n 's/^Depends:.*linux-headers-\([^ ,]*-amd64\).*/\1/p' | head -n1
}

build_pkgs=(build-essential g++ make cmake kmod libelf-dev pkg-config
	libcli11-dev nlohmann-json3-dev libfmt-dev libgtest-dev googletest
	libbenchmark-dev binutils python3
	clang llvm libbpf-dev bpftool)
# bpftrace runs the bpf/*.bt scripts on the host and in the test box;
# man-db renders the generated man pages in the cli tier; dkms packages
# the module in the dkms tiers.
check_pkgs=(qemu-system-x86 busybox-static cpio xz-utils zstd
	clang-format perl bc bison flex libssl-dev dwarves gnuplot-nox bpftrace
	man-db groff-base dkms)

pkgs=("${build_pkgs[@]}")
case $need in
build) ;;
check | demo) pkgs+=("${check_pkgs[@]}") ;;
*) echo "deps: unknown target '$need' (build|check|demo)" >&2; exit 2 ;;
esac

k61=$(kabi_stock)
k612=$(kabi_backports)
if [ -z "$k61" ] || [ -z "$k612" ]; then
	echo "deps: cannot resolve the stock kernel versions from apt" >&2
	exit 1
fi
# The PREEMPT_RT builds of the same kernels share the ABI name with -rt.
k61rt=${k61%-amd64}-rt-amd64
k612rt=${k612%-amd64}-rt-amd64
pkgs+=("linux-headers-$k61" "linux-headers-$k61rt")

missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
		missing+=("$p")
done
# From backports: the 6.12 headers, and (for 'check') the 6.12 source that
# the debug kernel and checkpatch.pl come from.
bpo_pkgs=("linux-headers-$k612" "linux-headers-$k612rt")
[ "$need" = build ] || bpo_pkgs+=(linux-source-6.12)
bpo_missing=()
for p in "${bpo_pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
		bpo_missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	echo "deps: installing ${missing[*]}"
	as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
		--no-install-recommends "${missing[@]}" >/dev/null
fi
if [ ${#bpo_missing[@]} -gt 0 ]; then
	echo "deps: installing ${bpo_missing[*]} from bookworm-backports"
	as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
		--no-install-recommends -t bookworm-backports \
		"${bpo_missing[@]}" >/dev/null
fi

# Record what was resolved so the Makefile and the test box agree on it.
printf 'KVER_6_1=%s\nKVER_6_12=%s\nKVER_6_1_RT=%s\nKVER_6_12_RT=%s\n' \
	"$k61" "$k612" "$k61rt" "$k612rt" >"$stamp_dir/kernels.env"
