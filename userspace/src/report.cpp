#include "report.h"

#include "compare_report.h"
#include "gnuplot.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <fmt/format.h>
#include <utility>

namespace irqlab::cli::report {

namespace {

using compare::Histogram;
using compare::MechanismResult;
using compare::Parameters;
using compare::Result;

constexpr std::array<std::pair<const char*, double>, 2> shown_percentiles = {
    {{"p50", 0.50}, {"p99", 0.99}}};

const MechanismResult* find_mechanism(const Result& r, const std::string& name) {
    for (const MechanismResult& m : r.mechanisms)
        if (m.name == name)
            return &m;
    return nullptr;
}

// Every mechanism any input measured, in the order they first appear.
std::vector<std::string> mechanism_names(const std::vector<Input>& inputs) {
    std::vector<std::string> names;
    for (const Input& input : inputs)
        for (const MechanismResult& m : input.result.mechanisms)
            if (std::find(names.begin(), names.end(), m.name) == names.end())
                names.push_back(m.name);
    return names;
}

std::string hist_text(const irqlab_hist_config& c) {
    return fmt::format("{}:{}:{}", c.scale == IRQLAB_HIST_LOG2 ? "log2" : "linear", c.width_ns,
                       c.buckets);
}

std::string run_length(const Parameters& p) {
    return p.count ? fmt::format("{} per path", p.count)
                   : fmt::format("{:g} s per path", p.duration_s);
}

std::string rate_text(const Parameters& p) {
    return p.rate_hz ? fmt::format("{} Hz", p.rate_hz) : "back to back";
}

constexpr int cell_width = 17;

std::string cell_text(const Histogram* cell, const Histogram* baseline, double q, bool first) {
    if (!cell)
        return "-";
    const std::string value = compare::format_us(cell->percentile_ns(q));
    if (first)
        return value;
    const std::optional<double> r = ratio(cell, baseline, q);
    return r ? fmt::format("{} ({:.2f})", value, *r) : value + " (-)";
}

void print_inputs(std::FILE* out, const std::vector<Input>& inputs) {
    const Parameters& p = inputs.front().result.params;
    fmt::print(out, "irqlab report: {} compare results, ratios to result 1\n", inputs.size());
    fmt::print(out, "trigger {} | {}{} | rate {} | placement {} | hist {}\n", p.trigger,
               run_length(p), p.repeat > 1 ? fmt::format(" x{} repeats", p.repeat) : "",
               rate_text(p), p.cpu >= 0 ? fmt::format("CPU {}", p.cpu) : "vector affinity",
               hist_text(p.hist));
    fmt::print(out, "  {:>2}  {:<24}{:<22}{:<11}{:>5}  {:<20}{}\n", "#", "kernel", "preemption",
               "hypervisor", "CPUs", "accounting", "file");
    for (size_t i = 0; i < inputs.size(); ++i) {
        const Result& r = inputs[i].result;
        fmt::print(out, "  {:>2}  {:<24}{:<22}{:<11}{:>5}  {:<20}{}\n", i + 1, r.env.kernel_release,
                   r.env.preemption, r.env.hypervisor, r.env.cpus, accounting_text(r),
                   inputs[i].file);
    }
    // Not refused: putting a KVM guest beside software emulation can be the
    // point. But the ratios then hold the emulators' difference too.
    for (const Input& input : inputs) {
        if (input.result.env.hypervisor != inputs.front().result.env.hypervisor) {
            fmt::print(out, "note: the results ran under different hypervisors; their ratios "
                            "include the difference between them\n");
            break;
        }
    }
}

void print_table(std::FILE* out, size_t nr_inputs, const std::vector<Row>& rows, const char* name,
                 double q) {
    fmt::print(out, "\n{} (us; in brackets the ratio to result 1)\n", name);
    fmt::print(out, "  {:<16}{:<8}{:<12}", "mechanism", "path", "metric");
    for (size_t i = 0; i < nr_inputs; ++i)
        fmt::print(out, "{:>{}}", i + 1, cell_width);
    fmt::print(out, "\n");
    for (const Row& row : rows) {
        fmt::print(out, "  {:<16}{:<8}{:<12}", row.mechanism, compare::path_name(row.path),
                   compare::metric_name(row.metric));
        for (size_t i = 0; i < row.cells.size(); ++i)
            fmt::print(out, "{:>{}}", cell_text(row.cells[i], row.cells[0], q, i == 0), cell_width);
        fmt::print(out, "\n");
    }
}

std::string plot_script(const std::vector<Input>& inputs, unsigned metric,
                        const std::string& terminal, const std::string& png_path) {
    // Per mechanism: every input's engine p50, then every input's native
    // p50; "-" where there is none (gnuplot leaves a gap).
    std::string data;
    for (const std::string& name : mechanism_names(inputs)) {
        data += name;
        for (unsigned path : {IRQLAB_PATH_ENGINE, IRQLAB_PATH_NATIVE}) {
            for (const Input& input : inputs) {
                const MechanismResult* m = find_mechanism(input.result, name);
                const Histogram* h = m ? compare::measured(m->paths[path], metric) : nullptr;
                data += latency_cell(h ? h->percentile_ns(0.50) : 0);
            }
        }
        data += "\n";
    }
    std::vector<BarSeries> series;
    for (unsigned path : {IRQLAB_PATH_ENGINE, IRQLAB_PATH_NATIVE})
        for (size_t i = 0; i < inputs.size(); ++i)
            series.push_back({fmt::format("{} p50, {}: {}", compare::path_name(path), i + 1,
                                          inputs[i].result.env.kernel_release),
                              ""});
    return latency_bars_script(terminal, png_path, 1600,
                               fmt::format("irqlab report: {} p50 across {} results",
                                           compare::metric_name(metric), inputs.size()),
                               data, series);
}

} // namespace

std::string incompatibility(const Parameters& baseline, const Parameters& other) {
    std::vector<std::string> differ;
    auto check = [&](bool same, const char* what, const std::string& a, const std::string& b) {
        if (!same)
            differ.push_back(fmt::format("{} {} vs {}", what, a, b));
    };
    check(baseline.trigger == other.trigger, "trigger", baseline.trigger, other.trigger);
    check(baseline.count == other.count && baseline.duration_s == other.duration_s, "run length",
          run_length(baseline), run_length(other));
    check(baseline.rate_hz == other.rate_hz, "rate", rate_text(baseline), rate_text(other));
    check(baseline.cpu == other.cpu, "--cpu", fmt::format("{}", baseline.cpu),
          fmt::format("{}", other.cpu));
    check(baseline.warmup == other.warmup, "warmup", fmt::format("{}", baseline.warmup),
          fmt::format("{}", other.warmup));
    check(baseline.repeat == other.repeat, "repeats", fmt::format("{}", baseline.repeat),
          fmt::format("{}", other.repeat));
    check(baseline.hist.scale == other.hist.scale &&
              baseline.hist.width_ns == other.hist.width_ns &&
              baseline.hist.buckets == other.hist.buckets,
          "--hist", hist_text(baseline.hist), hist_text(other.hist));
    std::string text;
    for (const std::string& d : differ)
        text += (text.empty() ? "" : "; ") + d;
    return text;
}

std::vector<Row> rows(const std::vector<Input>& inputs, std::optional<unsigned> metric) {
    std::vector<Row> out;
    for (const std::string& name : mechanism_names(inputs)) {
        for (unsigned path : {IRQLAB_PATH_ENGINE, IRQLAB_PATH_NATIVE}) {
            for (unsigned m = 0; m < IRQLAB_NR_METRICS; ++m) {
                if (metric && *metric != m)
                    continue;
                Row row{name, path, m, {}};
                bool any = false;
                for (const Input& input : inputs) {
                    const MechanismResult* mech = find_mechanism(input.result, name);
                    row.cells.push_back(mech ? compare::measured(mech->paths[path], m) : nullptr);
                    any = any || row.cells.back();
                }
                if (any)
                    out.push_back(std::move(row));
            }
        }
    }
    return out;
}

std::string accounting_text(const Result& r) {
    int64_t lost = 0;
    uint64_t unexpected = 0;
    for (const MechanismResult& m : r.mechanisms) {
        for (const compare::PathResult& path : m.paths) {
            if (path.available) {
                lost += path.lost;
                unexpected += path.unexpected;
            }
        }
    }
    std::string text = lost ? fmt::format("{} lost", lost) : "exact";
    if (unexpected)
        text += fmt::format(", {} unexpected", unexpected);
    return text;
}

std::optional<double> ratio(const Histogram* cell, const Histogram* baseline, double q) {
    if (!cell || !baseline)
        return std::nullopt;
    const uint64_t base = baseline->percentile_ns(q);
    if (!base)
        return std::nullopt;
    return static_cast<double>(cell->percentile_ns(q)) / static_cast<double>(base);
}

void print_report(std::FILE* out, const std::vector<Input>& inputs, const std::vector<Row>& rows) {
    print_inputs(out, inputs);
    for (const auto& [name, q] : shown_percentiles)
        print_table(out, inputs.size(), rows, name, q);
}

nlohmann::json to_json(const std::vector<Input>& inputs, const std::vector<Row>& rows) {
    const Parameters& p = inputs.front().result.params;
    nlohmann::json j;
    j["params"] = {{"trigger", p.trigger},
                   {"count", p.count},
                   {"duration_s", p.duration_s},
                   {"rate_hz", p.rate_hz},
                   {"cpu", p.cpu},
                   {"warmup", p.warmup},
                   {"repeat", p.repeat},
                   {"hist", hist_text(p.hist)}};
    j["baseline"] = 0;
    j["results"] = nlohmann::json::array();
    for (const Input& input : inputs) {
        const Result& r = input.result;
        j["results"].push_back({{"file", input.file},
                                {"kernel_release", r.env.kernel_release},
                                {"preemption", r.env.preemption},
                                {"hypervisor", r.env.hypervisor},
                                {"cpus", r.env.cpus},
                                {"device", r.params.device},
                                {"timestamp", r.env.timestamp},
                                {"module_version", r.env.module_version},
                                {"accounting", accounting_text(r)}});
    }
    j["rows"] = nlohmann::json::array();
    for (const Row& row : rows) {
        nlohmann::json cells = nlohmann::json::array();
        for (const Histogram* cell : row.cells) {
            if (!cell) {
                cells.push_back(nullptr);
                continue;
            }
            nlohmann::json c = {{"count", cell->count}};
            for (const auto& [name, q] : shown_percentiles) {
                c[fmt::format("{}_ns", name)] = cell->percentile_ns(q);
                const std::optional<double> r = ratio(cell, row.cells[0], q);
                c[fmt::format("{}_ratio", name)] = r ? nlohmann::json(*r) : nlohmann::json();
            }
            cells.push_back(c);
        }
        j["rows"].push_back({{"mechanism", row.mechanism},
                             {"path", compare::path_name(row.path)},
                             {"metric", compare::metric_name(row.metric)},
                             {"results", cells}});
    }
    return j;
}

void write_csv(std::FILE* out, const std::vector<Input>& inputs, const std::vector<Row>& rows) {
    fmt::print(out, "mechanism,path,metric,result,kernel_release,count,p50_ns,p99_ns,p50_ratio,"
                    "p99_ratio\n");
    for (const Row& row : rows) {
        for (size_t i = 0; i < row.cells.size(); ++i) {
            fmt::print(out, "{},{},{},{},{}", row.mechanism, compare::path_name(row.path),
                       compare::metric_name(row.metric), i + 1,
                       inputs[i].result.env.kernel_release);
            const Histogram* cell = row.cells[i];
            if (!cell) {
                fmt::print(out, ",,,,,\n");
                continue;
            }
            fmt::print(out, ",{}", cell->count);
            for (const auto& [name, q] : shown_percentiles)
                fmt::print(out, ",{}", cell->percentile_ns(q));
            for (const auto& [name, q] : shown_percentiles) {
                const std::optional<double> r = ratio(cell, row.cells[0], q);
                fmt::print(out, ",{}", r ? fmt::format("{:.4f}", *r) : "");
            }
            fmt::print(out, "\n");
        }
    }
}

int write_plot(const std::vector<Input>& inputs, const std::string& png_path, std::string& error) {
    unsigned metric = IRQLAB_METRIC_DEFERRAL;
    for (const Input& input : inputs)
        if (compare::plotted_metric(input.result) == IRQLAB_METRIC_END_TO_END)
            metric = IRQLAB_METRIC_END_TO_END;
    if (rows(inputs, metric).empty()) {
        error = "nothing to plot: no mechanism has samples";
        return 1;
    }
    return draw_png(
        [&](const std::string& terminal) {
            return plot_script(inputs, metric, terminal, png_path);
        },
        png_path, error);
}

} // namespace irqlab::cli::report
