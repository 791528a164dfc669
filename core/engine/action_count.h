// The actions that defer nothing: count claims every interrupt
// (IRQ_HANDLED), none claims none (IRQ_NONE, a device that did not raise
// the line, so that spurious detection sees every one). The line counts
// either answer.
#pragma once

#include "core/engine/line_action.h"

namespace irqlab::engine {

class CountAction final : public LineAction {
public:
    CountAction(Engine&, irqlab_line*, const irqlab_engine_attach_config&) {}

    irq::IrqReturn handle() override;
};

class NoneAction final : public LineAction {
public:
    NoneAction(Engine&, irqlab_line*, const irqlab_engine_attach_config&) {}

    irq::IrqReturn handle() override;
};

} // namespace irqlab::engine
