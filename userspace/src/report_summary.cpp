#include "report_summary.h"

#include <algorithm>
#include <filesystem>
#include <fmt/format.h>
#include <string_view>

namespace irqlab::cli::report {

namespace {

using compare::MechanismResult;
using compare::PathResult;
using compare::Result;

constexpr int matrix_name_width = 15;
constexpr int matrix_cell_width = 12; // "0.97 /1.31*" and a blank

// "ivshmem-device" of ".../ivshmem-device.json".
std::string result_name(const std::string& file) {
    return std::filesystem::path{file}.stem().string();
}

std::string ratio_cell(const MechanismResult& m, unsigned metric) {
    const compare::Histogram* engine = compare::measured(m.paths[IRQLAB_PATH_ENGINE], metric);
    const compare::Histogram* native = compare::measured(m.paths[IRQLAB_PATH_NATIVE], metric);
    const std::optional<double> p50 = ratio(engine, native, 0.50);
    const std::optional<double> p99 = ratio(engine, native, 0.99);
    if (!p50 || !p99)
        return "-";
    return summary_ratio(*p50) + "/" + summary_ratio(*p99);
}

// Cells are left-aligned under their metric; a row's trailing blanks go.
void print_row(std::FILE* out, const std::string& first, const std::vector<std::string>& cells) {
    std::string line = fmt::format("{:<{}}", first, matrix_name_width);
    for (const std::string& cell : cells)
        line += fmt::format("{:<{}}", cell, matrix_cell_width);
    line.erase(line.find_last_not_of(' ') + 1);
    fmt::print(out, "{}\n", line);
}

void print_matrix(std::FILE* out, const Input& input) {
    const Result& r = input.result;
    fmt::print(out, "{}: {} trigger, Linux {} ({})\n", result_name(input.file), r.params.trigger,
               r.env.kernel_release, r.env.hypervisor);
    fmt::print(out, "engine/native ratios, p50/p99; * outside {}-{}\n", alike_low, alike_high);
    std::vector<std::string> cells;
    for (unsigned metric = 0; metric < IRQLAB_NR_METRICS; ++metric)
        cells.emplace_back(compare::metric_name(metric));
    print_row(out, "mechanism", cells);
    for (const MechanismResult& m : r.mechanisms) {
        cells.clear();
        for (unsigned metric = 0; metric < IRQLAB_NR_METRICS; ++metric)
            cells.push_back(ratio_cell(m, metric));
        print_row(out, m.name, cells);
    }
}

} // namespace

std::string summary_ratio(double ratio) {
    std::string text = ratio < 9.995   ? fmt::format("{:.2f}", ratio)
                       : ratio < 99.95 ? fmt::format("{:.1f}", ratio)
                                       : fmt::format("{:.0f}", ratio);
    const bool alike = ratio >= alike_low && ratio <= alike_high;
    return text + (alike ? " " : "*");
}

AccountingTotals accounting_totals(const Result& r) {
    AccountingTotals t;
    for (const MechanismResult& m : r.mechanisms) {
        for (const PathResult& path : m.paths) {
            if (!path.available)
                continue;
            t.fired += path.fired;
            t.received += path.received;
            t.dev_merged += path.coalesced_triggers;
            t.unexpected += path.unexpected;
            t.lost += path.lost;
        }
    }
    return t;
}

std::string accounting_verdict(const Result& r) {
    const int64_t lost = accounting_totals(r).lost;
    std::string text = lost ? fmt::format("{} LOST", lost) : "exact";
    if (!r.crosschecks.empty()) {
        const bool agree = std::all_of(r.crosschecks.begin(), r.crosschecks.end(),
                                       [](const compare::CrossCheck& c) { return c.agrees(); });
        text += agree ? "; BPF agrees" : "; BPF DISAGREES";
    }
    return text;
}

void print_summary(std::FILE* out, const std::vector<Input>& inputs) {
    if (inputs.empty())
        return;
    print_matrix(out, inputs.front());
    size_t name_width = std::string_view{"accounting"}.size();
    for (const Input& input : inputs)
        name_width = std::max(name_width, result_name(input.file).size());
    name_width += 2;
    fmt::print(out, "\n{:<{}}{:>8}{:>10}{:>11}{:>11}  {}\n", "accounting", name_width, "fired",
               "received", "dev-merged", "unexpected", "verdict");
    for (const Input& input : inputs) {
        const AccountingTotals t = accounting_totals(input.result);
        // An external trigger is fired by someone else: irqlab counts what
        // arrives, and every arrival is one no trigger of its own explains.
        const bool external = input.result.params.trigger == "external";
        fmt::print(out, "{:<{}}{:>8}{:>10}{:>11}{:>11}  {}\n", result_name(input.file), name_width,
                   external ? "-" : fmt::format("{}", t.fired), t.received, t.dev_merged,
                   external ? "-" : fmt::format("{}", t.unexpected),
                   accounting_verdict(input.result));
    }
}

} // namespace irqlab::cli::report
