#include "accounting.h"

#include <fmt/format.h>

namespace irqlab::cli {

VectorTotals::VectorTotals(const irqlab_vector_stats& stats) : cpus{stats.nr_cpus} {
    for (unsigned cpu = 0; cpu < cpus && cpu < IRQLAB_MAX_CPUS; ++cpu) {
        const irqlab_counters& c = stats.cpu[cpu];
        sum.fired += c.fired;
        sum.received += c.received;
        sum.handled += c.handled;
        sum.coalesced += c.coalesced;
        sum.busy += c.busy;
    }
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
    return {{"fired", c.fired},
            {"received", c.received},
            {"handled", c.handled},
            {"coalesced", c.coalesced},
            {"busy", c.busy}};
}

} // namespace irqlab::cli
