// Formats a log line without a printf: the core has no libc.
#include "core/irq/log.h"

#include "irqlab/platform.h"

namespace irqlab::irq {

void log_irq(unsigned virq, const char* what) {
    static constexpr char prefix[] = "irqlab engine: irq ";
    char line[160];
    unsigned len = 0;
    for (const char* p = prefix; *p; ++p)
        line[len++] = *p;
    char digits[10];
    unsigned ndigits = 0;
    do {
        digits[ndigits++] = static_cast<char>('0' + virq % 10);
        virq /= 10;
    } while (virq != 0);
    while (ndigits > 0)
        line[len++] = digits[--ndigits];
    line[len++] = ':';
    line[len++] = ' ';
    for (const char* p = what; *p && len < sizeof(line) - 1; ++p)
        line[len++] = *p;
    line[len] = '\0';
    irqlab_plat_log(line);
}

} // namespace irqlab::irq
