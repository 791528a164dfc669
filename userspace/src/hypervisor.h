// What the CLI runs on: bare metal or a hypervisor, and which (issue 17).
// Latencies under TCG (QEMU's software emulation) are an emulator's, under
// KVM a guest's with real interrupt delivery, on bare metal the machine's:
// every saved result says which.
#pragma once

#include <string>

namespace irqlab::cli {

// "none" on bare metal; "kvm", "tcg", "hyper-v", "vmware", "xen"; any
// other hypervisor by its CPUID signature; "unknown" where there is no
// CPUID to ask.
std::string hypervisor();

// The name of the signature in CPUID leaf 0x40000000 (12 bytes).
std::string hypervisor_name(const std::string& signature);

} // namespace irqlab::cli
