// The work action; see action_work.h.
#include "core/engine/action_work.h"

#include "core/base/errno.h"
#include "core/engine/attached_line.h"
#include "core/engine/engine.h"

namespace irqlab::engine {

WorkAction::WorkAction(Engine& engine, irqlab_line* line, const irqlab_engine_attach_config& config)
    : work_{engine.workqueues(), line, config} {}

int WorkAction::validate(const irqlab_engine_attach_config& config) {
    if (!LineWork::valid(config))
        return -base::einval;
    return validate_options(config, {.hold = true, .mem_reclaim = true});
}

int WorkAction::install(AttachedLine& line) {
    if (const int ret = work_.create(line.name()))
        return ret;
    return line.request_main();
}

void WorkAction::remove(AttachedLine& line) {
    line.free_handlers();
    work_.destroy();
}

irq::IrqReturn WorkAction::handle() {
    work_.queue();
    return irq::IrqReturn::handled;
}

int WorkAction::flush() {
    work_.flush();
    return 0;
}

void WorkAction::fill_stats(irqlab_engine_line_stats& stats) const {
    work_.fill_stats(stats);
}

} // namespace irqlab::engine
