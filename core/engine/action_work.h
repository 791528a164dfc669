// The work action: each interrupt queues the line's work item on a
// workqueue of its own (line_work.h).
#pragma once

#include "core/engine/line_action.h"
#include "core/engine/line_work.h"

namespace irqlab::engine {

class WorkAction final : public LineAction {
public:
    WorkAction(Engine& engine, irqlab_line* line, const irqlab_engine_attach_config& config);

    // A work kind LineWork knows; the item may hold, and its workqueue
    // may be WQ_MEM_RECLAIM.
    static int validate(const irqlab_engine_attach_config& config);

    // The workqueue exists before an interrupt can queue to it.
    int install(AttachedLine& line) override;
    // Frees the handlers, then destroys the workqueue, which drains it.
    void remove(AttachedLine& line) override;
    irq::IrqReturn handle() override;
    int flush() override;
    void fill_stats(irqlab_engine_line_stats& stats) const override;

private:
    LineWork work_;
};

} // namespace irqlab::engine
