// irqlab torture's pure parts: its flags, the seeded plan, the identities
// on synthetic counters and the kernel log patterns.
#include "userspace/src/device.h"
#include "userspace/src/torture_identities.h"
#include "userspace/src/torture_kmsg.h"
#include "userspace/src/torture_options.h"
#include "userspace/src/torture_plan.h"

#include <algorithm>
#include <cstring>
#include <gtest/gtest.h>

namespace irqlab::cli::torture {
namespace {

Options parsed(std::vector<std::string> args) {
    CLI::App app;
    Options o;
    add_options(app, o);
    std::reverse(args.begin(), args.end());
    app.parse(args);
    check_options(o, 42);
    return o;
}

TEST(TortureOptions, DefaultsAndDurations) {
    const Options o = parsed({});
    EXPECT_EQ(o.seconds, 60u);
    EXPECT_EQ(o.seed, 42u); // no --seed: the fallback, printed in the header
    EXPECT_EQ(o.stat_interval, 10u);
    EXPECT_EQ(parse_duration("90"), 90u);
    EXPECT_EQ(parse_duration("90s"), 90u);
    EXPECT_EQ(parse_duration("15m"), 900u);
    EXPECT_EQ(parse_duration("2h"), 7200u);
    for (const char* bad : {"", "0", "s", "1d", "-5", "1.5h", "10 m", "9999999999"})
        EXPECT_THROW(parse_duration(bad), Error) << bad;
}

TEST(TortureOptions, SeedAndFlagsAreKeptAndPrinted) {
    const Options o = parsed({"--seed", "7", "--duration", "3m", "--onoff-interval", "0",
                              "--triggers", "ipi", "--max-count", "9"});
    EXPECT_EQ(o.seed, 7u);
    EXPECT_EQ(o.seconds, 180u);
    const std::string p = params(o, {"0000:00:03.0"});
    EXPECT_NE(p.find("seed=7 "), std::string::npos) << p;
    EXPECT_NE(p.find("duration=180s "), std::string::npos) << p;
    EXPECT_NE(p.find("onoff_interval=0 "), std::string::npos) << p;
    EXPECT_NE(p.find("devices=0000:00:03.0 "), std::string::npos) << p;
    EXPECT_NE(p.find("max_count=9"), std::string::npos) << p;
}

TEST(TortureOptions, BadValuesAreErrors) {
    EXPECT_THROW(parsed({"--triggers", "external"}), Error);
    EXPECT_THROW(parsed({"--triggers", "device,"}), Error);
    EXPECT_THROW(parsed({"--max-count", "0"}), Error);
    EXPECT_THROW(parsed({"--stuck-timeout", "3"}), Error);
    EXPECT_THROW(parsed({"--duration", "forever"}), Error);
    EXPECT_THROW(parsed({"--stutter", "-1"}), CLI::ParseError);
}

// Everything an actor chose, in words, for comparing two plans.
std::vector<std::string> plan(uint64_t seed, const std::string& actor) {
    Rng rng{seed, actor};
    std::vector<std::string> out;
    const std::vector<std::string> names = {"hi",       "timer",   "net_tx", "net_rx",  "block",
                                            "irq_poll", "tasklet", "sched",  "hrtimer", "rcu"};
    for (int i = 0; i < 200; ++i) {
        const LineChoice line = choose_line(rng, {2, 4, 5, 7, 8, 9}, names);
        const FireChoice f = choose_fire(rng, {0, 1, 2, 3, 4}, 0x6, {0, 1, 2, 3}, 500);
        std::string vectors;
        for (unsigned v : f.vectors)
            vectors += std::to_string(v) + ",";
        out.push_back(line.label + " | " + vectors + " " + std::to_string(f.count) + " " +
                      std::to_string(f.rate_hz) + " " + std::to_string(f.trigger) + " " +
                      std::to_string(f.cpu) + " mech " + std::to_string(choose_mechanism(rng)));
    }
    return out;
}

TEST(TorturePlan, SameSeedSamePlanPerActor) {
    EXPECT_EQ(plan(1234, "lines 0000:00:03.0"), plan(1234, "lines 0000:00:03.0"));
    EXPECT_NE(plan(1234, "lines 0000:00:03.0"), plan(1235, "lines 0000:00:03.0"));
    EXPECT_NE(plan(1234, "lines 0000:00:03.0"), plan(1234, "lines 0000:00:04.0"));
}

TEST(TorturePlan, ChoicesStayWithinTheirBounds) {
    Rng rng{99, "bounds"};
    bool seen[IRQLAB_ACTION_NAPI + 1] = {};
    for (int i = 0; i < 2000; ++i) {
        const LineChoice line = choose_line(rng, {4, 9}, {});
        const irqlab_engine_attach& a = line.attach;
        seen[a.action] = true;
        EXPECT_LE(a.flow, static_cast<uint32_t>(IRQLAB_FLOW_LEVEL));
        if (a.action == IRQLAB_ACTION_SOFTIRQ) {
            EXPECT_TRUE(a.softirq == 4 || a.softirq == 9) << a.softirq;
        }
        // BH work must never sleep.
        if (a.action == IRQLAB_ACTION_WORK && a.work == IRQLAB_WORK_BH) {
            EXPECT_NE(a.hold, static_cast<uint32_t>(IRQLAB_HOLD_SLEEP));
        }
        if (a.hold != IRQLAB_HOLD_NONE) {
            EXPECT_TRUE(a.hold_us >= 1 && a.hold_us <= IRQLAB_MAX_HOLD_US);
        }
        const FireChoice f =
            choose_fire(rng, {3, 5}, IRQLAB_TRIGGER_BIT(IRQLAB_TRIGGER_IPI), {}, 10);
        ASSERT_FALSE(f.vectors.empty());
        for (unsigned v : f.vectors)
            EXPECT_TRUE(v == 3 || v == 5);
        EXPECT_TRUE(f.count >= 1 && f.count <= 10);
        EXPECT_EQ(f.trigger, static_cast<uint32_t>(IRQLAB_TRIGGER_IPI));
        EXPECT_EQ(f.cpu, -1); // no CPU offered
        EXPECT_FALSE(choose_cpus(rng, {1, 2}).empty());
    }
    for (uint32_t action = IRQLAB_ACTION_COUNT; action <= IRQLAB_ACTION_NAPI; ++action)
        EXPECT_TRUE(seen[action]) << "action " << action << " never chosen";
}

// A tasklet line that took 10 hardirqs, 2 of them on a busy line replayed.
irqlab_engine_line tasklet_line() {
    irqlab_engine_line l{};
    l.action = IRQLAB_ACTION_TASKLET;
    l.shared_none = 1;
    l.handled = 10;
    l.sharer_calls = 10;
    l.tasklet_scheduled = 10;
    l.tasklet_runs = 7;
    l.tasklet_coalesced = 3;
    l.pending_arrivals = 2;
    l.replays = 2;
    return l;
}

TEST(TortureIdentities, ExactLineHasNoProblem) {
    EXPECT_TRUE(line_problems("t", tasklet_line(), {4, 6}, 10).empty());
    // Attached while firing: the native side is unknown, the rest holds.
    EXPECT_TRUE(line_problems("t", tasklet_line(), {4, 6}, std::nullopt).empty());
}

TEST(TortureIdentities, EachBrokenIdentityIsNamed) {
    EXPECT_EQ(line_problems("t", tasklet_line(), {4, 6}, 11).size(), 1u); // an arrival lost
    irqlab_engine_line l = tasklet_line();
    l.tasklet_runs = 6; // a schedule neither ran nor coalesced
    const auto p = line_problems("t", l, {4, 6}, 10);
    ASSERT_EQ(p.size(), 1u);
    EXPECT_NE(p[0].find("tasklet runs 6 + coalesced 3 != 10 scheduled"), std::string::npos) << p[0];
    l = tasklet_line();
    l.sharer_calls = 9;
    EXPECT_EQ(line_problems("t", l, {4, 6}, 10).size(), 1u);

    irqlab_engine_line w{};
    w.action = IRQLAB_ACTION_WORK;
    w.handled = 5;
    w.work_queued = 4;
    w.work_coalesced = 1;
    w.work_runs = 4;
    EXPECT_TRUE(line_problems("w", w, {5}, 5).empty());
    w.work_runs = 3; // a queued item that never ran
    EXPECT_EQ(line_problems("w", w, {5}, 5).size(), 1u);

    irqlab_engine_line n{};
    n.action = IRQLAB_ACTION_NAPI;
    n.handled = 3;
    n.napi_events = 10;
    n.napi_scheduled = 2;
    n.napi_missed = 1;
    n.napi_events_produced = 30;
    n.napi_events_consumed = 30;
    EXPECT_TRUE(line_problems("n", n, {3}, 3).empty());
    n.napi_events_consumed = 29;
    n.flags = IRQLAB_LINE_MASKED;
    EXPECT_EQ(line_problems("n", n, {3}, 3).size(), 2u);
}

TEST(TortureIdentities, ForcedThreadingCountsThreadRuns) {
    irqlab_engine_line l{};
    l.action = IRQLAB_ACTION_SOFTIRQ;
    l.flags = IRQLAB_LINE_THREAD_FORCED;
    std::strcpy(l.thread_name, "irq/5-forced");
    l.thread_wakeups = 8;
    l.thread_runs = 6;
    l.thread_merged = 2;
    l.handled = 6; // once per thread run, not per hardirq
    l.softirq_raised = 6;
    EXPECT_TRUE(line_problems("f", l, {8}, 8).empty());
    l.thread_wakeups = 7;
    EXPECT_EQ(line_problems("f", l, {8}, 8).size(), 2u);
}

// Under forced threading the IRQ_NONE sharers run in threads whose
// wake-ups merge: at most once per hardirq each, never more.
TEST(TortureIdentities, ForcedThreadingBoundsTheSharers) {
    irqlab_engine_line l{};
    l.action = IRQLAB_ACTION_COUNT;
    l.shared_none = 2;
    l.handled = 10;
    l.sharer_calls = 17;
    EXPECT_EQ(line_problems("s", l, {10}, 10).size(), 1u);
    EXPECT_TRUE(line_problems("s", l, {10}, 10, true).empty());
    l.sharer_calls = 21;
    EXPECT_EQ(line_problems("s", l, {10}, 10, true).size(), 1u);
}

TEST(TortureIdentities, NativeMechanismAndSlots) {
    irqlab_counters c{};
    c.fired = 10;
    c.received = 8;
    c.coalesced = 1;
    c.busy = 1;
    EXPECT_TRUE(native_problems("v", c).empty());
    c.received = 7;
    EXPECT_EQ(native_problems("v", c).size(), 1u);

    irqlab_mech_stats m{};
    m.path = IRQLAB_PATH_NATIVE;
    m.arrivals = m.hardirqs = m.served = 9;
    m.runs = m.ends = 6;
    EXPECT_TRUE(mech_problems("m", m, 9).empty());
    EXPECT_EQ(mech_problems("m", m, 10).size(), 1u);
    m.ends = 5;
    EXPECT_EQ(mech_problems("m", m, std::nullopt).size(), 1u);
    m.ends = 6;
    m.forced_threaded = 9; // PREEMPT_RT: every native handler threaded
    EXPECT_TRUE(mech_problems("m", m, 9).empty());
    m.forced_threaded = 10;
    EXPECT_EQ(mech_problems("m", m, 9).size(), 1u);
    m.path = IRQLAB_PATH_ENGINE; // the engine's forced threading: the same bound
    m.forced_threaded = 9;
    EXPECT_TRUE(mech_problems("m", m, 9).empty());
    m.forced_threaded = 10;
    EXPECT_EQ(mech_problems("m", m, 9).size(), 1u);

    const SlotTotals before{100, 150, 50};
    EXPECT_TRUE(slot_problems("block", before, {130, 190, 60}, 30).empty());
    EXPECT_EQ(slot_problems("block", before, {129, 190, 60}, 30).size(), 2u);
}

TEST(TortureKmsg, ReportsMatchAndOrdinaryLinesDoNot) {
    for (const char* splat :
         {"WARNING: CPU: 1 PID: 12 at kernel/irq/manage.c:2033 free_irq+0x1/0x2",
          "BUG: KASAN: slab-use-after-free in irqlab_engine_detach+0x2c",
          "WARNING: possible circular locking dependency detected",
          "WARNING: inconsistent lock state",
          "INFO: task irqlab:123 blocked for more than 120 seconds.",
          "Oops: general protection fault", "UBSAN: shift-out-of-bounds in core/irq/chip.cpp",
          "unexpected IRQ trap at vector 26", "__common_interrupt: 1.35 No irq handler for vector"})
        EXPECT_TRUE(is_splat(splat)) << splat;
    for (const char* fine : {"irqlab: claimed 0000:00:03.0 (5 vectors)",
                             "smpboot: CPU 1 is now offline", "x86: Booting SMP configuration:"})
        EXPECT_FALSE(is_splat(fine)) << fine;
}

} // namespace
} // namespace irqlab::cli::torture
