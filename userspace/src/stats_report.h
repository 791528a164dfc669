// The /proc/interrupts-like accounting table of a claimed device (or its
// JSON form), shared by 'irqlab stats' and the summary of 'irqlab fire'.
#pragma once

#include "cpu_columns.h"
#include "device.h"

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

namespace irqlab::cli {

struct StatsReport {
    nlohmann::json json;  // {"bdf":..., "vectors":[...]}
    std::string text;     // the table
    bool balanced = true; // identity held on every vector reported
};

// Reports the vectors in 'vectors' (empty: all of them); the table shows
// the CPU columns 'columns' selects, the JSON every CPU.
StatsReport device_stats(const Device& module, const std::string& bdf, const Bitmap& vectors = {},
                         const CpuColumns& columns = {});

} // namespace irqlab::cli
