// Hosted platform: interrupt lines are test doubles that record what the
// engine's chip asked of them (see hosted_platform.h).
#include "hosted/hosted_platform.h"

#include "irqlab/platform.h"

extern "C" void irqlab_plat_line_mask(irqlab_line* line) {
    line->masks.fetch_add(1);
    line->masked = true;
}

extern "C" void irqlab_plat_line_unmask(irqlab_line* line) {
    line->unmasks.fetch_add(1);
    line->masked = false;
}

extern "C" int irqlab_plat_line_set_affinity(irqlab_line* line, unsigned cpu) {
    if (cpu >= irqlab_plat_nr_cpu_ids())
        return -22; // EINVAL
    line->affinity_cpu = static_cast<int>(cpu);
    return 0;
}
