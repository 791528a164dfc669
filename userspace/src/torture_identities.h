// The accounting identities irqlab torture checks, exactly, on counters
// read once nothing moves them any more (docs/torture.md). Each function
// returns the broken identities, in words; none means exact.
#pragma once

#include "irqlab/uapi.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace irqlab::cli::torture {

// One engine line's life from attach to detach, read after a flush with
// no interrupt arriving: 'arrivals' is the vector's native received count
// over that life, when it is known (the line was attached while the vector
// did not fire). The identities of tests/vm/guest/engine_check.py.
// 'forced_threading': attached under forced threading, which threads the IRQ_NONE
// sharers too; a sharer's thread runs once per wake-up, and wake-ups merge,
// so it ran at most once per hardirq.
std::vector<std::string> line_problems(const std::string& name, const irqlab_engine_line& line,
                                       const std::vector<uint64_t>& cpu_count,
                                       std::optional<uint64_t> arrivals,
                                       bool forced_threading = false);

// A vector's native trigger accounting (irqlab_counters_missing()).
std::vector<std::string> native_problems(const std::string& name, const irqlab_counters& sum);

// A natively measured vector after its detach; 'arrivals' as above.
std::vector<std::string> mech_problems(const std::string& name, const irqlab_mech_stats& stats,
                                       std::optional<uint64_t> arrivals);

// One softirq slot's totals over every CPU.
struct SlotTotals {
    uint64_t work = 0;
    uint64_t runs = 0;
    uint64_t idle = 0;
};

// A slot fed only by attached lines, between two readings: units done ==
// units handed over (raised x rounds of every line that fed it), and each
// handler run did a unit or found none left.
std::vector<std::string> slot_problems(const std::string& slot, const SlotTotals& before,
                                       const SlotTotals& after, uint64_t units);

} // namespace irqlab::cli::torture
