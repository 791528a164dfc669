#!/usr/bin/env bash
# MSI-X scenario, run as root inside the test box: claim the e1000e and
# the ivshmem-doorbell, fire every vector with each applicable trigger and
# check the accounting, CPU placement, bad input, and unload, release and
# device removal in the middle of runs. Prints KTAP.
#
# usage (in the guest): tests/vm/guest/msix.sh REPO_TOP
set -uo pipefail

top=${1:?usage: msix.sh REPO_TOP}
# shellcheck source=common.sh
. "$top/tests/vm/guest/common.sh"

nobody=(setpriv --reuid=65534 --regid=65534 --clear-groups)
count=$(scaled 10000)

ktap_begin
echo "# e1000e at $e1000e, ivshmem-doorbell at $ivshmem"
sanitizers_begin
[ -n "$e1000e" ] && [ -n "$ivshmem" ]
ktap_case $? "test_box_devices_present"
insmod "$ko"
ktap_case $? "insmod"

out=$("$cli" devices)
grep -qE "^$e1000e +8086:10d3 +5 .* e1000e \(82574L\)$" <<<"$out" &&
	grep -qE "^$ivshmem +1af4:1110 +4 .* ivshmem-doorbell$" <<<"$out"
ktap_case $? "devices_lists_msix_and_device_triggers" "$out"

out=$("$cli" claim "$e1000e" 2>&1) && grep -q "5 MSI-X vectors" <<<"$out"
ktap_case $? "claim_e1000e" "$out"
out=$("$cli" claim "$ivshmem" 2>&1) && grep -q "4 MSI-X vectors" <<<"$out"
ktap_case $? "claim_ivshmem" "$out"
names=$(grep -c "irqlab-\($e1000e\|$ivshmem\)-v[0-9]" /proc/interrupts)
[ "$names" -eq 9 ]
ktap_case $? "vectors_named_in_proc_interrupts" "found $names of 9"

fire_case "ivshmem_device_${count}_per_vector_exact" exact "$ivshmem" \
	--all-vectors --count "$count" --trigger device
fire_case "ivshmem_ipi_${count}_per_vector_exact" exact "$ivshmem" \
	--all-vectors --count "$count" --trigger ipi
fire_case "e1000e_ipi_${count}_per_vector_exact" exact "$e1000e" \
	--all-vectors --count "$count" --trigger ipi
# QEMU's e1000e model sends messages of its own (module/triggers.c): here
# the check is that nothing fired goes missing and that irqlab flags the
# extra arrivals instead of hiding them.
"$cli" reset "$e1000e"
out=$("$cli" fire "$e1000e" --json --all-vectors --count "$count" --trigger device 2>/tmp/fire.err)
st=$?
"$fire_check" --expect no-loss --count "$count" <<<"$out" &&
	{ [ $st -eq 0 ] || { [ $st -eq 3 ] && grep -q '"balanced": false' <<<"$out"; }; }
ktap_case $? "e1000e_device_${count}_per_vector_nothing_lost" "exit $st" "$(head -c 600 <<<"$out")"
fire_case "ivshmem_device_paced_exact" exact "$ivshmem" \
	--all-vectors --count "$count" --rate 20000 --trigger device

# Placement: pointed at one CPU, every arrival is counted on that CPU.
for cpu in 0 1; do
	fire_case "ipi_lands_on_cpu$cpu" exact "$ivshmem" --vector 0 --count "$count" \
		--trigger ipi --cpu "$cpu"
	"$cli" vectors "$ivshmem" --json | python3 -c '
import json, sys
v = json.load(sys.stdin)["vectors"][0]
sys.exit(0 if v["effective_affinity"] == sys.argv[1] else 1)' "$cpu"
	ktap_case $? "effective_affinity_reads_back_cpu$cpu" "$("$cli" vectors "$ivshmem")"
	# Where it lands, end to end: the vector domain's IDT vector and APIC
	# (that CPU's, as /proc/cpuinfo says; in logical mode its bit), and the
	# MSI-X message the device writes carries both (no interrupt remapping
	# in the box).
	"$cli" vectors "$ivshmem" --json | python3 -c '
import json, re, sys
cpu = int(sys.argv[1])
route = json.load(sys.stdin)["vectors"][0]["route"]
apic = {}
for block in open("/proc/cpuinfo").read().split("\n\n"):
    p = re.search(r"^processor\s*: (\d+)", block, re.M)
    a = re.search(r"^apicid\s*: (\d+)", block, re.M)
    if p and a:
        apic[int(p.group(1))] = int(a.group(1))
