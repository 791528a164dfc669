// Test hooks of the hosted platform: what the unit tests may observe and
// inject. The kernel platform has no equivalent; these exist for tests only.
#pragma once

#include "irqlab/platform.h"

#include <atomic>
#include <cstddef>

// The hosted interrupt line: where the engine's MSI-X chip pointed it.
struct irqlab_line {
    std::atomic<int> affinity_cpu{-1};
};

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
// The allocation after the next 'skip' ones fails, once; a negative 'skip'
// cancels what was asked and not yet reached.
void fail_allocation_after(int skip);

// How many CPUs the platform simulates (default 4). Change it only while
// no per-CPU storage and no platform thread exists.
inline constexpr unsigned max_simulated_cpus = 8;
void set_simulated_cpus(unsigned cpus);
unsigned simulated_cpu_count();

// Simulated CPU hotplug (hosted/hotplug.cpp drives it through
// irqlab_plat_cpu_cycle()): CPU 'cpu' online or not. Offline CPUs other
// than 0 only.
void set_cpu_online(unsigned cpu, bool online);
// An online CPU for a thread that may run anywhere, round robin.
unsigned any_online_cpu();

// Whether the calling thread runs a host bottom half (hosted/bottom_half.cpp).
bool in_bottom_half();

// Whether irqlab_plat_thread_set_fifo() was called for the thread.
bool thread_is_fifo(const irqlab_thread* thread);
// How many times irqlab_plat_thread_set_nice() set 'nice', process-wide.
unsigned long threads_given_nice(int nice);

} // namespace irqlab::hosted
