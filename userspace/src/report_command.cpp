// irqlab report RESULT.json... [--metric M] [--json | --csv | --summary]
//                 [--plot FILE.png]
//
// Saved 'irqlab compare --json' (or --save) results side by side, with
// ratios to the first; or, with --summary, each result's engine/native
// ratios and accounting in one screen. Needs no module and no privilege. Exit status: 0,
// 1 when a file cannot be read, is no compare result, or was measured
// with parameters the first was not (commands.h).
#include "commands.h"
#include "compare_json_read.h"
#include "compare_run.h"
#include "device.h"
#include "report.h"
#include "report_summary.h"

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
    bool summary = false;
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
    auto* metric_option =
        cmd->add_option("--metric", opts->metric,
                        "Only this metric (delivery, deferral, runtime, end-to-end, hardirq)");
    auto* json = cmd->add_flag("--json", opts->json, "Print JSON instead of the tables");
    auto* csv = cmd->add_flag("--csv", opts->csv, "Print CSV instead of the tables");
    csv->excludes(json);
    auto* plot =
        cmd->add_option("--plot", opts->plot, "Draw each mechanism's p50 per result into this PNG");
    cmd->add_flag("--summary", opts->summary,
                  "One screen: the first result's engine/native ratio matrix, then each "
                  "result's accounting (results of any parameters)")
        ->excludes(json)
        ->excludes(csv)
        ->excludes(metric_option)
        ->excludes(plot);

    cmd->callback([opts, &status] {
        std::optional<unsigned> metric;
        if (!opts->metric.empty())
            metric = compare::metric_id(opts->metric);
        std::vector<report::Input> inputs;
        for (const std::string& file : opts->files) {
            inputs.push_back(read_input(file));
            if (opts->summary)
                continue; // each summarized by itself
            const std::string differs =
                report::incompatibility(inputs.front().result.params, inputs.back().result.params);
            if (!differs.empty())
                throw Error{fmt::format("{} was not measured as {} was ({}): its figures do "
                                        "not compare",
                                        file, inputs.front().file, differs)};
        }
        if (opts->summary) {
            report::print_summary(stdout, inputs);
            status = exit_ok;
            return;
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
