// WQ_MEM_RECLAIM rescuers: send_mayday() and rescuer_thread() of Linux
// kernel/workqueue.c. When a pool cannot get a new worker, each
// MEM_RECLAIM workqueue with items waiting there lends its rescuer, which
// runs those items in the pool; other items wait for a worker.
//
// Deliberate difference: the rescuer thread is not migrated to the pool's
// CPU while it rescues (Linux attaches it to the pool and binds it); it
// runs on any CPU.
#include "core/base/cpu.h"
#include "core/workqueue/pool.h"
#include "core/workqueue/workqueues.h"
#include "cxxrt/new.h"

namespace irqlab::workqueue {

namespace {

constexpr auto relaxed = cxxrt::memory_order::relaxed;

Work* first_of_pwq(Pool& pool, const PoolWorkqueue& pwq) REQUIRES(pool.lock) {
    for (Work& work : pool.worklist)
        if (work.pwq == &pwq)
            return &work;
    return nullptr;
}

} // namespace

void Workqueues::send_mayday(Pool& pool) {
    pool.lock.assert_held();
    for (PoolWorkqueue& pwq : pool.pwqs) {
        Workqueue& wq = *pwq.wq;
        if (!wq.rescuer || pwq.nr_in_worklist == 0 || pwq.on_mayday)
            continue;
        {
            base::SpinGuard hold{mayday_lock_};
            pwq.on_mayday = true;
            wq.maydays.push_front(pwq);
            wq.rescuer->wake_pending.store(true, cxxrt::memory_order::release);
        }
        wq.rescuer->thread.wake();
        pool.counters.maydays.fetch_add(1, relaxed);
    }
}

bool Workqueues::create_rescuer(Workqueue& wq) {
    Worker* rescuer = new (cxxrt::may_sleep_ctx) Worker{};
    if (!rescuer)
        return false;
    rescuer->rescue_wq = &wq;
    const char prefix[] = "irqlab-R-";
    unsigned at = 0;
    for (; prefix[at]; ++at)
        rescuer->name[at] = prefix[at];
    for (unsigned i = 0; wq.name[i] && at + 1 < sizeof(rescuer->name); ++i)
        rescuer->name[at++] = wq.name[i];
    rescuer->name[at] = '\0';
    rescuer->ready.store(true, relaxed);
    wq.rescuer = rescuer;
    if (!rescuer->thread.start(rescuer_main, rescuer, base::any_cpu, rescuer->name)) {
        wq.rescuer = nullptr;
        delete rescuer;
        return false;
    }
    return true;
}

int Workqueues::rescuer_main(void* raw) {
    auto& rescuer = *static_cast<Worker*>(raw);
    Workqueue& wq = *rescuer.rescue_wq;
    Workqueues& self = *wq.pwqs[0].pool->owner;
    for (;;) {
        base::Thread::sleep_until(
            [&] { return rescuer.wake_pending.load(cxxrt::memory_order::acquire); });
        if (base::Thread::should_stop())
            return 0;
        rescuer.wake_pending.store(false, relaxed);
        self.rescue(rescuer);
    }
}

// One pass over the workqueue's maydays.
void Workqueues::rescue(Worker& rescuer) {
    Workqueue& wq = *rescuer.rescue_wq;
    for (;;) {
        PoolWorkqueue* pwq;
        {
            base::SpinGuard hold{mayday_lock_};
            pwq = wq.maydays.pop_front();
            if (!pwq)
                return;
        }
        Pool& pool = *pwq->pool;
        rescuer.pool = &pool;
        base::SpinGuard hold{pool.lock};
        {
            base::SpinGuard hold_maydays{mayday_lock_};
            pwq->on_mayday = false;
        }
        while (Work* work = first_of_pwq(pool, *pwq))
            process_one_work(pool, rescuer, *work);
        // Leaving: the pool's own workers go on with the rest, if they can.
        if (pool.nr_queued.load(relaxed) > 0 && pool.nr_running.load(relaxed) == 0)
            kick_pool(pool);
    }
}

} // namespace irqlab::workqueue
