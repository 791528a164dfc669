// Kernel threads for the core (hosted: std::threads standing in for them).
#pragma once

#include "core/base/handle.h"
#include "irqlab/platform.h"

#include <stdint.h>

namespace irqlab::base {

inline constexpr unsigned any_cpu = IRQLAB_ANY_CPU;

class Thread {
public:
    // Creates the thread stopped and then wakes it; false when it could
    // not be created. 'fn' runs until should_stop().
    [[nodiscard]] bool start(irqlab_thread_fn fn, void* arg, unsigned cpu, const char* name) {
        if (!thread_.reset(irqlab_plat_thread_create(fn, arg, cpu, name)))
            return false;
        irqlab_plat_thread_wake(thread_.get());
        return true;
    }

    void wake() { irqlab_plat_thread_wake(thread_.get()); }
    int park() { return irqlab_plat_thread_park(thread_.get()); }
    void unpark() { irqlab_plat_thread_unpark(thread_.get()); }
    bool running() const { return static_cast<bool>(thread_); }
    // Only 'cpu' from now on, or any CPU with any_cpu (CPU hotplug). May
    // sleep.
    void bind(unsigned cpu) { irqlab_plat_thread_bind(thread_.get(), cpu); }

    // Returns what the thread function returned (0 when never started).
    int stop() {
        irqlab_thread* thread = thread_.release();
        return thread ? irqlab_plat_thread_stop(thread) : 0;
    }

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

    // Sleeps for at least 'ns' (a wake only shortens one round of it).
    // Process context only.
    static void sleep_ns(uint64_t ns) {
        const uint64_t deadline = irqlab_plat_clock_ns() + ns;
        for (uint64_t now = irqlab_plat_clock_ns(); now < deadline; now = irqlab_plat_clock_ns()) {
            irqlab_plat_prepare_to_sleep();
            irqlab_plat_schedule_timeout(deadline - now);
            irqlab_plat_finish_sleep();
        }
    }

    // SCHED_FIFO, the policy Linux gives interrupt threads.
    void set_fifo() { irqlab_plat_thread_set_fifo(thread_.get()); }
    // A SCHED_OTHER nice level, as set_user_nice().
    void set_nice(int nice) { irqlab_plat_thread_set_nice(thread_.get(), nice); }

private:
    // Destroying a still-running thread stops it; its result is dropped.
    static void stop_and_free(irqlab_thread* thread) { irqlab_plat_thread_stop(thread); }

    OwnedHandle<irqlab_thread, stop_and_free> thread_;
};

} // namespace irqlab::base
