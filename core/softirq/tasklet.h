// Tasklets (Linux's tasklet_struct and kernel/softirq.c's tasklet code):
// deferred callbacks run from the TASKLET and HI softirqs on the CPU that
// scheduled them. A tasklet never runs on two CPUs at once, and scheduling
// one that is already scheduled is not cumulative: it runs once.
#pragma once

#include "core/base/list.h"
#include "core/base/percpu.h"
#include "core/softirq/softirqs.h"
#include "cxxrt/atomic.h"

#include <stdint.h>

struct irqlab_line; // the glue's handle of a real vector (irqlab/core.h)

namespace irqlab::softirq {

// Bits of Tasklet::state (TASKLET_STATE_SCHED, TASKLET_STATE_RUN).
inline constexpr unsigned long tasklet_sched = 1ul << 0;
inline constexpr unsigned long tasklet_run = 1ul << 1;

struct TaskletStats {
    // Every schedule call, including the coalesced ones.
    uint64_t scheduled = 0;
    // Calls that found the tasklet already scheduled.
    uint64_t coalesced = 0;
    uint64_t runs = 0;
    // Taken off the list but put back: disabled, or running elsewhere.
    uint64_t requeued_disabled = 0;
    uint64_t requeued_busy = 0;
};

struct Tasklet {
    // On the list of the CPU it is queued on, or of the round that took
    // that list over: changed only by that CPU.
    base::ListNode entry;
    cxxrt::atomic<unsigned long> state{0};
    // Disable depth: runs only at zero.
    cxxrt::atomic<int> count{0};
    void (*callback)(Tasklet*) = nullptr;
    void* data = nullptr;
    // Named in trace events as the line the tasklet serves (core.h).
    irqlab_line* trace_line = nullptr;

    struct Counters {
        cxxrt::atomic<uint64_t> scheduled{0};
        cxxrt::atomic<uint64_t> coalesced{0};
        cxxrt::atomic<uint64_t> runs{0};
        cxxrt::atomic<uint64_t> requeued_disabled{0};
        cxxrt::atomic<uint64_t> requeued_busy{0};
    } counters;

    TaskletStats stats() const;
    uint64_t scheduled() const { return counters.scheduled.load(cxxrt::memory_order::relaxed); }
    uint64_t coalesced() const { return counters.coalesced.load(cxxrt::memory_order::relaxed); }
    uint64_t runs() const { return counters.runs.load(cxxrt::memory_order::relaxed); }
    // tasklet_sched and tasklet_run, for statistics.
    unsigned long state_bits() const { return state.load(cxxrt::memory_order::relaxed); }
};

// tasklet_setup(): an idle, enabled tasklet with this callback.
void tasklet_setup(Tasklet& tasklet, void (*callback)(Tasklet*));

class Tasklets {
public:
    explicit Tasklets(Softirqs& softirqs) : softirqs_{softirqs} {}
    // Takes the TASKLET and HI handlers back. Destroy only with no tasklet
    // queued and no softirq processing that could still reach them.
    ~Tasklets();
    Tasklets(const Tasklets&) = delete;
    Tasklets& operator=(const Tasklets&) = delete;

    // May sleep. Allocates the per-CPU lists and opens the TASKLET and HI
    // softirqs. False when out of memory.
    [[nodiscard]] bool init();

    // Any context. Queues on this CPU and raises the softirq, unless the
    // tasklet is already scheduled (then it is counted as coalesced).
    void schedule(Tasklet& tasklet);
    void hi_schedule(Tasklet& tasklet);

    // tasklet_disable(): no new run starts, and waits for a running one.
    // May sleep, as in Linux since 5.13.
    void disable(Tasklet& tasklet);
    // tasklet_disable_nosync(): any context; a run may still be going on.
    void disable_nosync(Tasklet& tasklet);
    // tasklet_enable(): a tasklet scheduled meanwhile runs afterwards.
    void enable(Tasklet& tasklet);
    // tasklet_kill(): waits until the tasklet is neither scheduled nor
    // running, and leaves it idle. May sleep; not from engine interrupt
    // context. A disabled and scheduled tasklet makes it wait forever, as
    // in Linux.
    void kill(Tasklet& tasklet);

    // CPU hotplug (tasklet_takeover.cpp), Linux's takeover_tasklets(): on
    // a live CPU once 'dead_cpu' is gone, its queued tasklets (normal and
    // HI) move to this CPU's lists, in order, and run here; each is still
    // scheduled once, so it runs once. Process context.
    void take_over(unsigned dead_cpu);

private:
    using List = base::List<Tasklet, &Tasklet::entry>;
    struct alignas(64) Lists {
        List normal;
        List hi;
    };

    static void tasklet_action(void* self);
    static void hi_action(void* self);
    void schedule_common(Tasklet& tasklet, List Lists::*which, SoftirqNr nr);
    void action_common(List Lists::*which, SoftirqNr nr);
    void take_over_list(Lists& dead, List Lists::*which, SoftirqNr nr);
    void wait_not_running(Tasklet& tasklet);

    Softirqs& softirqs_;
    base::PerCpu<Lists> lists_;
    bool opened_ = false;
};

} // namespace irqlab::softirq
