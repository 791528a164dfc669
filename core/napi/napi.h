// A NAPI instance (Linux's struct napi_struct): a device's poll function,
// its weight, and the scheduling state that makes interrupt-driven
// "schedule once, poll until drained" work.
#pragma once

#include "core/base/list.h"
#include "cxxrt/atomic.h"

#include <stdint.h>

struct irqlab_line; // the glue's handle of a real vector (irqlab/core.h)

namespace irqlab::napi {

struct Napi;

// The driver's poll: consume at most 'budget' events and return how many
// it consumed. Under budget it calls NapiPolls::complete_done() (and
// re-enables its interrupt when that returns true); at budget it leaves
// the state alone and stays scheduled.
using PollFn = int (*)(Napi* napi, int budget);

// Bits of Napi::state (NAPI_STATE_SCHED, NAPI_STATE_MISSED,
// NAPI_STATE_DISABLE).
inline constexpr unsigned long napi_sched = 1ul << 0;
inline constexpr unsigned long napi_missed = 1ul << 1;
inline constexpr unsigned long napi_disable = 1ul << 2;

// NAPI_POLL_WEIGHT.
inline constexpr int default_weight = 64;

// Events per poll round in log2 buckets: 0, 1, 2-3, 4-7, 8-15, 16-31,
// 32-63, 64 and more.
inline constexpr unsigned histogram_buckets = 8;

constexpr unsigned histogram_bucket(int work) {
    if (work <= 0)
        return 0;
    unsigned bucket = 1;
    for (unsigned value = static_cast<unsigned>(work); value > 1 && bucket + 1 < histogram_buckets;
         value >>= 1)
        ++bucket;
    return bucket;
}

struct NapiStats {
    // Every schedule call; those that found it scheduled (MISSED set);
    // those refused because a disable was going on.
    uint64_t schedules = 0;
    uint64_t coalesced = 0;
    uint64_t refused = 0;
    // Poll rounds, and the sum of what they returned.
    uint64_t polls = 0;
    uint64_t events = 0;
    // Rounds that used the whole weight (and so stayed scheduled).
    uint64_t budget_exhausted = 0;
    // complete_done() calls that ended the scheduled period.
    uint64_t completed = 0;
    uint64_t histogram[histogram_buckets] = {};
};

struct Napi {
    PollFn poll = nullptr;
    int weight = default_weight;
    cxxrt::atomic<unsigned long> state{0};
    // On a CPU's poll list (or net_rx_action's private ones) while
    // scheduled and not being polled; owned by that CPU, interrupts off.
    base::ListNode poll_list;
    // The CPU whose list it was last put on (list_owner), ~0u when none.
    cxxrt::atomic<unsigned> list_owner{~0u};
    // The driver's.
    void* data = nullptr;
    // Named in trace events as the line the poll serves (core.h).
    irqlab_line* trace_line = nullptr;
    // net_rx_action rounds working on the instance (the poll and the
    // bookkeeping after it), so disable() can wait until the engine let
    // go of it. Two at most: once the driver completed a poll, another CPU
    // may schedule and poll it while the first still counts.
    cxxrt::atomic<unsigned> in_poll{0};

    // Written by any CPU: schedules from anywhere, and the rounds of two
    // CPUs may overlap (see in_poll).
    struct Counters {
        cxxrt::atomic<uint64_t> schedules{0};
        cxxrt::atomic<uint64_t> coalesced{0};
        cxxrt::atomic<uint64_t> refused{0};
        cxxrt::atomic<uint64_t> polls{0};
        cxxrt::atomic<uint64_t> events{0};
        cxxrt::atomic<uint64_t> budget_exhausted{0};
        cxxrt::atomic<uint64_t> completed{0};
        cxxrt::atomic<uint64_t> histogram[histogram_buckets] = {};
    } counters;

    NapiStats stats() const;
    unsigned long state_bits() const { return state.load(cxxrt::memory_order::relaxed); }
};

using PollList = base::List<Napi, &Napi::poll_list>;

} // namespace irqlab::napi
