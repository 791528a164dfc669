// What the IRQ layer reports about a line, copied out for the facade.
#pragma once

#include "core/irq/desc.h"

#include <stdint.h>

namespace irqlab::irq {

struct IrqStatsSnapshot {
    unsigned virq;
    unsigned long hwirq;
    const char* name;
    const char* chip_name;
    FlowType flow;
    unsigned depth;
    bool disabled;
    bool masked;
    bool pending;
    bool spurious_disabled;
    unsigned actions;
    // The sum of the per-CPU counts (IrqCore::kstat() per CPU).
    uint64_t count;
    uint64_t unhandled;
    uint64_t wake_thread_without_thread;
    uint64_t bogus_returns;
    uint64_t unbalanced_enables;
};

struct IrqActionStats {
    const char* name;
    void* dev_id;
    unsigned flags;
    uint64_t handled;
    uint64_t none;
    uint64_t wake_thread_without_thread;
};

// Called under the descriptor lock with interrupts off: must not sleep.
using IrqActionVisitor = void (*)(void* arg, const IrqActionStats& action);

} // namespace irqlab::irq
