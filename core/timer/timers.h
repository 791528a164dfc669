// Engine timers (a small twin of kernel/time/timer.c): one-shot callbacks
// that run in the engine's TIMER softirq on the CPU they were armed for,
// no earlier than their expiry. The engine has no tick: a per-CPU thread,
// irqlab-timer/N, sleeps until the earliest expiry on its CPU and raises
// TIMER there, so expired timers run in engine softirq context as Linux
// runs them from run_timer_softirq().
#pragma once

#include "core/base/percpu.h"
#include "core/base/spinlock.h"
#include "core/base/thread.h"
#include "core/softirq/softirqs.h"
#include "cxxrt/atomic.h"

#include <stdint.h>

namespace irqlab::timer {

class Timers;

struct Timer {
    void (*callback)(Timer*) = nullptr;
    // Absolute expiry (irqlab_plat_clock_ns()); valid while pending.
    uint64_t expires_ns = 0;
    // Owned by the CPU list it is queued on, under that list's lock.
    Timer* next = nullptr;
    Timer* prev = nullptr;
    // The CPU whose list holds it (or last held it), ~0u when never armed.
    cxxrt::atomic<unsigned> cpu{~0u};
    cxxrt::atomic<bool> queued{false};
};

// timer_setup(): an idle timer with this callback.
void timer_setup(Timer& timer, void (*callback)(Timer*));

class Timers {
public:
    explicit Timers(softirq::Softirqs& softirqs) : softirqs_{softirqs} {}
    // Stops the threads; no timer may be pending.
    ~Timers();
    Timers(const Timers&) = delete;
    Timers& operator=(const Timers&) = delete;

    // May sleep. Per-CPU lists, the TIMER softirq handler and one
    // irqlab-timer/N thread per online CPU. False on failure, with nothing
    // left running.
    [[nodiscard]] bool init();
    // May sleep. Stops the threads (pending timers stay pending).
    void stop();

    // mod_timer() on a chosen CPU: (re)arms 'timer' to expire at
    // 'expires_ns' on 'cpu' (moving it if it was queued elsewhere). Any
    // context. Returns whether it was pending before.
    bool mod_on(Timer& timer, uint64_t expires_ns, unsigned cpu);
    // mod_timer() on this CPU.
    bool mod(Timer& timer, uint64_t expires_ns);
    // del_timer(): any context. Returns whether it was pending. A callback
    // already running goes on.
    bool del(Timer& timer);
    // del_timer_sync(): also waits until a running callback of the timer
    // returned. May sleep (spins); not from the timer's own callback.
    bool del_sync(Timer& timer);
    bool pending(const Timer& timer) const;

    // Expired timers run, per CPU, for tests and statistics.
    uint64_t expired_runs(unsigned cpu) const;

private:
    struct alignas(64) Cpu {
        base::SpinLock lock;
        Timer* head = nullptr; // sorted by expires_ns
        Timer* running = nullptr;
        cxxrt::atomic<uint64_t> runs{0};
        base::Thread thread;
        Timers* owner = nullptr;
        unsigned cpu = 0;
        char name[24] = {};
    };

    softirq::Softirqs& softirqs_;
    base::PerCpu<Cpu> cpus_;
};

} // namespace irqlab::timer
