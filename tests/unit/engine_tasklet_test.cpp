// The engine's tasklets (core/softirq/tasklet.*): scheduling, coalescing,
// disable/enable, kill, HI before TASKLET, and one CPU at a time.
#include "core/base/cpu.h"
#include "core/base/thread.h"
#include "core/engine/context.h"
#include "core/softirq/softirqs.h"
#include "core/softirq/tasklet.h"
#include "irqlab/platform.h"

#include "tests/unit/engine_threads.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <string>
#include <thread>

namespace engine_tasklet_test {

using irqlab::test::OnCpu;
using irqlab::test::run_on_cpu;
using irqlab::test::wait_until;

using irqlab::engine::Context;
using irqlab::engine::hardirq_offset;
using irqlab::softirq::Softirqs;
using irqlab::softirq::Tasklet;
using irqlab::softirq::tasklet_run;
using irqlab::softirq::tasklet_sched;
using irqlab::softirq::tasklet_setup;
using irqlab::softirq::Tasklets;
using namespace std::chrono_literals;

// A tasklet whose callback records what happened.
struct Probe {
    Tasklet tasklet;
    std::atomic<int> runs{0};
    std::atomic<unsigned> cpu{~0u};
    std::atomic<bool> running{false};
    std::atomic<int> overlaps{0};
    std::atomic<unsigned> cpus_seen{0};
    std::function<void()> body;
    std::string* order = nullptr;
    const char* name = "";

    Probe() {
        tasklet_setup(tasklet, callback);
        tasklet.data = this;
    }

    static void callback(Tasklet* tasklet) {
        auto* self = static_cast<Probe*>(tasklet->data);
        if (self->running.exchange(true))
            self->overlaps.fetch_add(1);
        self->cpu = irqlab::base::cpu_id();
        self->cpus_seen.fetch_or(1u << irqlab::base::cpu_id());
        if (self->order)
            *self->order += self->name;
        if (self->body)
            self->body();
        self->running = false;
        // Last: a test that saw the count may end, and the probe with it.
        self->runs.fetch_add(1);
    }

    bool idle() const { return tasklet.state_bits() == 0; }
};

class EngineTasklet : public testing::Test {
protected:
    void SetUp() override {
        ASSERT_TRUE(context.init());
        ASSERT_TRUE(softirqs.init());
        ASSERT_TRUE(tasklets.init());
        ASSERT_TRUE(softirqs.start_daemons());
    }
    // The daemons first: they may still be in a tasklet round.
    void TearDown() override { softirqs.stop_daemons(); }

    void hardirq(const std::function<void()>& body) {
        const unsigned long flags = irqlab_plat_irq_save();
        context.add(hardirq_offset);
        body();
        context.sub(hardirq_offset);
        softirqs.irq_exit();
        irqlab_plat_irq_restore(flags);
    }

