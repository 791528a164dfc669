// Detecting a line nobody handles (note_interrupt() of
// kernel/irq/spurious.c).
//
// Differences from Linux: no time-based aging of the unhandled count
// (Linux restarts it at 1 when the last unhandled interrupt is more than
// 100 ms old), no irqpoll/irqfixup, no poll timer after disabling, and the
// disabled line is masked at once instead of lazily.
//
// Threaded lines get Linux's deferred verdict (SPURIOUS_DEFERRED): a pure
// wake_thread result is judged at the next one, by whether a thread of the
// line returned handled in between. The engine's software-injected
// interrupts also reach a line masked for its oneshot thread, which
// hardware would hold back: a burst of them before the thread has run
// counts as unhandled, as it would in Linux if such interrupts came.
#include "core/irq/desc_ops.h"
#include "core/irq/log.h"

namespace irqlab::irq {

namespace {

// Linux's numbers: the line is disabled when, at the end of a window of
// 100,000 interrupts, more than 99,900 were unhandled.
constexpr unsigned spurious_window = 100'000;
constexpr unsigned spurious_threshold = 99'900;
// Bit 31 of threads_handled_last: the deferred detection is active.
constexpr unsigned spurious_deferred = 0x8000'0000u;

} // namespace

// A thread was woken, so whether the interrupt was the device's is known
// only when the thread has run: as Linux, the verdict on a pure wake_thread
// is deferred to the next such interrupt, which then counts as handled if
// any thread of the line returned handled since the one before.
unsigned DescOps::deferred_spurious_verdict(IrqDesc& desc, unsigned action_ret) {
    desc.lock_.assert_held();
    constexpr unsigned wake = static_cast<unsigned>(IrqReturn::wake_thread);
    if (!(action_ret & wake))
        return action_ret;
    if (action_ret != wake) {
        // A primary handler claimed it: the threads do not matter.
        desc.threads_handled_last_ &= ~spurious_deferred;
        return action_ret;
    }
    if (!(desc.threads_handled_last_ & spurious_deferred)) {
        desc.threads_handled_last_ |= spurious_deferred;
        return ~0u; // nothing to count yet
    }
    const unsigned handled =
        desc.threads_handled_.load(cxxrt::memory_order::relaxed) | spurious_deferred;
    if (handled == desc.threads_handled_last_)
        return static_cast<unsigned>(IrqReturn::none);
    desc.threads_handled_last_ = handled;
    return static_cast<unsigned>(IrqReturn::handled);
}

void DescOps::note_interrupt(IrqDesc& desc, unsigned action_ret) {
    desc.lock_.assert_held();
    if (action_ret & ~irq_return_valid_bits) {
        if (desc.bogus_returns_.fetch_add(1, cxxrt::memory_order::relaxed) == 0)
            log_irq(desc.virq(), "bogus return value from a handler");
        return;
    }
    action_ret = deferred_spurious_verdict(desc, action_ret);
    if (action_ret == ~0u)
        return;
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
