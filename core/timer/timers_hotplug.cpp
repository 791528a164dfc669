// CPU hotplug for the engine's timers: the per-CPU threads park and unpark
// with their CPU, and a dead CPU's timers move to a live one (Linux's
// timers_dead_cpu() at CPUHP_TIMERS_PREPARE); see timers.h.
#include "core/base/counter.h"
#include "core/base/cpu.h"
#include "core/timer/timers.h"

namespace irqlab::timer {

namespace {
constexpr auto relaxed = cxxrt::memory_order::relaxed;
constexpr auto release = cxxrt::memory_order::release;
// Timer::cpu while a timer moves (timers.cpp).
constexpr unsigned migrating = ~0u - 1;
} // namespace

bool Timers::cpu_online(unsigned cpu) {
    if (!opened_ || cpu >= base::nr_cpu_ids())
        return false;
    Cpu& base = cpus_.on(cpu);
    if (!base.thread.running())
        return start_thread(base); // offline when the engine started
    base.thread.unpark();
    base::SpinGuard hold{base.lock};
    base.online = true;
    base.wakeable = true;
    base.thread.wake();
    return true;
}

void Timers::cpu_down_prep(unsigned cpu) {
    if (!opened_ || cpu >= base::nr_cpu_ids())
        return;
    Cpu& base = cpus_.on(cpu);
    base.thread.park([&base] {
        base::SpinGuard hold{base.lock};
        base.wakeable = false;
    });
}

void Timers::take_over(unsigned dead_cpu) {
    if (!opened_ || dead_cpu >= base::nr_cpu_ids())
        return;
    // Interrupts stay off between the two locks, as for every move.
    base::IrqSaveGuard irqs_off;
    Cpu& dead = cpus_.on(dead_cpu);
    Cpu& here = cpus_.local();
    // Deliberate difference: Linux holds both bases' locks (the old one
    // nested) and moves the timers in one step; the engine detaches them
    // under the dead base's lock, marked migrating, and queues them under
    // this one's, as mod_on() moves one timer, so no lock nests in
    // another of its class. del_sync() and mod_on() wait in base_of()
    // while a timer is marked.
    TimerList moving;
    {
        base::SpinGuard hold{dead.lock};
        dead.online = false;
        // Nothing runs on a dead CPU: 'running' is null. Expired timers
        // still waiting for their turn go first, in their order.
        moving.splice_back(dead.expiring);
        moving.splice_back(dead.waiting);
        for (Timer& timer : moving) {
            timer.queued.store(false, relaxed);
            timer.cpu.store(migrating, release);
        }
    }
    uint64_t moved = 0;
    base::SpinGuard hold{here.lock};
    while (Timer* timer = moving.pop_front()) {
        timer->cpu.store(here.cpu, release);
        enqueue(here, *timer);
        ++moved;
    }
    base::bump(here.taken_over, moved);
}

} // namespace irqlab::timer
