// How `irqlab compare` runs one mechanism (docs/measuring.md):
//
//   1. attach the mechanism to the engine on one vector and natively on
//      another (a native mechanism the kernel lacks is reported, not faked);
//   2. warm up: fire, then detach, so pools and caches are warm but no
//      sample of the warm-up is kept;
//   3. empty the histograms and counters, attach again, fire both vectors
//      in one run (round robin, so both paths see the same conditions),
//      flush, read the engine line, detach (which drains), read it all;
//   4. with --probe bpf, run step 3 twice, without and with the probes:
//      the first gives the results, the second the cross-check and the
//      probes' overhead.
#include "compare_run.h"

#include "accounting.h"
#include "bpf_probe.h"
#include "compare_reconcile.h"
#include "fire_run.h"
#include "hypervisor.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <fmt/format.h>
#include <fstream>
#include <sys/utsname.h>
#include <unistd.h>

namespace irqlab::cli::compare {

namespace {

const std::vector<MechanismInfo> all_mechanisms = {
    {IRQLAB_MECH_SOFTIRQ, "softirq", "TASKLET_SOFTIRQ, raise to entry"},
    {IRQLAB_MECH_TASKLET, "tasklet", "tasklet_schedule()"},
    {IRQLAB_MECH_TASKLET_HI, "tasklet-hi", "tasklet_hi_schedule()"},
    {IRQLAB_MECH_WQ_SYSTEM, "wq-system", "queue_work() on system_wq"},
    {IRQLAB_MECH_WQ_HIGHPRI, "wq-highpri", "queue_work() on system_highpri_wq"},
    {IRQLAB_MECH_WQ_UNBOUND, "wq-unbound", "queue_work() on system_unbound_wq"},
    {IRQLAB_MECH_WQ_PERCPU, "wq-percpu", "queue_work() on a per-CPU workqueue"},
    {IRQLAB_MECH_WQ_ORDERED, "wq-ordered", "queue_work() on an ordered workqueue"},
    {IRQLAB_MECH_WQ_BH, "wq-bh", "queue_work() on system_bh_wq (Linux 6.9+)"},
    {IRQLAB_MECH_THREAD, "thread", "request_threaded_irq()"},
    {IRQLAB_MECH_THREAD_ONESHOT, "thread-oneshot", "request_threaded_irq(), IRQF_ONESHOT"},
};

Bitmap one(unsigned vector) {
    return Bitmap::of({vector});
}

// Detaches what it attached when it goes, also on an exception.
class Attachment {
public:
    Attachment(const Device& module, std::string bdf) : module_{module}, bdf_{std::move(bdf)} {}
    ~Attachment() {
        try {
            detach();
        } catch (const Error&) {
            // Already failing: the first error is the one to report.
        }
    }
    Attachment(const Attachment&) = delete;
    Attachment& operator=(const Attachment&) = delete;

