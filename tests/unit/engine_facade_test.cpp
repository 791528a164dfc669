// The engine as the glue drives it (irqlab/core.h): attach hosted lines,
// enter the engine from threads standing in for CPUs, check the accounting.
#include "hosted/hosted_platform.h"
#include "irqlab/core.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>

namespace {

constexpr int einval = 22, erange = 34, ealready = 114, enoent = 2;
constexpr unsigned softirq_block = 4;
constexpr unsigned softirq_hi = 0;

irqlab_engine_attach_config config(unsigned action, unsigned flow = IRQLAB_ENGINE_FLOW_FASTEOI) {
    irqlab_engine_attach_config c{};
    c.action = action;
    c.flow = flow;
    return c;
}

struct Job {
    irqlab_engine_domain* domain;
    unsigned hwirq;
    unsigned count;
    std::atomic<unsigned> failures{0};
    std::atomic<unsigned> finished{0};
};

int fire_job(void* arg) {
    auto* job = static_cast<Job*>(arg);
    for (unsigned i = 0; i < job->count; ++i) {
        const unsigned long flags = irqlab_plat_irq_save();
        if (irqlab_engine_handle(job->domain, job->hwirq) != 0)
            job->failures.fetch_add(1);
        irqlab_plat_irq_restore(flags);
    }
    job->finished.fetch_add(1);
    while (!irqlab_plat_thread_should_stop())
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    return 0;
}

// 'count' hardirqs of 'hwirq' on each simulated CPU in turn. One vector
// interrupts one CPU at a time, as MSI-X does: concurrent interrupts of one
// line would merge in the flow handler, as they do in Linux.
unsigned fire_everywhere(irqlab_engine_domain* domain, unsigned hwirq, unsigned count) {
    Job job{domain, hwirq, count};
    for (unsigned cpu = 0; cpu < irqlab_plat_nr_cpu_ids(); ++cpu) {
        irqlab_thread* thread = irqlab_plat_thread_create(fire_job, &job, cpu, "irqlab-test");
        irqlab_plat_thread_wake(thread);
        while (job.finished.load() != cpu + 1)
            std::this_thread::sleep_for(std::chrono::microseconds(100));
        irqlab_plat_thread_stop(thread);
    }
    EXPECT_EQ(job.failures.load(), 0u);
    return count * irqlab_plat_nr_cpu_ids();
}

uint64_t line_hardirqs(irqlab_engine_domain* domain, unsigned hwirq) {
    uint64_t total = 0;
    for (unsigned cpu = 0; cpu < irqlab_plat_nr_cpu_ids(); ++cpu)
        total += irqlab_engine_line_count(domain, hwirq, cpu);
    return total;
}

// Waits up to 5 s for 'done' to hold: deferred work drains in daemons.
template <typename Done>
bool eventually(Done done) {
    for (int i = 0; i < 5000; ++i) {
        if (done())
            return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    return done();
}

class EngineFacade : public ::testing::Test {
protected:
    void SetUp() override {
        engine_ = irqlab_engine_create();
        ASSERT_NE(engine_, nullptr);
        domain_ = irqlab_engine_domain_create(engine_, "test-device", 4);
        ASSERT_NE(domain_, nullptr);
    }
    void TearDown() override {
        for (unsigned hwirq = 0; hwirq < 4; ++hwirq)
            irqlab_engine_detach(domain_, hwirq);
        irqlab_engine_domain_destroy(domain_);
        irqlab_engine_destroy(engine_);
    }

    uint64_t softirq_total(unsigned slot, unsigned long long irqlab_engine_softirq_slot::*field) {
        uint64_t total = 0;
        for (unsigned cpu = 0; cpu < irqlab_plat_nr_cpu_ids(); ++cpu) {
            irqlab_engine_softirq_cpu stats{};
            EXPECT_EQ(irqlab_engine_softirq_read(engine_, cpu, &stats), 0);
            total += stats.slot[slot].*field;
        }
        return total;
    }
    uint64_t cpu_total(unsigned long long irqlab_engine_softirq_cpu::*field) {
        uint64_t total = 0;
        for (unsigned cpu = 0; cpu < irqlab_plat_nr_cpu_ids(); ++cpu) {
            irqlab_engine_softirq_cpu stats{};
            EXPECT_EQ(irqlab_engine_softirq_read(engine_, cpu, &stats), 0);
            total += stats.*field;
        }
        return total;
    }

    irqlab_engine* engine_ = nullptr;
    irqlab_engine_domain* domain_ = nullptr;
    irqlab_line lines_[4];
};

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
        EXPECT_EQ(stats[hwirq].main_handled, fired[hwirq]) << "hwirq " << hwirq;
        EXPECT_EQ(stats[hwirq].unhandled, 0u);
    }
    EXPECT_EQ(stats[1].softirq_raised, fired[1]);
    EXPECT_EQ(stats[3].shared_none, 2 * fired[3]);
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
    // The level flow masks and unmasks around every interrupt.
    EXPECT_FALSE(lines_[2].masked.load());
    EXPECT_GE(lines_[2].masks.load(), fired[2]);
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
    EXPECT_EQ(stats.main_none, 100000u);
    EXPECT_EQ(stats.shared_none, 200000u);
    EXPECT_TRUE(lines_[0].masked.load());
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

} // namespace
