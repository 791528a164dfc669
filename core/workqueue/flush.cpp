// Waiting for work: flush_work(), flush_workqueue() and drain_workqueue().
//
// Linux queues barrier works and tracks flush colors; the engine gets the
// same guarantees from bookkeeping it already keeps under the pool lock:
// an instance is identified by (item, queued_gen), and every pwq keeps its
// unfinished instances oldest first, so "everything queued before the
// call" is "no inflight entry older than the pwq's last sequence number at
// the call". Waiters sleep on a completion that every finish or cancel on
// the pool signals, and re-check under the lock.
#include "core/base/cpu.h"
#include "core/workqueue/pool.h"
#include "core/workqueue/workqueues.h"

namespace irqlab::workqueue {

namespace {

constexpr auto relaxed = cxxrt::memory_order::relaxed;
// A safety net only: every state change that can end a wait signals.
constexpr uint64_t recheck_ns = 10'000'000;

struct Instance {
    Work* work;
    uint64_t gen;
};

// The predicates run under the pool lock (wait_pool()).
bool instance_done(Pool& pool, void* arg) REQUIRES(pool.lock) {
    const auto& instance = *static_cast<Instance*>(arg);
    Work& work = *instance.work;
    if (work.pool.load(relaxed) == &pool && work.queued_gen.load(relaxed) == instance.gen)
        return false;
    for (Worker& worker : pool.busy)
        if (worker.current_work == &work && worker.current_gen == instance.gen)
            return false;
    return true;
}

struct Older {
    PoolWorkqueue* pwq;
    uint64_t seq;
};

bool older_done(Pool&, void* arg) {
    const auto& older = *static_cast<Older*>(arg);
    const InflightNode* first = older.pwq->inflight.front();
    return !first || first->seq > older.seq;
}

bool pwq_empty(Pool&, void* arg) {
    return static_cast<PoolWorkqueue*>(arg)->inflight.empty();
}

} // namespace

void Workqueues::wake_waiters(Pool& pool) {
    pool.lock.assert_held();
    for (PoolWaiter& waiter : pool.waiters)
        waiter.done.complete();
}

void Workqueues::wait_pool(Pool& pool, PoolPredicate done, void* arg) {
    PoolWaiter waiter;
    const bool signalled = waiter.done.init(cxxrt::may_sleep_ctx);
    base::SpinGuard hold{pool.lock};
    while (!done(pool, arg)) {
        if (signalled)
            pool.waiters.push_front(waiter);
        {
            base::SpinUnlocked unlocked{pool.lock};
            if (signalled)
                waiter.done.wait(recheck_ns);
            else // out of memory for the completion: poll
                base::Thread::sleep_ns(recheck_ns / 10);
        }
        pool.waiters.remove(waiter);
    }
}

bool Workqueues::wait_instance(Pool& pool, Work& work, uint64_t gen) {
    Instance instance{&work, gen};
    wait_pool(pool, instance_done, &instance);
    return true;
}

// start_flush_work() and __flush_work().
bool Workqueues::flush_work(Work& work) {
    if (!may_sleep("irqlab flush_work"))
        return false;
    for (;;) {
        Pool* pool = work.pool.load(cxxrt::memory_order::acquire);
        if (!pool)
            pool = work.last_pool.load(cxxrt::memory_order::acquire);
        if (!pool)
            return false;
        uint64_t gen = 0;
        bool found = false;
        bool moved = false;
        {
            base::SpinGuard hold{pool->lock};
            if (work.pool.load(relaxed) == pool) {
                gen = work.queued_gen.load(relaxed);
                found = true;
            } else if (Worker* worker = find_worker_executing(*pool, work)) {
                gen = worker->current_gen;
                found = true;
            } else {
                // Queued on another pool since we looked: look there.
                Pool* now = work.pool.load(cxxrt::memory_order::acquire);
                moved = now && now != pool;
            }
        }
        if (found)
            return wait_instance(*pool, work, gen);
        if (!moved)
            return false;
    }
}

void Workqueues::flush_workqueue(Workqueue* wq) {
    if (!may_sleep("irqlab flush_workqueue"))
        return;
    // The last sequence number of every pwq at the call, then a wait per
    // pwq for its older instances.
    uint64_t stack_seqs[8];
    uint64_t* seqs =
        wq->nr_pwqs <= 8 ? stack_seqs : new (cxxrt::may_sleep_ctx) uint64_t[wq->nr_pwqs];
    for (unsigned i = 0; i < wq->nr_pwqs; ++i) {
        PoolWorkqueue& pwq = wq->pwqs[i];
        base::SpinGuard hold{pwq.pool->lock};
        const uint64_t seq = pwq.seq;
        if (seqs)
            seqs[i] = seq;
    }
    for (unsigned i = 0; i < wq->nr_pwqs; ++i) {
        PoolWorkqueue& pwq = wq->pwqs[i];
        if (seqs) {
            Older older{&pwq, seqs[i]};
            wait_pool(*pwq.pool, older_done, &older);
        } else { // out of memory: wait for the pwq to empty, a stronger wait
            wait_pool(*pwq.pool, pwq_empty, &pwq);
        }
    }
    if (seqs != stack_seqs)
        delete[] seqs;
}

void Workqueues::drain_workqueue(Workqueue* wq) {
    if (!may_sleep("irqlab drain_workqueue"))
        return;
    wq->draining.store(true, cxxrt::memory_order::release);
    wait_empty(wq);
    wq->draining.store(false, cxxrt::memory_order::release);
}

void Workqueues::wait_empty(Workqueue* wq) {
    for (unsigned i = 0; i < wq->nr_pwqs; ++i)
        wait_pool(*wq->pwqs[i].pool, pwq_empty, &wq->pwqs[i]);
}

} // namespace irqlab::workqueue
