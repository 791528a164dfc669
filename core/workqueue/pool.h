// The workqueue layer's inner objects (Linux's worker_pool, worker,
// pool_workqueue and workqueue_struct). Internal to core/workqueue/.
//
// Locking: each pool's lock guards its worklist, its worker lists and
// counts, and every pool_workqueue on it (nr_active, inactive list,
// inflight list). Only one pool lock is held at a time. The mayday lock
// nests inside a pool lock, as Linux's wq_mayday_lock does.
#pragma once

#include "core/base/completion.h"
#include "core/base/spinlock.h"
#include "core/base/thread.h"
#include "core/base/trace.h"
#include "core/softirq/tasklet.h"
#include "core/timer/timers.h"
#include "core/workqueue/work.h"
#include "core/workqueue/workqueue_stats.h"
#include "cxxrt/atomic.h"

#include <stdint.h>

namespace irqlab::workqueue {

struct Worker {
    base::Thread thread;
    Pool* pool = nullptr;
    unsigned id = 0;
    char name[40] = {};

    // What it executes (current_work, current_func, current_pwq), under the
    // pool lock. 'current_gen' is the instance's queued_gen.
    Work* current_work = nullptr;
    void (*current_func)(Work*) = nullptr;
    PoolWorkqueue* current_pwq = nullptr;
    uint64_t current_gen = 0;
    InflightNode inflight;
    // Items of this pool that arrived while this worker ran them: it runs
    // them next (worker->scheduled).
    Work* scheduled_head = nullptr;
    Work* scheduled_tail = nullptr;

    bool idle = false;
    // Counted in pool->nr_running (Linux: none of WORKER_NOT_RUNNING set).
    bool counted = false;
    bool cpu_intensive = false;
    // Inside Workqueues::block_in_work().
    bool sleeping = false;
    bool rescuer = false;
    bool bh = false;
    bool on_dying = false;
    uint64_t last_active_ns = 0;

    // The creator sets 'ready' once the worker is on the idle list.
    cxxrt::atomic<bool> ready{false};
    cxxrt::atomic<bool> wake_pending{false};

    Worker* next = nullptr; // pool's workers (or dying) list
    Worker* prev = nullptr;
    Worker* idle_next = nullptr;
    Worker* idle_prev = nullptr;
    Worker* busy_next = nullptr;
    Worker* busy_prev = nullptr;

    Workqueue* rescue_wq = nullptr; // rescuers only
};

// Someone sleeping in flush/cancel until a pool event lets it re-check.
struct PoolWaiter {
    PoolWaiter* next = nullptr;
    PoolWaiter* prev = nullptr;
    base::Completion done;
};

struct Pool {
    base::SpinLock lock;
    Workqueues* owner = nullptr;
    unsigned id = 0;
    int cpu = -1;
    bool highpri = false;
    bool bh = false;
    // Per-CPU thread pools are concurrency-managed; unbound and BH are not.
    bool managed = false;
    bool dying = false;
    bool manager_active = false;

    Work* head = nullptr; // worklist
    Work* tail = nullptr;
    cxxrt::atomic<unsigned> nr_queued{0};

    Worker* workers = nullptr;
    Worker* dying_workers = nullptr;
    Worker* starting = nullptr; // created, thread not running yet
    Worker* idle_head = nullptr;
    Worker* busy = nullptr;
    cxxrt::atomic<unsigned> nr_workers{0};
    cxxrt::atomic<unsigned> nr_idle{0};
    cxxrt::atomic<int> nr_running{0};

    PoolWorkqueue* pwqs = nullptr; // every pwq on this pool
    PoolWaiter* waiters = nullptr;

    // BH pools: the pseudo-worker the tasklet runs items as, the tasklet,
    // and the timer that kicks the tasklet from another CPU.
    Worker* bh_worker = nullptr;
    softirq::Tasklet tasklet;
    timer::Timer kick_timer;

    struct Counters {
        cxxrt::atomic<uint64_t> concurrency_wakeups{0};
        cxxrt::atomic<uint64_t> created{0};
        cxxrt::atomic<uint64_t> retired{0};
        cxxrt::atomic<uint64_t> creation_failures{0};
        cxxrt::atomic<uint64_t> maydays{0};
        cxxrt::atomic<uint64_t> rescued{0};
        cxxrt::atomic<uint64_t> executed{0};
    } counters;
};

struct PoolWorkqueue {
    Pool* pool = nullptr;
    Workqueue* wq = nullptr;
    cxxrt::atomic<int> nr_active{0};
    cxxrt::atomic<int> nr_inactive{0};
    // Active items of this pwq waiting on the pool's worklist.
    unsigned nr_in_worklist = 0;
    Work* inactive_head = nullptr;
    Work* inactive_tail = nullptr;
    uint64_t seq = 0;
    InflightNode inflight; // sentinel of the unfinished instances
    bool on_mayday = false;
    PoolWorkqueue* mayday_next = nullptr;
    PoolWorkqueue* pool_next = nullptr;
    PoolWorkqueue* pool_prev = nullptr;
};

struct Workqueue {
    char name[wq_name_len] = {};
    unsigned flags = 0;
    int max_active = wq_dfl_active;
    PoolWorkqueue* pwqs = nullptr;
    unsigned nr_pwqs = 0;
    cxxrt::atomic<bool> draining{false};
    cxxrt::atomic<bool> warned_draining{false};
    Workqueue* next = nullptr;
    Workqueue* prev = nullptr;
    Worker* rescuer = nullptr;
    PoolWorkqueue* maydays = nullptr; // under the mayday lock
    cxxrt::atomic<uint64_t> executed{0};
    cxxrt::atomic<uint64_t> rescued{0};
    cxxrt::atomic<uint64_t> refused{0};

    bool percpu() const { return (flags & wq_unbound) == 0; }
};

// The inflight list of a pwq: a circular list through its sentinel.
inline void inflight_init(InflightNode& sentinel) {
    sentinel.prev = sentinel.next = &sentinel;
}
inline void inflight_append(InflightNode& sentinel, InflightNode& node) {
    node.prev = sentinel.prev;
    node.next = &sentinel;
    sentinel.prev->next = &node;
    sentinel.prev = &node;
}
inline void inflight_unlink(InflightNode& node) {
    node.prev->next = node.next;
    node.next->prev = node.prev;
    node.prev = node.next = nullptr;
}
// Puts 'with' where 'node' is, keeping the list's order.
inline void inflight_replace(InflightNode& node, InflightNode& with) {
    with.seq = node.seq;
    with.prev = node.prev;
    with.next = node.next;
    node.prev->next = &with;
    node.next->prev = &with;
    node.prev = node.next = nullptr;
}

// The workqueue:workqueue_activate_work/execute_start/end-like events.
inline void trace_work(irqlab_engine_event_kind kind, const Work& work, void (*func)(Work*)) {
    base::trace::emit(kind, [&](irqlab_engine_event& ev) {
        ev.object = &work;
        ev.function = reinterpret_cast<const void*>(func);
        ev.line = work.trace_line;
    });
}

} // namespace irqlab::workqueue
