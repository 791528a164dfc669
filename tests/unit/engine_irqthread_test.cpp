// Threaded handlers of the engine's IRQ layer: request_threaded_irq(), the
// action threads, oneshot masking, synchronize/disable/free against a
// running thread, forced threading, and a stress run on four CPUs.
#include "core/base/cpu.h"
#include "core/engine/context.h"
#include "core/irq/desc.h"
#include "core/irq/domain.h"
#include "core/irq/irq_core.h"
#include "hosted/hosted_platform.h"
#include "tests/cases/on_each_cpu.h"
#include "tests/unit/engine_threads.h"
#include "tests/unit/fake_chip.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace engine_irqthread_test {

using irqlab::engine::Context;
using irqlab::engine::HardirqScope;
using irqlab::irq::FlowType;
using irqlab::irq::IrqChip;
using irqlab::irq::IrqCore;
using irqlab::irq::IrqData;
using irqlab::irq::IrqDesc;
using irqlab::irq::IrqDomain;
using irqlab::irq::irqf_no_thread;
using irqlab::irq::irqf_oneshot;
using irqlab::irq::irqf_shared;
using irqlab::irq::IrqReturn;
using irqlab::irq::IrqStatsSnapshot;
using irqlab::irq::IrqThreadStats;
using irqlab::test::FakeChip;
using irqlab::test::wait_until;
using namespace std::chrono_literals;

constexpr int einval = 22;
constexpr int ebusy = 16;

// A device with a primary handler and a thread function: both count, the
// thread function can be held at a gate, and both answer what they are
// told.
struct Device {
    std::atomic<unsigned> primary_calls{0};
    std::atomic<unsigned> thread_started{0};
    std::atomic<unsigned> thread_done{0};
    std::atomic<bool> gate{false};
    std::atomic<IrqReturn> primary_reply{IrqReturn::wake_thread};
    std::atomic<IrqReturn> thread_reply{IrqReturn::handled};
};

IrqReturn primary(unsigned, void* dev_id) {
    auto* device = static_cast<Device*>(dev_id);
    device->primary_calls.fetch_add(1);
    return device->primary_reply.load();
}

IrqReturn thread_fn(unsigned, void* dev_id) {
    auto* device = static_cast<Device*>(dev_id);
    device->thread_started.fetch_add(1);
    while (device->gate.load())
        std::this_thread::yield();
    device->thread_done.fetch_add(1);
    return device->thread_reply.load();
}

// A copy of IrqThreadStats that outlives the visitor.
struct ThreadSeen {
    std::string action_name;
    std::string thread_name;
    const irqlab_thread* platform_thread;
    bool fifo;
    bool oneshot;
    bool forced;
    unsigned long thread_mask;
    uint64_t wakeups, wake_merged, runs, handled, none;
};

class IrqThread : public testing::Test {
protected:
    void SetUp() override {
        ASSERT_TRUE(context.init());
        ASSERT_TRUE(core.init());
    }

    unsigned alloc(FlowType flow = FlowType::fasteoi, unsigned long hwirq = 0) {
        const int virq = core.alloc_desc(domain, hwirq, chip, nullptr, flow, "test-line");
        EXPECT_GT(virq, 0);
        return static_cast<unsigned>(virq);
    }

    int fire(unsigned virq) {
        irqlab::base::IrqSaveGuard irqs_off;
        HardirqScope hardirq{context};
        return core.generic_handle_irq(virq);
    }

    IrqStatsSnapshot stats(unsigned virq) {
        IrqStatsSnapshot snap{};
        EXPECT_TRUE(core.snapshot(virq, snap));
        return snap;
    }

    std::vector<ThreadSeen> threads(unsigned virq) {
        std::vector<ThreadSeen> seen;
        core.for_each_thread(
            virq,
            [](void* arg, const IrqThreadStats& t) {
                static_cast<std::vector<ThreadSeen>*>(arg)->push_back(
                    {t.action_name, t.thread_name, t.platform_thread, t.fifo, t.oneshot, t.forced,
                     t.thread_mask, t.wakeups, t.wake_merged, t.runs, t.handled, t.none});
            },
            &seen);
        return seen;
    }

