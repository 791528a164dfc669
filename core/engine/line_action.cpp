// The defaults of a line action; see line_action.h. They live here, not
// inline: every action's vtable refers to them, and an inline function
// emitted in several objects would be patched twice in the module
// (scripts/check-cxx-objects.sh).
#include "core/engine/line_action.h"

#include "core/base/errno.h"
#include "core/engine/attached_line.h"

namespace irqlab::engine {

LineAction::~LineAction() = default;

int LineAction::validate(const irqlab_engine_attach_config& config) {
    return validate_options(config, {});
}

int LineAction::install(AttachedLine& line) {
    return line.request_main();
}

void LineAction::remove(AttachedLine& line) {
    line.free_handlers();
}

irq::IrqReturn LineAction::handle_thread() {
    return irq::IrqReturn::none;
}

int LineAction::flush() {
    return 0;
}

void LineAction::fill_stats(irqlab_engine_line_stats&) const {}

int validate_options(const irqlab_engine_attach_config& config, ActionOptions accepted) {
    // Holding is for deferred handlers that may take their time, and is
    // one of the kinds hold.h knows (a thread took any value before).
    if (config.hold != IRQLAB_ENGINE_HOLD_NONE && !accepted.hold)
        return -base::einval;
    if (config.hold > IRQLAB_ENGINE_HOLD_SPIN)
        return -base::einval;
    if ((config.flags & IRQLAB_ENGINE_ONESHOT) && !accepted.oneshot)
        return -base::einval;
    if ((config.flags & IRQLAB_ENGINE_MEM_RECLAIM) && !accepted.mem_reclaim)
        return -base::einval;
    return 0;
}

} // namespace irqlab::engine
