// The irqlab-msix chip's mask and pending bits (core/engine/msix_chip.*):
// arrivals on a masked vector are latched, not lost and not run, and one
// message is resent when the vector is unmasked.
#include "core/base/cpu.h"
#include "core/engine/engine.h"
#include "hosted/hosted_platform.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>

namespace engine_msix_chip_test {

using irqlab::engine::Engine;
using irqlab::irq::IrqReturn;
using namespace std::chrono_literals;

std::atomic<unsigned> handled{0};

IrqReturn count_handler(unsigned, void*) {
    handled.fetch_add(1);
    return IrqReturn::handled;
}

class MsixChipTest : public ::testing::Test {
protected:
    void SetUp() override {
        handled = 0;
        ASSERT_TRUE(engine_.init());
        ASSERT_TRUE(domain_.init());
        const int virq = engine_.irqs().alloc_desc(domain_, 0, engine_.msix_chip(), &line_,
                                                   irqlab::irq::FlowType::fasteoi, "chip");
        ASSERT_GT(virq, 0);
        virq_ = static_cast<unsigned>(virq);
        engine_.msix_chip().reset(virq_);
        ASSERT_EQ(engine_.irqs().request_irq(virq_, count_handler, 0, "chip", this), 0);
    }
    void TearDown() override {
        engine_.irqs().free_irq(virq_, this);
        engine_.msix_chip().forget(virq_);
        engine_.irqs().free_desc(virq_);
    }

    void arrive() {
        irqlab::base::IrqSaveGuard irqs_off;
        engine_.handle(domain_, 0);
    }
    irqlab::irq::IrqData& data() { return engine_.irqs().desc(virq_)->irq_data(); }

    Engine engine_;
    irqlab::irq::IrqDomain domain_{"chip-test", 1};
    irqlab_line line_{};
    unsigned virq_ = 0;
};

template <typename Pred>
bool wait_until(Pred pred) {
    for (int i = 0; i < 5000 && !pred(); ++i)
        std::this_thread::sleep_for(1ms);
    return pred();
}

TEST_F(MsixChipTest, UnmaskedArrivalsRunTheHandler) {
    for (int i = 0; i < 10; ++i)
        arrive();
    EXPECT_EQ(handled.load(), 10u);
    EXPECT_EQ(engine_.msix_chip().latched(virq_), 0u);
}

TEST_F(MsixChipTest, MaskedArrivalsAreLatchedAndResentOnceAtUnmask) {
    engine_.msix_chip().mask(data());
    for (int i = 0; i < 5; ++i)
        arrive();
    EXPECT_EQ(handled.load(), 0u);
    EXPECT_EQ(engine_.msix_chip().latched(virq_), 5u);
    engine_.msix_chip().unmask(data());
    ASSERT_TRUE(wait_until([&] { return handled.load() == 1; }));
    EXPECT_EQ(engine_.msix_chip().resent(virq_), 1u);
    // Arrivals + resends == handler runs + latched: every one accounted.
    std::this_thread::sleep_for(10ms);
    EXPECT_EQ(5u + engine_.msix_chip().resent(virq_),
              handled.load() + engine_.msix_chip().latched(virq_));
}

TEST_F(MsixChipTest, UnmaskWithoutLatchedMessageSendsNothing) {
    engine_.msix_chip().mask(data());
    engine_.msix_chip().unmask(data());
    std::this_thread::sleep_for(20ms);
    EXPECT_EQ(handled.load(), 0u);
    EXPECT_EQ(engine_.msix_chip().resent(virq_), 0u);
}

TEST_F(MsixChipTest, ResendFindingTheVectorMaskedAgainLatchesIt) {
    engine_.msix_chip().mask(data());
    arrive();
    // Unmask schedules the resend; mask again before the tasklet can run
    // on this CPU (interrupts off hold its softirq back).
    {
        irqlab::base::IrqSaveGuard irqs_off;
        engine_.msix_chip().unmask(data());
        engine_.msix_chip().mask(data());
    }
    ASSERT_TRUE(wait_until([&] { return engine_.msix_chip().resent(virq_) == 1; }));
    EXPECT_EQ(handled.load(), 0u);
    EXPECT_EQ(engine_.msix_chip().latched(virq_), 2u);
    engine_.msix_chip().unmask(data());
    ASSERT_TRUE(wait_until([&] { return handled.load() == 1; }));
    EXPECT_EQ(1u + engine_.msix_chip().resent(virq_),
              handled.load() + engine_.msix_chip().latched(virq_));
}

} // namespace engine_msix_chip_test
