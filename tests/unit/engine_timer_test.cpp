// Engine timers (core/timer/timers.*): expiry no earlier than asked, on the
// CPU asked for, in engine softirq context; ordering; mod, del and
// del_sync; self re-arming; and a 4-CPU stress of mod/del races.
#include "core/base/cpu.h"
#include "core/base/thread.h"
#include "core/engine/context.h"
#include "core/softirq/softirq_nr.h"
#include "core/softirq/softirqs.h"
#include "core/timer/timers.h"
#include "irqlab/platform.h"

#include "tests/unit/engine_threads.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace engine_timer_test {

using irqlab::test::OnCpu;
using irqlab::test::run_on_cpu;
using irqlab::test::wait_until;

using irqlab::engine::Context;
using irqlab::softirq::SoftirqNr;
using irqlab::softirq::Softirqs;
using irqlab::timer::Timer;
using irqlab::timer::timer_setup;
using irqlab::timer::Timers;
using namespace std::chrono_literals;

constexpr uint64_t us = 1'000;
constexpr uint64_t ms = 1'000'000;

// A timer and what its callback saw. Timer first: the callback gets back
// to the probe from the Timer pointer.
struct Probe {
    Timer timer;
    Context* context = nullptr;
    Timers* timers = nullptr;
    std::atomic<int> runs{0};
    std::atomic<unsigned> cpu{~0u};
    std::atomic<bool> serving{false};
    std::atomic<bool> hardirq{false};
    std::atomic<uint64_t> ran_at{0};
    // Set by the test before arming; what the callback does besides.
    std::function<void(Probe&)> extra;

    static Probe& of(Timer* timer) { return *reinterpret_cast<Probe*>(timer); }

    static void callback(Timer* timer) {
        Probe& self = of(timer);
        self.ran_at = irqlab::base::now_ns();
        self.cpu = irqlab::base::cpu_id();
        self.serving = self.context->in_serving_softirq();
        self.hardirq = self.context->in_hardirq();
        if (self.extra)
            self.extra(self);
        self.runs.fetch_add(1);
    }
};

class TimerEngine : public testing::Test {
protected:
    void SetUp() override {
        ASSERT_TRUE(context.init());
        ASSERT_TRUE(softirqs.init());
        ASSERT_TRUE(softirqs.start_daemons());
        ASSERT_TRUE(timers.init());
    }
    void TearDown() override {
        timers.stop();
        softirqs.stop_daemons();
    }

    void setup(Probe& probe) {
        timer_setup(probe.timer, Probe::callback);
        probe.context = &context;
        probe.timers = &timers;
    }

    Context context;
    Softirqs softirqs{context};
    Timers timers{softirqs};
};

TEST_F(TimerEngine, FiresNoEarlierThanExpiryOnItsCpuInSoftirq) {
    for (unsigned cpu = 0; cpu < irqlab::base::nr_cpu_ids(); ++cpu) {
        Probe probe;
        setup(probe);
        EXPECT_FALSE(timers.pending(probe.timer));
        const uint64_t expires = irqlab::base::now_ns() + 3 * ms;
        EXPECT_FALSE(timers.mod_on(probe.timer, expires, cpu));
        EXPECT_TRUE(timers.pending(probe.timer));
        ASSERT_TRUE(wait_until([&] { return probe.runs == 1; }));
        EXPECT_GE(probe.ran_at.load(), expires);
        EXPECT_EQ(probe.cpu, cpu);
        EXPECT_TRUE(probe.serving);
        EXPECT_FALSE(probe.hardirq);
        EXPECT_FALSE(timers.pending(probe.timer));
        EXPECT_EQ(timers.expired_runs(cpu), 1u);
        EXPECT_FALSE(timers.del_sync(probe.timer));
    }
    EXPECT_GE(softirqs.slot_stats(SoftirqNr::timer, 2).runs, 1u);
}

TEST_F(TimerEngine, ModArmsOnTheCallingCpu) {
    Probe probe;
    setup(probe);
    uint64_t expires = 0;
    run_on_cpu(3, [&] {
        expires = irqlab::base::now_ns() + 1 * ms;
        EXPECT_FALSE(timers.mod(probe.timer, expires));
    });
    ASSERT_TRUE(wait_until([&] { return probe.runs == 1; }));
    EXPECT_EQ(probe.cpu, 3u);
    EXPECT_GE(probe.ran_at.load(), expires);
}

