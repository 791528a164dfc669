// The engine's IRQ layer (core/irq/): domains, descriptors, the manage.c
// twins, the flow handlers' chip sequences, replay, spurious detection and
// per-CPU statistics, on the hosted platform.
#include "core/base/cpu.h"
#include "core/base/thread.h"
#include "core/engine/context.h"
#include "core/irq/desc.h"
#include "core/irq/domain.h"
#include "core/irq/irq_core.h"
#include "core/irq/parent_chip.h"
#include "hosted/hosted_platform.h"
#include "tests/cases/on_each_cpu.h"
#include "tests/unit/engine_threads.h"
#include "tests/unit/fake_chip.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace engine_irq_test {

using irqlab::engine::Context;
using irqlab::engine::HardirqScope;
using irqlab::irq::FlowType;
using irqlab::irq::IrqActionStats;
using irqlab::irq::IrqChip;
using irqlab::irq::IrqCore;
using irqlab::irq::IrqData;
using irqlab::irq::IrqDesc;
using irqlab::irq::IrqDomain;
using irqlab::irq::irqf_oneshot;
using irqlab::irq::irqf_shared;
using irqlab::irq::IrqReturn;
using irqlab::irq::IrqStatsSnapshot;
using irqlab::test::FakeChip;
using irqlab::test::wait_until;
using namespace std::chrono_literals;

constexpr int einval = 22;
constexpr int enoent = 2;
constexpr int ebusy = 16;
constexpr int eexist = 17;
constexpr int eperm = 1;

// A device behind a line: counts its handler's runs, answers 'reply', and
// can be told to hold its handler until released.
struct Device {
    std::atomic<unsigned> started{0};
    std::atomic<unsigned> calls{0};
    std::atomic<IrqReturn> reply{IrqReturn::handled};
    std::atomic<bool> hold{false};
};

IrqReturn device_handler(unsigned, void* dev_id) {
    auto* device = static_cast<Device*>(dev_id);
    device->started.fetch_add(1);
    while (device->hold.load())
        std::this_thread::yield();
    device->calls.fetch_add(1);
    return device->reply.load();
}

// A function run in a platform thread bound to one simulated CPU.
class OnCpu {
public:
    OnCpu(unsigned cpu, std::function<void()> work) : work_{std::move(work)} {
        started_ = thread_.start(run, this, cpu, "irq-test");
    }
    ~OnCpu() { thread_.stop(); }
    bool started() const { return started_; }
    bool done() const { return done_.load(); }

private:
    static int run(void* arg) {
        auto* self = static_cast<OnCpu*>(arg);
        self->work_();
        self->done_ = true;
        return 0;
    }

    std::function<void()> work_;
    std::atomic<bool> done_{false};
    bool started_ = false;
    irqlab::base::Thread thread_;
};

class EngineIrq : public testing::Test {
protected:
    void SetUp() override {
        ASSERT_TRUE(context.init());
        ASSERT_TRUE(core.init());
    }

    int alloc(FlowType flow, unsigned long hwirq = 0) {
        return core.alloc_desc(domain, hwirq, chip, nullptr, flow, "test-line");
    }

    // Allocates and requests a line for 'device'; returns its virq.
    unsigned line_with(Device& device, FlowType flow, unsigned long hwirq = 0) {
        const int virq = alloc(flow, hwirq);
        EXPECT_GT(virq, 0);
        EXPECT_EQ(core.request_irq(static_cast<unsigned>(virq), device_handler, 0, "dev", &device),
                  0);
        chip.take();
        return static_cast<unsigned>(virq);
    }

    // What the facade does around the entry: interrupts off, engine
    // hardirq context.
    int fire(unsigned virq) {
        irqlab::base::IrqSaveGuard irqs_off;
        HardirqScope hardirq{context};
        return core.generic_handle_irq(virq);
    }

    int fire_hwirq(IrqDomain& in, unsigned long hwirq) {
        irqlab::base::IrqSaveGuard irqs_off;
        HardirqScope hardirq{context};
        return core.handle_domain_irq(in, hwirq);
    }

