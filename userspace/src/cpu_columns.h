// Which CPUs a per-CPU table shows ('stats', 'engine interrupts', 'engine
// softirqs'): by default only CPUs with activity, as lsirq and irqtop do,
// so that a 72-CPU box prints a readable table; --cpus LIST chooses,
// --all-cpus shows every one. JSON always carries every CPU.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <string>
#include <vector>

namespace irqlab::cli {

struct CpuColumns {
    std::string cpus; // --cpus LIST
    bool all = false; // --all-cpus
};

// Adds the two mutually exclusive options to 'command'.
void add_cpu_columns(CLI::App& command, CpuColumns& columns);

// The CPUs below 'nr_cpus' to show: the chosen list (CPUs at or past
// nr_cpus are an Error), all of them, or those for which 'active' holds.
// With nothing active, CPU 0 alone, so that a table keeps its shape.
std::vector<unsigned> cpu_columns(const CpuColumns& columns, unsigned nr_cpus,
                                  const std::function<bool(unsigned cpu)>& active);

} // namespace irqlab::cli
