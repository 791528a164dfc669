// CPU lists as the kernel writes them ("0-3,64-71"), of any width, and
// the 64-bit masks the ABI still carries.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace irqlab::cli {

// Sorted, without duplicates. Throws Error on malformed or empty lists, or
// a CPU id of 'limit' or more.
std::vector<unsigned> parse_cpu_ids(const std::string& list, unsigned limit = 1u << 20);
// "-" when empty.
std::string format_cpu_ids(const std::vector<unsigned>& cpus);

// Throws Error on malformed lists or CPUs beyond 63.
uint64_t parse_cpu_list(const std::string& list);
std::string format_cpu_list(uint64_t mask);

} // namespace irqlab::cli
