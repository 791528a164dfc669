// The default chip operations: a chip without one is a no-op there, as a
// NULL callback is for the kernel's flow handlers.
#include "core/irq/chip.h"

namespace irqlab::irq {

void IrqChip::ack(IrqData&) {}
void IrqChip::mask(IrqData&) {}
void IrqChip::unmask(IrqData&) {}
void IrqChip::eoi(IrqData&) {}

void IrqChip::move_thread_to_affinity(IrqData&) {}

int IrqChip::set_affinity(IrqData&, unsigned) {
    return -base::einval;
}

} // namespace irqlab::irq
