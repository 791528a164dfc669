// A chip for the IRQ layer's tests: records each call it gets.
#pragma once

#include "core/irq/chip.h"

#include <atomic>
#include <mutex>
#include <string>
#include <utility>

namespace irqlab::test {

// Records each call as one letter: a(ck), m(ask), u(nmask), e(oi).
class FakeChip final : public irq::IrqChip {
public:
    explicit FakeChip(const char* name = "fake") : name_{name} {}

    const char* name() const override { return name_; }
    void ack(irq::IrqData& data) override { record('a', data, acks); }
    void mask(irq::IrqData& data) override { record('m', data, masks); }
    void unmask(irq::IrqData& data) override { record('u', data, unmasks); }
    void eoi(irq::IrqData& data) override { record('e', data, eois); }
    int set_affinity(irq::IrqData&, unsigned cpu) override {
        affinity = static_cast<int>(cpu);
        return 0;
    }

    // The calls since the last take, at most the first 256.
    std::string take() {
        std::lock_guard hold{lock_};
        return std::exchange(calls_, std::string{});
    }

    std::atomic<unsigned> acks{0};
    std::atomic<unsigned> masks{0};
    std::atomic<unsigned> unmasks{0};
    std::atomic<unsigned> eois{0};
    std::atomic<int> affinity{-1};
    std::atomic<unsigned long> last_hwirq{~0ul};

private:
    void record(char call, irq::IrqData& data, std::atomic<unsigned>& counter) {
        counter.fetch_add(1);
        last_hwirq = data.hwirq;
        std::lock_guard hold{lock_};
        if (calls_.size() < 256)
            calls_ += call;
    }

    const char* name_;
    std::mutex lock_;
    std::string calls_;
};

} // namespace irqlab::test
