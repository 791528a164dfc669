// NAPI polling (core/napi): re-enabling exactly under budget, the MISSED
// path, per-instance and total budgets, time squeeze, the histogram,
// disable, and schedules from engine hardirq context on four CPUs.
#include "core/base/cpu.h"
#include "core/base/thread.h"
#include "core/engine/context.h"
#include "core/napi/napi.h"
#include "core/napi/napi_polls.h"
#include "core/softirq/softirq_nr.h"
#include "core/softirq/softirqs.h"
#include "irqlab/platform.h"

#include "tests/unit/engine_threads.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <thread>
#include <vector>

namespace engine_napi_test {

using irqlab::test::OnCpu;
using irqlab::test::run_on_cpu;
using irqlab::test::wait_until;

using irqlab::engine::Context;
using irqlab::engine::HardirqScope;
using irqlab::napi::histogram_bucket;
using irqlab::napi::Napi;
using irqlab::napi::napi_disable;
using irqlab::napi::napi_missed;
using irqlab::napi::napi_sched;
using irqlab::napi::NapiPolls;
using irqlab::softirq::SoftirqNr;
using irqlab::softirq::Softirqs;
using namespace std::chrono_literals;

static_assert(histogram_bucket(0) == 0);
static_assert(histogram_bucket(1) == 1);
static_assert(histogram_bucket(2) == 2 && histogram_bucket(3) == 2);
static_assert(histogram_bucket(4) == 3 && histogram_bucket(7) == 3);
static_assert(histogram_bucket(8) == 4 && histogram_bucket(15) == 4);
static_assert(histogram_bucket(16) == 5 && histogram_bucket(31) == 5);
static_assert(histogram_bucket(32) == 6 && histogram_bucket(63) == 6);
static_assert(histogram_bucket(64) == 7 && histogram_bucket(1000) == 7);

// A synthetic device driven the NAPI way. Its interrupt masks itself and
// schedules the instance; the poll consumes events and unmasks only when
// complete_done() says the poll is over. Unmasking with events queued
// fires again, as a level-triggered line would.
struct Device {
    Napi napi; // first: the poll gets back to the device from it
    NapiPolls* polls = nullptr;
    Context* context = nullptr;
    std::atomic<uint64_t> queued{0};
    std::atomic<uint64_t> produced{0};
    std::atomic<uint64_t> consumed{0};
    std::atomic<bool> masked{false};
    std::atomic<uint64_t> unmasks{0};
    // The CPU whose interrupt last scheduled the instance.
    std::atomic<unsigned> scheduled_on{~0u};
    std::atomic<uint64_t> wrong_cpu{0};
    std::atomic<uint64_t> not_serving{0};
    std::atomic<uint64_t> in_hardirq{0};
    std::atomic<unsigned> last_poll_cpu{~0u};
    std::atomic<bool> polling{false};
    // Polls begun; the engine counts each after it returned.
    std::atomic<uint64_t> poll_entries{0};
    std::atomic<uint64_t> overlaps{0};
    // Extra work inside the poll (tests that need to hold it).
    std::function<void()> during_poll;

    static Device& of(Napi* napi) { return *reinterpret_cast<Device*>(napi); }

    // As a driver: disabled (which waits for the engine to let go) and
    // deleted before it is freed, unless the test did that itself.
    ~Device() {
        if (polls && napi.poll) {
            polls->disable(napi);
            polls->del(napi);
        }
    }

    // The device's interrupt handler, in engine hardirq context or not.
    void interrupt() {
        scheduled_on = irqlab::base::cpu_id();
        polls->schedule(napi);
    }

    // Events arrive; the line fires if it is not masked.
    void produce(uint64_t events) {
        produced.fetch_add(events);
        queued.fetch_add(events);
        if (!masked.exchange(true))
            interrupt();
    }

    void unmask() {
        unmasks.fetch_add(1);
        masked = false;
        if (queued.load() && !masked.exchange(true))
            interrupt();
    }

