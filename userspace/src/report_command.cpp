// irqlab report RESULT.json... [--metric M] [--json | --csv] [--plot FILE.png]
//
// Saved 'irqlab compare --json' (or --save) results side by side, with
// ratios to the first. Needs no module and no privilege. Exit status: 0,
// 1 when a file cannot be read, is no compare result, or was measured
// with parameters the first was not (commands.h).
#include "commands.h"
#include "compare_json_read.h"
#include "compare_run.h"
#include "device.h"
#include "report.h"

#include <fmt/format.h>
#include <fstream>
#include <memory>

namespace irqlab::cli {

namespace {

struct ReportOptions {
    std::vector<std::string> files;
    std::string metric;
    bool json = false;
    bool csv = false;
    std::string plot;
};

report::Input read_input(const std::string& file) {
    std::ifstream in{file};
    if (!in)
        throw Error{fmt::format("{}: cannot open it", file)};
    const nlohmann::json j = nlohmann::json::parse(in, nullptr, false);
    if (j.is_discarded())
        throw Error{fmt::format("{}: not JSON", file)};
    report::Input input{file, {}};
    std::string error;
    if (!compare::result_from_json(j, input.result, error))
        throw Error{fmt::format("{}: {}", file, error)};
    return input;
}

} // namespace

void add_report_command(CLI::App& app, int& status) {
    auto opts = std::make_shared<ReportOptions>();
    auto* cmd = app.add_subcommand(
        "report", "Saved compare results (any kernels, boxes, runs) side by side, with "
                  "ratios to the first");
    cmd->add_option("results", opts->files, "compare --json results; the first is the baseline")
        ->required();
    cmd->add_option("--metric", opts->metric,
                    "Only this metric (delivery, deferral, runtime, end-to-end, hardirq)");
    auto* json = cmd->add_flag("--json", opts->json, "Print JSON instead of the tables");
    cmd->add_flag("--csv", opts->csv, "Print CSV instead of the tables")->excludes(json);
    cmd->add_option("--plot", opts->plot, "Draw each mechanism's p50 per result into this PNG");

    cmd->callback([opts, &status] {
        std::optional<unsigned> metric;
        if (!opts->metric.empty())
            metric = compare::metric_id(opts->metric);
        std::vector<report::Input> inputs;
        for (const std::string& file : opts->files) {
            inputs.push_back(read_input(file));
            const std::string differs =
                report::incompatibility(inputs.front().result.params, inputs.back().result.params);
            if (!differs.empty())
                throw Error{fmt::format("{} was not measured as {} was ({}): its figures do "
                                        "not compare",
                                        file, inputs.front().file, differs)};
        }
        const std::vector<report::Row> rows = report::rows(inputs, metric);
        if (opts->json)
            fmt::print("{}\n", report::to_json(inputs, rows).dump(2));
        else if (opts->csv)
            report::write_csv(stdout, inputs, rows);
        else
            report::print_report(stdout, inputs, rows);
        if (!opts->plot.empty()) {
            std::string error;
            if (report::write_plot(inputs, opts->plot, error) != 0)
                throw Error{fmt::format("--plot {}: {}", opts->plot, error)};
        }
        status = exit_ok;
    });
}

} // namespace irqlab::cli
