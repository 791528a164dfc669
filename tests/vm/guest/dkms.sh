#!/usr/bin/env bash
# DKMS scenario, run as root inside the test box: the module that the dkms
# tier built through dkms.conf (build/dkms/KVER/irqlab.ko, its vermagic
# this kernel's) loads, claims the ivshmem-doorbell, fires every vector
# with exact accounting, and unloads. Prints KTAP.
#
# usage (in the guest): tests/vm/guest/dkms.sh REPO_TOP
set -uo pipefail

top=${1:?usage: dkms.sh REPO_TOP}
# shellcheck source=common.sh
. "$top/tests/vm/guest/common.sh"

dkms_ko=$top/build/dkms/$kver/irqlab.ko
count=$(scaled 1000 100)

ktap_begin
sanitizers_begin
[ -f "$dkms_ko" ]
ktap_case $? "dkms_module_present" "no $dkms_ko: the dkms tier runs first"
insmod "$dkms_ko"
ktap_case $? "insmod_dkms_module"
out=$("$cli" version 2>&1)
ktap_case $? "cli_speaks_to_it" "$out"
"$cli" claim "$ivshmem" >/dev/null
ktap_case $? "claim_ivshmem"
fire_case "dkms_module_ivshmem_device_${count}_per_vector_exact" exact "$ivshmem" \
	--all-vectors --count "$count" --trigger device
"$cli" release "$ivshmem" >/dev/null && rmmod irqlab
ktap_case $? "release_and_rmmod"
sanitizers_end
ktap_end