    static int poll(Napi* napi, int budget) {
        Device& self = of(napi);
        self.poll_entries.fetch_add(1);
        if (self.polling.exchange(true))
            self.overlaps.fetch_add(1);
        const unsigned cpu = irqlab::base::cpu_id();
        self.last_poll_cpu = cpu;
        if (cpu != self.scheduled_on)
            self.wrong_cpu.fetch_add(1);
        if (!self.context->in_serving_softirq())
            self.not_serving.fetch_add(1);
        if (self.context->in_hardirq())
            self.in_hardirq.fetch_add(1);
        if (self.during_poll)
            self.during_poll();
        const uint64_t work = std::min<uint64_t>(budget, self.queued.load());
        self.queued.fetch_sub(work);
        self.consumed.fetch_add(work);
        self.polling = false;
        if (static_cast<int>(work) < budget && self.polls->complete_done(*napi, work)) {
            self.unmask();
        }
        return static_cast<int>(work);
    }
};

class NapiPolling : public testing::Test {
protected:
    void SetUp() override {
        ASSERT_TRUE(context.init());
        ASSERT_TRUE(softirqs.init());
        ASSERT_TRUE(polls.init());
        // The engine's NET_RX handler, which calls net_rx_action().
        softirqs.open(
            SoftirqNr::net_rx, [](void* raw) { static_cast<NapiPolls*>(raw)->net_rx_action(); },
            &polls);
        ASSERT_TRUE(softirqs.start_daemons());
    }
    void TearDown() override { softirqs.stop_daemons(); }

    void setup(Device& device, int weight = irqlab::napi::default_weight) {
        device.polls = &polls;
        device.context = &context;
        polls.add(device.napi, Device::poll, weight);
        polls.enable(device.napi);
    }

    // 'body' as an engine hardirq on the calling CPU, then its irq_exit.
    void hardirq(const std::function<void()>& body) {
        const unsigned long flags = irqlab_plat_irq_save();
        {
            HardirqScope scope{context};
            body();
        }
        softirqs.irq_exit();
        irqlab_plat_irq_restore(flags);
    }

    // Every poll that began was also counted: the engine counts a poll
    // after it returned, which is after the driver completed it.
    static bool settled(Device& device) {
        const auto stats = device.napi.stats();
        uint64_t histogram_total = 0;
        for (uint64_t count : stats.histogram)
            histogram_total += count;
        return stats.polls == device.poll_entries.load() && histogram_total == stats.polls;
    }

    // Not scheduled, unmasked, nothing queued, and the counters final.
    static bool idle(Device& device) {
        return device.napi.state_bits() == 0 && !device.masked && device.queued == 0 &&
               settled(device);
    }

