// The chip of an attached MSI-X vector. MSI-X has no ack and no
// end-of-interrupt of its own (the host's vector domain did both before
// the native handler ran); what it has is a per-vector mask bit and a
// pending bit (the PBA): a message the device wants to send while the
// vector is masked is held, and sent when it is unmasked.
//
// The engine keeps both bits itself instead of masking the real vector:
// every native arrival still enters the engine, and one that finds its
// vector masked is latched (counted) instead of reaching the flow handler.
// Unmasking a vector with a latched message resends it, from a tasklet as
// Linux's software resend does, because unmask runs under the descriptor
// lock. So every arrival is accounted for in the engine, where masking the
// real vector would leave the kernel to merge them out of sight.
#pragma once

#include "core/irq/chip.h"
#include "core/irq/irq_core.h"
#include "core/softirq/tasklet.h"
#include "cxxrt/atomic.h"

#include <stdint.h>

namespace irqlab::engine {

// Out of line (msix_chip.cpp), so its vtable has one home.
class MsixChip final : public irq::IrqChip {
public:
    // Replays 'virq' through a full engine hardirq entry.
    using ResendFn = void (*)(void* arg, unsigned virq);

    explicit MsixChip(softirq::Tasklets& tasklets);
    MsixChip(const MsixChip&) = delete;
    MsixChip& operator=(const MsixChip&) = delete;

    // Before any vector is unmasked.
    void set_resend(ResendFn resend, void* arg);
    // May sleep. No resend may run or be due any more afterwards.
    void shutdown();

    const char* name() const override;
    void mask(irq::IrqData& data) override;
    void unmask(irq::IrqData& data) override;
    int set_affinity(irq::IrqData& data, unsigned cpu) override;
    void move_thread_to_affinity(irq::IrqData& data) override;

    // The engine's entry, before the flow handler: true when 'virq' is
    // masked, in which case its message is now latched.
    bool latch_if_masked(unsigned virq);
    // A new line at 'virq': unmasked, nothing latched, counts zero.
    void reset(unsigned virq);
    // A line going away: a resend still due is dropped.
    void forget(unsigned virq);

    uint64_t latched(unsigned virq) const;
    uint64_t resent(unsigned virq) const;
    // A resend of 'virq' is due or under way: its flow may still run.
    bool resend_in_flight(unsigned virq) const;

private:
    static constexpr unsigned masked_bit = 1u << 0;
    static constexpr unsigned pending_bit = 1u << 1;

    struct Vector {
        cxxrt::atomic<unsigned> state{0};
        cxxrt::atomic<bool> resend_due{false};
        cxxrt::atomic<uint64_t> latched{0};
        cxxrt::atomic<uint64_t> resent{0};
    };

    static void resend_pending(softirq::Tasklet* tasklet);
    Vector* vector(unsigned virq);
    const Vector* vector(unsigned virq) const;

    softirq::Tasklets& tasklets_;
    softirq::Tasklet resend_tasklet_;
    cxxrt::atomic<unsigned> resends_running_{0};
    ResendFn resend_ = nullptr;
    void* resend_arg_ = nullptr;
    Vector vectors_[irq::IrqCore::max_irqs];
};

} // namespace irqlab::engine
