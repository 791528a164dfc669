// Counters with one writer at a time and lockless readers: the writer is
// the counter's CPU with interrupts off, or the holder of the lock that
// guards it. An increment is then a plain load and store, no locked
// instruction (Linux's __this_cpu_add() or WRITE_ONCE(x, x + n) under a
// lock); the atomic type only makes the concurrent reads well defined.
#pragma once

#include "cxxrt/atomic.h"

namespace irqlab::base {

// 'amount' may be negative for signed counters (nr_running, nr_idle...).
template <typename T, typename Amount = T>
inline void bump(cxxrt::atomic<T>& counter, Amount amount = 1) {
    counter.store(static_cast<T>(counter.load(cxxrt::memory_order::relaxed) + amount),
                  cxxrt::memory_order::relaxed);
}

} // namespace irqlab::base
