// The chip of an attached MSI-X vector: the engine's mask and unmask reach
// the real device through the glue (irqlab_plat_line_*). MSI-X has no ack
// and no end-of-interrupt of its own; the host's vector domain already did
// both before the native handler ran.
#pragma once

#include "core/irq/chip.h"

namespace irqlab::engine {

// Out of line (msix_chip.cpp), so its vtable has one home.
class MsixChip final : public irq::IrqChip {
public:
    const char* name() const override;
    void mask(irq::IrqData& data) override;
    void unmask(irq::IrqData& data) override;
    int set_affinity(irq::IrqData& data, unsigned cpu) override;
};

} // namespace irqlab::engine
