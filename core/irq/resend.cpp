// Replaying an interrupt that came while the line could not run it
// (kernel/irq/resend.c).
//
// Linux retriggers in hardware or, failing that, lets a tasklet call the
// flow handler. The engine has no hardware to retrigger and no tasklet of
// its own in this layer: the caller of check_irq_resend() replays by
// running the flow handler once the descriptor lock is dropped (see
// IrqCore::replay()), which the facade may route through its own entry.
// The engine has no trigger type apart from the flow: fasteoi and edge
// lines count as edge-triggered (replayed), level lines as level.
#include "core/irq/desc_ops.h"

namespace irqlab::irq {

bool DescOps::check_irq_resend(IrqDesc& desc) {
    desc.lock_.assert_held();
    // A level line stays asserted while its device wants service, so
    // unmasking suffices; the engine's level sources must re-raise the
    // line themselves, as hardware would keep it raised.
    if (desc.flow_ == FlowType::level) {
        desc.clear(irqs_pending);
        return false;
    }
    if (desc.has(irqs_replay) || !desc.has(irqs_pending))
        return false;
    desc.clear(irqs_pending);
    desc.set(irqs_replay);
    return true;
}

} // namespace irqlab::irq
