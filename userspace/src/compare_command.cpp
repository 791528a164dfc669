// irqlab compare --device BDF [--mechanism M ...] [--trigger T]
//                [--count N | --duration S] [--rate HZ] [--cpu N]
//                [--warmup N] [--repeat N] [--hist SCALE:WIDTH_NS:BUCKETS]
//                [--probe module|bpf] [--histograms METRIC] [--max-p99 US]
//                [--json | --csv] [--plot FILE.png] [--save PREFIX]
//
// Exit status: 0 ran fine, 3 events lost, 4 a p99 above --max-p99,
// 1 error, 2 usage (commands.h).
//
// Everything compare attaches or starts (mechanisms, engine lines, its
// histograms, firing runs) belongs to its open /dev/irqlab: the module
// undoes it when the process ends, however it ends (kill -9 too). Only the
// claim outlives it. Compares on different devices run at the same time.
#include "commands.h"
#include "compare_report.h"
#include "compare_run.h"
#include "device.h"
#include "fire_run.h"

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fmt/format.h>
#include <memory>

namespace irqlab::cli {

namespace {

struct CompareOptions {
    compare::RunOptions run;
    std::vector<std::string> mechanisms;
    std::string hist = "log2:1000:32";
    std::string histograms; // metric name, or empty
    double max_p99_us = 0;
    bool json = false;
    bool csv = false;
    std::string plot;
    std::string save; // PREFIX.json, PREFIX.csv, PREFIX.png
};

void save(const compare::Result& result, const std::string& prefix) {
    write_file(prefix + ".json", compare::to_json(result).dump(2) + "\n");
    char* csv = nullptr;
    size_t size = 0;
    std::FILE* memory = open_memstream(&csv, &size);
    if (!memory)
        throw Error{"out of memory"};
    compare::write_csv(memory, result);
    std::fclose(memory);
    const std::string text{csv, size};
    std::free(csv);
    write_file(prefix + ".csv", text);
    std::string error;
    if (compare::write_plot(result, prefix + ".png", error) != 0)
        throw Error{fmt::format("{}.png: {}", prefix, error)};
}

irqlab_hist_config parse_hist(const std::string& spec) {
    unsigned long long width = 0;
    unsigned buckets = 0;
    char scale[8] = {};
    if (std::sscanf(spec.c_str(), "%7[a-z0-9]:%llu:%u", scale, &width, &buckets) != 3)
        throw Error{fmt::format("--hist '{}': expected log2|linear:WIDTH_NS:BUCKETS", spec)};
    irqlab_hist_config config{};
    const std::string name = scale;
    if (name == "log2")
        config.scale = IRQLAB_HIST_LOG2;
    else if (name == "linear")
        config.scale = IRQLAB_HIST_LINEAR;
    else
        throw Error{fmt::format("--hist '{}': the scale is log2 or linear", spec)};
    if (!width || !buckets || buckets > IRQLAB_HIST_MAX_BUCKETS)
        throw Error{
            fmt::format("--hist '{}': width >= 1 ns, 1-{} buckets", spec, IRQLAB_HIST_MAX_BUCKETS)};
    config.width_ns = width;
    config.buckets = buckets;
    return config;
}

// The mechanisms' worst p99 of end-to-end time (deferral where no trigger
// time is known), against --max-p99.
bool over_threshold(const compare::Result& result, double max_p99_us) {
    if (max_p99_us <= 0)
        return false;
    for (const compare::MechanismResult& mechanism : result.mechanisms) {
        for (const compare::PathResult& path : mechanism.paths) {
            if (!path.available)
                continue;
            const compare::Histogram& e2e = path.metrics[IRQLAB_METRIC_END_TO_END];
            const compare::Histogram& latency =
                e2e.count ? e2e : path.metrics[IRQLAB_METRIC_DEFERRAL];
            if (latency.count && latency.percentile_ns(0.99) > max_p99_us * 1000.0)
                return true;
        }
    }
    return false;
}

int exit_status(const compare::Result& result, const CompareOptions& opts) {
    bool lost = false;
    for (const compare::MechanismResult& mechanism : result.mechanisms)
        for (const compare::PathResult& path : mechanism.paths)
            lost = lost || (path.available && path.lost != 0);
    for (const compare::CrossCheck& check : result.crosschecks)
        lost = lost || !check.agrees();
    if (lost)
        return exit_events_lost;
    return over_threshold(result, opts.max_p99_us) ? exit_threshold_exceeded : exit_ok;
}

} // namespace

void write_file(const std::string& path, const std::string& text) {
    std::FILE* file = std::fopen(path.c_str(), "w");
    const bool ok = file && std::fputs(text.c_str(), file) >= 0;
    if (file && std::fclose(file) != 0)
        throw Error{fmt::format("cannot write {}: {}", path, std::strerror(errno))};
    if (!ok)
        throw Error{fmt::format("cannot write {}: {}", path, std::strerror(errno))};
}

void add_compare_command(CLI::App& app, int& status) {
    auto opts = std::make_shared<CompareOptions>();
    compare::Parameters& params = opts->run.params;
    params.count = 1000;
    params.warmup = 100;
    params.probe = "module";

    auto* cmd = app.add_subcommand(
        "compare", "Fire real interrupts through each mechanism, engine and native side by "
                   "side. What it attaches and starts is undone when it ends, however it "
                   "ends; the device stays claimed");
    cmd->add_option("--device", params.device, "PCI address of a claimed device")->required();
    cmd->add_option("--mechanism", opts->mechanisms,
                    "Mechanism(s) to compare (default: every one the kernel offers)");
    cmd->add_option("--trigger", params.trigger,
                    "device | ipi | external (default: device "
                    "when the device can, else ipi)")
        ->check(CLI::IsMember({"device", "ipi", "external"}));
    auto* count = cmd->add_option("--count", params.count, "Interrupts per path (default 1000)")
                      ->check(CLI::Range(uint64_t{1}, uint64_t{IRQLAB_MAX_COUNT}));
    cmd->add_option("--duration", params.duration_s, "Seconds per mechanism instead of a count")
        ->check(CLI::Range(0.1, 3600.0))
        ->excludes(count);
    cmd->add_option("--rate", params.rate_hz, "Interrupts per second (default: back to back)");
    // Checked against the module's nr_cpu_ids once it is open.
    cmd->add_option("--cpu", params.cpu, "Point both vectors at this CPU")
        ->check(CLI::NonNegativeNumber);
    cmd->add_option("--warmup", params.warmup, "Interrupts per path before measuring (100)");
    cmd->add_option("--repeat", params.repeat, "Measured runs per mechanism (1)")
        ->check(CLI::Range(1u, 1000u));
    cmd->add_option("--engine-vector", opts->run.engine_vector, "The engine path's vector (0)")
        ->check(CLI::Range(0, IRQLAB_MAX_VECTORS - 1));
    cmd->add_option("--native-vector", opts->run.native_vector, "Native path's vector (1)")
        ->check(CLI::Range(0, IRQLAB_MAX_VECTORS - 1));
    cmd->add_option("--hist", opts->hist,
                    "Histogram layout SCALE:WIDTH_NS:BUCKETS "
                    "(log2:1000:32)");
    cmd->add_option("--probe", params.probe,
                    "module (in-module histograms) | bpf (also "
                    "the BPF probes, cross-checked)")
        ->check(CLI::IsMember({"module", "bpf"}));
    cmd->add_option("--histograms", opts->histograms,
                    "Also print text histograms of one metric (e.g. deferral)");
    cmd->add_option("--max-p99", opts->max_p99_us,
                    "Exit 4 when a p99 end-to-end (or deferral) exceeds this many us");
    auto* json = cmd->add_flag("--json", opts->json, "Print JSON instead of the table");
    cmd->add_flag("--csv", opts->csv, "Print CSV instead of the table")->excludes(json);
    cmd->add_option("--plot", opts->plot, "Draw p50/p99 per mechanism into this PNG (gnuplot)");
    cmd->add_option("--save", opts->save,
                    "Also write PREFIX.json, PREFIX.csv and PREFIX.png (e.g. results/run)");
    cmd->add_flag(
        "--quiet", [opts](int64_t) { opts->run.progress = false; }, "No progress lines on stderr");

    cmd->callback([opts, &status] {
        compare::Parameters& p = opts->run.params;
        if (opts->run.engine_vector == opts->run.native_vector)
            throw Error{"the engine and the native path need two different vectors"};
        p.hist = parse_hist(opts->hist);
        for (const std::string& name : opts->mechanisms)
            opts->run.mechanisms.push_back(compare::mechanism_id(name));
        const unsigned histogram_metric = opts->histograms.empty()
                                              ? unsigned{IRQLAB_NR_METRICS}
                                              : compare::metric_id(opts->histograms);

        const Device module;
        if (p.cpu >= 0 && static_cast<unsigned>(p.cpu) >= module.nr_cpus())
            throw Error{fmt::format("CPU {} is out of range (0-{})", p.cpu, module.nr_cpus() - 1)};
        const VectorInfo info = module.vector_info(p.device, opts->run.engine_vector);
        if (opts->run.native_vector >= info.nr_vectors)
            throw Error{fmt::format("{} has {} vectors; --native-vector {} is out of range",
                                    p.device, info.nr_vectors, opts->run.native_vector)};
        if (p.trigger.empty())
            p.trigger =
                (info.triggers & IRQLAB_TRIGGER_BIT(IRQLAB_TRIGGER_DEVICE)) ? "device" : "ipi";
        if (p.duration_s > 0)
            p.count = 0;

        const compare::Result result = compare::run(module, opts->run);
        if (opts->json)
            fmt::print("{}\n", compare::to_json(result).dump(2));
        else if (opts->csv)
            compare::write_csv(stdout, result);
        else
            compare::print_table(stdout, result);
        if (histogram_metric < IRQLAB_NR_METRICS && !opts->json && !opts->csv)
            compare::print_histograms(stdout, result, histogram_metric);
        if (!opts->save.empty())
            save(result, opts->save);
        if (!opts->plot.empty()) {
            std::string error;
            if (compare::write_plot(result, opts->plot, error) != 0)
                throw Error{fmt::format("--plot {}: {}", opts->plot, error)};
        }
        status = exit_status(result, *opts);
        if (status == exit_events_lost)
            fmt::print(stderr, "irqlab: events lost or probes disagree (see the accounting)\n");
        else if (status == exit_threshold_exceeded)
            fmt::print(stderr, "irqlab: a p99 exceeded --max-p99 {} us\n", opts->max_p99_us);
    });
}

} // namespace irqlab::cli
