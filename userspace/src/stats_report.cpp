#include "stats_report.h"

#include "accounting.h"
#include "schema_json.h"

#include <algorithm>
#include <fmt/format.h>

namespace irqlab::cli {

namespace {

struct VectorRow {
    unsigned vector;
    VectorInfo info;
    VectorStats stats;
};

bool any_counter(const irqlab_counters& c) {
    const std::vector<uint64_t> values = schema::counters_values(c);
    return std::any_of(values.begin(), values.end(), [](uint64_t v) { return v != 0; });
}

} // namespace

StatsReport device_stats(const Device& module, const std::string& bdf, const Bitmap& vectors,
                         const CpuColumns& columns) {
    StatsReport report;
    const VectorInfo first = module.vector_info(bdf, 0);
    report.json = {{"bdf", bdf}, {"vectors", nlohmann::json::array()}};

    std::vector<VectorRow> rows;
    for (unsigned v = 0; v < first.nr_vectors; ++v) {
        if (!vectors.empty() && !vectors.test(v))
            continue;
        rows.push_back({v, module.vector_info(bdf, v), module.stats(bdf, v)});
    }
    if (rows.empty())
        return report;
    const auto cpus = static_cast<unsigned>(rows.front().stats.cpu.size());
    // Per-CPU columns count arrivals, as /proc/interrupts does; a CPU is
    // active when any counter of a reported vector moved there.
    const std::vector<unsigned> shown = cpu_columns(columns, cpus, [&](unsigned cpu) {
        return std::any_of(rows.begin(), rows.end(),
                           [cpu](const VectorRow& r) { return any_counter(r.stats.cpu[cpu]); });
    });
    std::string header = fmt::format("{:>4} {:>5}", "VEC", "IRQ");
    for (const unsigned cpu : shown)
        header += fmt::format(" {:>10}", fmt::format("CPU{}", cpu));
    for (const auto& field : schema::counters_fields)
        header += fmt::format(" {:>10}", field.column);
    report.text += fmt::format("{}\n{}  {}\n", bdf, header, "CHECK");

    for (const auto& [v, info, stats] : rows) {
        const VectorTotals totals{stats.cpu};
        std::string row = fmt::format("{:>4} {:>5}", v, info.irq);
        for (const unsigned cpu : shown)
            row += fmt::format(" {:>10}", stats.cpu[cpu].received);
        // JSON: every CPU, whatever the table shows.
        nlohmann::json per_cpu = nlohmann::json::array();
        for (unsigned cpu = 0; cpu < cpus; ++cpu) {
            nlohmann::json entry = counters_json(stats.cpu[cpu]);
            entry["cpu"] = cpu;
            per_cpu.push_back(entry);
        }
        for (const uint64_t value : schema::counters_values(totals.sum))
            row += fmt::format(" {:>10}", value);
        report.text += fmt::format("{}  {}\n", row, totals.verdict());
        report.balanced = report.balanced && totals.balanced();
        report.json["vectors"].push_back({{"vector", v},
                                          {"irq", info.irq},
                                          {"per_cpu", per_cpu},
                                          {"totals", counters_json(totals.sum)},
                                          {"balanced", totals.balanced()},
                                          {"missing", totals.missing()}});
    }
    return report;
}

} // namespace irqlab::cli
