// The engine's workqueues (a twin of Linux kernel/workqueue.c, 6.12):
// worker pools per CPU (normal and high priority), two unbound pools, BH
// pools driven by tasklets, workqueues feeding them through
// pool_workqueues with max_active limits, concurrency management of the
// per-CPU pools, delayed work on engine timers, and rescuers for
// WQ_MEM_RECLAIM workqueues.
//
// queue_* and cancel_work() may be called from any context, engine hardirq
// with interrupts off included. Every call that may sleep first asks
// Context::might_sleep() and refuses (counted) in engine atomic context.
//
// Deliberate differences from Linux are named where they are made; the
// main ones: one unbound pool per priority (no NUMA/attrs pools), BH pools
// run from a per-CPU engine tasklet, the manager sends maydays itself (no
// mayday timer), and a workqueue that is draining refuses every queueing
// (Linux lets chained work of the same workqueue through).
#pragma once

#include "core/base/completion.h"
#include "core/base/list.h"
#include "core/base/spinlock.h"
#include "core/engine/context.h"
#include "core/softirq/softirqs.h"
#include "core/softirq/tasklet.h"
#include "core/timer/timers.h"
#include "core/workqueue/pool.h"
#include "core/workqueue/work.h"
#include "core/workqueue/workqueue_stats.h"
#include "cxxrt/atomic.h"

#include <stdint.h>

namespace irqlab::workqueue {

struct Worker;
struct PoolWaiter;

inline constexpr unsigned any_cpu = ~0u; // WORK_CPU_UNBOUND

void delayed_work_timer_fn(timer::Timer* timer);

class Workqueues {
public:
    struct Tunables {
        // IDLE_WORKER_TIMEOUT: idle workers beyond too_many_workers() retire
        // after this long.
        uint64_t idle_timeout_ns = 300'000'000'000ull;
        // CREATE_COOLDOWN: the manager's pause between failed creations.
        uint64_t create_cooldown_ns = 1'000'000'000ull;
        // MAYDAY_INITIAL_TIMEOUT and MAYDAY_INTERVAL.
        uint64_t mayday_initial_ns = 10'000'000ull;
        uint64_t mayday_interval_ns = 100'000'000ull;
    };

    using WorkqueueVisitor = void (*)(const WorkqueueStats& stats, void* arg);
    using WorkerVisitor = void (*)(const char* name, bool idle, void* arg);

    Workqueues(engine::Context& context, softirq::Softirqs& softirqs, softirq::Tasklets& tasklets,
               timer::Timers& timers)
        : context_{context}, softirqs_{softirqs}, tasklets_{tasklets}, timers_{timers} {}
    ~Workqueues() { shutdown(); }
    Workqueues(const Workqueues&) = delete;
    Workqueues& operator=(const Workqueues&) = delete;

    // May sleep. Pools, one idle worker per thread pool, the system
    // workqueues. False (with nothing left running) on failure.
    [[nodiscard]] bool init();
    // May sleep. Destroys every workqueue (draining it) and stops every
    // worker. Timers and tasklets must still be usable.
    void shutdown();

    // Any time; take effect for the next decision that uses them.
    void set_tunables(const Tunables& tunables);
    Tunables tunables() const;
    // Makes worker creation fail (counted per pool) while set.
    void set_worker_creation_fault(bool fail) {
        creation_fault_.store(fail, cxxrt::memory_order::relaxed);
    }
    bool worker_creation_fault() const {
        return creation_fault_.load(cxxrt::memory_order::relaxed);
    }

    // May sleep. max_active 0 means WQ_DFL_ACTIVE; larger than
    // WQ_MAX_ACTIVE is clamped. Null on bad flags or out of memory.
    Workqueue* alloc_workqueue(const char* name, unsigned flags, int max_active);
    // Unbound, max_active 1: items run one at a time in queueing order.
    Workqueue* alloc_ordered_workqueue(const char* name, unsigned flags);
    // May sleep. Drains, then frees; queueing from outside while it drains
    // is refused (counted and logged once).
    void destroy_workqueue(Workqueue* wq);

    Workqueue* system_wq() const { return system_; }
    Workqueue* system_highpri_wq() const { return system_highpri_; }
    Workqueue* system_long_wq() const { return system_long_; }
    Workqueue* system_unbound_wq() const { return system_unbound_; }
    Workqueue* system_bh_wq() const { return system_bh_; }
    Workqueue* system_bh_highpri_wq() const { return system_bh_highpri_; }

    // Any context. False when the item was already pending (or the
    // workqueue refused it while draining).
    bool queue_work(Workqueue* wq, Work& work) { return queue_work_on(any_cpu, wq, work); }
    bool queue_work_on(unsigned cpu, Workqueue* wq, Work& work);

