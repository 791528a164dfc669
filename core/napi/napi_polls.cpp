// NAPI scheduling and polling; see napi_polls.h. Follows net/core/dev.c of
// Linux 6.12: napi_schedule_prep, __napi_schedule, napi_complete_done,
// __napi_poll, net_rx_action, napi_disable and napi_enable, without GRO,
// busy polling, threaded NAPI, netpoll and RPS.
#include "core/napi/napi_polls.h"
#include "core/base/trace.h"

#include "core/base/counter.h"
#include "core/base/cpu.h"
#include "core/base/thread.h"
#include "irqlab/platform.h"

namespace irqlab::napi {

namespace {

constexpr auto relaxed = cxxrt::memory_order::relaxed;
constexpr auto acq_rel = cxxrt::memory_order::acq_rel;
constexpr auto acquire = cxxrt::memory_order::acquire;
constexpr auto release = cxxrt::memory_order::release;

// napi_disable()'s pause between looks (usleep_range(20, 200) in Linux).
constexpr uint64_t disable_poll_ns = 20'000;

} // namespace

NapiStats Napi::stats() const {
    NapiStats stats;
    stats.schedules = counters.schedules.load(relaxed);
    stats.coalesced = counters.coalesced.load(relaxed);
    stats.refused = counters.refused.load(relaxed);
    stats.polls = counters.polls.load(relaxed);
    stats.events = counters.events.load(relaxed);
    stats.budget_exhausted = counters.budget_exhausted.load(relaxed);
    stats.completed = counters.completed.load(relaxed);
    for (unsigned i = 0; i < histogram_buckets; ++i)
        stats.histogram[i] = counters.histogram[i].load(relaxed);
    return stats;
}

bool NapiPolls::init() {
    if (!cpus_.init())
        return false;
    for (unsigned cpu = 0; cpu < base::nr_cpu_ids(); ++cpu)
        cpus_.on(cpu).cpu = cpu;
    return true;
}

void NapiPolls::add(Napi& napi, PollFn poll, int weight) {
    napi.poll = poll;
    napi.weight = weight > 0 ? weight : default_weight;
    napi.list_owner.store(~0u, relaxed);
    // Disabled until enable(), as netif_napi_add() leaves it.
    napi.state.store(napi_sched, relaxed);
}

void NapiPolls::del(Napi& napi) {
    if (!(napi.state.load(acquire) & napi_sched) || PollList::linked(napi))
        irqlab_plat_log("irqlab napi: del of an instance that is not disabled");
    napi.poll = nullptr;
}

bool NapiPolls::schedule_prep(Napi& napi) {
    unsigned long old = napi.state.load(relaxed);
    unsigned long next;
    do {
        if (old & napi_disable) {
            napi.counters.refused.fetch_add(1, relaxed);
            return false;
        }
        // Already scheduled: MISSED makes the poll run once more after
        // the driver completes, so this event is not lost.
        next = old | napi_sched | ((old & napi_sched) ? napi_missed : 0);
    } while (!napi.state.compare_exchange_weak(old, next, acq_rel, relaxed));
    if (old & napi_sched) {
        napi.counters.coalesced.fetch_add(1, relaxed);
        return false;
    }
    return true;
}

bool NapiPolls::schedule(Napi& napi) {
    napi.counters.schedules.fetch_add(1, relaxed);
    if (!schedule_prep(napi))
        return false;
    queue(napi);
    return true;
}

void NapiPolls::queue(Napi& napi) {
    base::IrqSaveGuard irqs_off;
    Cpu& cpu = cpus_.local();
    cpu.poll_list.push_back(napi);
    napi.list_owner.store(cpu.cpu, relaxed);
    // net_rx_action running here looks at the list again before it ends.
    if (!cpu.in_net_rx_action.load(relaxed))
        softirqs_.raise_irqoff(softirq::SoftirqNr::net_rx);
}

bool NapiPolls::complete_done(Napi& napi, int work_done) {
    // Linux flushes GRO and arms the deferred-IRQ timer with work_done;
    // the engine has neither.
    (void)work_done;
    if (PollList::linked(napi)) {
        base::IrqSaveGuard irqs_off;
        PollList::remove(napi);
    }
    napi.list_owner.store(~0u, relaxed);
    unsigned long old = napi.state.load(relaxed);
    unsigned long next;
    do {
        if (!(old & napi_sched))
            irqlab_plat_log("irqlab napi: complete_done of an instance not scheduled");
        // MISSED keeps SCHED: the poll runs one more time.
        next = old & ~(napi_missed | napi_sched);
        if (old & napi_missed)
            next |= napi_sched;
    } while (!napi.state.compare_exchange_weak(old, next, acq_rel, relaxed));
    if (old & napi_missed) {
        queue(napi);
        return false;
    }
    napi.counters.completed.fetch_add(1, relaxed);
    return true;
}

int NapiPolls::poll(Cpu& cpu, Napi& napi, PollList& repoll) {
    napi.in_poll.fetch_add(1, relaxed);
    const int work = poll_once(cpu, napi, repoll);
    // The last touch: disable() may return (and the owner free it) now.
    napi.in_poll.fetch_sub(1, release);
    return work;
}

int NapiPolls::poll_once(Cpu& cpu, Napi& napi, PollList& repoll) {
    PollList::remove(napi);
    const int weight = napi.weight;
    int work = 0;
    if ((napi.state.load(acquire) & napi_sched) && napi.poll) {
        base::trace::emit(IRQLAB_EV_POLL_START, [&](irqlab_engine_event& ev) {
            ev.object = &napi;
            ev.line = napi.trace_line;
            ev.budget = static_cast<unsigned>(weight);
        });
        work = napi.poll(&napi, weight);
        base::trace::emit(IRQLAB_EV_POLL_END, [&](irqlab_engine_event& ev) {
            ev.object = &napi;
            ev.line = napi.trace_line;
            ev.budget = static_cast<unsigned>(weight);
            ev.ret = work;
        });
    }
    // Atomic adds: the driver may have completed the poll already, and
    // another CPU's round may be counting too.
    napi.counters.polls.fetch_add(1, relaxed);
    napi.counters.events.fetch_add(work > 0 ? static_cast<uint64_t>(work) : 0, relaxed);
    napi.counters.histogram[histogram_bucket(work)].fetch_add(1, relaxed);
    if (work > weight) {
        // Linux warns once per driver; here it is counted.
        base::bump(cpu.over_weight);
        irqlab_plat_log("irqlab napi: poll returned more than its weight");
    }
    if (work < weight)
        return work;
    // The whole weight used: the driver left the state to us, and the
    // instance stays scheduled, at the end of the line.
    napi.counters.budget_exhausted.fetch_add(1, relaxed);
    if (napi.state.load(acquire) & napi_disable) {
        // A disable waits: end the scheduled period here (napi_complete).
        complete_done(napi, 0);
        return work;
    }
    if (PollList::linked(napi)) {
        irqlab_plat_log("irqlab napi: budget exhausted after the poll rescheduled");
        return work;
    }
    repoll.push_back(napi);
    return work;
}

void NapiPolls::net_rx_action() {
    Cpu& cpu = cpus_.local();
    base::bump(cpu.rounds);
    const Budget limit = budget();
    // Deliberate difference: the time limit is on the monotonic clock in
    // ns, not in jiffies (Linux rounds netdev_budget_usecs up to at least
    // one jiffy).
    const uint64_t time_limit = base::now_ns() + limit.usecs * 1000;
    int budget = limit.events;
    PollList list;
    PollList repoll;

    bool more = true;
    while (more) {
        cpu.in_net_rx_action.store(true, relaxed);
        {
            base::IrqSaveGuard irqs_off;
            list.splice_back(cpu.poll_list);
        }
        for (;;) {
            if (list.empty()) {
                if (repoll.empty()) {
                    // Deliberate difference: Linux re-checks the poll list
                    // without masking interrupts (one CPU, a compiler
                    // barrier); hosted, other threads share the CPU, so
                    // the check is made with interrupts off.
                    base::IrqSaveGuard irqs_off;
                    cpu.in_net_rx_action.store(false, relaxed);
                    if (!cpu.poll_list.empty())
                        break; // scheduled meanwhile: start over
                    return;
                }
                more = false;
                break;
            }
            budget -= poll(cpu, *list.front(), repoll);
            if (budget <= 0 || base::now_ns() >= time_limit) {
                // As Linux, counted whenever the round is cut short, even
                // if what was left turns out to be nothing.
                base::bump(cpu.time_squeeze);
                more = false;
                break;
            }
        }
    }

    base::IrqSaveGuard irqs_off;
    list.splice_back(cpu.poll_list);
    list.splice_back(repoll);
    cpu.poll_list.splice_back(list);
    if (!cpu.poll_list.empty())
        softirqs_.raise_irqoff_nowake(softirq::SoftirqNr::net_rx);
    else
        cpu.in_net_rx_action.store(false, relaxed);
}

void NapiPolls::disable(Napi& napi) {
    softirqs_.context().might_sleep("napi_disable");
    irqlab_plat_might_sleep();
    napi.state.fetch_or(napi_disable, acq_rel);
    unsigned long old = napi.state.load(acquire);
    for (;;) {
        while (old & napi_sched) {
            // Deliberate difference: Linux sleeps 20-200 us per look; the
            // engine sleeps 20 us on its monotonic clock.
            base::Thread::sleep_ns(disable_poll_ns);
            old = napi.state.load(acquire);
        }
        if (napi.state.compare_exchange_weak(old, old | napi_sched, acq_rel, acquire))
            break;
    }
    // Deliberate difference: Linux's napi_poll() may still touch the
    // instance after the driver completed it, and an owner frees it only
    // after an RCU grace period (synchronize_net). The engine has no RCU:
    // disable() also waits until net_rx_action let go of it.
    while (napi.in_poll.load(acquire) != 0)
        base::Thread::sleep_ns(disable_poll_ns);
    napi.state.fetch_and(~napi_disable, acq_rel);
}

void NapiPolls::enable(Napi& napi) {
    unsigned long old = napi.state.load(relaxed);
    if (!(old & napi_sched)) {
        irqlab_plat_bug("irqlab napi: enable of an instance that is not disabled");
        __builtin_trap();
    }
    // MISSED stays, as in Linux: an event that arrived while disabled
    // costs one more poll after the next schedule.
    while (!napi.state.compare_exchange_weak(old, old & ~napi_sched, acq_rel, relaxed)) {
    }
}

void NapiPolls::set_budget(Budget budget) {
    budget_events_.store(budget.events, relaxed);
    budget_usecs_.store(budget.usecs, relaxed);
}

NapiPolls::Budget NapiPolls::budget() const {
    return {budget_events_.load(relaxed), budget_usecs_.load(relaxed)};
}

NapiCpuStats NapiPolls::cpu_stats(unsigned cpu) const {
    const Cpu& state = cpus_.on(cpu);
    return {state.rounds.load(relaxed), state.time_squeeze.load(relaxed),
            state.over_weight.load(relaxed)};
}

void NapiPolls::take_over(unsigned dead_cpu) {
    base::IrqSaveGuard irqs_off;
    Cpu& dead = cpus_.on(dead_cpu);
    Cpu& here = cpus_.local();
    // A round cut short leaves in_net_rx_action set and NET_RX raised for
    // the next round. Linux leaves that raise pending on the dead CPU, and
    // the round it runs once back clears the flag. Deliberate difference:
    // the engine takes a dead CPU's pending softirqs over
    // (Softirqs::take_over_pending), so the flag is cleared here, or every
    // schedule on the CPU back online would skip its raise and wait on
    // its list for a round that never comes.
    dead.in_net_rx_action.store(false, relaxed);
    if (dead.poll_list.empty())
        return;
    // Each keeps its SCHED bit: scheduled once, polled here.
    for (Napi& napi : dead.poll_list)
        napi.list_owner.store(here.cpu, relaxed);
    here.poll_list.splice_back(dead.poll_list);
    if (!here.in_net_rx_action.load(relaxed))
        softirqs_.raise_irqoff(softirq::SoftirqNr::net_rx);
}

} // namespace irqlab::napi