    Context context;
    IrqDomain domain{"test", 16};
    FakeChip chip;
    IrqCore core{context};
};

TEST_F(IrqThread, PrimaryWakesTheThreadOncePerUnmergedWake) {
    const unsigned virq = alloc();
    Device device;
    ASSERT_EQ(core.request_threaded_irq(virq, primary, thread_fn, 0, "dev", &device), 0);
    EXPECT_EQ(fire(virq), 0);
    core.synchronize_irq(virq);
    EXPECT_EQ(device.primary_calls, 1u);
    EXPECT_EQ(device.thread_done, 1u);

    // Held in its second run, the thread takes one more wake; the fourth
    // interrupt finds that wake still pending and merges into it.
    device.gate = true;
    EXPECT_EQ(fire(virq), 0);
    ASSERT_TRUE(wait_until([&] { return device.thread_started == 2; }));
    EXPECT_EQ(fire(virq), 0);
    EXPECT_EQ(fire(virq), 0);
    EXPECT_EQ(stats(virq).threads_active, 2u);
    device.gate = false;
    core.synchronize_irq(virq);
    EXPECT_EQ(device.primary_calls, 4u);
    EXPECT_EQ(device.thread_done, 3u);

    const std::vector<ThreadSeen> seen = threads(virq);
    ASSERT_EQ(seen.size(), 1u);
    EXPECT_EQ(seen[0].wakeups, 4u);
    EXPECT_EQ(seen[0].runs, 3u);
    EXPECT_EQ(seen[0].wake_merged, 1u);
    EXPECT_EQ(seen[0].wakeups, seen[0].runs + seen[0].wake_merged);
    EXPECT_EQ(seen[0].handled, 3u);
    EXPECT_EQ(seen[0].none, 0u);
    EXPECT_FALSE(seen[0].oneshot);
    EXPECT_EQ(stats(virq).threads_active, 0u);
    // Not oneshot: the line was never masked for the thread.
    EXPECT_EQ(chip.take(), "ueeee");
    EXPECT_EQ(core.free_irq(virq, &device), 0);
}

TEST_F(IrqThread, ThreadIsFifoAndNamedAfterTheLine) {
    const unsigned virq = alloc();
    Device device;
    ASSERT_EQ(core.request_threaded_irq(virq, primary, thread_fn, 0, "mydev", &device), 0);
    const std::vector<ThreadSeen> seen = threads(virq);
    ASSERT_EQ(seen.size(), 1u);
    EXPECT_EQ(seen[0].thread_name, "irqlab-irq/" + std::to_string(virq) + "-mydev");
    EXPECT_EQ(seen[0].action_name, "mydev");
    EXPECT_TRUE(seen[0].fifo);
    ASSERT_NE(seen[0].platform_thread, nullptr);
    EXPECT_TRUE(irqlab::hosted::thread_is_fifo(seen[0].platform_thread));
    EXPECT_FALSE(seen[0].forced);
    EXPECT_EQ(core.free_irq(virq, &device), 0);
}

