// The engine as the glue drives it (irqlab/core.h), shared by the facade
// tests: hosted lines, threads standing in for CPUs that enter the engine,
// and readers of the accounting.
#pragma once

#include "hosted/hosted_platform.h"
#include "irqlab/core.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>

namespace irqlab::test {

constexpr int einval = 22, erange = 34, ealready = 114, enoent = 2, enomem = 12;
constexpr unsigned softirq_block = 4;
constexpr unsigned softirq_hi = 0;

inline irqlab_engine_attach_config config(unsigned action,
                                          unsigned flow = IRQLAB_ENGINE_FLOW_FASTEOI) {
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

inline int fire_job(void* arg) {
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
inline unsigned fire_everywhere(irqlab_engine_domain* domain, unsigned hwirq, unsigned count) {
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

inline uint64_t line_hardirqs(irqlab_engine_domain* domain, unsigned hwirq) {
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

} // namespace irqlab::test
