// Setting up and tearing down pools and workqueues (workqueue_init_early,
// workqueue_init, alloc_workqueue, destroy_workqueue) and statistics.
#include "core/workqueue/workqueues.h"

#include "core/base/cpu.h"
#include "core/base/text.h"
#include "core/workqueue/pool.h"
#include "cxxrt/new.h"
#include "irqlab/platform.h"

namespace irqlab::workqueue {

namespace {

constexpr auto relaxed = cxxrt::memory_order::relaxed;

constinit base::LockClass pool_lock_class{"irqlab_wq_pool"};
constinit base::LockClass wqs_lock_class{"irqlab_wq_list"};
constinit base::LockClass mayday_lock_class{"irqlab_wq_mayday"};

// Flags a BH workqueue may have (__WQ_BH_ALLOWS).
constexpr unsigned bh_allows = wq_bh | wq_highpri;

} // namespace

bool Workqueues::may_sleep(const char* operation) {
    if (context_.might_sleep(operation))
        return true;
    atomic_refusals_.fetch_add(1, relaxed);
    return false;
}

void Workqueues::set_tunables(const Tunables& tunables) {
    idle_timeout_ns_.store(tunables.idle_timeout_ns, relaxed);
    create_cooldown_ns_.store(tunables.create_cooldown_ns, relaxed);
    mayday_initial_ns_.store(tunables.mayday_initial_ns, relaxed);
    mayday_interval_ns_.store(tunables.mayday_interval_ns, relaxed);
}

Workqueues::Tunables Workqueues::tunables() const {
    return {idle_timeout_ns_.load(relaxed), create_cooldown_ns_.load(relaxed),
            mayday_initial_ns_.load(relaxed), mayday_interval_ns_.load(relaxed)};
}

bool Workqueues::init_pool(Pool& pool, unsigned id, int cpu, bool highpri, bool bh) {
    if (!pool.lock.init(pool_lock_class, cxxrt::may_sleep_ctx))
        return false;
    pool.owner = this;
    pool.id = id;
    pool.cpu = cpu;
    pool.highpri = highpri;
    pool.bh = bh;
    pool.managed = cpu >= 0 && !bh;
    // A thread pool of a CPU that is offline starts as if it had gone down
    // (hotplug.cpp): Linux's pools start POOL_DISASSOCIATED until their
    // CPU comes online.
    if (pool.managed && !base::cpu_online(static_cast<unsigned>(cpu))) {
        base::SpinGuard hold{pool.lock};
        pool.disassociated = true;
    }
    if (!bh)
        return true;
    pool.bh_worker = new (cxxrt::may_sleep_ctx) Worker{};
    if (!pool.bh_worker)
        return false;
    pool.bh_worker->pool = &pool;
    // Runs items from a tasklet: never counted as running.
    pool.bh_worker->flags |= worker_unbound;
    softirq::tasklet_setup(pool.tasklet, bh_tasklet_fn);
    pool.tasklet.data = &pool;
    timer::timer_setup(pool.kick_timer, bh_kick_timer_fn);
    return true;
}

bool Workqueues::init() {
    if (initialised_)
        return true;
    if (!context_.might_sleep("irqlab workqueue init"))
        return false;
    if (!wqs_lock_.init(wqs_lock_class, cxxrt::may_sleep_ctx) ||
        !mayday_lock_.init(mayday_lock_class, cxxrt::may_sleep_ctx))
        return false;
    nr_cpus_ = base::nr_cpu_ids();
    const unsigned count = nr_cpus_ * 4 + 2;
    pools_ = new (cxxrt::may_sleep_ctx) Pool[count];
    if (!pools_)
        return false;
    nr_pools_ = count;
    initialised_ = true; // from here on shutdown() undoes what was done
    bool ok = true;
    for (unsigned cpu = 0; cpu < nr_cpus_ && ok; ++cpu)
        for (unsigned hi = 0; hi < 2 && ok; ++hi) {
            ok = init_pool(pools_[cpu_pool_index(cpu, hi)], cpu_pool_index(cpu, hi),
                           static_cast<int>(cpu), hi, false) &&
                 init_pool(pools_[bh_pool_index(cpu, hi)], bh_pool_index(cpu, hi),
                           static_cast<int>(cpu), hi, true);
        }
    for (unsigned hi = 0; hi < 2 && ok; ++hi)
        ok = init_pool(pools_[unbound_pool_index(hi)], unbound_pool_index(hi), -1, hi, false);
    // An idle worker per thread pool of an online CPU, as workqueue_init().
    for (unsigned i = 0; i < nr_pools_ && ok; ++i) {
        Pool& pool = pools_[i];
        if (!pool.bh && (pool.cpu < 0 || base::cpu_online(static_cast<unsigned>(pool.cpu))))
            ok = create_worker(pool);
    }
    if (ok) {
        system_ = alloc_workqueue("events", 0, 0);
        system_highpri_ = alloc_workqueue("events_highpri", wq_highpri, 0);
        system_long_ = alloc_workqueue("events_long", 0, 0);
        system_unbound_ = alloc_workqueue("events_unbound", wq_unbound, wq_max_active);
        system_bh_ = alloc_workqueue("events_bh", wq_bh, 0);
        system_bh_highpri_ = alloc_workqueue("events_bh_highpri", wq_bh | wq_highpri, 0);
        ok = system_ && system_highpri_ && system_long_ && system_unbound_ && system_bh_ &&
             system_bh_highpri_;
    }
    if (!ok)
        shutdown();
    return ok;
}

void Workqueues::shutdown() {
    if (!initialised_)
        return;
    if (!context_.might_sleep("irqlab workqueue shutdown")) {
        atomic_refusals_.fetch_add(1, relaxed);
        return;
    }
    for (;;) {
        Workqueue* wq;
        {
            base::SpinGuard hold{wqs_lock_};
            wq = wqs_.front();
        }
        if (!wq)
            break;
        destroy_workqueue(wq);
    }
    system_ = system_highpri_ = system_long_ = system_unbound_ = nullptr;
    system_bh_ = system_bh_highpri_ = nullptr;
    for (unsigned i = 0; i < nr_pools_; ++i) {
        Pool& pool = pools_[i];
        if (!pool.owner) // init() failed before reaching it
            continue;
        if (!pool.bh) {
            stop_pool_workers(pool);
            continue;
        }
        if (pool.bh_worker) {
            timers_.del_sync(pool.kick_timer);
            tasklets_.kill(pool.tasklet);
            delete pool.bh_worker;
            pool.bh_worker = nullptr;
        }
    }
    delete[] pools_;
    pools_ = nullptr;
    nr_pools_ = 0;
    initialised_ = false;
}

bool Workqueues::link_pwqs(Workqueue& wq) {
    const bool bh = (wq.flags & wq_bh) != 0;
    const bool highpri = (wq.flags & wq_highpri) != 0;
    wq.nr_pwqs = wq.percpu() ? nr_cpus_ : 1;
    wq.pwqs = new (cxxrt::may_sleep_ctx) PoolWorkqueue[wq.nr_pwqs];
    if (!wq.pwqs)
        return false;
    for (unsigned i = 0; i < wq.nr_pwqs; ++i) {
        PoolWorkqueue& pwq = wq.pwqs[i];
        const unsigned index = !wq.percpu() ? unbound_pool_index(highpri)
                               : bh         ? bh_pool_index(i, highpri)
                                            : cpu_pool_index(i, highpri);
        Pool& pool = pools_[index];
        pwq.pool = &pool;
        pwq.wq = &wq;
        base::SpinGuard hold{pool.lock};
        pool.pwqs.push_front(pwq);
    }
    return true;
}

Workqueue* Workqueues::alloc_workqueue(const char* name, unsigned flags, int max_active) {
    if (!initialised_ || !may_sleep("irqlab alloc_workqueue"))
        return nullptr;
    if ((flags & wq_bh) && (flags & ~bh_allows))
        return nullptr;
    if (max_active < 0)
        return nullptr;
    if (max_active == 0 || (flags & wq_bh))
        max_active = wq_dfl_active;
    if (max_active > wq_max_active) // Linux warns and clamps
        max_active = wq_max_active;
    auto* wq = new (cxxrt::may_sleep_ctx) Workqueue{};
    if (!wq)
        return nullptr;
    base::TextBuilder{wq->name}.text(name);
    wq->flags = flags;
    wq->max_active = max_active;
    if (!link_pwqs(*wq) || ((flags & wq_mem_reclaim) && !create_rescuer(*wq))) {
        free_workqueue(wq);
        return nullptr;
    }
    base::SpinGuard hold{wqs_lock_};
    wqs_.push_front(*wq);
    return wq;
}

Workqueue* Workqueues::alloc_ordered_workqueue(const char* name, unsigned flags) {
    return alloc_workqueue(name, (flags & ~wq_bh) | wq_unbound | wq_ordered, 1);
}

// Unlinks the pwqs from their pools and frees the workqueue; nothing of it
// is queued or running any more.
void Workqueues::free_workqueue(Workqueue* wq) {
    if (wq->rescuer) {
        wq->rescuer->thread.stop();
        delete wq->rescuer;
        wq->rescuer = nullptr;
    }
    for (unsigned i = 0; wq->pwqs && i < wq->nr_pwqs; ++i) {
        PoolWorkqueue& pwq = wq->pwqs[i];
        if (!pwq.pool)
            continue;
        base::SpinGuard hold{pwq.pool->lock};
        PwqList::remove(pwq);
    }
    delete[] wq->pwqs;
    delete wq;
}

void Workqueues::destroy_workqueue(Workqueue* wq) {
    if (!wq || !may_sleep("irqlab destroy_workqueue"))
        return;
    wq->draining.store(true, cxxrt::memory_order::release);
    wait_empty(wq);
    {
        base::SpinGuard hold{wqs_lock_};
        WorkqueueList::remove(*wq);
    }
    free_workqueue(wq);
}

bool Workqueues::pool_stats(unsigned index, PoolStats& stats) const {
    if (index >= nr_pools_)
        return false;
    const Pool& pool = pools_[index];
    stats.id = pool.id;
    stats.cpu = pool.cpu;
    stats.highpri = pool.highpri;
    stats.bh = pool.bh;
    stats.workers = pool.nr_workers.load(relaxed);
    stats.idle = pool.nr_idle.load(relaxed);
    stats.running = pool.nr_running.load(relaxed);
    stats.queued = pool.nr_queued.load(relaxed);
    stats.concurrency_wakeups = pool.counters.concurrency_wakeups.load(relaxed);
    stats.workers_created = pool.counters.created.load(relaxed);
    stats.workers_retired = pool.counters.retired.load(relaxed);
    stats.creation_failures = pool.counters.creation_failures.load(relaxed);
    stats.maydays = pool.counters.maydays.load(relaxed);
    stats.rescued = pool.counters.rescued.load(relaxed);
    stats.executed = pool.counters.executed.load(relaxed);
    return true;
}

unsigned Workqueues::for_each_worker(unsigned pool_index, WorkerVisitor visit, void* arg) const {
    if (pool_index >= nr_pools_)
        return 0;
    Pool& pool = pools_[pool_index];
    base::SpinGuard hold{pool.lock};
    unsigned count = 0;
    for (Worker& worker : pool.workers) {
        visit(worker.name, worker.is(worker_idle), arg);
        ++count;
    }
    return count;
}

void Workqueues::fill_stats(const Workqueue& wq, WorkqueueStats& stats) const {
    for (unsigned i = 0; i < wq_name_len; ++i)
        stats.name[i] = wq.name[i];
    stats.flags = wq.flags;
    stats.max_active = wq.max_active;
    stats.in_flight = 0;
    stats.inactive = 0;
    for (unsigned i = 0; i < wq.nr_pwqs; ++i) {
        stats.in_flight += wq.pwqs[i].nr_active.load(relaxed);
        stats.inactive += wq.pwqs[i].nr_inactive.load(relaxed);
    }
    stats.executed = wq.executed.load(relaxed);
    stats.rescued = wq.rescued.load(relaxed);
    stats.refused = wq.refused.load(relaxed);
}

bool Workqueues::workqueue_stats(const Workqueue* wq, WorkqueueStats& stats) const {
    if (!wq)
        return false;
    fill_stats(*wq, stats);
    return true;
}

unsigned Workqueues::for_each_workqueue(WorkqueueVisitor visit, void* arg) const {
    if (!initialised_)
        return 0;
    base::SpinGuard hold{wqs_lock_};
    unsigned count = 0;
    for (const Workqueue& wq : wqs_) {
        WorkqueueStats stats;
        fill_stats(wq, stats);
        visit(stats, arg);
        ++count;
    }
    return count;
}

unsigned Workqueues::workqueue_at(unsigned index, WorkqueueStats& stats) const {
    if (!initialised_)
        return 0;
    base::SpinGuard hold{wqs_lock_};
    unsigned count = 0;
    for (const Workqueue& wq : wqs_)
        if (count++ == index)
            fill_stats(wq, stats);
    return count;
}

} // namespace irqlab::workqueue
