// Hierarchical chips: a level that has nothing of its own to do passes the
// operation down to its parent level (irq_chip_*_parent in chip.c).
#pragma once

#include "core/base/errno.h"
#include "core/irq/chip.h"

namespace irqlab::irq {

// Unlike Linux, which would dereference a NULL parent_data, a level without
// a parent (or a parent without a chip) makes these no-ops.
inline void chip_ack_parent(IrqData& data) {
    if (data.parent && data.parent->chip)
        data.parent->chip->ack(*data.parent);
}
inline void chip_mask_parent(IrqData& data) {
    if (data.parent && data.parent->chip)
        data.parent->chip->mask(*data.parent);
}
inline void chip_unmask_parent(IrqData& data) {
    if (data.parent && data.parent->chip)
        data.parent->chip->unmask(*data.parent);
}
inline void chip_eoi_parent(IrqData& data) {
    if (data.parent && data.parent->chip)
        data.parent->chip->eoi(*data.parent);
}
inline int chip_set_affinity_parent(IrqData& data, unsigned cpu) {
    if (data.parent && data.parent->chip)
        return data.parent->chip->set_affinity(*data.parent, cpu);
    return -base::enosys;
}

// A chip whose every operation is the parent's; subclass it to override
// only what the level does itself.
class ParentForwardingChip : public IrqChip {
public:
    explicit constexpr ParentForwardingChip(const char* name) : name_{name} {}

    const char* name() const override { return name_; }
    void ack(IrqData& data) override { chip_ack_parent(data); }
    void mask(IrqData& data) override { chip_mask_parent(data); }
    void unmask(IrqData& data) override { chip_unmask_parent(data); }
    void eoi(IrqData& data) override { chip_eoi_parent(data); }
    int set_affinity(IrqData& data, unsigned cpu) override {
        return chip_set_affinity_parent(data, cpu);
    }

private:
    const char* name_;
};

} // namespace irqlab::irq