TEST_F(IrqThread, OneshotKeepsTheLineMaskedUntilTheThreadEnds) {
    for (FlowType flow : {FlowType::fasteoi, FlowType::level}) {
        SCOPED_TRACE(flow == FlowType::level ? "level" : "fasteoi");
        const unsigned virq = alloc(flow, flow == FlowType::level ? 1 : 0);
        Device device;
        ASSERT_EQ(core.request_threaded_irq(virq, primary, thread_fn, irqf_oneshot, "dev", &device),
                  0);
        EXPECT_TRUE(stats(virq).oneshot);
        chip.take();
        device.gate = true;
        EXPECT_EQ(fire(virq), 0);
        ASSERT_TRUE(wait_until([&] { return device.thread_started == 1; }));
        EXPECT_EQ(chip.take(), flow == FlowType::level ? "ma" : "me");
        EXPECT_TRUE(core.desc(virq)->masked());
        const std::vector<ThreadSeen> seen = threads(virq);
        ASSERT_EQ(seen.size(), 1u);
        EXPECT_TRUE(seen[0].oneshot);
        EXPECT_EQ(seen[0].thread_mask, 1ul);
        EXPECT_EQ(stats(virq).threads_oneshot, 1ul);

        device.gate = false;
        core.synchronize_irq(virq);
        EXPECT_EQ(chip.take(), "u");
        EXPECT_FALSE(core.desc(virq)->masked());
        EXPECT_EQ(stats(virq).threads_oneshot, 0ul);

        // A primary that handles it alone wakes nobody: the flow unmasks.
        device.primary_reply = IrqReturn::handled;
        EXPECT_EQ(fire(virq), 0);
        EXPECT_EQ(chip.take(), flow == FlowType::level ? "mau" : "meu");
        EXPECT_EQ(device.thread_started, 1u);
        EXPECT_EQ(core.free_irq(virq, &device), 0);
    }
}

TEST_F(IrqThread, SharedOneshotLineStaysMaskedUntilBothThreadsEnd) {
    const unsigned virq = alloc();
    Device first, second;
    ASSERT_EQ(core.request_threaded_irq(virq, primary, thread_fn, irqf_shared | irqf_oneshot,
                                        "first", &first),
              0);
    ASSERT_EQ(core.request_threaded_irq(virq, primary, thread_fn, irqf_shared | irqf_oneshot,
                                        "second", &second),
              0);
    // Oneshot sharers must agree.
    Device loner;
    EXPECT_EQ(core.request_threaded_irq(virq, primary, thread_fn, irqf_shared, "loner", &loner),
              -ebusy);
    const std::vector<ThreadSeen> seen = threads(virq);
    ASSERT_EQ(seen.size(), 2u);
    EXPECT_EQ(seen[0].thread_mask, 1ul);
    EXPECT_EQ(seen[1].thread_mask, 2ul);
    chip.take();

    first.gate = true;
    second.gate = true;
    EXPECT_EQ(fire(virq), 0);
    ASSERT_TRUE(
        wait_until([&] { return first.thread_started == 1 && second.thread_started == 1; }));
    EXPECT_EQ(stats(virq).threads_oneshot, 3ul);
    first.gate = false;
    ASSERT_TRUE(wait_until([&] { return stats(virq).threads_oneshot == 2ul; }));
    EXPECT_TRUE(core.desc(virq)->masked());
    EXPECT_EQ(chip.take(), "me");
    second.gate = false;
    core.synchronize_irq(virq);
    EXPECT_FALSE(core.desc(virq)->masked());
    EXPECT_EQ(chip.take(), "u");
    EXPECT_EQ(core.free_irq(virq, &first), 0);
    EXPECT_EQ(core.free_irq(virq, &second), 0);
}

TEST_F(IrqThread, DefaultPrimaryWakesTheThread) {
    const unsigned virq = alloc();
    Device device;
    ASSERT_EQ(core.request_threaded_irq(virq, nullptr, thread_fn, irqf_oneshot, "dev", &device), 0);
    EXPECT_EQ(fire(virq), 0);
    core.synchronize_irq(virq);
    EXPECT_EQ(device.primary_calls, 0u);
    EXPECT_EQ(device.thread_done, 1u);
    EXPECT_FALSE(core.desc(virq)->masked());
    EXPECT_EQ(threads(virq).at(0).runs, 1u);
    EXPECT_EQ(core.free_irq(virq, &device), 0);
}

