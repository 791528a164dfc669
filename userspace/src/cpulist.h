// CPU lists as the kernel writes them ("0-3,6"), to and from 64-bit masks.
#pragma once

#include <cstdint>
#include <string>

namespace irqlab::cli {

// Throws Error on malformed lists or CPUs beyond 63.
uint64_t parse_cpu_list(const std::string& list);
std::string format_cpu_list(uint64_t mask);

} // namespace irqlab::cli
