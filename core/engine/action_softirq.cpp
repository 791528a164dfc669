// The softirq action; see action_softirq.h.
#include "core/engine/action_softirq.h"

#include "core/base/errno.h"
#include "core/engine/engine.h"

namespace irqlab::engine {

SoftirqAction::SoftirqAction(Engine& engine, irqlab_line*,
                             const irqlab_engine_attach_config& config)
    : backlog_{engine.backlog()}, slot_{static_cast<softirq::SoftirqNr>(config.softirq)},
      units_{config.softirq_rounds} {}

int SoftirqAction::validate(const irqlab_engine_attach_config& config) {
    if (config.softirq >= softirq::nr_softirqs ||
        !SoftirqBacklog::owns(static_cast<softirq::SoftirqNr>(config.softirq)))
        return -base::einval;
    return validate_options(config, {});
}

irq::IrqReturn SoftirqAction::handle() {
    raised_.fetch_add(1, cxxrt::memory_order::relaxed);
    backlog_.add(slot_, units_);
    return irq::IrqReturn::handled;
}

void SoftirqAction::fill_stats(irqlab_engine_line_stats& stats) const {
    stats.softirq_raised = raised_.load(cxxrt::memory_order::relaxed);
}

} // namespace irqlab::engine
