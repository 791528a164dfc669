// The tasklet actions; see action_tasklet.h.
#include "core/engine/action_tasklet.h"

#include "core/engine/attached_line.h"
#include "core/engine/engine.h"
#include "core/engine/line_trace.h"

namespace irqlab::engine {

TaskletAction::TaskletAction(Engine& engine, irqlab_line* line, const irqlab_engine_attach_config&)
    : tasklets_{engine.tasklets()} {
    softirq::tasklet_setup(tasklet_, run);
    tasklet_.data = this;
    tasklet_.trace_line = line;
}

void TaskletAction::remove(AttachedLine& line) {
    line.free_handlers();
    tasklets_.kill(tasklet_);
}

irq::IrqReturn TaskletAction::handle() {
    tasklets_.schedule(tasklet_);
    return irq::IrqReturn::handled;
}

irq::IrqReturn TaskletHiAction::handle() {
    tasklets_.hi_schedule(tasklet_);
    return irq::IrqReturn::handled;
}

void TaskletAction::run(softirq::Tasklet* tasklet) {
    auto* self = static_cast<TaskletAction*>(tasklet->data);
    const BottomHalfRun run{tasklet->trace_line};
    self->runs_.fetch_add(1, cxxrt::memory_order::relaxed);
}

void TaskletAction::fill_stats(irqlab_engine_line_stats& stats) const {
    stats.tasklet_scheduled = tasklet_.scheduled();
    stats.tasklet_coalesced = tasklet_.coalesced();
    stats.tasklet_runs = runs_.load(cxxrt::memory_order::relaxed);
    stats.tasklet_state = tasklet_.state_bits();
}

} // namespace irqlab::engine
