// The napi action; see action_napi.h.
#include "core/engine/action_napi.h"

#include "core/engine/attached_line.h"
#include "core/engine/engine.h"

namespace irqlab::engine {

NapiAction::NapiAction(Engine& engine, irqlab_line* line, const irqlab_engine_attach_config& config)
    : poll_{engine.irqs(), engine.napi(), line, config} {}

int NapiAction::install(AttachedLine& line) {
    poll_.install(line.virq());
    return line.request_main();
}

void NapiAction::remove(AttachedLine& line) {
    poll_.remove();
    line.free_handlers();
}

irq::IrqReturn NapiAction::handle() {
    poll_.on_interrupt();
    return irq::IrqReturn::handled;
}

int NapiAction::flush() {
    return poll_.flush();
}

void NapiAction::fill_stats(irqlab_engine_line_stats& stats) const {
    poll_.fill_stats(stats);
}

} // namespace irqlab::engine
