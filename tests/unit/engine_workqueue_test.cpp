// The engine's workqueues (core/workqueue/): queueing, max_active, ordered
// workqueues, flush and cancel, delayed work, concurrency management,
// CPU-intensive items, worker names and retirement, draining, BH
// workqueues, rescuers, and queueing from engine hardirq context.
#include "core/base/completion.h"
#include "core/base/cpu.h"
#include "core/base/thread.h"
#include "core/engine/context.h"
#include "core/softirq/softirqs.h"
#include "core/softirq/tasklet.h"
#include "core/timer/timers.h"
#include "core/workqueue/workqueues.h"
#include "hosted/hosted_platform.h"
#include "irqlab/platform.h"

#include "tests/unit/engine_threads.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace engine_workqueue_test {

using irqlab::test::OnCpu;
using irqlab::test::wait_until;

using irqlab::engine::Context;
using irqlab::engine::HardirqScope;
using irqlab::softirq::Softirqs;
using irqlab::softirq::Tasklets;
using irqlab::timer::Timers;
using namespace irqlab::workqueue;
using namespace std::chrono_literals;

constexpr uint64_t ms = 1'000'000ull;

// A work item whose function records what happened and runs 'body'.
struct Probe {
    Work work;
    std::atomic<int> runs{0};
    std::atomic<bool> running{false};
    std::atomic<unsigned> cpu{~0u};
    std::atomic<uint64_t> ran_at{0};
    std::function<void(Probe&)> body;

    Probe() {
        init_work(work, fn);
        work.user = this;
    }
    static void fn(Work* work) {
        auto* self = static_cast<Probe*>(work->user);
        self->running = true;
        self->cpu = irqlab::base::cpu_id();
        self->ran_at = irqlab::base::now_ns();
        if (self->body)
            self->body(*self);
        self->running = false;
        // Last: a test that saw the count may end, and the probe with it.
        self->runs.fetch_add(1);
    }
};

struct DelayedProbe {
    DelayedWork dwork;
    std::atomic<int> runs{0};
    std::atomic<uint64_t> ran_at{0};
    DelayedProbe() {
        init_delayed_work(dwork, fn);
        dwork.work.user = this;
    }
    static void fn(Work* work) {
        auto* self = static_cast<DelayedProbe*>(work->user);
        self->ran_at = irqlab::base::now_ns();
        self->runs.fetch_add(1);
    }
};

class WorkqueueTest : public testing::Test {
protected:
    void SetUp() override {
        ASSERT_TRUE(context.init());
        ASSERT_TRUE(softirqs.init());
        ASSERT_TRUE(tasklets.init());
        ASSERT_TRUE(softirqs.start_daemons());
        ASSERT_TRUE(timers.init());
        ASSERT_TRUE(wqs.init());
    }
    void TearDown() override {
        wqs.shutdown();
        timers.stop();
        softirqs.stop_daemons();
    }

    PoolStats pool(unsigned index) {
        PoolStats stats;
        EXPECT_TRUE(wqs.pool_stats(index, stats));
        return stats;
    }
    WorkqueueStats stats_of(Workqueue* wq) {
        WorkqueueStats stats;
        EXPECT_TRUE(wqs.workqueue_stats(wq, stats));
        return stats;
    }

    Context context;
    Softirqs softirqs{context};
    Tasklets tasklets{softirqs};
    Timers timers{softirqs};
    Workqueues wqs{context, softirqs, tasklets, timers};
};

using WorkqueueBasic = WorkqueueTest;
using WorkqueueFlush = WorkqueueTest;
using WorkqueueCancel = WorkqueueTest;
using WorkqueueDelayed = WorkqueueTest;
using WorkqueueConcurrency = WorkqueueTest;
using WorkqueueWorkers = WorkqueueTest;
using WorkqueueBh = WorkqueueTest;
using WorkqueueRescuer = WorkqueueTest;
using WorkqueueContext = WorkqueueTest;

