// The descriptor table and the hardirq entry; see irq_core.h.
#include "core/irq/irq_core.h"

#include "core/base/cpu.h"
#include "core/base/errno.h"
#include "core/irq/desc_ops.h"
#include "cxxrt/new.h"

namespace irqlab::irq {

namespace {

constinit const base::LockClass table_lock_class{"irqlab_irq_table"};

} // namespace

IrqCore::~IrqCore() {
    for (cxxrt::atomic<IrqDesc*>& slot : descs_) {
        IrqDesc* desc = slot.exchange(nullptr, cxxrt::memory_order::relaxed);
        if (!desc)
            continue;
        IrqAction* action = desc->action_.load(cxxrt::memory_order::relaxed);
        while (action) {
            IrqAction* next = action->next.load(cxxrt::memory_order::relaxed);
            delete action;
            action = next;
        }
        delete desc;
    }
}

bool IrqCore::init() {
    return table_lock_.init(table_lock_class, cxxrt::may_sleep_ctx) && entries_.init();
}

void IrqCore::set_resend_hook(ResendHook hook, void* arg) {
    resend_hook_ = hook;
    resend_arg_ = arg;
}

IrqDesc* IrqCore::lookup(unsigned virq) const {
    if (virq == 0 || virq >= max_irqs)
        return nullptr;
    return descs_[virq].load(cxxrt::memory_order::seq_cst);
}

IrqDesc* IrqCore::desc(unsigned virq) {
    return lookup(virq);
}

IrqDesc* IrqCore::allocate_desc(IrqDomain& domain, unsigned long hwirq, IrqChip& chip,
                                void* chip_data, FlowType flow, const char* name) {
    IrqDesc* desc = new (cxxrt::may_sleep_ctx) IrqDesc{flow, name};
    if (!desc)
        return nullptr;
    desc->data_ = {0, hwirq, &chip, chip_data, &domain, nullptr};
    // One level per ancestor with a chip, as irq_domain_alloc_irqs() gives
    // each domain of the hierarchy its irq_data. An ancestor without a
    // chip ends the hierarchy: it could only forward nothing.
    IrqData* child = &desc->data_;
    for (IrqDomain* parent = domain.parent(); parent && parent->chip(); parent = parent->parent()) {
        IrqData* level = new (cxxrt::may_sleep_ctx) IrqData{};
        if (!level) {
            delete desc;
            return nullptr;
        }
        *level = {0,
                  child->domain->parent_hwirq(child->hwirq),
                  parent->chip(),
                  parent->chip_data(),
                  parent,
                  nullptr};
        child->parent = level;
        child = level;
    }
    if (!desc->init()) {
        delete desc;
        return nullptr;
    }
    return desc;
}

int IrqCore::associate_levels(IrqDesc& desc) {
    for (IrqData* level = &desc.data_; level; level = level->parent) {
        const int ret = level->domain->associate(level->hwirq, level->virq);
        if (ret != 0) {
            for (IrqData* done = &desc.data_; done != level; done = done->parent)
                done->domain->disassociate(done->hwirq);
            return ret;
        }
    }
    return 0;
}

void IrqCore::disassociate_levels(IrqDesc& desc) {
    for (IrqData* level = &desc.data_; level; level = level->parent) {
        if (level->domain->find_mapping(level->hwirq) == level->virq)
            level->domain->disassociate(level->hwirq);
    }
}

int IrqCore::alloc_desc(IrqDomain& domain, unsigned long hwirq, IrqChip& chip, void* chip_data,
                        FlowType flow, const char* name) {
    if (hwirq >= domain.size())
        return -base::einval;
    if (flow != FlowType::fasteoi && flow != FlowType::edge && flow != FlowType::level)
        return -base::einval;
    IrqDesc* desc = allocate_desc(domain, hwirq, chip, chip_data, flow, name);
    if (!desc)
        return -base::enomem;
    // The slot is reserved under the table lock, the mappings made
    // outside it (a domain's first associate() allocates and may sleep),
    // and the descriptor published last: an entry that finds a mapping
    // early sees no descriptor (-einval), never a half-made one.
    unsigned virq = 0;
    {
        base::SpinGuard hold{table_lock_};
        for (unsigned candidate = 1; candidate < max_irqs && virq == 0; ++candidate) {
            if (!reserved_[candidate])
                virq = candidate;
        }
        if (virq != 0)
            reserved_[virq] = true;
    }
    if (virq == 0) {
        delete desc;
        return -base::enospc;
    }
    for (IrqData* level = &desc->data_; level; level = level->parent)
        level->virq = virq;
    const int ret = associate_levels(*desc);
    if (ret != 0) {
        delete desc;
        base::SpinGuard hold{table_lock_};
        reserved_[virq] = false;
        return ret;
    }
    descs_[virq].store(desc, cxxrt::memory_order::seq_cst);
    return static_cast<int>(virq);
}

int IrqCore::free_desc(unsigned virq) {
    if (!context_.might_sleep("irqlab free_desc"))
        return -base::eperm;
    IrqDesc* desc;
    {
        base::SpinGuard hold{table_lock_};
        desc = lookup(virq);
        if (!desc)
            return -base::einval;
        {
            base::SpinGuard hold_desc{desc->lock_};
            if (desc->action_.load(cxxrt::memory_order::relaxed))
                return -base::ebusy;
        }
        descs_[virq].store(nullptr, cxxrt::memory_order::seq_cst);
    }
    disassociate_levels(*desc);
    entries_.wait_for_entries();
    delete desc;
    // Only now may the number be reused: no entry still runs the old line.
    base::SpinGuard hold{table_lock_};
    reserved_[virq] = false;
    return 0;
}

void IrqCore::replay(unsigned virq) {
    // Counted where the replay is decided: the hook may run it later.
    if (IrqDesc* desc = lookup(virq))
        desc->count_replay();
    if (resend_hook_) {
        resend_hook_(resend_arg_, virq);
        return;
    }
    base::IrqSaveGuard irqs_off;
    engine::HardirqScope hardirq{context_};
    generic_handle_irq(virq);
}

void IrqCore::run_flow(IrqDesc& desc) {
    while (DescOps::handle_flow(desc))
        desc.count_replay();
}

int IrqCore::generic_handle_irq(unsigned virq) {
    const unsigned cpu = entries_.enter();
    IrqDesc* desc = lookup(virq);
    if (desc)
        run_flow(*desc);
    else
        no_mapping_.fetch_add(1, cxxrt::memory_order::relaxed);
    entries_.exit(cpu);
    return desc ? 0 : -base::einval;
}

int IrqCore::handle_domain_irq(IrqDomain& domain, unsigned long hwirq) {
    const unsigned virq = domain.find_mapping(hwirq);
    if (virq == 0) {
        no_mapping_.fetch_add(1, cxxrt::memory_order::relaxed);
        return -base::einval;
    }
    return generic_handle_irq(virq);
}

} // namespace irqlab::irq
