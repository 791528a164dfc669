// Interrupt chips and the per-level data they act on (struct irq_chip and
// struct irq_data of include/linux/irq.h).
#pragma once

#include "core/base/errno.h"

namespace irqlab::irq {

class IrqChip;
class IrqDomain;

// One level of a descriptor's hierarchy: the top level belongs to the
// domain the virq was allocated in, each 'parent' to the next domain down.
struct IrqData {
    unsigned virq = 0;
    unsigned long hwirq = 0;
    IrqChip* chip = nullptr;
    void* chip_data = nullptr;
    IrqDomain* domain = nullptr;
    IrqData* parent = nullptr;
};

// The engine calls the chip with the descriptor's lock held and interrupts
// off: operations must not sleep. An operation a chip lacks is a no-op, as
// a NULL callback is for the kernel's flow handlers.
class IrqChip {
public:
    constexpr IrqChip() = default;
    IrqChip(const IrqChip&) = delete;
    IrqChip& operator=(const IrqChip&) = delete;

    // The defaults live in chip.cpp, not inline: a chip class without a
    // key function has its vtable, and so every default it uses, emitted
    // in each object that constructs one, and the module must not carry
    // two copies of a function (scripts/check-cxx-objects.sh says why).
    virtual const char* name() const = 0;
    virtual void ack(IrqData&);
    virtual void mask(IrqData&);
    virtual void unmask(IrqData&);
    virtual void eoi(IrqData&);
    // 0 or -errno; the default, like a chip without irq_set_affinity.
    virtual int set_affinity(IrqData&, unsigned cpu);
    // Called by an irq thread of the line before each run, with interrupts
    // on and no lock held: moves the calling thread to the CPUs the
    // interrupt is delivered to (irq_thread_check_affinity()). The
    // default, a chip with no affinity of its own, leaves it where it is.
    virtual void move_thread_to_affinity(IrqData&);

protected:
    // Chips are owned by whoever registered them, never deleted through
    // this base: no virtual destructor, so no deleting destructor to link.
    ~IrqChip() = default;
};

} // namespace irqlab::irq
