// Compare results made by hand for the report tests: histograms in a
// given layout filled sample by sample, and one Result with an
// unavailable path, an accounting note and BPF copies.
#pragma once

#include "userspace/src/compare_model.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <string>

namespace irqlab::cli::compare {

inline Histogram layout(uint32_t scale, uint32_t buckets, uint64_t width_ns) {
    Histogram h;
    h.config = {scale, buckets, width_ns};
    h.buckets.assign(buckets, 0);
    return h;
}

// Adds 'n' samples of 'ns' (each in its bucket, or the overflow).
inline void add(Histogram& h, uint64_t ns, uint64_t n) {
    h.min_ns = h.count ? std::min(h.min_ns, ns) : ns;
    h.max_ns = std::max(h.max_ns, ns);
    h.count += n;
    h.sum_ns += ns * n;
    for (unsigned i = 0; i < h.buckets.size(); ++i) {
        if (ns >= h.bucket_low_ns(i) && ns < h.bucket_high_ns(i)) {
            h.buckets[i] += n;
            return;
        }
    }
    h.overflow += n;
}

inline std::string capture(const std::function<void(std::FILE*)>& render) {
    char* text = nullptr;
    size_t size = 0;
    std::FILE* out = open_memstream(&text, &size);
    render(out);
    std::fclose(out);
    std::string result{text, size};
    std::free(text);
    return result;
}

inline bool gnuplot_installed() {
    return std::system("command -v gnuplot >/dev/null 2>&1") == 0;
}

// Two mechanisms: tasklet with both paths (engine slower at p50),
// and wq-bh whose native path the kernel lacks.
inline Result sample_result() {
    Result r;
    r.params.device = "0000:00:04.0";
    r.params.trigger = "device";
    r.params.count = 101;
    r.params.probe = "module";
    r.params.hist = {IRQLAB_HIST_LINEAR, 8, 1000};
    r.env = {"6.12.9-amd64", "dynamic (full)", "tcg", 4, "0.9.0", "2025-01-01T00:00:00Z"};

    MechanismResult tasklet;
    tasklet.mechanism = IRQLAB_MECH_TASKLET;
    tasklet.name = "tasklet";
    for (unsigned p = 0; p < IRQLAB_NR_PATHS; ++p) {
        PathResult& path = tasklet.paths[p];
        path.vector = p;
        path.fired = path.received = path.hardirqs = path.served = 101;
        path.runs = path.ends = 100;
        for (Histogram& h : path.metrics)
            h = layout(IRQLAB_HIST_LINEAR, 8, 1000);
        Histogram& deferral = path.metrics[IRQLAB_METRIC_DEFERRAL];
        add(deferral, p == IRQLAB_PATH_ENGINE ? 1500 : 500, 100);
        add(deferral, 4500, 1);
        add(path.metrics[IRQLAB_METRIC_END_TO_END], p == IRQLAB_PATH_ENGINE ? 3500 : 2500, 101);
    }
    tasklet.paths[IRQLAB_PATH_NATIVE].accounting_note = "one run still pending";
    tasklet.paths[IRQLAB_PATH_ENGINE].bpf = tasklet.paths[IRQLAB_PATH_ENGINE].metrics;

    MechanismResult bh;
    bh.mechanism = IRQLAB_MECH_WQ_BH;
    bh.name = "wq-bh";
    bh.paths[IRQLAB_PATH_ENGINE] = tasklet.paths[IRQLAB_PATH_ENGINE];
    bh.paths[IRQLAB_PATH_NATIVE].available = false;
    bh.paths[IRQLAB_PATH_NATIVE].why_unavailable = "BH workqueues need Linux 6.9";

    r.mechanisms = {tasklet, bh};
    r.overhead = {{"tasklet", 1000, 1100, 300, 350}};
    return r;
}

} // namespace irqlab::cli::compare
