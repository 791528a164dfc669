// CPU hotplug through the engine's three steps (core/engine/engine.h): each
// case takes a CPU down and up with irqlab_plat_cpu_cycle(), which is a real
// remove_cpu()/add_cpu() under KUnit (lockdep, KASAN, kmemleak) and a
// simulated CPU hosted. Work is left on the dying CPU from inside its
// teardown, after the engine parked the CPU's threads, so nothing can run
// it there: only the takeover can, and it must run exactly once.
#include "tests/cases/ktest.h"

#include "core/base/completion.h"
#include "core/base/cpu.h"
#include "core/base/thread.h"
#include "core/engine/engine.h"
#include "cxxrt/atomic.h"
#include "cxxrt/new.h"
#include "cxxrt/unique_ptr.h"

namespace {

using namespace irqlab;
using softirq::SoftirqNr;

constexpr uint64_t ms = 1'000'000ull;
constexpr uint64_t wait_limit = 10'000 * ms;
constexpr auto relaxed = cxxrt::memory_order::relaxed;
constexpr unsigned no_cpu = ~0u;

template <typename Pred>
bool wait_for(Pred pred) {
    const uint64_t end = base::now_ns() + wait_limit;
    while (!pred()) {
        if (base::now_ns() >= end)
            return false;
        base::Thread::sleep_ns(ms);
    }
    return true;
}

// The highest online CPU but 0 (the boot CPU stays), or no_cpu.
unsigned victim_cpu() {
    for (unsigned cpu = base::nr_cpu_ids(); cpu-- > 1;)
        if (base::cpu_online(cpu))
            return cpu;
    return no_cpu;
}

// Something that ran: how often, where, and a completion for the first.
struct Ran {
    cxxrt::atomic<unsigned> runs{0};
    cxxrt::atomic<unsigned> cpu{no_cpu};
    base::Completion done;

    bool init() { return done.init(cxxrt::may_sleep_ctx); }
    void note() {
        cpu.store(base::cpu_id(), relaxed);
        if (runs.fetch_add(1) == 0)
            done.complete();
    }
    bool wait() { return done.wait(wait_limit) == base::WaitResult::completed; }
};

struct Rig;
using Hook = void (*)(Rig& rig, unsigned cpu);

// One engine, the hotplug steps calling it, and what a case hooks in.
struct Rig {
    engine::Engine engine;
    // After the engine's own down_prep, on the dying CPU.
    Hook after_down_prep = nullptr;
    Hook while_offline = nullptr;
    cxxrt::atomic<bool> online_ok{false};
    cxxrt::atomic<unsigned> dead_on{no_cpu};
    // Observed while the CPU was offline.
    cxxrt::atomic<bool> daemon_parked{false};
    cxxrt::atomic<bool> timer_parked{false};
    cxxrt::atomic<uint32_t> observed{0};
    void* data = nullptr;

    static void online(void* self, unsigned cpu) {
        auto& rig = *static_cast<Rig*>(self);
        rig.online_ok.store(rig.engine.cpu_online(cpu));
    }
    static void down_prep(void* self, unsigned cpu) {
        auto& rig = *static_cast<Rig*>(self);
        rig.engine.cpu_down_prep(cpu);
        if (rig.after_down_prep)
            rig.after_down_prep(rig, cpu);
    }
    static void dead(void* self, unsigned cpu) {
        auto& rig = *static_cast<Rig*>(self);
        rig.dead_on.store(base::cpu_id());
        rig.engine.cpu_dead(cpu);
    }
    static void offline(void* self, unsigned cpu) {
        auto& rig = *static_cast<Rig*>(self);
        rig.daemon_parked.store(rig.engine.softirqs().daemon_parked(cpu));
        rig.timer_parked.store(rig.engine.timers().thread_parked(cpu));
        if (rig.while_offline)
            rig.while_offline(rig, cpu);
    }

    int cycle(unsigned cpu) {
        static constexpr irqlab_hotplug_ops ops{online, down_prep, dead, offline};
        return irqlab_plat_cpu_cycle(cpu, &ops, this);
    }
};

cxxrt::unique_ptr<Rig> make_rig() {
    cxxrt::unique_ptr<Rig> rig{new (cxxrt::may_sleep_ctx) Rig{}};
    if (rig && !rig->engine.init())
        rig.reset();
    return rig;
}

// A test thread's end once it did its part on its CPU.
int idle_until_stopped() {
    while (!base::Thread::should_stop())
        base::Thread::sleep_until([] { return false; });
    return 0;
}

// A probe (a NAPI instance first, then its rig) added to the rig's engine,
// enabled, and the rig's data.
template <typename Probe>
void install_napi_probe(Rig& rig, Probe& probe, napi::PollFn poll) {
    probe.rig = &rig;
    rig.engine.napi().add(probe.napi, poll);
    rig.engine.napi().enable(probe.napi);
    rig.data = &probe;
}

// The CPU came back whole: threads unparked, and a tasklet scheduled there
// runs there.
struct HereProbe {
    Rig* rig;
    softirq::Tasklet tasklet;
    Ran ran;

