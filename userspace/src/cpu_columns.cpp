#include "cpu_columns.h"

#include "cpulist.h"
#include "device.h"

#include <fmt/format.h>

namespace irqlab::cli {

void add_cpu_columns(CLI::App& command, CpuColumns& columns) {
    auto* cpus = command.add_option(
        "--cpus", columns.cpus,
        "CPU columns to show, a CPU list such as 0-3,64-71 (default: CPUs with activity)");
    auto* all = command.add_flag("--all-cpus", columns.all, "Show a column for every CPU");
    cpus->excludes(all);
}

std::vector<unsigned> cpu_columns(const CpuColumns& columns, unsigned nr_cpus,
                                  const std::function<bool(unsigned cpu)>& active) {
    std::vector<unsigned> shown;
    if (!columns.cpus.empty()) {
        shown = parse_cpu_ids(columns.cpus);
        if (shown.back() >= nr_cpus)
            throw Error{fmt::format("--cpus {}: CPU {} does not exist (CPUs 0-{})", columns.cpus,
                                    shown.back(), nr_cpus - 1)};
        return shown;
    }
    for (unsigned cpu = 0; cpu < nr_cpus; ++cpu) {
        if (columns.all || active(cpu))
            shown.push_back(cpu);
    }
    if (shown.empty() && nr_cpus)
        shown.push_back(0);
    return shown;
}

} // namespace irqlab::cli
