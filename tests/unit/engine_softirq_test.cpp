// The engine's softirqs (core/softirq/softirqs.*): raising, the three
// processing paths (irq_exit, local_bh_enable, the per-CPU daemons), the
// 2 ms / 10-pass budget and its handover, and the statistics.
#include "core/base/cpu.h"
#include "core/base/thread.h"
#include "core/engine/context.h"
#include "core/softirq/softirq_nr.h"
#include "core/softirq/softirqs.h"
#include "hosted/hosted_platform.h"
#include "irqlab/platform.h"
#include "tests/cases/on_each_cpu.h"

#include "tests/unit/engine_threads.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstring>
#include <functional>
#include <memory>
#include <string>
#include <thread>

namespace engine_softirq_test {

using irqlab::test::run_on_cpu;
using irqlab::test::wait_until;

using irqlab::engine::Context;
using irqlab::engine::hardirq_offset;
using irqlab::softirq::softirq_bit;
using irqlab::softirq::softirq_name;
using irqlab::softirq::SoftirqNr;
using irqlab::softirq::Softirqs;
using namespace std::chrono_literals;

// What the facade does around an engine hardirq on the calling CPU, inside
// a host hardirq: 'before_host_exit' runs last with interrupts still off.
void hardirq(Context& context, Softirqs& softirqs, const std::function<void()>& body,
             const std::function<void()>& before_host_exit = {}) {
    const unsigned long flags = irqlab_plat_irq_save();
    context.add(hardirq_offset);
    body();
    context.sub(hardirq_offset);
    softirqs.irq_exit();
    if (before_host_exit)
        before_host_exit();
    irqlab_plat_irq_restore(flags);
}

// What one handler saw on its last run.
struct Probe {
    Context* context = nullptr;
    Softirqs* softirqs = nullptr;
    SoftirqNr nr = SoftirqNr::timer;
    std::atomic<int> runs{0};
    std::atomic<unsigned> cpu{~0u};
    std::atomic<bool> irqs_off{false};
    std::atomic<bool> serving{false};
    std::atomic<std::thread::id> thread{};
    // Re-raise until this many runs (0: never; -1: until 'stop').
    int reraise_until = 0;
    std::atomic<bool> stop{false};
    std::chrono::microseconds busy{0};
    std::atomic<bool> in_bottom_half{false};
    // Runs in the round that irq_exit() left to the host's bottom half.
    std::atomic<int> runs_in_bottom_half{0};
    std::function<void()> extra;

    static void handler(void* raw) {
        auto* self = static_cast<Probe*>(raw);
        // Runs of one slot on one CPU do not overlap; 'runs' counts last,
        // so a test that saw it may let the probe go.
        const int run = self->runs.load() + 1;
        self->cpu = irqlab::base::cpu_id();
        self->irqs_off = irqlab::base::irqs_disabled();
        self->serving = self->context->in_serving_softirq();
        self->in_bottom_half = irqlab::hosted::in_bottom_half();
        self->thread = std::this_thread::get_id();
        if (self->busy.count()) {
            const uint64_t end = irqlab::base::now_ns() + self->busy.count() * 1000;
            while (irqlab::base::now_ns() < end) {
            }
        }
        if (self->extra)
            self->extra();
        if ((self->reraise_until > 0 && run < self->reraise_until) ||
            (self->reraise_until < 0 && !self->stop))
            self->softirqs->raise(self->nr);
        if (self->in_bottom_half)
            self->runs_in_bottom_half.fetch_add(1);
        self->runs.store(run);
    }
};

class EngineSoftirq : public testing::Test {
protected:
    void SetUp() override {
        ASSERT_TRUE(context.init());
        ASSERT_TRUE(softirqs.init());
    }
    void TearDown() override { softirqs.stop_daemons(); }

    void open(Probe& probe, SoftirqNr nr) {
        probe.context = &context;
        probe.softirqs = &softirqs;
        probe.nr = nr;
        softirqs.open(nr, Probe::handler, &probe);
    }

