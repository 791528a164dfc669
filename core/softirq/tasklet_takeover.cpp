// Tasklets of a dead CPU (Linux's takeover_tasklets() at
// CPUHP_SOFTIRQ_DEAD); see tasklet.h.
#include "core/base/cpu.h"
#include "core/softirq/tasklet.h"

namespace irqlab::softirq {

void Tasklets::take_over(unsigned dead_cpu) {
    base::IrqSaveGuard irqs_off;
    Lists& dead = lists_.on(dead_cpu);
    take_over_list(dead, &Lists::normal, SoftirqNr::tasklet);
    take_over_list(dead, &Lists::hi, SoftirqNr::hi);
}

void Tasklets::take_over_list(Lists& dead, List Lists::*which, SoftirqNr nr) {
    // The dead CPU runs nothing, so its lists are ours to take; this CPU's
    // are, with interrupts off. Each keeps its SCHED bit: it was scheduled
    // once and runs once, here.
    if ((dead.*which).empty())
        return;
    (lists_.local().*which).splice_back(dead.*which);
    softirqs_.raise_irqoff(nr);
}

} // namespace irqlab::softirq
