// Detecting a line nobody handles (note_interrupt() of
// kernel/irq/spurious.c).
//
// Differences from Linux: no time-based aging of the unhandled count
// (Linux restarts it at 1 when the last unhandled interrupt is more than
// 100 ms old), no irqpoll/irqfixup, no poll timer after disabling, and the
// disabled line is masked at once instead of lazily.
#include "core/irq/desc_ops.h"
#include "core/irq/log.h"

namespace irqlab::irq {

namespace {

// Linux's numbers: the line is disabled when, at the end of a window of
// 100,000 interrupts, more than 99,900 were unhandled.
constexpr unsigned spurious_window = 100'000;
constexpr unsigned spurious_threshold = 99'900;

} // namespace

void DescOps::note_interrupt(IrqDesc& desc, unsigned action_ret) {
    if (action_ret & ~irq_return_valid_bits) {
        if (desc.bogus_returns_.fetch_add(1, cxxrt::memory_order::relaxed) == 0)
            log_irq(desc.virq(), "bogus return value from a handler");
        return;
    }
    if (action_ret == static_cast<unsigned>(IrqReturn::none)) {
        ++desc.irqs_unhandled_;
        desc.unhandled_total_.fetch_add(1, cxxrt::memory_order::relaxed);
    }
    if (++desc.irq_count_ < spurious_window)
        return;
    desc.irq_count_ = 0;
    if (desc.irqs_unhandled_ > spurious_threshold) {
        log_irq(desc.virq(), "nobody cared, disabling");
        desc.set(irqs_spurious_disabled);
        desc.depth_.fetch_add(1, cxxrt::memory_order::relaxed);
        irq_disable(desc);
        mask_irq(desc);
    }
    desc.irqs_unhandled_ = 0;
}

} // namespace irqlab::irq