TEST_F(IrqThread, DefaultPrimaryWithoutOneshotIsRefused) {
    const unsigned virq = alloc();
    Device device;
    testing::internal::CaptureStderr();
    EXPECT_EQ(core.request_threaded_irq(virq, nullptr, thread_fn, 0, "dev", &device), -einval);
    const std::string log = testing::internal::GetCapturedStderr();
    EXPECT_NE(log.find("no oneshot"), std::string::npos) << log;
    EXPECT_EQ(core.request_threaded_irq(virq, nullptr, nullptr, irqf_oneshot, "dev", &device),
              -einval);
    EXPECT_FALSE(core.desc(virq)->has_action());
    EXPECT_TRUE(core.desc(virq)->masked());
    EXPECT_EQ(threads(virq).size(), 0u);
}

TEST_F(IrqThread, SynchronizeIrqWaitsForARunningThread) {
    const unsigned virq = alloc();
    Device device;
    ASSERT_EQ(core.request_threaded_irq(virq, primary, thread_fn, 0, "dev", &device), 0);
    device.gate = true;
    EXPECT_EQ(fire(virq), 0);
    ASSERT_TRUE(wait_until([&] { return device.thread_started == 1; }));
    std::atomic<bool> returned{false};
    std::thread waiter{[&] {
        core.synchronize_irq(virq);
        returned = true;
    }};
    std::this_thread::sleep_for(50ms);
    EXPECT_FALSE(returned);
    device.gate = false;
    waiter.join();
    EXPECT_EQ(device.thread_done, 1u);
    EXPECT_EQ(stats(virq).threads_active, 0u);
    EXPECT_EQ(core.free_irq(virq, &device), 0);
}

TEST_F(IrqThread, DisableIrqWaitsForARunningThread) {
    const unsigned virq = alloc();
    Device device;
    ASSERT_EQ(core.request_threaded_irq(virq, primary, thread_fn, irqf_oneshot, "dev", &device), 0);
    device.gate = true;
    EXPECT_EQ(fire(virq), 0);
    ASSERT_TRUE(wait_until([&] { return device.thread_started == 1; }));
    std::atomic<bool> returned{false};
    std::thread disabler{[&] {
        core.disable_irq(virq);
        returned = true;
    }};
    std::this_thread::sleep_for(50ms);
    EXPECT_FALSE(returned);
    device.gate = false;
    disabler.join();
    EXPECT_EQ(device.thread_done, 1u);
    // The thread ended on a disabled line: it stays masked until enabled.
    EXPECT_TRUE(core.desc(virq)->masked());
    EXPECT_EQ(stats(virq).threads_oneshot, 0ul);
    core.enable_irq(virq);
    EXPECT_FALSE(core.desc(virq)->masked());
    EXPECT_EQ(core.free_irq(virq, &device), 0);
}

TEST_F(IrqThread, AnArrivalOnADisabledLineIsReplayedToTheThread) {
    const unsigned virq = alloc();
    Device device;
    ASSERT_EQ(core.request_threaded_irq(virq, nullptr, thread_fn, irqf_oneshot, "dev", &device), 0);
    core.disable_irq(virq);
    EXPECT_EQ(fire(virq), 0); // kept pending
    EXPECT_EQ(device.thread_started, 0u);
    core.enable_irq(virq); // replayed inline: the thread is woken
    core.synchronize_irq(virq);
    EXPECT_EQ(device.thread_done, 1u);
    const IrqDesc* desc = core.desc(virq);
    EXPECT_EQ(desc->pending_arrivals(), 1u);
    EXPECT_EQ(desc->replays(), 1u);
    // One arrival, one replay: one handled, one kept pending.
    EXPECT_EQ(1 + desc->replays(), desc->kstat_total() + desc->pending_arrivals());
    EXPECT_FALSE(desc->masked());
    EXPECT_EQ(core.free_irq(virq, &device), 0);
}

