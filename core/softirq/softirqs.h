// The engine's softirqs: per-CPU pending masks, the bounded processing loop
// (Linux's __do_softirq), local_bh_disable/enable, and one daemon thread per
// CPU (ksoftirqd) that takes over what the loop may not finish.
//
// Where processing happens, as in Linux kernel/softirq.c:
//  - irq_exit(): after the engine hardirq count dropped, if the CPU is not in
//    engine interrupt context. Linux's invoke_softirq() runs the round at
//    once, with interrupts enabled; the engine's irq_exit() runs inside the
//    host's hardirq handler, which must not enable them, so it schedules
//    the host's bottom half on this CPU (irqlab_plat_bh_schedule_irqoff)
//    and the round runs there, with interrupts on, once the host's handler
//    has returned. An engine hardirq arriving meanwhile nests in it as in
//    Linux: its irq_exit() sees the CPU serving and leaves the work to
//    the running round.
//  - local_bh_enable() at the outermost level, with the caller's interrupts.
//  - the daemon, woken by raises from process context and by handovers.
//
// Per-CPU state changes only on its own CPU with platform interrupts off, so
// one CPU never runs two processing rounds at once: the check of "not in
// interrupt, work pending" and the entry into serving are one irqs-off step.
#pragma once

#include "core/base/cpu.h"
#include "core/base/percpu.h"
#include "core/base/percpu_thread.h"
#include "core/base/spinlock.h"
#include "core/base/thread.h"
#include "core/base/thread_safety.h"
#include "core/engine/context.h"
#include "core/softirq/softirq_nr.h"
#include "core/softirq/softirq_stats.h"
#include "cxxrt/atomic.h"

#include <stdint.h>

namespace irqlab::softirq {

using SoftirqHandler = void (*)(void* arg);

class Softirqs {
public:
    // How long one processing round may go on while work keeps arriving
    // (Linux's MAX_SOFTIRQ_TIME and MAX_SOFTIRQ_RESTART). max_restarts
    // bounds the passes of a round as Linux's counter does: at most
    // max_restarts passes, that is max_restarts - 1 restarts.
    struct Budget {
        uint64_t max_ns = 2'000'000;
        unsigned max_restarts = 10;
    };

    explicit Softirqs(engine::Context& context) : context_{context} {}
    ~Softirqs();
    Softirqs(const Softirqs&) = delete;
    Softirqs& operator=(const Softirqs&) = delete;

    // May sleep. False when the per-CPU state could not be allocated.
    [[nodiscard]] bool init();

    // One daemon per online CPU, "irqlab-sirqd/N", bound to CPU N. May
    // sleep. False (with none left running) when one could not be created.
    [[nodiscard]] bool start_daemons();
    // Stops the daemons; pending work stays pending. May sleep.
    void stop_daemons();
    // Waits for a round irq_exit() left to the host's bottom half; later
    // ones go to the daemons. For teardown, before what the handlers use
    // goes away. May sleep.
    void stop_bottom_half();

    // Installs a slot's handler (open_softirq). Meant for setup, before the
    // slot is raised; a null handler makes raises of the slot no-ops.
    void open(SoftirqNr nr, SoftirqHandler handler, void* arg);

    // raise_softirq(): any context.
    void raise(SoftirqNr nr);
    // raise_softirq_irqoff(): the caller has platform interrupts off. From
    // process context this CPU's daemon is woken, since no irq_exit or
    // local_bh_enable is coming to process it.
    void raise_irqoff(SoftirqNr nr);
    // __raise_softirq_irqoff(): only marks the slot pending; for callers
    // that know processing follows (softirq handlers re-raising).
    void raise_irqoff_nowake(SoftirqNr nr);

    // The engine hardirq exit hook: called right after the hardirq count
    // was dropped, with platform interrupts off.
    void irq_exit();
    // Runs what irq_exit() left pending on this CPU: the host bottom half's
    // function, with interrupts on.
    void run_irq_exit_round();

    // Bottom halves off on this CPU; nests. Not from engine hardirq context.
    void local_bh_disable();
    void local_bh_enable();

    uint32_t pending() const;
    uint32_t pending_on(unsigned cpu) const;

    void set_budget(Budget budget);
    Budget budget() const;

