// Descriptor set-up and per-CPU counts; see desc.h.
#include "core/irq/desc.h"

#include "core/base/cpu.h"

namespace irqlab::irq {

namespace {

// One lockdep class for every descriptor lock, as irq_desc_lock_class.
constinit const base::LockClass desc_lock_class{"irqlab_irq_desc"};

} // namespace

IrqDesc::~IrqDesc() {
    IrqData* level = data_.parent;
    while (level) {
        IrqData* next = level->parent;
        delete level;
        level = next;
    }
}

bool IrqDesc::init() {
    return lock_.init(desc_lock_class, cxxrt::may_sleep_ctx) && kstat_.init() &&
           threads_done_.init(cxxrt::may_sleep_ctx);
}

uint64_t IrqDesc::kstat(unsigned cpu) const {
    if (cpu >= base::nr_cpu_ids())
        return 0;
    return kstat_.on(cpu).count.load(cxxrt::memory_order::relaxed);
}

uint64_t IrqDesc::kstat_total() const {
    uint64_t total = 0;
    for (unsigned cpu = 0; cpu < base::nr_cpu_ids(); ++cpu)
        total += kstat(cpu);
    return total;
}

} // namespace irqlab::irq
