// One-shot or repeated "it happened" signals between threads.
#pragma once

#include "cxxrt/new.h"
#include "cxxrt/utility.h"
#include "irqlab/platform.h"

namespace irqlab::base {

enum class WaitResult { completed, timed_out, interrupted };

class Completion {
public:
    Completion() = default;
    ~Completion() { reset(); }
    Completion(const Completion&) = delete;
    Completion& operator=(const Completion&) = delete;

    [[nodiscard]] bool init(cxxrt::AllocContext ctx) {
        reset();
        done_ = irqlab_plat_completion_create(static_cast<irqlab_alloc_ctx>(ctx));
        return done_ != nullptr;
    }

    void complete() { irqlab_plat_complete(done_); }
    void complete_all() { irqlab_plat_complete_all(done_); }
    void reinit() { irqlab_plat_reinit_completion(done_); }

    // Sleeps: call only where sleeping is allowed.
    WaitResult wait(uint64_t timeout_ns) {
        const int result = irqlab_plat_wait_for_completion(done_, timeout_ns);
        if (result > 0)
            return WaitResult::completed;
        return result == 0 ? WaitResult::timed_out : WaitResult::interrupted;
    }

private:
    void reset() {
        if (done_)
            irqlab_plat_completion_destroy(cxxrt::exchange(done_, nullptr));
    }

    irqlab_completion* done_ = nullptr;
};

} // namespace irqlab::base