TEST_F(WorkqueueBasic, InitCreatesPoolsWorkersAndSystemWorkqueues) {
    const unsigned cpus = irqlab::base::nr_cpu_ids();
    EXPECT_EQ(wqs.pool_count(), cpus * 4 + 2);
    for (unsigned i = 0; i < wqs.pool_count(); ++i) {
        const PoolStats stats = pool(i);
        EXPECT_EQ(stats.id, i);
        EXPECT_EQ(stats.workers, stats.bh ? 0u : 1u);
    }
    EXPECT_EQ(pool(wqs.cpu_pool_index(2, true)).cpu, 2);
    EXPECT_TRUE(pool(wqs.cpu_pool_index(2, true)).highpri);
    EXPECT_TRUE(pool(wqs.bh_pool_index(1, false)).bh);
    EXPECT_EQ(pool(wqs.unbound_pool_index(false)).cpu, -1);
    std::vector<std::string> names;
    const unsigned count = wqs.for_each_workqueue(
        [](const WorkqueueStats& stats, void* arg) {
            static_cast<std::vector<std::string>*>(arg)->push_back(stats.name);
        },
        &names);
    EXPECT_EQ(count, 6u);
    WorkqueueStats first;
    EXPECT_EQ(wqs.workqueue_at(0, first), 6u);
    EXPECT_EQ(std::string{first.name}, names.front());
    WorkqueueStats none;
    EXPECT_EQ(wqs.workqueue_at(6, none), 6u);
    EXPECT_EQ(none.name[0], '\0');
    for (const char* name : {"events", "events_highpri", "events_long", "events_unbound",
                             "events_bh", "events_bh_highpri"})
        EXPECT_NE(std::find(names.begin(), names.end(), name), names.end()) << name;
    EXPECT_EQ(stats_of(wqs.system_unbound_wq()).max_active, wq_max_active);
    EXPECT_EQ(stats_of(wqs.system_wq()).max_active, wq_dfl_active);
}

TEST(WorkqueueNice, HighpriWorkersRunAtNiceMinus20AndNoOtherIs) {
    // Linux gives highpri pools' workers HIGHPRI_NICE_LEVEL (-20), the
    // others the default 0, which needs no call.
    const unsigned long before = irqlab::hosted::threads_given_nice(-20);
    const unsigned long others_before = irqlab::hosted::threads_given_nice(0);
    {
        Context context;
        Softirqs softirqs{context};
        Tasklets tasklets{softirqs};
        Timers timers{softirqs};
        Workqueues wqs{context, softirqs, tasklets, timers};
        ASSERT_TRUE(context.init() && softirqs.init() && tasklets.init() &&
                    softirqs.start_daemons() && timers.init() && wqs.init());
        unsigned highpri_workers = 0;
        for (unsigned i = 0; i < wqs.pool_count(); ++i) {
            PoolStats stats;
            ASSERT_TRUE(wqs.pool_stats(i, stats));
            if (stats.highpri && !stats.bh)
                highpri_workers += stats.workers;
        }
        EXPECT_EQ(highpri_workers, irqlab::base::nr_cpu_ids() + 1);
        EXPECT_EQ(irqlab::hosted::threads_given_nice(-20) - before, highpri_workers);
        wqs.shutdown();
        timers.stop();
        softirqs.stop_daemons();
    }
    EXPECT_EQ(irqlab::hosted::threads_given_nice(0), others_before);
}