    IrqStatsSnapshot stats(unsigned virq) {
        IrqStatsSnapshot snap{};
        EXPECT_TRUE(core.snapshot(virq, snap));
        return snap;
    }

    Context context;
    IrqDomain domain{"test", 16};
    FakeChip chip;
    IrqCore core{context};
};

TEST_F(EngineIrq, DomainMapsHwirqsLockFree) {
    IrqDomain d{"map", 4};
    EXPECT_EQ(d.find_mapping(1), 0u); // no reverse map yet
    EXPECT_EQ(d.associate(1, 7), 0);
    EXPECT_EQ(d.find_mapping(1), 7u);
    EXPECT_EQ(d.associate(1, 8), -eexist);
    EXPECT_EQ(d.associate(4, 8), -einval);
    EXPECT_EQ(d.associate(2, 0), -einval);
    EXPECT_EQ(d.find_mapping(4), 0u);
    d.disassociate(1);
    EXPECT_EQ(d.find_mapping(1), 0u);
    EXPECT_EQ(d.associate(1, 9), 0);
    EXPECT_EQ(d.find_mapping(1), 9u);
}

TEST_F(EngineIrq, AllocDescMapsAndFreeDescUnmaps) {
    const int virq = alloc(FlowType::edge, 5);
    ASSERT_GT(virq, 0);
    EXPECT_EQ(domain.find_mapping(5), static_cast<unsigned>(virq));
    IrqDesc* desc = core.desc(virq);
    ASSERT_NE(desc, nullptr);
    EXPECT_EQ(desc->hwirq(), 5u);
    EXPECT_EQ(desc->flow(), FlowType::edge);
    EXPECT_EQ(desc->irq_data().chip, &chip);
    EXPECT_EQ(desc->irq_data().domain, &domain);
    // A new line is shut down, as Linux leaves it before request_irq.
    EXPECT_EQ(desc->depth(), 1u);
    EXPECT_TRUE(desc->masked());
    EXPECT_EQ(alloc(FlowType::edge, 5), -eexist);
    EXPECT_EQ(alloc(FlowType::edge, 16), -einval);

    EXPECT_EQ(core.free_desc(virq), 0);
    EXPECT_EQ(core.desc(virq), nullptr);
    EXPECT_EQ(domain.find_mapping(5), 0u);
    EXPECT_EQ(core.free_desc(virq), -einval);
    EXPECT_EQ(fire_hwirq(domain, 5), -einval);
    EXPECT_EQ(fire(virq), -einval);
    EXPECT_EQ(fire(0), -einval);
    EXPECT_EQ(core.no_mapping_count(), 3u);
    // The number and the hwirq are free again.
    EXPECT_EQ(alloc(FlowType::edge, 5), virq);
}

TEST_F(EngineIrq, HierarchyForwardsChipCallsToTheParentLevel) {
    FakeChip parent_chip{"parent"};
    IrqDomain parent{"parent", 64, nullptr, &parent_chip};
    // The child's hwirq 3 is hwirq 35 of the parent.
    IrqDomain child{"child", 8, &parent, nullptr, nullptr, 32};
    // A child level that acks by itself and forwards the rest.
    class AckingChip final : public irqlab::irq::ParentForwardingChip {
    public:
        AckingChip() : ParentForwardingChip{"child"} {}
        void ack(IrqData&) override { acks.fetch_add(1); }
        std::atomic<unsigned> acks{0};
    } child_chip;

    const int virq = core.alloc_desc(child, 3, child_chip, nullptr, FlowType::edge, "stacked");
    ASSERT_GT(virq, 0);
    const IrqData& top = core.desc(virq)->irq_data();
    ASSERT_NE(top.parent, nullptr);
    EXPECT_EQ(top.parent->chip, &parent_chip);
    EXPECT_EQ(top.parent->domain, &parent);
    EXPECT_EQ(top.parent->hwirq, 35u);
    EXPECT_EQ(top.parent->virq, static_cast<unsigned>(virq));
    EXPECT_EQ(top.parent->parent, nullptr);
    EXPECT_EQ(child.find_mapping(3), static_cast<unsigned>(virq));
    EXPECT_EQ(parent.find_mapping(35), static_cast<unsigned>(virq));

    Device device;
    ASSERT_EQ(core.request_irq(virq, device_handler, 0, "dev", &device), 0);
    EXPECT_EQ(parent_chip.take(), "u"); // startup unmasks through the child
    EXPECT_EQ(fire_hwirq(child, 3), 0);
    EXPECT_EQ(fire_hwirq(parent, 35), 0); // the same line, seen from below
    EXPECT_EQ(device.calls, 2u);
    EXPECT_EQ(child_chip.acks, 2u);
    EXPECT_EQ(parent_chip.acks, 0u);
    EXPECT_EQ(parent_chip.last_hwirq, 35u);
    EXPECT_EQ(child_chip.set_affinity(core.desc(virq)->irq_data(), 1), 0);
    EXPECT_EQ(parent_chip.affinity, 1);

    ASSERT_EQ(core.free_irq(virq, &device), 0);
    EXPECT_EQ(parent_chip.take(), "m");
    ASSERT_EQ(core.free_desc(virq), 0);
    EXPECT_EQ(child.find_mapping(3), 0u);
    EXPECT_EQ(parent.find_mapping(35), 0u);
}

