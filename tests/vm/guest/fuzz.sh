#!/usr/bin/env bash
# Fuzz scenario, run as root inside the test box: claim the ivshmem-doorbell
# and the e1000e, run the structure-aware ioctl fuzzer
# (tests/vm/ioctl_fuzz.cpp) on them for SECONDS (120), give everything
# back, unload, and on the debug kernel scan kmemleak and the log. Prints
# KTAP: the fuzzer's cases (one per command and per sequence, each with its
# counts per errno) and this scenario's own.
#
# SEED replays a run (the fuzzer prints its seed first). suite.sh passes
# FUZZ_SECONDS and FUZZ_SEED from the host as these arguments.
#
# usage (in the guest): tests/vm/guest/fuzz.sh REPO_TOP [SECONDS [SEED]]
set -uo pipefail

top=${1:?usage: fuzz.sh REPO_TOP [SECONDS [SEED]]}
# shellcheck source=common.sh
. "$top/tests/vm/guest/common.sh"

fuzz=$top/build/host/tests/vm/irqlab-ioctl-fuzz
seconds=${2:-120}
seed=${3:-}

ktap_begin
echo "# e1000e at $e1000e, ivshmem-doorbell at $ivshmem; fuzzing for $seconds s"
sanitizers_begin
[ -n "$e1000e" ] && [ -n "$ivshmem" ] && [ -x "$fuzz" ]
ktap_case $? "test_box_devices_and_fuzzer_present" "fuzzer: $fuzz"
out=$(insmod "$ko" 2>&1)
ktap_case $? "insmod" "$out"
out=$("$cli" claim "$ivshmem" 2>&1) && out+=$("$cli" claim "$e1000e" 2>&1)
ktap_case $? "claim_both_devices" "$out"

# Devices that exist and are never irqlab's: the host bridge (no MSI-X)
# and a virtio device bound to its driver (the fuzzer never forces it).
virtio=$(basename "$(readlink -f /sys/bus/pci/drivers/virtio-pci/0000:* | head -n1)")
args=(--claimed "$ivshmem" --claimed "$e1000e" --unclaimed 0000:00:00.0
	--missing 0000:00:1e.7 --missing 0001:00:00.0 --duration "$seconds"
	--procs 2 --threads 3)
[ -n "$virtio" ] && args+=(--unclaimed "$virtio")
[ -n "$seed" ] && args+=(--seed "$seed")
ktap_import fuzz_ < <("$fuzz" "${args[@]}" 2>&1)
# 27 commands, 2 encoding cases, 5 sequences, 4 of the run itself.
[ "$ktap_imported" -eq 38 ]
ktap_case $? "fuzzer_ran_every_case" "ran $ktap_imported of 38"

# Whatever the fuzzer left claimed goes back; nothing may stay bound.
for bdf in "$ivshmem" "$e1000e"; do
	"$cli" release "$bdf" >/dev/null 2>&1
done
[ ! -e "/sys/bus/pci/devices/$ivshmem/driver" ] && [ ! -e "/sys/bus/pci/devices/$e1000e/driver" ]
ktap_case $? "devices_released"
out=$(rmmod irqlab 2>&1) && [ ! -e /sys/module/irqlab ]
ktap_case $? "rmmod_after_fuzzing" "$out"
# The driver override went with the claims: any driver may bind again.
[ "$(cat "/sys/bus/pci/devices/$ivshmem/driver_override")" = "(null)" ] &&
	[ "$(cat "/sys/bus/pci/devices/$e1000e/driver_override")" = "(null)" ]
ktap_case $? "no_driver_override_left"

sanitizers_end
ktap_end
