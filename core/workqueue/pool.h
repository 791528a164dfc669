// The workqueue layer's inner objects (Linux's worker_pool, worker,
// pool_workqueue and workqueue_struct). Internal to core/workqueue/ (the
// Workqueues class holds some as members, which is why its header includes
// this one).
//
// Locking: each pool's lock guards its worklist, its worker lists and
// counts, and every pool_workqueue on it (nr_active, inactive list,
// inflight list). Only one pool lock is held at a time. The mayday lock
// nests inside a pool lock, as Linux's wq_mayday_lock does.
#pragma once

#include "core/base/completion.h"
#include "core/base/list.h"
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

// Worker flags: Linux's WORKER_* bits, written only by
// Workqueues::set_worker_flags(), the one writer of Pool::nr_running.
enum WorkerFlag : unsigned {
    // Retired by idle culling, on the pool's dying list (WORKER_DIE).
    worker_die = 1u << 1,
    // On the pool's idle list (WORKER_IDLE).
    worker_idle = 1u << 2,
    // Not processing items: a new worker, one between rounds, a rescuer
    // (WORKER_PREP).
    worker_prep = 1u << 3,
    // Running a WQ_CPU_INTENSIVE item (WORKER_CPU_INTENSIVE).
    worker_cpu_intensive = 1u << 6,
    // In a pool without concurrency management: unbound and BH pools
    // (WORKER_UNBOUND).
    worker_unbound = 1u << 7,
    // Bound to its CPU again after CPU hotplug, and not counted until it
    // starts its next round (WORKER_REBOUND).
    worker_rebound = 1u << 8,
    // Deliberate difference: blocked in Workqueues::block_in_work(). Linux
    // keeps this apart, in worker->sleeping, because the scheduler sets it;
    // here block_in_work() does, so it is one more reason not to count.
    worker_sleeping = 1u << 16,
};
// WORKER_NOT_RUNNING: any of these and the worker is not in nr_running.
inline constexpr unsigned worker_not_running =
    worker_prep | worker_cpu_intensive | worker_unbound | worker_rebound | worker_sleeping;

// Guarded by its pool's lock (the analysis cannot see that lock through
// the 'pool' pointer, so the members are not annotated), except where said.
struct Worker {
    base::Thread thread;
    Pool* pool = nullptr;
    unsigned id = 0;
    char name[40] = {};
    unsigned flags = worker_prep;

    // What it executes (current_work, current_func, current_pwq). 'current_gen'
    // is the instance's queued_gen.
    Work* current_work = nullptr;
    void (*current_func)(Work*) = nullptr;
    PoolWorkqueue* current_pwq = nullptr;
    uint64_t current_gen = 0;
    InflightNode inflight;
    // Items of this pool that arrived while this worker ran them: it runs
    // them next (worker->scheduled).
    WorkList scheduled;
    uint64_t last_active_ns = 0;
    // The pool's bind_gen its thread's CPU binding follows.
    unsigned bind_gen = 0;

    // The creator sets 'ready' once the worker is on the idle list.
    cxxrt::atomic<bool> ready{false};
    cxxrt::atomic<bool> wake_pending{false};

    // On one of the pool's workers, dying or starting lists (worker->node).
    base::ListNode node;
    // On the pool's idle list (worker->entry).
    base::ListNode entry;
    // On the pool's busy list while it runs an item (worker->hentry).
    base::ListNode busy_entry;

    Workqueue* rescue_wq = nullptr; // rescuers only

    bool is(unsigned flag) const { return (flags & flag) != 0; }
    bool running() const { return !is(worker_not_running); }
};

using WorkerList = base::List<Worker, &Worker::node>;
using IdleList = base::List<Worker, &Worker::entry>;
using BusyList = base::List<Worker, &Worker::busy_entry>;

// Someone sleeping in flush/cancel until a pool event lets it re-check.
struct PoolWaiter {
    base::ListNode entry;
    base::Completion done;
};

