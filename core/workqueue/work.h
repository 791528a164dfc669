// Work items (Linux's work_struct and delayed_work): a function to run later
// in a worker's process context (or, for BH workqueues, in engine softirq
// context), queued at most once at a time.
//
// The PENDING bit is the ownership token, as in Linux: whoever sets it owns
// the next queueing, so queueing an already-pending item is a no-op that
// returns false. A worker clears it when it takes the item off the
// worklist, before running it, so the function may queue itself again.
#pragma once

#include "core/base/list.h"
#include "core/timer/timers.h"
#include "cxxrt/atomic.h"

#include <stdint.h>

struct irqlab_line; // the glue's handle of a real vector (irqlab/core.h)

namespace irqlab::workqueue {

struct Pool;
struct Worker;
struct PoolWorkqueue;
struct Workqueue;
class Workqueues;

// Bits of Work::data (WORK_STRUCT_PENDING).
inline constexpr unsigned long work_pending = 1ul << 0;

// A link in a pool_workqueue's list of unfinished instances, oldest first:
// flush_workqueue() waits until no instance older than its call remains.
struct InflightNode {
    base::ListNode entry;
    uint64_t seq = 0;
};
using InflightList = base::List<InflightNode, &InflightNode::entry>;

struct DelayedWork;

struct Work {
    void (*func)(Work*) = nullptr;
    // For the owner of the item (tests, container_of-style users).
    void* user = nullptr;
    // Named in trace events as the line the item serves (core.h).
    irqlab_line* trace_line = nullptr;
    cxxrt::atomic<unsigned long> data{0};

    // Owned by the pool lock of the pool the item is queued on. 'entry'
    // links it on that pool's worklist, its pwq's inactive list, or the
    // scheduled list of the worker still running it.
    base::ListNode entry;
    PoolWorkqueue* pwq = nullptr;
    bool inactive = false;
    // Set while it waits on the worker that is still running it.
    Worker* scheduled_on = nullptr;
    InflightNode inflight;
    // The pool whose worklist (or pwq inactive list) holds the item; null
    // while not queued. Written under that pool's lock.
    cxxrt::atomic<Pool*> pool{nullptr};
    // The pool that last ran it (get_work_pool() of an idle item).
    cxxrt::atomic<Pool*> last_pool{nullptr};
    // Counts queueings: tells the instance flush_work() waits for from a
    // later one. Written by the PENDING owner under the pool lock.
    cxxrt::atomic<uint64_t> queued_gen{0};
    // Set for the work of a DelayedWork.
    DelayedWork* dwork = nullptr;

    bool pending() const { return (data.load(cxxrt::memory_order::relaxed) & work_pending) != 0; }
};

using WorkList = base::List<Work, &Work::entry>;

struct DelayedWork {
    Work work;
    timer::Timer timer;
    // Where the timer callback queues the work (delayed_work::wq and cpu).
    Workqueue* wq = nullptr;
    unsigned cpu = 0;
    Workqueues* owner = nullptr;
};

// INIT_WORK(): an idle item running 'func'.
void init_work(Work& work, void (*func)(Work*));
// INIT_DELAYED_WORK().
void init_delayed_work(DelayedWork& dwork, void (*func)(Work*));

} // namespace irqlab::workqueue