    static void callback(softirq::Tasklet* tasklet) {
        reinterpret_cast<HereProbe*>(tasklet->data)->ran.note();
    }
    static int schedule_there(void* self) {
        auto* probe = static_cast<HereProbe*>(self);
        probe->rig->engine.tasklets().schedule(probe->tasklet);
        return idle_until_stopped();
    }
};

void hotplug_daemons_park_and_come_back(irqlab_ktest_ctx* ctx) {
    const unsigned cpu = victim_cpu();
    if (cpu == no_cpu)
        return; // one CPU: nothing can go offline
    cxxrt::unique_ptr<Rig> rig = make_rig();
    KT_ASSERT(ctx, rig);
    KT_ASSERT(ctx, rig->cycle(cpu) == 0);
    KT_EXPECT(ctx, rig->daemon_parked.load());
    KT_EXPECT(ctx, rig->timer_parked.load());
    KT_EXPECT(ctx, rig->online_ok.load());
    KT_EXPECT(ctx, rig->dead_on.load() != cpu);
    KT_EXPECT(ctx, !rig->engine.softirqs().daemon_parked(cpu));
    KT_EXPECT(ctx, !rig->engine.timers().thread_parked(cpu));

    // The daemon is woken by a schedule from process context there.
    auto* probe = new (cxxrt::may_sleep_ctx) HereProbe{};
    KT_ASSERT(ctx, probe && probe->ran.init());
    probe->rig = rig.get();
    softirq::tasklet_setup(probe->tasklet, HereProbe::callback);
    probe->tasklet.data = probe;
    base::Thread thread;
    KT_EXPECT(ctx, thread.start(HereProbe::schedule_there, probe, cpu, "irqlab-test"));
    KT_EXPECT(ctx, probe->ran.wait());
    thread.stop();
    KT_EXPECT(ctx, probe->ran.runs.load() == 1);
    KT_EXPECT(ctx, probe->ran.cpu.load() == cpu);
    rig->engine.tasklets().kill(probe->tasklet);
    delete probe;
}

// Tasklets (normal and HI) queued on the dying CPU after its daemon was
// parked: taken over, each runs once, elsewhere.
struct TaskletProbe {
    softirq::Tasklet normal;
    softirq::Tasklet hi;
    Ran normal_ran;
    Ran hi_ran;

