// The work item of a line attached with the work action: its workqueue
// (one per line, of the kind asked for), the item, and its counts.
#pragma once

#include "core/engine/hold.h"
#include "core/workqueue/work.h"
#include "core/workqueue/workqueues.h"
#include "cxxrt/atomic.h"
#include "irqlab/core.h"

#include <stdint.h>

namespace irqlab::engine {

class LineWork {
public:
    LineWork(workqueue::Workqueues& workqueues, irqlab_line* line,
             const irqlab_engine_attach_config& config);
    ~LineWork() { destroy(); }
    LineWork(const LineWork&) = delete;
    LineWork& operator=(const LineWork&) = delete;

    static bool valid(const irqlab_engine_attach_config& config);

    // May sleep. Allocates the line's workqueue, named 'name'. 0 or
    // -enomem.
    int create(const char* name);
    // May sleep. Cancels a delayed item's timer, then destroys the
    // workqueue, which drains it: every queued item runs first.
    void destroy();

    // From the line's hardirq handler: queue_work (or queue_delayed_work).
    void queue();
    // May sleep: what was queued before has run when this returns.
    void flush();

    void fill_stats(irqlab_engine_line_stats& stats) const;

private:
    static void run(workqueue::Work* work);

    workqueue::Workqueues& workqueues_;
    irqlab_line* line_;
    unsigned kind_;
    unsigned flags_;
    Hold hold_;
    uint64_t delay_ns_;
    workqueue::Workqueue* wq_ = nullptr;
    workqueue::DelayedWork item_;
    const char* name_ = "";
    cxxrt::atomic<uint64_t> queued_{0};
    cxxrt::atomic<uint64_t> coalesced_{0};
    cxxrt::atomic<uint64_t> runs_{0};
};

} // namespace irqlab::engine
