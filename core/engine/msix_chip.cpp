// The MSI-X chip; see msix_chip.h.
#include "core/engine/msix_chip.h"

#include "irqlab/platform.h"

namespace irqlab::engine {

namespace {

irqlab_line* line(irq::IrqData& data) {
    return static_cast<irqlab_line*>(data.chip_data);
}

} // namespace

const char* MsixChip::name() const {
    return "irqlab-msix";
}

void MsixChip::mask(irq::IrqData& data) {
    irqlab_plat_line_mask(line(data));
}

void MsixChip::unmask(irq::IrqData& data) {
    irqlab_plat_line_unmask(line(data));
}

int MsixChip::set_affinity(irq::IrqData& data, unsigned cpu) {
    return irqlab_plat_line_set_affinity(line(data), cpu);
}

} // namespace irqlab::engine
