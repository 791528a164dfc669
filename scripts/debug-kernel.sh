#!/usr/bin/env bash
# Build (once) and cache the irqlab debug kernel: Debian's linux-source-6.12
# configured with x86_64_defconfig + kvm_guest.config + tests/kernel/debug.config.
#
# usage: scripts/debug-kernel.sh          build if needed; print the release
#        scripts/debug-kernel.sh kdir     print the build tree (KDIR for modules)
#
# The cache key is the source package version plus a hash of the fragment's
# options and of this script's commands, so changing either rebuilds, and
# nothing else does: not a comment in either.
# The result lands where the test box looks for kernels:
#   $cache/kernels/<release>/{vmlinuz,root/lib/modules/<release>}
# and the build tree stays in $cache/debug-kernel/<key>/build for KDIR=.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cache=${IRQLAB_CACHE:-$HOME/.cache/irqlab}
fragment=$top/tests/kernel/debug.config
tarball=/usr/src/linux-source-6.12.tar.xz

[ -f "$tarball" ] || { echo "debug-kernel: $tarball missing; run scripts/deps.sh" >&2; exit 1; }
version=$(dpkg-query -W -f='${Version}' linux-source-6.12)
key=$({
	grep -E '^(CONFIG_|# CONFIG_)' "$fragment"
	grep -vE '^[[:space:]]*(#|$)' "$0"
} | sha256sum | cut -c1-12)
work=$cache/debug-kernel/$version-$key
build=$work/build
env_file=$cache/debug-kernel.env

if [ "${1:-}" = kdir ]; then
	echo "$build"
	exit 0
fi

if [ -f "$work/.complete" ]; then
	release=$(cat "$build/include/config/kernel.release")
	printf 'KVER_DEBUG=%s\nKDIR_DEBUG=%s\n' "$release" "$build" >"$env_file"
	echo "$release"
	exit 0
fi

start=$(date +%s)
# Older builds of other keys are stale: keep the cache to one debug kernel.
rm -rf "$cache/debug-kernel" && mkdir -p "$work"
echo "debug-kernel: unpacking linux-source $version" >&2
tar -xJf "$tarball" -C "$work"
src=$work/linux-source-6.12

echo "debug-kernel: configuring ($fragment)" >&2
make -s -C "$src" O="$build" x86_64_defconfig
"$src/scripts/kconfig/merge_config.sh" -m -O "$build" "$build/.config" \
	"$src/kernel/configs/kvm_guest.config" "$fragment" >/dev/null
make -s -C "$src" O="$build" olddefconfig

# Kconfig drops options whose dependencies are missing without a word.
missing=0
while IFS= read -r line; do
	case $line in
	CONFIG_*=*)
		grep -qxF "$line" "$build/.config" || { echo "debug-kernel: not in .config: $line" >&2; missing=1; }
		;;
	"# CONFIG_"*" is not set")
		opt=${line#\# }
		opt=${opt%% *}
		if grep -q "^$opt=" "$build/.config"; then
			echo "debug-kernel: still set: $opt" >&2
			missing=1
		fi
		;;
	esac
done <"$fragment"
[ $missing -eq 0 ] || exit 1

echo "debug-kernel: building bzImage and modules (-j$(($(nproc) + 1)))" >&2
make -s -C "$src" O="$build" -j"$(($(nproc) + 1))" bzImage modules >"$work/build.log" 2>&1 || {
	tail -n 40 "$work/build.log" >&2
	exit 1
}

release=$(cat "$build/include/config/kernel.release")
kernel_dir=$cache/kernels/$release
rm -rf "$kernel_dir" && mkdir -p "$kernel_dir/root"
make -s -C "$src" O="$build" INSTALL_MOD_PATH="$kernel_dir/root" INSTALL_MOD_STRIP=1 \
	modules_install >/dev/null
# modules_install links build to the build tree, which holds no headers
# of the source's own (include/linux/kconfig.h): bpftrace takes a build
# link over BTF and failed on it. The stock kernels' trees have no link
# either; KDIR names the build tree where one is needed.
rm -f "$kernel_dir/root/lib/modules/$release/build"
cp "$build/arch/x86/boot/bzImage" "$kernel_dir/vmlinuz"
touch "$kernel_dir/.complete"

# Objects are not needed to build external modules against this tree.
find "$build" -name '*.o' ! -path '*/scripts/*' ! -path '*/tools/*' -delete
touch "$work/.complete"
printf 'KVER_DEBUG=%s\nKDIR_DEBUG=%s\n' "$release" "$build" >"$env_file"
echo "debug-kernel: $release built in $(($(date +%s) - start)) s" >&2
echo "$release"
