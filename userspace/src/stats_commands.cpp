// irqlab stats [BDF] [--json] / irqlab reset BDF
#include "commands.h"
#include "device.h"
#include "stats_report.h"

#include <fmt/format.h>
#include <memory>

namespace irqlab::cli {

namespace {

struct StatsOptions {
    std::string bdf;
    bool json = false;
    CpuColumns columns;
};

} // namespace

void add_stats_commands(CLI::App& app, int& status) {
    auto opts = std::make_shared<StatsOptions>();

    auto* stats = app.add_subcommand("stats", "Show the accounting of claimed devices' vectors");
    stats->add_option("bdf", opts->bdf, "PCI address (default: every claimed device)");
    stats->add_flag("--json", opts->json, "Print as JSON (every CPU)");
    add_cpu_columns(*stats, opts->columns);
    stats->callback([opts, &status] {
        const Device module;
        const std::vector<std::string> devices =
            opts->bdf.empty() ? module.claimed() : std::vector<std::string>{opts->bdf};
        nlohmann::json all = nlohmann::json::array();
        bool balanced = true;
        for (const std::string& bdf : devices) {
            StatsReport report = device_stats(module, bdf, {}, opts->columns);
            balanced = balanced && report.balanced;
            if (opts->json)
                all.push_back(std::move(report.json));
            else
                fmt::print("{}\n", report.text);
        }
        if (opts->json)
            fmt::print("{}\n", nlohmann::json{{"devices", all}, {"balanced", balanced}}.dump(2));
        else if (devices.empty())
            fmt::print("no device claimed ('irqlab claim BDF')\n");
        status = balanced ? exit_ok : exit_events_lost;
    });

    auto* reset = app.add_subcommand("reset", "Zero a claimed device's counters");
    reset->add_option("bdf", opts->bdf, "PCI address")->required();
    reset->callback([opts, &status] {
        Device{}.reset(opts->bdf);
        status = exit_ok;
    });
}

} // namespace irqlab::cli