TEST_F(IrqThread, FreeIrqRunsAPendingWakeThenStopsTheThread) {
    const unsigned virq = alloc();
    Device device;
    ASSERT_EQ(core.request_threaded_irq(virq, primary, thread_fn, irqf_oneshot, "dev", &device), 0);
    device.gate = true;
    EXPECT_EQ(fire(virq), 0);
    ASSERT_TRUE(wait_until([&] { return device.thread_started == 1; }));
    EXPECT_EQ(fire(virq), 0); // pending behind the running one
    std::atomic<int> result{1};
    std::thread freer{[&] { result = core.free_irq(virq, &device); }};
    std::this_thread::sleep_for(50ms);
    EXPECT_EQ(result, 1);
    device.gate = false;
    freer.join();
    EXPECT_EQ(result, 0);
    EXPECT_EQ(device.thread_done, 2u);
    EXPECT_EQ(threads(virq).size(), 0u);
    EXPECT_FALSE(core.desc(virq)->has_action());
    EXPECT_TRUE(core.desc(virq)->masked());
    EXPECT_EQ(stats(virq).threads_active, 0u);
    EXPECT_EQ(stats(virq).threads_oneshot, 0ul);
}

TEST_F(IrqThread, WakeThreadWithoutThreadIsStillCounted) {
    const unsigned virq = alloc();
    Device device;
    ASSERT_EQ(core.request_irq(virq, primary, 0, "nothread", &device), 0);
    testing::internal::CaptureStderr();
    EXPECT_EQ(fire(virq), 0);
    const std::string log = testing::internal::GetCapturedStderr();
    EXPECT_NE(log.find("no thread function"), std::string::npos) << log;
    EXPECT_EQ(stats(virq).wake_thread_without_thread, 1u);
    EXPECT_EQ(threads(virq).size(), 0u);
    EXPECT_EQ(core.free_irq(virq, &device), 0);
}

TEST_F(IrqThread, ThreadResultsFeedTheDeferredSpuriousDetection) {
    const unsigned virq = alloc();
    Device device;
    ASSERT_EQ(core.request_threaded_irq(virq, primary, thread_fn, irqf_oneshot, "dev", &device), 0);
    // The thread is held until the interrupt that woke it has been judged:
    // a thread quick enough to finish first would count for that very
    // interrupt (as it may in Linux).
    const auto fire_and_finish = [&] {
        device.gate = true;
        EXPECT_EQ(fire(virq), 0);
        device.gate = false;
        core.synchronize_irq(virq);
    };
    // Each pure wake is judged at the next one, by whether a thread said
    // handled in between: the first starts the deferral, the next two
    // find no handled run.
    device.thread_reply = IrqReturn::none;
    for (int i = 0; i < 3; ++i)
        fire_and_finish();
    EXPECT_EQ(stats(virq).unhandled, 2u);
    device.thread_reply = IrqReturn::handled;
    fire_and_finish(); // judges the third run: none
    fire_and_finish(); // judges the fourth: handled
    EXPECT_EQ(stats(virq).unhandled, 3u);
    EXPECT_EQ(stats(virq).threads_active, 0u);
    const ThreadSeen seen = threads(virq).at(0);
    EXPECT_EQ(seen.none, 3u);
    EXPECT_EQ(seen.handled, 2u);
    EXPECT_EQ(core.desc(virq)->threads_handled(), 2u);
    EXPECT_EQ(core.free_irq(virq, &device), 0);
}

// Forced threading with a fake bottom-half switch that does to the context
// word what the engine's local_bh_disable/enable do.
struct FakeBh {
    Context* context;
    std::atomic<unsigned> disables{0};
    std::atomic<unsigned> enables{0};
};

struct PlainDevice {
    std::atomic<unsigned> calls{0};
    std::atomic<uint32_t> word{0};
    std::atomic<bool> irqs_off{false};
    Context* context;
};

IrqReturn plain_handler(unsigned, void* dev_id) {
    auto* device = static_cast<PlainDevice*>(dev_id);
    device->word = device->context->word();
    device->irqs_off = irqlab::base::irqs_disabled();
    device->calls.fetch_add(1);
    return IrqReturn::handled;
}

