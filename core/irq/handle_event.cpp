// Running a line's actions (handle_irq_event() of kernel/irq/handle.c).
#include "core/irq/desc_ops.h"
#include "core/irq/log.h"

namespace irqlab::irq {

namespace {

// warn_no_thread(): until threaded handlers exist, an action that asks
// for its thread is counted as having handled the interrupt.
void note_wake_without_thread(IrqDesc& desc, IrqAction& action) {
    action.wake_thread_without_thread.fetch_add(1, cxxrt::memory_order::relaxed);
    if (!action.warned_no_thread.exchange(true, cxxrt::memory_order::relaxed))
        log_irq(desc.virq(), "handler returned wake_thread but no thread function available");
}

unsigned run_actions(IrqDesc& desc, IrqAction* action) {
    unsigned retval = 0;
    for (; action; action = action->next.load(cxxrt::memory_order::acquire)) {
        const unsigned res = static_cast<unsigned>(action->handler(desc.virq(), action->dev_id));
        if (res & static_cast<unsigned>(IrqReturn::wake_thread))
            note_wake_without_thread(desc, *action);
        if (res == 0)
            action->none.fetch_add(1, cxxrt::memory_order::relaxed);
        else if (res & irq_return_valid_bits)
            action->handled.fetch_add(1, cxxrt::memory_order::relaxed);
        retval |= res;
    }
    return retval;
}

} // namespace

void DescOps::handle_irq_event(IrqDesc& desc, unsigned long& flags) {
    desc.clear(irqs_pending);
    desc.set(irqs_inprogress);
    IrqAction* const first = desc.action_.load(cxxrt::memory_order::acquire);
    desc.lock_.unlock_irqrestore(flags);

    const unsigned retval = run_actions(desc, first);
    if (retval & static_cast<unsigned>(IrqReturn::wake_thread))
        desc.wake_without_thread_.fetch_add(1, cxxrt::memory_order::relaxed);

    flags = desc.lock_.lock_irqsave();
    // Linux runs note_interrupt() before retaking the lock (the in-progress
    // bit serializes it); the engine runs it under the lock, which its
    // spurious disable needs anyway.
    note_interrupt(desc, retval);
    desc.clear(irqs_inprogress);
}

} // namespace irqlab::irq