TEST_F(EngineIrq, ParentLevelStopsAtAParentWithoutChip) {
    IrqDomain root{"root", 8};
    IrqDomain child{"child", 8, &root};
    const int virq = core.alloc_desc(child, 1, chip, nullptr, FlowType::fasteoi, "flat");
    ASSERT_GT(virq, 0);
    EXPECT_EQ(core.desc(virq)->irq_data().parent, nullptr);
    EXPECT_EQ(root.find_mapping(1), 0u);
    EXPECT_EQ(core.free_desc(virq), 0);
}

TEST_F(EngineIrq, RequestStartsTheLineAndFreeShutsItDown) {
    const int virq = alloc(FlowType::fasteoi);
    ASSERT_GT(virq, 0);
    Device device;
    EXPECT_EQ(core.request_irq(virq, nullptr, 0, "dev", &device), -einval);
    EXPECT_EQ(core.request_irq(virq, device_handler, 1u << 20, "dev", &device), -einval);
    EXPECT_EQ(core.request_irq(99, device_handler, 0, "dev", &device), -einval);
    EXPECT_EQ(core.request_irq(virq, device_handler, 0, "dev", &device), 0);
    EXPECT_EQ(chip.take(), "u");
    EXPECT_EQ(core.desc(virq)->depth(), 0u);
    EXPECT_FALSE(core.desc(virq)->masked());
    EXPECT_EQ(core.free_desc(virq), -ebusy);

    Device other;
    EXPECT_EQ(core.free_irq(virq, &other), -enoent);
    EXPECT_EQ(core.free_irq(virq, &device), 0);
    EXPECT_EQ(chip.take(), "m");
    EXPECT_EQ(core.desc(virq)->depth(), 1u);
    EXPECT_TRUE(core.desc(virq)->masked());
    EXPECT_EQ(core.free_irq(virq, &device), -enoent);
    EXPECT_EQ(core.free_desc(virq), 0);
}

IrqReturn nobody_home(unsigned, void* dev_id) {
    static_cast<Device*>(dev_id)->calls.fetch_add(1);
    return IrqReturn::none;
}