    static void normal_fn(softirq::Tasklet* t) {
        static_cast<TaskletProbe*>(t->data)->normal_ran.note();
    }
    static void hi_fn(softirq::Tasklet* t) { static_cast<TaskletProbe*>(t->data)->hi_ran.note(); }
};

void hotplug_tasklets_of_a_dead_cpu_run_once_elsewhere(irqlab_ktest_ctx* ctx) {
    const unsigned cpu = victim_cpu();
    if (cpu == no_cpu)
        return;
    cxxrt::unique_ptr<Rig> rig = make_rig();
    KT_ASSERT(ctx, rig);
    auto* probe = new (cxxrt::may_sleep_ctx) TaskletProbe{};
    KT_ASSERT(ctx, probe && probe->normal_ran.init() && probe->hi_ran.init());
    softirq::tasklet_setup(probe->normal, TaskletProbe::normal_fn);
    softirq::tasklet_setup(probe->hi, TaskletProbe::hi_fn);
    probe->normal.data = probe->hi.data = probe;
    rig->data = probe;
    rig->after_down_prep = [](Rig& r, unsigned) {
        auto* p = static_cast<TaskletProbe*>(r.data);
        r.engine.tasklets().schedule(p->normal);
        r.engine.tasklets().hi_schedule(p->hi);
    };
    rig->while_offline = [](Rig& r, unsigned) {
        // Not before the takeover: waits until it ran (it must).
        auto* p = static_cast<TaskletProbe*>(r.data);
        p->normal_ran.wait();
        p->hi_ran.wait();
    };
    KT_ASSERT(ctx, rig->cycle(cpu) == 0);
    KT_EXPECT(ctx, probe->normal_ran.runs.load() == 1);
    KT_EXPECT(ctx, probe->hi_ran.runs.load() == 1);
    KT_EXPECT(ctx, probe->normal_ran.cpu.load() != cpu);
    KT_EXPECT(ctx, probe->hi_ran.cpu.load() != cpu);
    KT_EXPECT(ctx, probe->normal.scheduled() == 1 && probe->normal.coalesced() == 0);
    rig->engine.tasklets().kill(probe->normal);
    rig->engine.tasklets().kill(probe->hi);
    delete probe;
}

// Softirq work units raised on the dying CPU: done elsewhere, all of them.
void hotplug_softirq_work_of_a_dead_cpu_is_taken_over(irqlab_ktest_ctx* ctx) {
    constexpr unsigned units = 50;
    const unsigned cpu = victim_cpu();
    if (cpu == no_cpu)
        return;
    cxxrt::unique_ptr<Rig> rig = make_rig();
    KT_ASSERT(ctx, rig);
    rig->after_down_prep = [](Rig& r, unsigned) {
        // As a hardirq adds them; from process context the parked daemon
        // is not woken, so they stay pending on the dying CPU.
        base::IrqSaveGuard irqs_off;
        r.engine.backlog().add(SoftirqNr::block, units);
    };
    rig->while_offline = [](Rig& r, unsigned dead) {
        // Pending no more on the dead CPU.
        r.observed.store(r.engine.softirqs().pending_on(dead));
    };
    KT_ASSERT(ctx, rig->cycle(cpu) == 0);
    KT_EXPECT(ctx, rig->observed.load() == 0);
    const auto done = [&] {
        uint64_t total = 0;
        for (unsigned c = 0; c < base::nr_cpu_ids(); ++c)
            total += rig->engine.backlog().counts(SoftirqNr::block, c).done;
        return total;
    };
    KT_EXPECT(ctx, wait_for([&] { return done() == units; }));
    KT_EXPECT(ctx, rig->engine.backlog().counts(SoftirqNr::block, cpu).done == 0);
    KT_EXPECT(ctx, rig->engine.backlog().counts(SoftirqNr::block, cpu).queued == 0);
    uint64_t taken_over = 0;
    for (unsigned c = 0; c < base::nr_cpu_ids(); ++c)
        taken_over += rig->engine.softirqs().cpu_stats(c).taken_over;
    KT_EXPECT(ctx, taken_over >= 1);
}

// A timer armed on the dying CPU after its thread was parked: moved, and it
// fires once, elsewhere.
struct TimerProbe {
    timer::Timer timer; // first: the callback finds the probe from it
    Ran ran;
    static void callback(timer::Timer* t) { reinterpret_cast<TimerProbe*>(t)->ran.note(); }
};

void hotplug_timers_of_a_dead_cpu_fire_once_elsewhere(irqlab_ktest_ctx* ctx) {
    const unsigned cpu = victim_cpu();
    if (cpu == no_cpu)
        return;
    cxxrt::unique_ptr<Rig> rig = make_rig();
    KT_ASSERT(ctx, rig);
    auto* probe = new (cxxrt::may_sleep_ctx) TimerProbe{};
    KT_ASSERT(ctx, probe && probe->ran.init());
    timer::timer_setup(probe->timer, TimerProbe::callback);
    rig->data = probe;
    rig->after_down_prep = [](Rig& r, unsigned dying) {
        auto* p = static_cast<TimerProbe*>(r.data);
        r.engine.timers().mod_on(p->timer, base::now_ns() + ms, dying);
    };
    rig->while_offline = [](Rig& r, unsigned) { static_cast<TimerProbe*>(r.data)->ran.wait(); };
    KT_ASSERT(ctx, rig->cycle(cpu) == 0);
    KT_EXPECT(ctx, probe->ran.runs.load() == 1);
    KT_EXPECT(ctx, probe->ran.cpu.load() != cpu);
    KT_EXPECT(ctx, !rig->engine.timers().pending(probe->timer));
    uint64_t taken_over = 0;
    for (unsigned c = 0; c < base::nr_cpu_ids(); ++c)
        taken_over += rig->engine.timers().taken_over(c);
    KT_EXPECT(ctx, taken_over == 1);
    rig->engine.timers().del_sync(probe->timer);
    delete probe;
}

// A NAPI instance scheduled on the dying CPU: its poll runs once, elsewhere
// (dev_cpu_dead()).
struct NapiProbe {
    napi::Napi napi; // first: the poll finds the probe from it
    Rig* rig = nullptr;
    Ran ran;

