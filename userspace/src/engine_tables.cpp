// irqlab engine interrupts|softirqs|tasklets: the engine's /proc/interrupts,
// /proc/softirqs and tasklet tables.
#include "engine_tables.h"

#include "schema_json.h"

#include <algorithm>
#include <cctype>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace irqlab::cli {

const std::map<std::string, uint32_t> engine_flows = {
    {"fasteoi", IRQLAB_FLOW_FASTEOI}, {"edge", IRQLAB_FLOW_EDGE}, {"level", IRQLAB_FLOW_LEVEL}};

const std::map<std::string, uint32_t> engine_simple_actions = {
    {"count", IRQLAB_ACTION_COUNT},
    {"none", IRQLAB_ACTION_NONE},
    {"tasklet", IRQLAB_ACTION_TASKLET},
    {"tasklet-hi", IRQLAB_ACTION_TASKLET_HI},
    {"napi", IRQLAB_ACTION_NAPI}};

const std::map<std::string, uint32_t> engine_work_kinds = {
    {"percpu", IRQLAB_WORK_PERCPU},   {"unbound", IRQLAB_WORK_UNBOUND},
    {"highpri", IRQLAB_WORK_HIGHPRI}, {"ordered", IRQLAB_WORK_ORDERED},
    {"bh", IRQLAB_WORK_BH},           {"delayed", IRQLAB_WORK_DELAYED}};

namespace {

const char* name_of(const std::map<std::string, uint32_t>& names, uint32_t value) {
    for (const auto& [name, number] : names) {
        if (number == value)
            return name.c_str();
    }
    return "?";
}

} // namespace