TEST_F(EngineIrq, SharedLinesNeedAgreementAndDevId) {
    const int virq = alloc(FlowType::fasteoi);
    ASSERT_GT(virq, 0);
    Device first, second, loner;
    EXPECT_EQ(core.request_irq(virq, device_handler, irqf_shared, "first", nullptr), -einval);
    ASSERT_EQ(core.request_irq(virq, nobody_home, irqf_shared, "first", &first), 0);
    ASSERT_EQ(core.request_irq(virq, device_handler, irqf_shared, "second", &second), 0);
    EXPECT_EQ(core.request_irq(virq, device_handler, 0, "loner", &loner), -ebusy);
    EXPECT_EQ(core.request_irq(virq, device_handler, irqf_shared | irqf_oneshot, "loner", &loner),
              -ebusy);

    EXPECT_EQ(fire(virq), 0);
    EXPECT_EQ(first.calls, 1u);
    EXPECT_EQ(second.calls, 1u);
    struct Seen {
        std::vector<std::string> names;
        std::vector<uint64_t> handled, none;
    } seen;
    EXPECT_EQ(core.for_each_action(
                  virq,
                  [](void* arg, const IrqActionStats& action) {
                      auto* s = static_cast<Seen*>(arg);
                      s->names.emplace_back(action.name);
                      s->handled.push_back(action.handled);
                      s->none.push_back(action.none);
                  },
                  &seen),
              2u);
    EXPECT_EQ(seen.names, (std::vector<std::string>{"first", "second"}));
    EXPECT_EQ(seen.handled, (std::vector<uint64_t>{0, 1}));
    EXPECT_EQ(seen.none, (std::vector<uint64_t>{1, 0}));
    // One action claimed it: the line's interrupt was handled.
    EXPECT_EQ(stats(virq).unhandled, 0u);

    // Removing one sharer leaves the line running for the other.
    ASSERT_EQ(core.free_irq(virq, &first), 0);
    EXPECT_FALSE(core.desc(virq)->masked());
    EXPECT_EQ(fire(virq), 0);
    EXPECT_EQ(first.calls, 1u);
    EXPECT_EQ(second.calls, 2u);
    ASSERT_EQ(core.free_irq(virq, &second), 0);

    // A line held without irqf_shared takes nobody else.
    ASSERT_EQ(core.request_irq(virq, device_handler, 0, "loner", &loner), 0);
    EXPECT_EQ(core.request_irq(virq, device_handler, irqf_shared, "first", &first), -ebusy);
    EXPECT_EQ(stats(virq).actions, 1u);
    EXPECT_EQ(core.free_irq(virq, &loner), 0);
}

TEST_F(EngineIrq, FastEoiSequence) {
    Device device;
    const unsigned virq = line_with(device, FlowType::fasteoi);
    EXPECT_EQ(fire(virq), 0);
    EXPECT_EQ(chip.take(), "e");
    EXPECT_EQ(device.calls, 1u);

    // Disabled: masked and remembered, then replayed by enable (a message
    // interrupt, edge-like, is not re-asserted by hardware).
    core.disable_irq(virq);
    EXPECT_EQ(chip.take(), ""); // lazy: nothing masked yet
    EXPECT_EQ(fire(virq), 0);
    EXPECT_EQ(chip.take(), "me");
    EXPECT_EQ(device.calls, 1u);
    EXPECT_TRUE(core.desc(virq)->pending());
    core.enable_irq(virq);
    EXPECT_EQ(chip.take(), "ue");
    EXPECT_EQ(device.calls, 2u);
    EXPECT_FALSE(core.desc(virq)->pending());
}

TEST_F(EngineIrq, EdgeSequence) {
    Device device;
    const unsigned virq = line_with(device, FlowType::edge);
    EXPECT_EQ(fire(virq), 0);
    EXPECT_EQ(chip.take(), "a");
    EXPECT_EQ(device.calls, 1u);

    core.disable_irq(virq);
    EXPECT_EQ(fire(virq), 0);
    EXPECT_EQ(fire(virq), 0); // a second edge while masked: only acked
    EXPECT_EQ(chip.take(), "maa");
    EXPECT_EQ(device.calls, 1u);
    core.enable_irq(virq);
    // Both edges collapse into one replay, as in Linux.
    EXPECT_EQ(chip.take(), "ua");
    EXPECT_EQ(device.calls, 2u);
}

