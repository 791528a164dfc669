// Rendering of 'irqlab compare' results. Times come in nanoseconds and are
// shown in microseconds; JSON and CSV keep nanoseconds.
#include "compare_report.h"

#include "gnuplot.h"

#include <algorithm>
#include <array>
#include <fmt/format.h>
#include <string>
#include <utility>
#include <vector>

namespace irqlab::cli::compare {

namespace {

constexpr std::array<unsigned, IRQLAB_NR_PATHS> both_paths = {IRQLAB_PATH_ENGINE,
                                                              IRQLAB_PATH_NATIVE};

const char* scale_name(uint32_t scale) {
    return scale == IRQLAB_HIST_LOG2 ? "log2" : "linear";
}

// The quantiles JSON and CSV report, under the same names in both.
constexpr std::array<std::pair<const char*, double>, 4> reported_percentiles = {
    {{"p50_ns", 0.50}, {"p90_ns", 0.90}, {"p99_ns", 0.99}, {"p999_ns", 0.999}}};

// The CSV's columns after mechanism,path,metric: the 4 leading, the
// percentiles, the 6 trailing.
constexpr const char* csv_leading_columns = "count,min_ns,avg_ns,max_ns";
constexpr const char* csv_trailing_columns = "overflow,fired,received,hardirqs,runs,lost";
constexpr size_t csv_numeric_columns = 4 + reported_percentiles.size() + 6;

// Interrupts handed to the bottom halves that no run of their own served:
// merged into a run that was already pending.
int64_t signed_count(uint64_t n) {
    return static_cast<int64_t>(n);
}

int64_t coalesced_runs(const PathResult& path) {
    return signed_count(path.served) - signed_count(path.runs);
}

// --- table -------------------------------------------------------------

constexpr int metric_width = 12;
constexpr int time_width = 10;
constexpr int ratio_width = 8;

std::string run_length(const Parameters& p) {
    std::string text = p.count ? fmt::format("{} per path", p.count)
                               : fmt::format("{:g} s per path", p.duration_s);
    if (p.warmup)
        text += fmt::format(" (+{} warmup)", p.warmup);
    if (p.repeat > 1)
        text += fmt::format(" x{} repeats", p.repeat);
    return text;
}

void print_header(std::FILE* out, const Result& r) {
    const Parameters& p = r.params;
    const std::string rate = p.rate_hz ? fmt::format("{} Hz", p.rate_hz) : "back to back";
    const std::string cpu = p.cpu >= 0 ? fmt::format("CPU {}", p.cpu) : "vector affinity";
    const std::string firing = r.env.fired_from_cpu >= 0
                                   ? fmt::format("CPU {}", r.env.fired_from_cpu)
                               : r.env.fired_from_cpu == -1 ? "several CPUs"
                                                            : "none";
    fmt::print(out,
               "kernel {} | preemption {} | hypervisor {} | {} CPUs | device {} | trigger {} | "
               "{} | rate {} | placement {} | fired from {} | probe {}\n",
               r.env.kernel_release, r.env.preemption, r.env.hypervisor, r.env.cpus, p.device,
               p.trigger, run_length(p), rate, cpu, firing, p.probe);
}

void print_metric_header(std::FILE* out) {
    const int group = 3 * time_width;
    // Two blanks ahead of each group keep it over its right-aligned columns.
    fmt::print(out, "{:{}}  {:-^{}}  {:-^{}}  {:-^{}}\n", "", metric_width, " engine (us) ",
               group - 2, " native (us) ", group - 2, " engine/native ", 3 * ratio_width - 2);
    fmt::print(out, "  {:<{}}", "metric", metric_width - 2);
    for (int side = 0; side < 2; ++side)
        fmt::print(out, "{:>{}}{:>{}}{:>{}}", "p50", time_width, "p99", time_width, "max",
                   time_width);
    fmt::print(out, "{:>{}}{:>{}}{:>{}}\n", "p50", ratio_width, "p99", ratio_width, "max",
               ratio_width);
}

// The figures the table shows of a metric: p50, p99 and max (zeros when
// it has no samples).
std::array<uint64_t, 3> key_figures(const Histogram* h) {
    if (!h)
        return {};
    return {h->percentile_ns(0.50), h->percentile_ns(0.99), h->max_ns};
}

void print_metric_row(std::FILE* out, const MechanismResult& m, unsigned metric) {
    const Histogram* engine = measured(m.paths[IRQLAB_PATH_ENGINE], metric);
    const Histogram* native = measured(m.paths[IRQLAB_PATH_NATIVE], metric);
    const std::array<uint64_t, 3> engine_figures = key_figures(engine);
    const std::array<uint64_t, 3> native_figures = key_figures(native);
    fmt::print(out, "  {:<{}}", metric_name(metric), metric_width - 2);
    for (const auto& [side, figures] :
         {std::pair{engine, engine_figures}, {native, native_figures}}) {
        for (uint64_t ns : figures)
            fmt::print(out, "{:>{}}", side ? format_us(ns) : "-", time_width);
    }
    for (size_t i = 0; i < engine_figures.size(); ++i) {
        std::string cell = "-";
        if (engine && native && native_figures[i])
            cell = fmt::format("{:.2f}x", static_cast<double>(engine_figures[i]) /
                                              static_cast<double>(native_figures[i]));
        fmt::print(out, "{:>{}}", cell, ratio_width);
    }
    fmt::print(out, "\n");
}

// The columns add up on screen: fired - dev-merged + unexpected =
// received, handled - bh-merged = runs, and lost says what did not.
void print_accounting(std::FILE* out, const MechanismResult& m) {
    constexpr int width = time_width + 1;
    fmt::print(out, "  {:<{}}", "accounting", metric_width - 2);
    for (const char* column :
         {"fired", "dev-merged", "unexpected", "received", "handled", "runs", "bh-merged", "lost"})
        fmt::print(out, "{:>{}}", column, width);
    fmt::print(out, "\n");
    for (unsigned p : both_paths) {
        const PathResult& path = m.paths[p];
        if (!path.available)
            continue; // said under the mechanism's header already
        fmt::print(out, "  {:<{}}", path_name(p), metric_width - 2);
        for (const int64_t value : {signed_count(path.fired), signed_count(path.coalesced_triggers),
                                    signed_count(path.unexpected), signed_count(path.received),
                                    signed_count(path.hardirqs), signed_count(path.runs),
                                    coalesced_runs(path), path.lost})
            fmt::print(out, "{:>{}}", value, width);
        fmt::print(out, "\n");
    }
    for (unsigned p : both_paths) {
        const PathResult& path = m.paths[p];
        if (path.available && !path.accounting_note.empty())
            fmt::print(out, "  note ({}): {}\n", path_name(p), path.accounting_note);
    }
}

// --- histograms --------------------------------------------------------

constexpr unsigned bar_width = 40;

std::string bar(uint64_t count, uint64_t largest) {
    if (!count || !largest)
        return {};
    // Round, but keep a sample visible however small its share.
    const uint64_t length = std::max<uint64_t>(1, (count * bar_width + largest / 2) / largest);
    return std::string(std::min<uint64_t>(length, bar_width), '#');
}

void print_one_histogram(std::FILE* out, const std::string& title, const Histogram& h) {
    if (!h.count) {
        fmt::print(out, "{}: no samples\n", title);
        return;
    }
    fmt::print(out, "{}: {} samples, min {} us, avg {} us, max {} us\n", title, h.count,
               format_us(h.min_ns), format_us(static_cast<uint64_t>(h.avg_ns())),
               format_us(h.max_ns));
    uint64_t largest = h.overflow;
    size_t count_width = fmt::formatted_size("{}", h.overflow);
    for (uint64_t n : h.buckets) {
        largest = std::max(largest, n);
        count_width = std::max(count_width, fmt::formatted_size("{}", n));
    }
    std::vector<std::pair<std::string, uint64_t>> rows;
    for (unsigned i = 0; i < h.buckets.size(); ++i) {
        if (h.buckets[i])
            rows.emplace_back(fmt::format("[{}, {})", format_bound(h.bucket_low_ns(i)),
                                          format_bound(h.bucket_high_ns(i))),
                              h.buckets[i]);
    }
    // Always shown, so that an empty overflow says the layout was wide enough.
    const uint64_t overflow_from =
        h.buckets.empty() ? 0 : h.bucket_high_ns(static_cast<unsigned>(h.buckets.size() - 1));
    rows.emplace_back(fmt::format("[{}, inf)", format_bound(overflow_from)), h.overflow);
    size_t range_width = 0;
    for (const auto& [range, n] : rows)
        range_width = std::max(range_width, range.size());
    for (const auto& [range, n] : rows) {
        const std::string bars = bar(n, largest);
        fmt::print(out, "  {:>{}}  {:>{}}{}{}\n", range, range_width, n, count_width,
                   bars.empty() ? "" : "  ", bars);
    }
}

// --- JSON --------------------------------------------------------------

nlohmann::json config_json(const irqlab_hist_config& c) {
    return {{"scale", scale_name(c.scale)}, {"buckets", c.buckets}, {"width_ns", c.width_ns}};
}

nlohmann::json histogram_json(const Histogram& h) {
    nlohmann::json j = {{"count", h.count},
                        {"sum_ns", h.sum_ns},
                        {"min_ns", h.min_ns},
                        {"avg_ns", h.avg_ns()},
                        {"max_ns", h.max_ns},
                        {"overflow", h.overflow},
                        {"config", config_json(h.config)}};
    for (const auto& [name, q] : reported_percentiles)
        j[name] = h.percentile_ns(q);
    j["buckets"] = h.buckets;
    return j;
}

nlohmann::json metrics_json(const std::array<Histogram, IRQLAB_NR_METRICS>& metrics) {
    nlohmann::json j = nlohmann::json::object();
    for (unsigned metric = 0; metric < IRQLAB_NR_METRICS; ++metric)
        j[metric_name(metric)] = histogram_json(metrics[metric]);
    return j;
}

nlohmann::json path_json(const PathResult& path) {
    if (!path.available)
        return {{"available", false}, {"why_unavailable", path.why_unavailable}};
    nlohmann::json j = {{"available", true},
                        {"vector", path.vector},
                        {"accounting",
                         {{"fired", path.fired},
                          {"received", path.received},
                          {"arrivals", path.arrivals},
                          {"coalesced_triggers", path.coalesced_triggers},
                          {"unexpected", path.unexpected},
                          {"hardirqs", path.hardirqs},
                          {"served", path.served},
                          {"runs", path.runs},
                          {"ends", path.ends},
                          {"forced_threaded", path.forced_threaded},
                          {"coalesced", coalesced_runs(path)},
                          {"lost", path.lost},
                          {"note", path.accounting_note}}},
                        {"metrics", metrics_json(path.metrics)}};
    if (path.bpf)
        j["bpf"] = metrics_json(*path.bpf);
    return j;
}

// --- plot --------------------------------------------------------------

std::string plot_script(const Result& r, unsigned metric, const std::string& terminal,
                        const std::string& png_path) {
    // Columns: mechanism, engine p50, engine p99, native p50, native p99;
    // "-" where a path has no samples (gnuplot leaves a gap).
    std::string data;
    for (const MechanismResult& m : r.mechanisms) {
        data += m.name;
        for (unsigned p : both_paths) {
            const Histogram* h = measured(m.paths[p], metric);
            for (double q : {0.50, 0.99})
                data += latency_cell(h ? h->percentile_ns(q) : 0);
        }
        data += "\n";
    }
    const std::string title =
        fmt::format("irqlab compare: {} latency, engine vs native (Linux {}, preemption {}, "
                    "trigger {})",
                    metric_name(metric), r.env.kernel_release, r.env.preemption, r.params.trigger);
    return latency_bars_script(terminal, png_path, 1400, title, data,
                               {{"engine p50", "#9ecae1"},
                                {"engine p99", "#3182bd"},
                                {"native p50", "#fdae6b"},
                                {"native p99", "#e6550d"}});
}

// --probe bpf: whether the probes saw what the module saw, and what they
// cost (the module's numbers of the same phase without and with them).
void print_probes(std::FILE* out, const Result& r) {
    if (r.crosschecks.empty())
        return;
    fmt::print(out, "\nBPF probes (a second measured run with the probes attached)\n");
    fmt::print(out, "  {:<24}{:>8}   {:<26}{}\n", "mechanism", "agrees",
               "deferral p50 us w/o, with", "hardirq avg us w/o, with");
    for (size_t i = 0; i < r.crosschecks.size(); ++i) {
        const CrossCheck& c = r.crosschecks[i];
        const ProbeOverhead* o = i < r.overhead.size() ? &r.overhead[i] : nullptr;
        fmt::print(out, "  {:<24}{:>8}   ", o ? o->mechanism : c.mechanism,
                   c.agrees() ? "yes" : "NO");
        if (o)
            fmt::print(out, "{:>10.2f}, {:<14.2f}{:>10.2f}, {:.2f}", o->p50_without_ns / 1000.0,
                       o->p50_with_ns / 1000.0, o->hardirq_avg_without_ns / 1000.0,
                       o->hardirq_avg_with_ns / 1000.0);
        fmt::print(out, "\n");
        for (unsigned metric = 0; metric < IRQLAB_NR_METRICS; ++metric) {
            const CrossCheck::Metric& m = c.metrics[metric];
            if (!m.agrees)
                fmt::print(out, "    {}: module {} samples (p50 bucket {}), bpf {} ({})\n",
                           metric_name(metric), m.module_count, m.module_p50_bucket, m.bpf_count,
                           m.bpf_p50_bucket);
        }
    }
}

} // namespace

unsigned plotted_metric(const Result& r) {
    for (const MechanismResult& m : r.mechanisms) {
        for (unsigned p : both_paths) {
            if (measured(m.paths[p], IRQLAB_METRIC_END_TO_END))
                return IRQLAB_METRIC_END_TO_END;
        }
    }
    return IRQLAB_METRIC_DEFERRAL;
}

std::string format_us(uint64_t ns) {
    const double us = static_cast<double>(ns) / 1000.0;
    return us < 100.0 ? fmt::format("{:.2f}", us) : fmt::format("{:.1f}", us);
}

std::string format_bound(uint64_t ns) {
    if (ns < 1000)
        return fmt::format("{} ns", ns);
    const double n = static_cast<double>(ns);
    if (ns < 1000 * 1000)
        return fmt::format("{:.2f} us", n / 1e3);
    if (ns < 1000 * 1000 * 1000)
        return fmt::format("{:.2f} ms", n / 1e6);
    return fmt::format("{:.2f} s", n / 1e9);
}

void print_table(std::FILE* out, const Result& r) {
    print_header(out, r);
    for (const MechanismResult& m : r.mechanisms) {
        const PathResult& engine = m.paths[IRQLAB_PATH_ENGINE];
        const PathResult& native = m.paths[IRQLAB_PATH_NATIVE];
        fmt::print(out, "\n{}  (vectors: engine {}, native {})\n", m.name,
                   engine.available ? fmt::format("{}", engine.vector) : "-",
                   native.available ? fmt::format("{}", native.vector) : "-");
        for (unsigned p : both_paths) {
            if (!m.paths[p].available)
                fmt::print(out, "  {}: unavailable ({})\n", path_name(p),
                           m.paths[p].why_unavailable);
        }
        // PREEMPT_RT forces a native handler into a thread; the engine's
        // forced threading (on by default on RT) an engine one.
        for (unsigned p : both_paths) {
            const PathResult& side = m.paths[p];
            if (side.available && side.forced_threaded)
                fmt::print(out,
                           "  {}: handler forced into an irq thread for {} of {} interrupts "
                           "(docs/measuring.md, \"On PREEMPT_RT\")\n",
                           path_name(p), side.forced_threaded, side.hardirqs);
        }
        print_metric_header(out);
        for (unsigned metric = 0; metric < IRQLAB_NR_METRICS; ++metric)
            print_metric_row(out, m, metric);
        print_accounting(out, m);
    }
    print_probes(out, r);
}

void print_histograms(std::FILE* out, const Result& r, unsigned metric) {
    if (metric >= IRQLAB_NR_METRICS)
        return;
    for (const MechanismResult& m : r.mechanisms) {
        for (unsigned p : both_paths) {
            const PathResult& path = m.paths[p];
            const std::string title =
                fmt::format("{} {} {}", m.name, path_name(p), metric_name(metric));
            if (!path.available) {
                fmt::print(out, "{}: unavailable ({})\n", title, path.why_unavailable);
                continue;
            }
            print_one_histogram(out, title, path.metrics[metric]);
            if (path.bpf)
                print_one_histogram(out, title + " (bpf, the run with the probes)",
                                    (*path.bpf)[metric]);
        }
    }
}

nlohmann::json to_json(const Result& r) {
    const Parameters& p = r.params;
    nlohmann::json j;
    j["params"] = {{"device", p.device},         {"trigger", p.trigger}, {"count", p.count},
                   {"duration_s", p.duration_s}, {"rate_hz", p.rate_hz}, {"cpu", p.cpu},
                   {"warmup", p.warmup},         {"repeat", p.repeat},   {"probe", p.probe},
                   {"hist", config_json(p.hist)}};
    j["environment"] = {{"kernel_release", r.env.kernel_release}, {"preemption", r.env.preemption},
                        {"hypervisor", r.env.hypervisor},         {"cpus", r.env.cpus},
                        {"module_version", r.env.module_version}, {"timestamp", r.env.timestamp},
                        {"fired_from_cpu", r.env.fired_from_cpu}};
    j["mechanisms"] = nlohmann::json::array();
    for (const MechanismResult& m : r.mechanisms) {
        nlohmann::json paths = nlohmann::json::object();
        for (unsigned path : both_paths)
            paths[path_name(path)] = path_json(m.paths[path]);
        j["mechanisms"].push_back({{"mechanism", m.mechanism}, {"name", m.name}, {"paths", paths}});
    }
    j["overhead"] = nlohmann::json::array();
    for (const ProbeOverhead& o : r.overhead)
        j["overhead"].push_back({{"mechanism", o.mechanism},
                                 {"p50_without_ns", o.p50_without_ns},
                                 {"p50_with_ns", o.p50_with_ns},
                                 {"hardirq_avg_without_ns", o.hardirq_avg_without_ns},
                                 {"hardirq_avg_with_ns", o.hardirq_avg_with_ns}});
    j["crosschecks"] = nlohmann::json::array();
    for (const CrossCheck& c : r.crosschecks) {
        nlohmann::json metrics = nlohmann::json::object();
        for (unsigned metric = 0; metric < IRQLAB_NR_METRICS; ++metric) {
            const CrossCheck::Metric& m = c.metrics[metric];
            metrics[metric_name(metric)] = {{"module_count", m.module_count},
                                            {"bpf_count", m.bpf_count},
                                            {"module_p50_bucket", m.module_p50_bucket},
                                            {"bpf_p50_bucket", m.bpf_p50_bucket},
                                            {"agrees", m.agrees}};
        }
        j["crosschecks"].push_back({{"mechanism", c.mechanism},
                                    {"path", path_name(c.path)},
                                    {"agrees", c.agrees()},
                                    {"metrics", metrics}});
    }
    return j;
}

// The module's histograms only: the BPF probes' copies are in the JSON. An
// unavailable path still gets its rows, with the numbers left empty, so
// that every run has mechanisms x 2 x 5 rows.
void write_csv(std::FILE* out, const Result& r) {
    fmt::print(out, "mechanism,path,metric,{}", csv_leading_columns);
    for (const auto& [name, q] : reported_percentiles)
        fmt::print(out, ",{}", name);
    fmt::print(out, ",{}\n", csv_trailing_columns);
    for (const MechanismResult& m : r.mechanisms) {
        for (unsigned p : both_paths) {
            const PathResult& path = m.paths[p];
            for (unsigned metric = 0; metric < IRQLAB_NR_METRICS; ++metric) {
                fmt::print(out, "{},{},{}", m.name, path_name(p), metric_name(metric));
                if (!path.available) {
                    fmt::print(out, "{}\n", std::string(csv_numeric_columns, ','));
                    continue;
                }
                const Histogram& h = path.metrics[metric];
                fmt::print(out, ",{},{},{:.1f},{}", h.count, h.min_ns, h.avg_ns(), h.max_ns);
                for (const auto& [name, q] : reported_percentiles)
                    fmt::print(out, ",{}", h.percentile_ns(q));
                fmt::print(out, ",{},{},{},{},{},{}\n", h.overflow, path.fired, path.received,
                           path.hardirqs, path.runs, path.lost);
            }
        }
    }
}

int write_plot(const Result& r, const std::string& png_path, std::string& error) {
    const unsigned metric = plotted_metric(r);
    const bool any = std::any_of(r.mechanisms.begin(), r.mechanisms.end(), [&](const auto& m) {
        return measured(m.paths[IRQLAB_PATH_ENGINE], metric) ||
               measured(m.paths[IRQLAB_PATH_NATIVE], metric);
    });
    if (!any) {
        error = "nothing to plot: no mechanism has samples";
        return 1;
    }
    return draw_png(
        [&](const std::string& terminal) { return plot_script(r, metric, terminal, png_path); },
        png_path, error);
}

} // namespace irqlab::cli::compare
