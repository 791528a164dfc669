// irqlab torture's random choices. Each actor draws from its own stream,
// derived from the seed and the actor's name, so a seed replays the same
// choices for each actor whatever the others do (what the kernel answers
// and how threads interleave still differ from run to run).
#pragma once

#include "irqlab/uapi.h"

#include <cstdint>
#include <random>
#include <string>
#include <string_view>
#include <vector>

namespace irqlab::cli::torture {

class Rng {
public:
    Rng(uint64_t seed, std::string_view actor);
    // Uniform in [lo, hi].
    uint64_t between(uint64_t lo, uint64_t hi);
    // True with probability num/den.
    bool chance(unsigned num, unsigned den);
    template <typename T>
    const T& pick(const std::vector<T>& from) {
        return from[between(0, from.size() - 1)];
    }

private:
    std::mt19937_64 engine_;
};

// An engine line to attach (bdf and vectors left empty) and its name,
// as 'irqlab engine attach' would spell it.
struct LineChoice {
    irqlab_engine_attach attach{};
    std::string label;
};

// Every action and flow; softirq lines use one of 'slots' (indexes of
// slots no subsystem of the engine owns, see docs/engine.md).
LineChoice choose_line(Rng& rng, const std::vector<unsigned>& slots,
                       const std::vector<std::string>& slot_names);

// A native mechanism to measure a vector with (IRQLAB_MECH_*).
unsigned choose_mechanism(Rng& rng);

struct FireChoice {
    std::vector<unsigned> vectors; // a non-empty subset of the candidates
    uint64_t count = 1;
    uint32_t rate_hz = 0;
    uint32_t trigger = IRQLAB_TRIGGER_DEVICE;
    int cpu = -1;
};

// 'triggers': IRQLAB_TRIGGER_BIT()s allowed, at least one; 'cpus': CPUs a
// run may be pointed at (may be empty).
FireChoice choose_fire(Rng& rng, const std::vector<unsigned>& candidates, uint32_t triggers,
                       const std::vector<unsigned>& cpus, unsigned max_count);

// A non-empty subset of 'cpus' (not empty).
std::vector<unsigned> choose_cpus(Rng& rng, const std::vector<unsigned>& cpus);

} // namespace irqlab::cli::torture
