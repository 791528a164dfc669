// Running a line's actions (handle_irq_event() of kernel/irq/handle.c).
#include "core/base/trace.h"
#include "core/irq/desc_ops.h"
#include "core/irq/log.h"

namespace irqlab::irq {

namespace {

// warn_no_thread(): an action without a thread asked for one. Counted as
// misuse; the result still reaches note_interrupt() as Linux's does.
void note_wake_without_thread(IrqDesc& desc, IrqAction& action) {
    action.wake_thread_without_thread.fetch_add(1, cxxrt::memory_order::relaxed);
    if (!action.warned_no_thread.exchange(true, cxxrt::memory_order::relaxed))
        log_irq(desc.virq(), "handler returned wake_thread but no thread function available");
}

// Returns the or-ed results; 'woke_without_thread' says whether an
// action without a thread asked for one.
unsigned run_actions(IrqDesc& desc, IrqAction* action, bool& woke_without_thread) {
    unsigned retval = 0;
    for (; action; action = action->next.load(cxxrt::memory_order::acquire)) {
        base::trace::emit(IRQLAB_EV_HARDIRQ_ENTRY, [&](irqlab_engine_event& ev) {
            ev.irq = desc.virq();
            ev.name = action->name;
            ev.object = action->dev_id;
            ev.line = static_cast<irqlab_line*>(desc.irq_data().chip_data);
        });
        const unsigned res = static_cast<unsigned>(action->handler(desc.virq(), action->dev_id));
        base::trace::emit(IRQLAB_EV_HARDIRQ_EXIT, [&](irqlab_engine_event& ev) {
            ev.irq = desc.virq();
            ev.ret = static_cast<int>(res);
            ev.object = action->dev_id;
            ev.line = static_cast<irqlab_line*>(desc.irq_data().chip_data);
        });
        // As __handle_irq_event_percpu(): only a plain wake_thread wakes;
        // handled | wake_thread is just "handled".
        if (res == static_cast<unsigned>(IrqReturn::wake_thread)) {
            if (action->thread_fn) {
                DescOps::irq_wake_thread(desc, *action);
            } else {
                note_wake_without_thread(desc, *action);
                woke_without_thread = true;
            }
        }
        if (res == 0)
            action->none.fetch_add(1, cxxrt::memory_order::relaxed);
        else if (res & irq_return_valid_bits)
            action->handled.fetch_add(1, cxxrt::memory_order::relaxed);
        retval |= res;
    }
    return retval;
}

} // namespace

void DescOps::handle_irq_event(IrqDesc& desc) {
    desc.clear(irqs_pending);
    desc.set(irqs_inprogress);
    IrqAction* const first = desc.action_.load(cxxrt::memory_order::acquire);
    unsigned retval;
    {
        // The in-progress bit keeps the other CPUs' flows out meanwhile.
        base::SpinUnlocked running_actions{desc.lock_};
        bool woke_without_thread = false;
        retval = run_actions(desc, first, woke_without_thread);
        if (woke_without_thread)
            desc.wake_without_thread_.fetch_add(1, cxxrt::memory_order::relaxed);
    }
    // Linux runs note_interrupt() before retaking the lock (the in-progress
    // bit serializes it); the engine runs it under the lock, which its
    // spurious disable needs anyway.
    note_interrupt(desc, retval);
    desc.clear(irqs_inprogress);
}

} // namespace irqlab::irq