    // False when the native kernel lacks the mechanism.
    bool attach(unsigned vector, unsigned mechanism, unsigned path) {
        irqlab_mech_attach request{};
        copy_bdf(request.bdf, bdf_);
        request.mechanism = mechanism;
        request.path = path;
        if (!module_.mech_attach(request, one(vector)))
            return false;
        vectors_.set(vector);
        return true;
    }
    void detach() {
        if (!vectors_.empty())
            module_.mech_detach(bdf_, std::exchange(vectors_, Bitmap{}));
    }
    const Bitmap& vectors() const { return vectors_; }

private:
    const Device& module_;
    std::string bdf_;
    Bitmap vectors_;
};

// Attaches both paths; marks the native one unavailable when it must.
void attach_paths(Attachment& attachment, const RunOptions& options, MechanismResult& result) {
    PathResult& engine = result.paths[IRQLAB_PATH_ENGINE];
    PathResult& native = result.paths[IRQLAB_PATH_NATIVE];
    if (!attachment.attach(engine.vector, result.mechanism, IRQLAB_PATH_ENGINE)) {
        engine.available = false;
        engine.why_unavailable = "the engine refused it";
    }
    if (!attachment.attach(native.vector, result.mechanism, IRQLAB_PATH_NATIVE)) {
        native.available = false;
        native.why_unavailable = result.mechanism == IRQLAB_MECH_WQ_BH
                                     ? "this kernel has no BH workqueues (Linux 6.9+)"
                                     : "this kernel lacks it (see dmesg for the reason)";
    }
    (void)options;
}

irqlab_run_status fire(const Device& module, const Parameters& params, const Bitmap& vectors,
                       uint64_t count) {
    irqlab_fire request{};
    copy_bdf(request.bdf, params.device);
    request.trigger = trigger_names().at(params.trigger);
    request.rate_hz = params.rate_hz;
    request.cpu = params.cpu;
    std::optional<std::chrono::steady_clock::time_point> stop_at;
    if (params.duration_s > 0) {
        request.count = IRQLAB_MAX_COUNT;
        stop_at = std::chrono::steady_clock::now() +
                  std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                      std::chrono::duration<double>(params.duration_s));
    } else {
        request.count = count;
    }
    module.fire(request, vectors);
    const irqlab_run_status done = wait_for_run(module, params.device, stop_at);
    if (run_interrupted())
        throw Error{"interrupted: the run was stopped and the vectors detached"};
    if (done.state == IRQLAB_RUN_FAILED)
        throw Error{fmt::format("the firing run failed: {}", std::strerror(-done.error))};
    return done;
}

// The module's histograms of one path and, with the probes, theirs.
void read_histograms(const Device& module, unsigned mechanism, unsigned path, bpf::Probe* probe,
                     PathResult& side) {
    for (unsigned metric = 0; metric < IRQLAB_NR_METRICS; ++metric)
        side.metrics[metric] = from_uapi(module.hist_read(mechanism, path, metric, -1));
    if (probe) {
        std::array<Histogram, IRQLAB_NR_METRICS> seen;
        for (unsigned metric = 0; metric < IRQLAB_NR_METRICS; ++metric)
            seen[metric] = from_uapi(probe->read(path, mechanism, metric));
        side.bpf = seen;
    }
}

void record_accounting(const PhaseCounters& counted, PathResult& side) {
    side.fired = counted.triggers.fired;
    side.received = counted.triggers.received;
    side.coalesced_triggers = counted.triggers.coalesced + counted.triggers.busy;
    side.unexpected = counted.triggers.unexpected;
    side.arrivals = counted.stages.arrivals;
    side.hardirqs = counted.stages.hardirqs;
    side.served = counted.stages.served;
    side.runs = counted.stages.runs;
    side.ends = counted.stages.ends;
    side.forced_threaded = counted.stages.forced_threaded;
    const Reconciliation reconciled = reconcile(counted);
    side.lost = reconciled.lost;
    side.accounting_note = reconciled.note();
}

// The measured phase: one run (or 'repeat' runs) over both vectors.
void measured_phase(const Device& module, const RunOptions& options, MechanismResult& result,
                    bpf::Probe* probe) {
    const Parameters& params = options.params;
    module.hist_config(params.hist);
    module.reset(params.device);
    if (probe)
        probe->reset();
    Attachment attachment{module, params.device};
    attach_paths(attachment, options, result);
    if (attachment.vectors().empty())
        return;
    for (unsigned i = 0; i < params.repeat; ++i) {
        const irqlab_run_status done = fire(module, params, attachment.vectors(), params.count);
        result.fired_from_cpu = merge_firing_cpu(result.fired_from_cpu, done.fired_from_cpu);
    }
    std::array<PhaseCounters, IRQLAB_NR_PATHS> counted{};
    const PathResult& engine = result.paths[IRQLAB_PATH_ENGINE];
    if (engine.available) {
        // Everything deferred has run; the line's latched arrivals and
        // replays complete its accounting, read before detaching ends it.
        module.engine_flush(params.device, one(engine.vector));
        if (const auto line = module.engine_line(params.device, engine.vector)) {
            counted[IRQLAB_PATH_ENGINE].pending_arrivals = line->pending_arrivals;
            counted[IRQLAB_PATH_ENGINE].replays = line->replays;
            if (line->flags & IRQLAB_LINE_THREAD_FORCED)
                counted[IRQLAB_PATH_ENGINE].merged_wakeups = line->thread_merged;
        }
    }
    attachment.detach();

    for (unsigned path = 0; path < IRQLAB_NR_PATHS; ++path) {
        PathResult& side = result.paths[path];
        if (!side.available)
            continue;
        counted[path].triggers = VectorTotals{module.stats(params.device, side.vector).cpu}.sum;
        counted[path].triggers_counted = params.trigger != "external";
        counted[path].stages = module.mech_stats(params.device, side.vector);
        read_histograms(module, result.mechanism, path, probe, side);
        record_accounting(counted[path], side);
    }
}

MechanismResult run_mechanism(const Device& module, const RunOptions& options,
                              const MechanismInfo& info, Result& result) {
    const Parameters& params = options.params;
    MechanismResult mr;
    mr.mechanism = info.id;
    mr.name = info.name;
    mr.paths[IRQLAB_PATH_ENGINE].vector = options.engine_vector;
    mr.paths[IRQLAB_PATH_NATIVE].vector = options.native_vector;

    if (params.warmup > 0) {
        if (options.progress)
            fmt::print(stderr, "compare: {}: warm-up, {} per vector\n", info.name, params.warmup);
        Attachment attachment{module, params.device};
        attach_paths(attachment, options, mr);
        Parameters warmup = params;
        warmup.duration_s = 0;
        if (!attachment.vectors().empty() && params.trigger != "external")
            fire(module, warmup, attachment.vectors(), params.warmup);
    }
    if (options.progress)
        fmt::print(stderr, "compare: {}: measuring\n", info.name);
    if (params.probe != "bpf") {
        measured_phase(module, options, mr, nullptr);
        return mr;
    }

    // Without the probes: the results; with them: the cross-check.
    measured_phase(module, options, mr, nullptr);
    MechanismResult probed = mr;
    std::vector<bpf::VectorLabel> labels;
    for (unsigned path = 0; path < IRQLAB_NR_PATHS; ++path) {
        const unsigned vector = mr.paths[path].vector;
        labels.push_back({vector, path, info.id,
                          static_cast<int>(module.vector_info(params.device, vector).irq)});
    }
    std::string error;
    const std::unique_ptr<bpf::Probe> probe = bpf::Probe::open(params.hist, labels, error);
    if (!probe)
        throw Error{fmt::format("--probe bpf: {}", error)};
    measured_phase(module, options, probed, probe.get());
    for (unsigned path = 0; path < IRQLAB_NR_PATHS; ++path) {
        mr.paths[path].bpf = probed.paths[path].bpf;
        if (!probed.paths[path].available)
            continue;
        const auto& without = mr.paths[path].metrics;
        const auto& with = probed.paths[path].metrics;
        ProbeOverhead overhead;
        overhead.mechanism =
            fmt::format("{} {}", info.name, path == IRQLAB_PATH_ENGINE ? "engine" : "native");
        overhead.p50_without_ns =
            static_cast<double>(without[IRQLAB_METRIC_DEFERRAL].percentile_ns(0.5));
        overhead.p50_with_ns = static_cast<double>(with[IRQLAB_METRIC_DEFERRAL].percentile_ns(0.5));
        overhead.hardirq_avg_without_ns = without[IRQLAB_METRIC_HARDIRQ].avg_ns();
        overhead.hardirq_avg_with_ns = with[IRQLAB_METRIC_HARDIRQ].avg_ns();
        result.overhead.push_back(overhead);
        result.crosschecks.push_back(cross_check(info.name, path, with, *probed.paths[path].bpf));
    }
    return mr;
}

std::string read_first_line(const char* path) {
    std::ifstream in{path};
    std::string line;
    std::getline(in, line);
    return line;
}

// "rt" where /sys/kernel/realtime says 1 (PREEMPT_RT, 6.12 and later
// mainline; Debian's RT kernels have it too), "full", "voluntary", "none"
// (dynamic: the one in parentheses), or what uname -v says.
std::string preemption_model() {
    if (read_first_line("/sys/kernel/realtime") == "1")
        return "rt";
    const std::string dynamic = read_first_line("/sys/kernel/debug/sched/preempt");
    if (const auto open = dynamic.find('('); open != std::string::npos) {
        const auto close = dynamic.find(')', open);
        return fmt::format("{} (dynamic)", dynamic.substr(open + 1, close - open - 1));
    }
    utsname names{};
    uname(&names);
    const std::string version = names.version;
    if (version.find("PREEMPT_RT") != std::string::npos)
        return "rt";
    if (version.find("PREEMPT_DYNAMIC") != std::string::npos)
        return "dynamic";
    if (version.find("PREEMPT") != std::string::npos)
        return "full";
    return "none or voluntary";
}

Environment environment(const Device& module) {
    Environment env;
    utsname names{};
    uname(&names);
    env.kernel_release = names.release;
    env.preemption = preemption_model();
    env.hypervisor = hypervisor();
    env.cpus = static_cast<unsigned>(sysconf(_SC_NPROCESSORS_ONLN));
    env.module_version = module.version().module_version;
    const std::time_t now = std::time(nullptr);
    char stamp[32];
    std::strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&now));
    env.timestamp = stamp;
    return env;
}

} // namespace