    bool queue_delayed_work(Workqueue* wq, DelayedWork& dwork, uint64_t delay_ns) {
        return queue_delayed_work_on(any_cpu, wq, dwork, delay_ns);
    }
    bool queue_delayed_work_on(unsigned cpu, Workqueue* wq, DelayedWork& dwork, uint64_t delay_ns);
    // Re-arms whether pending or not; returns whether it was pending.
    bool mod_delayed_work(Workqueue* wq, DelayedWork& dwork, uint64_t delay_ns) {
        return mod_delayed_work_on(any_cpu, wq, dwork, delay_ns);
    }
    bool mod_delayed_work_on(unsigned cpu, Workqueue* wq, DelayedWork& dwork, uint64_t delay_ns);

    // May sleep. Waits for the instance queued (or running) at the call;
    // returns whether it waited.
    bool flush_work(Work& work);
    // May sleep: queues a pending timer's work at once, then flush_work().
    bool flush_delayed_work(DelayedWork& dwork);
    // May sleep. Waits for everything queued before the call.
    void flush_workqueue(Workqueue* wq);
    // May sleep. Waits until the workqueue is empty, refusing new work
    // meanwhile.
    void drain_workqueue(Workqueue* wq);

    // Any context: takes the item off its queue (or stops its timer)
    // without waiting for a running instance. Returns whether it was
    // pending.
    bool cancel_work(Work& work);
    bool cancel_delayed_work(DelayedWork& dwork) { return cancel_work(dwork.work); }
    // May sleep. Also waits for a running instance; the item is idle when
    // it returns. Returns whether it was pending.
    bool cancel_work_sync(Work& work);
    bool cancel_delayed_work_sync(DelayedWork& dwork) { return cancel_work_sync(dwork.work); }

    // Called by a work function to sleep visibly to concurrency management
    // (the engine cannot see the host scheduler): the worker stops counting
    // as running, and an idle worker is woken if work is waiting.
    bool block_in_work(Work& self, uint64_t ns);
    // As block_in_work(), waiting on 'done' for at most 'timeout_ns'.
    // Returns whether it completed.
    bool wait_in_work(Work& self, base::Completion& done, uint64_t timeout_ns);

    unsigned pool_count() const { return nr_pools_; }
    bool pool_stats(unsigned index, PoolStats& stats) const;
    // Index of a pool: per-CPU, BH per-CPU, unbound.
    unsigned cpu_pool_index(unsigned cpu, bool highpri) const { return cpu * 2 + highpri; }
    unsigned bh_pool_index(unsigned cpu, bool highpri) const {
        return nr_cpus_ * 2 + cpu * 2 + highpri;
    }
    unsigned unbound_pool_index(bool highpri) const { return nr_cpus_ * 4 + highpri; }
    // Calls 'visit' with the name of each worker of a pool, under the pool
    // lock (the visitor must not sleep). Returns how many.
    unsigned for_each_worker(unsigned pool_index, WorkerVisitor visit, void* arg) const;
    // Calls 'visit' for each workqueue, under the workqueue-list lock (the
    // visitor must not sleep nor alloc/destroy). Returns how many.
    unsigned for_each_workqueue(WorkqueueVisitor visit, void* arg) const;
    bool workqueue_stats(const Workqueue* wq, WorkqueueStats& stats) const;
    // The index-th workqueue of the list, newest first; returns how many
    // there are (fills 'stats' only when index is below that). Safe
    // against concurrent alloc/destroy, though indexes shift with them.
    unsigned workqueue_at(unsigned index, WorkqueueStats& stats) const;

    // CPU hotplug (hotplug.cpp), called by the engine's hotplug steps one
    // at a time. cpu_online(): the CPU's pools bound again (Linux's
    // rebind_workers(); an idle worker created if the CPU was offline at
    // init); false when that worker could not be created. May sleep.
    [[nodiscard]] bool cpu_online(unsigned cpu);
    // unbind_workers(): the CPU's thread pools disassociated, their
    // workers unbound; queued and running items go on anywhere. May sleep.
    void cpu_down_prep(unsigned cpu);
    // On a live CPU once 'cpu' is gone: its BH pools' items run here
    // (Linux's workqueue_softirq_dead()). Process context.
    void cpu_dead(unsigned cpu);

    // Sleeping calls refused in engine atomic context.
    uint64_t atomic_refusals() const { return atomic_refusals_.load(cxxrt::memory_order::relaxed); }
    engine::Context& context() const { return context_; }

private:
    friend struct WorkqueuesAccess;

    // Locking: REQUIRES(pool.lock) names the pool lock a function expects
    // held (and asserts it); EXCLUDES(pool.lock) one it takes itself.

    // queueing (queue.cpp)
    bool queue_owned(unsigned cpu, Workqueue* wq, Work& work);
    bool refuse_draining(Workqueue* wq, Work& work);
    void insert_work(Pool& pool, PoolWorkqueue& pwq, Work& work) REQUIRES(pool.lock);
    void append_worklist(Pool& pool, PoolWorkqueue& pwq, Work& work) REQUIRES(pool.lock);
    void unlink_worklist(Pool& pool, Work& work) REQUIRES(pool.lock);
    void pwq_dec_active(Pool& pool, PoolWorkqueue& pwq) REQUIRES(pool.lock);
    int try_grab_pending(Work& work);
    int grab_pending(Work& work);
    void release_pending(Work& work);
    static Worker* find_worker_executing(Pool& pool, const Work& work) REQUIRES(pool.lock);
    PoolWorkqueue* pwq_for(Workqueue* wq, unsigned cpu);
    Worker* begin_blocking(Work& self);
    void end_blocking(Worker* worker);

