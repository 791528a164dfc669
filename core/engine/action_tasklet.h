// The tasklet actions: each interrupt schedules the line's tasklet
// (tasklet_schedule, or tasklet_hi_schedule for the HI softirq), which is
// not cumulative: scheduling a tasklet still pending is counted as
// coalesced, not run twice.
#pragma once

#include "core/engine/line_action.h"
#include "core/softirq/tasklet.h"
#include "cxxrt/atomic.h"

#include <stdint.h>

namespace irqlab::engine {

class TaskletAction : public LineAction {
public:
    TaskletAction(Engine& engine, irqlab_line* line, const irqlab_engine_attach_config&);

    // Frees the handlers, then kills the tasklet: nothing schedules it
    // again.
    void remove(AttachedLine& line) override;
    irq::IrqReturn handle() override;
    void fill_stats(irqlab_engine_line_stats& stats) const override;

protected:
    softirq::Tasklets& tasklets_;
    softirq::Tasklet tasklet_;

private:
    static void run(softirq::Tasklet* tasklet);

    cxxrt::atomic<uint64_t> runs_{0};
};

class TaskletHiAction final : public TaskletAction {
public:
    using TaskletAction::TaskletAction;

    irq::IrqReturn handle() override;
};

} // namespace irqlab::engine
