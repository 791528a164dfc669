// Which CPUs are inside the IRQ layer's hardirq entry, so that a
// descriptor can be freed only after every entry that might still see it
// has left: the grace period Linux gets from RCU (irq_desc is freed with
// call_rcu()), which the engine does not have.
#pragma once

#include "core/base/percpu.h"
#include "cxxrt/atomic.h"

#include <stdint.h>

namespace irqlab::irq {

class EntryTracker {
public:
    // May sleep.
    [[nodiscard]] bool init() { return cpus_.init(); }

    // With interrupts off. enter() returns the CPU to give back to exit().
    unsigned enter();
    void exit(unsigned cpu);

    // May sleep (spins with cond_resched). Returns when every entry that
    // was in progress at the call has left; later entries are not waited
    // for.
    void wait_for_entries() const;

private:
    // Low bits: entries nested on the CPU; high bits: how often the CPU
    // left its outermost entry. One word, so a waiter sees both at once.
    static constexpr uint64_t nesting_mask = 0xffff;
    static constexpr uint64_t generation_step = nesting_mask + 1;

    struct alignas(64) Cpu {
        cxxrt::atomic<uint64_t> state;
    };

    base::PerCpu<Cpu> cpus_;
};

} // namespace irqlab::irq
