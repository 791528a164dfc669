// Tasklets; see tasklet.h. Follows tasklet_action_common(),
// __tasklet_schedule_common() and tasklet_kill() of Linux 6.x.
#include "core/softirq/tasklet.h"

#include "core/base/cpu.h"
#include "core/base/trace.h"
#include "irqlab/platform.h"

namespace irqlab::softirq {

namespace {

constexpr auto relaxed = cxxrt::memory_order::relaxed;

bool test_and_set(Tasklet& tasklet, unsigned long bit) {
    return (tasklet.state.fetch_or(bit) & bit) != 0;
}

bool trylock(Tasklet& tasklet) {
    return !test_and_set(tasklet, tasklet_run);
}

void trace_tasklet(irqlab_engine_event_kind kind, const Tasklet& tasklet) {
    base::trace::emit(kind, [&](irqlab_engine_event& ev) {
        ev.object = &tasklet;
        ev.line = tasklet.trace_line;
        ev.function = reinterpret_cast<const void*>(tasklet.callback);
    });
}

void unlock(Tasklet& tasklet) {
    tasklet.state.fetch_and(~tasklet_run, cxxrt::memory_order::release);
}

// tasklet_clear_sched(): a queued tasklet has SCHED set; if not, someone
// cleared it under us (a broken kill), and Linux warns and skips the run.
bool clear_sched(Tasklet& tasklet) {
    if (tasklet.state.fetch_and(~tasklet_sched) & tasklet_sched)
        return true;
    irqlab_plat_log("irqlab tasklet: queued tasklet not in state SCHED");
    return false;
}

} // namespace

TaskletStats Tasklet::stats() const {
    return {counters.scheduled.load(relaxed), counters.coalesced.load(relaxed),
            counters.runs.load(relaxed), counters.requeued_disabled.load(relaxed),
            counters.requeued_busy.load(relaxed)};
}

void tasklet_setup(Tasklet& tasklet, void (*callback)(Tasklet*)) {
    tasklet.state.store(0, relaxed);
    tasklet.count.store(0, relaxed);
    tasklet.callback = callback;
}

Tasklets::~Tasklets() {
    if (!opened_)
        return;
    softirqs_.open(SoftirqNr::tasklet, nullptr, nullptr);
    softirqs_.open(SoftirqNr::hi, nullptr, nullptr);
}

bool Tasklets::init() {
    if (!lists_.init())
        return false;
    softirqs_.open(SoftirqNr::tasklet, tasklet_action, this);
    softirqs_.open(SoftirqNr::hi, hi_action, this);
    opened_ = true;
    return true;
}

void Tasklets::schedule(Tasklet& tasklet) {
    schedule_common(tasklet, &Lists::normal, SoftirqNr::tasklet);
}

void Tasklets::hi_schedule(Tasklet& tasklet) {
    schedule_common(tasklet, &Lists::hi, SoftirqNr::hi);
}

void Tasklets::schedule_common(Tasklet& tasklet, List Lists::*which, SoftirqNr nr) {
    tasklet.counters.scheduled.fetch_add(1, relaxed);
    if (test_and_set(tasklet, tasklet_sched)) {
        tasklet.counters.coalesced.fetch_add(1, relaxed);
        return;
    }
    base::IrqSaveGuard irqs_off;
    (lists_.local().*which).push_back(tasklet);
    softirqs_.raise_irqoff(nr);
}

void Tasklets::tasklet_action(void* self) {
    static_cast<Tasklets*>(self)->action_common(&Lists::normal, SoftirqNr::tasklet);
}

void Tasklets::hi_action(void* self) {
    static_cast<Tasklets*>(self)->action_common(&Lists::hi, SoftirqNr::hi);
}

void Tasklets::action_common(List Lists::*which, SoftirqNr nr) {
    List list;
    {
        base::IrqSaveGuard irqs_off;
        list.splice_back(lists_.local().*which);
    }
    // Each leaves the round's list before its callback, which may
    // schedule it again.
    while (Tasklet* first = list.pop_front()) {
        Tasklet& tasklet = *first;
        if (trylock(tasklet)) {
            if (tasklet.count.load() == 0) {
                if (clear_sched(tasklet)) {
                    tasklet.counters.runs.fetch_add(1, relaxed);
                    trace_tasklet(IRQLAB_EV_TASKLET_ENTRY, tasklet);
                    tasklet.callback(&tasklet);
                    trace_tasklet(IRQLAB_EV_TASKLET_EXIT, tasklet);
                }
                unlock(tasklet);
                continue;
            }
            unlock(tasklet);
            tasklet.counters.requeued_disabled.fetch_add(1, relaxed);
        } else {
            tasklet.counters.requeued_busy.fetch_add(1, relaxed);
        }
        // Disabled, or running on another CPU: back on this CPU's list,
        // and the softirq again, which the running round picks up.
        base::IrqSaveGuard irqs_off;
        (lists_.local().*which).push_back(tasklet);
        softirqs_.raise_irqoff_nowake(nr);
    }
}

void Tasklets::disable_nosync(Tasklet& tasklet) {
    tasklet.count.fetch_add(1);
}

void Tasklets::disable(Tasklet& tasklet) {
    disable_nosync(tasklet);
    wait_not_running(tasklet);
}

void Tasklets::enable(Tasklet& tasklet) {
    if (tasklet.count.fetch_sub(1) <= 0) {
        irqlab_plat_bug("irqlab tasklet: enable without disable");
        __builtin_trap();
    }
}

void Tasklets::kill(Tasklet& tasklet) {
    if (softirqs_.context().in_interrupt())
        irqlab_plat_log("irqlab tasklet: attempt to kill tasklet from interrupt");
    // Setting SCHED ourselves keeps anyone from scheduling it again; while
    // someone else's SCHED is set, a run is still due, which we wait for.
    while (test_and_set(tasklet, tasklet_sched)) {
        do
            irqlab_plat_cond_resched();
        while (tasklet.state.load() & tasklet_sched);
    }
    wait_not_running(tasklet);
    tasklet.state.fetch_and(~tasklet_sched);
}

void Tasklets::wait_not_running(Tasklet& tasklet) {
    // Deliberate difference: Linux sleeps in wait_var_event() and the
    // unlock wakes it; the engine polls with cond_resched(). Runs are
    // short, and the platform offers no wait-on-address.
    softirqs_.context().might_sleep("tasklet wait for a run to end");
    irqlab_plat_might_sleep();
    while (tasklet.state.load() & tasklet_run)
        irqlab_plat_cond_resched();
}

} // namespace irqlab::softirq
