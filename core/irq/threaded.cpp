// Threaded handlers: waking an action's thread from the primary handler,
// the thread's loop, and the oneshot unmask at its end (irq_thread(),
// __irq_wake_thread(), irq_finalize_oneshot() of kernel/irq/manage.c and
// handle.c).
#include "core/base/cpu.h"
#include "core/base/thread.h"
#include "core/base/trace.h"
#include "core/irq/desc_ops.h"

namespace irqlab::irq {

namespace {

// How long a waiter sleeps before it looks at threads_active again even
// without a completion: a safety net only (a completion meant for one
// waiter may be taken by another).
constexpr uint64_t thread_wait_recheck_ns = 10'000'000;

// irq_wait_for_interrupt(): true with the wake taken, false when told to
// stop. A wake still pending at the stop runs first, as in Linux: a
// free_irq() racing with an interrupt does not lose its thread run.
bool wait_for_interrupt(IrqAction& action) {
    for (;;) {
        base::Thread::sleep_until(
            [&action] { return action.runthread.load(cxxrt::memory_order::acquire); });
        if (action.runthread.exchange(false, cxxrt::memory_order::acq_rel))
            return true;
        if (base::Thread::should_stop())
            return false;
    }
}

// irq_thread_fn()
void trace_thread(irqlab_engine_event_kind kind, const IrqDesc& desc, const IrqAction& action) {
    base::trace::emit(kind, [&](irqlab_engine_event& ev) {
        ev.irq = desc.virq();
        ev.name = action.name;
        ev.object = action.dev_id;
        ev.line = static_cast<irqlab_line*>(desc.irq_data().chip_data);
    });
}

IrqReturn call_thread_fn(IrqDesc& desc, IrqAction& action) {
    trace_thread(IRQLAB_EV_THREAD_START, desc, action);
    const IrqReturn ret = action.thread_fn(desc.virq(), action.dev_id);
    trace_thread(IRQLAB_EV_THREAD_END, desc, action);
    return ret;
}

void run_thread_fn(IrqDesc& desc, IrqAction& action) {
    DescOps::count_thread_result(desc, action, call_thread_fn(desc, action));
    DescOps::irq_finalize_oneshot(desc, action);
}

// irq_forced_thread_fn(): the handler was written for hardirq context, so
// it gets what that context guaranteed it: bottom halves off and, as
// Linux without PREEMPT_RT, interrupts off.
void run_forced_thread_fn(IrqDesc& desc, IrqAction& action) {
    const BhHooks* bh = action.bh_hooks;
    if (bh && bh->disable)
        bh->disable(bh->arg);
    {
        base::IrqSaveGuard irqs_off;
        DescOps::count_thread_result(desc, action, call_thread_fn(desc, action));
        DescOps::irq_finalize_oneshot(desc, action);
    }
    // After interrupts are back on: local_bh_enable() may run softirqs.
    if (bh && bh->enable)
        bh->enable(bh->arg);
}

} // namespace

void DescOps::count_thread_result(IrqDesc& desc, IrqAction& action, IrqReturn ret) {
    action.thread_runs.fetch_add(1, cxxrt::memory_order::relaxed);
    if (ret == IrqReturn::handled) {
        action.thread_handled.fetch_add(1, cxxrt::memory_order::relaxed);
        // Read by note_interrupt() at the next interrupt of the line.
        desc.threads_handled_.fetch_add(1, cxxrt::memory_order::relaxed);
    } else if (ret == IrqReturn::none) {
        action.thread_none.fetch_add(1, cxxrt::memory_order::relaxed);
    }
}

void DescOps::wake_threads_waitq(IrqDesc& desc) {
    if (desc.threads_active_.fetch_sub(1, cxxrt::memory_order::seq_cst) != 1)
        return;
    for (unsigned waiters = desc.thread_waiters_.load(cxxrt::memory_order::seq_cst); waiters > 0;
         --waiters)
        desc.threads_done_.complete();
}

IrqReturn irq_default_primary_handler(unsigned, void*) {
    return IrqReturn::wake_thread;
}

void DescOps::irq_wake_thread(IrqDesc& desc, IrqAction& action) {
    action.wakeups.fetch_add(1, cxxrt::memory_order::relaxed);
    trace_thread(IRQLAB_EV_THREAD_WAKE, desc, action);
    // Linux ors threads_oneshot without the lock (the in-progress bit keeps
    // irq_finalize_oneshot() out); the engine takes the lock, which also
    // makes "still pending" and the run flag one decision against the
    // thread's finalize.
    base::SpinGuard hold{desc.lock_};
    if (action.runthread.load(cxxrt::memory_order::relaxed)) {
        action.wake_merged.fetch_add(1, cxxrt::memory_order::relaxed);
        return;
    }
    desc.threads_oneshot_.store(desc.threads_oneshot_.load(cxxrt::memory_order::relaxed) |
                                    action.thread_mask,
                                cxxrt::memory_order::relaxed);
    // Counted before the thread can see the flag, so that its decrement
    // always follows this increment.
    desc.threads_active_.fetch_add(1, cxxrt::memory_order::seq_cst);
    action.runthread.store(true, cxxrt::memory_order::release);
    action.thread.wake();
}

int DescOps::irq_thread(void* raw) {
    IrqAction& action = *static_cast<IrqAction*>(raw);
    IrqDesc& desc = *action.desc;
    while (wait_for_interrupt(action)) {
        // irq_thread_check_affinity(): where the interrupt goes, the thread
        // goes, before it runs.
        if (IrqChip* chip = desc.irq_data().chip)
            chip->move_thread_to_affinity(desc.irq_data());
        if (action.forced_thread)
            run_forced_thread_fn(desc, action);
        else
            run_thread_fn(desc, action);
        wake_threads_waitq(desc);
    }
    return 0;
}

void DescOps::irq_finalize_oneshot(IrqDesc& desc, IrqAction& action) {
    if (!desc.has(irqs_oneshot))
        return;
    base::SpinGuard hold{desc.lock_};
    // A flow still running on another CPU would find the line unmasked
    // and leave it masked by its own oneshot mask for good: wait for it
    // to finish (Linux spins the same way).
    while (desc.has(irqs_inprogress)) {
        base::SpinUnlocked waiting{desc.lock_};
        if (!base::irqs_disabled())
            irqlab_plat_cond_resched();
    }
    // Woken again meanwhile: the bit stays for the run to come.
    if (action.runthread.load(cxxrt::memory_order::relaxed))
        return;
    const unsigned long oneshot =
        desc.threads_oneshot_.load(cxxrt::memory_order::relaxed) & ~action.thread_mask;
    desc.threads_oneshot_.store(oneshot, cxxrt::memory_order::relaxed);
    // unmask_threaded_irq(); the engine's chips have no
    // IRQCHIP_EOI_THREADED, so no eoi here.
    if (oneshot == 0 && !desc.has(irqs_disabled) && desc.has(irqs_masked))
        unmask_irq(desc);
}

void DescOps::wait_for_threads(IrqDesc& desc) {
    if (desc.threads_active_.load(cxxrt::memory_order::seq_cst) == 0)
        return;
    // Announced before the re-check, paired with thread_done(): either the
    // last thread sees this waiter, or this waiter sees zero.
    desc.thread_waiters_.fetch_add(1, cxxrt::memory_order::seq_cst);
    while (desc.threads_active_.load(cxxrt::memory_order::seq_cst) != 0)
        desc.threads_done_.wait(thread_wait_recheck_ns);
    desc.thread_waiters_.fetch_sub(1, cxxrt::memory_order::seq_cst);
}

} // namespace irqlab::irq
