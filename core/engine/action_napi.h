// The napi action: each interrupt brings events, disables the line and
// schedules the line's NAPI poll, which enables it again once the events
// are consumed (line_poll.h).
#pragma once

#include "core/engine/line_action.h"
#include "core/engine/line_poll.h"

namespace irqlab::engine {

class NapiAction final : public LineAction {
public:
    NapiAction(Engine& engine, irqlab_line* line, const irqlab_engine_attach_config& config);

    // The poll exists before an interrupt can schedule it.
    int install(AttachedLine& line) override;
    // The poll goes first: schedules are refused from then on, and the
    // poll no longer enables a line that free_irq() shuts down.
    void remove(AttachedLine& line) override;
    irq::IrqReturn handle() override;
    int flush() override;
    void fill_stats(irqlab_engine_line_stats& stats) const override;

private:
    LinePoll poll_;
};

} // namespace irqlab::engine
