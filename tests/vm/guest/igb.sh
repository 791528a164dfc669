#!/usr/bin/env bash
# igb scenario, run as root inside the igb box (run.sh --igb: QEMU 10's
# igb model, an 82576 with 10 MSI-X vectors): claim it, fire every vector
# through the device (EICS) and through an ipi 10,000 times each with exact
# accounting, run the engine on it, then release and unload. Prints KTAP.
#
# usage (in the guest): tests/vm/guest/igb.sh REPO_TOP
set -uo pipefail

top=${1:?usage: igb.sh REPO_TOP}
# shellcheck source=common.sh
. "$top/tests/vm/guest/common.sh"

count=10000

ktap_begin
echo "# igb at ${igb:-nowhere}; QEMU's e1000e at $e1000e"
sanitizers_begin
[ -n "$igb" ]
ktap_case $? "igb_present" "$(lspci 2>/dev/null || ls /sys/bus/pci/devices)"
insmod "$ko"
ktap_case $? "insmod"

out=$("$cli" devices)
grep -qE "^$igb +8086:10c9 +10 .* igb \(82576\)$" <<<"$out"
ktap_case $? "devices_lists_igb_trigger" "$out"

out=$("$cli" claim "$igb" 2>&1) && grep -q "10 MSI-X vectors" <<<"$out"
ktap_case $? "claim_igb" "$out"

# EICS with EIAC and EITR 0: one message per write, none merged or extra.
fire_case "igb_device_${count}_per_vector_exact" exact "$igb" \
	--all-vectors --count "$count" --trigger device
fire_case "igb_ipi_${count}_per_vector_exact" exact "$igb" \
	--all-vectors --count "$count" --trigger ipi
fire_case "igb_device_on_cpu1_exact" exact "$igb" --vector 3 --count "$count" \
	--trigger device --cpu 1

# The engine on the igb's vectors: every arrival one engine hardirq, each
# raising its softirq or scheduling its tasklet, exactly.
"$cli" engine attach "$igb" --vector 0 --action softirq:net_rx >/dev/null &&
	"$cli" engine attach "$igb" --vector 1 --action tasklet >/dev/null
ktap_case $? "igb_engine_attach"
"$cli" reset "$igb"
out=$("$cli" fire "$igb" --vector 0 1 --count "$count" --trigger device 2>&1)
ktap_case $? "igb_engine_fire_${count}" "$out"
engine_case "igb_engine_accounting_exact" "$igb"
"$cli" engine detach "$igb" --vector 0 >/dev/null && "$cli" engine detach "$igb" --vector 1 >/dev/null
ktap_case $? "igb_engine_detach"

# QEMU 10's e1000e has the upstream fix for a throttled vector's pending
# message (module/triggers.c): its unexpected arrivals, printed, not
# asserted (10.0.2 still sent 140 extra in 10,000).
if "$cli" claim "$e1000e" >/dev/null 2>&1; then
	"$cli" reset "$e1000e"
	out=$("$cli" fire "$e1000e" --json --all-vectors --count 2000 --trigger device 2>/dev/null)
	echo "# QEMU 10's e1000e, 2000 device triggers per vector:"
	"$fire_check" --expect no-loss --count 2000 <<<"$out"
	"$cli" release "$e1000e" >/dev/null
fi

out=$("$cli" release "$igb" 2>&1) && [ ! -e "/sys/bus/pci/devices/$igb/driver" ]
ktap_case $? "release_igb" "$out"
out=$(rmmod irqlab 2>&1)
ktap_case $? "rmmod" "$out"

sanitizers_end
ktap_end
