#include "torture_identities.h"

#include <fmt/format.h>
#include <numeric>

namespace irqlab::cli::torture {

namespace {

// work, thread and NAPI: what ran after the hardirq, once flushed.
void deferred(std::vector<std::string>& out, const std::string& name, const irqlab_engine_line& l,
              uint64_t hardirqs) {
    if (l.action == IRQLAB_ACTION_WORK) {
        if (l.work_queued + l.work_coalesced != l.handled)
            out.push_back(fmt::format("{}: work queued {} + coalesced {} != {} main action runs",
                                      name, l.work_queued, l.work_coalesced, l.handled));
        if (l.work_runs != l.work_queued)
            out.push_back(
                fmt::format("{}: work ran {} of {} queued", name, l.work_runs, l.work_queued));
    }
    if (l.thread_name[0] != '\0') {
        if (l.thread_wakeups != hardirqs)
            out.push_back(fmt::format("{}: {} thread wake-ups != {} hardirqs", name,
                                      l.thread_wakeups, hardirqs));
        if (l.thread_runs + l.thread_merged != l.thread_wakeups)
            out.push_back(fmt::format("{}: thread runs {} + merged {} != {} wake-ups", name,
                                      l.thread_runs, l.thread_merged, l.thread_wakeups));
    }
    if (l.action == IRQLAB_ACTION_NAPI) {
        if (l.napi_scheduled + l.napi_missed != l.handled)
            out.push_back(fmt::format("{}: napi scheduled {} + missed {} != {} main action runs",
                                      name, l.napi_scheduled, l.napi_missed, l.handled));
        if (l.napi_events_produced != l.handled * l.napi_events)
            out.push_back(fmt::format("{}: {} NAPI events brought, want {} x {}", name,
                                      l.napi_events_produced, l.handled, l.napi_events));
        if (l.napi_events_consumed != l.napi_events_produced)
            out.push_back(fmt::format("{}: {} NAPI events consumed of {}", name,
                                      l.napi_events_consumed, l.napi_events_produced));
        if (l.flags & IRQLAB_LINE_MASKED)
            out.push_back(fmt::format("{}: still masked after its poll completed", name));
    }
}

} // namespace

std::vector<std::string> line_problems(const std::string& name, const irqlab_engine_line& l,
                                       const std::vector<uint64_t>& cpu_count,
                                       std::optional<uint64_t> arrivals, bool forced_threading) {
    std::vector<std::string> out;
    const uint64_t hardirqs = std::accumulate(cpu_count.begin(), cpu_count.end(), uint64_t{0});
    if (arrivals && *arrivals + l.replays != hardirqs + l.pending_arrivals)
        out.push_back(fmt::format("{}: native arrivals {} + replays {} != hardirqs {} + pending {}",
                                  name, *arrivals, l.replays, hardirqs, l.pending_arrivals));
    deferred(out, name, l, hardirqs);
    const bool forced = (l.flags & IRQLAB_LINE_THREAD_FORCED) != 0;
    // Forced threading runs the main action in its thread, once per run.
    const uint64_t runs = forced ? l.thread_runs : hardirqs;
    if (l.handled + l.none != runs)
        out.push_back(
            fmt::format("{}: main action ran {} times, want {}", name, l.handled + l.none, runs));
    const bool sharers_threaded = forced || forced_threading;
    if (!sharers_threaded && l.sharer_calls != hardirqs * l.shared_none)
        out.push_back(fmt::format("{}: IRQ_NONE sharers ran {} times, want {} x {}", name,
                                  l.sharer_calls, hardirqs, l.shared_none));
    if (sharers_threaded && l.sharer_calls > hardirqs * l.shared_none)
        out.push_back(fmt::format("{}: IRQ_NONE sharers ran {} times, more than {} x {}", name,
                                  l.sharer_calls, hardirqs, l.shared_none));
    if (l.action == IRQLAB_ACTION_SOFTIRQ && l.softirq_raised != l.handled)
        out.push_back(fmt::format("{}: softirq raised {} != {} main action runs", name,
                                  l.softirq_raised, l.handled));
    if (l.action == IRQLAB_ACTION_TASKLET || l.action == IRQLAB_ACTION_TASKLET_HI) {
        if (l.tasklet_scheduled != l.handled)
            out.push_back(fmt::format("{}: tasklet scheduled {} != {} main action runs", name,
                                      l.tasklet_scheduled, l.handled));
        if (l.tasklet_runs + l.tasklet_coalesced != l.tasklet_scheduled)
            out.push_back(fmt::format("{}: tasklet runs {} + coalesced {} != {} scheduled", name,
                                      l.tasklet_runs, l.tasklet_coalesced, l.tasklet_scheduled));
    }
    return out;
}

std::vector<std::string> native_problems(const std::string& name, const irqlab_counters& c) {
    const long long gap = irqlab_counters_missing(&c);
    if (gap == 0)
        return {};
    return {fmt::format("{}: fired {} + unexpected {} != received {} + coalesced {} + busy {} "
                        "({} {})",
                        name, c.fired, c.unexpected, c.received, c.coalesced, c.busy,
                        gap > 0 ? "lost" : "extra", gap > 0 ? gap : -gap)};
}

std::vector<std::string> mech_problems(const std::string& name, const irqlab_mech_stats& s,
                                       std::optional<uint64_t> arrivals) {
    std::vector<std::string> out;
    if (s.served != s.hardirqs)
        out.push_back(fmt::format("{}: served {} != {} hardirqs", name, s.served, s.hardirqs));
    if (s.runs != s.ends)
        out.push_back(fmt::format("{}: bottom half runs {} != ends {}", name, s.runs, s.ends));
    if (s.runs > s.served)
        out.push_back(fmt::format("{}: {} bottom half runs for {} served", name, s.runs, s.served));
    if (s.path == IRQLAB_PATH_NATIVE && s.hardirqs != s.arrivals)
        out.push_back(
            fmt::format("{}: native hardirqs {} != arrivals {}", name, s.hardirqs, s.arrivals));
    // The kernel (on RT) or the engine's forced threading may move every
    // t1 into a thread, never more than there were.
    if (s.forced_threaded > s.hardirqs)
        out.push_back(fmt::format("{}: {} forced-threaded t1s of {} hardirqs on the {} path", name,
                                  s.forced_threaded, s.hardirqs,
                                  s.path == IRQLAB_PATH_NATIVE ? "native" : "engine"));
    if (arrivals && s.arrivals != *arrivals)
        out.push_back(fmt::format("{}: {} measured arrivals != {} received while attached", name,
                                  s.arrivals, *arrivals));
    return out;
}

std::vector<std::string> slot_problems(const std::string& slot, const SlotTotals& before,
                                       const SlotTotals& after, uint64_t units) {
    std::vector<std::string> out;
    const uint64_t work = after.work - before.work;
    const uint64_t runs = after.runs - before.runs;
    const uint64_t idle = after.idle - before.idle;
    if (work != units)
        out.push_back(
            fmt::format("softirq {}: {} units done of {} handed over", slot, work, units));
    if (runs != work + idle)
        out.push_back(
            fmt::format("softirq {}: {} runs != {} units + {} idle", slot, runs, work, idle));
    return out;
}

} // namespace irqlab::cli::torture
