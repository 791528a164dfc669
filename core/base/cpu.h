// CPUs, interrupt and preemption state, and the clock, as the core sees them.
#pragma once

#include "irqlab/platform.h"

namespace irqlab::base {

inline unsigned cpu_id() {
    return irqlab_plat_cpu_id();
}
inline unsigned nr_cpu_ids() {
    return irqlab_plat_nr_cpu_ids();
}
inline bool cpu_online(unsigned cpu) {
    return irqlab_plat_cpu_online(cpu);
}
// Whether ordinary threads may run on the CPU: false from the first step
// of taking it down until it is fully up again (irqlab/platform.h).
inline bool cpu_active(unsigned cpu) {
    return irqlab_plat_cpu_active(cpu);
}
inline bool irqs_disabled() {
    return irqlab_plat_irqs_disabled();
}
inline uint64_t now_ns() {
    return irqlab_plat_clock_ns();
}

// Interrupts off on this CPU for the guard's scope (local_irq_save).
class IrqSaveGuard {
public:
    IrqSaveGuard() : flags_{irqlab_plat_irq_save()} {}
    ~IrqSaveGuard() { irqlab_plat_irq_restore(flags_); }
    IrqSaveGuard(const IrqSaveGuard&) = delete;
    IrqSaveGuard& operator=(const IrqSaveGuard&) = delete;

private:
    friend class IrqRestored;

    unsigned long flags_;
};

// The other way round, as SpinUnlocked is for a lock: for its scope the
// state an IrqSaveGuard saved is back (interrupts on again if they were on
// before the guard), and interrupts go off again at its end, as
// __do_softirq() runs the handlers between local_irq_enable() and
// local_irq_disable(). The guard then restores the state found at that
// end, like a save taken there.
class IrqRestored {
public:
    explicit IrqRestored(IrqSaveGuard& saved) : saved_{saved} {
        irqlab_plat_irq_restore(saved_.flags_);
    }
    ~IrqRestored() { saved_.flags_ = irqlab_plat_irq_save(); }
    IrqRestored(const IrqRestored&) = delete;
    IrqRestored& operator=(const IrqRestored&) = delete;

private:
    IrqSaveGuard& saved_;
};

// Preemption off for the guard's scope: cpu_id() stays valid inside.
class PreemptGuard {
public:
    PreemptGuard() { irqlab_plat_preempt_disable(); }
    ~PreemptGuard() { irqlab_plat_preempt_enable(); }
    PreemptGuard(const PreemptGuard&) = delete;
    PreemptGuard& operator=(const PreemptGuard&) = delete;
};

} // namespace irqlab::base
