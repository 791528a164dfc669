// One handler installed on a line (struct irqaction).
#pragma once

#include "core/irq/irq_thread.h"
#include "core/irq/irqreturn.h"
#include "cxxrt/atomic.h"

#include <stdint.h>

namespace irqlab::irq {

class IrqDesc;
struct BhHooks;

// request_irq() flags, with the values the engine's API gives them (not
// Linux's IRQF_* bits).
inline constexpr unsigned irqf_shared = 1u << 0;
// Keeps the line masked from the primary handler until the action's thread
// is done; the actions of a shared line must agree on it, as in Linux.
inline constexpr unsigned irqf_oneshot = 1u << 1;
// Exempts the action from forced threading.
inline constexpr unsigned irqf_no_thread = 1u << 2;
inline constexpr unsigned irqf_valid = irqf_shared | irqf_oneshot | irqf_no_thread;

// The primary handler of an action requested without one (Linux's
// irq_default_primary_handler): only wakes the thread.
IrqReturn irq_default_primary_handler(unsigned virq, void* dev_id);

struct IrqAction {
    IrqAction(IrqHandler handler_fn, IrqHandler thread_function, void* dev, const char* action_name,
              unsigned action_flags)
        : handler{handler_fn}, thread_fn{thread_function}, dev_id{dev}, name{action_name},
          flags{action_flags} {}
    IrqAction(const IrqAction&) = delete;
    IrqAction& operator=(const IrqAction&) = delete;

    IrqHandler handler;
    // Null for an action without a thread.
    IrqHandler thread_fn;
    void* dev_id;
    const char* name;
    unsigned flags;
    // Linked under the descriptor's lock; walked without it by the CPU
    // that runs the line's handlers (as Linux walks desc->action under
    // RCU), hence an atomic link and not a base::List, whose plain
    // pointers a lock-free reader could see half-changed.
    cxxrt::atomic<IrqAction*> next{nullptr};

    // How often the handler claimed the interrupt (handled or
    // wake_thread) or did not (none).
    cxxrt::atomic<uint64_t> handled{0};
    cxxrt::atomic<uint64_t> none{0};
    cxxrt::atomic<uint64_t> wake_thread_without_thread{0};
    // warn_no_thread() reports once per action (IRQTF_WARNED).
    cxxrt::atomic<bool> warned_no_thread{false};

    // --- Threaded handling (set up by request_threaded_irq before the
    // action is linked, constant afterwards) ---
    IrqDesc* desc = nullptr;
    // The bit of desc->threads_oneshot this action's thread holds while it
    // is woken or running (irqf_oneshot actions only).
    unsigned long thread_mask = 0;
    // irq_setup_forced_threading() moved the handler to the thread
    // (IRQTF_FORCED_THREAD): it runs with bottom halves and interrupts off.
    bool forced_thread = false;
    const BhHooks* bh_hooks = nullptr;
    IrqThread thread;
    // IRQTF_RUNTHREAD: a wake the thread has not taken yet.
    cxxrt::atomic<bool> runthread{false};
    // Wakes asked by the primary handler; those that found a wake still
    // pending merged into it. At rest, wakeups == thread_runs + wake_merged.
    cxxrt::atomic<uint64_t> wakeups{0};
    cxxrt::atomic<uint64_t> wake_merged{0};
    cxxrt::atomic<uint64_t> thread_runs{0};
    cxxrt::atomic<uint64_t> thread_handled{0};
    cxxrt::atomic<uint64_t> thread_none{0};
};

// Forced threading's bottom-half switch (the engine's Softirqs
// local_bh_disable/enable).
struct BhHooks {
    void (*disable)(void* arg) = nullptr;
    void (*enable)(void* arg) = nullptr;
    void* arg = nullptr;
};

} // namespace irqlab::irq
