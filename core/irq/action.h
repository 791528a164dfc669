// One handler installed on a line (struct irqaction).
#pragma once

#include "core/irq/irqreturn.h"
#include "cxxrt/atomic.h"

#include <stdint.h>

namespace irqlab::irq {

// request_irq() flags, with the values the engine's API gives them (not
// Linux's IRQF_* bits).
inline constexpr unsigned irqf_shared = 1u << 0;
// Reserved for threaded handlers: accepted already, and, as in Linux, the
// actions of a shared line must agree on it.
inline constexpr unsigned irqf_oneshot = 1u << 1;
inline constexpr unsigned irqf_no_thread = 1u << 2;
inline constexpr unsigned irqf_valid = irqf_shared | irqf_oneshot | irqf_no_thread;

struct IrqAction {
    IrqAction(IrqHandler handler_fn, void* dev, const char* action_name, unsigned action_flags)
        : handler{handler_fn}, dev_id{dev}, name{action_name}, flags{action_flags} {}
    IrqAction(const IrqAction&) = delete;
    IrqAction& operator=(const IrqAction&) = delete;

    IrqHandler handler;
    void* dev_id;
    const char* name;
    unsigned flags;
    // Linked under the descriptor's lock; walked without it by the CPU
    // that runs the line's handlers, hence atomic.
    cxxrt::atomic<IrqAction*> next{nullptr};

    // How often the handler claimed the interrupt (handled or
    // wake_thread) or did not (none).
    cxxrt::atomic<uint64_t> handled{0};
    cxxrt::atomic<uint64_t> none{0};
    cxxrt::atomic<uint64_t> wake_thread_without_thread{0};
    // warn_no_thread() reports once per action (IRQTF_WARNED).
    cxxrt::atomic<bool> warned_no_thread{false};
};

} // namespace irqlab::irq