TEST_F(IrqThread, ForcedThreadingRunsAPlainHandlerWithBottomHalvesOff) {
    FakeBh bh{&context};
    core.set_forced_threading(true);
    core.set_bh_hooks(
        [](void* arg) {
            auto* fake = static_cast<FakeBh*>(arg);
            fake->disables.fetch_add(1);
            irqlab_plat_preempt_disable();
            fake->context->add(irqlab::engine::softirq_disable_offset);
        },
        [](void* arg) {
            auto* fake = static_cast<FakeBh*>(arg);
            fake->enables.fetch_add(1);
            fake->context->sub(irqlab::engine::softirq_disable_offset);
            irqlab_plat_preempt_enable();
        },
        &bh);
    const unsigned virq = alloc();
    PlainDevice device;
    device.context = &context;
    ASSERT_EQ(core.request_irq(virq, plain_handler, 0, "plain", &device), 0);
    const std::vector<ThreadSeen> seen = threads(virq);
    ASSERT_EQ(seen.size(), 1u);
    EXPECT_TRUE(seen[0].forced);
    EXPECT_TRUE(seen[0].oneshot); // forced threading adds it
    EXPECT_TRUE(stats(virq).oneshot);
    chip.take();

    EXPECT_EQ(fire(virq), 0);
    // Not synchronize_irq(): hosted, this thread shares simulated CPU 0
    // with the forced thread, and preemption excludes nobody there, so it
    // may see the thread's bottom-halves-off context word and refuse to
    // sleep (as the kernel cannot: no other task runs on a CPU whose
    // bottom halves are off). TSan's scheduling made that happen.
    ASSERT_TRUE(wait_until([&] { return stats(virq).threads_active == 0; }));
    EXPECT_EQ(device.calls, 1u);
    EXPECT_EQ(device.word & irqlab::engine::hardirq_mask, 0u);
    EXPECT_EQ(device.word & irqlab::engine::softirq_mask, irqlab::engine::softirq_disable_offset);
    EXPECT_TRUE(device.irqs_off);
    EXPECT_EQ(bh.disables, 1u);
    EXPECT_EQ(bh.enables, 1u);
    EXPECT_EQ(chip.take(), "meu");

    // irqf_no_thread keeps a handler in hardirq context.
    const unsigned raw = alloc(FlowType::fasteoi, 1);
    PlainDevice hard;
    hard.context = &context;
    ASSERT_EQ(core.request_irq(raw, plain_handler, irqf_no_thread, "raw", &hard), 0);
    EXPECT_EQ(threads(raw).size(), 0u);
    EXPECT_EQ(fire(raw), 0);
    EXPECT_EQ(hard.calls, 1u);
    EXPECT_NE(hard.word & irqlab::engine::hardirq_mask, 0u);
    EXPECT_EQ(bh.disables, 1u);

    // Not forced either, as in Linux: an irqf_oneshot request, and (the
    // engine makes no secondary thread) a primary with a thread_fn, which
    // still becomes ONESHOT, as every forced action does in Linux.
    const unsigned oneshot = alloc(FlowType::fasteoi, 2);
    PlainDevice kept;
    kept.context = &context;
    ASSERT_EQ(core.request_irq(oneshot, plain_handler, irqf_oneshot, "kept", &kept), 0);
    EXPECT_EQ(threads(oneshot).size(), 0u);
    const unsigned both = alloc(FlowType::fasteoi, 3);
    Device device2;
    ASSERT_EQ(core.request_threaded_irq(both, primary, thread_fn, 0, "both", &device2), 0);
    ASSERT_EQ(threads(both).size(), 1u);
    EXPECT_FALSE(threads(both)[0].forced);
    EXPECT_TRUE(stats(both).oneshot);

    EXPECT_EQ(core.free_irq(virq, &device), 0);
    EXPECT_EQ(core.free_irq(raw, &hard), 0);
    EXPECT_EQ(core.free_irq(oneshot, &kept), 0);
    EXPECT_EQ(core.free_irq(both, &device2), 0);
}

