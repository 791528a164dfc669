// Installing and removing handlers, disabling and enabling lines
// (kernel/irq/manage.c).
#include "core/base/errno.h"
#include "core/irq/desc_ops.h"
#include "core/irq/irq_core.h"
#include "core/irq/log.h"
#include "cxxrt/new.h"

namespace irqlab::irq {

namespace {

// Whether 'flags' may join the actions of a line whose first action has
// 'old_flags' (__setup_irq()'s mismatch test).
bool can_share(unsigned old_flags, unsigned flags) {
    return (old_flags & flags & irqf_shared) && !((old_flags ^ flags) & irqf_oneshot);
}

} // namespace

void DescOps::wait_for_handlers(IrqDesc& desc) {
    for (;;) {
        while (desc.in_progress())
            irqlab_plat_cond_resched();
        base::SpinGuard hold{desc.lock_};
        if (!desc.in_progress())
            return;
    }
}

int IrqCore::request_irq(unsigned virq, IrqHandler handler, unsigned flags, const char* name,
                         void* dev_id) {
    // Linux's request_irq() is request_threaded_irq() without a thread,
    // which makes a null handler -einval there too.
    if (!handler)
        return -base::einval;
    return request_threaded_irq(virq, handler, nullptr, flags, name, dev_id);
}

void IrqCore::setup_forced_threading(IrqAction& action) const {
    if (!forced_threading_.load(cxxrt::memory_order::relaxed) ||
        (action.flags & (irqf_no_thread | irqf_oneshot)))
        return;
    // Requested threaded already, with the default primary.
    if (action.handler == irq_default_primary_handler)
        return;
    // Every forced action is ONESHOT, as in Linux: the actions of a shared
    // line must agree on it (link_action()).
    action.flags |= irqf_oneshot;
    // Linux also threads a real primary that has a thread_fn, moving the
    // thread_fn to a secondary action and thread; the engine leaves such
    // an action's handlers as they were requested.
    if (action.thread_fn)
        return;
    action.forced_thread = true;
    action.thread_fn = action.handler;
    action.handler = irq_default_primary_handler;
}

int IrqCore::setup_thread(IrqDesc& desc, IrqAction& action) {
    action.desc = &desc;
    action.bh_hooks = &bh_hooks_;
    if (!action.thread_fn)
        return 0;
    return action.thread.start(DescOps::irq_thread, &action, desc.virq(), action.name)
               ? 0
               : -base::enomem;
}

int IrqCore::link_action(IrqDesc& desc, IrqAction& action, bool& replay_now) {
    desc.lock_.assert_held();
    IrqAction* old = desc.action_.load(cxxrt::memory_order::relaxed);
    if (old && !can_share(old->flags, action.flags)) {
        log_irq(desc.virq(), "flags mismatch, line not shared");
        return -base::ebusy;
    }
    unsigned long used_masks = 0;
    for (IrqAction* a = old; a; a = a->next.load(cxxrt::memory_order::relaxed))
        used_masks |= a->thread_mask;
    if (action.flags & irqf_oneshot) {
        if (used_masks == ~0ul)
            return -base::ebusy;
        action.thread_mask = 1ul << __builtin_ctzl(~used_masks);
    } else if (action.handler == irq_default_primary_handler) {
        // The default primary only wakes the thread; without oneshot a
        // level line would come straight back while the device still
        // asserts it. Linux refuses it for every line type.
        log_irq(desc.virq(), "threaded irq requested with no primary handler and no oneshot");
        return -base::einval;
    }
    if (old) {
        IrqAction* tail = old;
        while (IrqAction* next = tail->next.load(cxxrt::memory_order::relaxed))
            tail = next;
        tail->next.store(&action, cxxrt::memory_order::release);
    } else {
        if (action.flags & irqf_oneshot)
            desc.set(irqs_oneshot);
        else
            desc.clear(irqs_oneshot);
        desc.action_.store(&action, cxxrt::memory_order::release);
    }
    // A new handler gets a fresh chance in spurious detection.
    desc.irq_count_ = 0;
    desc.irqs_unhandled_ = 0;
    if (!old) {
        desc.clear(irqs_spurious_disabled);
        replay_now = DescOps::irq_startup(desc);
    } else if (desc.has(irqs_spurious_disabled)) {
        desc.clear(irqs_spurious_disabled);
        replay_now = DescOps::enable_one_level(desc);
    }
    return 0;
}

int IrqCore::request_threaded_irq(unsigned virq, IrqHandler handler, IrqHandler thread_fn,
                                  unsigned flags, const char* name, void* dev_id) {
    if ((flags & ~irqf_valid) || ((flags & irqf_shared) && !dev_id))
        return -base::einval;
    if (!handler) {
        if (!thread_fn)
            return -base::einval;
        handler = irq_default_primary_handler;
    }
    IrqDesc* desc = lookup(virq);
    if (!desc)
        return -base::einval;
    if (!context_.might_sleep("irqlab request_irq"))
        return -base::eperm;
    IrqAction* action =
        new (cxxrt::may_sleep_ctx) IrqAction{handler, thread_fn, dev_id, name, flags};
    if (!action)
        return -base::enomem;
    setup_forced_threading(*action);
    // The thread is made before the line is touched (it may sleep), and
    // goes again if the action cannot be installed, as in __setup_irq().
    int ret = setup_thread(*desc, *action);
    bool replay_now = false;
    if (ret == 0) {
        base::SpinGuard hold{desc->lock_};
        ret = link_action(*desc, *action, replay_now);
    }
    if (ret != 0) {
        action->thread.stop();
        delete action;
        return ret;
    }
    if (replay_now)
        replay(virq);
    return 0;
}

int IrqCore::free_irq(unsigned virq, void* dev_id) {
    IrqDesc* desc = lookup(virq);
    if (!desc)
        return -base::einval;
    // Freeing from a handler would wait for itself forever (Linux simply
    // deadlocks); the engine reports and refuses.
    if (!context_.might_sleep("irqlab free_irq"))
        return -base::eperm;
    IrqAction* found = nullptr;
    {
        base::SpinGuard hold{desc->lock_};
        cxxrt::atomic<IrqAction*>* link = &desc->action_;
        for (IrqAction* action = link->load(cxxrt::memory_order::relaxed); action;
             action = link->load(cxxrt::memory_order::relaxed)) {
            if (action->dev_id == dev_id) {
                found = action;
                // A CPU in the chain may still be on 'action': its next
                // stays valid until the wait below.
                link->store(action->next.load(cxxrt::memory_order::relaxed),
                            cxxrt::memory_order::release);
                break;
            }
            link = &action->next;
        }
        if (found && !desc->action_.load(cxxrt::memory_order::relaxed))
            DescOps::irq_shutdown(*desc);
    }
    if (!found) {
        log_irq(virq, "trying to free already-free irq");
        return -base::enoent;
    }
    DescOps::wait_for_handlers(*desc);
    // No flow can wake the thread any more; a wake still pending runs
    // before the thread ends (irq_wait_for_interrupt()), so it also clears
    // its oneshot bit.
    found->thread.stop();
    delete found;
    return 0;
}

void IrqCore::disable_irq_nosync(unsigned virq) {
    IrqDesc* desc = lookup(virq);
    if (!desc)
        return;
    base::SpinGuard hold{desc->lock_};
    if (desc->depth_.fetch_add(1, cxxrt::memory_order::relaxed) == 0)
        DescOps::irq_disable(*desc);
}

void IrqCore::disable_irq(unsigned virq) {
    disable_irq_nosync(virq);
    synchronize_irq(virq);
}

void IrqCore::enable_irq(unsigned virq) {
    IrqDesc* desc = lookup(virq);
    if (!desc)
        return;
    bool replay_now = false;
    {
        base::SpinGuard hold{desc->lock_};
        if (desc->depth_.load(cxxrt::memory_order::relaxed) == 0) {
            // Linux WARNs; the engine logs and counts, the line unchanged.
            desc->unbalanced_enables_.fetch_add(1, cxxrt::memory_order::relaxed);
            unbalanced_enables_.fetch_add(1, cxxrt::memory_order::relaxed);
            log_irq(virq, "unbalanced enable");
        } else {
            replay_now = DescOps::enable_one_level(*desc);
        }
    }
    if (replay_now)
        replay(virq);
}

void IrqCore::synchronize_irq(unsigned virq) {
    IrqDesc* desc = lookup(virq);
    if (!desc || !context_.might_sleep("irqlab synchronize_irq"))
        return;
    DescOps::wait_for_handlers(*desc);
    // Then the threads: none woken or running.
    DescOps::wait_for_threads(*desc);
}

void IrqCore::set_forced_threading(bool forced) {
    forced_threading_.store(forced, cxxrt::memory_order::relaxed);
}

void IrqCore::set_bh_hooks(void (*disable)(void* arg), void (*enable)(void* arg), void* arg) {
    bh_hooks_ = BhHooks{disable, enable, arg};
}

} // namespace irqlab::irq