    static int poll(napi::Napi* n, int) {
        auto* probe = reinterpret_cast<NapiProbe*>(n);
        probe->ran.note();
        probe->rig->engine.napi().complete_done(*n, 0);
        return 0;
    }
};

void hotplug_napi_poll_of_a_dead_cpu_runs_once_elsewhere(irqlab_ktest_ctx* ctx) {
    const unsigned cpu = victim_cpu();
    if (cpu == no_cpu)
        return;
    cxxrt::unique_ptr<Rig> rig = make_rig();
    KT_ASSERT(ctx, rig);
    auto* probe = new (cxxrt::may_sleep_ctx) NapiProbe{};
    KT_ASSERT(ctx, probe && probe->ran.init());
    install_napi_probe(*rig, *probe, NapiProbe::poll);
    rig->after_down_prep = [](Rig& r, unsigned) {
        base::IrqSaveGuard irqs_off; // as from the device's hardirq
        r.engine.napi().schedule(static_cast<NapiProbe*>(r.data)->napi);
    };
    rig->while_offline = [](Rig& r, unsigned) { static_cast<NapiProbe*>(r.data)->ran.wait(); };
    KT_ASSERT(ctx, rig->cycle(cpu) == 0);
    // The poll noted its run before it returned, and its round counts it
    // after: disable() waits for the round to let go of it.
    rig->engine.napi().disable(probe->napi);
    KT_EXPECT(ctx, probe->ran.runs.load() == 1);
    KT_EXPECT(ctx, probe->ran.cpu.load() != cpu);
    KT_EXPECT(ctx, probe->napi.stats().polls == 1 && probe->napi.stats().completed == 1);
    rig->engine.napi().del(probe->napi);
    delete probe;
}

// A CPU that goes down with a NET_RX round cut short (its budget spent,
// an instance left for the next round, which the parked daemon never
// runs) comes back with no round in progress: a schedule there raises
// NET_RX again, and the poll runs there. The engine takes a dead CPU's
// pending softirqs over (Linux leaves the bit set on the dead CPU, and
// the round it runs once back clears in_net_rx_action).
struct CutShortProbe {
    napi::Napi napi; // first: the poll finds the probe from it
    Rig* rig = nullptr;
    cxxrt::atomic<unsigned> polls{0};
    Ran back; // the poll after the CPU came back

    static int poll(napi::Napi* n, int weight) {
        auto* probe = reinterpret_cast<CutShortProbe*>(n);
        const unsigned nth = probe->polls.fetch_add(1);
        if (nth == 0)
            return weight; // the whole weight: the round's budget is spent
        if (nth >= 2)
            probe->back.note();
        probe->rig->engine.napi().complete_done(*n, 0);
        return 0;
    }
    static int schedule_there(void* self) {
        auto* probe = static_cast<CutShortProbe*>(self);
        {
            base::IrqSaveGuard irqs_off; // as from the device's hardirq
            probe->rig->engine.napi().schedule(probe->napi);
        }
        return idle_until_stopped();
    }
};

void hotplug_napi_round_cut_short_by_the_offline_ends_there(irqlab_ktest_ctx* ctx) {
    const unsigned cpu = victim_cpu();
    if (cpu == no_cpu)
        return;
    cxxrt::unique_ptr<Rig> rig = make_rig();
    KT_ASSERT(ctx, rig);
    auto* probe = new (cxxrt::may_sleep_ctx) CutShortProbe{};
    KT_ASSERT(ctx, probe && probe->back.init());
    install_napi_probe(*rig, *probe, CutShortProbe::poll);
    rig->engine.napi().set_budget({1, 2000});
    // The round that was running on the CPU as it went down, after its
    // daemon parked: cut short, NET_RX raised again for the next one.
    rig->after_down_prep = [](Rig& r, unsigned) {
        base::IrqSaveGuard irqs_off;
        r.engine.napi().schedule(static_cast<CutShortProbe*>(r.data)->napi);
        r.engine.napi().net_rx_action();
    };
    KT_ASSERT(ctx, rig->cycle(cpu) == 0);
    // Taken over: polled and completed elsewhere.
    KT_EXPECT(ctx, wait_for([&] { return probe->polls.load() == 2; }));
    base::Thread thread;
    KT_EXPECT(ctx, thread.start(CutShortProbe::schedule_there, probe, cpu, "irqlab-test"));
    const bool ran_back = probe->back.wait();
    thread.stop();
    KT_EXPECT(ctx, ran_back);
    if (!ran_back) {
        // Scheduled with no round to run it: neither disable() nor the
        // engine's end could take the instance back. Leave both.
        (void)rig.release();
        return;
    }
    rig->engine.napi().disable(probe->napi);
    KT_EXPECT(ctx, probe->polls.load() == 3);
    KT_EXPECT(ctx, probe->back.cpu.load() == cpu);
    rig->engine.napi().del(probe->napi);
    delete probe;
}

// Work items queued on the CPU's pool before, while and after it goes:
// each runs exactly once; once the CPU is back, its pool's items run there.
struct WorkProbe {
    static constexpr unsigned items = 48;
    struct Item {
        workqueue::Work work; // first: the function finds the item from it
        cxxrt::atomic<unsigned> runs{0};
        cxxrt::atomic<unsigned> cpu{no_cpu};
    } item[items];
    workqueue::Workqueue* wq = nullptr;

