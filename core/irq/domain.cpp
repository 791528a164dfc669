// The hwirq -> virq reverse map; see domain.h.
#include "core/irq/domain.h"

#include "core/base/errno.h"
#include "cxxrt/new.h"

namespace irqlab::irq {

IrqDomain::~IrqDomain() {
    delete[] revmap_.load(cxxrt::memory_order::relaxed);
}

bool IrqDomain::init() {
    return revmap(true) != nullptr;
}

IrqDomain::Slot* IrqDomain::revmap(bool allocate) {
    Slot* map = revmap_.load(cxxrt::memory_order::acquire);
    if (map || !allocate || size_ == 0)
        return map;
    Slot* fresh = new (cxxrt::may_sleep_ctx) Slot[size_];
    if (!fresh)
        return nullptr;
    // Two first associate() calls may race; the loser's map goes.
    if (!revmap_.compare_exchange_strong(map, fresh, cxxrt::memory_order::acq_rel,
                                         cxxrt::memory_order::acquire)) {
        delete[] fresh;
        return map;
    }
    return fresh;
}

int IrqDomain::associate(unsigned long hwirq, unsigned virq) {
    if (hwirq >= size_ || virq == 0)
        return -base::einval;
    Slot* map = revmap(true);
    if (!map)
        return -base::enomem;
    // Linux leaves a double mapping of one hwirq to its callers (it only
    // refuses a virq that is associated already); the engine refuses it
    // here, where the slot is claimed atomically.
    unsigned expected = 0;
    if (!map[hwirq].compare_exchange_strong(expected, virq, cxxrt::memory_order::release,
                                            cxxrt::memory_order::relaxed))
        return -base::eexist;
    return 0;
}

void IrqDomain::disassociate(unsigned long hwirq) {
    Slot* map = revmap(false);
    if (map && hwirq < size_)
        map[hwirq].store(0, cxxrt::memory_order::release);
}

unsigned IrqDomain::find_mapping(unsigned long hwirq) const {
    const Slot* map = revmap_.load(cxxrt::memory_order::acquire);
    if (!map || hwirq >= size_)
        return 0;
    return map[hwirq].load(cxxrt::memory_order::acquire);
}

} // namespace irqlab::irq
