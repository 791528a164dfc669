// Hosted platform: simulated CPUs, interrupt/preemption state and sleeping.
// Interrupt and preemption state are per thread, as they are per CPU for
// the code running there.
#include "hosted/thread_state.h"

#include "irqlab/platform.h"

#include <chrono>
#include <cstdio>
#include <thread>

namespace {

// Threads created for a CPU run "on" it; others on CPU 0. All are online.
constexpr unsigned simulated_cpus = 4;

} // namespace

extern "C" unsigned irqlab_plat_cpu_id(void) {
    return irqlab::hosted::current_thread_state().cpu;
}

extern "C" unsigned irqlab_plat_nr_cpu_ids(void) {
    return simulated_cpus;
}

extern "C" bool irqlab_plat_cpu_online(unsigned cpu) {
    return cpu < simulated_cpus;
}

extern "C" unsigned long irqlab_plat_irq_save(void) {
    auto& state = irqlab::hosted::current_thread_state();
    const unsigned long flags = state.irqs_off ? 1 : 0;
    state.irqs_off = true;
    return flags;
}

extern "C" void irqlab_plat_irq_restore(unsigned long flags) {
    irqlab::hosted::current_thread_state().irqs_off = flags != 0;
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
