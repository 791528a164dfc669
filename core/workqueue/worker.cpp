// Worker threads: worker_thread(), process_one_work(), the manager
// (manage_workers / maybe_create_worker) and idle retirement of Linux
// kernel/workqueue.c.
#include "core/base/counter.h"
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

bool too_many_workers(const Pool& pool) REQUIRES(pool.lock) {
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

// The lowest id no live, dying or starting worker uses (Linux's ida).
unsigned free_worker_id(Pool& pool) REQUIRES(pool.lock) {
    WorkerList* const lists[] = {&pool.workers, &pool.dying_workers, &pool.starting};
    for (unsigned id = 0;; ++id) {
        bool used = false;
        for (WorkerList* list : lists)
            for (Worker& other : *list)
                used = used || other.id == id;
        if (!used)
            return id;
    }
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

// worker_set_flags() and worker_clr_flags(), and the nr_running half of
// wq_worker_sleeping() and wq_worker_running(): the one writer of
// pool.nr_running, which counts the workers with no worker_not_running
// flag.
void Workqueues::set_worker_flags(Pool& pool, Worker& worker, unsigned set, unsigned clear) {
    pool.lock.assert_held();
    const bool was_running = worker.running();
    worker.flags = (worker.flags | set) & ~clear;
    if (worker.running() != was_running)
        base::bump(pool.nr_running, worker.running() ? 1 : -1);
}

// wake_up_worker() of kick_pool(): the most recently idle worker.
void Workqueues::kick_pool(Pool& pool) {
    pool.lock.assert_held();
    if (pool.bh) {
        kick_bh(pool);
        return;
    }
    Worker* worker = pool.idle_list.front();
    if (!worker)
        return;
    worker->wake_pending.store(true, cxxrt::memory_order::release);
    worker->thread.wake();
}

void Workqueues::enter_idle(Pool& pool, Worker& worker) {
    pool.lock.assert_held();
    set_worker_flags(pool, worker, worker_idle, 0);
    worker.last_active_ns = base::now_ns();
    pool.idle_list.push_front(worker);
    base::bump(pool.nr_idle, 1);
}

void Workqueues::leave_idle(Pool& pool, Worker& worker) {
    pool.lock.assert_held();
    if (!worker.is(worker_idle))
        return;
    IdleList::remove(worker);
    set_worker_flags(pool, worker, 0, worker_idle);
    base::bump(pool.nr_idle, -1);
}

// create_worker(): the new worker starts idle and woken, as Linux's does.
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
    unsigned cpu = base::any_cpu;
    {
        base::SpinGuard hold{pool.lock};
        if (pool.dying) {
            delete worker;
            return false;
        }
        // A disassociated pool's new worker is unbound from the start, as
        // worker_attach_to_pool() makes it.
        if (!pool.managed || pool.disassociated)
            worker->flags |= worker_unbound;
        else
            cpu = static_cast<unsigned>(pool.cpu);
        worker->bind_gen = pool.bind_gen;
        // Until it runs, the worker is only on 'starting': shutdown never
        // frees it under its creator, whom it stops first.
        worker->id = free_worker_id(pool);
        pool.starting.push_front(*worker);
    }
    name_worker(*worker, pool);
    const bool started = worker->thread.start(worker_main, worker, cpu, worker->name);
    // Linux's highpri pools run their workers at HIGHPRI_NICE_LEVEL; the
    // worker waits for 'ready' below, so it runs no item at nice 0.
    if (started && pool.highpri)
        worker->thread.set_nice(highpri_nice);
    {
        base::SpinGuard hold{pool.lock};
        WorkerList::remove(*worker);
        if (started) {
            pool.workers.push_front(*worker);
            base::bump(pool.nr_workers, 1);
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
            worker = pool.dying_workers.front();
            if (worker && worker == self)
                worker = pool.dying_workers.next(*worker);
            if (!worker)
                return;
            WorkerList::remove(*worker);
        }
        worker->thread.stop();
        delete worker;
    }
}

// maybe_create_worker(). While creation fails the manager retries every
// cooldown and, after mayday_initial_ns, calls the rescuers (Linux arms
// pool->mayday_timer for that; the engine's manager sends the maydays
// itself between retries).
void Workqueues::maybe_create_worker(Pool& pool) {
    pool.lock.assert_held();
    uint64_t next_mayday = base::now_ns() + mayday_initial_ns_.load(relaxed);
    for (;;) {
        bool created;
        {
            base::SpinUnlocked unlocked{pool.lock};
            reap_dying(pool, nullptr);
            created = create_worker(pool);
        }
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
        {
            base::SpinUnlocked unlocked{pool.lock};
            sleep_interruptible(pause);
        }
        if (!need_to_create_worker(pool) || pool.dying || base::Thread::should_stop())
            return;
    }
}

bool Workqueues::manage_workers(Pool& pool) {
    pool.lock.assert_held();
    if (pool.manager_active)
        return false;
    pool.manager_active = true;
    maybe_create_worker(pool);
    pool.manager_active = false;
    return true;
}

// Idle culling (Linux's idle_timer and idle_cull_fn, done by the idle
// worker itself when its timeout passes). On true the worker left the
// pool for its dying list.
bool Workqueues::try_retire(Pool& pool, Worker& worker) {
    pool.lock.assert_held();
    if (!worker.is(worker_idle) || !too_many_workers(pool) ||
        base::now_ns() - worker.last_active_ns < idle_timeout_ns_.load(relaxed))
        return false;
    leave_idle(pool, worker);
    WorkerList::remove(worker);
    base::bump(pool.nr_workers, -1);
    set_worker_flags(pool, worker, worker_die, 0);
    pool.dying_workers.push_front(worker);
    pool.counters.retired.fetch_add(1, relaxed);
    return true;
}

// process_one_work(): 'work' is on the worklist. An item another worker
// of the pool is still running goes to that worker instead (Linux's
// collision handling), which runs it next: one item never runs on two
// workers of a pool at once.
void Workqueues::process_one_work(Pool& pool, Worker& worker, Work& work) {
    pool.lock.assert_held();
    unlink_worklist(pool, work);
    if (Worker* collision = find_worker_executing(pool, work)) {
        work.scheduled_on = collision;
        collision->scheduled.push_back(work);
        return;
    }
    run_one(pool, worker, work);
    // process_scheduled_works().
    while (Work* next = worker.scheduled.front()) {
        unlink_scheduled(*next);
        run_one(pool, worker, *next);
    }
}

void Workqueues::unlink_scheduled(Work& work) {
    WorkList::remove(work);
    work.scheduled_on = nullptr;
}

// Runs one item taken off the lists, with the pool lock dropped around the
// function.
void Workqueues::run_one(Pool& pool, Worker& worker, Work& work) {
    pool.lock.assert_held();
    PoolWorkqueue& pwq = *work.pwq;
    worker.current_work = &work;
    worker.current_func = work.func;
    worker.current_pwq = &pwq;
    worker.current_gen = work.queued_gen.load(relaxed);
    worker.inflight.seq = work.inflight.seq;
    InflightList::replace(work.inflight, worker.inflight);
    pool.busy.push_front(worker);
    work.pwq = nullptr;
    work.pool.store(nullptr, relaxed);
    work.last_pool.store(&pool, cxxrt::memory_order::release);

    // CPU-intensive items do not hold back the pool's other items.
    const bool cpu_intensive = (pwq.wq->flags & wq_cpu_intensive) != 0 && !worker.rescue_wq;
    if (cpu_intensive && worker.running())
        set_worker_flags(pool, worker, worker_cpu_intensive, 0);
    // Unbound pools (nr_running stays 0) spread out over idle workers here.
    if (!pool.bh && need_more_worker(pool))
        kick_pool(pool);
    // Cleared under the lock, after the item left the list: a queue_work()
    // from now on queues a new instance.
    work.data.fetch_and(~work_pending, cxxrt::memory_order::release);
    void (*func)(Work*) = worker.current_func;
    {
        base::SpinUnlocked unlocked{pool.lock};
        trace_work(IRQLAB_EV_WORK_START, work, func);
        func(&work); // 'work' may be freed by now: the end event only names it
        trace_work(IRQLAB_EV_WORK_END, work, func);
    }
    set_worker_flags(pool, worker, 0, worker_cpu_intensive);
    BusyList::remove(worker);
    InflightList::remove(worker.inflight);
    worker.current_work = nullptr;
    worker.current_func = nullptr;
    worker.current_pwq = nullptr;
    pool.counters.executed.fetch_add(1, relaxed);
    pwq.wq->executed.fetch_add(1, relaxed);
    if (worker.rescue_wq) {
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
        worker.pool->owner->worker_loop(*worker.pool, worker);
    return 0;
}

// worker_thread().
void Workqueues::worker_loop(Pool& pool, Worker& worker) {
    bool retired = false;
    {
        base::SpinGuard hold{pool.lock};
        for (;;) {
            const bool woken = worker.wake_pending.exchange(false, cxxrt::memory_order::acq_rel);
            if (base::Thread::should_stop() || pool.dying)
                break;
            if (worker.bind_gen != pool.bind_gen)
                follow_binding(pool, worker);
            if (!woken && worker.is(worker_idle)) {
                retired = try_retire(pool, worker);
                if (retired)
                    break;
            } else {
                leave_idle(pool, worker);
                for (;;) {
                    if (!need_more_worker(pool))
                        break;
                    if (!may_start_working(pool) && manage_workers(pool))
                        continue;
                    set_worker_flags(pool, worker, 0, worker_prep | worker_rebound);
                    do
                        process_one_work(pool, worker, *pool.worklist.front());
                    while (keep_working(pool));
                    set_worker_flags(pool, worker, worker_prep, 0);
                    break;
                }
                enter_idle(pool, worker);
            }
            base::SpinUnlocked unlocked{pool.lock};
            sleep_woken(worker, idle_timeout_ns_.load(relaxed));
        }
        if (!retired)
            leave_idle(pool, worker);
    }
    // Reaps earlier retirees, then waits for whoever reaps us.
    if (retired)
        reap_dying(pool, &worker);
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
            worker = pool.dying_workers.front();
            const bool live = !worker;
            if (live)
                worker = pool.workers.front();
            if (!worker)
                break;
            // Out of the lists first: a retiring worker looks only at itself.
            WorkerList::remove(*worker);
            if (live) {
                leave_idle(pool, *worker);
                base::bump(pool.nr_workers, -1);
            }
        }
        worker->thread.stop();
        delete worker;
    }
}

} // namespace irqlab::workqueue
