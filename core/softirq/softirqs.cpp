// Raising and processing softirqs; see softirqs.h. The daemon threads are
// in softirq_daemon.cpp.
#include "core/softirq/softirqs.h"
#include "core/base/trace.h"

#include "core/base/counter.h"
#include "core/base/cpu.h"
#include "irqlab/platform.h"

namespace irqlab::softirq {

static_assert(static_cast<unsigned>(SoftirqNr::tasklet) == IRQLAB_ENGINE_TASKLET_SOFTIRQ);

namespace {

constexpr auto relaxed = cxxrt::memory_order::relaxed;

constinit base::LockClass daemon_lock_class{"irqlab_softirq_daemon"};

void trace_slot(irqlab_engine_event_kind kind, unsigned nr) {
    base::trace::emit(kind, [nr](irqlab_engine_event& ev) { ev.vec = nr; });
}

} // namespace

Softirqs::~Softirqs() {
    stop_bottom_half();
    if (initialised_)
        stop_daemons();
}

void Softirqs::stop_bottom_half() {
    irqlab_plat_bh_destroy(bottom_half_);
    bottom_half_ = nullptr;
}

bool Softirqs::init() {
    if (!cpus_.init())
        return false;
    bottom_half_ = irqlab_plat_bh_create(bottom_half, this);
    if (!bottom_half_)
        return false;
    for (unsigned cpu = 0; cpu < base::nr_cpu_ids(); ++cpu) {
        Cpu& state = cpus_.on(cpu);
        state.owner = this;
        state.cpu = cpu;
        if (!state.daemon_lock.init(daemon_lock_class, cxxrt::may_sleep_ctx))
            return false;
    }
    initialised_ = true;
    return true;
}

void Softirqs::open(SoftirqNr nr, SoftirqHandler handler, void* arg) {
    Slot& slot = slots_[static_cast<unsigned>(nr)];
    // The argument first: a processing round that sees the new handler
    // (acquire) sees its argument too.
    slot.arg.store(arg, relaxed);
    slot.handler.store(handler, cxxrt::memory_order::release);
}

void Softirqs::raise(SoftirqNr nr) {
    base::IrqSaveGuard irqs_off;
    raise_irqoff(nr);
}

void Softirqs::raise_irqoff(SoftirqNr nr) {
    if (!base::irqs_disabled()) {
        // Linux has lockdep_assert_irqs_disabled() here; the per-CPU mask
        // would be racy, so report and take the safe path.
        report_misuse("raise_irqoff with interrupts on");
        raise(nr);
        return;
    }
    raise_irqoff_nowake(nr);
    // From process context nothing else will process it soon. Raised from
    // engine hardirq, softirq or with bottom halves off, irq_exit(), the
    // running round or local_bh_enable() will.
    if (!context_.in_interrupt())
        wake_daemon(cpus_.local());
}

void Softirqs::raise_irqoff_nowake(SoftirqNr nr) {
    Cpu& cpu = cpus_.local();
    const uint32_t bit = softirq_bit(nr);
    const uint32_t pending = cpu.pending.load(relaxed);
    SlotCounters& counters = cpu.slots[static_cast<unsigned>(nr)];
    base::bump(counters.raised);
    trace_slot(IRQLAB_EV_SOFTIRQ_RAISE, static_cast<unsigned>(nr));
    if (pending & bit)
        base::bump(counters.coalesced);
    else
        cpu.pending.store(pending | bit, relaxed);
}

void Softirqs::irq_exit() {
    // invoke_softirq(), one step later: the round runs in the host's bottom
    // half on this CPU (see the header). The save makes a caller that broke
    // the contract (interrupts on) safe.
    base::IrqSaveGuard irqs_off;
    Cpu& cpu = cpus_.local();
    if (context_.in_interrupt() || !cpu.pending.load(relaxed))
        return;
    if (bottom_half_)
        irqlab_plat_bh_schedule_irqoff(bottom_half_);
    else
        wake_daemon(cpu); // after stop_bottom_half(): still served
}

void Softirqs::bottom_half(void* self) {
    static_cast<Softirqs*>(self)->run_irq_exit_round();
}

void Softirqs::run_irq_exit_round() {
    // With the caller's interrupts (on, in the host's bottom half): the
    // handlers run with them on, as under Linux's __do_softirq().
    base::IrqSaveGuard irqs_off;
    maybe_process(Origin::irq_exit, irqs_off);
}

void Softirqs::local_bh_disable() {
    if (context_.in_hardirq())
        report_misuse("local_bh_disable in engine hardirq context");
    irqlab_plat_preempt_disable();
    context_.add(engine::softirq_disable_offset);
}

void Softirqs::local_bh_enable() {
    // Linux warns on both (__local_bh_enable_ip): from hardirq the count
    // is not ours to drop, and with interrupts off processing would run
    // handlers in a context they do not expect.
    if (context_.in_hardirq())
        report_misuse("local_bh_enable in engine hardirq context");
    else if (base::irqs_disabled())
        report_misuse("local_bh_enable with interrupts off");
    context_.sub(engine::softirq_disable_offset);
    if (!context_.in_interrupt() && pending()) {
        base::IrqSaveGuard irqs_off;
        maybe_process(Origin::bh_enable, irqs_off);
    }
    irqlab_plat_preempt_enable();
}

uint32_t Softirqs::pending() const {
    return pending_on(base::cpu_id());
}

uint32_t Softirqs::pending_on(unsigned cpu) const {
    return cpus_.on(cpu).pending.load(relaxed);
}

void Softirqs::set_budget(Budget budget) {
    budget_ns_.store(budget.max_ns, relaxed);
    budget_restarts_.store(budget.max_restarts, relaxed);
}

Softirqs::Budget Softirqs::budget() const {
    return {budget_ns_.load(relaxed), budget_restarts_.load(relaxed)};
}

void Softirqs::maybe_process(Origin origin, base::IrqSaveGuard& irqs_off) {
    // Deliberate difference: Linux needs no in_interrupt() check in
    // ksoftirqd, as nothing else runs on its CPU meanwhile. Hosted, other
    // threads share a simulated CPU, so every path checks, in the same
    // irqs-off step that enters serving. In the kernel it never fires.
    if (context_.in_interrupt())
        return;
    Cpu& cpu = cpus_.local();
    if (!cpu.pending.load(relaxed))
        return;
    CpuCounters& counters = cpu.counters;
    base::bump(origin == Origin::irq_exit    ? counters.irq_exit_rounds
               : origin == Origin::bh_enable ? counters.bh_enable_rounds
                                             : counters.daemon_rounds);
    process(cpu, origin, irqs_off);
}

void Softirqs::process(Cpu& cpu, Origin origin, base::IrqSaveGuard& irqs_off) {
    const Budget limit = budget();
    const uint64_t start = base::now_ns();
    unsigned restarts = 0;
    cxxrt::atomic<uint64_t>* handover = nullptr;
    CpuCounters& counters = cpu.counters;

    context_.add(engine::softirq_offset);
    for (;;) {
        const uint32_t pending = cpu.pending.load(relaxed);
        cpu.pending.store(0, relaxed);
        {
            // Interrupts back on for the handlers if the caller had them
            // on; a no-op on the irq_exit path.
            base::IrqRestored irqs_as_before{irqs_off};
            run_handlers(cpu, pending);
        }

        if (!cpu.pending.load(relaxed))
            break;
        // Deliberate difference: the time limit is measured on the
        // monotonic clock in ns, not in jiffies.
        if (base::now_ns() - start >= limit.max_ns)
            handover = &counters.handover_time;
        else if (irqlab_plat_need_resched())
            handover = &counters.handover_resched;
        else if (restarts + 1 >= limit.max_restarts)
            handover = &counters.handover_restarts;
        else {
            ++restarts;
            continue;
        }
        break;
    }
    // Still with interrupts off: nothing can raise between the last look at
    // the mask and leaving serving without being seen by someone.
    context_.sub(engine::softirq_offset);

    base::bump(counters.restarts, restarts);
    if (restarts > counters.max_round_restarts.load(relaxed))
        counters.max_round_restarts.store(restarts, relaxed);
    if (!handover)
        return;
    if (origin == Origin::daemon) {
        // The daemon goes on by itself after cond_resched (Linux wakes
        // ksoftirqd, which is itself).
        base::bump(counters.daemon_yields);
        return;
    }
    base::bump(*handover);
    // After leaving serving, so a daemon on another thread of this
    // (simulated) CPU finds the CPU free when it looks.
    wake_daemon(cpu);
}

void Softirqs::run_handlers(Cpu& cpu, uint32_t pending) {
    while (pending) {
        const unsigned nr = static_cast<unsigned>(__builtin_ctz(pending));
        pending &= pending - 1;
        const Slot& slot = slots_[nr];
        const SoftirqHandler handler = slot.handler.load(cxxrt::memory_order::acquire);
        // Deliberate difference: a raised slot without a handler is
        // skipped; Linux would call through a NULL pointer.
        if (!handler)
            continue;
        const uint64_t begin = base::now_ns();
        trace_slot(IRQLAB_EV_SOFTIRQ_ENTRY, nr);
        handler(slot.arg.load(relaxed));
        trace_slot(IRQLAB_EV_SOFTIRQ_EXIT, nr);
        SlotCounters& counters = cpu.slots[nr];
        base::bump(counters.runs);
        base::bump(counters.ns, base::now_ns() - begin);
    }
}

void Softirqs::wake_daemon(Cpu& cpu) {
    base::SpinGuard hold{cpu.daemon_lock};
    if (!cpu.wakeable)
        return;
    base::bump(cpu.counters.daemon_wakeups);
    cpu.daemon.wake();
}

void Softirqs::report_misuse(const char* what) {
    misuse_reports_.fetch_add(1, relaxed);
    irqlab_plat_log("irqlab softirq: misuse:");
    irqlab_plat_log(what);
}

SlotStats Softirqs::slot_stats(SoftirqNr nr, unsigned cpu) const {
    const SlotCounters& counters = cpus_.on(cpu).slots[static_cast<unsigned>(nr)];
    return {counters.raised.load(relaxed), counters.coalesced.load(relaxed),
            counters.runs.load(relaxed), counters.ns.load(relaxed)};
}

CpuStats Softirqs::cpu_stats(unsigned cpu) const {
    const CpuCounters& counters = cpus_.on(cpu).counters;
    CpuStats stats;
    stats.irq_exit_rounds = counters.irq_exit_rounds.load(relaxed);
    stats.bh_enable_rounds = counters.bh_enable_rounds.load(relaxed);
    stats.daemon_rounds = counters.daemon_rounds.load(relaxed);
    stats.restarts = counters.restarts.load(relaxed);
    stats.max_round_restarts = counters.max_round_restarts.load(relaxed);
    stats.daemon_wakeups = counters.daemon_wakeups.load(relaxed);
    stats.handover_time = counters.handover_time.load(relaxed);
    stats.handover_restarts = counters.handover_restarts.load(relaxed);
    stats.handover_resched = counters.handover_resched.load(relaxed);
    stats.daemon_yields = counters.daemon_yields.load(relaxed);
    stats.taken_over = counters.taken_over.load(relaxed);
    stats.daemon_displaced = counters.daemon_displaced.load(relaxed);
    return stats;
}

} // namespace irqlab::softirq
