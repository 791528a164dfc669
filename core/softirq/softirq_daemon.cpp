// The per-CPU softirq daemons, the engine's ksoftirqd: they run what was
// raised from process context and what a bounded round handed over.
#include "core/softirq/softirqs.h"

#include "core/base/counter.h"
#include "core/base/cpu.h"
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
    if (!state.daemon.start(daemon_main, &state, state.cpu, "irqlab-sirqd/"))
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
    }
}

bool Softirqs::daemon_running(unsigned cpu) const {
    return cpus_.on(cpu).daemon.running();
}

const char* Softirqs::daemon_name(unsigned cpu) const {
    return cpus_.on(cpu).daemon.name();
}

bool Softirqs::daemon_parked(unsigned cpu) const {
    return cpus_.on(cpu).daemon.parked();
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
        // Moved off its dying CPU before the park: the work stays pending
        // there and is taken over once the CPU is dead.
        if (base::PerCpuThread::displaced(cpu.cpu, "irqlab softirq daemon runs on a foreign CPU")) {
            base::bump(cpu.counters.daemon_displaced);
            return;
        }
        base::IrqSaveGuard irqs_off;
        maybe_process(Origin::daemon, irqs_off);
    }
    irqlab_plat_cond_resched();
}

} // namespace irqlab::softirq