CrossCheck cross_check(const std::string& mechanism, unsigned path,
                       const std::array<Histogram, IRQLAB_NR_METRICS>& module,
                       const std::array<Histogram, IRQLAB_NR_METRICS>& bpf) {
    CrossCheck check;
    check.mechanism = mechanism;
    check.path = path;
    for (unsigned metric = 0; metric < IRQLAB_NR_METRICS; ++metric) {
        CrossCheck::Metric& m = check.metrics[metric];
        m.module_count = module[metric].count;
        m.bpf_count = bpf[metric].count;
        m.module_p50_bucket = module[metric].percentile_bucket(0.5);
        m.bpf_p50_bucket = bpf[metric].percentile_bucket(0.5);
        const int distance = m.module_p50_bucket - m.bpf_p50_bucket;
        m.agrees = m.module_count == m.bpf_count && distance >= -1 && distance <= 1;
    }
    return check;
}

const std::vector<MechanismInfo>& mechanisms() {
    return all_mechanisms;
}

unsigned mechanism_id(const std::string& name) {
    std::string names;
    for (const MechanismInfo& info : all_mechanisms) {
        if (name == info.name)
            return info.id;
        names += names.empty() ? info.name : fmt::format(", {}", info.name);
    }
    throw Error{fmt::format("unknown mechanism '{}'; one of: {}", name, names)};
}

unsigned metric_id(const std::string& name) {
    for (unsigned metric = 0; metric < IRQLAB_NR_METRICS; ++metric)
        if (name == metric_name(metric))
            return metric;
    throw Error{fmt::format("unknown metric '{}': delivery, deferral, runtime, end-to-end or "
                            "hardirq",
                            name)};
}

const char* mechanism_name(unsigned id) {
    for (const MechanismInfo& info : all_mechanisms)
        if (info.id == id)
            return info.name;
    return "?";
}

Result run(const Device& module, const RunOptions& options) {
    Result result;
    result.params = options.params;
    result.env = environment(module);
    for (const MechanismInfo& info : all_mechanisms) {
        const bool chosen = options.mechanisms.empty() ||
                            std::find(options.mechanisms.begin(), options.mechanisms.end(),
                                      info.id) != options.mechanisms.end();
        if (chosen) {
            result.mechanisms.push_back(run_mechanism(module, options, info, result));
            result.env.fired_from_cpu = merge_firing_cpu(result.env.fired_from_cpu,
                                                         result.mechanisms.back().fired_from_cpu);
        }
    }
    return result;
}

} // namespace irqlab::cli::compare
