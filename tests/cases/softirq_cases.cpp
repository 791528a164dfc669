// Engine softirqs against the host's own contexts: what an engine irq_exit()
// leaves pending runs in the host's bottom half with interrupts on, and a
// hardirq nested in that round leaves its work to it. Kernel CPUs under
// KUnit (lockdep, KASAN), simulated ones hosted.
#include "tests/cases/ktest.h"
#include "tests/cases/on_each_cpu.h"

#include "core/base/cpu.h"
#include "core/engine/context.h"
#include "core/softirq/softirqs.h"
#include "cxxrt/atomic.h"
#include "cxxrt/unique_ptr.h"

namespace {

using namespace irqlab;
using softirq::SoftirqNr;

constexpr uint64_t ten_seconds = 10'000'000'000ull;

struct PerCpuProbe {
    cxxrt::atomic<unsigned> outer_runs{0};
    cxxrt::atomic<unsigned> inner_runs{0};
    cxxrt::atomic<unsigned> runs_irqs_off{0};
    cxxrt::atomic<unsigned> runs_not_serving{0};
    // Inner runs seen right after the nested hardirq's irq_exit().
    cxxrt::atomic<int> inner_after_nested_exit{-1};
    cxxrt::atomic<unsigned> outer_before_host_exit{0};
};

// An engine of its own per case: context and softirqs with daemons. On
// the heap: too big for a kernel stack frame.
struct Rig {
    engine::Context context;
    softirq::Softirqs softirqs{context};
    PerCpuProbe* probes = nullptr;
    unsigned cpu_slots = 0;
    bool nest = false;
    // The outer slot raises itself again until it ran this often.
    unsigned storm_runs = 1;

    bool init() {
        cpu_slots = base::nr_cpu_ids();
        probes = new (cxxrt::may_sleep_ctx) PerCpuProbe[cpu_slots];
        if (!probes || !context.init() || !softirqs.init())
            return false;
        softirqs.open(SoftirqNr::block, outer, this);
        softirqs.open(SoftirqNr::net_rx, inner, this);
        return softirqs.start_daemons();
    }
    ~Rig() {
        softirqs.stop_daemons();
        delete[] probes;
    }

    // An engine hardirq on this CPU, as the glue enters it from the host's.
    void hardirq(SoftirqNr raise) {
        base::IrqSaveGuard irqs_off;
        context.add(engine::hardirq_offset);
        softirqs.raise_irqoff(raise);
        context.sub(engine::hardirq_offset);
        softirqs.irq_exit();
    }

    PerCpuProbe& note_run() {
        PerCpuProbe& probe = probes[base::cpu_id()];
        if (base::irqs_disabled())
            probe.runs_irqs_off.fetch_add(1);
        if (!context.in_serving_softirq())
            probe.runs_not_serving.fetch_add(1);
        return probe;
    }

    static void outer(void* arg) {
        auto* rig = static_cast<Rig*>(arg);
        PerCpuProbe& probe = rig->note_run();
        if (rig->nest && probe.outer_runs.load() == 0) {
            rig->hardirq(SoftirqNr::net_rx);
            probe.inner_after_nested_exit.store(static_cast<int>(probe.inner_runs.load()));
        }
        if (probe.outer_runs.fetch_add(1) + 1 < rig->storm_runs)
            rig->softirqs.raise(SoftirqNr::block);
    }

    static void inner(void* arg) { static_cast<Rig*>(arg)->note_run().inner_runs.fetch_add(1); }

