// Kernel threads for the core (hosted: std::threads standing in for them).
#pragma once

#include "cxxrt/utility.h"
#include "irqlab/platform.h"

namespace irqlab::base {

inline constexpr unsigned any_cpu = IRQLAB_ANY_CPU;

class Thread {
public:
    Thread() = default;
    ~Thread() { stop(); }
    Thread(const Thread&) = delete;
    Thread& operator=(const Thread&) = delete;

    // Creates the thread stopped and then wakes it; false when it could
    // not be created. 'fn' runs until should_stop().
    [[nodiscard]] bool start(irqlab_thread_fn fn, void* arg, unsigned cpu, const char* name) {
        stop();
        thread_ = irqlab_plat_thread_create(fn, arg, cpu, name);
        if (!thread_)
            return false;
        irqlab_plat_thread_wake(thread_);
        return true;
    }

    void wake() { irqlab_plat_thread_wake(thread_); }
    int park() { return irqlab_plat_thread_park(thread_); }
    void unpark() { irqlab_plat_thread_unpark(thread_); }
    bool running() const { return thread_ != nullptr; }

    // Returns what the thread function returned (0 when never started).
    int stop() { return thread_ ? irqlab_plat_thread_stop(cxxrt::exchange(thread_, nullptr)) : 0; }

    // Called from inside the thread function.
    static bool should_stop() { return irqlab_plat_thread_should_stop(); }
    static bool should_park() { return irqlab_plat_thread_should_park(); }
    static void parkme() { irqlab_plat_thread_parkme(); }

    // Sleeps until 'ready()' holds or the thread is told to stop or park.
    // The condition is re-checked after announcing the sleep, so a wake()
    // racing with the check is never lost.
    template <typename Ready>
    static void sleep_until(Ready&& ready) {
        for (;;) {
            irqlab_plat_prepare_to_sleep();
            if (ready() || should_stop() || should_park())
                break;
            irqlab_plat_schedule();
        }
        irqlab_plat_finish_sleep();
    }

private:
    irqlab_thread* thread_ = nullptr;
};

} // namespace irqlab::base
