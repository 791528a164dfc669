// Workqueue stress: a million queueings over four simulated CPUs while
// other threads cancel and flush at random. Every queueing that returned
// true ends in exactly one run or one successful cancel, and an item never
// runs on two workers at once.
#include "core/base/thread.h"
#include "core/engine/context.h"
#include "core/softirq/softirqs.h"
#include "core/softirq/tasklet.h"
#include "core/timer/timers.h"
#include "core/workqueue/workqueues.h"

#include "tests/unit/engine_threads.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <random>
#include <thread>
#include <vector>

namespace engine_workqueue_stress_test {

using irqlab::test::OnCpu;

using irqlab::engine::Context;
using irqlab::softirq::Softirqs;
using irqlab::softirq::Tasklets;
using irqlab::timer::Timers;
using namespace irqlab::workqueue;
using namespace std::chrono_literals;

constexpr unsigned cpus = 4;
constexpr unsigned items = 2048;
constexpr uint64_t total_queueings = 1'000'000;

struct Item {
    Work work;
    Workqueue* wq = nullptr;
    std::atomic<uint64_t> queued{0};
    std::atomic<uint64_t> runs{0};
    std::atomic<uint64_t> cancels{0};
    std::atomic<bool> running{false};
    std::atomic<uint64_t>* overlaps = nullptr;

    static void fn(Work* work) {
        auto* self = static_cast<Item*>(work->user);
        if (self->running.exchange(true, std::memory_order_acquire))
            self->overlaps->fetch_add(1, std::memory_order_relaxed);
        self->runs.fetch_add(1, std::memory_order_relaxed);
        self->running.store(false, std::memory_order_release);
    }
};

TEST(WorkqueueStress, EveryQueuedItemRunsOnceOrIsCancelled) {
    Context context;
    Softirqs softirqs{context};
    Tasklets tasklets{softirqs};
    Timers timers{softirqs};
    Workqueues wqs{context, softirqs, tasklets, timers};
    ASSERT_TRUE(context.init());
    ASSERT_TRUE(softirqs.init());
    ASSERT_TRUE(tasklets.init());
    ASSERT_TRUE(softirqs.start_daemons());
    ASSERT_TRUE(timers.init());
    ASSERT_TRUE(wqs.init());

    Workqueue* percpu = wqs.alloc_workqueue("stress", 0, 8);
    Workqueue* unbound = wqs.alloc_workqueue("stress_u", wq_unbound, 0);
    ASSERT_NE(percpu, nullptr);
    ASSERT_NE(unbound, nullptr);
    std::atomic<uint64_t> overlaps{0};
    auto pool = std::make_unique<Item[]>(items);
    for (unsigned i = 0; i < items; ++i) {
        init_work(pool[i].work, Item::fn);
        pool[i].work.user = &pool[i];
        pool[i].wq = i % 4 == 3 ? unbound : percpu;
        pool[i].overlaps = &overlaps;
    }

    std::atomic<uint64_t> queued{0};
    std::atomic<bool> stop{false};
    std::atomic<uint64_t> cancels{0};
    std::atomic<uint64_t> flushes{0};
    {
        std::vector<std::unique_ptr<OnCpu>> threads;
        for (unsigned cpu = 0; cpu < cpus; ++cpu)
            threads.push_back(std::make_unique<OnCpu>(cpu, [&, cpu] {
                std::minstd_rand random{cpu + 1};
                while (queued.load(std::memory_order_relaxed) < total_queueings) {
                    Item& item = pool[random() % items];
                    const unsigned where = random() % 8;
                    const bool ok = where < cpus ? wqs.queue_work_on(where, item.wq, item.work)
                                                 : wqs.queue_work(item.wq, item.work);
                    if (ok) {
                        item.queued.fetch_add(1, std::memory_order_relaxed);
                        queued.fetch_add(1, std::memory_order_relaxed);
                    }
                }
            }));
        std::vector<std::unique_ptr<OnCpu>> disruptors;
        for (unsigned d = 0; d < 2; ++d)
            disruptors.push_back(std::make_unique<OnCpu>(d * 2 + 1, [&, d] {
                std::minstd_rand random{100 + d};
                while (!stop.load()) {
                    Item& item = pool[random() % items];
                    const unsigned what = random() % 64;
                    if (what < 40) {
                        if (wqs.cancel_work_sync(item.work)) {
                            item.cancels.fetch_add(1, std::memory_order_relaxed);
                            cancels.fetch_add(1, std::memory_order_relaxed);
                        }
                    } else if (what < 62) {
                        wqs.flush_work(item.work);
                        flushes.fetch_add(1, std::memory_order_relaxed);
                    } else {
                        wqs.flush_workqueue(item.wq);
                        flushes.fetch_add(1, std::memory_order_relaxed);
                    }
                }
            }));
        for (auto& thread : threads)
            thread->join();
        stop = true;
        for (auto& thread : disruptors)
            thread->join();
    }
    wqs.flush_workqueue(percpu);
    wqs.flush_workqueue(unbound);

    uint64_t runs = 0;
    uint64_t item_cancels = 0;
    uint64_t mismatches = 0;
    for (unsigned i = 0; i < items; ++i) {
        Item& item = pool[i];
        runs += item.runs;
        item_cancels += item.cancels;
        if (item.queued != item.runs + item.cancels || item.work.pending())
            ++mismatches;
    }
    EXPECT_GE(queued.load(), total_queueings);
    EXPECT_EQ(mismatches, 0u);
    EXPECT_EQ(runs + item_cancels, queued.load());
    EXPECT_EQ(overlaps.load(), 0u);
    EXPECT_GT(cancels.load(), 0u);
    EXPECT_GT(flushes.load(), 0u);
    WorkqueueStats stats;
    ASSERT_TRUE(wqs.workqueue_stats(percpu, stats));
    uint64_t executed = stats.executed;
    EXPECT_EQ(stats.in_flight, 0);
    EXPECT_EQ(stats.inactive, 0);
    ASSERT_TRUE(wqs.workqueue_stats(unbound, stats));
    executed += stats.executed;
    EXPECT_EQ(executed, runs);

    wqs.shutdown();
    timers.stop();
    softirqs.stop_daemons();
}

} // namespace engine_workqueue_stress_test
