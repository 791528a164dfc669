#include "accounting.h"

#include "schema_json.h"

#include <fmt/format.h>

namespace irqlab::cli {

VectorTotals::VectorTotals(const std::vector<irqlab_counters>& per_cpu)
    : cpus{static_cast<unsigned>(per_cpu.size())} {
    for (const irqlab_counters& row : per_cpu)
        schema::add_counters(sum, row);
}

long long VectorTotals::missing() const {
    return irqlab_counters_missing(&sum);
}

std::string VectorTotals::verdict() const {
    const long long gap = missing();
    if (gap == 0)
        return "ok";
    if (gap > 0)
        return fmt::format("LOST {}", gap);
    return fmt::format("EXTRA {}", -gap);
}

nlohmann::json counters_json(const irqlab_counters& c) {
    nlohmann::json out = nlohmann::json::object();
    schema::put_counters(out, c);
    return out;
}

} // namespace irqlab::cli
