// Softirq work that attached lines hand to the engine's softirq slots.
//
// Every interrupt of a line attached with the softirq action adds work
// units to its slot on this CPU and raises the slot. The slot's handler
// does one unit per run and raises the slot again while units are left, as
// NET_RX does when a poll used up its budget: with many units per
// interrupt this is a softirq storm that the 2 ms / 10-restart budget hands
// to the irqlab-sirqd daemons. Units added and units done must match
// exactly; a run that finds no unit (its raise was satisfied by an earlier
// run) is counted as idle.
#pragma once

#include "core/base/percpu.h"
#include "core/softirq/softirq_nr.h"
#include "core/softirq/softirqs.h"
#include "cxxrt/atomic.h"

#include <stdint.h>

namespace irqlab::engine {

class SoftirqBacklog {
public:
    explicit SoftirqBacklog(softirq::Softirqs& softirqs) : softirqs_{softirqs} {}
    SoftirqBacklog(const SoftirqBacklog&) = delete;
    SoftirqBacklog& operator=(const SoftirqBacklog&) = delete;

    // May sleep. Opens every slot it owns.
    [[nodiscard]] bool init();

    // Every slot but those of the tasklets (HI, TASKLET) and of the
    // engine's timers (TIMER).
    static bool owns(softirq::SoftirqNr nr) {
        return nr != softirq::SoftirqNr::hi && nr != softirq::SoftirqNr::tasklet &&
               nr != softirq::SoftirqNr::timer;
    }

    // Shares an owned slot: each run of its handler calls 'first' before
    // doing a unit (NET_RX: the NAPI polls, then the backlog). Set up
    // before the slot is raised.
    void share(softirq::SoftirqNr nr, softirq::SoftirqHandler first, void* arg);

    // From a hardirq handler on this CPU.
    void add(softirq::SoftirqNr nr, unsigned units);

    // CPU hotplug: on a live CPU once 'dead_cpu' is gone, the units it had
    // not done become this CPU's (done and idle counts stay where they
    // were counted), and their slots are raised here, as dev_cpu_dead()
    // moves a dead CPU's backlog. Process context.
    void take_over(unsigned dead_cpu);

    struct SlotCounts {
        uint64_t done = 0;
        uint64_t idle_runs = 0;
        uint64_t queued = 0; // units not done yet
    };
    SlotCounts counts(softirq::SoftirqNr nr, unsigned cpu) const;

private:
    struct Slot {
        cxxrt::atomic<uint64_t> units;
        cxxrt::atomic<uint64_t> done;
        cxxrt::atomic<uint64_t> idle_runs;
    };
    struct alignas(64) CpuSlots {
        Slot slot[softirq::nr_softirqs];
    };
    struct HandlerArg {
        SoftirqBacklog* backlog;
        softirq::SoftirqNr nr;
        softirq::SoftirqHandler first;
        void* first_arg;
    };

    static void run(void* arg);
    void run_one(softirq::SoftirqNr nr);

    softirq::Softirqs& softirqs_;
    base::PerCpu<CpuSlots> cpus_;
    HandlerArg handler_args_[softirq::nr_softirqs] = {};
};

} // namespace irqlab::engine
