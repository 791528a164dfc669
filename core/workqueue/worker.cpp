// Worker threads: worker_thread(), process_one_work(), the manager
// (manage_workers / maybe_create_worker) and idle retirement of Linux
// kernel/workqueue.c.
#include "core/base/cpu.h"
#include "core/base/text.h"
#include "core/base/trace.h"
#include "core/workqueue/pool.h"
#include "core/workqueue/workqueues.h"
#include "cxxrt/new.h"
#include "irqlab/platform.h"

namespace irqlab::workqueue {

namespace {

// HIGHPRI_NICE_LEVEL (MIN_NICE) of kernel/workqueue.c.
constexpr int highpri_nice = -20;

constexpr auto relaxed = cxxrt::memory_order::relaxed;

// Linux's MAX_IDLE_WORKERS_RATIO: idle workers beyond two may be a quarter
// of the busy ones.
constexpr unsigned max_idle_workers_ratio = 4;

bool need_more_worker(const Pool& pool) {
    return pool.nr_queued.load(relaxed) > 0 && pool.nr_running.load(relaxed) == 0;
}

bool keep_working(const Pool& pool) {
    return pool.nr_queued.load(relaxed) > 0 && pool.nr_running.load(relaxed) <= 1;
}

bool may_start_working(const Pool& pool) {
    return pool.nr_idle.load(relaxed) > 0;
}

bool need_to_create_worker(const Pool& pool) {
    return need_more_worker(pool) && !may_start_working(pool);
}

bool too_many_workers(const Pool& pool) {
    const unsigned nr_idle = pool.nr_idle.load(relaxed) + (pool.manager_active ? 1 : 0);
    const unsigned nr_busy = pool.nr_workers.load(relaxed) - nr_idle;
    return nr_idle > 2 && (nr_idle - 2) * max_idle_workers_ratio >= nr_busy;
}

// Linux's names: kworker/N:M, kworker/N:MH, kworker/uP:M.
void name_worker(Worker& worker, const Pool& pool) {
    base::TextBuilder name{worker.name};
    name.text("irqlab-kworker/");
    if (pool.cpu >= 0)
        name.number(static_cast<unsigned>(pool.cpu));
    else
        name.text("u").number(pool.id);
    name.text(":").number(worker.id);
    if (pool.cpu >= 0 && pool.highpri)
        name.text("H");
}

void list_push(Worker*& head, Worker& worker) {
    worker.prev = nullptr;
    worker.next = head;
    if (head)
        head->prev = &worker;
    head = &worker;
}

void list_remove(Worker*& head, Worker& worker) {
    if (worker.prev)
        worker.prev->next = worker.next;
    else
        head = worker.next;
    if (worker.next)
        worker.next->prev = worker.prev;
    worker.next = worker.prev = nullptr;
}

// Sleeps until woken, told to stop, or 'timeout_ns' passed; no wake is
// lost because the flag is checked after announcing the sleep.
bool sleep_woken(Worker& worker, uint64_t timeout_ns) {
    const uint64_t deadline = base::now_ns() + timeout_ns;
    bool woken = false;
    for (;;) {
        irqlab_plat_prepare_to_sleep();
        woken = worker.wake_pending.load(cxxrt::memory_order::acquire);
        const uint64_t now = base::now_ns();
        if (woken || base::Thread::should_stop() || now >= deadline)
            break;
        irqlab_plat_schedule_timeout(deadline - now);
    }
    irqlab_plat_finish_sleep();
    return woken;
}

void sleep_interruptible(uint64_t ns) {
    const uint64_t deadline = base::now_ns() + ns;
    for (uint64_t now = base::now_ns(); now < deadline; now = base::now_ns()) {
        irqlab_plat_prepare_to_sleep();
        if (base::Thread::should_stop()) {
            irqlab_plat_finish_sleep();
            return;
        }
        irqlab_plat_schedule_timeout(deadline - now);
        irqlab_plat_finish_sleep();
    }
}

} // namespace

void Workqueues::set_counted(Pool& pool, Worker& worker, bool counted) {
    if (!pool.managed || worker.counted == counted)
        return;
    worker.counted = counted;
    pool.nr_running.store(pool.nr_running.load(relaxed) + (counted ? 1 : -1), relaxed);
}

// wake_up_worker() of kick_pool(): the most recently idle worker.
void Workqueues::kick_pool(Pool& pool) {
    if (pool.bh) {
        kick_bh(pool);
        return;
    }
    Worker* worker = pool.idle_head;
    if (!worker)
        return;
    worker->wake_pending.store(true, cxxrt::memory_order::release);
    worker->thread.wake();
}

void Workqueues::enter_idle(Pool& pool, Worker& worker) {
    worker.idle = true;
    worker.last_active_ns = base::now_ns();
    worker.idle_prev = nullptr;
    worker.idle_next = pool.idle_head;
    if (pool.idle_head)
        pool.idle_head->idle_prev = &worker;
    pool.idle_head = &worker;
    pool.nr_idle.store(pool.nr_idle.load(relaxed) + 1, relaxed);
}

void Workqueues::leave_idle(Pool& pool, Worker& worker) {
    if (!worker.idle)
        return;
    if (worker.idle_prev)
        worker.idle_prev->idle_next = worker.idle_next;
    else
        pool.idle_head = worker.idle_next;
    if (worker.idle_next)
        worker.idle_next->idle_prev = worker.idle_prev;
    worker.idle_next = worker.idle_prev = nullptr;
    worker.idle = false;
    pool.nr_idle.store(pool.nr_idle.load(relaxed) - 1, relaxed);
}

// create_worker(): called without the pool lock; the new worker starts
// idle and woken, as Linux's does.
bool Workqueues::create_worker(Pool& pool) {
    if (creation_fault_.load(relaxed)) {
        pool.counters.creation_failures.fetch_add(1, relaxed);
        return false;
    }
    Worker* worker = new (cxxrt::may_sleep_ctx) Worker{};
    if (!worker) {
        pool.counters.creation_failures.fetch_add(1, relaxed);
        return false;
    }
    worker->pool = &pool;
    {
        base::SpinGuard hold{pool.lock};
        if (pool.dying) {
            delete worker;
            return false;
        }
        // The lowest id no live, dying or starting worker uses (Linux's
        // ida). Until it runs, the worker is only on 'starting': shutdown
        // never frees it under its creator, whom it stops first.
        for (unsigned id = 0;; ++id) {
            bool used = false;
            for (Worker* other = pool.workers; other && !used; other = other->next)
                used = other->id == id;
            for (Worker* other = pool.dying_workers; other && !used; other = other->next)
                used = other->id == id;
            for (Worker* other = pool.starting; other && !used; other = other->next)
                used = other->id == id;
            if (!used) {
                worker->id = id;
                break;
            }
        }
        list_push(pool.starting, *worker);
    }
    name_worker(*worker, pool);
    const unsigned cpu = pool.cpu >= 0 ? static_cast<unsigned>(pool.cpu) : base::any_cpu;
    const bool started = worker->thread.start(worker_main, worker, cpu, worker->name);
    // Linux's highpri pools run their workers at HIGHPRI_NICE_LEVEL; the
    // worker waits for 'ready' below, so it runs no item at nice 0.
    if (started && pool.highpri)
        worker->thread.set_nice(highpri_nice);
    {
        base::SpinGuard hold{pool.lock};
        list_remove(pool.starting, *worker);
        if (started) {
            list_push(pool.workers, *worker);
            pool.nr_workers.store(pool.nr_workers.load(relaxed) + 1, relaxed);
            enter_idle(pool, *worker);
            worker->wake_pending.store(true, relaxed);
            worker->ready.store(true, cxxrt::memory_order::release);
            // Under the lock: once it is dropped, shutdown may free it.
            worker->thread.wake();
        }
    }
    if (!started) {
        delete worker;
        pool.counters.creation_failures.fetch_add(1, relaxed);
        return false;
    }
    pool.counters.created.fetch_add(1, relaxed);
    return true;
}

// Stops and frees workers that retired, except 'self'. Without the pool
// lock.
void Workqueues::reap_dying(Pool& pool, Worker* self) {
    for (;;) {
        Worker* worker;
        {
            base::SpinGuard hold{pool.lock};
            worker = pool.dying_workers;
            if (worker && worker == self)
                worker = worker->next;
            if (!worker)
                return;
            list_remove(pool.dying_workers, *worker);
        }
        worker->thread.stop();
        delete worker;
    }
}

// maybe_create_worker(): the pool lock is held on entry and exit. While
// creation fails the manager retries every cooldown and, after
// mayday_initial_ns, calls the rescuers (Linux arms pool->mayday_timer for
// that; the engine's manager sends the maydays itself between retries).
void Workqueues::maybe_create_worker(Pool& pool, unsigned long& flags) {
    uint64_t next_mayday = base::now_ns() + mayday_initial_ns_.load(relaxed);
    for (;;) {
        pool.lock.unlock_irqrestore(flags);
        reap_dying(pool, nullptr);
        const bool created = create_worker(pool);
        flags = pool.lock.lock_irqsave();
        if (created || !need_to_create_worker(pool) || pool.dying || base::Thread::should_stop())
            return;
        const uint64_t now = base::now_ns();
        if (now >= next_mayday) {
            send_mayday(pool);
            next_mayday = now + mayday_interval_ns_.load(relaxed);
        }
        uint64_t pause = create_cooldown_ns_.load(relaxed);
        if (next_mayday - now < pause)
            pause = next_mayday - now;
        pool.lock.unlock_irqrestore(flags);
        sleep_interruptible(pause);
        flags = pool.lock.lock_irqsave();
        if (!need_to_create_worker(pool) || pool.dying || base::Thread::should_stop())
            return;
    }
}

bool Workqueues::manage_workers(Worker& worker, unsigned long& flags) {
    Pool& pool = *worker.pool;
    if (pool.manager_active)
        return false;
    pool.manager_active = true;
    maybe_create_worker(pool, flags);
    pool.manager_active = false;
    return true;
}

// Idle culling (Linux's idle_timer and idle_cull_fn, done by the idle
// worker itself when its timeout passes). Pool lock held; on true the
// worker left the pool and the lock was dropped.
bool Workqueues::try_retire(Worker& worker) {
    Pool& pool = *worker.pool;
    if (!worker.idle || !too_many_workers(pool) ||
        base::now_ns() - worker.last_active_ns < idle_timeout_ns_.load(relaxed))
        return false;
    leave_idle(pool, worker);
    list_remove(pool.workers, worker);
    pool.nr_workers.store(pool.nr_workers.load(relaxed) - 1, relaxed);
    worker.on_dying = true;
    list_push(pool.dying_workers, worker);
    pool.counters.retired.fetch_add(1, relaxed);
    return true;
}

// process_one_work(): the pool lock is held on entry and exit; 'work' is
// on the worklist. An item another worker of the pool is still running
// goes to that worker instead (Linux's collision handling), which runs it
// next: one item never runs on two workers of a pool at once.
void Workqueues::process_one_work(Worker& worker, Work& work, unsigned long& flags) {
    Pool& pool = *worker.pool;
    unlink_worklist(pool, work);
    if (Worker* collision = find_worker_executing(pool, work)) {
        work.scheduled_on = collision;
        work.next = nullptr;
        work.prev = collision->scheduled_tail;
        if (collision->scheduled_tail)
            collision->scheduled_tail->next = &work;
        else
            collision->scheduled_head = &work;
        collision->scheduled_tail = &work;
        return;
    }
    run_one(worker, work, flags);
    // process_scheduled_works().
    while (Work* next = worker.scheduled_head) {
        unlink_scheduled(*next);
        run_one(worker, *next, flags);
    }
}

void Workqueues::unlink_scheduled(Work& work) {
    Worker& owner = *work.scheduled_on;
    if (work.prev)
        work.prev->next = work.next;
    else
        owner.scheduled_head = work.next;
    if (work.next)
        work.next->prev = work.prev;
    else
        owner.scheduled_tail = work.prev;
    work.next = work.prev = nullptr;
    work.scheduled_on = nullptr;
}

// Runs one item taken off the lists; lock held on entry and exit.
void Workqueues::run_one(Worker& worker, Work& work, unsigned long& flags) {
    Pool& pool = *worker.pool;
    PoolWorkqueue& pwq = *work.pwq;
    worker.current_work = &work;
    worker.current_func = work.func;
    worker.current_pwq = &pwq;
    worker.current_gen = work.queued_gen.load(relaxed);
    inflight_replace(work.inflight, worker.inflight);
    worker.busy_prev = nullptr;
    worker.busy_next = pool.busy;
    if (pool.busy)
        pool.busy->busy_prev = &worker;
    pool.busy = &worker;
    work.pwq = nullptr;
    work.pool.store(nullptr, relaxed);
    work.last_pool.store(&pool, cxxrt::memory_order::release);

    // CPU-intensive items do not hold back the pool's other items.
    const bool cpu_intensive = (pwq.wq->flags & wq_cpu_intensive) != 0 && !worker.rescuer;
    if (cpu_intensive && worker.counted) {
        set_counted(pool, worker, false);
        worker.cpu_intensive = true;
    }
    // Unbound pools (nr_running stays 0) spread out over idle workers here.
    if (!pool.bh && need_more_worker(pool))
        kick_pool(pool);
    // Cleared under the lock, after the item left the list: a queue_work()
    // from now on queues a new instance.
    work.data.fetch_and(~work_pending, cxxrt::memory_order::release);
    void (*func)(Work*) = worker.current_func;
    pool.lock.unlock_irqrestore(flags);

    trace_work(IRQLAB_EV_WORK_START, work, func);
    func(&work); // 'work' may be freed by now: the end event only names it
    trace_work(IRQLAB_EV_WORK_END, work, func);

    flags = pool.lock.lock_irqsave();
    if (worker.cpu_intensive) {
        worker.cpu_intensive = false;
        set_counted(pool, worker, true);
    }
    if (worker.busy_prev)
        worker.busy_prev->busy_next = worker.busy_next;
    else
        pool.busy = worker.busy_next;
    if (worker.busy_next)
        worker.busy_next->busy_prev = worker.busy_prev;
    worker.busy_next = worker.busy_prev = nullptr;
    inflight_unlink(worker.inflight);
    worker.current_work = nullptr;
    worker.current_func = nullptr;
    worker.current_pwq = nullptr;
    pool.counters.executed.fetch_add(1, relaxed);
    pwq.wq->executed.fetch_add(1, relaxed);
    if (worker.rescuer) {
        pool.counters.rescued.fetch_add(1, relaxed);
        pwq.wq->rescued.fetch_add(1, relaxed);
    }
    pwq_dec_active(pool, pwq);
    wake_waiters(pool);
}

int Workqueues::worker_main(void* raw) {
    auto& worker = *static_cast<Worker*>(raw);
    base::Thread::sleep_until([&] { return worker.ready.load(cxxrt::memory_order::acquire); });
    if (!base::Thread::should_stop())
        worker.pool->owner->worker_loop(worker);
    return 0;
}

// worker_thread().
void Workqueues::worker_loop(Worker& worker) {
    Pool& pool = *worker.pool;
    unsigned long flags = pool.lock.lock_irqsave();
    for (;;) {
        const bool woken = worker.wake_pending.exchange(false, cxxrt::memory_order::acq_rel);
        if (base::Thread::should_stop() || pool.dying)
            break;
        if (!woken && worker.idle) {
            if (try_retire(worker)) {
                pool.lock.unlock_irqrestore(flags);
                // Reaps earlier retirees, then waits for whoever reaps us.
                reap_dying(pool, &worker);
                base::Thread::sleep_until([] { return false; });
                return;
            }
        } else {
            leave_idle(pool, worker);
            for (;;) {
                if (!need_more_worker(pool))
                    break;
                if (!may_start_working(pool) && manage_workers(worker, flags))
                    continue;
                set_counted(pool, worker, true);
                do
                    process_one_work(worker, *pool.head, flags);
                while (keep_working(pool));
                set_counted(pool, worker, false);
                break;
            }
            enter_idle(pool, worker);
        }
        pool.lock.unlock_irqrestore(flags);
        sleep_woken(worker, idle_timeout_ns_.load(relaxed));
        flags = pool.lock.lock_irqsave();
    }
    leave_idle(pool, worker);
    pool.lock.unlock_irqrestore(flags);
    // kthreads run until kthread_stop(): whoever stops us frees us.
    base::Thread::sleep_until([] { return false; });
}

// Shutdown: every worker of the pool stopped and freed. Nothing may be
// queued any more.
void Workqueues::stop_pool_workers(Pool& pool) {
    {
        base::SpinGuard hold{pool.lock};
        pool.dying = true;
    }
    for (;;) {
        Worker* worker;
        {
            base::SpinGuard hold{pool.lock};
            worker = pool.dying_workers ? pool.dying_workers : pool.workers;
            if (!worker)
                break;
            // Out of the lists first: a retiring worker looks only at itself.
            if (worker == pool.dying_workers) {
                list_remove(pool.dying_workers, *worker);
            } else {
                leave_idle(pool, *worker);
                list_remove(pool.workers, *worker);
                pool.nr_workers.store(pool.nr_workers.load(relaxed) - 1, relaxed);
            }
        }
        worker->thread.stop();
        delete worker;
    }
}

} // namespace irqlab::workqueue