TEST_F(WorkqueueBasic, QueueRunsOnceOnTheCpuAskedAndPendingIsNotCounted) {
    Probe probe;
    EXPECT_TRUE(wqs.queue_work_on(3, wqs.system_wq(), probe.work));
    ASSERT_TRUE(wait_until([&] { return probe.runs == 1 && !probe.work.pending(); }));
    EXPECT_EQ(probe.cpu, 3u);

    // Held behind a blocked item of an ordered workqueue, it stays pending.
    Workqueue* ordered = wqs.alloc_ordered_workqueue("ordered", 0);
    ASSERT_NE(ordered, nullptr);
    std::atomic<bool> gate{false};
    Probe blocker;
    blocker.body = [&](Probe&) { wait_until([&] { return gate.load(); }); };
    EXPECT_TRUE(wqs.queue_work(ordered, blocker.work));
    EXPECT_TRUE(wqs.queue_work(ordered, probe.work));
    EXPECT_FALSE(wqs.queue_work(ordered, probe.work));
    EXPECT_FALSE(wqs.queue_work_on(1, wqs.system_wq(), probe.work));
    EXPECT_TRUE(probe.work.pending());
    EXPECT_EQ(stats_of(ordered).inactive, 1);
    gate = true;
    wqs.flush_workqueue(ordered);
    EXPECT_EQ(probe.runs, 2);
    EXPECT_EQ(stats_of(ordered).executed, 2u);
    wqs.destroy_workqueue(ordered);
}

TEST_F(WorkqueueBasic, MaxActiveLimitsItemsInFlight) {
    Workqueue* wq = wqs.alloc_workqueue("limited", wq_unbound, 3);
    ASSERT_NE(wq, nullptr);
    constexpr int items = 20;
    std::atomic<int> in_flight{0};
    std::atomic<int> most{0};
    std::atomic<bool> gate{false};
    std::vector<Probe> probes(items);
    for (auto& probe : probes) {
        probe.body = [&](Probe&) {
            const int now = in_flight.fetch_add(1) + 1;
            int seen = most.load();
            while (now > seen && !most.compare_exchange_weak(seen, now)) {
            }
            wait_until([&] { return gate.load(); });
            in_flight.fetch_sub(1);
        };
        ASSERT_TRUE(wqs.queue_work(wq, probe.work));
    }
    ASSERT_TRUE(wait_until([&] { return in_flight == 3; }));
    WorkqueueStats stats = stats_of(wq);
    EXPECT_EQ(stats.in_flight, 3);
    EXPECT_EQ(stats.inactive, items - 3);
    EXPECT_EQ(stats.max_active, 3);
    gate = true;
    wqs.flush_workqueue(wq);
    for (auto& probe : probes)
        EXPECT_EQ(probe.runs, 1);
    EXPECT_EQ(most, 3);
    stats = stats_of(wq);
    EXPECT_EQ(stats.in_flight, 0);
    EXPECT_EQ(stats.inactive, 0);
    EXPECT_EQ(stats.executed, static_cast<uint64_t>(items));
    wqs.destroy_workqueue(wq);

    // 0 means the default, more than WQ_MAX_ACTIVE is clamped.
    Workqueue* dfl = wqs.alloc_workqueue("dfl", 0, 0);
    Workqueue* big = wqs.alloc_workqueue("big", 0, 100000);
    EXPECT_EQ(stats_of(dfl).max_active, wq_dfl_active);
    EXPECT_EQ(stats_of(big).max_active, wq_max_active);
    wqs.destroy_workqueue(dfl);
    wqs.destroy_workqueue(big);
    EXPECT_EQ(wqs.alloc_workqueue("bad", wq_bh | wq_unbound, 0), nullptr);
}

TEST_F(WorkqueueBasic, OrderedRunsOneAtATimeInQueueingOrder) {
    Workqueue* wq = wqs.alloc_ordered_workqueue("ordered", 0);
    ASSERT_NE(wq, nullptr);
    constexpr int items = 50;
    std::mutex lock;
    std::vector<int> order;
    std::atomic<int> in_flight{0};
    std::atomic<int> overlaps{0};
    std::vector<Probe> probes(items);
    for (int i = 0; i < items; ++i) {
        probes[i].body = [&, i](Probe&) {
            if (in_flight.fetch_add(1) != 0)
                overlaps.fetch_add(1);
            std::this_thread::sleep_for(50us);
            {
                std::lock_guard hold{lock};
                order.push_back(i);
            }
            in_flight.fetch_sub(1);
        };
        // Queued from several CPUs: order is still the queueing order.
        ASSERT_TRUE(wqs.queue_work_on(i % 4, wq, probes[i].work));
    }
    wqs.flush_workqueue(wq);
    ASSERT_EQ(order.size(), static_cast<size_t>(items));
    for (int i = 0; i < items; ++i)
        EXPECT_EQ(order[i], i);
    EXPECT_EQ(overlaps, 0);
    EXPECT_EQ(stats_of(wq).flags & (wq_unbound | wq_ordered), wq_unbound | wq_ordered);
    EXPECT_EQ(stats_of(wq).max_active, 1);
    wqs.destroy_workqueue(wq);
}

