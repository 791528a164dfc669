// Hosted platform: interrupt lines are test doubles that record where the
// engine's chip pointed them (see hosted_platform.h).
#include "hosted/hosted_platform.h"
#include "hosted/thread_state.h"

#include "irqlab/platform.h"

extern "C" void irqlab_plat_thread_follow_line(irqlab_line* line) {
    const int cpu = line->affinity_cpu;
    auto& state = irqlab::hosted::current_thread_state();
    if (cpu >= 0 && !state.irqs_off)
        state.cpu = static_cast<unsigned>(cpu);
}

extern "C" int irqlab_plat_line_set_affinity(irqlab_line* line, unsigned cpu) {
    if (cpu >= irqlab_plat_nr_cpu_ids())
        return -22; // EINVAL
    line->affinity_cpu = static_cast<int>(cpu);
    return 0;
}
