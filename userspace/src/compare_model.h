// What `irqlab compare` measured: the data its reports render (table, text
// histograms, JSON, CSV, plot). Filled by compare_run.cpp from the module's
// histograms and counters, and, with --probe bpf, from the BPF probes.
#pragma once

#include "irqlab/uapi.h"

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace irqlab::cli::compare {

// One histogram in the module's layout (struct irqlab_hist), summed over
// the CPUs it was read for.
struct Histogram {
    irqlab_hist_config config{};
    uint64_t count = 0;
    uint64_t sum_ns = 0;
    uint64_t min_ns = 0;
    uint64_t max_ns = 0;
    uint64_t overflow = 0;
    std::vector<uint64_t> buckets; // config.buckets entries

    double avg_ns() const { return count ? static_cast<double>(sum_ns) / count : 0.0; }
    // The q-quantile (0 < q <= 1), interpolated linearly within the bucket
    // that holds it (its bounds narrowed to min_ns and max_ns); max_ns when
    // it falls in the overflow; 0 when empty.
    uint64_t percentile_ns(double q) const;
    // The bucket holding the q-quantile: 0..buckets-1, or buckets for the
    // overflow; -1 when empty.
    int percentile_bucket(double q) const;
    // Lower and upper bound of bucket i.
    uint64_t bucket_low_ns(unsigned i) const;
    uint64_t bucket_high_ns(unsigned i) const;

private:
    struct Rank {
        uint64_t wanted = 0; // the quantile's sample, 1..count
        unsigned bucket = 0; // the bucket holding it; buckets.size(): overflow
        uint64_t before = 0; // samples in the buckets below
    };
    Rank rank_of(double q) const;
};

Histogram from_uapi(const irqlab_hist& hist);

// What one path (engine or native) of one mechanism did in one run.
struct PathResult {
    bool available = true; // false: the kernel lacks the mechanism
    std::string why_unavailable;
    unsigned vector = 0; // the MSI-X index used
    // Accounting (struct irqlab_counters and struct irqlab_mech_stats).
    uint64_t fired = 0;              // triggers issued
    uint64_t received = 0;           // arrivals at irqlab's hardirq handler (whole run)
    uint64_t arrivals = 0;           // ... of them, while the mechanism was attached
    uint64_t coalesced_triggers = 0; // triggers merged before arrival
    uint64_t unexpected = 0;         // arrivals with no trigger in flight (no loss)
    uint64_t hardirqs = 0;           // t1
    uint64_t served = 0;             // interrupts taken over by bottom halves
    uint64_t runs = 0;               // t2
    uint64_t ends = 0;               // t3
    uint64_t forced_threaded = 0;    // native t1s in an irq thread (PREEMPT_RT)
    int64_t lost = 0;                // events not accounted for (0 when exact)
    std::string accounting_note;     // where the accounting did not add up
    std::array<Histogram, IRQLAB_NR_METRICS> metrics{};
    // Per metric, the BPF probes' histogram of the same events (--probe bpf).
    std::optional<std::array<Histogram, IRQLAB_NR_METRICS>> bpf;
};

struct MechanismResult {
    unsigned mechanism = 0;                          // enum irqlab_mechanism
    std::string name;                                // "tasklet", "wq-system", ...
    std::array<PathResult, IRQLAB_NR_PATHS> paths{}; // [IRQLAB_PATH_ENGINE], [..._NATIVE]
    int fired_from_cpu = -2; // the run thread's CPU; -1: several; -2: no run
};

struct Parameters {
    std::string device;    // BDF
    std::string trigger;   // device|ipi|external
    uint64_t count = 0;    // per mechanism and path (0 with duration)
    double duration_s = 0; // 0 with count
    unsigned rate_hz = 0;  // 0: back to back
    int cpu = -1;          // -1: where the vectors' affinity says
    uint64_t warmup = 0;
    unsigned repeat = 1;
    std::string probe; // "module" or "bpf"
    irqlab_hist_config hist{};
};

struct Environment {
    std::string kernel_release;
    std::string preemption; // none|voluntary|full|rt|dynamic (...)
    std::string hypervisor; // hypervisor(): none|kvm|tcg|...; "unknown" in older results
    unsigned cpus = 0;
    std::string module_version;
    std::string timestamp; // ISO 8601, UTC
    // The CPU every measured run fired from; -1 when they moved between
    // CPUs, -2 when nothing was fired.
    int fired_from_cpu = -2;
};

// The CPU two sets of runs fired from, each as fired_from_cpu above.
inline int merge_firing_cpu(int a, int b) {
    if (a == -2)
        return b;
    if (b == -2)
        return a;
    return a == b ? a : -1;
}

// The BPF probes' overhead: the same run with and without them.
struct ProbeOverhead {
    std::string mechanism;
    double p50_without_ns = 0;
    double p50_with_ns = 0;
    double hardirq_avg_without_ns = 0;
    double hardirq_avg_with_ns = 0;
};

// The module's and the BPF probes' histograms of the same run: counts must
// agree exactly, p50 within one bucket.
struct CrossCheck {
    std::string mechanism;
    unsigned path = 0;
    struct Metric {
        uint64_t module_count = 0;
        uint64_t bpf_count = 0;
        int module_p50_bucket = -1;
        int bpf_p50_bucket = -1;
        bool agrees = false;
    };
    std::array<Metric, IRQLAB_NR_METRICS> metrics{};

    bool agrees() const {
        for (const Metric& m : metrics)
            if (!m.agrees)
                return false;
        return true;
    }
};

CrossCheck cross_check(const std::string& mechanism, unsigned path,
                       const std::array<Histogram, IRQLAB_NR_METRICS>& module,
                       const std::array<Histogram, IRQLAB_NR_METRICS>& bpf);

struct Result {
    Parameters params;
    Environment env;
    std::vector<MechanismResult> mechanisms;
    std::vector<ProbeOverhead> overhead; // --probe bpf only
    std::vector<CrossCheck> crosschecks; // --probe bpf only
};

inline const char* metric_name(unsigned metric) {
    static constexpr const char* names[IRQLAB_NR_METRICS] = {"delivery", "deferral", "runtime",
                                                             "end-to-end", "hardirq"};
    return metric < IRQLAB_NR_METRICS ? names[metric] : "?";
}

inline const char* path_name(unsigned path) {
    return path == IRQLAB_PATH_ENGINE ? "engine" : "native";
}

// A metric of one path that has numbers to show; null when the path is
// unavailable or the metric has no samples.
inline const Histogram* measured(const PathResult& path, unsigned metric) {
    const Histogram& h = path.metrics[metric];
    return path.available && h.count ? &h : nullptr;
}

} // namespace irqlab::cli::compare
