// BH workqueues (WQ_BH, Linux 6.9+): per-CPU pools whose items run in
// engine softirq context, with no threads.
//
// Deliberate difference: Linux runs BH pools from tasklet_action() through
// workqueue_softirq_action() and kicks remote CPUs with irq_work. The
// engine drives each BH pool with a tasklet of its own (normal pool ->
// Tasklets::schedule, highpri pool -> hi_schedule) and kicks another CPU's
// pool through an engine timer armed to expire at once on that CPU, whose
// callback schedules the tasklet there.
#include "core/base/cpu.h"
#include "core/workqueue/pool.h"
#include "core/workqueue/workqueues.h"

namespace irqlab::workqueue {

namespace {

constexpr auto relaxed = cxxrt::memory_order::relaxed;

// bh_worker()'s bounds: BH_WORKER_RESTARTS and BH_WORKER_JIFFIES (2 ms).
constexpr unsigned bh_worker_restarts = 10;
constexpr uint64_t bh_worker_ns = 2'000'000;

Pool& pool_of_tasklet(softirq::Tasklet* tasklet) {
    return *static_cast<Pool*>(tasklet->data);
}

} // namespace

// Interrupts are off under the pool lock, so the CPU is stable. A pool of
// a CPU that is offline runs on the kicking CPU (workqueue_softirq_dead()).
void Workqueues::kick_bh(Pool& pool) {
    pool.lock.assert_held();
    const unsigned cpu = static_cast<unsigned>(pool.cpu);
    if (base::cpu_id() == cpu || !base::cpu_online(cpu)) {
        if (pool.highpri)
            tasklets_.hi_schedule(pool.tasklet);
        else
            tasklets_.schedule(pool.tasklet);
        return;
    }
    if (!timers_.pending(pool.kick_timer))
        timers_.mod_on(pool.kick_timer, base::now_ns(), cpu);
}

void Workqueues::bh_kick_timer_fn(timer::Timer* timer) {
    // The timer is the pool's kick_timer; find the pool from it.
    auto* pool = reinterpret_cast<Pool*>(reinterpret_cast<char*>(timer) -
                                         __builtin_offsetof(Pool, kick_timer));
    base::SpinGuard hold{pool->lock};
    if (pool->nr_queued.load(relaxed) > 0)
        pool->owner->kick_bh(*pool);
}

void Workqueues::bh_tasklet_fn(softirq::Tasklet* tasklet) {
    Pool& pool = pool_of_tasklet(tasklet);
    pool.owner->run_bh_pool(pool);
}

// bh_worker(): items until the pool is empty or the bounds are reached,
// then a re-kick for the rest.
void Workqueues::run_bh_pool(Pool& pool) {
    Worker& worker = *pool.bh_worker;
    const uint64_t end = base::now_ns() + bh_worker_ns;
    unsigned restarts = bh_worker_restarts;
    base::SpinGuard hold{pool.lock};
    while (Work* work = pool.worklist.front()) {
        process_one_work(pool, worker, *work);
        if (--restarts == 0 || base::now_ns() >= end)
            break;
    }
    if (!pool.worklist.empty())
        kick_bh(pool);
}

} // namespace irqlab::workqueue
