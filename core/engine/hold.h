// What a deferred handler of an attached line does on each run, so that a
// test can create back-pressure: nothing, sleep (block), or spin.
#pragma once

#include "core/base/cpu.h"
#include "irqlab/core.h"

#include <stdint.h>

namespace irqlab::engine {

struct Hold {
    unsigned kind = IRQLAB_ENGINE_HOLD_NONE;
    uint64_t ns = 0;

    bool sleeps() const { return kind == IRQLAB_ENGINE_HOLD_SLEEP && ns; }
    bool spins() const { return kind == IRQLAB_ENGINE_HOLD_SPIN && ns; }
};

// What 'config' asks each deferred run to hold.
inline Hold hold_of(const irqlab_engine_attach_config& config) {
    return {config.hold, config.hold_us * 1000ull};
}

// Busy for 'ns' (udelay): callable in any context.
inline void spin_ns(uint64_t ns) {
    const uint64_t deadline = base::now_ns() + ns;
    while (base::now_ns() < deadline) {
    }
}

} // namespace irqlab::engine
