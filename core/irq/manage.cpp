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
    if ((flags & ~irqf_valid) || !handler || ((flags & irqf_shared) && !dev_id))
        return -base::einval;
    IrqDesc* desc = lookup(virq);
    if (!desc)
        return -base::einval;
    if (!context_.might_sleep("irqlab request_irq"))
        return -base::eperm;
    IrqAction* action = new (cxxrt::may_sleep_ctx) IrqAction{handler, dev_id, name, flags};
    if (!action)
        return -base::enomem;

    bool replay_now = false;
    {
        base::SpinGuard hold{desc->lock_};
        IrqAction* old = desc->action_.load(cxxrt::memory_order::relaxed);
        if (old && !can_share(old->flags, flags)) {
            log_irq(virq, "flags mismatch, line not shared");
            delete action;
            return -base::ebusy;
        }
        if (old) {
            IrqAction* tail = old;
            while (IrqAction* next = tail->next.load(cxxrt::memory_order::relaxed))
                tail = next;
            tail->next.store(action, cxxrt::memory_order::release);
        } else {
            desc->action_.store(action, cxxrt::memory_order::release);
        }
        // A new handler gets a fresh chance in spurious detection.
        desc->irq_count_ = 0;
        desc->irqs_unhandled_ = 0;
        if (!old) {
            desc->clear(irqs_spurious_disabled);
            replay_now = DescOps::irq_startup(*desc);
        } else if (desc->has(irqs_spurious_disabled)) {
            desc->clear(irqs_spurious_disabled);
            replay_now = DescOps::enable_one_level(*desc);
        }
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
}

} // namespace irqlab::irq