    SlotStats slot_stats(SoftirqNr nr, unsigned cpu) const;
    CpuStats cpu_stats(unsigned cpu) const;
    // Misuse reports (bottom-half calls from hardirq context, ...).
    uint64_t misuse_reports() const { return misuse_reports_.load(cxxrt::memory_order::relaxed); }

    engine::Context& context() const { return context_; }

    bool daemon_running(unsigned cpu) const;
    const char* daemon_name(unsigned cpu) const;
    bool daemon_parked(unsigned cpu) const;

    // CPU hotplug (softirq_hotplug.cpp), the engine's part of smpboot and
    // of takeover at CPUHP_SOFTIRQ_DEAD. Called by the engine's hotplug
    // steps, one at a time. cpu_online(): the CPU's daemon bound to it
    // again and unparked, or started if it never ran; false when it could
    // not be started. May sleep.
    [[nodiscard]] bool cpu_online(unsigned cpu);
    // The CPU's daemon parked before the CPU goes. May sleep.
    void cpu_down_prep(unsigned cpu);
    // On a live CPU, once 'dead_cpu' is gone: its pending slots become
    // pending here, and this CPU's daemon runs them. Process context.
    void take_over_pending(unsigned dead_cpu);

private:
    enum class Origin { irq_exit, bh_enable, daemon };

    struct Slot {
        cxxrt::atomic<SoftirqHandler> handler{nullptr};
        cxxrt::atomic<void*> arg{nullptr};
    };

    // Counters are atomics for readers on other CPUs; each has one writer
    // at a time (the CPU, serialised by interrupts off or by serving).
    struct SlotCounters {
        cxxrt::atomic<uint64_t> raised{0};
        cxxrt::atomic<uint64_t> coalesced{0};
        cxxrt::atomic<uint64_t> runs{0};
        cxxrt::atomic<uint64_t> ns{0};
    };

    struct CpuCounters {
        cxxrt::atomic<uint64_t> irq_exit_rounds{0};
        cxxrt::atomic<uint64_t> bh_enable_rounds{0};
        cxxrt::atomic<uint64_t> daemon_rounds{0};
        cxxrt::atomic<uint64_t> restarts{0};
        cxxrt::atomic<uint64_t> max_round_restarts{0};
        cxxrt::atomic<uint64_t> daemon_wakeups{0};
        cxxrt::atomic<uint64_t> handover_time{0};
        cxxrt::atomic<uint64_t> handover_restarts{0};
        cxxrt::atomic<uint64_t> handover_resched{0};
        cxxrt::atomic<uint64_t> daemon_yields{0};
        cxxrt::atomic<uint64_t> taken_over{0};
        cxxrt::atomic<uint64_t> daemon_displaced{0};
    };

    struct alignas(64) Cpu {
        cxxrt::atomic<uint32_t> pending{0};
        SlotCounters slots[nr_softirqs];
        CpuCounters counters;

        // A wake from this CPU and stop_daemons() on another must not
        // overlap, or the wake would use a freed thread.
        base::SpinLock daemon_lock;
        bool wakeable GUARDED_BY(daemon_lock) = false;
        // Parked for CPU hotplug by the hotplug steps only.
        base::PerCpuThread daemon;
        Softirqs* owner = nullptr;
        unsigned cpu = 0;
    };

    bool start_daemon(Cpu& state);
    static int daemon_main(void* raw);
    static void bottom_half(void* self);
    bool daemon_should_run(unsigned cpu) const;
    void run_daemon(Cpu& cpu);

    // Runs a processing round if the CPU may and there is work; called with
    // preemption off and interrupts off by 'irqs_off', which the round
    // undoes around the handlers: they run with interrupts on only if the
    // caller had them on.
    void maybe_process(Origin origin, base::IrqSaveGuard& irqs_off);
    void process(Cpu& cpu, Origin origin, base::IrqSaveGuard& irqs_off);
    void run_handlers(Cpu& cpu, uint32_t pending);
    void wake_daemon(Cpu& cpu);
    void report_misuse(const char* what);

    engine::Context& context_;
    base::PerCpu<Cpu> cpus_;
    bool initialised_ = false;
    irqlab_bottom_half* bottom_half_ = nullptr;
    Slot slots_[nr_softirqs];
    cxxrt::atomic<uint64_t> budget_ns_{Budget{}.max_ns};
    cxxrt::atomic<unsigned> budget_restarts_{Budget{}.max_restarts};
    cxxrt::atomic<uint64_t> misuse_reports_{0};
};

} // namespace irqlab::softirq