    Context context;
    Softirqs softirqs{context};
};

TEST(EngineSoftirqNames, NamesAndPriorityOrder) {
    static_assert(irqlab::softirq::nr_softirqs == 10);
    const char* expected[] = {"HI",       "TIMER",   "NET_TX", "NET_RX",  "BLOCK",
                              "IRQ_POLL", "TASKLET", "SCHED",  "HRTIMER", "RCU"};
    for (unsigned i = 0; i < irqlab::softirq::nr_softirqs; ++i)
        EXPECT_STREQ(softirq_name(static_cast<SoftirqNr>(i)), expected[i]);
    static_assert(static_cast<unsigned>(SoftirqNr::hi) == 0);
    static_assert(static_cast<unsigned>(SoftirqNr::tasklet) == 6);
    static_assert(static_cast<unsigned>(SoftirqNr::rcu) == 9);
    static_assert(softirq_bit(SoftirqNr::net_rx) == 1u << 3);
    EXPECT_STREQ(softirq_name(static_cast<SoftirqNr>(10)), "?");
}

TEST_F(EngineSoftirq, RaiseMarksPendingUntilProcessed) {
    Probe probe;
    open(probe, SoftirqNr::timer);
    // No daemons: a raise from process context stays pending.
    softirqs.raise(SoftirqNr::timer);
    softirqs.raise(SoftirqNr::net_tx);
    EXPECT_EQ(softirqs.pending(), softirq_bit(SoftirqNr::timer) | softirq_bit(SoftirqNr::net_tx));
    EXPECT_EQ(softirqs.pending_on(0), softirqs.pending());
    EXPECT_EQ(softirqs.pending_on(1), 0u);
    EXPECT_EQ(softirqs.cpu_stats(0).daemon_wakeups, 0u);
    // local_bh_enable() processes; NET_TX has no handler and is dropped.
    softirqs.local_bh_disable();
    softirqs.local_bh_enable();
    EXPECT_EQ(probe.runs, 1);
    EXPECT_EQ(softirqs.pending(), 0u);
    EXPECT_EQ(softirqs.cpu_stats(0).bh_enable_rounds, 1u);
    EXPECT_EQ(softirqs.slot_stats(SoftirqNr::net_tx, 0).raised, 1u);
    EXPECT_EQ(softirqs.slot_stats(SoftirqNr::net_tx, 0).runs, 0u);
}

TEST_F(EngineSoftirq, RaiseFromProcessContextWakesThatCpusDaemon) {
    Probe probe;
    open(probe, SoftirqNr::net_rx);
    ASSERT_TRUE(softirqs.start_daemons());
    std::thread::id raiser;
    run_on_cpu(2, [&] {
        raiser = std::this_thread::get_id();
        softirqs.raise(SoftirqNr::net_rx);
    });
    ASSERT_TRUE(wait_until([&] { return probe.runs == 1; }));
    EXPECT_EQ(probe.cpu, 2u);
    EXPECT_FALSE(probe.irqs_off);
    EXPECT_TRUE(probe.serving);
    EXPECT_NE(probe.thread.load(), raiser);
    const auto stats = softirqs.cpu_stats(2);
    EXPECT_GE(stats.daemon_wakeups, 1u);
    EXPECT_EQ(stats.daemon_rounds, 1u);
    EXPECT_EQ(stats.irq_exit_rounds, 0u);
    EXPECT_EQ(softirqs.slot_stats(SoftirqNr::net_rx, 2).runs, 1u);
    EXPECT_EQ(softirqs.slot_stats(SoftirqNr::net_rx, 0).runs, 0u);
}

TEST_F(EngineSoftirq, IrqExitRoundRunsInTheHostBottomHalfWithInterruptsOn) {
    Probe probe;
    open(probe, SoftirqNr::block);
    ASSERT_TRUE(softirqs.start_daemons());
    std::thread::id me;
    bool ran_inside = true;
    bool ran_after = false;
    run_on_cpu(1, [&] {
        me = std::this_thread::get_id();
        hardirq(
            context, softirqs,
            [&] {
                softirqs.raise_irqoff(SoftirqNr::block);
                // Raised in hardirq: pending, not run, and no daemon woken.
                EXPECT_EQ(softirqs.pending(), softirq_bit(SoftirqNr::block));
            },
            [&] { ran_inside = probe.runs != 0; });
        ran_after = probe.runs == 1;
    });
    // Not inside the host's hardirq (interrupts off), but right after it,
    // on the same CPU and thread, as Linux's irq_exit() does.
    EXPECT_FALSE(ran_inside);
    EXPECT_TRUE(ran_after);
    EXPECT_EQ(probe.thread.load(), me);
    EXPECT_EQ(probe.cpu, 1u);
    EXPECT_FALSE(probe.irqs_off);
    EXPECT_TRUE(probe.in_bottom_half);
    EXPECT_TRUE(probe.serving);
    const auto stats = softirqs.cpu_stats(1);
    EXPECT_EQ(stats.irq_exit_rounds, 1u);
    EXPECT_EQ(stats.daemon_wakeups, 0u);
    EXPECT_EQ(stats.daemon_rounds, 0u);
    EXPECT_EQ(softirqs.pending_on(1), 0u);
}

TEST_F(EngineSoftirq, HardirqNestedInTheIrqExitRoundLeavesItsWorkToTheRound) {
    // A hardirq arrives on the same CPU while the round irq_exit() left to
    // the host's bottom half runs (interrupts on) and raises another slot:
    // its irq_exit must not process or schedule (in_interrupt); the
    // running round does, in a restart.
    Probe outer;
    Probe inner;
    open(outer, SoftirqNr::timer);
    open(inner, SoftirqNr::net_rx);
    int inner_runs_after_nested_exit = -1;
    bool outer_irqs_off = true;
    bool once = false;
    outer.extra = [&] {
        if (once)
            return;
        once = true;
        outer_irqs_off = irqlab::base::irqs_disabled();
        hardirq(context, softirqs, [&] {
            EXPECT_TRUE(context.in_serving_softirq());
            softirqs.raise_irqoff(SoftirqNr::net_rx);
        });
        inner_runs_after_nested_exit = inner.runs;
    };
    run_on_cpu(
        3, [&] { hardirq(context, softirqs, [&] { softirqs.raise_irqoff(SoftirqNr::timer); }); });
    EXPECT_FALSE(outer_irqs_off);
    EXPECT_EQ(inner_runs_after_nested_exit, 0);
    EXPECT_EQ(outer.runs, 1);
    EXPECT_EQ(inner.runs, 1);
    EXPECT_TRUE(inner.in_bottom_half);
    EXPECT_EQ(context.word_on(3), 0u);
    const auto stats = softirqs.cpu_stats(3);
    EXPECT_EQ(stats.irq_exit_rounds, 1u);
    EXPECT_EQ(stats.restarts, 1u);
}

TEST_F(EngineSoftirq, BottomHalvesOffDeferUntilEnable) {
    Probe probe;
    open(probe, SoftirqNr::timer);
    ASSERT_TRUE(softirqs.start_daemons());
    std::thread::id me;
    int runs_while_off = -1;
    int runs_after_inner_enable = -1;
    uint32_t pending_while_off = 0;
    run_on_cpu(3, [&] {
        me = std::this_thread::get_id();
        softirqs.local_bh_disable();
        softirqs.raise(SoftirqNr::timer);
        // A hardirq's exit inside the section must not process either.
        hardirq(context, softirqs, [&] { softirqs.raise_irqoff(SoftirqNr::timer); });
        std::this_thread::sleep_for(20ms); // the daemon must keep out too
        runs_while_off = probe.runs;
        pending_while_off = softirqs.pending();
        softirqs.local_bh_disable();
        softirqs.local_bh_enable();
        runs_after_inner_enable = probe.runs;
        softirqs.local_bh_enable();
    });
    EXPECT_EQ(runs_while_off, 0);
    EXPECT_EQ(pending_while_off, softirq_bit(SoftirqNr::timer));
    EXPECT_EQ(runs_after_inner_enable, 0);
    EXPECT_EQ(probe.runs, 1);
    EXPECT_EQ(probe.thread.load(), me);
    EXPECT_FALSE(probe.irqs_off);
    const auto stats = softirqs.cpu_stats(3);
    EXPECT_EQ(stats.bh_enable_rounds, 1u);
    EXPECT_EQ(stats.irq_exit_rounds, 0u);
    EXPECT_EQ(stats.daemon_rounds, 0u);
    EXPECT_EQ(stats.daemon_wakeups, 0u);
    EXPECT_EQ(softirqs.slot_stats(SoftirqNr::timer, 3).coalesced, 1u);
    EXPECT_EQ(softirqs.misuse_reports(), 0u);
}

TEST_F(EngineSoftirq, HandlersRunInPriorityOrder) {
    std::string order;
    struct Named {
        std::string* order;
        const char* name;
    };
    Named named[irqlab::softirq::nr_softirqs];
    for (unsigned i = 0; i < irqlab::softirq::nr_softirqs; ++i) {
        named[i] = {&order, softirq_name(static_cast<SoftirqNr>(i))};
        softirqs.open(
            static_cast<SoftirqNr>(i),
            [](void* raw) {
                auto* self = static_cast<Named*>(raw);
                *self->order += self->name;
                *self->order += ' ';
            },
            &named[i]);
    }
    softirqs.local_bh_disable();
    for (SoftirqNr nr :
         {SoftirqNr::rcu, SoftirqNr::net_rx, SoftirqNr::tasklet, SoftirqNr::timer, SoftirqNr::hi})
        softirqs.raise(nr);
    softirqs.local_bh_enable();
    EXPECT_EQ(order, "HI TIMER NET_RX TASKLET RCU ");
}

TEST_F(EngineSoftirq, ReRaisingHandlerHandsOverAfterTenPasses) {
    // No time limit to speak of: the pass limit alone must end the round.
    softirqs.set_budget({10'000'000'000ull, 10});
    Probe probe;
    probe.reraise_until = 25;
    open(probe, SoftirqNr::sched);
    ASSERT_TRUE(softirqs.start_daemons());
    int runs_in_irq_exit = -1;
    run_on_cpu(
        1, [&] { hardirq(context, softirqs, [&] { softirqs.raise_irqoff(SoftirqNr::sched); }); });
    runs_in_irq_exit = probe.runs_in_bottom_half;
    ASSERT_TRUE(wait_until([&] { return probe.runs == 25 && softirqs.pending_on(1) == 0; }));
    EXPECT_EQ(runs_in_irq_exit, 10);
    EXPECT_EQ(probe.runs_in_bottom_half, 10); // the irq_exit round
    EXPECT_FALSE(probe.in_bottom_half);       // the rest: the daemon
    EXPECT_FALSE(probe.irqs_off);
    EXPECT_EQ(probe.cpu, 1u);
    const auto stats = softirqs.cpu_stats(1);
    EXPECT_EQ(stats.irq_exit_rounds, 1u);
    EXPECT_EQ(stats.handover_restarts, 1u);
    EXPECT_EQ(stats.handover_time, 0u);
    EXPECT_EQ(stats.handover_resched, 0u);
    EXPECT_EQ(stats.max_round_restarts, 9u);
    EXPECT_LE(stats.max_round_restarts, 10u);
    EXPECT_GE(stats.daemon_rounds, 2u); // 10 passes, yield, 5 passes
    EXPECT_GE(stats.daemon_yields, 1u);
    EXPECT_GE(stats.daemon_wakeups, 1u);
    const auto slot = softirqs.slot_stats(SoftirqNr::sched, 1);
    EXPECT_EQ(slot.raised, 25u);
    EXPECT_EQ(slot.runs, 25u);
    EXPECT_EQ(slot.coalesced, 0u);
}

TEST_F(EngineSoftirq, EndlessReRaiseWithDefaultBudgetGoesToTheDaemon) {
    EXPECT_EQ(softirqs.budget().max_ns, 2'000'000u);
    EXPECT_EQ(softirqs.budget().max_restarts, 10u);
    Probe probe;
    probe.reraise_until = -1;
    open(probe, SoftirqNr::hrtimer);
    ASSERT_TRUE(softirqs.start_daemons());
    int runs_in_irq_exit = -1;
    uint64_t exit_ns = 0;
    run_on_cpu(2, [&] {
        const uint64_t begin = irqlab::base::now_ns();
        hardirq(context, softirqs, [&] { softirqs.raise_irqoff(SoftirqNr::hrtimer); });
        exit_ns = irqlab::base::now_ns() - begin;
    });
    // Once the round handed over, the daemon may start before we look.
    runs_in_irq_exit = probe.runs_in_bottom_half;
    // The daemon takes it over and keeps it going.
    ASSERT_TRUE(wait_until([&] { return probe.runs > runs_in_irq_exit + 100; }));
    probe.stop = true;
    ASSERT_TRUE(wait_until([&] { return softirqs.pending_on(2) == 0; }));
    // The mask clears before the last run ends: let that run finish.
    softirqs.stop_daemons();
    EXPECT_LE(runs_in_irq_exit, 10);
    EXPECT_LT(exit_ns, 1'000'000'000u); // bounded, not endless
    const auto stats = softirqs.cpu_stats(2);
    EXPECT_EQ(stats.irq_exit_rounds, 1u);
    EXPECT_EQ(stats.handover_restarts + stats.handover_time, 1u);
    EXPECT_LE(stats.max_round_restarts, 10u);
    EXPECT_GE(stats.daemon_rounds, 1u);
    EXPECT_FALSE(probe.irqs_off);
    EXPECT_EQ(probe.cpu, 2u);
}

TEST_F(EngineSoftirq, SlowHandlerHandsOverForTime) {
    Probe probe;
    probe.reraise_until = 5;
    probe.busy = 1500us;
    open(probe, SoftirqNr::block);
    ASSERT_TRUE(softirqs.start_daemons());
    int runs_in_irq_exit = -1;
    run_on_cpu(
        1, [&] { hardirq(context, softirqs, [&] { softirqs.raise_irqoff(SoftirqNr::block); }); });
    runs_in_irq_exit = probe.runs_in_bottom_half;
    ASSERT_TRUE(wait_until([&] { return probe.runs == 5 && softirqs.pending_on(1) == 0; }));
    // 1.5 ms per pass: the second pass crosses 2 ms.
    EXPECT_GE(runs_in_irq_exit, 1);
    EXPECT_LE(runs_in_irq_exit, 2);
    const auto stats = softirqs.cpu_stats(1);
    EXPECT_EQ(stats.handover_time, 1u);
    EXPECT_EQ(stats.handover_restarts, 0u);
    EXPECT_LE(stats.max_round_restarts, 1u);
    EXPECT_GE(stats.daemon_rounds, 1u);
}

TEST_F(EngineSoftirq, CountsPerSlotAndCpu) {
    Probe probe;
    probe.busy = 200us;
    open(probe, SoftirqNr::block);
    run_on_cpu(2, [&] {
        for (int i = 0; i < 3; ++i)
            hardirq(context, softirqs, [&] { softirqs.raise_irqoff(SoftirqNr::block); });
        // Raised three times in one hardirq: one run.
        hardirq(context, softirqs, [&] {
            for (int i = 0; i < 3; ++i)
                softirqs.raise_irqoff(SoftirqNr::block);
        });
    });
    EXPECT_EQ(probe.runs, 4);
    const auto slot = softirqs.slot_stats(SoftirqNr::block, 2);
    EXPECT_EQ(slot.raised, 6u);
    EXPECT_EQ(slot.coalesced, 2u);
    EXPECT_EQ(slot.runs, 4u);
    EXPECT_GE(slot.ns, 4u * 200'000u);
    EXPECT_EQ(softirqs.cpu_stats(2).irq_exit_rounds, 4u);
    for (unsigned cpu = 0; cpu < irqlab::base::nr_cpu_ids(); ++cpu) {
        for (unsigned i = 0; i < irqlab::softirq::nr_softirqs; ++i) {
            if (cpu == 2 && i == static_cast<unsigned>(SoftirqNr::block))
                continue;
            const auto other = softirqs.slot_stats(static_cast<SoftirqNr>(i), cpu);
            EXPECT_EQ(other.raised + other.runs + other.ns, 0u) << cpu << " " << i;
        }
    }
}

TEST_F(EngineSoftirq, StopDaemonsWithPendingWorkIsClean) {
    Probe probe;
    probe.reraise_until = -1; // keeps its daemon busy forever
    open(probe, SoftirqNr::net_tx);
    ASSERT_TRUE(softirqs.start_daemons());
    run_on_cpu(1, [&] { softirqs.raise(SoftirqNr::net_tx); });
    ASSERT_TRUE(wait_until([&] { return probe.runs > 50; }));
    softirqs.stop_daemons();
    for (unsigned cpu = 0; cpu < irqlab::base::nr_cpu_ids(); ++cpu)
        EXPECT_FALSE(softirqs.daemon_running(cpu));
    const int runs = probe.runs;
    EXPECT_EQ(softirqs.pending_on(1), softirq_bit(SoftirqNr::net_tx));
    // Raising with no daemon wakes nobody and is not lost.
    const uint64_t wakeups = softirqs.cpu_stats(1).daemon_wakeups;
    run_on_cpu(1, [&] { softirqs.raise(SoftirqNr::net_tx); });
    std::this_thread::sleep_for(10ms);
    EXPECT_EQ(probe.runs, runs);
    EXPECT_EQ(softirqs.cpu_stats(1).daemon_wakeups, wakeups);
    EXPECT_EQ(softirqs.slot_stats(SoftirqNr::net_tx, 1).coalesced, 1u);
    // Stopping twice and destroying with work pending are fine.
    softirqs.stop_daemons();
}

TEST_F(EngineSoftirq, BottomHalfCallsFromHardirqAreReported) {
    run_on_cpu(1, [&] {
        hardirq(context, softirqs, [&] {
            softirqs.local_bh_disable();
            softirqs.local_bh_enable();
        });
    });
    EXPECT_EQ(softirqs.misuse_reports(), 2u);
    EXPECT_EQ(context.word_on(1), 0u);
}

// 2..8 simulated CPUs: one daemon per CPU, named and bound.
class EngineSoftirqCpus : public testing::TestWithParam<unsigned> {
protected:
    void SetUp() override {
        irqlab::hosted::set_simulated_cpus(GetParam());
        context = std::make_unique<Context>();
        softirqs = std::make_unique<Softirqs>(*context);
        ASSERT_TRUE(context->init());
        ASSERT_TRUE(softirqs->init());
    }
    void TearDown() override {
        softirqs.reset();
        context.reset();
        irqlab::hosted::set_simulated_cpus(4);
    }

    std::unique_ptr<Context> context;
    std::unique_ptr<Softirqs> softirqs;
};

struct CpuMask {
    std::atomic<unsigned> ran{0};
    std::atomic<int> irqs_off_runs{0};
    Softirqs* softirqs = nullptr;
};

TEST_P(EngineSoftirqCpus, OneNamedDaemonPerCpuRunsThatCpusWork) {
    const unsigned cpus = GetParam();
    ASSERT_EQ(irqlab::base::nr_cpu_ids(), cpus);
    CpuMask mask;
    mask.softirqs = softirqs.get();
    softirqs->open(
        SoftirqNr::rcu,
        [](void* raw) {
            auto* self = static_cast<CpuMask*>(raw);
            self->ran.fetch_or(1u << irqlab::base::cpu_id());
            if (irqlab::base::irqs_disabled())
                self->irqs_off_runs.fetch_add(1);
        },
        &mask);
    ASSERT_TRUE(softirqs->start_daemons());
    for (unsigned cpu = 0; cpu < cpus; ++cpu) {
        EXPECT_TRUE(softirqs->daemon_running(cpu));
        EXPECT_EQ(std::string{softirqs->daemon_name(cpu)}, "irqlab-sirqd/" + std::to_string(cpu));
    }
    EXPECT_EQ(ktest::on_each_cpu(
                  [](void* raw, unsigned) { static_cast<Softirqs*>(raw)->raise(SoftirqNr::rcu); },
                  softirqs.get()),
              cpus);
    const unsigned all = (1u << cpus) - 1;
    ASSERT_TRUE(wait_until([&] { return mask.ran == all; }));
    EXPECT_EQ(mask.irqs_off_runs, 0);
    for (unsigned cpu = 0; cpu < cpus; ++cpu) {
        EXPECT_TRUE(wait_until([&] { return softirqs->cpu_stats(cpu).daemon_rounds == 1; }));
        EXPECT_EQ(softirqs->slot_stats(SoftirqNr::rcu, cpu).runs, 1u);
    }
    softirqs->stop_daemons();
    for (unsigned cpu = 0; cpu < cpus; ++cpu)
        EXPECT_FALSE(softirqs->daemon_running(cpu));
}

INSTANTIATE_TEST_SUITE_P(TwoToEight, EngineSoftirqCpus, testing::Range(2u, 9u));

} // namespace engine_softirq_test