TEST_F(TimerEngine, ManyTimersFireInExpiryOrder) {
    constexpr unsigned count = 64;
    std::vector<std::unique_ptr<Probe>> probes;
    std::mutex order_lock;
    std::vector<unsigned> order;
    const uint64_t base = irqlab::base::now_ns() + 20 * ms;
    // Armed in a scrambled order; expiry i is base + i * 50 us, with pairs
    // sharing an expiry (those fire in arming order).
    std::vector<unsigned> arming(count);
    for (unsigned i = 0; i < count; ++i)
        arming[i] = (i * 37) % count;
    for (unsigned i = 0; i < count; ++i) {
        probes.push_back(std::make_unique<Probe>());
        setup(*probes.back());
        probes.back()->extra = [&order, &order_lock, i](Probe&) {
            std::lock_guard hold{order_lock};
            order.push_back(i);
        };
    }
    auto expiry = [&](unsigned i) { return base + (i / 2) * 50 * us; };
    for (unsigned i : arming)
        timers.mod_on(probes[i]->timer, expiry(i), 1);
    ASSERT_TRUE(wait_until([&] { return timers.expired_runs(1) == count; }));
    std::lock_guard hold{order_lock};
    ASSERT_EQ(order.size(), count);
    for (unsigned k = 1; k < count; ++k) {
        EXPECT_LE(expiry(order[k - 1]), expiry(order[k]));
        if (expiry(order[k - 1]) == expiry(order[k])) {
            // Equal expiry: arming order.
            const auto pos = [&](unsigned i) {
                return std::find(arming.begin(), arming.end(), i) - arming.begin();
            };
            EXPECT_LT(pos(order[k - 1]), pos(order[k]));
        }
    }
    for (unsigned i = 0; i < count; ++i) {
        EXPECT_EQ(probes[i]->runs, 1);
        EXPECT_GE(probes[i]->ran_at.load(), expiry(i));
    }
}

