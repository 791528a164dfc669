// The per-CPU softirq daemons, the engine's ksoftirqd: they run what was
// raised from process context and what a bounded round handed over.
#include "core/softirq/softirqs.h"

#include "core/base/counter.h"
#include "core/base/cpu.h"
#include "core/base/text.h"
#include "irqlab/platform.h"

namespace irqlab::softirq {

bool Softirqs::start_daemons() {
    if (!initialised_)
        return false;
    for (unsigned cpu = 0; cpu < base::nr_cpu_ids(); ++cpu) {
        if (!base::cpu_online(cpu))
            continue;
        Cpu& state = cpus_.on(cpu);
        if (state.daemon.running())
            continue;
        if (!start_daemon(state)) {
            stop_daemons();
            return false;
        }
    }
    return true;
}

bool Softirqs::start_daemon(Cpu& state) {
    base::TextBuilder{state.daemon_name}.text("irqlab-sirqd/").number(state.cpu);
    if (!state.daemon.start(daemon_main, &state, state.cpu, state.daemon_name))
        return false;
    base::SpinGuard hold{state.daemon_lock};
    state.wakeable = true;
    return true;
}

void Softirqs::stop_daemons() {
    for (unsigned cpu = 0; cpu < base::nr_cpu_ids(); ++cpu) {
        Cpu& state = cpus_.on(cpu);
        {
            base::SpinGuard hold{state.daemon_lock};
            state.wakeable = false;
        }
        // A round in progress finishes (it is bounded); the daemon then
        // sees the stop request before it looks for more work.
        state.daemon.stop();
        state.parked.store(false, cxxrt::memory_order::relaxed);
    }
}

bool Softirqs::daemon_running(unsigned cpu) const {
    return cpus_.on(cpu).daemon.running();
}

const char* Softirqs::daemon_name(unsigned cpu) const {
    return cpus_.on(cpu).daemon_name;
}

bool Softirqs::daemon_parked(unsigned cpu) const {
    return cpus_.on(cpu).parked.load(cxxrt::memory_order::relaxed);
}

int Softirqs::daemon_main(void* raw) {
    // smpboot_thread_fn() with run_ksoftirqd() as the work.
    Cpu& cpu = *static_cast<Cpu*>(raw);
    Softirqs& self = *cpu.owner;
    for (;;) {
        base::Thread::sleep_until([&] { return self.daemon_should_run(cpu.cpu); });
        if (base::Thread::should_stop())
            return 0;
        if (base::Thread::should_park()) {
            base::Thread::parkme();
            continue;
        }
        self.run_daemon(cpu);
    }
}

bool Softirqs::daemon_should_run(unsigned cpu) const {
    // Work, and the CPU not in engine interrupt context: whoever holds it
    // there (a hardirq, a round, a bottom-half-off section) processes the
    // work when it leaves, or hands it over with a wake-up. A daemon the
    // scheduler moved off its dying CPU waits to be parked (run_daemon).
    constexpr uint32_t interrupt_mask = engine::hardirq_mask | engine::softirq_mask;
    if (base::cpu_id() != cpu && !base::cpu_active(cpu))
        return false;
    return pending_on(cpu) != 0 && (context_.word_on(cpu) & interrupt_mask) == 0;
}

void Softirqs::run_daemon(Cpu& cpu) {
    {
        // Preemption off as Linux's softirq count implies it: the engine's
        // count is not the host's. Interrupts go back on for the handlers.
        base::PreemptGuard preempt_off;
        if (base::cpu_id() != cpu.cpu) {
            // From the first step of taking a CPU down, the scheduler moves
            // a woken thread that is not one of the kernel's own per-CPU
            // threads (kthread_set_per_cpu(), not exported) off it, before
            // cpu_down_prep() can park it. The work stays pending there
            // and is taken over once the CPU is dead; cpu_online() binds
            // the daemon back before it unparks it. A foreign run with the
            // CPU active is a bug (left open: a take-down rolled back
            // before it reached the engine's step, which no callback
            // below CPUHP_AP_ACTIVE fails).
            if (!base::cpu_active(cpu.cpu)) {
                base::bump(cpu.counters.daemon_displaced);
                return;
            }
            irqlab_plat_bug("irqlab softirq daemon runs on a foreign CPU");
            __builtin_trap();
        }
        base::IrqSaveGuard irqs_off;
        maybe_process(Origin::daemon, irqs_off);
    }
    irqlab_plat_cond_resched();
}

} // namespace irqlab::softirq