// 200,000 interrupts of one oneshot threaded line, fired from four CPUs one
// at a time: interrupts of one line on two CPUs at once would merge in the
// flow handler (pending and replayed) and blur the exact counts.
TEST(IrqThreadStress, OneshotLineOnFourCpus) {
    ASSERT_EQ(irqlab::hosted::simulated_cpu_count(), 4u);
    Context context;
    ASSERT_TRUE(context.init());
    IrqCore core{context};
    ASSERT_TRUE(core.init());
    IrqDomain domain{"stress", 4};
    FakeChip chip;
    const int virq = core.alloc_desc(domain, 0, chip, nullptr, FlowType::fasteoi, "stress");
    ASSERT_GT(virq, 0);
    Device device;
    ASSERT_EQ(core.request_threaded_irq(virq, primary, thread_fn, irqf_oneshot, "dev", &device), 0);

    constexpr unsigned per_cpu = 50'000;
    struct Job {
        Context* context;
        IrqCore* core;
        unsigned virq;
        irqlab::irq::IrqDesc* desc;
        std::atomic<bool> busy{false};
        std::atomic<unsigned> failures{0};
    } job{&context, &core, static_cast<unsigned>(virq), core.desc(virq)};
    const unsigned ran = ktest::on_each_cpu(
        [](void* arg, unsigned) {
            auto* j = static_cast<Job*>(arg);
            for (unsigned i = 0; i < per_cpu; ++i) {
                // Software injection ignores the mask, which hardware would
                // not: now and then the CPU waits for the line to open, as
                // a masked device would hold its interrupt back. That also
                // lets the thread finish a run between interrupts often
                // enough for the deferred spurious verdict (Linux's: a pure
                // wake_thread is unhandled unless a thread said handled
                // since the previous one), which would otherwise disable
                // a line whose thread the firing CPUs starve.
                if (i % 64 == 0 && !wait_until([j] { return !j->desc->masked(); }))
                    j->failures.fetch_add(1);
                while (j->busy.exchange(true, std::memory_order_acquire))
                    std::this_thread::yield();
                {
                    irqlab::base::IrqSaveGuard irqs_off;
                    HardirqScope hardirq{*j->context};
                    if (j->core->generic_handle_irq(j->virq) != 0)
                        j->failures.fetch_add(1);
                }
                j->busy.store(false, std::memory_order_release);
            }
        },
        &job);
    ASSERT_EQ(ran, 4u);
    EXPECT_EQ(job.failures, 0u);
    core.synchronize_irq(virq);

    constexpr uint64_t total = 4ull * per_cpu;
    EXPECT_EQ(device.primary_calls, total);
    ThreadSeen seen{};
    core.for_each_thread(
        virq,
        [](void* arg, const IrqThreadStats& t) {
            auto* out = static_cast<ThreadSeen*>(arg);
            out->wakeups = t.wakeups;
            out->wake_merged = t.wake_merged;
            out->runs = t.runs;
            out->handled = t.handled;
        },
        &seen);
    EXPECT_EQ(seen.wakeups, total);
    EXPECT_EQ(seen.runs + seen.wake_merged, total);
    EXPECT_EQ(seen.runs, device.thread_done.load());
    EXPECT_EQ(seen.handled, seen.runs);
    // Each CPU's waits for the open line are separated by its own
    // interrupts, so each saw a run of its own end.
    EXPECT_GE(seen.runs, per_cpu / 64);
    IrqStatsSnapshot snap{};
    ASSERT_TRUE(core.snapshot(virq, snap));
    EXPECT_EQ(snap.count, total);
    EXPECT_FALSE(snap.spurious_disabled);
    EXPECT_EQ(snap.threads_active, 0u);
    EXPECT_EQ(snap.threads_oneshot, 0ul);
    EXPECT_FALSE(snap.masked);
    EXPECT_FALSE(snap.pending);
    // Startup's unmask plus one per mask: balanced, the line open.
    EXPECT_EQ(chip.unmasks.load(), chip.masks.load() + 1);
    EXPECT_EQ(chip.eois.load(), total);
    EXPECT_EQ(core.free_irq(virq, &device), 0);
    EXPECT_EQ(core.free_desc(virq), 0);
}

} // namespace engine_irqthread_test
