// Engine timers (a small twin of kernel/time/timer.c): one-shot callbacks
// that run in the engine's TIMER softirq on the CPU they were armed for,
// no earlier than their expiry. The engine has no tick: a per-CPU thread,
// irqlab-timer/N, sleeps until the earliest expiry on its CPU and raises
// TIMER there, so expired timers run in engine softirq context as Linux
// runs them from run_timer_softirq().
#pragma once

#include "core/base/list.h"
#include "core/base/percpu.h"
#include "core/base/percpu_thread.h"
#include "core/base/spinlock.h"
#include "core/base/thread.h"
#include "core/base/thread_safety.h"
#include "core/softirq/softirqs.h"
#include "cxxrt/atomic.h"

#include <stdint.h>

namespace irqlab::timer {

class Timers;

struct Timer {
    void (*callback)(Timer*) = nullptr;
    // Absolute expiry (irqlab_plat_clock_ns()); valid while pending.
    uint64_t expires_ns = 0;
    // On a list of the CPU it is queued on, under that CPU's lock.
    base::ListNode entry;
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

    // Callbacks started, per CPU (counted as each starts), for tests and
    // statistics.
    uint64_t expired_runs(unsigned cpu) const;
    // Timers moved to this CPU from dead ones, and whether a CPU's thread
    // is parked (CPU hotplug).
    uint64_t taken_over(unsigned cpu) const;
    bool thread_parked(unsigned cpu) const;

    // CPU hotplug (timers_hotplug.cpp), called by the engine's hotplug
    // steps one at a time. cpu_online(): the CPU's base takes timers
    // again and its thread is bound back and unparked, or started if it
    // never ran; false when it could not be started. May sleep.
    [[nodiscard]] bool cpu_online(unsigned cpu);
    // The CPU's thread parked before the CPU goes; timers armed on it
    // meanwhile wait for take_over(). May sleep.
    void cpu_down_prep(unsigned cpu);
    // Linux's timers_dead_cpu(): on a live CPU, once 'dead_cpu' is gone,
    // its pending timers move to this CPU's base, expiry order kept, and
    // its base refuses timers (they go to the arming CPU) until
    // cpu_online(). Process context.
    void take_over(unsigned dead_cpu);

private:
    using TimerList = base::List<Timer, &Timer::entry>;

    // One CPU's timers (Linux's timer_base).
    struct alignas(64) Cpu {
        base::SpinLock lock;
        // Sorted by expires_ns, FIFO among equals.
        TimerList waiting GUARDED_BY(lock);
        // Expired timers taken off 'waiting' by the running expiry round,
        // still pending until their turn (Linux's collected buckets).
        TimerList expiring GUARDED_BY(lock);
        Timer* running GUARDED_BY(lock) = nullptr;
        // Where 'running' goes once its callback returns, if re-armed for
        // another CPU meanwhile.
        unsigned running_target GUARDED_BY(lock) = 0;
        // Whether 'thread' may be woken: false once stop() began, and
        // while the thread is parked for CPU hotplug.
        bool wakeable GUARDED_BY(lock) = false;
        // Whether timers may be queued here: false for a CPU that is not
        // online (never was, or dead and taken over).
        bool online GUARDED_BY(lock) = false;
        cxxrt::atomic<uint64_t> taken_over{0};
        cxxrt::atomic<uint64_t> runs{0};
        base::PerCpuThread thread;
        Timers* owner = nullptr;
        unsigned cpu = 0;
    };

    static void timer_action(void* self);
    void expire(Cpu& base) EXCLUDES(base.lock);
    bool start_thread(Cpu& base);
    static int thread_main(void* raw);
    // Whether the thread of 'base' runs off its CPU because the CPU is
    // going down (base::PerCpuThread::displaced()).
    static bool displaced(const Cpu& base);
    void run_thread(Cpu& base);
    uint64_t earliest(Cpu& base) EXCLUDES(base.lock);

    // The first half of lock_timer_base(): the CPU whose lists 'timer' is
    // on (or was last on), once no move is under way; a never-armed timer
    // is first given 'hint'. Lock it, then check holds(): the timer may
    // have moved before the lock was taken.
    Cpu& base_of(Timer& timer, unsigned hint);
    static bool holds(const Cpu& base, const Timer& timer);
    // The second half of a move, which detached 'timer' under its old
    // CPU's lock and marked it migrating: queues it on 'to_cpu', or on this
    // CPU if that one is no longer online. Interrupts off.
    void arrive(Timer& timer, unsigned to_cpu);
    // Takes 'timer' off its list; returns whether it was on one.
    static bool detach(Cpu& base, Timer& timer) REQUIRES(base.lock);
    static void enqueue(Cpu& base, Timer& timer) REQUIRES(base.lock);

    softirq::Softirqs& softirqs_;
    base::PerCpu<Cpu> cpus_;
    bool initialised_ = false;
    bool opened_ = false;
};

} // namespace irqlab::timer
