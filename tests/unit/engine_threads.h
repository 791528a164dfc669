// Threads for the engine's GoogleTest files: waiting for a condition, and
// running a function on a platform thread bound to one simulated CPU.
#pragma once

#include "core/base/thread.h"

#include <atomic>
#include <chrono>
#include <functional>
#include <thread>

namespace irqlab::test {

using namespace std::chrono_literals;

template <typename Pred>
bool wait_until(Pred pred, std::chrono::milliseconds timeout = 10s) {
    const auto end = std::chrono::steady_clock::now() + timeout;
    while (!pred()) {
        if (std::chrono::steady_clock::now() > end)
            return false;
        std::this_thread::sleep_for(100us);
    }
    return true;
}

// Runs 'fn' on a platform thread bound to 'cpu'; join() (or the
// destructor) waits for it. The thread stays until joined, so that what
// 'fn' left bound to its CPU is not torn down early.
class OnCpu {
public:
    OnCpu(unsigned cpu, std::function<void()> fn) : fn_{std::move(fn)} {
        started_ = thread_.start(main, this, cpu, "irqlab-test");
    }
    ~OnCpu() { join(); }
    OnCpu(const OnCpu&) = delete;
    OnCpu& operator=(const OnCpu&) = delete;

    void join() {
        if (started_)
            wait_until([&] { return done_.load(); }, 120s);
        thread_.stop();
        started_ = false;
    }
    bool done() const { return done_.load(); }

private:
    static int main(void* raw) {
        auto* self = static_cast<OnCpu*>(raw);
        self->fn_();
        self->done_ = true;
        while (!base::Thread::should_stop())
            base::Thread::sleep_until([] { return false; });
        return 0;
    }

    std::function<void()> fn_;
    std::atomic<bool> done_{false};
    bool started_ = false;
    base::Thread thread_;
};

inline void run_on_cpu(unsigned cpu, std::function<void()> fn) {
    OnCpu{cpu, std::move(fn)};
}

} // namespace irqlab::test
