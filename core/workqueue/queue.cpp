// Queueing and cancelling work items: __queue_work(), insert_work(), the
// pool_workqueue max_active accounting, and try_to_grab_pending() of Linux
// kernel/workqueue.c.
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
    work.next = work.prev = nullptr;
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
    for (Worker* worker = pool.busy; worker; worker = worker->busy_next)
        if (worker->current_work == &work && worker->current_func == work.func)
            return worker;
    return nullptr;
}

void Workqueues::append_worklist(Pool& pool, PoolWorkqueue& pwq, Work& work) {
    work.next = nullptr;
    work.prev = pool.tail;
    if (pool.tail)
        pool.tail->next = &work;
    else
        pool.head = &work;
    pool.tail = &work;
    work.inactive = false;
    ++pwq.nr_in_worklist;
    pool.nr_queued.store(pool.nr_queued.load(relaxed) + 1, relaxed);
}

void Workqueues::unlink_worklist(Pool& pool, Work& work) {
    if (work.prev)
        work.prev->next = work.next;
    else
        pool.head = work.next;
    if (work.next)
        work.next->prev = work.prev;
    else
        pool.tail = work.prev;
    work.next = work.prev = nullptr;
    --work.pwq->nr_in_worklist;
    pool.nr_queued.store(pool.nr_queued.load(relaxed) - 1, relaxed);
}

// pwq_dec_nr_active() and pwq_activate_first_inactive(): a slot freed up,
// so the oldest inactive item (if any) becomes active.
void Workqueues::pwq_dec_active(Pool& pool, PoolWorkqueue& pwq) {
    Work* first = pwq.inactive_head;
    if (!first) {
        pwq.nr_active.store(pwq.nr_active.load(relaxed) - 1, relaxed);
        return;
    }
    pwq.inactive_head = first->next;
    if (pwq.inactive_head)
        pwq.inactive_head->prev = nullptr;
    else
        pwq.inactive_tail = nullptr;
    pwq.nr_inactive.store(pwq.nr_inactive.load(relaxed) - 1, relaxed);
    trace_work(IRQLAB_EV_WORK_ACTIVATE, *first, first->func);
    append_worklist(pool, pwq, *first);
}

// insert_work() with the max_active check of __queue_work(); the pool lock
// is held and the caller owns PENDING.
void Workqueues::insert_work(Pool& pool, PoolWorkqueue& pwq, Work& work) {
    base::trace::emit(IRQLAB_EV_WORK_QUEUE, [&](irqlab_engine_event& ev) {
        ev.object = &work;
        ev.function = reinterpret_cast<const void*>(work.func);
        ev.line = work.trace_line;
        ev.name = pwq.wq->name;
        ev.cpu = pool.cpu;
    });
    work.pwq = &pwq;
    work.queued_gen.store(work.queued_gen.load(relaxed) + 1, relaxed);
    work.inflight.seq = ++pwq.seq;
    inflight_append(pwq.inflight, work.inflight);
    if (pwq.nr_active.load(relaxed) < pwq.wq->max_active) {
        pwq.nr_active.store(pwq.nr_active.load(relaxed) + 1, relaxed);
        trace_work(IRQLAB_EV_WORK_ACTIVATE, work, work.func);
        append_worklist(pool, pwq, work);
        work.pool.store(&pool, cxxrt::memory_order::release);
        if (pool.nr_queued.load(relaxed) > 0 && pool.nr_running.load(relaxed) == 0)
            kick_pool(pool);
        return;
    }
    work.inactive = true;
    work.next = nullptr;
    work.prev = pwq.inactive_tail;
    if (pwq.inactive_tail)
        pwq.inactive_tail->next = &work;
    else
        pwq.inactive_head = &work;
    pwq.inactive_tail = &work;
    pwq.nr_inactive.store(pwq.nr_inactive.load(relaxed) + 1, relaxed);
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
        if (work.prev)
            work.prev->next = work.next;
        else
            pwq.inactive_head = work.next;
        if (work.next)
            work.next->prev = work.prev;
        else
            pwq.inactive_tail = work.prev;
        work.next = work.prev = nullptr;
        work.inactive = false;
        pwq.nr_inactive.store(pwq.nr_inactive.load(relaxed) - 1, relaxed);
    } else {
        unlink_worklist(*pool, work);
        pwq_dec_active(*pool, pwq);
    }
    inflight_unlink(work.inflight);
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
    if (!refuse_sleep("irqlab cancel_work_sync"))
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

bool Workqueues::begin_blocking(Work& self, Pool*& pool, Worker*& worker) {
    pool = self.last_pool.load(cxxrt::memory_order::acquire);
    worker = nullptr;
    if (!pool || pool->bh)
        return true;
    base::SpinGuard hold{pool->lock};
    for (Worker* busy = pool->busy; busy; busy = busy->busy_next)
        if (busy->current_work == &self && !busy->sleeping) {
            worker = busy;
            break;
        }
    if (!worker || worker->rescuer)
        return true;
    // wq_worker_sleeping(): if this was the last running worker and work
    // is waiting, an idle worker takes over.
    worker->sleeping = true;
    if (worker->counted) {
        pool->nr_running.store(pool->nr_running.load(relaxed) - 1, relaxed);
        if (pool->nr_queued.load(relaxed) > 0 && pool->nr_running.load(relaxed) == 0 &&
            pool->idle_head) {
            pool->counters.concurrency_wakeups.fetch_add(1, relaxed);
            kick_pool(*pool);
        }
    }
    return true;
}

// wq_worker_running(): counted as running again.
void Workqueues::end_blocking(Pool* pool, Worker* worker) {
    if (!worker)
        return;
    base::SpinGuard hold{pool->lock};
    worker->sleeping = false;
    if (worker->counted)
        pool->nr_running.store(pool->nr_running.load(relaxed) + 1, relaxed);
}

bool Workqueues::block_in_work(Work& self, uint64_t ns) {
    if (!refuse_sleep("irqlab workqueue block_in_work"))
        return false;
    Pool* pool;
    Worker* worker;
    begin_blocking(self, pool, worker);
    base::Thread::sleep_ns(ns);
    end_blocking(pool, worker);
    return true;
}

bool Workqueues::wait_in_work(Work& self, base::Completion& done, uint64_t timeout_ns) {
    if (!refuse_sleep("irqlab workqueue wait_in_work"))
        return false;
    Pool* pool;
    Worker* worker;
    begin_blocking(self, pool, worker);
    const bool completed = done.wait(timeout_ns) == base::WaitResult::completed;
    end_blocking(pool, worker);
    return completed;
}

} // namespace irqlab::workqueue
