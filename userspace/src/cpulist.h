// CPU lists as the kernel writes them ("0-3,64-71"), of any width.
#pragma once

#include <string>
#include <vector>

namespace irqlab::cli {

// Sorted, without duplicates. Throws Error on malformed or empty lists, or
// a CPU id of 'limit' or more.
std::vector<unsigned> parse_cpu_ids(const std::string& list, unsigned limit = 1u << 20);
// "-" when empty.
std::string format_cpu_ids(const std::vector<unsigned>& cpus);

} // namespace irqlab::cli