TEST_F(WorkqueueFlush, FlushWorkWaitsForTheInstanceQueuedBefore) {
    Probe probe;
    EXPECT_FALSE(wqs.flush_work(probe.work)); // never queued
    std::atomic<bool> gate{false};
    probe.body = [&](Probe&) { wait_until([&] { return gate.load(); }); };
    ASSERT_TRUE(wqs.queue_work(wqs.system_unbound_wq(), probe.work));
    ASSERT_TRUE(wait_until([&] { return probe.running.load(); }));
    std::atomic<bool> flushed{false};
    std::atomic<int> runs_at_return{-1};
    std::thread flusher{[&] {
        flushed = wqs.flush_work(probe.work);
        runs_at_return = probe.runs.load();
    }};
    std::this_thread::sleep_for(20ms);
    EXPECT_EQ(runs_at_return, -1); // still waiting
    gate = true;
    flusher.join();
    EXPECT_TRUE(flushed);
    EXPECT_EQ(runs_at_return, 1);
    EXPECT_FALSE(wqs.flush_work(probe.work)); // idle again
}

TEST_F(WorkqueueFlush, FlushWorkqueueWaitsForAllEarlierWork) {
    constexpr int items = 40;
    std::vector<Probe> probes(items);
    std::atomic<int> done{0};
    for (int i = 0; i < items; ++i) {
        probes[i].body = [&](Probe& self) {
            wqs.block_in_work(self.work, 200'000);
            done.fetch_add(1);
        };
        ASSERT_TRUE(wqs.queue_work_on(i % 4, wqs.system_wq(), probes[i].work));
    }
    wqs.flush_workqueue(wqs.system_wq());
    EXPECT_EQ(done, items);
    for (auto& probe : probes)
        EXPECT_EQ(probe.runs, 1);
}

TEST_F(WorkqueueCancel, CancelSyncNeverReturnsWhileTheWorkRuns) {
    Probe probe;
    std::atomic<bool> gate{false};
    probe.body = [&](Probe&) { wait_until([&] { return gate.load(); }); };
    ASSERT_TRUE(wqs.queue_work_on(1, wqs.system_wq(), probe.work));
    ASSERT_TRUE(wait_until([&] { return probe.running.load(); }));
    std::thread opener{[&] {
        std::this_thread::sleep_for(20ms);
        gate = true;
    }};
    const bool was_pending = wqs.cancel_work_sync(probe.work);
    EXPECT_FALSE(probe.running);
    EXPECT_EQ(probe.runs, 1);
    EXPECT_FALSE(was_pending); // it was running, not pending
    EXPECT_FALSE(probe.work.pending());
    opener.join();

    // A pending item is taken off and never runs.
    Workqueue* ordered = wqs.alloc_ordered_workqueue("ordered", 0);
    gate = false;
    Probe blocker;
    blocker.body = [&](Probe&) { wait_until([&] { return gate.load(); }); };
    ASSERT_TRUE(wqs.queue_work(ordered, blocker.work));
    ASSERT_TRUE(wqs.queue_work(ordered, probe.work));
    EXPECT_TRUE(wqs.cancel_work_sync(probe.work));
    EXPECT_FALSE(probe.work.pending());
    EXPECT_EQ(stats_of(ordered).inactive, 0);
    gate = true;
    wqs.flush_workqueue(ordered);
    EXPECT_EQ(probe.runs, 1);
    // cancel of an idle item: not pending, and it stays queueable.
    EXPECT_FALSE(wqs.cancel_work_sync(probe.work));
    EXPECT_TRUE(wqs.queue_work(ordered, probe.work));
    wqs.flush_workqueue(ordered);
    EXPECT_EQ(probe.runs, 2);
    wqs.destroy_workqueue(ordered);
}

TEST_F(WorkqueueDelayed, FiresNoEarlierThanAskedAndCancelPreventsIt) {
    DelayedProbe probe;
    const uint64_t queued_at = irqlab::base::now_ns();
    ASSERT_TRUE(wqs.queue_delayed_work_on(2, wqs.system_wq(), probe.dwork, 30 * ms));
    EXPECT_FALSE(wqs.queue_delayed_work(wqs.system_wq(), probe.dwork, 30 * ms));
    ASSERT_TRUE(wait_until([&] { return probe.runs == 1; }));
    EXPECT_GE(probe.ran_at.load(), queued_at + 30 * ms);

    DelayedProbe cancelled;
    ASSERT_TRUE(wqs.queue_delayed_work(wqs.system_wq(), cancelled.dwork, 10'000 * ms));
    EXPECT_TRUE(wqs.cancel_delayed_work_sync(cancelled.dwork));
    EXPECT_FALSE(timers.pending(cancelled.dwork.timer));
    EXPECT_FALSE(cancelled.dwork.work.pending());
    EXPECT_FALSE(wqs.cancel_delayed_work(cancelled.dwork));
    EXPECT_EQ(cancelled.runs, 0);

    // mod_delayed_work re-arms; flush_delayed_work runs it at once.
    ASSERT_TRUE(wqs.queue_delayed_work(wqs.system_unbound_wq(), cancelled.dwork, 10'000 * ms));
    EXPECT_TRUE(wqs.mod_delayed_work(wqs.system_unbound_wq(), cancelled.dwork, 20'000 * ms));
    wqs.flush_delayed_work(cancelled.dwork); // false if it already ran
    EXPECT_EQ(cancelled.runs, 1);
    EXPECT_FALSE(wqs.mod_delayed_work(wqs.system_unbound_wq(), cancelled.dwork, 0));
    ASSERT_TRUE(wait_until([&] { return cancelled.runs == 2; }));
}

TEST_F(WorkqueueConcurrency, BlockingWakesASecondWorker) {
    irqlab::base::Completion done;
    ASSERT_TRUE(done.init(cxxrt::may_sleep_ctx));
    std::atomic<bool> completed{false};
    std::atomic<bool> second_queued{false};
    Probe first;
    Probe second;
    // Blocks once the second item waits behind it: nr_running drops to 0
    // with work pending, so an idle worker is woken for it.
    first.body = [&](Probe& self) {
        wait_until([&] { return second_queued.load(); });
        completed = wqs.wait_in_work(self.work, done, 10'000 * ms);
    };
    second.body = [&](Probe&) { done.complete(); };
    const uint64_t before = pool(wqs.cpu_pool_index(1, false)).concurrency_wakeups;
    ASSERT_TRUE(wqs.queue_work_on(1, wqs.system_wq(), first.work));
    ASSERT_TRUE(wait_until([&] { return first.running.load(); }));
    ASSERT_TRUE(wqs.queue_work_on(1, wqs.system_wq(), second.work));
    EXPECT_EQ(pool(wqs.cpu_pool_index(1, false)).running, 1);
    second_queued = true;
    ASSERT_TRUE(wait_until([&] { return first.runs == 1 && second.runs == 1; }));
    EXPECT_TRUE(completed); // the second ran while the first was blocked
    EXPECT_EQ(first.cpu, 1u);
    EXPECT_EQ(second.cpu, 1u);
    EXPECT_GE(pool(wqs.cpu_pool_index(1, false)).concurrency_wakeups, before + 1);
}

TEST_F(WorkqueueConcurrency, SpinningWithoutBlockingHoldsBackTheNextItem) {
    std::atomic<bool> release{false};
    Probe spinner;
    Probe next;
    spinner.body = [&](Probe&) {
        while (!release)
            std::this_thread::yield();
    };
    ASSERT_TRUE(wqs.queue_work_on(2, wqs.system_wq(), spinner.work));
    ASSERT_TRUE(wait_until([&] { return spinner.running.load(); }));
    ASSERT_TRUE(wqs.queue_work_on(2, wqs.system_wq(), next.work));
    ASSERT_TRUE(wait_until([&] { return pool(wqs.cpu_pool_index(2, false)).idle >= 1; }));
    std::this_thread::sleep_for(50ms);
    EXPECT_EQ(next.runs, 0);
    EXPECT_FALSE(next.running);
    EXPECT_EQ(pool(wqs.cpu_pool_index(2, false)).running, 1);
    EXPECT_EQ(pool(wqs.cpu_pool_index(2, false)).queued, 1u);
    release = true;
    ASSERT_TRUE(wait_until([&] { return next.runs == 1; }));
}

TEST_F(WorkqueueConcurrency, CpuIntensiveItemsDoNotHoldBackOthers) {
    Workqueue* wq = wqs.alloc_workqueue("intensive", wq_cpu_intensive, 0);
    ASSERT_NE(wq, nullptr);
    std::atomic<bool> other_ran{false};
    std::atomic<bool> saw_other{false};
    Probe spinner;
    Probe other;
    spinner.body = [&](Probe&) { saw_other = wait_until([&] { return other_ran.load(); }); };
    other.body = [&](Probe&) { other_ran = true; };
    ASSERT_TRUE(wqs.queue_work_on(3, wq, spinner.work));
    ASSERT_TRUE(wait_until([&] { return spinner.running.load(); }));
    EXPECT_EQ(pool(wqs.cpu_pool_index(3, false)).running, 0);
    ASSERT_TRUE(wqs.queue_work_on(3, wqs.system_wq(), other.work));
    ASSERT_TRUE(wait_until([&] { return spinner.runs == 1; }));
    EXPECT_TRUE(saw_other); // ran while the spinner spun
    wqs.destroy_workqueue(wq);
}

void collect_name(const char* name, bool, void* arg) {
    static_cast<std::vector<std::string>*>(arg)->push_back(name);
}

TEST_F(WorkqueueWorkers, NamesFollowLinux) {
    std::vector<std::string> names;
    EXPECT_EQ(wqs.for_each_worker(wqs.cpu_pool_index(1, false), collect_name, &names), 1u);
    EXPECT_EQ(wqs.for_each_worker(wqs.cpu_pool_index(2, true), collect_name, &names), 1u);
    const unsigned unbound = wqs.unbound_pool_index(false);
    EXPECT_EQ(wqs.for_each_worker(unbound, collect_name, &names), 1u);
    EXPECT_EQ(wqs.for_each_worker(wqs.bh_pool_index(0, false), collect_name, &names), 0u);
    ASSERT_EQ(names.size(), 3u);
    EXPECT_EQ(names[0], "irqlab-kworker/1:0");
    EXPECT_EQ(names[1], "irqlab-kworker/2:0H");
    EXPECT_EQ(names[2], "irqlab-kworker/u" + std::to_string(unbound) + ":0");
}

TEST_F(WorkqueueWorkers, ExtraIdleWorkersRetireAfterTheTimeout) {
    auto tunables = wqs.tunables();
    tunables.idle_timeout_ns = 30 * ms;
    wqs.set_tunables(tunables);
    constexpr int items = 6;
    std::atomic<int> started{0};
    std::atomic<bool> gate{false};
    std::vector<Probe> probes(items);
    for (auto& probe : probes) {
        // Each blocks visibly, so the pool starts the next on a new worker.
        probe.body = [&](Probe& self) {
            started.fetch_add(1);
            while (!gate)
                wqs.block_in_work(self.work, 200'000);
        };
        ASSERT_TRUE(wqs.queue_work_on(2, wqs.system_wq(), probe.work));
    }
    const unsigned index = wqs.cpu_pool_index(2, false);
    ASSERT_TRUE(wait_until([&] { return started == items; }));
    EXPECT_GE(pool(index).workers, static_cast<unsigned>(items) + 1);
    std::vector<std::string> names;
    wqs.for_each_worker(index, collect_name, &names);
    for (int id = 0; id <= items; ++id)
        EXPECT_NE(std::find(names.begin(), names.end(), "irqlab-kworker/2:" + std::to_string(id)),
                  names.end());
    gate = true;
    wqs.flush_workqueue(wqs.system_wq());
    // All idle now: retire down to two idle workers (too_many_workers()).
    ASSERT_TRUE(wait_until([&] { return pool(index).workers == 2; }));
    const PoolStats stats = pool(index);
    EXPECT_EQ(stats.idle, 2u);
    EXPECT_EQ(stats.workers_retired, stats.workers_created - 2);
    EXPECT_GE(stats.workers_retired, static_cast<uint64_t>(items) - 1);
}

TEST_F(WorkqueueWorkers, DestroyDrainsAndRefusesNewWork) {
    Workqueue* wq = wqs.alloc_ordered_workqueue("draining", 0);
    ASSERT_NE(wq, nullptr);
    std::atomic<bool> gate{false};
    Probe blocker;
    blocker.body = [&](Probe&) { wait_until([&] { return gate.load(); }); };
    constexpr int items = 10;
    std::vector<Probe> probes(items);
    ASSERT_TRUE(wqs.queue_work(wq, blocker.work));
    for (auto& probe : probes)
        ASSERT_TRUE(wqs.queue_work(wq, probe.work));
    std::atomic<bool> destroyed{false};
    std::thread destroyer{[&] {
        wqs.destroy_workqueue(wq);
        destroyed = true;
    }};
    Probe late;
    // Until the drain starts a queueing may still succeed: take it back.
    ASSERT_TRUE(wait_until([&] {
        if (!wqs.queue_work(wq, late.work))
            return true;
        EXPECT_TRUE(wqs.cancel_work(late.work));
        return false;
    }));
    EXPECT_FALSE(late.work.pending());
    EXPECT_GE(stats_of(wq).refused, 1u);
    EXPECT_FALSE(destroyed);
    gate = true;
    destroyer.join();
    for (auto& probe : probes)
        EXPECT_EQ(probe.runs, 1);
    EXPECT_EQ(late.runs, 0);
    EXPECT_EQ(wqs.for_each_workqueue([](const WorkqueueStats&, void*) {}, nullptr), 6u);
}

TEST_F(WorkqueueBh, RunsInServingSoftirqContextOnTheCpu) {
    for (Workqueue* wq : {wqs.system_bh_wq(), wqs.system_bh_highpri_wq()}) {
        for (unsigned cpu : {0u, 3u}) {
            Probe probe;
            std::atomic<bool> in_softirq{false};
            std::atomic<bool> in_hardirq{true};
            probe.body = [&](Probe&) {
                in_softirq = context.in_serving_softirq();
                in_hardirq = context.in_hardirq();
            };
            ASSERT_TRUE(wqs.queue_work_on(cpu, wq, probe.work));
            ASSERT_TRUE(wait_until([&] { return probe.runs == 1; }));
            EXPECT_TRUE(in_softirq);
            EXPECT_FALSE(in_hardirq);
            EXPECT_EQ(probe.cpu, cpu);
            EXPECT_TRUE(wqs.flush_work(probe.work) || probe.runs == 1);
        }
    }
    EXPECT_GE(pool(wqs.bh_pool_index(3, false)).executed, 1u);
    EXPECT_GE(pool(wqs.bh_pool_index(3, true)).executed, 1u);
    // Sleeping in a BH item is refused.
    Probe sleeper;
    std::atomic<int> slept{-1};
    sleeper.body = [&](Probe& self) { slept = wqs.block_in_work(self.work, 1000); };
    ASSERT_TRUE(wqs.queue_work_on(0, wqs.system_bh_wq(), sleeper.work));
    ASSERT_TRUE(wait_until([&] { return sleeper.runs == 1; }));
    EXPECT_EQ(slept, 0);
    EXPECT_GE(wqs.atomic_refusals(), 1u);
}

TEST_F(WorkqueueRescuer, RescuerRunsReclaimWorkWhileCreationFails) {
    auto tunables = wqs.tunables();
    tunables.create_cooldown_ns = 2 * ms;
    wqs.set_tunables(tunables);
    Workqueue* reclaim = wqs.alloc_workqueue("reclaim", wq_mem_reclaim, 0);
    Workqueue* plain = wqs.alloc_workqueue("plain", 0, 0);
    ASSERT_NE(reclaim, nullptr);
    ASSERT_NE(plain, nullptr);
    const unsigned index = wqs.cpu_pool_index(3, false);
    wqs.set_worker_creation_fault(true);
    Probe normal;
    Probe rescued;
    ASSERT_TRUE(wqs.queue_work_on(3, plain, normal.work));
    ASSERT_TRUE(wqs.queue_work_on(3, reclaim, rescued.work));
    ASSERT_TRUE(wait_until([&] { return rescued.runs == 1; }));
    EXPECT_EQ(normal.runs, 0); // waits for a worker
    PoolStats stats = pool(index);
    EXPECT_GE(stats.creation_failures, 1u);
    EXPECT_GE(stats.maydays, 1u);
    EXPECT_EQ(stats.rescued, 1u);
    EXPECT_EQ(stats_of(reclaim).rescued, 1u);
    EXPECT_EQ(normal.runs, 0);
    wqs.set_worker_creation_fault(false);
    ASSERT_TRUE(wait_until([&] { return normal.runs == 1; }));
    EXPECT_EQ(normal.cpu, 3u);
    EXPECT_EQ(stats_of(plain).rescued, 0u);
    wqs.destroy_workqueue(reclaim);
    wqs.destroy_workqueue(plain);
}

TEST_F(WorkqueueContext, QueueFromHardirqAndRefuseSleepingThere) {
    Probe probe;
    Probe bh;
    Probe cancelled;
    Workqueue* ordered = wqs.alloc_ordered_workqueue("ordered", 0);
    std::atomic<bool> gate{false};
    Probe blocker;
    blocker.body = [&](Probe&) { wait_until([&] { return gate.load(); }); };
    ASSERT_TRUE(wqs.queue_work(ordered, blocker.work));
    bool queued = false, queued_bh = false, queued_cancelled = false, cancel = false;
    bool flushed = true;
    const uint64_t reports = context.atomic_sleep_reports();
    OnCpu{1, [&] {
              const unsigned long flags = irqlab_plat_irq_save();
              {
                  HardirqScope hardirq{context};
                  queued = wqs.queue_work(wqs.system_wq(), probe.work);
                  queued_bh = wqs.queue_work(wqs.system_bh_wq(), bh.work);
                  queued_cancelled = wqs.queue_work(ordered, cancelled.work);
                  cancel = wqs.cancel_work(cancelled.work);
                  flushed = wqs.flush_work(probe.work);
              }
              softirqs.irq_exit();
              irqlab_plat_irq_restore(flags);
          }};
    EXPECT_TRUE(queued);
    EXPECT_TRUE(queued_bh);
    EXPECT_TRUE(queued_cancelled);
    EXPECT_TRUE(cancel);
    EXPECT_FALSE(flushed);
    EXPECT_EQ(wqs.atomic_refusals(), 1u);
    EXPECT_EQ(context.atomic_sleep_reports(), reports + 1);
    ASSERT_TRUE(wait_until([&] { return probe.runs == 1 && bh.runs == 1; }));
    EXPECT_EQ(probe.cpu, 1u);
    EXPECT_EQ(bh.cpu, 1u);
    gate = true;
    wqs.flush_workqueue(ordered);
    EXPECT_EQ(cancelled.runs, 0);
    wqs.destroy_workqueue(ordered);
}

} // namespace engine_workqueue_test