    // workers (worker.cpp)
    static int worker_main(void* raw);
    void worker_loop(Pool& pool, Worker& worker) EXCLUDES(pool.lock);
    void process_one_work(Pool& pool, Worker& worker, Work& work) REQUIRES(pool.lock);
    void run_one(Pool& pool, Worker& worker, Work& work) REQUIRES(pool.lock);
    static void unlink_scheduled(Work& work);
    bool create_worker(Pool& pool) EXCLUDES(pool.lock);
    bool manage_workers(Pool& pool) REQUIRES(pool.lock);
    void maybe_create_worker(Pool& pool) REQUIRES(pool.lock);
    bool try_retire(Pool& pool, Worker& worker) REQUIRES(pool.lock);
    void reap_dying(Pool& pool, Worker* self) EXCLUDES(pool.lock);
    void kick_pool(Pool& pool) REQUIRES(pool.lock);
    void enter_idle(Pool& pool, Worker& worker) REQUIRES(pool.lock);
    void leave_idle(Pool& pool, Worker& worker) REQUIRES(pool.lock);
    static void set_worker_flags(Pool& pool, Worker& worker, unsigned set, unsigned clear)
        REQUIRES(pool.lock);
    void stop_pool_workers(Pool& pool) EXCLUDES(pool.lock);
    // Binds the calling worker's thread after a bind_gen change.
    static void follow_binding(Pool& pool, Worker& worker) REQUIRES(pool.lock);
    void set_disassociated(Pool& pool, bool disassociated) EXCLUDES(pool.lock);

    // flushing (flush.cpp)
    using PoolPredicate = bool (*)(Pool& pool, void* arg);
    void wait_pool(Pool& pool, PoolPredicate done, void* arg) EXCLUDES(pool.lock);
    static void wake_waiters(Pool& pool) REQUIRES(pool.lock);
    bool wait_instance(Pool& pool, Work& work, uint64_t gen) EXCLUDES(pool.lock);
    void wait_empty(Workqueue* wq);

    // BH pools (bh.cpp)
    static void bh_tasklet_fn(softirq::Tasklet* tasklet);
    static void bh_kick_timer_fn(timer::Timer* timer);
    void kick_bh(Pool& pool) REQUIRES(pool.lock);
    void run_bh_pool(Pool& pool) EXCLUDES(pool.lock);

    // rescuers (rescuer.cpp)
    void send_mayday(Pool& pool) REQUIRES(pool.lock);
    bool create_rescuer(Workqueue& wq);
    static int rescuer_main(void* raw);
    void rescue(Worker& rescuer);

    // delayed work (delayed.cpp)
    friend void delayed_work_timer_fn(timer::Timer* timer);
    bool arm_delayed(unsigned cpu, Workqueue* wq, DelayedWork& dwork, uint64_t delay_ns);

    // workqueues (workqueues.cpp)
    bool init_pool(Pool& pool, unsigned id, int cpu, bool highpri, bool bh);
    bool link_pwqs(Workqueue& wq);
    void free_workqueue(Workqueue* wq);
    // False (counted) in engine atomic context, where sleeping is refused.
    bool may_sleep(const char* operation);
    void fill_stats(const Workqueue& wq, WorkqueueStats& stats) const;

    engine::Context& context_;
    softirq::Softirqs& softirqs_;
    softirq::Tasklets& tasklets_;
    timer::Timers& timers_;

    Pool* pools_ = nullptr;
    unsigned nr_pools_ = 0;
    unsigned nr_cpus_ = 0;
    bool initialised_ = false;

    mutable base::SpinLock wqs_lock_;
    // Newest first.
    WorkqueueList wqs_ GUARDED_BY(wqs_lock_);
    base::SpinLock mayday_lock_;

    Workqueue* system_ = nullptr;
    Workqueue* system_highpri_ = nullptr;
    Workqueue* system_long_ = nullptr;
    Workqueue* system_unbound_ = nullptr;
    Workqueue* system_bh_ = nullptr;
    Workqueue* system_bh_highpri_ = nullptr;

    cxxrt::atomic<uint64_t> idle_timeout_ns_{Tunables{}.idle_timeout_ns};
    cxxrt::atomic<uint64_t> create_cooldown_ns_{Tunables{}.create_cooldown_ns};
    cxxrt::atomic<uint64_t> mayday_initial_ns_{Tunables{}.mayday_initial_ns};
    cxxrt::atomic<uint64_t> mayday_interval_ns_{Tunables{}.mayday_interval_ns};
    cxxrt::atomic<bool> creation_fault_{false};
    cxxrt::atomic<uint64_t> atomic_refusals_{0};
};

} // namespace irqlab::workqueue
