// One CPU's thread of a per-CPU daemon and its CPU hotplug life, shared by
// the softirq daemons (irqlab-sirqd/N) and the timer threads
// (irqlab-timer/N): Linux's smpboot threads (kernel/smpboot.c), started
// bound to their CPU, parked before the CPU goes down
// (smpboot_park_threads()) and unparked when it is back
// (smpboot_unpark_threads()). The owner keeps its own work, its wake-up
// gate and its thread function; this holds the thread, its name and
// whether it is parked.
#pragma once

#include "core/base/cpu.h"
#include "core/base/text.h"
#include "core/base/thread.h"
#include "cxxrt/atomic.h"
#include "irqlab/platform.h"

namespace irqlab::base {

class PerCpuThread {
public:
    // Starts the thread bound to 'cpu', named "<prefix><cpu>" (as
    // smpboot's "ksoftirqd/%u"). False when it could not be created.
    [[nodiscard]] bool start(irqlab_thread_fn fn, void* arg, unsigned cpu, const char* prefix) {
        cpu_ = cpu;
        TextBuilder{name_}.text(prefix).number(cpu);
        return thread_.start(fn, arg, cpu, name_);
    }

    // Stops the thread, parked or not. May sleep.
    void stop() {
        thread_.stop();
        parked_.store(false, cxxrt::memory_order::relaxed);
    }

    void wake() { thread_.wake(); }
    bool running() const { return thread_.running(); }
    bool parked() const { return parked_.load(cxxrt::memory_order::relaxed); }
    const char* name() const { return name_; }

    // The CPU is going down: parks the thread, which parks only between
    // rounds of its work, so one in progress finishes first. 'quiesce'
    // runs first, and only when there is a thread to park: the owner
    // stops waking it there. May sleep.
    template <typename Quiesce>
    void park(Quiesce&& quiesce) {
        if (!thread_.running() || parked())
            return;
        quiesce();
        thread_.park();
        parked_.store(true, cxxrt::memory_order::relaxed);
    }

    // The CPU is back: binds the thread to it again, while it is parked,
    // so it wakes up there (the scheduler may have moved it while the CPU
    // went down: displaced()), and unparks it. Returns whether it was
    // parked. May sleep.
    bool unpark() {
        if (!parked())
            return false;
        thread_.bind(cpu_);
        thread_.unpark();
        parked_.store(false, cxxrt::memory_order::relaxed);
        return true;
    }

    // From the thread, preemption off: whether it runs off 'cpu', its own,
    // because that CPU is going down. From the first step of taking a CPU
    // down, the scheduler moves a woken thread that is not one of the
    // kernel's own per-CPU threads (kthread_set_per_cpu(), not exported)
    // off it, before park() can park it; such a thread does nothing and
    // waits for the park, its work is taken over once the CPU is dead,
    // and unpark() binds it back. A foreign run with the CPU active is a
    // bug, reported as 'bug' (left open: a take-down rolled back before it
    // reached the engine's step, which no callback below CPUHP_AP_ACTIVE
    // fails).
    static bool displaced(unsigned cpu, const char* bug) {
        if (cpu_id() == cpu)
            return false;
        if (!cpu_active(cpu))
            return true;
        irqlab_plat_bug(bug);
        __builtin_trap();
    }

private:
    Thread thread_;
    cxxrt::atomic<bool> parked_{false};
    unsigned cpu_ = 0;
    char name_[24] = {};
};

} // namespace irqlab::base
