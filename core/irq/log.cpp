// The IRQ layer's log lines.
#include "core/irq/log.h"

#include "core/base/text.h"
#include "irqlab/platform.h"

namespace irqlab::irq {

void log_irq(unsigned virq, const char* what) {
    char line[160];
    base::TextBuilder{line}.text("irqlab engine: irq ").number(virq).text(": ").text(what);
    irqlab_plat_log(line);
}

} // namespace irqlab::irq