struct PoolWorkqueue {
    Pool* pool = nullptr;
    Workqueue* wq = nullptr;
    // Written under the pool lock, read without it by the statistics.
    cxxrt::atomic<int> nr_active{0};
    cxxrt::atomic<int> nr_inactive{0};
    // Active items of this pwq waiting on the pool's worklist.
    unsigned nr_in_worklist = 0;
    // Items beyond max_active, oldest first (pwq->inactive_works).
    WorkList inactive;
    uint64_t seq = 0;
    // Its unfinished instances, oldest first: what flush_workqueue() waits
    // for.
    InflightList inflight;
    // On the pool's list of pwqs.
    base::ListNode pool_entry;
    // On its workqueue's mayday list (under the mayday lock). 'on_mayday'
    // stays set until the rescuer holds the pool lock, so the manager does
    // not send the same pwq again meanwhile.
    base::ListNode mayday_entry;
    bool on_mayday = false;
};

using PwqList = base::List<PoolWorkqueue, &PoolWorkqueue::pool_entry>;
using MaydayList = base::List<PoolWorkqueue, &PoolWorkqueue::mayday_entry>;

struct Pool {
    base::SpinLock lock;
    Workqueues* owner = nullptr;
    unsigned id = 0;
    int cpu = -1;
    bool highpri = false;
    bool bh = false;
    // Per-CPU thread pools are concurrency-managed; unbound and BH are not.
    bool managed = false;
    bool dying GUARDED_BY(lock) = false;
    // A per-CPU pool whose CPU is down or going (POOL_DISASSOCIATED): its
    // workers are unbound and not concurrency-managed, and run its items
    // on any CPU. 'bind_gen' counts the changes; each worker binds its
    // thread after one (workqueues' hotplug.cpp).
    bool disassociated GUARDED_BY(lock) = false;
    unsigned bind_gen GUARDED_BY(lock) = 0;
    bool manager_active GUARDED_BY(lock) = false;

    WorkList worklist GUARDED_BY(lock);
    // Counts written under the lock, read without it (need_more_worker()
    // and the statistics): base::bump() under the lock.
    cxxrt::atomic<unsigned> nr_queued{0};
    cxxrt::atomic<unsigned> nr_workers{0};
    cxxrt::atomic<unsigned> nr_idle{0};
    // Workers none of whose worker_not_running flags is set; written only
    // by Workqueues::set_worker_flags().
    cxxrt::atomic<int> nr_running{0};

    WorkerList workers GUARDED_BY(lock);
    WorkerList dying_workers GUARDED_BY(lock);
    WorkerList starting GUARDED_BY(lock); // created, thread not running yet
    // Most recently idle first: the one kick_pool() wakes.
    IdleList idle_list GUARDED_BY(lock);
    BusyList busy GUARDED_BY(lock);

    PwqList pwqs GUARDED_BY(lock); // every pwq on this pool
    base::List<PoolWaiter, &PoolWaiter::entry> waiters GUARDED_BY(lock);

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

struct Workqueue {
    char name[wq_name_len] = {};
    unsigned flags = 0;
    int max_active = wq_dfl_active;
    PoolWorkqueue* pwqs = nullptr;
    unsigned nr_pwqs = 0;
    cxxrt::atomic<bool> draining{false};
    cxxrt::atomic<bool> warned_draining{false};
    // On the engine's list of workqueues (under its wqs lock).
    base::ListNode entry;
    Worker* rescuer = nullptr;
    MaydayList maydays; // under the mayday lock
    cxxrt::atomic<uint64_t> executed{0};
    cxxrt::atomic<uint64_t> rescued{0};
    cxxrt::atomic<uint64_t> refused{0};

    bool percpu() const { return (flags & wq_unbound) == 0; }
};

using WorkqueueList = base::List<Workqueue, &Workqueue::entry>;

// The workqueue:workqueue_activate_work/execute_start/end-like events.
inline void trace_work(irqlab_engine_event_kind kind, const Work& work, void (*func)(Work*)) {
    base::trace::emit(kind, [&](irqlab_engine_event& ev) {
        ev.object = &work;
        ev.function = reinterpret_cast<const void*>(func);
        ev.line = work.trace_line;
    });
}

} // namespace irqlab::workqueue