    static void fire_one(void* arg, unsigned cpu) {
        auto* rig = static_cast<Rig*>(arg);
        PerCpuProbe& probe = rig->probes[cpu];
        {
            base::IrqSaveGuard host_hardirq;
            rig->hardirq(SoftirqNr::block);
            probe.outer_before_host_exit.store(probe.outer_runs.load());
        }
        const uint64_t deadline = base::now_ns() + ten_seconds;
        while (probe.outer_runs.load() < rig->storm_runs && base::now_ns() < deadline)
            irqlab_plat_cond_resched();
    }
};

cxxrt::unique_ptr<Rig> make_rig(bool nest, unsigned storm_runs = 1) {
    cxxrt::unique_ptr<Rig> rig{new (cxxrt::may_sleep_ctx) Rig};
    if (rig && !rig->init())
        rig.reset();
    if (rig) {
        rig->nest = nest;
        rig->storm_runs = storm_runs;
    }
    return rig;
}

void check_rounds(irqlab_ktest_ctx* ctx, Rig& rig, unsigned cpus) {
    KT_EXPECT(ctx, cpus > 0);
    for (unsigned cpu = 0; cpu < rig.cpu_slots; ++cpu) {
        if (!base::cpu_online(cpu))
            continue;
        // Counted by the CPU it ran on: each CPU fired once.
        const PerCpuProbe& probe = rig.probes[cpu];
        KT_EXPECT(ctx, probe.outer_runs.load() == rig.storm_runs);
        // Not inside the host's hardirq, nor with interrupts off.
        KT_EXPECT(ctx, probe.outer_before_host_exit.load() == 0);
        KT_EXPECT(ctx, probe.runs_irqs_off.load() == 0);
        KT_EXPECT(ctx, probe.runs_not_serving.load() == 0);
        KT_EXPECT(ctx, rig.softirqs.cpu_stats(cpu).irq_exit_rounds == 1);
        KT_EXPECT(ctx, rig.softirqs.pending_on(cpu) == 0);
        KT_EXPECT(ctx, rig.context.word_on(cpu) == 0);
    }
}

void softirq_irq_exit_round_runs_with_interrupts_on(irqlab_ktest_ctx* ctx) {
    cxxrt::unique_ptr<Rig> rig = make_rig(false);
    KT_ASSERT(ctx, rig);
    check_rounds(ctx, *rig, ktest::on_each_cpu(Rig::fire_one, rig.get()));
}

void softirq_nested_hardirq_leaves_its_work_to_the_round(irqlab_ktest_ctx* ctx) {
    cxxrt::unique_ptr<Rig> rig = make_rig(true);
    KT_ASSERT(ctx, rig);
    check_rounds(ctx, *rig, ktest::on_each_cpu(Rig::fire_one, rig.get()));
    for (unsigned cpu = 0; cpu < rig->cpu_slots; ++cpu) {
        if (!base::cpu_online(cpu))
            continue;
        const PerCpuProbe& probe = rig->probes[cpu];
        // The nested irq_exit() processed nothing; the round restarted
        // once for the slot the nested hardirq raised or, had its time run
        // out or a task wanted the CPU (scheduling, in the kernel), handed
        // it over to the daemon once.
        const auto stats = rig->softirqs.cpu_stats(cpu);
        KT_EXPECT(ctx, probe.inner_after_nested_exit.load() == 0);
        KT_EXPECT(ctx, probe.inner_runs.load() == 1);
        KT_EXPECT(ctx, stats.restarts + stats.handover_time + stats.handover_resched == 1);
    }
}

void softirq_storm_runs_outside_the_hardirq(irqlab_ktest_ctx* ctx) {
    // A softirq that keeps raising itself (1,000 runs per CPU): the host's
    // hardirq holds none of them, the first round ends on the pass limit
    // and hands the rest to the daemon, all with interrupts on.
    constexpr unsigned storm = 1000;
    cxxrt::unique_ptr<Rig> rig = make_rig(false, storm);
    KT_ASSERT(ctx, rig);
    check_rounds(ctx, *rig, ktest::on_each_cpu(Rig::fire_one, rig.get()));
    for (unsigned cpu = 0; cpu < rig->cpu_slots; ++cpu) {
        if (!base::cpu_online(cpu))
            continue;
        const auto stats = rig->softirqs.cpu_stats(cpu);
        KT_EXPECT(ctx, stats.handover_restarts + stats.handover_time + stats.handover_resched >= 1);
        KT_EXPECT(ctx, stats.daemon_rounds >= 1);
        KT_EXPECT(ctx, rig->softirqs.slot_stats(SoftirqNr::block, cpu).runs == storm);
    }
}

constexpr irqlab_ktest_case cases[] = {
    {"softirq_irq_exit_round_runs_with_interrupts_on",
     softirq_irq_exit_round_runs_with_interrupts_on},
    {"softirq_nested_hardirq_leaves_its_work_to_the_round",
     softirq_nested_hardirq_leaves_its_work_to_the_round},
    {"softirq_storm_runs_outside_the_hardirq", softirq_storm_runs_outside_the_hardirq},
};

} // namespace

extern "C" constinit const irqlab_ktest_suite irqlab_ktest_softirq_suite =
    ktest::suite("irqlab_softirq", cases);
