#include "stats_report.h"

#include "accounting.h"

#include <fmt/format.h>

namespace irqlab::cli {

StatsReport device_stats(const Device& module, const std::string& bdf, uint64_t vectors) {
    StatsReport report;
    const irqlab_vector_info first = module.vector_info(bdf, 0);
    report.json = {{"bdf", bdf}, {"vectors", nlohmann::json::array()}};

    std::string header = fmt::format("{:>4} {:>5}", "VEC", "IRQ");
    unsigned cpus = 0;
    for (unsigned v = 0; v < first.nr_vectors; ++v) {
        if (v >= 64 || !(vectors >> v & 1))
            continue;
        const irqlab_vector_info info = module.vector_info(bdf, v);
        const irqlab_vector_stats stats = module.stats(bdf, v);
        const VectorTotals totals{stats};
        if (!cpus) {
            cpus = stats.nr_cpus;
            for (unsigned cpu = 0; cpu < cpus; ++cpu)
                header += fmt::format(" {:>10}", fmt::format("CPU{}", cpu));
            report.text +=
                fmt::format("{}\n{} {:>10} {:>10} {:>10} {:>10} {:>8}  {}\n", bdf, header, "FIRED",
                            "RECEIVED", "HANDLED", "COALESCED", "BUSY", "CHECK");
        }
        // Per-CPU columns count arrivals, as /proc/interrupts does.
        std::string row = fmt::format("{:>4} {:>5}", v, info.irq);
        nlohmann::json per_cpu = nlohmann::json::array();
        for (unsigned cpu = 0; cpu < cpus; ++cpu) {
            row += fmt::format(" {:>10}", stats.cpu[cpu].received);
            nlohmann::json entry = counters_json(stats.cpu[cpu]);
            entry["cpu"] = cpu;
            per_cpu.push_back(entry);
        }
        const irqlab_counters& sum = totals.sum;
        report.text +=
            fmt::format("{} {:>10} {:>10} {:>10} {:>10} {:>8}  {}\n", row, sum.fired, sum.received,
                        sum.handled, sum.coalesced, sum.busy, totals.verdict());
        report.balanced = report.balanced && totals.balanced();
        report.json["vectors"].push_back({{"vector", v},
                                          {"irq", info.irq},
                                          {"per_cpu", per_cpu},
                                          {"totals", counters_json(sum)},
                                          {"balanced", totals.balanced()},
                                          {"missing", totals.missing()}});
    }
    return report;
}

} // namespace irqlab::cli
