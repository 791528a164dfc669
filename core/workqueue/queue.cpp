// Queueing and cancelling work items: __queue_work(), insert_work(), the
// pool_workqueue max_active accounting, and try_to_grab_pending() of Linux
// kernel/workqueue.c.
#include "core/base/counter.h"
#include "core/base/cpu.h"
#include "core/base/trace.h"
#include "core/workqueue/pool.h"
#include "core/workqueue/workqueues.h"
#include "irqlab/platform.h"

namespace irqlab::workqueue {

namespace {

constexpr auto relaxed = cxxrt::memory_order::relaxed;

// -EAGAIN of try_to_grab_pending(): the item is between owners (being
// queued, or its timer is firing); the caller retries.
constexpr int grab_busy = -1;

} // namespace

void init_work(Work& work, void (*func)(Work*)) {
    work.func = func;
    work.data.store(0, relaxed);
    work.pwq = nullptr;
    work.inactive = false;
    work.scheduled_on = nullptr;
    work.pool.store(nullptr, relaxed);
    work.last_pool.store(nullptr, relaxed);
    work.dwork = nullptr;
}

PoolWorkqueue* Workqueues::pwq_for(Workqueue* wq, unsigned cpu) {
    if (!wq->percpu())
        return &wq->pwqs[0];
    // Per-CPU workqueues run items on the CPU asked for; an offline or
    // unnamed CPU means this one (Linux picks the local CPU too).
    if (cpu >= nr_cpus_ || !base::cpu_online(cpu))
        cpu = base::cpu_id();
    return &wq->pwqs[cpu];
}

Worker* Workqueues::find_worker_executing(Pool& pool, const Work& work) {
    pool.lock.assert_held();
    for (Worker& worker : pool.busy)
        if (worker.current_work == &work && worker.current_func == work.func)
            return &worker;
    return nullptr;
}

void Workqueues::append_worklist(Pool& pool, PoolWorkqueue& pwq, Work& work) {
    pool.lock.assert_held();
    pool.worklist.push_back(work);
    work.inactive = false;
    ++pwq.nr_in_worklist;
    base::bump(pool.nr_queued, 1);
}

void Workqueues::unlink_worklist(Pool& pool, Work& work) {
    pool.lock.assert_held();
    WorkList::remove(work);
    --work.pwq->nr_in_worklist;
    base::bump(pool.nr_queued, -1);
}

// pwq_dec_nr_active() and pwq_activate_first_inactive(): a slot freed up,
// so the oldest inactive item (if any) becomes active.
void Workqueues::pwq_dec_active(Pool& pool, PoolWorkqueue& pwq) {
    pool.lock.assert_held();
    Work* first = pwq.inactive.pop_front();
    if (!first) {
        base::bump(pwq.nr_active, -1);
        return;
    }
    base::bump(pwq.nr_inactive, -1);
    trace_work(IRQLAB_EV_WORK_ACTIVATE, *first, first->func);
    append_worklist(pool, pwq, *first);
}

// insert_work() with the max_active check of __queue_work(); the caller
// owns PENDING.
void Workqueues::insert_work(Pool& pool, PoolWorkqueue& pwq, Work& work) {
    pool.lock.assert_held();
    base::trace::emit(IRQLAB_EV_WORK_QUEUE, [&](irqlab_engine_event& ev) {
        ev.object = &work;
        ev.function = reinterpret_cast<const void*>(work.func);
        ev.line = work.trace_line;
        ev.name = pwq.wq->name;
        ev.cpu = pool.cpu;
    });
    work.pwq = &pwq;
    base::bump(work.queued_gen, 1);
    work.inflight.seq = ++pwq.seq;
    pwq.inflight.push_back(work.inflight);
    if (pwq.nr_active.load(relaxed) < pwq.wq->max_active) {
        base::bump(pwq.nr_active, 1);
        trace_work(IRQLAB_EV_WORK_ACTIVATE, work, work.func);
        append_worklist(pool, pwq, work);
        work.pool.store(&pool, cxxrt::memory_order::release);
        if (pool.nr_queued.load(relaxed) > 0 && pool.nr_running.load(relaxed) == 0)
            kick_pool(pool);
        return;
    }
    work.inactive = true;
    pwq.inactive.push_back(work);
    base::bump(pwq.nr_inactive, 1);
    work.pool.store(&pool, cxxrt::memory_order::release);
}

// Linux warns and drops the item (leaving it PENDING); the engine counts,
// logs once, and gives the item back so it can be queued later. Checked
// under the pool lock, which drain's emptiness check also takes: an item
// is either refused or seen by the drain.
bool Workqueues::refuse_draining(Workqueue* wq, Work& work) {
    if (!wq->draining.load(cxxrt::memory_order::acquire))
        return false;
    wq->refused.fetch_add(1, relaxed);
    if (!wq->warned_draining.exchange(true, relaxed))
        irqlab_plat_log("irqlab workqueue: queueing on a draining workqueue refused");
    release_pending(work);
    return true;
}

// __queue_work(): the caller owns PENDING and has interrupts off.
bool Workqueues::queue_owned(unsigned cpu, Workqueue* wq, Work& work) {
    PoolWorkqueue* pwq = pwq_for(wq, cpu);
    Pool* pool = pwq->pool;
    // Non-reentrancy: an item still running on another pool of the same
    // workqueue is queued behind itself there.
    Pool* last = work.last_pool.load(cxxrt::memory_order::acquire);
    if (last && last != pool) {
        base::SpinGuard hold{last->lock};
        Worker* worker = find_worker_executing(*last, work);
        if (worker && worker->current_pwq->wq == wq) {
            if (refuse_draining(wq, work))
                return false;
            insert_work(*last, *worker->current_pwq, work);
            return true;
        }
    }
    base::SpinGuard hold{pool->lock};
    if (refuse_draining(wq, work))
        return false;
    insert_work(*pool, *pwq, work);
    return true;
}

bool Workqueues::queue_work_on(unsigned cpu, Workqueue* wq, Work& work) {
    base::IrqSaveGuard irqs_off;
    if (work.data.fetch_or(work_pending, cxxrt::memory_order::acq_rel) & work_pending)
        return false;
    return queue_owned(cpu, wq, work);
}

void Workqueues::release_pending(Work& work) {
    work.data.fetch_and(~work_pending, cxxrt::memory_order::release);
}

// try_to_grab_pending(): 1 when the item was pending and is now ours (off
// its queue or timer), 0 when it was idle and is now ours, grab_busy when
// it is between owners.
int Workqueues::try_grab_pending(Work& work) {
    if (work.dwork && timers_.del(work.dwork->timer))
        return 1;
    if (!(work.data.fetch_or(work_pending, cxxrt::memory_order::acq_rel) & work_pending))
        return 0;
    Pool* pool = work.pool.load(cxxrt::memory_order::acquire);
    if (!pool)
        return grab_busy;
    base::SpinGuard hold{pool->lock};
    if (work.pool.load(relaxed) != pool)
        return grab_busy;
    PoolWorkqueue& pwq = *work.pwq;
    if (work.scheduled_on) {
        unlink_scheduled(work);
        pwq_dec_active(*pool, pwq);
    } else if (work.inactive) {
        WorkList::remove(work);
        work.inactive = false;
        base::bump(pwq.nr_inactive, -1);
    } else {
        unlink_worklist(*pool, work);
        pwq_dec_active(*pool, pwq);
    }
    InflightList::remove(work.inflight);
    work.pwq = nullptr;
    work.pool.store(nullptr, relaxed);
    wake_waiters(*pool);
    return 1;
}

int Workqueues::grab_pending(Work& work) {
    for (unsigned tries = 0;; ++tries) {
        int result;
        {
            base::IrqSaveGuard irqs_off;
            result = try_grab_pending(work);
        }
        if (result != grab_busy)
            return result;
        // The other owner finishes within an irqs-off section; give it the
        // CPU where we may.
        if (!context_.in_interrupt() && !base::irqs_disabled() && (tries & 15) == 15)
            irqlab_plat_cond_resched();
    }
}

bool Workqueues::cancel_work(Work& work) {
    const int result = grab_pending(work);
    release_pending(work);
    return result == 1;
}

bool Workqueues::cancel_work_sync(Work& work) {
    if (!may_sleep("irqlab cancel_work_sync"))
        return false;
    // Holding PENDING keeps the item from being queued again (queue_work
    // returns false) while the running instance finishes, as Linux's
    // WORK_OFFQ_CANCELING / disable count does.
    const int result = grab_pending(work);
    if (Pool* pool = work.last_pool.load(cxxrt::memory_order::acquire)) {
        uint64_t gen = 0;
        bool running = false;
        {
            base::SpinGuard hold{pool->lock};
            if (Worker* worker = find_worker_executing(*pool, work)) {
                running = true;
                gen = worker->current_gen;
            }
        }
        if (running)
            wait_instance(*pool, work, gen);
    }
    release_pending(work);
    return result == 1;
}

// wq_worker_sleeping(): the worker running 'self' stops counting as
// running and, if it was the last one and work is waiting, an idle worker
// takes over. Returns the worker to hand to end_blocking(), or null when
// nothing counted it (a BH item, a rescuer, an unbound pool's worker).
Worker* Workqueues::begin_blocking(Work& self) {
    Pool* pool = self.last_pool.load(cxxrt::memory_order::acquire);
    if (!pool || pool->bh)
        return nullptr;
    base::SpinGuard hold{pool->lock};
    Worker* worker = nullptr;
    for (Worker& busy : pool->busy)
        if (busy.current_work == &self && busy.running()) {
            worker = &busy;
            break;
        }
    if (!worker)
        return nullptr;
    set_worker_flags(*pool, *worker, worker_sleeping, 0);
    if (pool->nr_queued.load(relaxed) > 0 && pool->nr_running.load(relaxed) == 0 &&
        !pool->idle_list.empty()) {
        pool->counters.concurrency_wakeups.fetch_add(1, relaxed);
        kick_pool(*pool);
    }
    return worker;
}

// wq_worker_running(): counted as running again.
void Workqueues::end_blocking(Worker* worker) {
    if (!worker)
        return;
    Pool& pool = *worker->pool;
    base::SpinGuard hold{pool.lock};
    set_worker_flags(pool, *worker, 0, worker_sleeping);
}

bool Workqueues::block_in_work(Work& self, uint64_t ns) {
    if (!may_sleep("irqlab workqueue block_in_work"))
        return false;
    Worker* worker = begin_blocking(self);
    base::Thread::sleep_ns(ns);
    end_blocking(worker);
    return true;
}

bool Workqueues::wait_in_work(Work& self, base::Completion& done, uint64_t timeout_ns) {
    if (!may_sleep("irqlab workqueue wait_in_work"))
        return false;
    Worker* worker = begin_blocking(self);
    const bool completed = done.wait(timeout_ns) == base::WaitResult::completed;
    end_blocking(worker);
    return completed;
}

} // namespace irqlab::workqueue
