// What the IRQ layer reports about a line, copied out for the facade.
#pragma once

#include "core/irq/desc.h"
#include "irqlab/platform.h"

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
    // Threaded handling.
    bool oneshot;
    unsigned threads_active;
    unsigned long threads_oneshot;
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

// One threaded action's thread. At rest (no wake pending, thread idle),
// wakeups == runs + wake_merged.
struct IrqThreadStats {
    const char* action_name;
    void* dev_id;
    // "irqlab-irq/<virq>-<name>"; valid while the visitor runs.
    const char* thread_name;
    // The platform's thread, for the hosted tests (thread_is_fifo()).
    const irqlab_thread* platform_thread;
    bool fifo;
    bool oneshot;
    // irq_setup_forced_threading() made this action threaded.
    bool forced;
    unsigned long thread_mask;
    uint64_t wakeups;
    uint64_t wake_merged;
    uint64_t runs;
    uint64_t handled;
    uint64_t none;
};

// As IrqActionVisitor: under the descriptor lock, must not sleep.
using IrqThreadVisitor = void (*)(void* arg, const IrqThreadStats& thread);

} // namespace irqlab::irq
