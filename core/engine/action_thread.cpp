// The thread action; see action_thread.h.
#include "core/engine/action_thread.h"

#include "core/base/thread.h"
#include "core/engine/attached_line.h"
#include "core/engine/line_trace.h"
#include "core/irq/action.h"

namespace irqlab::engine {

ThreadAction::ThreadAction(Engine&, irqlab_line* line, const irqlab_engine_attach_config& config)
    : line_{line}, oneshot_{(config.flags & IRQLAB_ENGINE_ONESHOT) != 0}, hold_{hold_of(config)} {}

int ThreadAction::validate(const irqlab_engine_attach_config& config) {
    return validate_options(config, {.hold = true, .oneshot = true});
}

int ThreadAction::install(AttachedLine& line) {
    return line.request_main_threaded(oneshot_ ? irq::irqf_oneshot : 0);
}

irq::IrqReturn ThreadAction::handle() {
    return irq::IrqReturn::wake_thread;
}

irq::IrqReturn ThreadAction::handle_thread() {
    const BottomHalfRun run{line_};
    if (hold_.sleeps())
        base::Thread::sleep_ns(hold_.ns);
    else if (hold_.spins())
        spin_ns(hold_.ns);
    return irq::IrqReturn::handled;
}

} // namespace irqlab::engine