address, data = int(route["msi_address"], 16), int(route["msi_data"], 16)
# Linux before 6.9 uses flat logical mode on few CPUs: a logical APIC ID
# (one bit per CPU), flagged in the address (bit 2) and the answer.
logical = route["dest_mode"] == "logical"
checks = {
    "cpu": route["cpu"] == cpu,
    "apic_id of that cpu": route["apic_id"] == (1 << cpu if logical else apic.get(cpu)),
    "destination mode in the message": bool(address & 4) == logical,
    "an external-interrupt vector": 0x20 <= route["host_vector"] <= 0xff,
    "message data carries the vector": data & 0xff == route["host_vector"],
    "message address carries the apic id": (address >> 12) & 0xff == route["apic_id"],
    "not remapped": not route["remapped"],
}
print(f"# vector 0 route: {route}")
bad = [name for name, ok in checks.items() if not ok]
if bad:
    print("# wrong: " + ", ".join(bad))
sys.exit(1 if bad else 0)' "$cpu"
	ktap_case $? "route_lands_on_cpu${cpu}_vector_and_apic" "$("$cli" vectors "$ivshmem")"
done
# x86 without interrupt remapping moves an MSI vector at its next
# interrupt: fire once before reading the effective affinity back.
"$cli" affinity "$ivshmem" --vector 1 --cpus 1 >/dev/null &&
	"$cli" fire "$ivshmem" --vector 1 --count 10 --trigger ipi >/dev/null &&
	out=$("$cli" affinity "$ivshmem" --vector 1 2>&1) && grep -q "effective 1$" <<<"$out"
ktap_case $? "affinity_command_sets_and_reads_back" "$out"

# Bad input: a clear message, and nothing changed.
expect_fail "claim_nonexistent_bdf" 1 "no such PCI device" "$cli" claim 0000:00:1e.7
expect_fail "claim_malformed_bdf" 1 "is not a PCI address" "$cli" claim 00:zz.0
expect_fail "claim_device_without_msix" 1 "has no MSI-X capability" "$cli" claim 0000:00:00.0
[ "$(cat /sys/bus/pci/devices/0000:00:00.0/driver_override)" = "(null)" ]
ktap_case $? "failed_claim_leaves_no_override"
expect_fail "claim_twice" 1 "already claimed" "$cli" claim "$ivshmem"
virtio=$(basename "$(readlink -f /sys/bus/pci/drivers/virtio-pci/0000:* | head -n1)")
expect_fail "claim_bound_device_needs_force" 1 "is bound to driver virtio-pci" "$cli" claim "$virtio"
[ -e "/sys/bus/pci/devices/$virtio/driver" ]
ktap_case $? "refused_claim_leaves_driver_bound"
expect_fail "fire_vector_out_of_range" 1 "out of range" "$cli" fire "$e1000e" --vector 7 \
	--count 10 --trigger ipi
expect_fail "fire_count_zero" 2 "not in range" "$cli" fire "$e1000e" --vector 0 --count 0 \
	--trigger ipi
expect_fail "fire_count_huge" 2 "not in range" "$cli" fire "$e1000e" --vector 0 \
	--count 100000000000 --trigger ipi
expect_fail "fire_unknown_trigger" 2 "not in" "$cli" fire "$e1000e" --vector 0 --count 10 \
	--trigger smoke
expect_fail "fire_unclaimed_device" 1 "is not claimed by irqlab" "$cli" fire 0000:00:00.0 \
	--vector 0 --count 10 --trigger ipi
expect_fail "fire_not_root" 1 "not root" "${nobody[@]}" "$cli" fire "$e1000e" --vector 0 \
	--count 10 --trigger ipi
expect_fail "stats_not_root" 1 "not root" "${nobody[@]}" "$cli" stats

# The same rules from raw ioctls: the module, not the CLI, must enforce them.
abi_test=$top/build/host/tests/vm/irqlab-abi-test
ktap_import ioctl_ < <("$abi_test" "$ivshmem" 2>&1)
[ "$ktap_imported" -eq "$ktap_import_plan" ]
ktap_case $? "ioctl_errno_cases_all_ran" "ran $ktap_imported of $ktap_import_plan"

# A long run is cancelled by 'irqlab stop' and its counters stay readable.
"$cli" fire "$ivshmem" --all-vectors --count 1000000 --rate 2000 --trigger device --no-wait
sleep 0.5
"$cli" stop "$ivshmem" && "$cli" stats "$ivshmem" --json >/dev/null
ktap_case $? "stop_cancels_a_run"