TEST_F(EngineIrq, LevelSequence) {
    Device device;
    const unsigned virq = line_with(device, FlowType::level);
    EXPECT_EQ(fire(virq), 0);
    EXPECT_EQ(chip.take(), "mau");
    EXPECT_EQ(device.calls, 1u);

    core.disable_irq(virq);
    EXPECT_EQ(fire(virq), 0);
    EXPECT_EQ(chip.take(), "ma");
    EXPECT_TRUE(core.desc(virq)->pending());
    core.enable_irq(virq);
    // A level line is not replayed: still asserted, it comes again by
    // itself once unmasked.
    EXPECT_EQ(chip.take(), "u");
    EXPECT_EQ(device.calls, 1u);
    EXPECT_FALSE(core.desc(virq)->pending());
}

TEST_F(EngineIrq, EdgeBeforeRequestIsReplayedAtStartup) {
    const int virq = alloc(FlowType::edge);
    ASSERT_GT(virq, 0);
    EXPECT_EQ(fire(virq), 0); // no action yet: pending, acked (mask: already)
    EXPECT_EQ(chip.take(), "a");
    Device device;
    ASSERT_EQ(core.request_irq(virq, device_handler, 0, "dev", &device), 0);
    EXPECT_EQ(chip.take(), "ua");
    EXPECT_EQ(device.calls, 1u);
}

TEST_F(EngineIrq, EdgeDuringRunningHandlerIsReplayedOnce) {
    Device device;
    const unsigned virq = line_with(device, FlowType::edge);
    device.hold = true;
    OnCpu cpu1{1, [&] { fire(virq); }};
    ASSERT_TRUE(cpu1.started());
    ASSERT_TRUE(wait_until([&] { return device.started == 1; }));

    // CPU 0: the line runs on CPU 1, so the edge is only remembered.
    EXPECT_EQ(fire(virq), 0);
    EXPECT_TRUE(core.desc(virq)->pending());
    EXPECT_TRUE(core.desc(virq)->masked());
    EXPECT_EQ(device.calls, 0u);

    device.hold = false;
    ASSERT_TRUE(wait_until([&] { return cpu1.done(); }));
    EXPECT_EQ(device.calls, 2u);
    EXPECT_EQ(device.started, 2u);
    // CPU 1 acked, CPU 0 masked and acked, CPU 1 unmasked and replayed.
    EXPECT_EQ(chip.take(), "amau");
    EXPECT_FALSE(core.desc(virq)->pending());
    EXPECT_FALSE(core.desc(virq)->masked());
    // Linux counts the interrupt where its flow ran the handlers.
    EXPECT_EQ(core.kstat(virq, 1), 1u);
    EXPECT_EQ(core.kstat(virq, 0), 0u);
}

TEST_F(EngineIrq, FastEoiDuringRunningHandlerIsNotLost) {
    Device device;
    const unsigned virq = line_with(device, FlowType::fasteoi);
    device.hold = true;
    OnCpu cpu1{1, [&] { fire(virq); }};
    ASSERT_TRUE(cpu1.started());
    ASSERT_TRUE(wait_until([&] { return device.started == 1; }));
    EXPECT_EQ(fire(virq), 0);
    EXPECT_TRUE(core.desc(virq)->pending());
    device.hold = false;
    ASSERT_TRUE(wait_until([&] { return cpu1.done(); }));
    EXPECT_EQ(device.calls, 2u);
    EXPECT_FALSE(core.desc(virq)->pending());
    EXPECT_EQ(chip.take(), "eee");
}

TEST_F(EngineIrq, DisableNestsAndReplaysAtTheLastEnable) {
    Device device;
    const unsigned virq = line_with(device, FlowType::edge);
    core.disable_irq(virq);
    core.disable_irq_nosync(virq);
    EXPECT_EQ(core.desc(virq)->depth(), 2u);
    EXPECT_EQ(fire(virq), 0);
    core.enable_irq(virq);
    EXPECT_EQ(core.desc(virq)->depth(), 1u);
    EXPECT_TRUE(core.desc(virq)->disabled());
    EXPECT_TRUE(core.desc(virq)->masked());
    EXPECT_EQ(fire(virq), 0);
    EXPECT_EQ(device.calls, 0u);
    core.enable_irq(virq);
    EXPECT_EQ(core.desc(virq)->depth(), 0u);
    EXPECT_FALSE(core.desc(virq)->disabled());
    EXPECT_EQ(device.calls, 1u);
    EXPECT_EQ(fire(virq), 0);
    EXPECT_EQ(device.calls, 2u);
}