    Context context;
    Softirqs softirqs{context};
    Tasklets tasklets{softirqs};
};

TEST_F(EngineTasklet, RunsOncePerSchedule) {
    Probe probe;
    tasklets.schedule(probe.tasklet); // process context: CPU 0's daemon
    ASSERT_TRUE(wait_until([&] { return probe.runs == 1 && probe.idle(); }));
    EXPECT_EQ(probe.cpu, 0u);
    run_on_cpu(2, [&] { hardirq([&] { tasklets.schedule(probe.tasklet); }); });
    EXPECT_EQ(probe.runs, 2); // in that irq_exit
    EXPECT_EQ(probe.cpu, 2u);
    const auto stats = probe.tasklet.stats();
    EXPECT_EQ(stats.scheduled, 2u);
    EXPECT_EQ(stats.coalesced, 0u);
    EXPECT_EQ(stats.runs, 2u);
    EXPECT_EQ(probe.tasklet.scheduled(), 2u);
    EXPECT_EQ(probe.tasklet.runs(), 2u);
    EXPECT_TRUE(probe.idle());
    EXPECT_EQ(softirqs.slot_stats(irqlab::softirq::SoftirqNr::tasklet, 2).runs, 1u);
}

TEST_F(EngineTasklet, SchedulingIsNotCumulative) {
    Probe probe;
    unsigned long state_while_off = 0;
    run_on_cpu(1, [&] {
        softirqs.local_bh_disable();
        for (int i = 0; i < 3; ++i)
            tasklets.schedule(probe.tasklet);
        tasklets.hi_schedule(probe.tasklet); // same SCHED bit
        state_while_off = probe.tasklet.state_bits();
        softirqs.local_bh_enable();
    });
    EXPECT_EQ(state_while_off, tasklet_sched);
    EXPECT_EQ(probe.runs, 1);
    EXPECT_EQ(probe.tasklet.scheduled(), 4u);
    EXPECT_EQ(probe.tasklet.coalesced(), 3u);
    EXPECT_EQ(probe.tasklet.runs(), probe.tasklet.scheduled() - probe.tasklet.coalesced());
    EXPECT_TRUE(probe.idle());
}

TEST_F(EngineTasklet, HiTaskletsRunBeforeNormalOnes) {
    std::string order;
    Probe normal;
    Probe hi;
    normal.order = hi.order = &order;
    normal.name = "normal ";
    hi.name = "hi ";
    run_on_cpu(3, [&] {
        softirqs.local_bh_disable();
        tasklets.schedule(normal.tasklet);
        tasklets.hi_schedule(hi.tasklet);
        softirqs.local_bh_enable();
    });
    EXPECT_EQ(order, "hi normal ");
}

TEST_F(EngineTasklet, DisabledTaskletIsRequeuedAndRunsAfterEnable) {
    Probe probe;
    tasklets.disable(probe.tasklet);
    run_on_cpu(1, [&] { hardirq([&] { tasklets.schedule(probe.tasklet); }); });
    // irq_exit and then CPU 1's daemon keep putting it back.
    ASSERT_TRUE(wait_until([&] { return probe.tasklet.stats().requeued_disabled > 20; }));
    EXPECT_EQ(probe.runs, 0);
    EXPECT_NE(probe.tasklet.state_bits() & tasklet_sched, 0u);
    EXPECT_GE(softirqs.cpu_stats(1).handover_restarts + softirqs.cpu_stats(1).handover_time, 1u);
    tasklets.enable(probe.tasklet);
    ASSERT_TRUE(wait_until([&] { return probe.runs == 1 && probe.idle(); }));
    EXPECT_EQ(probe.cpu, 1u);
    EXPECT_EQ(probe.tasklet.stats().requeued_busy, 0u);
    EXPECT_EQ(probe.tasklet.runs(), 1u);
}

TEST_F(EngineTasklet, DisableWaitsForARunningCallback) {
    Probe probe;
    std::atomic<bool> started{false};
    std::atomic<bool> finished{false};
    probe.body = [&] {
        started = true;
        std::this_thread::sleep_for(30ms);
        finished = true;
    };
    tasklets.schedule(probe.tasklet);
    ASSERT_TRUE(wait_until([&] { return started.load(); }));
    // From another CPU than the one serving the tasklet (CPU 0): hosted,
    // this thread would otherwise share CPU 0's engine context.
    bool finished_when_disabled = false;
    run_on_cpu(3, [&] {
        tasklets.disable(probe.tasklet);
        finished_when_disabled = finished;
    });
    EXPECT_TRUE(finished_when_disabled);
    EXPECT_EQ(context.atomic_sleep_reports(), 0u);
    EXPECT_EQ(probe.tasklet.state_bits() & tasklet_run, 0u);
    tasklets.enable(probe.tasklet);
}

TEST_F(EngineTasklet, KillWaitsForARunningCallback) {
    Probe probe;
    std::atomic<bool> started{false};
    std::atomic<bool> finished{false};
    probe.body = [&] {
        started = true;
        std::this_thread::sleep_for(30ms);
        finished = true;
    };
    tasklets.schedule(probe.tasklet);
    ASSERT_TRUE(wait_until([&] { return started.load(); }));
    bool finished_when_killed = false;
    run_on_cpu(3, [&] {
        tasklets.kill(probe.tasklet);
        finished_when_killed = finished;
    });
    EXPECT_TRUE(finished_when_killed);
    EXPECT_EQ(context.atomic_sleep_reports(), 0u);
    EXPECT_TRUE(probe.idle());
    EXPECT_EQ(probe.runs, 1);
}

TEST_F(EngineTasklet, KillWaitsForAScheduledTaskletToRun) {
    Probe probe;
    std::atomic<bool> scheduled{false};
    std::atomic<int> runs_when_killed{-1};
    // CPU 2 holds bottom halves off for a while with the tasklet queued.
    OnCpu holder{2, [&] {
                     softirqs.local_bh_disable();
                     tasklets.schedule(probe.tasklet);
                     scheduled = true;
                     std::this_thread::sleep_for(30ms);
                     softirqs.local_bh_enable();
                 }};
    ASSERT_TRUE(wait_until([&] { return scheduled.load(); }));
    tasklets.kill(probe.tasklet);
    runs_when_killed = probe.runs.load();
    holder.join();
    EXPECT_EQ(runs_when_killed, 1);
    EXPECT_TRUE(probe.idle());
    EXPECT_EQ(context.atomic_sleep_reports(), 0u);
    // Killed is idle, not dead: it can be scheduled again.
    tasklets.schedule(probe.tasklet);
    ASSERT_TRUE(wait_until([&] { return probe.runs == 2 && probe.idle(); }));
}

TEST_F(EngineTasklet, NeverRunsOnTwoCpusAtOnce) {
    constexpr int per_cpu = 20'000;
    // The check means something only when the tasklet ran on several CPUs;
    // on a loaded host one round may keep it on one, so up to five rounds.
    unsigned cpus_seen = 0;
    for (int round = 0; round < 5 && !(cpus_seen & (cpus_seen - 1)); ++round) {
        Probe probe;
        probe.body = [] {
            const uint64_t end = irqlab::base::now_ns() + 5'000;
            while (irqlab::base::now_ns() < end) {
            }
        };
        std::atomic<unsigned> ready{0};
        const auto start_together = [&] {
            ready.fetch_add(1);
            while (ready < 4)
                std::this_thread::yield();
        };
        {
            OnCpu cpus[] = {
                {0,
                 [&] {
                     start_together();
                     for (int i = 0; i < per_cpu; ++i)
                         hardirq([&] { tasklets.schedule(probe.tasklet); });
                 }},
                {1,
                 [&] {
                     start_together();
                     for (int i = 0; i < per_cpu; ++i)
                         hardirq([&] { tasklets.schedule(probe.tasklet); });
                 }},
                {2,
                 [&] {
                     start_together();
                     for (int i = 0; i < per_cpu; ++i)
                         tasklets.schedule(probe.tasklet);
                 }},
                {3,
                 [&] {
                     start_together();
                     for (int i = 0; i < per_cpu; ++i)
                         i % 2 ? tasklets.hi_schedule(probe.tasklet)
                               : tasklets.schedule(probe.tasklet);
                 }},
            };
        }
        ASSERT_TRUE(wait_until([&] {
            return probe.idle() &&
                   probe.tasklet.runs() == probe.tasklet.scheduled() - probe.tasklet.coalesced();
        }));
        EXPECT_EQ(probe.overlaps, 0);
        EXPECT_EQ(probe.tasklet.scheduled(), 4u * per_cpu);
        EXPECT_EQ(static_cast<uint64_t>(probe.runs), probe.tasklet.runs());
        cpus_seen |= probe.cpus_seen;
    }
    EXPECT_NE(cpus_seen & (cpus_seen - 1), 0u) << "ran on one CPU only, in five rounds";
}

} // namespace engine_tasklet_test
