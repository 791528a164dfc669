// A vector's counters summed over CPUs, and the accounting identity every
// run must satisfy: fired + unexpected == received + coalesced + busy.
#pragma once

#include "irqlab/uapi.h"

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace irqlab::cli {

struct VectorTotals {
    irqlab_counters sum{};
    unsigned cpus = 0; // rows of per-CPU counters

    // One row per CPU id (IRQLAB_IOC_STATS).
    explicit VectorTotals(const std::vector<irqlab_counters>& per_cpu);
    // Triggers issued that did not arrive (negative: arrivals nobody fired).
    long long missing() const;
    bool balanced() const { return missing() == 0; }
    std::string verdict() const;
};

nlohmann::json counters_json(const irqlab_counters& c);

} // namespace irqlab::cli
