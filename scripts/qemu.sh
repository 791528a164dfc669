#!/usr/bin/env bash
# The newer QEMU for the igb box: bookworm-backports' qemu-system-x86 (10.0
# at the time of writing), whose igb model (an 82576, QEMU 8.0 and later)
# Debian 12's QEMU 7.2 lacks. It is unpacked into the cache like the
# kernels, not installed: the system QEMU that every other box uses stays
# as it is.
#
# usage: scripts/qemu.sh    fetch it once, print the directory it is in
#
# In that directory: bin/qemu-system-x86_64 and share/ (its firmware), and
# modules/ for QEMU_MODULE_DIR; run.sh --igb sets both.
set -euo pipefail

cache=${IRQLAB_CACHE:-$HOME/.cache/irqlab}
packages=(qemu-system-x86 qemu-system-common qemu-system-data)

version=$(apt-cache madison qemu-system-x86 | awk -F' *[|] *' \
	'$3 ~ /bookworm-backports.* amd64 / { print $2; exit }')
[ -n "$version" ] || {
	echo "qemu: no qemu-system-x86 in bookworm-backports (scripts/deps.sh adds the suite)" >&2
	exit 1
}
dir=$cache/qemu/${version//[:~]/_}
if [ ! -f "$dir/.complete" ]; then
	rm -rf "$dir" && mkdir -p "$dir/deb"
	# As root, apt would warn that its sandbox user cannot write here.
	(cd "$dir/deb" && apt-get download -qq -o APT::Sandbox::User=root \
		"${packages[@]/%/=$version}" >&2)
	for deb in "$dir"/deb/*.deb; do
		dpkg-deb -x "$deb" "$dir/root"
	done
	rm -rf "$dir/deb"
	mkdir -p "$dir/bin"
	ln -s ../root/usr/bin/qemu-system-x86_64 "$dir/bin/qemu-system-x86_64"
	ln -s root/usr/share/qemu "$dir/share"
	ln -s root/usr/lib/x86_64-linux-gnu/qemu "$dir/modules"
	"$dir/bin/qemu-system-x86_64" --version >/dev/null
	touch "$dir/.complete"
fi
echo "$dir"
