// What kernel/irq/{chip,handle,resend,spurious}.c do to a descriptor: the
// layer's internals, for IrqCore. The descriptor lock is held with
// interrupts off (spin_lock_irqsave) wherever a function REQUIRES it.
#pragma once

#include "core/base/thread_safety.h"
#include "core/irq/desc.h"

namespace irqlab::irq {

struct DescOps {
    // chip_state.cpp: chip calls that keep the masked/disabled state.
    static void mask_irq(IrqDesc& desc) REQUIRES(desc.lock_);
    static void unmask_irq(IrqDesc& desc) REQUIRES(desc.lock_);
    static void mask_ack_irq(IrqDesc& desc) REQUIRES(desc.lock_);
    static void ack_irq(IrqDesc& desc) REQUIRES(desc.lock_);
    static void eoi_irq(IrqDesc& desc) REQUIRES(desc.lock_);
    static void irq_enable(IrqDesc& desc) REQUIRES(desc.lock_);
    // Lazy, as irq_disable() for chips without IRQCHIP_DISABLE_UNLAZY:
    // only marks the line; the flow handler masks it when the next
    // interrupt comes.
    static void irq_disable(IrqDesc& desc) REQUIRES(desc.lock_);
    // Returns true when a pending interrupt must be replayed now (after
    // the lock is dropped): see check_irq_resend().
    static bool irq_startup(IrqDesc& desc) REQUIRES(desc.lock_);
    static void irq_shutdown(IrqDesc& desc) REQUIRES(desc.lock_);
    // __enable_irq(): one level of disable undone; true as irq_startup().
    static bool enable_one_level(IrqDesc& desc) REQUIRES(desc.lock_);

    // resend.cpp
    static bool check_irq_resend(IrqDesc& desc) REQUIRES(desc.lock_);

    // flow.cpp: with interrupts off. True when the flow must run once more
    // at once (a replay it found pending).
    static bool handle_flow(IrqDesc& desc) EXCLUDES(desc.lock_);
    static bool handle_fasteoi_irq(IrqDesc& desc) EXCLUDES(desc.lock_);
    static void handle_edge_irq(IrqDesc& desc) EXCLUDES(desc.lock_);
    static void handle_level_irq(IrqDesc& desc) EXCLUDES(desc.lock_);

    // handle_event.cpp: drops the lock around the actions.
    static void handle_irq_event(IrqDesc& desc) REQUIRES(desc.lock_);

    // manage.cpp: synchronize_irq() without the context check. Spins until
    // no CPU runs the line's handlers, then confirms under the lock, as
    // Linux does, so that a flow that set in-progress just now is seen.
    static void wait_for_handlers(IrqDesc& desc) EXCLUDES(desc.lock_);

    // spurious.cpp
    static void note_interrupt(IrqDesc& desc, unsigned action_ret) REQUIRES(desc.lock_);
    // The deferred detection of threaded lines: the result to count for
    // 'action_ret', or ~0u when there is nothing to count yet.
    static unsigned deferred_spurious_verdict(IrqDesc& desc, unsigned action_ret)
        REQUIRES(desc.lock_);

    // flow.cpp: the oneshot-aware end of the level and fasteoi flows.
    static void cond_unmask_irq(IrqDesc& desc) REQUIRES(desc.lock_);
    static void cond_unmask_eoi_irq(IrqDesc& desc) REQUIRES(desc.lock_);

    // threaded.cpp: the action threads (manage.c, handle.c).
    // __irq_wake_thread(): called by the line's flow while it runs the
    // actions.
    static void irq_wake_thread(IrqDesc& desc, IrqAction& action) EXCLUDES(desc.lock_);
    // The thread function of a threaded action (irq_thread()); 'raw' is
    // the IrqAction.
    static int irq_thread(void* raw);
    // Unmasks a oneshot line once its last woken thread is done.
    static void irq_finalize_oneshot(IrqDesc& desc, IrqAction& action) EXCLUDES(desc.lock_);
    // May sleep: returns when no thread of the line is woken or running
    // (synchronize_irq()'s wait_for_threads).
    static void wait_for_threads(IrqDesc& desc) EXCLUDES(desc.lock_);
    // The thread's side, without the lock: counts a thread_fn result, and
    // lets the waiters go when the last active thread is done
    // (wake_threads_waitq()).
    static void count_thread_result(IrqDesc& desc, IrqAction& action, IrqReturn ret);
    static void wake_threads_waitq(IrqDesc& desc);
};

} // namespace irqlab::irq
