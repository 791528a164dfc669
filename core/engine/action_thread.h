// The thread action: a threaded handler, whose primary claims each
// interrupt and wakes the line's irq thread (IRQ_WAKE_THREAD), and whose
// thread may hold each run; with IRQLAB_ENGINE_ONESHOT the line stays
// masked until the thread is done (IRQF_ONESHOT).
#pragma once

#include "core/engine/hold.h"
#include "core/engine/line_action.h"

namespace irqlab::engine {

class ThreadAction final : public LineAction {
public:
    ThreadAction(Engine&, irqlab_line* line, const irqlab_engine_attach_config& config);

    // The thread may hold; the request may be oneshot.
    static int validate(const irqlab_engine_attach_config& config);

    int install(AttachedLine& line) override;
    irq::IrqReturn handle() override;
    irq::IrqReturn handle_thread() override;

private:
    irqlab_line* line_;
    bool oneshot_;
    Hold hold_;
};

} // namespace irqlab::engine
