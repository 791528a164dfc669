#include "torture_plan.h"

#include <fmt/format.h>

namespace irqlab::cli::torture {

namespace {

// FNV-1a: a stable hash, unlike std::hash, so a seed means the same
// plan with every build.
uint64_t stream_of(uint64_t seed, std::string_view actor) {
    uint64_t h = 0xcbf29ce484222325ULL ^ seed;
    for (const char c : actor) {
        h ^= static_cast<unsigned char>(c);
        h *= 0x100000001b3ULL;
    }
    return h;
}

const char* const flow_names[] = {"fasteoi", "edge", "level"};
const char* const work_names[] = {"percpu", "unbound", "highpri", "ordered", "bh", "delayed"};

} // namespace

Rng::Rng(uint64_t seed, std::string_view actor) : engine_{stream_of(seed, actor)} {}

uint64_t Rng::between(uint64_t lo, uint64_t hi) {
    // Not std::uniform_int_distribution: its algorithm is the library's
    // choice, and a seed must mean the same plan everywhere.
    const uint64_t span = hi - lo + 1;
    return span == 0 ? engine_() : lo + engine_() % span;
}

bool Rng::chance(unsigned num, unsigned den) {
    return between(0, den - 1) < num;
}

LineChoice choose_line(Rng& rng, const std::vector<unsigned>& slots,
                       const std::vector<std::string>& slot_names) {
    LineChoice c;
    irqlab_engine_attach& a = c.attach;
    static const uint32_t actions[] = {
        IRQLAB_ACTION_COUNT,      IRQLAB_ACTION_NONE, IRQLAB_ACTION_SOFTIRQ, IRQLAB_ACTION_TASKLET,
        IRQLAB_ACTION_TASKLET_HI, IRQLAB_ACTION_WORK, IRQLAB_ACTION_THREAD,  IRQLAB_ACTION_NAPI};
    a.action = actions[rng.between(0, std::size(actions) - 1)];
    if (a.action == IRQLAB_ACTION_SOFTIRQ && slots.empty())
        a.action = IRQLAB_ACTION_COUNT;
    a.flow = static_cast<uint32_t>(rng.between(IRQLAB_FLOW_FASTEOI, IRQLAB_FLOW_LEVEL));
    a.shared_none = static_cast<uint32_t>(rng.between(0, 2));
    a.softirq_rounds = 1;
    switch (a.action) {
    case IRQLAB_ACTION_COUNT:
        c.label = "count";
        break;
    case IRQLAB_ACTION_NONE:
        c.label = "none";
        break;
    case IRQLAB_ACTION_SOFTIRQ:
        a.softirq = rng.pick(slots);
        a.softirq_rounds = static_cast<uint32_t>(rng.between(1, 50));
        c.label = fmt::format("softirq:{} rounds={}",
                              a.softirq < slot_names.size() ? slot_names[a.softirq] : "?",
                              a.softirq_rounds);
        break;
    case IRQLAB_ACTION_TASKLET:
        c.label = "tasklet";
        break;
    case IRQLAB_ACTION_TASKLET_HI:
        c.label = "tasklet-hi";
        break;
    case IRQLAB_ACTION_WORK:
        a.work = static_cast<uint32_t>(rng.between(IRQLAB_WORK_PERCPU, IRQLAB_WORK_DELAYED));
        c.label = fmt::format("work:{}", work_names[a.work]);
        if (a.work == IRQLAB_WORK_DELAYED) {
            a.delay_us = static_cast<uint32_t>(rng.between(0, 500));
            c.label += fmt::format(" delay={}us", a.delay_us);
        }
        // WQ_BH takes no other flag (Linux, and the engine: EINVAL).
        if (rng.chance(1, 4) && a.work != IRQLAB_WORK_BH) {
            a.flags |= IRQLAB_ATTACH_MEM_RECLAIM;
            c.label += " mem-reclaim";
        }
        break;
    case IRQLAB_ACTION_THREAD:
        c.label = "thread";
        if (rng.chance(1, 2)) {
            a.flags |= IRQLAB_ATTACH_ONESHOT;
            c.label = "thread:oneshot";
        }
        break;
    case IRQLAB_ACTION_NAPI:
        a.napi_weight = static_cast<uint32_t>(rng.between(1, 64));
        a.napi_events = static_cast<uint32_t>(rng.between(1, 200));
        c.label = fmt::format("napi weight={} events={}", a.napi_weight, a.napi_events);
        break;
    default:
        break;
    }
    // The IRQ_NONE sharers are not ONESHOT, and Linux refuses a shared
    // line whose actions disagree on it (__setup_irq: EBUSY); so does the
    // engine.
    if (a.flags & IRQLAB_ATTACH_ONESHOT)
        a.shared_none = 0;
    if (a.action == IRQLAB_ACTION_WORK || a.action == IRQLAB_ACTION_THREAD) {
        a.hold = static_cast<uint32_t>(rng.between(IRQLAB_HOLD_NONE, IRQLAB_HOLD_SPIN));
        // BH work runs in softirq context: it may spin, never sleep.
        if (a.action == IRQLAB_ACTION_WORK && a.work == IRQLAB_WORK_BH &&
            a.hold == IRQLAB_HOLD_SLEEP)
            a.hold = IRQLAB_HOLD_SPIN;
        if (a.hold != IRQLAB_HOLD_NONE) {
            a.hold_us = static_cast<uint32_t>(rng.between(1, 200));
            c.label += fmt::format(" hold={}:{}us", a.hold == IRQLAB_HOLD_SLEEP ? "sleep" : "spin",
                                   a.hold_us);
        }
    }
    c.label += fmt::format(" flow={}", flow_names[a.flow]);
    if (a.shared_none)
        c.label += fmt::format(" shared-none={}", a.shared_none);
    return c;
}

unsigned choose_mechanism(Rng& rng) {
    return static_cast<unsigned>(rng.between(0, IRQLAB_NR_MECHS - 1));
}

FireChoice choose_fire(Rng& rng, const std::vector<unsigned>& candidates, uint32_t triggers,
                       const std::vector<unsigned>& cpus, unsigned max_count) {
    FireChoice f;
    for (const unsigned v : candidates) {
        if (rng.chance(1, 2))
            f.vectors.push_back(v);
    }
    if (f.vectors.empty() && !candidates.empty())
        f.vectors.push_back(rng.pick(candidates));
    f.count = rng.between(1, max_count);
    // Half the runs back to back, the others paced (at most ~2 s long).
    if (rng.chance(1, 2))
        f.rate_hz = static_cast<uint32_t>(rng.between(500, 20000));
    std::vector<uint32_t> allowed;
    for (const uint32_t t : {IRQLAB_TRIGGER_DEVICE, IRQLAB_TRIGGER_IPI}) {
        if (triggers & IRQLAB_TRIGGER_BIT(t))
            allowed.push_back(t);
    }
    f.trigger = allowed.empty() ? uint32_t{IRQLAB_TRIGGER_IPI} : rng.pick(allowed);
    if (!cpus.empty() && rng.chance(1, 3))
        f.cpu = static_cast<int>(rng.pick(cpus));
    return f;
}

std::vector<unsigned> choose_cpus(Rng& rng, const std::vector<unsigned>& cpus) {
    std::vector<unsigned> out;
    for (const unsigned cpu : cpus) {
        if (rng.chance(1, 2))
            out.push_back(cpu);
    }
    if (out.empty())
        out.push_back(rng.pick(cpus));
    return out;
}

} // namespace irqlab::cli::torture
