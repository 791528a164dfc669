// The engine's deferred work as the glue drives it (irqlab/core.h): lines
// attached with work of every kind, irq threads and NAPI polls, entered
// from threads standing in for CPUs; after a flush the accounting is exact.
#include "tests/unit/engine_facade_fixture.h"

namespace engine_deferred_facade_test {

using namespace irqlab::test;

irqlab_engine_attach_config work(unsigned kind) {
    auto c = config(IRQLAB_ENGINE_WORK);
    c.work = kind;
    return c;
}

irqlab_engine_line_stats read_line(irqlab_engine_domain* domain, unsigned hwirq) {
    irqlab_engine_line_stats stats{};
    EXPECT_EQ(irqlab_engine_line_read(domain, hwirq, &stats), 0);
    return stats;
}

// Every hardirq entry either ran the handlers or waited in a pending bit.
void expect_entries_balance(irqlab_engine_domain* domain, unsigned hwirq, uint64_t fired) {
    const irqlab_engine_line_stats s = read_line(domain, hwirq);
    EXPECT_EQ(fired + s.replays, line_hardirqs(domain, hwirq) + s.pending_arrivals)
        << "hwirq " << hwirq;
}

TEST_F(EngineFacade, WorkOfEveryKindRunsOncePerQueueing) {
    const unsigned kinds[] = {IRQLAB_ENGINE_WORK_PERCPU, IRQLAB_ENGINE_WORK_UNBOUND,
                              IRQLAB_ENGINE_WORK_ORDERED, IRQLAB_ENGINE_WORK_BH};
    for (unsigned hwirq = 0; hwirq < 4; ++hwirq) {
        const auto c = work(kinds[hwirq]);
        ASSERT_GT(irqlab_engine_attach(domain_, hwirq, &lines_[hwirq], "work", &c), 0);
    }
    for (unsigned hwirq = 0; hwirq < 4; ++hwirq) {
        const uint64_t fired = fire_everywhere(domain_, hwirq, 500);
        ASSERT_EQ(irqlab_engine_flush(domain_, hwirq), 0);
        const irqlab_engine_line_stats s = read_line(domain_, hwirq);
        EXPECT_EQ(s.handled, line_hardirqs(domain_, hwirq));
        EXPECT_EQ(s.work_queued + s.work_coalesced, s.handled) << "hwirq " << hwirq;
        EXPECT_EQ(s.work_runs, s.work_queued) << "hwirq " << hwirq;
        EXPECT_GT(s.work_runs, 0u);
        EXPECT_STREQ(s.workqueue_name, "work");
        expect_entries_balance(domain_, hwirq, fired);
    }
    // Each line's workqueue shows up, with what it executed.
    unsigned named = 0;
    const unsigned n = irqlab_engine_workqueue_read(engine_, 0, nullptr);
    for (unsigned i = 0; i < n; ++i) {
        irqlab_engine_workqueue_stats wq{};
        irqlab_engine_workqueue_read(engine_, i, &wq);
        named += std::string_view{wq.name} == "work";
    }
    EXPECT_EQ(named, 4u);
}

TEST_F(EngineFacade, DelayedWorkAndBlockingWorkDrainAtDetach) {
    auto delayed = work(IRQLAB_ENGINE_WORK_DELAYED);
    delayed.delay_us = 2000;
    auto blocking = work(IRQLAB_ENGINE_WORK_PERCPU);
    blocking.hold = IRQLAB_ENGINE_HOLD_SLEEP;
    blocking.hold_us = 200;
    ASSERT_GT(irqlab_engine_attach(domain_, 0, &lines_[0], "delayed", &delayed), 0);
    ASSERT_GT(irqlab_engine_attach(domain_, 1, &lines_[1], "blocking", &blocking), 0);
    fire_everywhere(domain_, 0, 50);
    fire_everywhere(domain_, 1, 50);
    // Detaching destroys the workqueues, which drains them: afterwards the
    // counts cannot change, so read them first and compare after a flush.
    ASSERT_EQ(irqlab_engine_flush(domain_, 0), 0);
    ASSERT_EQ(irqlab_engine_flush(domain_, 1), 0);
    for (unsigned hwirq : {0u, 1u}) {
        const irqlab_engine_line_stats s = read_line(domain_, hwirq);
        EXPECT_EQ(s.work_queued + s.work_coalesced, s.handled);
        EXPECT_EQ(s.work_runs, s.work_queued);
    }
    EXPECT_EQ(irqlab_engine_detach(domain_, 0), 0);
    EXPECT_EQ(irqlab_engine_detach(domain_, 1), 0);
}

TEST_F(EngineFacade, ThreadedLinesWakeTheirThreadsExactly) {
    auto thread = config(IRQLAB_ENGINE_THREAD);
    auto oneshot = config(IRQLAB_ENGINE_THREAD);
    oneshot.flags = IRQLAB_ENGINE_ONESHOT;
    oneshot.hold = IRQLAB_ENGINE_HOLD_SPIN;
    oneshot.hold_us = 20;
    ASSERT_GT(irqlab_engine_attach(domain_, 0, &lines_[0], "thr", &thread), 0);
    ASSERT_GT(irqlab_engine_attach(domain_, 1, &lines_[1], "one", &oneshot), 0);
    for (unsigned hwirq : {0u, 1u}) {
        const uint64_t fired = fire_everywhere(domain_, hwirq, 1000);
        ASSERT_EQ(irqlab_engine_flush(domain_, hwirq), 0);
        const irqlab_engine_line_stats s = read_line(domain_, hwirq);
        EXPECT_EQ(s.thread_wakeups, line_hardirqs(domain_, hwirq));
        EXPECT_EQ(s.thread_runs + s.thread_merged, s.thread_wakeups);
        EXPECT_GT(s.thread_runs, 0u);
        EXPECT_TRUE(s.thread_fifo);
        EXPECT_FALSE(s.masked);
        expect_entries_balance(domain_, hwirq, fired);
    }
    EXPECT_STREQ(read_line(domain_, 0).thread_name, "irqlab-irq/1-thr");
    // The oneshot line was masked while its thread ran: arrivals then
    // waited in the pending bit and were resent.
    const irqlab_engine_line_stats one = read_line(domain_, 1);
    EXPECT_EQ(one.pending_arrivals > 0, one.replays > 0);
}

TEST_F(EngineFacade, NapiPollConsumesEveryEventAndReopensTheLine) {
    auto napi = config(IRQLAB_ENGINE_NAPI);
    napi.napi_events = 100;
    napi.napi_weight = 64;
    ASSERT_GT(irqlab_engine_attach(domain_, 0, &lines_[0], "napi", &napi), 0);
    const uint64_t fired = fire_everywhere(domain_, 0, 2000);
    ASSERT_EQ(irqlab_engine_flush(domain_, 0), 0);
    const irqlab_engine_line_stats s = read_line(domain_, 0);
    const uint64_t hardirqs = line_hardirqs(domain_, 0);
    EXPECT_EQ(s.napi_scheduled + s.napi_missed, hardirqs);
    EXPECT_EQ(s.napi_events_produced, hardirqs * 100);
    EXPECT_EQ(s.napi_events_consumed, s.napi_events_produced);
    // 100 events a poll of weight 64: the first round uses its whole
    // weight and stays scheduled, the second completes.
    EXPECT_GT(s.napi_budget_exhausted, 0u);
    EXPECT_GT(s.napi_completed, 0u);
    uint64_t polls = 0;
    for (unsigned long long bucket : s.napi_hist)
        polls += bucket;
    EXPECT_EQ(polls, s.napi_polls);
    EXPECT_FALSE(s.masked);
    EXPECT_EQ(s.depth, 0u);
    expect_entries_balance(domain_, 0, fired);
}

TEST_F(EngineFacade, ForcedThreadingThreadsPlainHandlers) {
    irqlab_engine_set_forced_threading(engine_, true);
    EXPECT_TRUE(irqlab_engine_forced_threading(engine_));
    auto tasklet = config(IRQLAB_ENGINE_TASKLET);
    ASSERT_GT(irqlab_engine_attach(domain_, 0, &lines_[0], "forced", &tasklet), 0);
    fire_everywhere(domain_, 0, 200);
    ASSERT_EQ(irqlab_engine_flush(domain_, 0), 0);
    irqlab_engine_set_forced_threading(engine_, false);
    // The handler ran in the thread, which scheduled the tasklet.
    EXPECT_TRUE(eventually([&] {
        const irqlab_engine_line_stats s = read_line(domain_, 0);
        return s.tasklet_runs + s.tasklet_coalesced == s.tasklet_scheduled;
    }));
    const irqlab_engine_line_stats s = read_line(domain_, 0);
    EXPECT_TRUE(s.thread_forced);
    EXPECT_TRUE(s.thread_oneshot);
    EXPECT_STREQ(s.thread_name, "irqlab-irq/1-forced");
    EXPECT_EQ(s.thread_wakeups, line_hardirqs(domain_, 0));
    EXPECT_EQ(s.thread_runs + s.thread_merged, s.thread_wakeups);
    EXPECT_EQ(s.handled, s.thread_runs);
    EXPECT_EQ(s.tasklet_scheduled, s.handled);
}

TEST_F(EngineFacade, RejectsBadDeferredAttachments) {
    auto bad_kind = work(17);
    EXPECT_EQ(irqlab_engine_attach(domain_, 0, &lines_[0], "x", &bad_kind), -einval);
    auto sleeping_bh = work(IRQLAB_ENGINE_WORK_BH);
    sleeping_bh.hold = IRQLAB_ENGINE_HOLD_SLEEP;
    sleeping_bh.hold_us = 10;
    EXPECT_EQ(irqlab_engine_attach(domain_, 0, &lines_[0], "x", &sleeping_bh), -einval);
    auto holding_count = config(IRQLAB_ENGINE_COUNT);
    holding_count.hold = IRQLAB_ENGINE_HOLD_SPIN;
    EXPECT_EQ(irqlab_engine_attach(domain_, 0, &lines_[0], "x", &holding_count), -einval);
    auto oneshot_work = work(IRQLAB_ENGINE_WORK_PERCPU);
    oneshot_work.flags = IRQLAB_ENGINE_ONESHOT;
    EXPECT_EQ(irqlab_engine_attach(domain_, 0, &lines_[0], "x", &oneshot_work), -einval);
    // An unknown hold kind, on the thread action as on work (the thread
    // action used to take any value and hold nothing).
    auto unknown_hold = config(IRQLAB_ENGINE_THREAD);
    unknown_hold.hold = IRQLAB_ENGINE_HOLD_SPIN + 1;
    unknown_hold.hold_us = 10;
    EXPECT_EQ(irqlab_engine_attach(domain_, 0, &lines_[0], "x", &unknown_hold), -einval);
    auto timer_slot = config(IRQLAB_ENGINE_SOFTIRQ);
    timer_slot.softirq = 1; // TIMER: the engine's timers own it
    EXPECT_EQ(irqlab_engine_attach(domain_, 0, &lines_[0], "x", &timer_slot), -einval);
    EXPECT_EQ(irqlab_engine_flush(domain_, 0), -enoent);
}

TEST_F(EngineFacade, PoolsAreListedPerCpuBhAndUnbound) {
    const unsigned n = irqlab_engine_pool_read(engine_, 0, nullptr);
    const unsigned cpus = irqlab_plat_nr_cpu_ids();
    EXPECT_EQ(n, cpus * 4 + 2);
    unsigned bh = 0, unbound = 0, highpri = 0;
    for (unsigned i = 0; i < n; ++i) {
        irqlab_engine_pool_stats pool{};
        irqlab_engine_pool_read(engine_, i, &pool);
        bh += pool.bh;
        unbound += pool.cpu < 0;
        highpri += pool.highpri;
        if (!pool.bh) {
            EXPECT_GE(pool.workers, 1u) << "pool " << i;
        }
    }
    EXPECT_EQ(bh, cpus * 2);
    EXPECT_EQ(unbound, 2u);
    EXPECT_EQ(highpri, cpus * 2 + 1);
}

} // namespace engine_deferred_facade_test
