// An interrupt descriptor (struct irq_desc): the line's levels of chip
// data, its flow, its actions and its state.
#pragma once

#include "core/base/percpu.h"
#include "core/base/spinlock.h"
#include "core/irq/action.h"
#include "core/irq/chip.h"
#include "cxxrt/atomic.h"

#include <stdint.h>

namespace irqlab::irq {

enum class FlowType { fasteoi, edge, level };

// The descriptor's state word: Linux's desc->istate (IRQS_*) and the
// irq_data state bits (IRQD_IRQ_*) the flow handlers use, in one word.
inline constexpr unsigned irqs_pending = 1u << 0;
inline constexpr unsigned irqs_replay = 1u << 1;
inline constexpr unsigned irqs_inprogress = 1u << 2;
inline constexpr unsigned irqs_disabled = 1u << 3;
inline constexpr unsigned irqs_masked = 1u << 4;
inline constexpr unsigned irqs_spurious_disabled = 1u << 5;
inline constexpr unsigned irqs_started = 1u << 6;

class IrqDesc {
public:
    IrqDesc(FlowType flow, const char* name) : flow_{flow}, name_{name} {}
    // Frees the parent levels of irq_data(); the actions are the owner's.
    ~IrqDesc();
    IrqDesc(const IrqDesc&) = delete;
    IrqDesc& operator=(const IrqDesc&) = delete;

    // May sleep. False when the lock or the per-CPU counts could not be
    // allocated.
    [[nodiscard]] bool init();

    unsigned virq() const { return data_.virq; }
    unsigned long hwirq() const { return data_.hwirq; }
    const char* name() const { return name_; }
    FlowType flow() const { return flow_; }
    IrqData& irq_data() { return data_; }
    const IrqData& irq_data() const { return data_; }

    // Lock-free reads for statistics; each value may be stale at once.
    unsigned depth() const { return depth_.load(cxxrt::memory_order::relaxed); }
    bool pending() const { return has(irqs_pending); }
    bool in_progress() const { return has(irqs_inprogress); }
    bool disabled() const { return has(irqs_disabled); }
    bool masked() const { return has(irqs_masked); }
    bool spurious_disabled() const { return has(irqs_spurious_disabled); }
    bool started() const { return has(irqs_started); }
    bool has_action() const { return action_.load(cxxrt::memory_order::relaxed) != nullptr; }
    // Interrupts no action claimed, over the descriptor's life (Linux's
    // irqs_unhandled is only the current detection window).
    uint64_t unhandled() const { return unhandled_total_.load(cxxrt::memory_order::relaxed); }
    uint64_t kstat(unsigned cpu) const;
    uint64_t kstat_total() const;
    uint64_t wake_thread_without_thread() const {
        return wake_without_thread_.load(cxxrt::memory_order::relaxed);
    }
    uint64_t bogus_returns() const { return bogus_returns_.load(cxxrt::memory_order::relaxed); }
    uint64_t unbalanced_enables() const {
        return unbalanced_enables_.load(cxxrt::memory_order::relaxed);
    }

private:
    friend class IrqCore;
    friend struct DescOps;

    struct alignas(64) KstatCpu {
        cxxrt::atomic<uint64_t> count;
    };

    bool has(unsigned bits) const {
        return (istate_.load(cxxrt::memory_order::acquire) & bits) != 0;
    }
    // Writers hold lock_; the word is atomic for the lock-free readers.
    void set(unsigned bits) { istate_.fetch_or(bits, cxxrt::memory_order::release); }
    void clear(unsigned bits) { istate_.fetch_and(~bits, cxxrt::memory_order::release); }
    void count_this_cpu() { kstat_.local().count.fetch_add(1, cxxrt::memory_order::relaxed); }

    IrqData data_;
    FlowType flow_;
    const char* name_;
    base::SpinLock lock_;
    cxxrt::atomic<IrqAction*> action_{nullptr};
    // A new descriptor is shut down: disabled once, masked (as
    // desc_set_defaults() leaves it).
    cxxrt::atomic<unsigned> depth_{1};
    cxxrt::atomic<unsigned> istate_{irqs_disabled | irqs_masked};
    base::PerCpu<KstatCpu> kstat_;
    // note_interrupt()'s window, under lock_.
    unsigned irq_count_ = 0;
    unsigned irqs_unhandled_ = 0;
    cxxrt::atomic<uint64_t> unhandled_total_{0};
    cxxrt::atomic<uint64_t> wake_without_thread_{0};
    cxxrt::atomic<uint64_t> bogus_returns_{0};
    cxxrt::atomic<uint64_t> unbalanced_enables_{0};
};

} // namespace irqlab::irq