    static void fn(workqueue::Work* work) {
        auto* item = reinterpret_cast<Item*>(work);
        item->cpu.store(base::cpu_id(), relaxed);
        item->runs.fetch_add(1);
    }
    void queue(Rig& rig, unsigned cpu, unsigned from, unsigned to) {
        for (unsigned i = from; i < to; ++i)
            rig.engine.workqueues().queue_work_on(cpu, wq, item[i].work);
    }
};

void hotplug_worker_pools_unbind_and_rebind(irqlab_ktest_ctx* ctx) {
    const unsigned cpu = victim_cpu();
    if (cpu == no_cpu)
        return;
    cxxrt::unique_ptr<Rig> rig = make_rig();
    KT_ASSERT(ctx, rig);
    auto* probe = new (cxxrt::may_sleep_ctx) WorkProbe{};
    KT_ASSERT(ctx, probe);
    for (auto& item : probe->item)
        workqueue::init_work(item.work, WorkProbe::fn);
    probe->wq = rig->engine.workqueues().alloc_workqueue("irqlab-hotplug", 0, 0);
    KT_ASSERT(ctx, probe->wq);
    rig->data = probe;
    constexpr unsigned third = WorkProbe::items / 3;
    probe->queue(*rig, cpu, 0, third);
    rig->after_down_prep = [](Rig& r, unsigned dying) {
        static_cast<WorkProbe*>(r.data)->queue(r, dying, third, 2 * third);
    };
    rig->while_offline = [](Rig& r, unsigned dead) {
        static_cast<WorkProbe*>(r.data)->queue(r, dead, 2 * third, WorkProbe::items - 8);
    };
    KT_ASSERT(ctx, rig->cycle(cpu) == 0);
    rig->engine.workqueues().flush_workqueue(probe->wq);
    for (unsigned i = 0; i < WorkProbe::items - 8; ++i)
        KT_EXPECT(ctx, probe->item[i].runs.load() == 1);

    // Rebound: what is queued there now runs there.
    probe->queue(*rig, cpu, WorkProbe::items - 8, WorkProbe::items);
    rig->engine.workqueues().flush_workqueue(probe->wq);
    for (unsigned i = WorkProbe::items - 8; i < WorkProbe::items; ++i) {
        KT_EXPECT(ctx, probe->item[i].runs.load() == 1);
        KT_EXPECT(ctx, probe->item[i].cpu.load() == cpu);
    }
    rig->engine.workqueues().destroy_workqueue(probe->wq);
    delete probe;
}

constexpr irqlab_ktest_case cases[] = {
    {"hotplug_daemons_park_and_come_back", hotplug_daemons_park_and_come_back},
    {"hotplug_tasklets_of_a_dead_cpu_run_once_elsewhere",
     hotplug_tasklets_of_a_dead_cpu_run_once_elsewhere},
    {"hotplug_softirq_work_of_a_dead_cpu_is_taken_over",
     hotplug_softirq_work_of_a_dead_cpu_is_taken_over},
    {"hotplug_timers_of_a_dead_cpu_fire_once_elsewhere",
     hotplug_timers_of_a_dead_cpu_fire_once_elsewhere},
    {"hotplug_napi_poll_of_a_dead_cpu_runs_once_elsewhere",
     hotplug_napi_poll_of_a_dead_cpu_runs_once_elsewhere},
    {"hotplug_napi_round_cut_short_by_the_offline_ends_there",
     hotplug_napi_round_cut_short_by_the_offline_ends_there},
    {"hotplug_worker_pools_unbind_and_rebind", hotplug_worker_pools_unbind_and_rebind},
};

} // namespace

extern "C" constinit const irqlab_ktest_suite irqlab_ktest_hotplug_suite =
    ktest::suite("irqlab_hotplug", cases);
