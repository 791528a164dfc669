// Softirq work units of attached lines; see softirq_backlog.h.
#include "core/engine/softirq_backlog.h"

#include "core/base/cpu.h"

namespace irqlab::engine {

using softirq::SoftirqNr;

bool SoftirqBacklog::init() {
    if (!cpus_.init())
        return false;
    for (unsigned i = 0; i < softirq::nr_softirqs; ++i) {
        const auto nr = static_cast<SoftirqNr>(i);
        handler_args_[i] = {this, nr, nullptr, nullptr};
        if (owns(nr))
            softirqs_.open(nr, run, &handler_args_[i]);
    }
    return true;
}

void SoftirqBacklog::add(SoftirqNr nr, unsigned units) {
    cpus_.local().slot[static_cast<unsigned>(nr)].units.fetch_add(units,
                                                                  cxxrt::memory_order::relaxed);
    softirqs_.raise(nr);
}

void SoftirqBacklog::take_over(unsigned dead_cpu) {
    base::IrqSaveGuard irqs_off;
    CpuSlots& dead = cpus_.on(dead_cpu);
    CpuSlots& here = cpus_.local();
    for (unsigned i = 0; i < softirq::nr_softirqs; ++i) {
        const uint64_t units = dead.slot[i].units.exchange(0, cxxrt::memory_order::relaxed);
        if (!units)
            continue;
        here.slot[i].units.fetch_add(units, cxxrt::memory_order::relaxed);
        softirqs_.raise_irqoff(static_cast<SoftirqNr>(i));
    }
}

void SoftirqBacklog::share(SoftirqNr nr, softirq::SoftirqHandler first, void* arg) {
    HandlerArg& handler = handler_args_[static_cast<unsigned>(nr)];
    handler.first = first;
    handler.first_arg = arg;
}

void SoftirqBacklog::run(void* arg) {
    const auto* handler = static_cast<HandlerArg*>(arg);
    if (handler->first)
        handler->first(handler->first_arg);
    handler->backlog->run_one(handler->nr);
}

void SoftirqBacklog::run_one(SoftirqNr nr) {
    // Softirq handlers run on the CPU that raised them, so the units are
    // this CPU's; a hardirq may add more at any time.
    Slot& slot = cpus_.local().slot[static_cast<unsigned>(nr)];
    uint64_t left = slot.units.load(cxxrt::memory_order::relaxed);
    while (left != 0 && !slot.units.compare_exchange_weak(left, left - 1))
        ;
    if (left == 0) {
        slot.idle_runs.fetch_add(1, cxxrt::memory_order::relaxed);
        return;
    }
    slot.done.fetch_add(1, cxxrt::memory_order::relaxed);
    if (left > 1)
        softirqs_.raise(nr);
}

SoftirqBacklog::SlotCounts SoftirqBacklog::counts(SoftirqNr nr, unsigned cpu) const {
    const Slot& slot = cpus_.on(cpu).slot[static_cast<unsigned>(nr)];
    return {slot.done.load(cxxrt::memory_order::relaxed),
            slot.idle_runs.load(cxxrt::memory_order::relaxed),
            slot.units.load(cxxrt::memory_order::relaxed)};
}

} // namespace irqlab::engine
