// One-shot or repeated "it happened" signals between threads.
#pragma once

#include "core/base/handle.h"
#include "cxxrt/new.h"
#include "irqlab/platform.h"

namespace irqlab::base {

enum class WaitResult { completed, timed_out, interrupted };

class Completion {
public:
    [[nodiscard]] bool init(cxxrt::AllocContext ctx) {
        return done_.reset(irqlab_plat_completion_create(static_cast<irqlab_alloc_ctx>(ctx)));
    }

    void complete() { irqlab_plat_complete(done_.get()); }
    void complete_all() { irqlab_plat_complete_all(done_.get()); }
    void reinit() { irqlab_plat_reinit_completion(done_.get()); }

    // Sleeps: call only where sleeping is allowed.
    WaitResult wait(uint64_t timeout_ns) {
        const int result = irqlab_plat_wait_for_completion(done_.get(), timeout_ns);
        if (result > 0)
            return WaitResult::completed;
        return result == 0 ? WaitResult::timed_out : WaitResult::interrupted;
    }

private:
    OwnedHandle<irqlab_completion, irqlab_plat_completion_destroy> done_;
};

} // namespace irqlab::base