    Context context;
    Softirqs softirqs{context};
    NapiPolls polls{softirqs};
};

TEST_F(NapiPolling, AddLeavesItDisabledUntilEnable) {
    Device device;
    device.polls = &polls;
    device.context = &context;
    polls.add(device.napi, Device::poll, 0);
    EXPECT_EQ(device.napi.weight, irqlab::napi::default_weight);
    EXPECT_EQ(device.napi.state_bits(), napi_sched);
    // Scheduling a disabled instance only notes that it was missed.
    EXPECT_FALSE(polls.schedule(device.napi));
    EXPECT_EQ(device.napi.state_bits(), napi_sched | napi_missed);
    polls.enable(device.napi);
    EXPECT_EQ(device.napi.state_bits(), napi_missed);
    polls.disable(device.napi);
    polls.del(device.napi);
    EXPECT_EQ(device.napi.poll, nullptr);
}

TEST_F(NapiPolling, ReEnablesOnlyUnderBudget) {
    Device under;
    Device exact;
    setup(under);
    setup(exact);
    run_on_cpu(1, [&] { hardirq([&] { under.produce(63); }); });
    // 63 < 64: one round, complete, unmasked.
    auto stats = under.napi.stats();
    EXPECT_EQ(stats.polls, 1u);
    EXPECT_EQ(stats.completed, 1u);
    EXPECT_EQ(stats.budget_exhausted, 0u);
    EXPECT_EQ(under.unmasks, 1u);
    EXPECT_TRUE(idle(under));

    // Exactly the weight: the first round may not re-enable; it stays
    // scheduled and the second (0 events) completes.
    std::atomic<int> unmasks_after_first{-1};
    exact.during_poll = [&] {
        if (exact.napi.stats().polls == 1)
            unmasks_after_first = static_cast<int>(exact.unmasks.load());
    };
    run_on_cpu(1, [&] { hardirq([&] { exact.produce(64); }); });
    ASSERT_TRUE(wait_until([&] { return idle(exact); }));
    EXPECT_EQ(unmasks_after_first, 0);
    stats = exact.napi.stats();
    EXPECT_EQ(stats.polls, 2u);
    EXPECT_EQ(stats.budget_exhausted, 1u);
    EXPECT_EQ(stats.completed, 1u);
    EXPECT_EQ(stats.events, 64u);
    EXPECT_EQ(stats.histogram[7], 1u);
    EXPECT_EQ(stats.histogram[0], 1u);
    EXPECT_EQ(exact.unmasks, 1u);
    EXPECT_EQ(exact.consumed, 64u);
    EXPECT_EQ(exact.wrong_cpu + exact.not_serving + exact.in_hardirq, 0u);
}

TEST_F(NapiPolling, MissedScheduleReschedulesOnce) {
    Device device;
    setup(device);
    run_on_cpu(2, [&] {
        softirqs.local_bh_disable();
        device.queued = 5;
        device.produced = 5;
        device.masked = true;
        device.scheduled_on = 2;
        EXPECT_TRUE(polls.schedule(device.napi));
        // A second event before the poll ran: coalesced, MISSED noted.
        EXPECT_FALSE(polls.schedule(device.napi));
        EXPECT_EQ(device.napi.state_bits(), napi_sched | napi_missed);
        softirqs.local_bh_enable();
    });
    ASSERT_TRUE(wait_until([&] { return idle(device); }));
    const auto stats = device.napi.stats();
    EXPECT_EQ(stats.schedules, 2u);
    EXPECT_EQ(stats.coalesced, 1u);
    // First poll: 5 events, complete_done() refused (MISSED); second: 0.
    EXPECT_EQ(stats.polls, 2u);
    EXPECT_EQ(stats.completed, 1u);
    EXPECT_EQ(stats.events, 5u);
    EXPECT_EQ(stats.histogram[histogram_bucket(5)], 1u);
    EXPECT_EQ(stats.histogram[0], 1u);
    EXPECT_EQ(device.unmasks, 1u);
    EXPECT_EQ(device.last_poll_cpu, 2u);
    // Both polls in the one net_rx_action round, on CPU 2.
    EXPECT_EQ(polls.cpu_stats(2).rounds, 1u);
}

TEST_F(NapiPolling, PollRunsInServingSoftirqOnTheSchedulingCpu) {
    for (unsigned cpu = 0; cpu < irqlab::base::nr_cpu_ids(); ++cpu) {
        Device device;
        setup(device);
        run_on_cpu(cpu, [&] { hardirq([&] { device.produce(3); }); });
        ASSERT_TRUE(wait_until([&] { return idle(device); }));
        EXPECT_EQ(device.last_poll_cpu, cpu);
        EXPECT_EQ(device.wrong_cpu, 0u);
        EXPECT_EQ(device.not_serving, 0u);
        EXPECT_EQ(device.in_hardirq, 0u);
        EXPECT_EQ(polls.cpu_stats(cpu).rounds, 1u);
        polls.disable(device.napi);
        polls.del(device.napi);
    }
}

TEST_F(NapiPolling, ProcessContextScheduleWakesTheDaemon) {
    Device device;
    setup(device);
    run_on_cpu(3, [&] { device.produce(10); });
    ASSERT_TRUE(wait_until([&] { return idle(device); }));
    EXPECT_EQ(device.last_poll_cpu, 3u);
    EXPECT_EQ(device.not_serving, 0u);
    EXPECT_GE(softirqs.cpu_stats(3).daemon_rounds, 1u);
}

// Total budget 64 = the weight: every round polls one instance with a
// full weight and is cut short (time_squeeze), round robin, until each
// has nothing left; the last round completes all three.
TEST_F(NapiPolling, TotalBudgetSmallerThanWorkSqueezesAndRotates) {
    polls.set_budget({64, 1'000'000'000});
    Device devices[3];
    for (Device& device : devices)
        setup(device);
    std::vector<unsigned> order;
    for (unsigned i = 0; i < 3; ++i)
        devices[i].during_poll = [&order, i] { order.push_back(i); };
    run_on_cpu(1, [&] {
        softirqs.local_bh_disable();
        hardirq([&] {
            for (Device& device : devices)
                device.produce(256);
        });
        softirqs.local_bh_enable();
    });
    ASSERT_TRUE(
        wait_until([&] { return idle(devices[0]) && idle(devices[1]) && idle(devices[2]); }));
    const auto cpu = polls.cpu_stats(1);
    EXPECT_EQ(cpu.time_squeeze, 12u);
    EXPECT_EQ(cpu.rounds, 13u);
    EXPECT_EQ(cpu.over_weight, 0u);
    for (Device& device : devices) {
        const auto stats = device.napi.stats();
        EXPECT_EQ(stats.polls, 5u);
        EXPECT_EQ(stats.budget_exhausted, 4u);
        EXPECT_EQ(stats.completed, 1u);
        EXPECT_EQ(stats.events, 256u);
        EXPECT_EQ(stats.histogram[7], 4u);
        EXPECT_EQ(stats.histogram[0], 1u);
        EXPECT_EQ(device.consumed, 256u);
        EXPECT_EQ(device.unmasks, 1u);
    }
    const std::vector<unsigned> expected{0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2};
    EXPECT_EQ(order, expected);
    // Thirteen rounds on one CPU: the bounded softirq loop handed over.
    EXPECT_GE(softirqs.cpu_stats(1).daemon_rounds, 1u);
}

TEST_F(NapiPolling, TimeLimitSqueezesEveryRound) {
    // No time at all: each round polls one instance and stops, as Linux
    // counts a squeeze even when nothing is left.
    polls.set_budget({300, 0});
    Device devices[2];
    for (Device& device : devices)
        setup(device);
    run_on_cpu(2, [&] {
        softirqs.local_bh_disable();
        hardirq([&] {
            devices[0].produce(10);
            devices[1].produce(10);
        });
        softirqs.local_bh_enable();
    });
    ASSERT_TRUE(wait_until([&] { return idle(devices[0]) && idle(devices[1]); }));
    EXPECT_EQ(polls.cpu_stats(2).rounds, 2u);
    EXPECT_EQ(polls.cpu_stats(2).time_squeeze, 2u);
    EXPECT_EQ(devices[0].napi.stats().polls, 1u);
    EXPECT_EQ(devices[1].napi.stats().polls, 1u);
}

TEST_F(NapiPolling, HistogramBucketsPerRound) {
    Device device;
    setup(device);
    const int works[] = {0, 1, 2, 3, 4, 7, 8, 15, 16, 31, 32, 63, 64};
    uint64_t total = 0;
    for (int work : works) {
        run_on_cpu(0, [&] {
            hardirq([&] {
                device.produced += work;
                device.queued += work;
                device.masked = true;
                device.interrupt();
            });
        });
        ASSERT_TRUE(wait_until([&] { return idle(device); }));
        total += work;
    }
    const auto stats = device.napi.stats();
    // 64 used the whole weight and was polled once more with 0.
    EXPECT_EQ(stats.polls, 14u);
    EXPECT_EQ(stats.events, total);
    const uint64_t expected[irqlab::napi::histogram_buckets] = {2, 1, 2, 2, 2, 2, 2, 1};
    for (unsigned i = 0; i < irqlab::napi::histogram_buckets; ++i)
        EXPECT_EQ(stats.histogram[i], expected[i]) << "bucket " << i;
    EXPECT_EQ(stats.completed, 13u);
    EXPECT_EQ(stats.budget_exhausted, 1u);
}

TEST_F(NapiPolling, DisableWaitsForTheRunningPoll) {
    Device device;
    setup(device);
    std::atomic<bool> entered{false};
    std::atomic<bool> release{false};
    std::atomic<bool> finished{false};
    device.during_poll = [&] {
        if (finished)
            return;
        entered = true;
        while (!release)
            std::this_thread::yield();
        finished = true;
    };
    OnCpu producer{1, [&] { hardirq([&] { device.produce(4); }); }};
    ASSERT_TRUE(wait_until([&] { return entered.load(); }));
    std::atomic<bool> returned{false};
    bool finished_at_return = false;
    OnCpu disabler{2, [&] {
                       polls.disable(device.napi);
                       finished_at_return = finished;
                       returned = true;
                   }};
    std::this_thread::sleep_for(20ms);
    EXPECT_FALSE(returned);
    // While a disable is pending, schedules are refused.
    EXPECT_FALSE(polls.schedule(device.napi));
    EXPECT_EQ(device.napi.stats().refused, 1u);
    release = true;
    disabler.join();
    producer.join();
    EXPECT_TRUE(returned);
    EXPECT_TRUE(finished_at_return);
    EXPECT_EQ(device.napi.state_bits(), napi_sched);
    EXPECT_EQ(device.consumed, 4u);
    ASSERT_TRUE(wait_until([&] { return settled(device); }));
    // Disabled: an interrupt is only noted as missed.
    device.masked = false;
    run_on_cpu(1, [&] { hardirq([&] { device.produce(2); }); });
    EXPECT_EQ(device.napi.state_bits(), napi_sched | napi_missed);
    EXPECT_EQ(device.napi.stats().polls, 1u);
    // Enabled again, MISSED kept (as Linux): the next schedule polls, the
    // poll's complete_done() is refused once, and a second poll completes.
    polls.enable(device.napi);
    run_on_cpu(1, [&] { hardirq([&] { device.interrupt(); }); });
    ASSERT_TRUE(wait_until([&] { return device.napi.state_bits() == 0 && settled(device); }));
    EXPECT_EQ(device.consumed, 6u);
    EXPECT_EQ(device.napi.stats().polls, 3u);
}

TEST_F(NapiPolling, DisableCompletesABusyInstance) {
    // An instance that always has a full weight of work would stay
    // scheduled forever; a pending disable completes it after a round.
    Device device;
    setup(device, 8);
    device.during_poll = [&] { device.queued += 8; };
    run_on_cpu(3, [&] { hardirq([&] { device.produce(8); }); });
    ASSERT_TRUE(wait_until([&] { return device.napi.stats().polls >= 3; }));
    run_on_cpu(0, [&] { polls.disable(device.napi); });
    EXPECT_EQ(device.napi.state_bits(), napi_sched);
    ASSERT_TRUE(wait_until([&] { return device.napi.stats().completed == 1; }));
    ASSERT_TRUE(wait_until([&] { return settled(device); }));
    const uint64_t polls_after = device.napi.stats().polls;
    EXPECT_GE(device.napi.stats().budget_exhausted, 3u);
    std::this_thread::sleep_for(5ms);
    EXPECT_EQ(device.napi.stats().polls, polls_after);
    EXPECT_EQ(device.unmasks, 0u);
    polls.del(device.napi);
}

// Four CPUs raise engine hardirqs for four shared devices at random; each
// hardirq queues a burst and schedules if the line was unmasked. In the
// end every event produced was consumed, by polls in serving softirq on
// the CPU that scheduled them, never two at once.
TEST_F(NapiPolling, HardirqSchedulesOnFourCpusConsumeEveryEvent) {
    constexpr unsigned nr_devices = 4;
    constexpr unsigned per_cpu = 20000;
    const unsigned nr = std::min(4u, irqlab::base::nr_cpu_ids());
    std::vector<std::unique_ptr<Device>> devices;
    for (unsigned i = 0; i < nr_devices; ++i) {
        devices.push_back(std::make_unique<Device>());
        setup(*devices.back(), 16);
    }
    std::vector<std::unique_ptr<OnCpu>> drivers;
    for (unsigned cpu = 0; cpu < nr; ++cpu) {
        drivers.push_back(std::make_unique<OnCpu>(cpu, [&, cpu] {
            uint32_t rng = 0x2545f491u * (cpu + 7);
            auto next = [&rng] {
                rng ^= rng << 13;
                rng ^= rng >> 17;
                rng ^= rng << 5;
                return rng;
            };
            for (unsigned n = 0; n < per_cpu; ++n) {
                Device& device = *devices[next() % nr_devices];
                const uint64_t burst = next() % 40;
                hardirq([&] { device.produce(burst); });
                if (n % 128 == 0)
                    std::this_thread::yield();
            }
        }));
    }
    for (auto& driver : drivers)
        driver->join();
    ASSERT_TRUE(wait_until(
        [&] {
            return std::all_of(devices.begin(), devices.end(),
                               [&](const auto& device) { return idle(*device); });
        },
        20s));
    uint64_t rounds = 0;
    for (unsigned cpu = 0; cpu < nr; ++cpu)
        rounds += polls.cpu_stats(cpu).rounds;
    EXPECT_GT(rounds, 0u);
    for (auto& device : devices) {
        const auto stats = device->napi.stats();
        EXPECT_EQ(device->consumed.load(), device->produced.load());
        EXPECT_EQ(stats.events, device->consumed.load());
        EXPECT_EQ(device->wrong_cpu, 0u);
        EXPECT_EQ(device->not_serving, 0u);
        // No in_hardirq check here: hosted, a poll in a CPU's daemon runs
        // beside (not under) another thread's hardirq on that CPU, and the
        // engine's context word is per CPU.
        EXPECT_EQ(device->overlaps, 0u);
        // The line is masked while scheduled, so nothing is coalesced, and
        // each scheduled period ends in one completion and one unmask.
        EXPECT_EQ(stats.coalesced, 0u);
        EXPECT_EQ(stats.schedules, stats.completed);
        EXPECT_EQ(device->unmasks.load(), stats.completed);
        uint64_t histogram_total = 0;
        for (uint64_t count : stats.histogram)
            histogram_total += count;
        EXPECT_EQ(histogram_total, stats.polls);
        polls.disable(device->napi);
        polls.del(device->napi);
    }
}

} // namespace engine_napi_test
