// CPU hotplug for the workqueues (Linux's workqueue_offline_cpu() /
// unbind_workers(), workqueue_online_cpu() / rebind_workers() and
// workqueue_softirq_dead()); see workqueues.h.
//
// Deliberate difference: Linux changes each worker's CPU affinity from
// the hotplug callback, under wq_pool_attach_mutex, which keeps workers
// from leaving the pool meanwhile. The engine's workers may retire and be
// freed under the pool lock alone, and binding a thread sleeps, so the
// callback changes what counts (the flags, under the pool lock: at once)
// and each worker binds its own thread when it next wakes
// (follow_binding()): a worker busy in an item moves after the item.
#include "core/base/cpu.h"
#include "core/workqueue/pool.h"
#include "core/workqueue/workqueues.h"

namespace irqlab::workqueue {

void Workqueues::follow_binding(Pool& pool, Worker& worker) {
    pool.lock.assert_held();
    worker.bind_gen = pool.bind_gen;
    const unsigned cpu = pool.disassociated ? base::any_cpu : static_cast<unsigned>(pool.cpu);
    base::SpinUnlocked unlocked{pool.lock};
    worker.thread.bind(cpu);
    // Changes meanwhile bumped bind_gen again and woke us: the loop comes
    // back here.
}

void Workqueues::set_disassociated(Pool& pool, bool disassociated) {
    base::SpinGuard hold{pool.lock};
    if (pool.disassociated == disassociated)
        return;
    pool.disassociated = disassociated;
    ++pool.bind_gen;
    // Unbinding stops concurrency management: no worker counts as running
    // any more, so queued items wake idle workers rather than waiting for
    // a running one (Linux: WORKER_UNBOUND, then kick_pool()). Rebinding
    // marks them REBOUND: each counts again from its next round.
    for (Worker& worker : pool.workers) {
        if (disassociated)
            set_worker_flags(pool, worker, worker_unbound, worker_rebound);
        else
            set_worker_flags(pool, worker, worker_rebound, worker_unbound);
        // Each binds its thread when it wakes (follow_binding()).
        worker.wake_pending.store(true, cxxrt::memory_order::release);
        worker.thread.wake();
    }
    if (disassociated && pool.nr_queued.load(cxxrt::memory_order::relaxed) > 0)
        kick_pool(pool);
}

bool Workqueues::cpu_online(unsigned cpu) {
    if (!initialised_ || cpu >= nr_cpus_)
        return false;
    bool ok = true;
    for (unsigned hi = 0; hi < 2; ++hi) {
        Pool& pool = pools_[cpu_pool_index(cpu, hi != 0)];
        set_disassociated(pool, false);
        // workqueue_prepare_cpu(): a pool of a CPU that was offline at init
        // has no worker yet.
        if (pool.nr_workers.load(cxxrt::memory_order::relaxed) == 0)
            ok = create_worker(pool) && ok;
    }
    return ok;
}

void Workqueues::cpu_down_prep(unsigned cpu) {
    if (!initialised_ || cpu >= nr_cpus_)
        return;
    for (unsigned hi = 0; hi < 2; ++hi)
        set_disassociated(pools_[cpu_pool_index(cpu, hi != 0)], true);
}

void Workqueues::cpu_dead(unsigned cpu) {
    if (!initialised_ || cpu >= nr_cpus_)
        return;
    // A BH pool's tasklet queued on the dead CPU came here with
    // Tasklets::take_over(); a kick still travelling in its timer comes
    // here with Timers::take_over(). What neither holds is kicked now,
    // and kick_bh() kicks a dead CPU's pool on the kicking CPU.
    for (unsigned hi = 0; hi < 2; ++hi) {
        Pool& pool = pools_[bh_pool_index(cpu, hi != 0)];
        base::SpinGuard hold{pool.lock};
        if (pool.nr_queued.load(cxxrt::memory_order::relaxed) > 0)
            kick_bh(pool);
    }
}

} // namespace irqlab::workqueue
