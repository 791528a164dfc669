// The NAPI-style poll of a line attached with the napi action: each
// interrupt brings events (a device's ring filling up), the hardirq
// disables the line and schedules the poll, and the poll consumes up to
// its weight per round in the NET_RX softirq, enabling the line again
// once it found less than its weight (the seed document's NAPI loop).
#pragma once

#include "core/irq/irq_core.h"
#include "core/napi/napi.h"
#include "core/napi/napi_polls.h"
#include "cxxrt/atomic.h"
#include "irqlab/core.h"

#include <stdint.h>

namespace irqlab::engine {

class LinePoll {
public:
    LinePoll(irq::IrqCore& irqs, napi::NapiPolls& polls, irqlab_line* line,
             const irqlab_engine_attach_config& config);
    LinePoll(const LinePoll&) = delete;
    LinePoll& operator=(const LinePoll&) = delete;

    // Adds and enables the poll of 'virq'.
    void install(unsigned virq);
    // May sleep. Waits for a running poll and takes the instance away.
    void remove();

    // From the line's hardirq handler.
    void on_interrupt();
    // May sleep. Waits until every event brought so far was consumed and
    // the poll is idle: 0, or -etimedout once 10 s passed without an
    // event consumed.
    int flush();

    void fill_stats(irqlab_engine_line_stats& stats) const;

private:
    static int poll(napi::Napi* napi, int budget);

    irq::IrqCore& irqs_;
    napi::NapiPolls& polls_;
    unsigned events_per_irq_;
    int weight_;
    unsigned virq_ = 0;
    bool installed_ = false;
    napi::Napi napi_;
    // Brought by interrupts and not yet consumed (the device's ring).
    cxxrt::atomic<uint64_t> ring_{0};
    cxxrt::atomic<uint64_t> produced_{0};
    cxxrt::atomic<uint64_t> consumed_{0};
};

} // namespace irqlab::engine