TEST_F(EngineIrq, UnbalancedEnableIsReportedAndCounted) {
    Device device;
    const unsigned virq = line_with(device, FlowType::fasteoi);
    testing::internal::CaptureStderr();
    core.enable_irq(virq);
    const std::string log = testing::internal::GetCapturedStderr();
    EXPECT_NE(log.find("irqlab engine: irq " + std::to_string(virq) + ": unbalanced enable"),
              std::string::npos)
        << log;
    EXPECT_EQ(core.unbalanced_enable_count(), 1u);
    EXPECT_EQ(stats(virq).unbalanced_enables, 1u);
    EXPECT_EQ(core.desc(virq)->depth(), 0u);
    EXPECT_EQ(fire(virq), 0);
    EXPECT_EQ(device.calls, 1u);
}

TEST_F(EngineIrq, ResendHookTakesTheReplay) {
    struct Hook {
        std::vector<unsigned> virqs;
    } hook;
    core.set_resend_hook(
        [](void* arg, unsigned virq) { static_cast<Hook*>(arg)->virqs.push_back(virq); }, &hook);
    Device device;
    const unsigned virq = line_with(device, FlowType::edge);
    core.disable_irq(virq);
    EXPECT_EQ(fire(virq), 0);
    core.enable_irq(virq);
    EXPECT_EQ(hook.virqs, std::vector<unsigned>{virq});
    EXPECT_EQ(device.calls, 0u);
    EXPECT_EQ(fire(virq), 0); // what the hook's owner does later
    EXPECT_EQ(device.calls, 1u);
}

TEST_F(EngineIrq, SynchronizeIrqWaitsForARunningHandler) {
    Device device;
    const unsigned virq = line_with(device, FlowType::fasteoi);
    device.hold = true;
    OnCpu cpu1{1, [&] { fire(virq); }};
    ASSERT_TRUE(cpu1.started());
    ASSERT_TRUE(wait_until([&] { return device.started == 1; }));
    std::atomic<bool> returned{false};
    std::thread waiter{[&] {
        core.synchronize_irq(virq);
        returned = true;
    }};
    std::this_thread::sleep_for(50ms);
    EXPECT_FALSE(returned);
    device.hold = false;
    waiter.join();
    EXPECT_TRUE(returned);
    EXPECT_EQ(device.calls, 1u);
    EXPECT_FALSE(core.desc(virq)->in_progress());
}

TEST_F(EngineIrq, FreeIrqWaitsForARunningHandler) {
    Device device;
    const unsigned virq = line_with(device, FlowType::edge);
    device.hold = true;
    OnCpu cpu1{1, [&] { fire(virq); }};
    ASSERT_TRUE(cpu1.started());
    ASSERT_TRUE(wait_until([&] { return device.started == 1; }));
    std::atomic<int> result{1};
    std::thread freer{[&] { result = core.free_irq(virq, &device); }};
    std::this_thread::sleep_for(50ms);
    EXPECT_EQ(result, 1);
    device.hold = false;
    freer.join();
    EXPECT_EQ(result, 0);
    EXPECT_EQ(device.calls, 1u);
    EXPECT_FALSE(core.desc(virq)->has_action());
}

TEST_F(EngineIrq, SleepingCallsInEngineHardirqAreReportedNotRun) {
    Device device;
    const unsigned virq = line_with(device, FlowType::fasteoi);
    testing::internal::CaptureStderr();
    {
        HardirqScope hardirq{context};
        core.synchronize_irq(virq);
        EXPECT_EQ(core.free_irq(virq, &device), -eperm);
    }
    testing::internal::GetCapturedStderr();
    EXPECT_EQ(context.atomic_sleep_reports(), 2u);
    EXPECT_TRUE(core.desc(virq)->has_action());
    EXPECT_EQ(core.free_irq(virq, &device), 0);
}

