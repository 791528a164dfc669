// Whether one path's accounting of an `irqlab compare` measured phase adds
// up (docs/measuring.md): every trigger arrived, every arrival reached the
// mechanism's handler (t1), every interrupt handled was taken over by a
// bottom half, and every bottom half run that started ended (t2, t3).
// Pure: the counters come in, read by compare_run.cpp.
#pragma once

#include "irqlab/uapi.h"

#include <cstdint>
#include <string>
#include <vector>

namespace irqlab::cli::compare {

// What the module counted for one path's vector over one measured phase.
struct PhaseCounters {
    irqlab_counters triggers{}; // the vector's, summed over CPUs
    // False with the external trigger: what was sent is known only to the
    // sender, so fired says nothing about what should have arrived.
    bool triggers_counted = true;
    irqlab_mech_stats stages{}; // arrivals, hardirqs (t1), served, runs (t2), ends (t3)
    // The engine line's arrivals latched while it was disabled or masked,
    // which reach t1 only once replayed; both zero on the native path.
    uint64_t pending_arrivals = 0;
    uint64_t replays = 0;
    // A forced-threaded engine line's wake-ups that found its thread run
    // still due: one t1 serves them all, as in Linux (IRQTF_RUNTHREAD).
    uint64_t merged_wakeups = 0;
};

struct Reconciliation {
    // Events not accounted for, summed over every gap; extra arrivals
    // from the device itself are named but are no loss.
    int64_t lost = 0;
    std::vector<std::string> gaps; // each place it did not add up, in pipeline order

    bool exact() const { return gaps.empty(); }
    // The gaps as the reports show them: "; "-separated, empty when exact.
    std::string note() const;
};

Reconciliation reconcile(const PhaseCounters& counted);

} // namespace irqlab::cli::compare
