// The BPF probes of `irqlab compare --probe bpf` (bpf/irqlab.bpf.c,
// docs/bpf.md): the module's measuring rules reproduced with BPF's own
// clock, into histograms in the module's layout, plus native events per
// vector for cross-checking. Needs root (CAP_BPF and CAP_PERFMON), kernel
// BTF and a loaded irqlab.ko (its tracepoints).
#pragma once

#include "irqlab/uapi.h"

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

struct irqlab_bpf; // the bpftool skeleton

namespace irqlab::cli::bpf {

// One measured vector: its labels and the Linux irq of its handler
// (irqlab_vector_info), whose entry-to-return time is the HARDIRQ metric.
struct VectorLabel {
    unsigned vector = 0; // MSI-X index, 0..63
    unsigned path = 0;   // enum irqlab_path
    unsigned mech = 0;   // enum irqlab_mechanism
    int linux_irq = -1;  // -1: no HARDIRQ samples for this vector
};

// Native events of one vector, for cross-checking the module's counters.
struct NativeCounts {
    uint64_t softirq_raise = 0; // TASKLET/HI softirq raised in the vector's handler
    uint64_t softirq_entry = 0; // ... that softirq's run starting on the CPU
    uint64_t softirq_exit = 0;
    uint64_t tasklet_entry = 0; // native tasklet runs in which irqlab's code ran
    uint64_t tasklet_exit = 0;
    uint64_t wq_queue = 0; // workqueue:* events of the vector's work items
    uint64_t wq_activate = 0;
    uint64_t wq_start = 0;
    uint64_t wq_end = 0;
};

// The native view's own latencies.
enum class NativeLatency : unsigned {
    softirq = 0,   // tasklet softirq raise (in a measured handler) -> softirq entry
    workqueue = 1, // workqueue_queue_work -> workqueue_execute_start
};

class Probe {
public:
    // Opens, sets the layout, loads, fills the irq map and attaches every
    // probe. On failure returns null and says why (and what to do) in
    // 'error'; never throws for a kernel's refusal.
    static std::unique_ptr<Probe> open(const irqlab_hist_config& layout,
                                       const std::vector<VectorLabel>& vectors, std::string& error);
    // As open(), without attaching: for tests that run the programs with
    // BPF_PROG_TEST_RUN (program_fd). attach() completes it.
    static std::unique_ptr<Probe> load(const irqlab_hist_config& layout,
                                       const std::vector<VectorLabel>& vectors, std::string& error);
    bool attach(std::string& error);

    ~Probe();
    Probe(const Probe&) = delete;
    Probe& operator=(const Probe&) = delete;

    // Empties every histogram, count and per-vector state (between runs).
    void reset();

    // One histogram, as IRQLAB_IOC_HIST_READ returns it: cpu -1 sums
    // every CPU. Out-of-range keys give an empty histogram.
    irqlab_hist read(unsigned path, unsigned mech, unsigned metric, int cpu = -1) const;
    irqlab_hist read_native(NativeLatency which, int cpu = -1) const;
    NativeCounts native_counts(unsigned vector) const;

    // Program runs the kernel skipped because the program was already
    // running on that CPU (bpf_prog_info.recursion_misses): 0 means the
    // counts are complete.
    uint64_t missed() const;
    // Probes not attached because this kernel lacks their tracepoint.
    const std::vector<std::string>& skipped() const { return skipped_; }

    int program_fd(std::string_view name) const; // -1 when unknown
    unsigned possible_cpus() const { return ncpus_; }

private:
    Probe() = default;
    irqlab_hist read_map(int map_fd, uint32_t key, int cpu) const;

    irqlab_bpf* skel_ = nullptr;
    irqlab_hist_config layout_{};
    std::vector<VectorLabel> vectors_;
    std::vector<std::string> skipped_;
    unsigned ncpus_ = 0;
};

} // namespace irqlab::cli::bpf
