// Tasklets under load: four simulated CPUs schedule a small set of shared
// tasklets a million times, from hardirq-like context (processed at
// irq_exit) and from process context (processed by the daemons).
//
// Invariants: no tasklet runs on two CPUs at once; every schedule call is
// followed by a run that starts after it (sequence numbers from one global
// counter: the last run of a tasklet starts after its last schedule); and
// runs == schedules - coalesced exactly.
#include "core/base/cpu.h"
#include "core/base/thread.h"
#include "core/engine/context.h"
#include "core/softirq/softirqs.h"
#include "core/softirq/tasklet.h"
#include "irqlab/platform.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <memory>
#include <string>
#include <thread>

namespace engine_tasklet_stress_test {

using irqlab::engine::Context;
using irqlab::engine::hardirq_offset;
using irqlab::softirq::SoftirqNr;
using irqlab::softirq::Softirqs;
using irqlab::softirq::Tasklet;
using irqlab::softirq::tasklet_setup;
using irqlab::softirq::Tasklets;
using namespace std::chrono_literals;

constexpr unsigned nr_cpus = 4;
constexpr unsigned nr_tasklets = 32;
constexpr unsigned per_cpu = 250'000; // 1,000,000 schedules in all
constexpr unsigned per_hardirq = 4;
constexpr unsigned process_every = 16; // every 16th batch from process context

std::atomic<uint64_t> sequence{0};

struct Subject {
    Tasklet tasklet;
    std::atomic<bool> running{false};
    std::atomic<uint64_t> overlaps{0};
    std::atomic<uint64_t> last_run_start{0};
    std::atomic<uint64_t> runs{0};

    static void callback(Tasklet* tasklet) {
        auto* self = static_cast<Subject*>(tasklet->data);
        if (self->running.exchange(true))
            self->overlaps.fetch_add(1);
        self->last_run_start.store(sequence.fetch_add(1) + 1, std::memory_order_relaxed);
        self->runs.fetch_add(1, std::memory_order_relaxed);
        self->running.store(false);
    }
};

struct Stress {
    Context context;
    Softirqs softirqs{context};
    Tasklets tasklets{softirqs};
    Subject subjects[nr_tasklets];
};

struct Driver {
    Stress* stress = nullptr;
    unsigned cpu = 0;
    // The last schedule sequence number per tasklet, this driver's own.
    uint64_t last_schedule[nr_tasklets] = {};
    uint64_t hardirqs = 0;
    std::atomic<bool> done{false};
    irqlab::base::Thread thread;

    void schedule(uint32_t& rng) {
        rng ^= rng << 13;
        rng ^= rng >> 17;
        rng ^= rng << 5;
        const unsigned index = rng % nr_tasklets;
        Subject& subject = stress->subjects[index];
        last_schedule[index] = sequence.fetch_add(1) + 1;
        if (rng % 8 == 0)
            stress->tasklets.hi_schedule(subject.tasklet);
        else
            stress->tasklets.schedule(subject.tasklet);
    }