IrqReturn wants_thread(unsigned, void* dev_id) {
    static_cast<Device*>(dev_id)->calls.fetch_add(1);
    return IrqReturn::wake_thread;
}

TEST_F(EngineIrq, WakeThreadWithoutThreadCountsAsHandled) {
    const int virq = alloc(FlowType::fasteoi);
    ASSERT_GT(virq, 0);
    Device device;
    ASSERT_EQ(core.request_irq(virq, wants_thread, 0, "threaded", &device), 0);
    testing::internal::CaptureStderr();
    EXPECT_EQ(fire(virq), 0);
    EXPECT_EQ(fire(virq), 0);
    const std::string log = testing::internal::GetCapturedStderr();
    EXPECT_NE(log.find("no thread function"), std::string::npos) << log;
    const IrqStatsSnapshot snap = stats(virq);
    EXPECT_EQ(snap.wake_thread_without_thread, 2u);
    // As in Linux, a pure wake_thread result defers the spurious verdict to
    // the next one, which finds no thread run that said handled.
    EXPECT_EQ(snap.unhandled, 1u);
    uint64_t handled = 0;
    core.for_each_action(
        virq,
        [](void* arg, const IrqActionStats& action) {
            *static_cast<uint64_t*>(arg) = action.handled;
        },
        &handled);
    EXPECT_EQ(handled, 2u);
}

// Linux disables a line when, at the end of a window of 100,000
// interrupts, more than 99,900 were unhandled: 99,901 is the first count
// that does it.
class EngineIrqSpurious : public EngineIrq {
protected:
    // 100,000 interrupts, the first 'unhandled' of them unclaimed.
    std::string run_window(unsigned virq, Device& device, unsigned unhandled) {
        testing::internal::CaptureStderr();
        device.reply = IrqReturn::none;
        for (unsigned i = 0; i < 100'000; ++i) {
            if (i == unhandled)
                device.reply = IrqReturn::handled;
            fire(virq);
        }
        return testing::internal::GetCapturedStderr();
    }
};