std::string lower(std::string text) {
    std::transform(text.begin(), text.end(), text.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return text;
}

std::vector<std::string> softirq_names(const Device& module) {
    const irqlab_engine_softirqs cpu0 = module.engine_softirqs(0);
    std::vector<std::string> names;
    for (const auto& slot : cpu0.slot)
        names.emplace_back(slot.name);
    return names;
}

std::vector<AttachedVector> attached_vectors(const Device& module) {
    std::vector<AttachedVector> all;
    for (const std::string& bdf : module.claimed()) {
        const unsigned n = module.vector_info(bdf, 0).nr_vectors;
        for (unsigned v = 0; v < n; ++v) {
            if (auto line = module.engine_line(bdf, v))
                all.push_back({bdf, v, *line});
        }
    }
    return all;
}

unsigned online_cpus(const Device& module) {
    return module.engine_softirqs(0).nr_cpus;
}

std::string action_label(const irqlab_engine_line& line, const std::vector<std::string>& names) {
    switch (line.action) {
    case IRQLAB_ACTION_SOFTIRQ:
        return fmt::format("softirq:{}",
                           line.softirq < names.size() ? lower(names[line.softirq]) : "?");
    case IRQLAB_ACTION_WORK:
        return fmt::format("work:{}", name_of(engine_work_kinds, line.work));
    case IRQLAB_ACTION_THREAD:
        return line.attach_flags & IRQLAB_ATTACH_ONESHOT ? "thread:oneshot" : "thread";
    case IRQLAB_ACTION_NAPI:
        return "napi";
    default:
        return name_of(engine_simple_actions, line.action);
    }
}

void print_interrupts(const Device& module, bool json, const CpuColumns& columns) {
    const unsigned cpus = online_cpus(module);
    const std::vector<std::string> names = softirq_names(module);
    const std::vector<AttachedVector> lines = attached_vectors(module);
    if (json) {
        nlohmann::json out = nlohmann::json::array();
        for (const auto& [bdf, vector, line] : lines) {
            nlohmann::json entry = {
                {"virq", line.virq},
                {"bdf", bdf},
                {"vector", vector},
                {"chip", "irqlab-msix"},
                {"flow", name_of(engine_flows, line.flow)},
                {"action", action_label(line, names)},
                {"shared_none", line.shared_none},
                {"softirq_rounds", line.softirq_rounds},
                {"count", line.cpu_count},
                {"workqueue", line.workqueue_name},
                {"thread", line.thread_name},
                {"thread_forced", (line.flags & IRQLAB_LINE_THREAD_FORCED) != 0},
                {"napi_events", line.napi_events},
                {"depth", line.depth},
                {"masked", (line.flags & IRQLAB_LINE_MASKED) != 0},
                {"spurious_disabled", (line.flags & IRQLAB_LINE_SPURIOUS_DISABLED) != 0}};
            schema::put_line(entry, line);
            // Attached by hand: it outlives the command that attached it.
            entry["kept"] = (line.attach_flags & IRQLAB_ATTACH_KEEP) != 0;
            out.push_back(entry);
        }
        fmt::print("{}\n", nlohmann::json{{"interrupts", out}}.dump(2));
        return;
    }
    if (lines.empty()) {
        fmt::print("no vector attached to the engine ('irqlab engine attach BDF ...')\n");
        return;
    }
    const std::vector<unsigned> shown = cpu_columns(columns, cpus, [&](unsigned cpu) {
        return std::any_of(lines.begin(), lines.end(), [cpu](const AttachedVector& a) {
            return cpu < a.line.cpu_count.size() && a.line.cpu_count[cpu] != 0;
        });
    });
    fmt::print("{:>5} ", "");
    for (const unsigned cpu : shown)
        fmt::print("{:>11}", fmt::format("CPU{}", cpu));
    fmt::print("\n");
    for (const auto& [bdf, vector, line] : lines) {
        fmt::print("{:>5}:", line.virq);
        for (const unsigned cpu : shown)
            fmt::print("{:>11}", cpu < line.cpu_count.size() ? line.cpu_count[cpu] : 0);
        fmt::print("  irqlab-msix {:>2}-{:<8} {:<15} irqlab-{}-v{}", vector,
                   name_of(engine_flows, line.flow), action_label(line, names), bdf, vector);
        if (line.shared_none)
            fmt::print(" +{} sharers", line.shared_none);
        if (line.depth)
            fmt::print(" depth={}", line.depth);
        if (line.unhandled)
            fmt::print(" unhandled={}", line.unhandled);
        if (line.flags & IRQLAB_LINE_SPURIOUS_DISABLED)
            fmt::print(" DISABLED (nobody cared)");
        if (!(line.attach_flags & IRQLAB_ATTACH_KEEP))
            fmt::print(" (detached when the command that attached it ends)");
        fmt::print("\n");
    }
}

void print_softirqs(const Device& module, bool json, const CpuColumns& columns) {
    const unsigned cpus = online_cpus(module);
    std::vector<irqlab_engine_softirqs> per_cpu;
    for (unsigned cpu = 0; cpu < cpus; ++cpu)
        per_cpu.push_back(module.engine_softirqs(cpu));
    if (json) {
        nlohmann::json out = nlohmann::json::array();
        for (const auto& c : per_cpu) {
            nlohmann::json slots = nlohmann::json::object();
            for (const auto& slot : c.slot) {
                nlohmann::json cell = nlohmann::json::object();
                schema::put_softirq_slot(cell, slot);
                slots[slot.name] = cell;
            }
            nlohmann::json entry = {{"cpu", c.cpu}, {"pending", c.pending}, {"slots", slots}};
            schema::put_softirq_cpu(entry, c);
            out.push_back(entry);
        }
        fmt::print("{}\n", nlohmann::json{{"softirqs", out}}.dump(2));
        return;
    }
    // The /proc/softirqs table (handler runs), then where processing ran.
    const std::vector<unsigned> shown = cpu_columns(columns, cpus, [&](unsigned cpu) {
        const auto& c = per_cpu[cpu];
        return std::any_of(std::begin(c.slot), std::end(c.slot),
                           [](const irqlab_softirq_slot& s) { return s.raised || s.runs; });
    });
    fmt::print("{:>10}", "");
    for (const unsigned cpu : shown)
        fmt::print("{:>12}", fmt::format("CPU{}", cpu));
    fmt::print("\n");
    for (unsigned slot = 0; slot < IRQLAB_NR_SOFTIRQS; ++slot) {
        fmt::print("{:>9}:", per_cpu[0].slot[slot].name);
        for (const unsigned cpu : shown)
            fmt::print("{:>12}", per_cpu[cpu].slot[slot].runs);
        fmt::print("\n");
    }
    const auto row = [&](const char* label, auto field) {
        fmt::print("{:>9}:", label);
        for (const unsigned cpu : shown)
            fmt::print("{:>12}", per_cpu[cpu].*field);
        fmt::print("\n");
    };
    fmt::print("processing rounds and budget hand-overs to irqlab-sirqd/N:\n");
    row("irq_exit", &irqlab_engine_softirqs::irq_exit_rounds);
    row("bh_enable", &irqlab_engine_softirqs::bh_enable_rounds);
    row("daemon", &irqlab_engine_softirqs::daemon_rounds);
    row("restarts", &irqlab_engine_softirqs::restarts);
    row("by time", &irqlab_engine_softirqs::handover_time);
    row("by count", &irqlab_engine_softirqs::handover_restarts);
    row("resched", &irqlab_engine_softirqs::handover_resched);
    fmt::print("NAPI polling (NET_RX):\n");
    row("rounds", &irqlab_engine_softirqs::net_rx_rounds);
    row("squeezed", &irqlab_engine_softirqs::time_squeeze);
}

namespace {

std::string tasklet_state(uint32_t flags) {
    std::string state;
    if (flags & IRQLAB_LINE_TASKLET_SCHED)
        state += "SCHED";
    if (flags & IRQLAB_LINE_TASKLET_RUN)
        state += state.empty() ? "RUN" : "|RUN";
    return state.empty() ? "-" : state;
}

} // namespace

void print_tasklets(const Device& module, bool json) {
    nlohmann::json out = nlohmann::json::array();
    std::vector<std::string> rows;
    for (const auto& [bdf, vector, line] : attached_vectors(module)) {
        if (line.action != IRQLAB_ACTION_TASKLET && line.action != IRQLAB_ACTION_TASKLET_HI)
            continue;
        const char* kind = line.action == IRQLAB_ACTION_TASKLET_HI ? "hi" : "normal";
        out.push_back({{"bdf", bdf},
                       {"vector", vector},
                       {"priority", kind},
                       {"state", tasklet_state(line.flags)},
                       {"scheduled", line.tasklet_scheduled},
                       {"coalesced", line.tasklet_coalesced},
                       {"runs", line.tasklet_runs}});
        rows.push_back(fmt::format("irqlab-{}-v{:<3} {:<7} {:<10} {:>12} {:>12} {:>12}", bdf,
                                   vector, kind, tasklet_state(line.flags), line.tasklet_scheduled,
                                   line.tasklet_coalesced, line.tasklet_runs));
    }
    if (json) {
        fmt::print("{}\n", nlohmann::json{{"tasklets", out}}.dump(2));
        return;
    }
    if (rows.empty()) {
        fmt::print("no tasklet: attach a vector with --action tasklet or tasklet-hi\n");
        return;
    }
    fmt::print("{:<26} {:<7} {:<10} {:>12} {:>12} {:>12}\n", "tasklet", "prio", "state",
               "scheduled", "coalesced", "runs");
    for (const std::string& row : rows)
        fmt::print("{}\n", row);
}

} // namespace irqlab::cli
