// CPU hotplug for the softirqs: the daemons park and unpark with their CPU
// (Linux's smpboot threads, CPUHP_AP_SMPBOOT_THREADS), and a dead CPU's
// pending slots are taken over by a live one.
#include "core/base/counter.h"
#include "core/base/cpu.h"
#include "core/softirq/softirqs.h"

namespace irqlab::softirq {

namespace {
constexpr auto relaxed = cxxrt::memory_order::relaxed;
} // namespace

bool Softirqs::cpu_online(unsigned cpu) {
    if (!initialised_ || cpu >= base::nr_cpu_ids())
        return false;
    Cpu& state = cpus_.on(cpu);
    if (!state.daemon.running())
        return start_daemon(state); // offline when the engine started
    if (!state.daemon.unpark())
        return true;
    base::SpinGuard hold{state.daemon_lock};
    state.wakeable = true;
    // Work raised while it was parked (process context: no round came).
    if (state.pending.load(relaxed))
        state.daemon.wake();
    return true;
}

void Softirqs::cpu_down_prep(unsigned cpu) {
    if (!initialised_ || cpu >= base::nr_cpu_ids())
        return;
    // Handovers from now on leave the work pending for the takeover; a
    // round in progress finishes first.
    Cpu& state = cpus_.on(cpu);
    state.daemon.park([&state] {
        base::SpinGuard hold{state.daemon_lock};
        state.wakeable = false;
    });
}

void Softirqs::take_over_pending(unsigned dead_cpu) {
    // Linux has no generic takeover of pending bits: each subsystem moves
    // its own work (takeover_tasklets, timers_dead_cpu, dev_cpu_dead) and
    // raises here. The engine's tasklets, timers and NAPI polls do so too;
    // this moves what is left, the attached lines' softirq slots among
    // them, whose units SoftirqBacklog::take_over() moved here.
    base::IrqSaveGuard irqs_off;
    Cpu& dead = cpus_.on(dead_cpu);
    Cpu& here = cpus_.local();
    const uint32_t bits = dead.pending.exchange(0, relaxed);
    if (!bits)
        return;
    here.pending.store(here.pending.load(relaxed) | bits, relaxed);
    uint64_t slots = 0; // no __builtin_popcount: libgcc is not in the kernel
    for (uint32_t left = bits; left; left &= left - 1)
        ++slots;
    base::bump(here.counters.taken_over, slots);
    // From process context: no round is coming to run them.
    if (!context_.in_interrupt())
        wake_daemon(here);
}

} // namespace irqlab::softirq
