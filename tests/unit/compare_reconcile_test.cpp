// 'irqlab compare' accounting: whether one path's counters of a measured
// phase add up, and how each gap is named and counted as lost.
#include "userspace/src/compare_reconcile.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

namespace irqlab::cli::compare {
namespace {

using Gaps = std::vector<std::string>;

constexpr uint64_t top = std::numeric_limits<uint64_t>::max();

// Every event accounted for: 1000 triggers, 10 of them never issued
// (coalesced or busy), 990 arrivals, each handled and taken over by a
// bottom half, which ran 980 times (10 merged into a run already pending).
PhaseCounters balanced() {
    PhaseCounters c;
    c.triggers = {
        .fired = 1000, .received = 990, .handled = 990, .coalesced = 6, .busy = 4, .unexpected = 0};
    c.stages.arrivals = 990;
    c.stages.hardirqs = 990;
    c.stages.served = 990;
    c.stages.runs = 980;
    c.stages.ends = 980;
    return c;
}

// Moves every stage from the arrivals on, so that only the triggers differ.
void arrive(PhaseCounters& c, uint64_t n) {
    c.triggers.received = c.triggers.handled = n;
    c.stages.arrivals = c.stages.hardirqs = c.stages.served = n;
}

// The module's counters are u64 and their per-CPU sums wrap: 10 coalesced
// after 2^64 - 5 arrivals leaves fired at 5, and the identity holds modulo
// 2^64, as the module computes it.
void wrapped(PhaseCounters& c) {
    c = PhaseCounters{};
    c.triggers = {.fired = 5,
                  .received = top - 4,
                  .handled = top - 4,
                  .coalesced = 10,
                  .busy = 0,
                  .unexpected = 0};
    c.stages.arrivals = c.stages.hardirqs = c.stages.served = top - 4;
    c.stages.runs = c.stages.ends = top;
}

// One way the counters can come out: balanced() changed by 'change'.
struct Case {
    const char* name;
    void (*change)(PhaseCounters&);
    int64_t lost;
    Gaps gaps; // empty: exact
};

class CompareReconcile : public testing::TestWithParam<Case> {};

TEST_P(CompareReconcile, NamesEachGapAndCountsWhatWasLost) {
    PhaseCounters c = balanced();
    GetParam().change(c);
    const Reconciliation r = reconcile(c);
    EXPECT_EQ(r.gaps, GetParam().gaps);
    EXPECT_EQ(r.exact(), GetParam().gaps.empty());
    EXPECT_EQ(r.lost, GetParam().lost);
}

const Case exact_cases[] = {
    {"EverythingAddsUp", [](PhaseCounters&) {}, 0, {}},
    {"ZeroEvents", [](PhaseCounters& c) { c = PhaseCounters{}; }, 0, {}},
    // The injector's sends are counted by the host, not here: nothing
    // fired, yet everything arrived.
    {"ExternalTriggersSkipTheTriggerIdentity",
     [](PhaseCounters& c) {
         c.triggers.fired = c.triggers.coalesced = c.triggers.busy = 0;
         c.triggers_counted = false;
     },
     0,
     {}},
    // 7 arrivals latched while the engine line was masked, all replayed.
    {"ReplayedArrivalsReachTheHandlerOnce",
     [](PhaseCounters& c) { c.pending_arrivals = c.replays = 7; },
     0,
     {}},
    {"ArrivalsStillPendingAreNotExpectedAtTheHandler",
     [](PhaseCounters& c) {
         c.pending_arrivals = 7;
         c.stages.hardirqs = c.stages.served = 983;
     },
     0,
     {}},
    {"CountersThatWrappedPastTwoToThe64", wrapped, 0, {}},
};

const Case gap_cases[] = {
    {"TriggersThatNeverArrivedAreLost",
     [](PhaseCounters& c) { arrive(c, 985); },
     5,
     {"5 triggers never arrived"}},
    {"UnexpectedArrivalsAreNamedButNotLost",
     [](PhaseCounters& c) {
         arrive(c, 997);
         c.triggers.unexpected = 7;
     },
     0,
     {"7 unexpected arrivals (no trigger in flight)"}},
    {"ArrivalsNoTriggerExplainsAreLost",
     [](PhaseCounters& c) { arrive(c, 997); },
     7,
     {"7 arrivals no trigger explains"}},
    {"ExternalTriggersStillCheckTheStages",
     [](PhaseCounters& c) {
         c.triggers_counted = false;
         c.stages.ends = 979;
     },
     1,
     {"980 bottom half runs started, 979 ended"}},
    {"ArrivalsThatNeverReachedTheHandlerAreLost",
     [](PhaseCounters& c) { c.stages.hardirqs = c.stages.served = 987; },
     3,
     {"990 arrivals but 987 handler entries"}},
    {"HandlerEntriesBeyondTheArrivalsCountAsLost",
     [](PhaseCounters& c) { c.stages.hardirqs = c.stages.served = 992; },
     2,
     {"990 arrivals but 992 handler entries"}},
    {"ReplaysAreExpectedAtTheHandler",
     [](PhaseCounters& c) { c.replays = 4; },
     4,
     {"994 arrivals but 990 handler entries"}},
    // A forced-threaded engine line: 6 arrivals found the thread's run
    // still due, so 984 t1s (thread runs) handled all 990.
    {"WakeupsMergedIntoADueThreadRunAreNamedButNotLost",
     [](PhaseCounters& c) {
         c.merged_wakeups = 6;
         c.stages.hardirqs = c.stages.served = 984;
     },
     0,
     {"6 arrivals merged into a forced irq thread run already due"}},
    {"MergedWakeupsDoNotHideALostEntry",
     [](PhaseCounters& c) {
         c.merged_wakeups = 6;
         c.stages.hardirqs = c.stages.served = 983;
     },
     1,
     {"6 arrivals merged into a forced irq thread run already due",
      "984 arrivals but 983 handler entries"}},
    {"InterruptsNoBottomHalfTookOverAreLost",
     [](PhaseCounters& c) { c.stages.served = 985; },
     5,
     {"990 handled, 985 taken over by bottom halves"}},
    {"BottomHalvesTakingOverMoreThanWasHandledCountAsLost",
     [](PhaseCounters& c) { c.stages.served = 993; },
     3,
     {"990 handled, 993 taken over by bottom halves"}},
    {"RunsThatNeverEndedAreLost",
     [](PhaseCounters& c) { c.stages.ends = 978; },
     2,
     {"980 bottom half runs started, 978 ended"}},
    {"RunsEndingWithoutAStartCountAsLost",
     [](PhaseCounters& c) { c.stages.ends = 981; },
     1,
     {"980 bottom half runs started, 981 ended"}},
    // A gap across the wrap is still its true size.
    {"GapAcrossTheWrap",
     [](PhaseCounters& c) {
         wrapped(c);
         c.triggers.fired = 7;
     },
     2,
     {"2 triggers never arrived"}},
};

std::string case_name(const testing::TestParamInfo<Case>& info) {
    return info.param.name;
}

INSTANTIATE_TEST_SUITE_P(Exact, CompareReconcile, testing::ValuesIn(exact_cases), case_name);
INSTANTIATE_TEST_SUITE_P(Gap, CompareReconcile, testing::ValuesIn(gap_cases), case_name);

TEST(CompareReconcileNote, EveryGapIsNamedInPipelineOrderAndTheLossesAdd) {
    PhaseCounters c = balanced();
    arrive(c, 985);
    c.stages.hardirqs = 983;
    c.stages.served = 982;
    c.stages.ends = 979;
    const Reconciliation r = reconcile(c);
    EXPECT_EQ(r.lost, 5 + 2 + 1 + 1);
    EXPECT_EQ(r.note(), "5 triggers never arrived; 985 arrivals but 983 handler entries; "
                        "983 handled, 982 taken over by bottom halves; "
                        "980 bottom half runs started, 979 ended");
}

TEST(CompareReconcileNote, EmptyWhenExact) {
    EXPECT_EQ(reconcile(balanced()).note(), "");
}

} // namespace
} // namespace irqlab::cli::compare
