// The layer's log lines, "irqlab engine: irq N: <what>".
#pragma once

namespace irqlab::irq {

void log_irq(unsigned virq, const char* what);

} // namespace irqlab::irq