    static int main(void* raw) {
        auto& self = *static_cast<Driver*>(raw);
        Stress& stress = *self.stress;
        uint32_t rng = 2463534242u + self.cpu * 7919u;
        for (unsigned batch = 0; batch < per_cpu / per_hardirq; ++batch) {
            if (batch % process_every == process_every - 1) {
                for (unsigned i = 0; i < per_hardirq; ++i)
                    self.schedule(rng);
                continue;
            }
            const unsigned long flags = irqlab_plat_irq_save();
            stress.context.add(hardirq_offset);
            for (unsigned i = 0; i < per_hardirq; ++i)
                self.schedule(rng);
            stress.context.sub(hardirq_offset);
            stress.softirqs.irq_exit();
            irqlab_plat_irq_restore(flags);
            ++self.hardirqs;
        }
        self.done = true;
        return 0;
    }
};

TEST(EngineTaskletStress, MillionSchedulesFromFourCpus) {
    ASSERT_GE(irqlab::base::nr_cpu_ids(), nr_cpus);
    const auto begin = std::chrono::steady_clock::now();
    auto stress = std::make_unique<Stress>();
    ASSERT_TRUE(stress->context.init());
    ASSERT_TRUE(stress->softirqs.init());
    ASSERT_TRUE(stress->tasklets.init());
    for (Subject& subject : stress->subjects) {
        tasklet_setup(subject.tasklet, Subject::callback);
        subject.tasklet.data = &subject;
    }
    ASSERT_TRUE(stress->softirqs.start_daemons());

    Driver drivers[nr_cpus];
    for (unsigned cpu = 0; cpu < nr_cpus; ++cpu) {
        drivers[cpu].stress = stress.get();
        drivers[cpu].cpu = cpu;
        ASSERT_TRUE(drivers[cpu].thread.start(Driver::main, &drivers[cpu], cpu, "irqlab-stress"));
    }
    for (Driver& driver : drivers) {
        while (!driver.done)
            std::this_thread::sleep_for(1ms);
        driver.thread.stop();
    }

    // Quiescence: every tasklet idle and every due run done.
    const auto settled = [&] {
        for (const Subject& subject : stress->subjects) {
            const Tasklet& t = subject.tasklet;
            if (t.state_bits() != 0 || t.runs() != t.scheduled() - t.coalesced())
                return false;
        }
        return true;
    };
    const auto deadline = std::chrono::steady_clock::now() + 60s;
    while (!settled() && std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(1ms);
    ASSERT_TRUE(settled());
    stress->softirqs.stop_daemons();

    uint64_t scheduled = 0, coalesced = 0, runs = 0, requeued_busy = 0, hardirqs = 0;
    for (const Driver& driver : drivers)
        hardirqs += driver.hardirqs;
    for (unsigned i = 0; i < nr_tasklets; ++i) {
        const Subject& subject = stress->subjects[i];
        const auto stats = subject.tasklet.stats();
        EXPECT_EQ(subject.overlaps, 0u) << "tasklet " << i << " ran on two CPUs at once";
        EXPECT_EQ(stats.runs, stats.scheduled - stats.coalesced) << "tasklet " << i;
        EXPECT_EQ(subject.runs, stats.runs) << "tasklet " << i;
        uint64_t last_schedule = 0;
        for (const Driver& driver : drivers)
            last_schedule = std::max(last_schedule, driver.last_schedule[i]);
        EXPECT_GT(subject.last_run_start.load(), last_schedule)
            << "tasklet " << i << ": a schedule call has no run after it";
        scheduled += stats.scheduled;
        coalesced += stats.coalesced;
        runs += stats.runs;
        requeued_busy += stats.requeued_busy;
    }
    EXPECT_EQ(scheduled, uint64_t{nr_cpus} * per_cpu);

    uint64_t irq_exit_rounds = 0, daemon_rounds = 0, handovers = 0, wakeups = 0;
    for (unsigned cpu = 0; cpu < nr_cpus; ++cpu) {
        const auto stats = stress->softirqs.cpu_stats(cpu);
        irq_exit_rounds += stats.irq_exit_rounds;
        daemon_rounds += stats.daemon_rounds;
        handovers += stats.handover_time + stats.handover_restarts + stats.handover_resched;
        wakeups += stats.daemon_wakeups;
        EXPECT_LE(stats.max_round_restarts, 10u);
    }
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - begin).count();
    std::printf(
        "tasklet stress: %.2f s, %llu schedules (%llu coalesced), %llu runs, %llu "
        "requeued busy; %llu hardirqs, %llu irq_exit rounds, %llu daemon rounds, %llu "
        "handovers, %llu daemon wakeups\n",
        seconds, static_cast<unsigned long long>(scheduled),
        static_cast<unsigned long long>(coalesced), static_cast<unsigned long long>(runs),
        static_cast<unsigned long long>(requeued_busy), static_cast<unsigned long long>(hardirqs),
        static_cast<unsigned long long>(irq_exit_rounds),
        static_cast<unsigned long long>(daemon_rounds), static_cast<unsigned long long>(handovers),
        static_cast<unsigned long long>(wakeups));
    RecordProperty("seconds", std::to_string(seconds));
}

} // namespace engine_tasklet_stress_test
