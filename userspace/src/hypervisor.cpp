#include "hypervisor.h"

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#endif
#include <cstring>

namespace irqlab::cli {

std::string hypervisor_name(const std::string& signature) {
    static const struct {
        const char* signature;
        const char* name;
    } known[] = {
        {"KVMKVMKVM", "kvm"},       {"TCGTCGTCGTCG", "tcg"}, {"Microsoft Hv", "hyper-v"},
        {"VMwareVMware", "vmware"}, {"XenVMMXenVMM", "xen"},
    };
    for (const auto& k : known)
        if (signature == k.signature)
            return k.name;
    return signature.empty() ? "unknown hypervisor" : signature;
}

std::string hypervisor() {
#if defined(__x86_64__) || defined(__i386__)
    unsigned eax = 0, ebx = 0, ecx = 0, edx = 0;
    // CPUID.1:ECX bit 31 is reserved for hypervisors to set.
    if (!__get_cpuid(1, &eax, &ebx, &ecx, &edx) || !(ecx & (1u << 31)))
        return "none";
    __cpuid(0x40000000, eax, ebx, ecx, edx);
    char signature[13] = {};
    std::memcpy(signature, &ebx, 4);
    std::memcpy(signature + 4, &ecx, 4);
    std::memcpy(signature + 8, &edx, 4);
    return hypervisor_name(signature);
#else
    return "unknown";
#endif
}

} // namespace irqlab::cli
