// The softirq action: each interrupt adds the line's work units to its
// softirq slot's backlog on this CPU and raises the slot
// (softirq_backlog.h), as a driver's hardirq raises NET_RX.
#pragma once

#include "core/engine/line_action.h"
#include "core/engine/softirq_backlog.h"
#include "core/softirq/softirq_nr.h"
#include "cxxrt/atomic.h"

#include <stdint.h>

namespace irqlab::engine {

class SoftirqAction final : public LineAction {
public:
    // 'config.softirq_rounds' is at least 1 (AttachedLine made 0 into 1).
    SoftirqAction(Engine& engine, irqlab_line*, const irqlab_engine_attach_config& config);

    // A slot of the backlog's own: not those of the tasklets and timers.
    static int validate(const irqlab_engine_attach_config& config);

    irq::IrqReturn handle() override;
    void fill_stats(irqlab_engine_line_stats& stats) const override;

private:
    SoftirqBacklog& backlog_;
    softirq::SoftirqNr slot_;
    unsigned units_;
    cxxrt::atomic<uint64_t> raised_{0};
};

} // namespace irqlab::engine