# Release, device removal and rmmod in the middle of runs.
"$cli" fire "$e1000e" --all-vectors --count 1000000 --rate 2000 --trigger ipi --no-wait
sleep 0.5
"$cli" release "$e1000e" && [ ! -e "/sys/bus/pci/devices/$e1000e/driver" ]
ktap_case $? "release_during_run"

"$cli" fire "$ivshmem" --all-vectors --count 1000000 --rate 2000 --trigger device --no-wait
sleep 0.5
echo 1 >"/sys/bus/pci/devices/$ivshmem/remove" && [ ! -e "/sys/bus/pci/devices/$ivshmem" ]
ktap_case $? "device_remove_during_run"
echo 1 >/sys/bus/pci/rescan
[ -e "/sys/bus/pci/devices/$ivshmem" ] && [ ! -e "/sys/bus/pci/devices/$ivshmem/driver" ]
ktap_case $? "removed_device_rescans_unbound"

"$cli" claim "$ivshmem" >/dev/null &&
	"$cli" fire "$ivshmem" --all-vectors --count 1000000 --rate 2000 --trigger device --no-wait
sleep 0.5
out=$(rmmod irqlab 2>&1) && [ ! -e "/sys/bus/pci/devices/$ivshmem/driver" ]
ktap_case $? "rmmod_during_run" "$out"

# Claim/release cycles: state must not drift. What a cycle could leak is
# counted before and after: the kernel's IRQ descriptors (a vector not
# freed) and irqlab's lines in /proc/interrupts (an action not freed), so
# a leak of one vector fails the case after any number of cycles, and a
# few suffice (each is four CLI runs, seconds under TCG; the debug
# kernel's kmemleak scan at the end covers memory).
irq_state() {
	echo "$(find /sys/kernel/irq -mindepth 1 -maxdepth 1 | wc -l) descriptors," \
		"$(grep -c irqlab /proc/interrupts) irqlab lines"
}
cycles=$(scaled 25 5)
insmod "$ko"
before=$(irq_state)
failures=0
for _ in $(seq "$cycles"); do
	"$cli" claim "$ivshmem" >/dev/null && "$cli" release "$ivshmem" >/dev/null &&
		"$cli" claim "$e1000e" >/dev/null && "$cli" release "$e1000e" >/dev/null ||
		failures=$((failures + 1))
done
after=$(irq_state)
[ $failures -eq 0 ] && [ "$(cat "/sys/bus/pci/devices/$ivshmem/driver_override")" = "(null)" ]
ktap_case $? "claim_release_${cycles}_cycles" "$failures failed cycles"
[ "$before" = "$after" ]
ktap_case $? "claim_release_left_no_vector" "before the cycles: $before; after: $after"

# --spread: one managed vector per CPU, the rest pre-vectors: none lost.
out=$("$cli" claim --spread "$e1000e" 2>&1) && grep -q "5 MSI-X vectors" <<<"$out"
ktap_case $? "claim_spread_keeps_every_vector" "$out"
fire_case "spread_ipi_${count}_per_vector_exact" exact "$e1000e" \
	--all-vectors --count "$count" --trigger ipi
# The last vector is a managed one, on one CPU: it keeps the kernel's
# placement (EIO, as /proc/irq/N/smp_affinity), and the release after
# the refusal leaves the kernel's vector matrix right (the log checks
# below). The ioctl fuzzer found the module moving it, and x86 warning
# in irq_matrix_remove_managed when the vector was freed.
out=$("$cli" affinity "$e1000e" --vector 4 --cpus "0-$(($(nproc) - 1))" 2>&1)
[ $? -eq 1 ] && grep -q 'managed interrupts' <<<"$out"
ktap_case $? "spread_managed_vector_keeps_its_affinity" "$out"
"$cli" release "$e1000e" >/dev/null
out=$(rmmod irqlab 2>&1)
ktap_case $? "rmmod" "$out"

# claim=BDF,BDF at load does what 'irqlab claim' does.
insmod "$ko" "claim=$ivshmem,$e1000e" && out=$("$cli" stats) &&
	grep -q "^$ivshmem" <<<"$out" && grep -q "^$e1000e" <<<"$out"
ktap_case $? "claim_parameter_at_load" "$out"
out=$(rmmod irqlab 2>&1) && [ ! -e "/sys/bus/pci/devices/$e1000e/driver" ]
ktap_case $? "rmmod_releases_parameter_claims" "$out"

sanitizers_end
ktap_end