TEST_F(TimerEngine, ModToEarlierWakesTheThread) {
    Probe probe;
    setup(probe);
    EXPECT_FALSE(timers.mod_on(probe.timer, irqlab::base::now_ns() + 3600'000 * ms, 2));
    const uint64_t earlier = irqlab::base::now_ns() + 1 * ms;
    EXPECT_TRUE(timers.mod_on(probe.timer, earlier, 2));
    ASSERT_TRUE(wait_until([&] { return probe.runs == 1; }));
    EXPECT_GE(probe.ran_at.load(), earlier);
    EXPECT_EQ(probe.cpu, 2u);
}

TEST_F(TimerEngine, ModToLaterPostponesTheExpiry) {
    Probe probe;
    setup(probe);
    EXPECT_FALSE(timers.mod_on(probe.timer, irqlab::base::now_ns() + 1 * ms, 1));
    const uint64_t later = irqlab::base::now_ns() + 30 * ms;
    EXPECT_TRUE(timers.mod_on(probe.timer, later, 1));
    ASSERT_TRUE(wait_until([&] { return probe.runs == 1; }));
    EXPECT_GE(probe.ran_at.load(), later);
    EXPECT_EQ(timers.expired_runs(1), 1u);
}

TEST_F(TimerEngine, ModOnAnotherCpuMovesIt) {
    Probe probe;
    setup(probe);
    EXPECT_FALSE(timers.mod_on(probe.timer, irqlab::base::now_ns() + 3600'000 * ms, 1));
    const uint64_t expires = irqlab::base::now_ns() + 2 * ms;
    EXPECT_TRUE(timers.mod_on(probe.timer, expires, 3));
    ASSERT_TRUE(wait_until([&] { return probe.runs == 1; }));
    EXPECT_EQ(probe.cpu, 3u);
    EXPECT_GE(probe.ran_at.load(), expires);
    EXPECT_EQ(timers.expired_runs(1), 0u);
    EXPECT_EQ(timers.expired_runs(3), 1u);
}

TEST_F(TimerEngine, DelPreventsTheRun) {
    Probe victim;
    Probe witness;
    setup(victim);
    setup(witness);
    const uint64_t now = irqlab::base::now_ns();
    timers.mod_on(victim.timer, now + 5 * ms, 2);
    timers.mod_on(witness.timer, now + 10 * ms, 2);
    EXPECT_TRUE(timers.del(victim.timer));
    EXPECT_FALSE(timers.pending(victim.timer));
    EXPECT_FALSE(timers.del(victim.timer));
    // The witness expires later on the same CPU: once it ran, the victim
    // would have run before it.
    ASSERT_TRUE(wait_until([&] { return witness.runs == 1; }));
    EXPECT_EQ(victim.runs, 0);
    EXPECT_EQ(timers.expired_runs(2), 1u);
    // Never armed: nothing to delete.
    Probe idle;
    setup(idle);
    EXPECT_FALSE(timers.del(idle.timer));
    EXPECT_FALSE(timers.del_sync(idle.timer));
}

TEST_F(TimerEngine, DelSyncWaitsForTheRunningCallback) {
    Probe probe;
    setup(probe);
    std::atomic<bool> entered{false};
    std::atomic<bool> release{false};
    std::atomic<bool> finished{false};
    probe.extra = [&](Probe&) {
        entered = true;
        while (!release)
            std::this_thread::yield();
        finished = true;
    };
    timers.mod_on(probe.timer, irqlab::base::now_ns() + 1 * ms, 1);
    ASSERT_TRUE(wait_until([&] { return entered.load(); }));
    std::atomic<bool> returned{false};
    bool finished_at_return = false;
    bool result = true;
    OnCpu deleter{2, [&] {
                      result = timers.del_sync(probe.timer);
                      finished_at_return = finished;
                      returned = true;
                  }};
    // del() does not wait, and the timer is no longer pending.
    EXPECT_FALSE(timers.del(probe.timer));
    std::this_thread::sleep_for(20ms);
    EXPECT_FALSE(returned);
    release = true;
    deleter.join();
    EXPECT_TRUE(returned);
    EXPECT_TRUE(finished_at_return);
    EXPECT_FALSE(result);
    EXPECT_EQ(probe.runs, 1);
}

TEST_F(TimerEngine, DelSyncStopsASelfRearmingTimer) {
    Probe probe;
    setup(probe);
    probe.extra = [](Probe& self) {
        self.timers->mod(self.timer, irqlab::base::now_ns() + 50 * us);
    };
    timers.mod_on(probe.timer, irqlab::base::now_ns(), 0);
    ASSERT_TRUE(wait_until([&] { return probe.runs >= 5; }));
    timers.del_sync(probe.timer);
    const int runs = probe.runs;
    EXPECT_FALSE(timers.pending(probe.timer));
    std::this_thread::sleep_for(5ms);
    EXPECT_EQ(probe.runs, runs);
}

TEST_F(TimerEngine, SelfRearmingCallbackRunsEachTimeOnItsTargetCpu) {
    Probe probe;
    setup(probe);
    constexpr int rounds = 12;
    std::vector<unsigned> cpus;
    std::mutex seen_lock;
    const unsigned nr = irqlab::base::nr_cpu_ids();
    std::atomic<uint64_t> next_expiry{0};
    int bad_expiry = 0;
    probe.extra = [&](Probe& self) {
        const uint64_t now = irqlab::base::now_ns();
        {
            std::lock_guard hold{seen_lock};
            cpus.push_back(irqlab::base::cpu_id());
            if (now < next_expiry)
                ++bad_expiry;
        }
        if (self.runs + 1 < rounds) {
            // The next run on the next CPU: the move happens once this
            // callback returned.
            next_expiry = now + 200 * us;
            EXPECT_FALSE(
                self.timers->mod_on(self.timer, next_expiry, (irqlab::base::cpu_id() + 1) % nr));
            EXPECT_TRUE(self.timers->pending(self.timer));
        }
    };
    next_expiry = irqlab::base::now_ns() + 1 * ms;
    timers.mod_on(probe.timer, next_expiry, 0);
    ASSERT_TRUE(wait_until([&] { return probe.runs == rounds; }));
    std::lock_guard hold{seen_lock};
    ASSERT_EQ(cpus.size(), static_cast<size_t>(rounds));
    for (int i = 0; i < rounds; ++i)
        EXPECT_EQ(cpus[i], i % nr) << "run " << i;
    EXPECT_EQ(bad_expiry, 0);
    EXPECT_FALSE(timers.pending(probe.timer));
    EXPECT_FALSE(timers.del_sync(probe.timer));
}

TEST_F(TimerEngine, CallbackMayArmOthersAndDeleteItself) {
    Probe first;
    Probe second;
    setup(first);
    setup(second);
    first.extra = [&](Probe& self) {
        // Deleting itself while running: not pending, nothing to delete.
        EXPECT_FALSE(self.timers->del(self.timer));
        self.timers->mod_on(second.timer, irqlab::base::now_ns(), 3);
    };
    timers.mod_on(first.timer, irqlab::base::now_ns() + 1 * ms, 2);
    ASSERT_TRUE(wait_until([&] { return second.runs == 1; }));
    EXPECT_EQ(first.runs, 1);
    EXPECT_EQ(first.cpu, 2u);
    EXPECT_EQ(second.cpu, 3u);
}

// Four CPUs arm, re-arm, move and delete a shared set of timers. Each arm
// of a non-pending timer (mod returned false) makes one run due; each del
// that found it pending cancels one: in the end runs == arms - dels, per
// timer, exactly.
TEST_F(TimerEngine, StressModDelRacesOnFourCpus) {
    constexpr unsigned nr_timers = 24;
    constexpr unsigned per_cpu = 6000;
    const unsigned nr = std::min(4u, irqlab::base::nr_cpu_ids());

    struct Subject {
        Probe probe;
        std::atomic<uint64_t> arms{0};
        std::atomic<uint64_t> dels{0};
        std::atomic<uint64_t> wrong_cpu{0};
        std::atomic<uint64_t> not_serving{0};
    };
    std::vector<std::unique_ptr<Subject>> subjects;
    for (unsigned i = 0; i < nr_timers; ++i) {
        subjects.push_back(std::make_unique<Subject>());
        Subject& subject = *subjects.back();
        setup(subject.probe);
        subject.probe.extra = [&subject](Probe& self) {
            // While its callback runs a timer stays on the running CPU.
            if (self.timer.cpu.load() != irqlab::base::cpu_id())
                subject.wrong_cpu.fetch_add(1);
            if (!self.serving)
                subject.not_serving.fetch_add(1);
        };
    }

    std::vector<std::unique_ptr<OnCpu>> drivers;
    for (unsigned cpu = 0; cpu < nr; ++cpu) {
        drivers.push_back(std::make_unique<OnCpu>(cpu, [&, cpu] {
            uint32_t rng = 0x9e3779b9u * (cpu + 1);
            auto next = [&rng] {
                rng ^= rng << 13;
                rng ^= rng >> 17;
                rng ^= rng << 5;
                return rng;
            };
            for (unsigned n = 0; n < per_cpu; ++n) {
                Subject& subject = *subjects[next() % nr_timers];
                const unsigned op = next() % 8;
                if (op < 5) {
                    const uint64_t expires = irqlab::base::now_ns() + (next() % 300) * us;
                    const unsigned target = next() % nr;
                    if (!timers.mod_on(subject.probe.timer, expires, target))
                        subject.arms.fetch_add(1);
                } else if (op < 7) {
                    if (timers.del(subject.probe.timer))
                        subject.dels.fetch_add(1);
                } else {
                    if (timers.del_sync(subject.probe.timer))
                        subject.dels.fetch_add(1);
                }
                if (n % 64 == 0)
                    std::this_thread::yield();
            }
        }));
    }
    for (auto& driver : drivers)
        driver->join();
    auto settled = [&] {
        for (auto& subject : subjects)
            if (subject->probe.runs.load() !=
                static_cast<int>(subject->arms.load() - subject->dels.load()))
                return false;
        return true;
    };
    EXPECT_TRUE(wait_until(settled, 20s));
    uint64_t total_runs = 0;
    for (auto& subject : subjects) {
        EXPECT_FALSE(timers.pending(subject->probe.timer));
        EXPECT_EQ(subject->probe.runs.load(),
                  static_cast<int>(subject->arms.load() - subject->dels.load()));
        EXPECT_EQ(subject->wrong_cpu.load(), 0u);
        EXPECT_EQ(subject->not_serving.load(), 0u);
        total_runs += subject->probe.runs.load();
        timers.del_sync(subject->probe.timer);
    }
    uint64_t expired = 0;
    for (unsigned cpu = 0; cpu < irqlab::base::nr_cpu_ids(); ++cpu)
        expired += timers.expired_runs(cpu);
    EXPECT_EQ(expired, total_runs);
    EXPECT_GT(total_runs, 0u);
}

TEST_F(TimerEngine, StopLeavesPendingTimersPending) {
    Probe probe;
    setup(probe);
    timers.mod_on(probe.timer, irqlab::base::now_ns() + 200 * ms, 1);
    timers.stop();
    EXPECT_TRUE(timers.pending(probe.timer));
    EXPECT_TRUE(timers.del(probe.timer));
    EXPECT_EQ(probe.runs, 0);
}

} // namespace engine_timer_test
