// The flow handlers (handle_*_irq of kernel/irq/chip.c): how a line's
// chip is driven around its actions. Entered with interrupts off, from
// engine hardirq context; each takes the descriptor lock itself.
#include "core/irq/desc_ops.h"

namespace irqlab::irq {

namespace {

// irq_may_run(): the engine has no wakeup arming and no polling, so only
// "running on another CPU" stops a flow.
bool irq_may_run(const IrqDesc& desc) {
    return !desc.in_progress();
}

} // namespace

void DescOps::cond_unmask_irq(IrqDesc& desc) {
    desc.lock_.assert_held();
    // Unmasked unless a oneshot thread of the line still has to run: a
    // plain line, or a oneshot one whose primary handled it alone.
    if (!desc.has(irqs_disabled) && desc.has(irqs_masked) &&
        desc.threads_oneshot_.load(cxxrt::memory_order::relaxed) == 0)
        unmask_irq(desc);
}

void DescOps::cond_unmask_eoi_irq(IrqDesc& desc) {
    desc.lock_.assert_held();
    if (!desc.has(irqs_oneshot)) {
        eoi_irq(desc);
        return;
    }
    // The engine's chips have no IRQCHIP_EOI_THREADED: the eoi is never
    // left to the thread.
    eoi_irq(desc);
    if (!desc.has(irqs_disabled) && desc.has(irqs_masked) &&
        desc.threads_oneshot_.load(cxxrt::memory_order::relaxed) == 0)
        unmask_irq(desc);
}

bool DescOps::handle_flow(IrqDesc& desc) {
    switch (desc.flow_) {
    case FlowType::edge:
        handle_edge_irq(desc);
        return false;
    case FlowType::level:
        handle_level_irq(desc);
        return false;
    case FlowType::fasteoi:
        break;
    }
    return handle_fasteoi_irq(desc);
}

bool DescOps::handle_fasteoi_irq(IrqDesc& desc) {
    base::SpinGuard hold{desc.lock_};
    if (!irq_may_run(desc)) {
        // Linux drops this interrupt unless the chip asks for
        // IRQD_RESEND_WHEN_IN_PROGRESS; the engine always asks: its
        // interrupts are injected by software on any CPU, and none may
        // be lost to the race.
        desc.set(irqs_pending);
        desc.count_pending_arrival();
        eoi_irq(desc);
        return false;
    }
    desc.clear(irqs_replay);
    if (!desc.action_.load(cxxrt::memory_order::relaxed) || desc.has(irqs_disabled)) {
        desc.set(irqs_pending);
        desc.count_pending_arrival();
        mask_irq(desc);
        eoi_irq(desc);
        return false;
    }
    desc.count_this_cpu();
    // Oneshot: masked until the line's threads are done.
    if (desc.has(irqs_oneshot))
        mask_irq(desc);
    handle_irq_event(desc);
    cond_unmask_eoi_irq(desc);
    // The race above: an interrupt came while the handlers ran. Replay it
    // now, as check_irq_resend() would; a disabled line keeps it pending
    // for enable_irq().
    if (desc.has(irqs_pending) && !desc.has(irqs_disabled))
        return check_irq_resend(desc);
    return false;
}

// As Linux's, the edge flow ignores oneshot: an edge line needs no mask
// while its thread runs, and irq_finalize_oneshot() unmasks only a line
// that something masked.
void DescOps::handle_edge_irq(IrqDesc& desc) {
    base::SpinGuard hold{desc.lock_};
    desc.clear(irqs_replay);
    // Running elsewhere, disabled or without handlers: remember the edge
    // and mask, so that it is not lost and does not storm.
    if (!irq_may_run(desc) || desc.has(irqs_disabled) ||
        !desc.action_.load(cxxrt::memory_order::relaxed)) {
        desc.set(irqs_pending);
        desc.count_pending_arrival();
        mask_ack_irq(desc);
        return;
    }
    desc.count_this_cpu();
    ack_irq(desc);
    do {
        if (!desc.action_.load(cxxrt::memory_order::relaxed)) {
            mask_irq(desc);
            break;
        }
        // An edge came while the handlers ran and masked the line: open
        // it again, unless it was disabled meanwhile.
        if (desc.has(irqs_pending) && !desc.has(irqs_disabled) && desc.has(irqs_masked))
            unmask_irq(desc);
        handle_irq_event(desc);
    } while (desc.has(irqs_pending) && !desc.has(irqs_disabled));
}

void DescOps::handle_level_irq(IrqDesc& desc) {
    base::SpinGuard hold{desc.lock_};
    mask_ack_irq(desc);
    // Running elsewhere: that CPU unmasks when it is done, and the line,
    // still asserted, comes again.
    if (irq_may_run(desc)) {
        desc.clear(irqs_replay);
        if (!desc.action_.load(cxxrt::memory_order::relaxed) || desc.has(irqs_disabled)) {
            desc.set(irqs_pending);
            desc.count_pending_arrival();
        } else {
            desc.count_this_cpu();
            handle_irq_event(desc);
            cond_unmask_irq(desc);
        }
    }
}

} // namespace irqlab::irq
