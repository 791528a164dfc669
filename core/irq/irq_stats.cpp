// The statistics readers of IrqCore; see irq_core.h. They hold the table
// lock, so free_desc() cannot free the descriptor under them.
#include "core/irq/irq_core.h"

namespace irqlab::irq {

bool IrqCore::snapshot(unsigned virq, IrqStatsSnapshot& out) const {
    base::SpinGuard hold_table{table_lock_};
    IrqDesc* desc = lookup(virq);
    if (!desc)
        return false;
    base::SpinGuard hold{desc->lock_};
    out.virq = virq;
    out.hwirq = desc->hwirq();
    out.name = desc->name();
    out.chip_name = desc->data_.chip->name();
    out.flow = desc->flow();
    out.depth = desc->depth();
    out.disabled = desc->disabled();
    out.masked = desc->masked();
    out.pending = desc->pending();
    out.spurious_disabled = desc->spurious_disabled();
    out.actions = 0;
    for (const IrqAction* action = desc->action_.load(cxxrt::memory_order::relaxed); action;
         action = action->next.load(cxxrt::memory_order::relaxed))
        ++out.actions;
    out.count = desc->kstat_total();
    out.unhandled = desc->unhandled();
    out.wake_thread_without_thread = desc->wake_thread_without_thread();
    out.bogus_returns = desc->bogus_returns();
    out.unbalanced_enables = desc->unbalanced_enables();
    out.oneshot = desc->oneshot();
    out.threads_active = desc->threads_active();
    out.threads_oneshot = desc->threads_oneshot();
    return true;
}

uint64_t IrqCore::kstat(unsigned virq, unsigned cpu) const {
    base::SpinGuard hold_table{table_lock_};
    const IrqDesc* desc = lookup(virq);
    return desc ? desc->kstat(cpu) : 0;
}

unsigned IrqCore::for_each_action(unsigned virq, IrqActionVisitor visit, void* arg) const {
    base::SpinGuard hold_table{table_lock_};
    IrqDesc* desc = lookup(virq);
    if (!desc)
        return 0;
    base::SpinGuard hold{desc->lock_};
    unsigned visited = 0;
    for (const IrqAction* action = desc->action_.load(cxxrt::memory_order::relaxed); action;
         action = action->next.load(cxxrt::memory_order::relaxed)) {
        const IrqActionStats stats{
            action->name,
            action->dev_id,
            action->flags,
            action->handled.load(cxxrt::memory_order::relaxed),
            action->none.load(cxxrt::memory_order::relaxed),
            action->wake_thread_without_thread.load(cxxrt::memory_order::relaxed),
        };
        visit(arg, stats);
        ++visited;
    }
    return visited;
}

unsigned IrqCore::for_each_thread(unsigned virq, IrqThreadVisitor visit, void* arg) const {
    base::SpinGuard hold_table{table_lock_};
    IrqDesc* desc = lookup(virq);
    if (!desc)
        return 0;
    base::SpinGuard hold{desc->lock_};
    unsigned visited = 0;
    for (const IrqAction* action = desc->action_.load(cxxrt::memory_order::relaxed); action;
         action = action->next.load(cxxrt::memory_order::relaxed)) {
        if (!action->thread.running())
            continue;
        const IrqThreadStats stats{
            action->name,
            action->dev_id,
            action->thread.name(),
            action->thread.platform_thread(),
            action->thread.fifo(),
            (action->flags & irqf_oneshot) != 0,
            action->forced_thread,
            action->thread_mask,
            action->wakeups.load(cxxrt::memory_order::relaxed),
            action->wake_merged.load(cxxrt::memory_order::relaxed),
            action->thread_runs.load(cxxrt::memory_order::relaxed),
            action->thread_handled.load(cxxrt::memory_order::relaxed),
            action->thread_none.load(cxxrt::memory_order::relaxed),
        };
        visit(arg, stats);
        ++visited;
    }
    return visited;
}

unsigned IrqCore::next_virq(unsigned virq) const {
    for (unsigned next = virq + 1; next < max_irqs; ++next) {
        if (lookup(next))
            return next;
    }
    return 0;
}

} // namespace irqlab::irq
