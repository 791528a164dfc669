// The engine as the glue drives it (irqlab/core.h): attach hosted lines,
// enter the engine from threads standing in for CPUs, check the accounting.
#include "tests/unit/engine_facade_fixture.h"

namespace engine_facade_test {

using namespace irqlab::test;

TEST_F(EngineFacade, EveryActionAccountsForEveryInterrupt) {
    auto softirq = config(IRQLAB_ENGINE_SOFTIRQ, IRQLAB_ENGINE_FLOW_EDGE);
    softirq.softirq = softirq_block;
    softirq.softirq_rounds = 3;
    auto tasklet = config(IRQLAB_ENGINE_TASKLET, IRQLAB_ENGINE_FLOW_LEVEL);
    auto hi = config(IRQLAB_ENGINE_TASKLET_HI);
    hi.shared_none = 2;
    const auto count = config(IRQLAB_ENGINE_COUNT);
    ASSERT_GT(irqlab_engine_attach(domain_, 0, &lines_[0], "count", &count), 0);
    ASSERT_GT(irqlab_engine_attach(domain_, 1, &lines_[1], "softirq", &softirq), 0);
    ASSERT_GT(irqlab_engine_attach(domain_, 2, &lines_[2], "tasklet", &tasklet), 0);
    ASSERT_GT(irqlab_engine_attach(domain_, 3, &lines_[3], "hi", &hi), 0);

    uint64_t fired[4];
    for (unsigned hwirq = 0; hwirq < 4; ++hwirq)
        fired[hwirq] = fire_everywhere(domain_, hwirq, 5000);

    irqlab_engine_line_stats stats[4];
    for (unsigned hwirq = 0; hwirq < 4; ++hwirq) {
        ASSERT_EQ(irqlab_engine_line_read(domain_, hwirq, &stats[hwirq]), 0);
        EXPECT_EQ(line_hardirqs(domain_, hwirq), fired[hwirq]) << "hwirq " << hwirq;
        EXPECT_EQ(stats[hwirq].handled, fired[hwirq]) << "hwirq " << hwirq;
        EXPECT_EQ(stats[hwirq].unhandled, 0u);
    }
    EXPECT_EQ(stats[1].softirq_raised, fired[1]);
    EXPECT_EQ(stats[3].sharer_calls, 2 * fired[3]);
    EXPECT_TRUE(eventually([&] {
        return softirq_total(softirq_block, &irqlab_engine_softirq_slot::work) == 3 * fired[1];
    }));
    EXPECT_EQ(softirq_total(softirq_block, &irqlab_engine_softirq_slot::runs),
              softirq_total(softirq_block, &irqlab_engine_softirq_slot::work) +
                  softirq_total(softirq_block, &irqlab_engine_softirq_slot::idle_runs));
    for (unsigned hwirq : {2u, 3u}) {
        EXPECT_TRUE(eventually([&] {
            irqlab_engine_line_stats now{};
            irqlab_engine_line_read(domain_, hwirq, &now);
            return now.tasklet_runs + now.tasklet_coalesced == now.tasklet_scheduled;
        })) << "hwirq "
            << hwirq;
        irqlab_engine_line_read(domain_, hwirq, &stats[hwirq]);
        EXPECT_EQ(stats[hwirq].tasklet_scheduled, fired[hwirq]);
        EXPECT_GT(stats[hwirq].tasklet_runs, 0u);
    }
    // The level flow masks and unmasks around every interrupt; at rest the
    // line is open again.
    EXPECT_FALSE(stats[2].masked);
}

TEST_F(EngineFacade, RejectsBadAttachments) {
    auto bad_action = config(99);
    EXPECT_EQ(irqlab_engine_attach(domain_, 0, &lines_[0], "x", &bad_action), -einval);
    auto bad_flow = config(IRQLAB_ENGINE_COUNT, 7);
    EXPECT_EQ(irqlab_engine_attach(domain_, 0, &lines_[0], "x", &bad_flow), -einval);
    auto tasklet_slot = config(IRQLAB_ENGINE_SOFTIRQ);
    tasklet_slot.softirq = softirq_hi;
    EXPECT_EQ(irqlab_engine_attach(domain_, 0, &lines_[0], "x", &tasklet_slot), -einval);
    auto too_shared = config(IRQLAB_ENGINE_COUNT);
    too_shared.shared_none = IRQLAB_ENGINE_MAX_SHARED + 1;
    EXPECT_EQ(irqlab_engine_attach(domain_, 0, &lines_[0], "x", &too_shared), -einval);
    auto count = config(IRQLAB_ENGINE_COUNT);
    EXPECT_EQ(irqlab_engine_attach(domain_, 4, &lines_[0], "x", &count), -erange);
    EXPECT_GT(irqlab_engine_attach(domain_, 0, &lines_[0], "x", &count), 0);
    EXPECT_EQ(irqlab_engine_attach(domain_, 0, &lines_[0], "x", &count), -ealready);
    EXPECT_EQ(irqlab_engine_detach(domain_, 1), -enoent);
    const unsigned long flags = irqlab_plat_irq_save();
    EXPECT_EQ(irqlab_engine_handle(domain_, 1), -einval); // no mapping
    EXPECT_EQ(irqlab_engine_handle(domain_, 0), 0);
    irqlab_plat_irq_restore(flags);
    EXPECT_EQ(irqlab_engine_detach(domain_, 0), 0);
    EXPECT_EQ(irqlab_engine_detach(domain_, 0), -enoent);
}

// Out of memory at any one allocation an attach makes, for every action:
// the attach fails with -ENOMEM and leaves nothing attached (ASan's leak
// check sees the rest), and the same attach then works.
TEST_F(EngineFacade, AttachOutOfMemoryAtEachAllocationLeavesNothing) {
    auto softirq = config(IRQLAB_ENGINE_SOFTIRQ);
    softirq.softirq = softirq_block;
    const irqlab_engine_attach_config configs[] = {
        config(IRQLAB_ENGINE_COUNT),   config(IRQLAB_ENGINE_NONE),       softirq,
        config(IRQLAB_ENGINE_TASKLET), config(IRQLAB_ENGINE_TASKLET_HI), config(IRQLAB_ENGINE_WORK),
        config(IRQLAB_ENGINE_THREAD),  config(IRQLAB_ENGINE_NAPI),
    };
    for (const irqlab_engine_attach_config& attach : configs) {
        unsigned failed = 0;
        for (int skip = 0;; ++skip) {
            ASSERT_LT(skip, 64) << "action " << attach.action;
            irqlab::hosted::fail_allocation_after(skip);
            const int ret = irqlab_engine_attach(domain_, 0, &lines_[0], "oom", &attach);
            irqlab::hosted::fail_allocation_after(-1);
            if (ret > 0) { // fewer than skip + 1 allocations: none failed
                EXPECT_EQ(irqlab_engine_detach(domain_, 0), 0);
                break;
            }
            ++failed;
            EXPECT_EQ(ret, -enomem) << "action " << attach.action << ", allocation " << skip;
            EXPECT_EQ(irqlab_engine_detach(domain_, 0), -enoent) << "action " << attach.action;
        }
        // The line and its action at least.
        EXPECT_GE(failed, 2u) << "action " << attach.action;
    }
}

TEST_F(EngineFacade, LineNobodyCaresAboutIsDisabledAndMasked) {
    auto none = config(IRQLAB_ENGINE_NONE);
    none.shared_none = 2;
    ASSERT_GT(irqlab_engine_attach(domain_, 0, &lines_[0], "nobody", &none), 0);
    const unsigned long flags = irqlab_plat_irq_save();
    for (int i = 0; i < 100000; ++i)
        irqlab_engine_handle(domain_, 0);
    irqlab_plat_irq_restore(flags);
    irqlab_engine_line_stats stats{};
    ASSERT_EQ(irqlab_engine_line_read(domain_, 0, &stats), 0);
    EXPECT_TRUE(stats.spurious_disabled);
    EXPECT_EQ(stats.unhandled, 100000u);
    EXPECT_EQ(stats.none, 100000u);
    EXPECT_EQ(stats.sharer_calls, 200000u);
    EXPECT_TRUE(stats.masked);
    // Later arrivals wait in the vector's pending bit, counted.
    const unsigned long again = irqlab_plat_irq_save();
    for (int i = 0; i < 500; ++i)
        irqlab_engine_handle(domain_, 0);
    irqlab_plat_irq_restore(again);
    ASSERT_EQ(irqlab_engine_line_read(domain_, 0, &stats), 0);
    EXPECT_EQ(stats.unhandled, 100000u);
    EXPECT_EQ(stats.pending_arrivals, 500u);
    EXPECT_EQ(stats.replays, 0u);
}

TEST_F(EngineFacade, SoftirqStormIsHandedToTheDaemons) {
    auto storm = config(IRQLAB_ENGINE_SOFTIRQ);
    storm.softirq = softirq_block;
    storm.softirq_rounds = 200;
    ASSERT_GT(irqlab_engine_attach(domain_, 0, &lines_[0], "storm", &storm), 0);
    const uint64_t fired = fire_everywhere(domain_, 0, 50);
    EXPECT_TRUE(eventually([&] {
        return softirq_total(softirq_block, &irqlab_engine_softirq_slot::work) == 200 * fired;
    }));
    EXPECT_GT(cpu_total(&irqlab_engine_softirq_cpu::handover_restarts), 0u);
    EXPECT_GT(cpu_total(&irqlab_engine_softirq_cpu::daemon_rounds), 0u);
    EXPECT_GT(cpu_total(&irqlab_engine_softirq_cpu::irq_exit_rounds), 0u);
}

} // namespace engine_facade_test
