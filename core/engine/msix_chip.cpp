// The MSI-X chip; see msix_chip.h.
#include "core/engine/msix_chip.h"

#include "irqlab/platform.h"

namespace irqlab::engine {

MsixChip::MsixChip(softirq::Tasklets& tasklets) : tasklets_{tasklets} {
    softirq::tasklet_setup(resend_tasklet_, resend_pending);
    resend_tasklet_.data = this;
}

void MsixChip::set_resend(ResendFn resend, void* arg) {
    resend_ = resend;
    resend_arg_ = arg;
}

void MsixChip::shutdown() {
    tasklets_.kill(resend_tasklet_);
}

const char* MsixChip::name() const {
    return "irqlab-msix";
}

MsixChip::Vector* MsixChip::vector(unsigned virq) {
    return virq < irq::IrqCore::max_irqs ? &vectors_[virq] : nullptr;
}

const MsixChip::Vector* MsixChip::vector(unsigned virq) const {
    return virq < irq::IrqCore::max_irqs ? &vectors_[virq] : nullptr;
}

void MsixChip::mask(irq::IrqData& data) {
    if (Vector* v = vector(data.virq))
        v->state.fetch_or(masked_bit, cxxrt::memory_order::acq_rel);
}

void MsixChip::unmask(irq::IrqData& data) {
    Vector* v = vector(data.virq);
    if (!v)
        return;
    // Mask and pending go together: an arrival latches only while the
    // mask bit it saw is still set (see latch_if_masked()).
    if (!(v->state.exchange(0, cxxrt::memory_order::acq_rel) & pending_bit))
        return;
    v->resend_due.store(true, cxxrt::memory_order::release);
    tasklets_.schedule(resend_tasklet_);
}

bool MsixChip::latch_if_masked(unsigned virq) {
    Vector* v = vector(virq);
    if (!v)
        return false;
    unsigned state = v->state.load(cxxrt::memory_order::acquire);
    do {
        if (!(state & masked_bit))
            return false;
    } while (!v->state.compare_exchange_weak(
        state, state | pending_bit, cxxrt::memory_order::acq_rel, cxxrt::memory_order::acquire));
    v->latched.fetch_add(1, cxxrt::memory_order::relaxed);
    return true;
}

void MsixChip::resend_pending(softirq::Tasklet* tasklet) {
    auto* self = static_cast<MsixChip*>(tasklet->data);
    // Raised before a due flag is taken, dropped after its flow ran: a
    // flush sees a resend in flight at every step (resend_in_flight()).
    self->resends_running_.fetch_add(1, cxxrt::memory_order::acq_rel);
    for (unsigned virq = 0; virq < irq::IrqCore::max_irqs; ++virq) {
        Vector& v = self->vectors_[virq];
        if (!v.resend_due.exchange(false, cxxrt::memory_order::acq_rel))
            continue;
        v.resent.fetch_add(1, cxxrt::memory_order::relaxed);
        // Masked again since the unmask (a oneshot line's next thread):
        // the message waits in the pending bit once more.
        if (!self->latch_if_masked(virq))
            self->resend_(self->resend_arg_, virq);
    }
    self->resends_running_.fetch_sub(1, cxxrt::memory_order::acq_rel);
}

void MsixChip::reset(unsigned virq) {
    if (Vector* v = vector(virq)) {
        v->state.store(0, cxxrt::memory_order::relaxed);
        v->resend_due.store(false, cxxrt::memory_order::relaxed);
        v->latched.store(0, cxxrt::memory_order::relaxed);
        v->resent.store(0, cxxrt::memory_order::relaxed);
    }
}

void MsixChip::forget(unsigned virq) {
    if (Vector* v = vector(virq))
        v->resend_due.store(false, cxxrt::memory_order::release);
}

uint64_t MsixChip::latched(unsigned virq) const {
    const Vector* v = vector(virq);
    return v ? v->latched.load(cxxrt::memory_order::relaxed) : 0;
}

bool MsixChip::resend_in_flight(unsigned virq) const {
    const Vector* v = vector(virq);
    return (v && v->resend_due.load(cxxrt::memory_order::acquire)) ||
           resends_running_.load(cxxrt::memory_order::acquire) != 0;
}

uint64_t MsixChip::resent(unsigned virq) const {
    const Vector* v = vector(virq);
    return v ? v->resent.load(cxxrt::memory_order::relaxed) : 0;
}

int MsixChip::set_affinity(irq::IrqData& data, unsigned cpu) {
    return irqlab_plat_line_set_affinity(static_cast<irqlab_line*>(data.chip_data), cpu);
}

// The real vector's effective affinity is the line's, whoever changed it
// (the engine, the host's /proc/irq, a CPU going offline), so the thread
// follows that rather than a flag set by the engine's set_affinity.
void MsixChip::move_thread_to_affinity(irq::IrqData& data) {
    irqlab_plat_thread_follow_line(static_cast<irqlab_line*>(data.chip_data));
}

} // namespace irqlab::engine
