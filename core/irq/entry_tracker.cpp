// See entry_tracker.h.
#include "core/irq/entry_tracker.h"

#include "core/base/cpu.h"

namespace irqlab::irq {

unsigned EntryTracker::enter() {
    const unsigned cpu = base::cpu_id();
    // seq_cst, paired with the waiter: either this entry sees the
    // descriptor unpublished, or the waiter sees this entry.
    cpus_.on(cpu).state.fetch_add(1, cxxrt::memory_order::seq_cst);
    return cpu;
}

void EntryTracker::exit(unsigned cpu) {
    cxxrt::atomic<uint64_t>& state = cpus_.on(cpu).state;
    uint64_t old = state.load(cxxrt::memory_order::relaxed);
    uint64_t next;
    do {
        next = (old & nesting_mask) == 1 ? old - 1 + generation_step : old - 1;
    } while (!state.compare_exchange_weak(old, next, cxxrt::memory_order::release,
                                          cxxrt::memory_order::relaxed));
}

void EntryTracker::wait_for_entries() const {
    for (unsigned cpu = 0; cpu < base::nr_cpu_ids(); ++cpu) {
        const cxxrt::atomic<uint64_t>& state = cpus_.on(cpu).state;
        const uint64_t seen = state.load(cxxrt::memory_order::seq_cst);
        if ((seen & nesting_mask) == 0)
            continue;
        for (;;) {
            const uint64_t now = state.load(cxxrt::memory_order::acquire);
            if ((now & nesting_mask) == 0 || (now & ~nesting_mask) != (seen & ~nesting_mask))
                break;
            irqlab_plat_cond_resched();
        }
    }
}

} // namespace irqlab::irq
