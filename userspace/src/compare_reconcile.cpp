#include "compare_reconcile.h"

#include <fmt/format.h>

namespace irqlab::cli::compare {

namespace {

// Either side of a stage may be ahead: both are events the other lost.
int64_t distance(uint64_t a, uint64_t b) {
    return static_cast<int64_t>(a > b ? a - b : b - a);
}

} // namespace

std::string Reconciliation::note() const {
    std::string text;
    for (const std::string& gap : gaps)
        text += (text.empty() ? "" : "; ") + gap;
    return text;
}

Reconciliation reconcile(const PhaseCounters& counted) {
    const irqlab_mech_stats& stages = counted.stages;
    Reconciliation r;
    if (counted.triggers_counted) {
        // The one definition of the identity, shared with the module.
        const int64_t missing = irqlab_counters_missing(&counted.triggers);
        if (missing > 0) {
            r.gaps.push_back(fmt::format("{} triggers never arrived", missing));
            r.lost += missing;
        } else if (missing < 0) {
            // Arrivals with a trigger in flight but more than were fired:
            // the counters contradict each other.
            r.gaps.push_back(fmt::format("{} arrivals no trigger explains", -missing));
            r.lost -= missing;
        }
        // A device may raise interrupts of its own (QEMU's e1000e does), and
        // x86 may retrigger a vector it moves: worth saying, nothing lost.
        if (const uint64_t unexpected = counted.triggers.unexpected; unexpected != 0)
            r.gaps.push_back(
                fmt::format("{} unexpected arrivals (no trigger in flight)", unexpected));
    }
    const int64_t replayed =
        static_cast<int64_t>(counted.replays) - static_cast<int64_t>(counted.pending_arrivals);
    // Merged wake-ups are no loss: the run that was due handles them.
    if (counted.merged_wakeups != 0)
        r.gaps.push_back(fmt::format("{} arrivals merged into a forced irq thread run already due",
                                     counted.merged_wakeups));
    const int64_t expected_t1 = static_cast<int64_t>(stages.arrivals) + replayed -
                                static_cast<int64_t>(counted.merged_wakeups);
    if (const int64_t gap = expected_t1 - static_cast<int64_t>(stages.hardirqs); gap != 0) {
        r.gaps.push_back(
            fmt::format("{} arrivals but {} handler entries", expected_t1, stages.hardirqs));
        r.lost += gap > 0 ? gap : -gap;
    }
    if (stages.served != stages.hardirqs) {
        r.gaps.push_back(fmt::format("{} handled, {} taken over by bottom halves", stages.hardirqs,
                                     stages.served));
        r.lost += distance(stages.hardirqs, stages.served);
    }
    if (stages.runs != stages.ends) {
        r.gaps.push_back(
            fmt::format("{} bottom half runs started, {} ended", stages.runs, stages.ends));
        r.lost += distance(stages.runs, stages.ends);
    }
    return r;
}

} // namespace irqlab::cli::compare
