// Chip calls that track the line's masked and disabled state (the state
// helpers of kernel/irq/chip.c).
#include "core/irq/desc_ops.h"

namespace irqlab::irq {

void DescOps::mask_irq(IrqDesc& desc) {
    desc.lock_.assert_held();
    // A masked line is not masked again: chips need not count.
    if (desc.has(irqs_masked))
        return;
    desc.data_.chip->mask(desc.data_);
    desc.set(irqs_masked);
}

void DescOps::unmask_irq(IrqDesc& desc) {
    desc.lock_.assert_held();
    if (!desc.has(irqs_masked))
        return;
    desc.data_.chip->unmask(desc.data_);
    desc.clear(irqs_masked);
}

void DescOps::mask_ack_irq(IrqDesc& desc) {
    desc.lock_.assert_held();
    mask_irq(desc);
    ack_irq(desc);
}

void DescOps::ack_irq(IrqDesc& desc) {
    desc.lock_.assert_held();
    desc.data_.chip->ack(desc.data_);
}

void DescOps::eoi_irq(IrqDesc& desc) {
    desc.lock_.assert_held();
    desc.data_.chip->eoi(desc.data_);
}

void DescOps::irq_enable(IrqDesc& desc) {
    desc.lock_.assert_held();
    desc.clear(irqs_disabled);
    unmask_irq(desc);
}

void DescOps::irq_disable(IrqDesc& desc) {
    desc.lock_.assert_held();
    desc.set(irqs_disabled);
}

bool DescOps::irq_startup(IrqDesc& desc) {
    desc.lock_.assert_held();
    desc.depth_.store(0, cxxrt::memory_order::relaxed);
    desc.set(irqs_started);
    irq_enable(desc);
    return check_irq_resend(desc);
}

void DescOps::irq_shutdown(IrqDesc& desc) {
    desc.lock_.assert_held();
    desc.clear(irqs_started);
    desc.set(irqs_disabled);
    mask_irq(desc);
    desc.depth_.store(1, cxxrt::memory_order::relaxed);
}

bool DescOps::enable_one_level(IrqDesc& desc) {
    desc.lock_.assert_held();
    const unsigned depth = desc.depth_.load(cxxrt::memory_order::relaxed);
    if (depth == 1)
        return irq_startup(desc);
    desc.depth_.store(depth - 1, cxxrt::memory_order::relaxed);
    return false;
}

} // namespace irqlab::irq
