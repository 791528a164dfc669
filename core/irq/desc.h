// An interrupt descriptor (struct irq_desc): the line's levels of chip
// data, its flow, its actions and its state.
#pragma once

#include "core/base/completion.h"
#include "core/base/percpu.h"
#include "core/base/spinlock.h"
#include "core/base/thread_safety.h"
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
// IRQS_ONESHOT: the line's actions are irqf_oneshot; the flows keep it
// masked while a thread of the line is woken or running.
inline constexpr unsigned irqs_oneshot = 1u << 7;

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
    bool oneshot() const { return has(irqs_oneshot); }
    // Threads woken and not yet done (threads_active), and the thread_mask
    // bits of the oneshot threads among them (threads_oneshot).
    unsigned threads_active() const { return threads_active_.load(cxxrt::memory_order::relaxed); }
    unsigned long threads_oneshot() const {
        return threads_oneshot_.load(cxxrt::memory_order::relaxed);
    }
    // Thread runs that returned handled (threads_handled), the input of
    // the deferred spurious detection.
    unsigned threads_handled() const { return threads_handled_.load(cxxrt::memory_order::relaxed); }
    uint64_t wake_thread_without_thread() const {
        return wake_without_thread_.load(cxxrt::memory_order::relaxed);
    }
    uint64_t bogus_returns() const { return bogus_returns_.load(cxxrt::memory_order::relaxed); }
    // Arrivals the flow kept pending instead of running the handlers (line
    // disabled, without actions, or running elsewhere), and the pending
    // interrupts replayed. Each arrival or replay either runs the handlers
    // (kstat) or is kept pending, so arrivals + replays == kstat_total() +
    // pending_arrivals() on fasteoi and edge lines.
    uint64_t pending_arrivals() const {
        return pending_arrivals_.load(cxxrt::memory_order::relaxed);
    }
    uint64_t replays() const { return replays_.load(cxxrt::memory_order::relaxed); }
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
    // The word is atomic for the lock-free readers.
    void set(unsigned bits) REQUIRES(lock_) {
        istate_.fetch_or(bits, cxxrt::memory_order::release);
    }
    void clear(unsigned bits) REQUIRES(lock_) {
        istate_.fetch_and(~bits, cxxrt::memory_order::release);
    }
    void count_this_cpu() { kstat_.local().count.fetch_add(1, cxxrt::memory_order::relaxed); }
    void count_pending_arrival() { pending_arrivals_.fetch_add(1, cxxrt::memory_order::relaxed); }
    void count_replay() { replays_.fetch_add(1, cxxrt::memory_order::relaxed); }

    IrqData data_;
    FlowType flow_;
    const char* name_;
    // Of what lock_ guards, only the plain members say so (GUARDED_BY):
    // the atomic ones are also read without it, which GUARDED_BY forbids.
    base::SpinLock lock_;
    cxxrt::atomic<IrqAction*> action_{nullptr};
    // A new descriptor is shut down: disabled once, masked (as
    // desc_set_defaults() leaves it).
    cxxrt::atomic<unsigned> depth_{1};
    cxxrt::atomic<unsigned> istate_{irqs_disabled | irqs_masked};
    base::PerCpu<KstatCpu> kstat_;
    // note_interrupt()'s window.
    unsigned irq_count_ GUARDED_BY(lock_) = 0;
    unsigned irqs_unhandled_ GUARDED_BY(lock_) = 0;
    cxxrt::atomic<uint64_t> unhandled_total_{0};
    cxxrt::atomic<uint64_t> wake_without_thread_{0};
    cxxrt::atomic<uint64_t> bogus_returns_{0};
    cxxrt::atomic<uint64_t> unbalanced_enables_{0};
    cxxrt::atomic<uint64_t> pending_arrivals_{0};
    cxxrt::atomic<uint64_t> replays_{0};

    // Threaded handling (kernel/irq/manage.c). threads_oneshot_ changes
    // under lock_; the atomics are for the lock-free readers and for the
    // threads, which count threads_active_ down without the lock.
    cxxrt::atomic<unsigned long> threads_oneshot_{0};
    cxxrt::atomic<unsigned> threads_active_{0};
    cxxrt::atomic<unsigned> threads_handled_{0};
    // note_interrupt()'s deferred detection.
    unsigned threads_handled_last_ GUARDED_BY(lock_) = 0;
    // wait_for_threads: waiters announce themselves, so that a thread that
    // takes threads_active_ to zero completes once per waiter.
    cxxrt::atomic<unsigned> thread_waiters_{0};
    base::Completion threads_done_;
};

} // namespace irqlab::irq