TEST_F(EngineIrqSpurious, NobodyCaredDisablesTheLine) {
    Device device;
    const unsigned virq = line_with(device, FlowType::fasteoi);
    const std::string log = run_window(virq, device, 99'901);
    EXPECT_NE(log.find("irqlab engine: irq " + std::to_string(virq) + ": nobody cared, disabling"),
              std::string::npos)
        << log;
    const IrqStatsSnapshot snap = stats(virq);
    EXPECT_TRUE(snap.spurious_disabled);
    EXPECT_EQ(snap.depth, 1u);
    EXPECT_TRUE(snap.masked);
    EXPECT_EQ(snap.unhandled, 99'901u);
    EXPECT_EQ(snap.count, 100'000u);
    EXPECT_EQ(device.calls, 100'000u);
    // The line stays off: further interrupts only pend.
    EXPECT_EQ(fire(virq), 0);
    EXPECT_EQ(device.calls, 100'000u);
    EXPECT_TRUE(core.desc(virq)->pending());
}

TEST_F(EngineIrqSpurious, OneFewerUnhandledKeepsTheLine) {
    Device device;
    const unsigned virq = line_with(device, FlowType::fasteoi);
    const std::string log = run_window(virq, device, 99'900);
    EXPECT_EQ(log.find("nobody cared"), std::string::npos) << log;
    const IrqStatsSnapshot snap = stats(virq);
    EXPECT_FALSE(snap.spurious_disabled);
    EXPECT_EQ(snap.depth, 0u);
    EXPECT_FALSE(snap.masked);
    EXPECT_EQ(snap.unhandled, 99'900u);
    // The window restarted: another 99,900 unhandled do not disable either.
    EXPECT_EQ(run_window(virq, device, 99'900).find("nobody cared"), std::string::npos);
    EXPECT_FALSE(stats(virq).spurious_disabled);
}

TEST_F(EngineIrqSpurious, ANewSharerReenablesASpuriousDisabledLine) {
    const int virq = alloc(FlowType::fasteoi);
    ASSERT_GT(virq, 0);
    Device device, sharer;
    ASSERT_EQ(core.request_irq(virq, device_handler, irqf_shared, "dev", &device), 0);
    run_window(virq, device, 100'000);
    ASSERT_TRUE(stats(virq).spurious_disabled);
    EXPECT_EQ(fire(virq), 0); // pends on the disabled line
    ASSERT_EQ(core.request_irq(virq, device_handler, irqf_shared, "sharer", &sharer), 0);
    const IrqStatsSnapshot snap = stats(virq);
    EXPECT_FALSE(snap.spurious_disabled);
    EXPECT_EQ(snap.depth, 0u);
    EXPECT_FALSE(snap.masked);
    // The interrupt that came while disabled is replayed to both.
    EXPECT_EQ(sharer.calls, 1u);
}

// Per-CPU counts on machines of several sizes: the context and the layer
// are made after the CPU count is set, as per-CPU storage requires.
class EngineIrqPerCpu : public testing::TestWithParam<unsigned> {
protected:
    void SetUp() override {
        irqlab::hosted::set_simulated_cpus(GetParam());
        context = std::make_unique<Context>();
        ASSERT_TRUE(context->init());
        core = std::make_unique<IrqCore>(*context);
        ASSERT_TRUE(core->init());
    }
    void TearDown() override {
        core.reset();
        context.reset();
        irqlab::hosted::set_simulated_cpus(4);
    }

    std::unique_ptr<Context> context;
    IrqDomain domain{"percpu", 4};
    FakeChip chip;
    std::unique_ptr<IrqCore> core;
};

TEST_P(EngineIrqPerCpu, EachCpuCountsItsOwnInterrupts) {
    const int virq = core->alloc_desc(domain, 2, chip, nullptr, FlowType::edge, "percpu");
    ASSERT_GT(virq, 0);
    Device device;
    ASSERT_EQ(core->request_irq(virq, device_handler, 0, "dev", &device), 0);
    struct Job {
        Context* context;
        IrqCore* core;
        IrqDomain* domain;
        std::atomic<unsigned> failures{0};
        std::atomic<unsigned> turn{0};
    } job{context.get(), core.get(), &domain};
    // CPU n raises n + 1 interrupts through the domain, the CPUs one after
    // another: interrupts of one line on two CPUs at once would merge in
    // the flow handler, as in Linux, and blur the per-CPU counts.
    const unsigned ran = ktest::on_each_cpu(
        [](void* arg, unsigned cpu) {
            auto* j = static_cast<Job*>(arg);
            while (j->turn.load() != cpu)
                std::this_thread::yield();
            for (unsigned i = 0; i <= cpu; ++i) {
                irqlab::base::IrqSaveGuard irqs_off;
                HardirqScope hardirq{*j->context};
                if (j->core->handle_domain_irq(*j->domain, 2) != 0)
                    j->failures.fetch_add(1);
            }
            j->turn.fetch_add(1);
        },
        &job);
    const unsigned cpus = GetParam();
    ASSERT_EQ(ran, cpus);
    EXPECT_EQ(job.failures, 0u);
    uint64_t total = 0;
    for (unsigned cpu = 0; cpu < cpus; ++cpu) {
        EXPECT_EQ(core->kstat(virq, cpu), cpu + 1) << "cpu " << cpu;
        total += cpu + 1;
    }
    EXPECT_EQ(core->kstat(virq, cpus), 0u); // beyond nr_cpu_ids
    IrqStatsSnapshot snap{};
    ASSERT_TRUE(core->snapshot(virq, snap));
    EXPECT_EQ(snap.count, total);
    EXPECT_EQ(device.calls, total);
    EXPECT_STREQ(snap.chip_name, "fake");
    EXPECT_EQ(snap.hwirq, 2u);
    EXPECT_EQ(core->free_irq(virq, &device), 0);
    EXPECT_EQ(core->free_desc(virq), 0);
}

INSTANTIATE_TEST_SUITE_P(Cpus, EngineIrqPerCpu, testing::Values(2u, 3u, 8u));

} // namespace engine_irq_test
