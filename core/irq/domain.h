// A hwirq -> virq translation for one interrupt controller (struct
// irq_domain with a linear reverse map, kernel/irq/irqdomain.c).
#pragma once

#include "cxxrt/atomic.h"

namespace irqlab::irq {

class IrqChip;

class IrqDomain {
public:
    // 'chip' and 'chip_data' describe this domain's level when it is the
    // parent of another domain: a virq allocated in a child gets a level
    // here, with the child's hwirq translated by adding
    // 'parent_hwirq_base' of the child.
    constexpr IrqDomain(const char* name, unsigned long size, IrqDomain* parent = nullptr,
                        IrqChip* chip = nullptr, void* chip_data = nullptr,
                        unsigned long parent_hwirq_base = 0)
        : name_{name}, size_{size}, parent_{parent}, chip_{chip}, chip_data_{chip_data},
          parent_hwirq_base_{parent_hwirq_base} {}
    // Every mapping must be gone: no CPU may be in find_mapping() any more.
    ~IrqDomain();
    IrqDomain(const IrqDomain&) = delete;
    IrqDomain& operator=(const IrqDomain&) = delete;

    // May sleep. Allocates the reverse map ahead of the first associate();
    // optional. False when the allocation failed.
    [[nodiscard]] bool init();

    // May sleep (the first call allocates the reverse map). 0, -einval for
    // a hwirq beyond size() or virq 0, -eexist when hwirq is mapped
    // already, -enomem.
    int associate(unsigned long hwirq, unsigned virq);
    void disassociate(unsigned long hwirq);
    // The virq of 'hwirq', 0 for none (irq_find_mapping). Lock-free: safe
    // from engine hardirq context while another CPU (dis)associates.
    unsigned find_mapping(unsigned long hwirq) const;

    const char* name() const { return name_; }
    unsigned long size() const { return size_; }
    IrqDomain* parent() const { return parent_; }
    IrqChip* chip() const { return chip_; }
    void* chip_data() const { return chip_data_; }
    // The hwirq in the parent domain of this domain's 'hwirq'.
    unsigned long parent_hwirq(unsigned long hwirq) const { return parent_hwirq_base_ + hwirq; }

private:
    using Slot = cxxrt::atomic<unsigned>;

    Slot* revmap(bool allocate);

    const char* name_;
    unsigned long size_;
    IrqDomain* parent_;
    IrqChip* chip_;
    void* chip_data_;
    unsigned long parent_hwirq_base_;
    cxxrt::atomic<Slot*> revmap_{nullptr};
};

} // namespace irqlab::irq
