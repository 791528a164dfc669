// Test hooks of the hosted platform: what the unit tests may observe and
// inject. The kernel platform has no equivalent; these exist for tests only.
#pragma once

#include <cstddef>

namespace irqlab::hosted {

struct AllocStats {
    unsigned long atomic = 0;
    unsigned long may_sleep = 0;
    unsigned long frees = 0;
    unsigned long failed = 0;
};

AllocStats alloc_stats();
void reset_alloc_stats();

// The next 'count' allocations fail, as kmalloc may.
void fail_next_allocations(unsigned count);

// Simulated CPUs: threads stand in for them. Each thread created for a CPU
// runs "on" it; other threads run on the CPU set by set_current_cpu()
// (default 0). All simulated CPUs are online. Default: 4 CPUs.
void set_nr_cpus(unsigned count);
void set_current_cpu(unsigned cpu);

// Sleeps attempted with (simulated) interrupts or preemption off: the
// hosted stand-in for the kernel's "sleeping function called from invalid
// context" report.
unsigned long atomic_sleep_reports();

} // namespace irqlab::hosted
