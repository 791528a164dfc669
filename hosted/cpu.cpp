// Hosted platform: simulated CPUs, interrupt/preemption state and sleeping.
//
// Threads created for a CPU run "on" it; others on CPU 0. Several threads
// may share a simulated CPU, so "interrupts off" is made to mean what it
// means on hardware: while a thread has interrupts off on CPU n, no other
// thread of CPU n gets past its own irq_save. Code that guards per-CPU data
// by disabling interrupts is therefore exactly as correct hosted as in the
// kernel. Preemption state stays per thread and excludes nobody.
#include "hosted/hosted_platform.h"
#include "hosted/thread_state.h"

#include "irqlab/platform.h"

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <thread>

namespace {

constexpr unsigned default_cpus = 4;
std::atomic<unsigned> simulated_cpus{default_cpus};
// Bit n set: simulated CPU n is offline.
std::atomic<unsigned long> offline_cpus{0};
std::atomic<unsigned> next_any_cpu{0};
std::mutex cpu_irq_locks[irqlab::hosted::max_simulated_cpus];

} // namespace

namespace irqlab::hosted {

void set_simulated_cpus(unsigned cpus) {
    if (cpus == 0 || cpus > max_simulated_cpus) {
        std::fprintf(stderr, "hosted: %u simulated CPUs is out of range\n", cpus);
        std::abort();
    }
    simulated_cpus = cpus;
}

unsigned simulated_cpu_count() {
    return simulated_cpus;
}

void set_cpu_online(unsigned cpu, bool online) {
    if (cpu == 0 || cpu >= simulated_cpus) {
        std::fprintf(stderr, "hosted: CPU %u cannot go offline\n", cpu);
        std::abort();
    }
    if (online)
        offline_cpus.fetch_and(~(1ul << cpu));
    else
        offline_cpus.fetch_or(1ul << cpu);
}

unsigned any_online_cpu() {
    const unsigned cpus = simulated_cpus;
    for (;;) {
        const unsigned cpu = next_any_cpu.fetch_add(1) % cpus;
        if (irqlab_plat_cpu_online(cpu))
            return cpu;
    }
}

void move_if_bound(ThreadState& state) {
    if (state.irqs_off || state.preempt_count > 0)
        return;
    const int cpu = state.pending_cpu.exchange(-1);
    if (cpu >= 0)
        state.cpu = static_cast<unsigned>(cpu);
}

// Waits until no thread has interrupts off on 'cpu', and keeps it so for
// the guard's life: the simulated CPU is stopped (hosted/hotplug.cpp).
std::unique_lock<std::mutex> stop_cpu(unsigned cpu) {
    return std::unique_lock<std::mutex>{cpu_irq_locks[cpu]};
}

} // namespace irqlab::hosted

extern "C" unsigned irqlab_plat_cpu_id(void) {
    return irqlab::hosted::current_thread_state().cpu;
}

extern "C" unsigned irqlab_plat_nr_cpu_ids(void) {
    return simulated_cpus;
}

extern "C" bool irqlab_plat_cpu_online(unsigned cpu) {
    return cpu < simulated_cpus && !(offline_cpus.load() & (1ul << cpu));
}

// The simulation has no state between online and active: a CPU is both or
// neither.
extern "C" bool irqlab_plat_cpu_active(unsigned cpu) {
    return irqlab_plat_cpu_online(cpu);
}

extern "C" unsigned long irqlab_plat_irq_save(void) {
    auto& state = irqlab::hosted::current_thread_state();
    if (state.irqs_off)
        return 1;
    irqlab::hosted::move_if_bound(state);
    cpu_irq_locks[state.cpu].lock();
    state.irqs_off = true;
    return 0;
}

extern "C" void irqlab_plat_irq_restore(unsigned long flags) {
    auto& state = irqlab::hosted::current_thread_state();
    if (flags != 0 || !state.irqs_off)
        return;
    state.irqs_off = false;
    cpu_irq_locks[state.cpu].unlock();
    if (!state.bottom_halves.empty())
        irqlab::hosted::run_bottom_halves(state);
}

extern "C" bool irqlab_plat_irqs_disabled(void) {
    return irqlab::hosted::current_thread_state().irqs_off;
}

extern "C" void irqlab_plat_preempt_disable(void) {
    ++irqlab::hosted::current_thread_state().preempt_count;
}

extern "C" void irqlab_plat_preempt_enable(void) {
    --irqlab::hosted::current_thread_state().preempt_count;
}

extern "C" void irqlab_plat_might_sleep(void) {
    const auto& state = irqlab::hosted::current_thread_state();
    if (state.irqs_off || state.preempt_count > 0)
        std::fprintf(stderr,
                     "BUG: sleeping function called from invalid context "
                     "(hosted: irqs_off=%d preempt_count=%d)\n",
                     state.irqs_off, state.preempt_count);
}

extern "C" bool irqlab_plat_need_resched(void) {
    return false;
}

extern "C" void irqlab_plat_cond_resched(void) {
    std::this_thread::yield();
}

extern "C" uint64_t irqlab_plat_clock_ns(void) {
    using namespace std::chrono;
    return duration_cast<nanoseconds>(steady_clock::now().time_since_epoch()).count();
}
