// irqlab engine attach BDF (--vector N ... | --all-vectors) --action ACTION
//                     [--flow fasteoi|edge|level] [--shared-none N] [--rounds N]
// irqlab engine detach BDF (--vector N ... | --all-vectors)
// irqlab engine interrupts|softirqs|tasklets [--json]
#include "commands.h"
#include "device.h"
#include "vector_selection.h"

#include <algorithm>
#include <cctype>
#include <fmt/format.h>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>

namespace irqlab::cli {

namespace {

struct EngineOptions {
    std::string bdf;
    VectorSelection vectors;
    std::string action;
    std::string flow = "fasteoi";
    unsigned shared_none = 0;
    unsigned rounds = 1;
    bool json = false;
};

const std::map<std::string, uint32_t> flows = {
    {"fasteoi", IRQLAB_FLOW_FASTEOI}, {"edge", IRQLAB_FLOW_EDGE}, {"level", IRQLAB_FLOW_LEVEL}};

const std::map<std::string, uint32_t> simple_actions = {{"count", IRQLAB_ACTION_COUNT},
                                                        {"none", IRQLAB_ACTION_NONE},
                                                        {"tasklet", IRQLAB_ACTION_TASKLET},
                                                        {"tasklet-hi", IRQLAB_ACTION_TASKLET_HI}};

std::string lower(std::string text) {
    std::transform(text.begin(), text.end(), text.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return text;
}

// The engine's slot names, as the module reports them (HI, TIMER, ...).
std::vector<std::string> softirq_names(const Device& module) {
    const irqlab_engine_softirqs cpu0 = module.engine_softirqs(0);
    std::vector<std::string> names;
    for (const auto& slot : cpu0.slot)
        names.emplace_back(slot.name);
    return names;
}

// "count", "none", "tasklet", "tasklet-hi" or "softirq:SLOT".
void parse_action(const std::string& spec, const Device& module, irqlab_engine_attach& out) {
    if (const auto simple = simple_actions.find(spec); simple != simple_actions.end()) {
        out.action = simple->second;
        return;
    }
    const std::string prefix = "softirq:";
    if (spec.rfind(prefix, 0) == 0) {
        const std::vector<std::string> names = softirq_names(module);
        const std::string wanted = lower(spec.substr(prefix.size()));
        for (unsigned slot = 0; slot < names.size(); ++slot) {
            if (lower(names[slot]) == wanted) {
                out.action = IRQLAB_ACTION_SOFTIRQ;
                out.softirq = slot;
                return;
            }
        }
        throw Error{fmt::format("unknown softirq slot '{}' (one of: {})", wanted,
                                lower(fmt::format("{}", fmt::join(names, ", "))))};
    }
    throw Error{
        fmt::format("unknown action '{}': count, none, softirq:SLOT, tasklet, tasklet-hi", spec)};
}

const char* action_name(uint32_t action) {
    for (const auto& [name, value] : simple_actions) {
        if (value == action)
            return name.c_str();
    }
    return action == IRQLAB_ACTION_SOFTIRQ ? "softirq" : "?";
}

const char* flow_name(uint32_t flow) {
    for (const auto& [name, value] : flows) {
        if (value == flow)
            return name.c_str();
    }
    return "?";
}

struct AttachedVector {
    std::string bdf;
    unsigned vector;
    irqlab_engine_line line;
};

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
    if (line.action == IRQLAB_ACTION_SOFTIRQ && line.softirq < names.size())
        return fmt::format("softirq:{}", lower(names[line.softirq]));
    return action_name(line.action);
}

void print_interrupts(const Device& module, bool json) {
    const unsigned cpus = online_cpus(module);
    const std::vector<std::string> names = softirq_names(module);
    const std::vector<AttachedVector> lines = attached_vectors(module);
    if (json) {
        nlohmann::json out = nlohmann::json::array();
        for (const auto& [bdf, vector, line] : lines) {
            out.push_back(
                {{"virq", line.virq},
                 {"bdf", bdf},
                 {"vector", vector},
                 {"chip", "irqlab-msix"},
                 {"flow", flow_name(line.flow)},
                 {"action", action_label(line, names)},
                 {"shared_none", line.shared_none},
                 {"softirq_rounds", line.softirq_rounds},
                 {"softirq_raised", line.softirq_raised},
                 {"tasklet_scheduled", line.tasklet_scheduled},
                 {"tasklet_coalesced", line.tasklet_coalesced},
                 {"tasklet_runs", line.tasklet_runs},
                 {"count", std::vector<uint64_t>(line.count, line.count + cpus)},
                 {"handled", line.handled},
                 {"none", line.none},
                 {"sharer_calls", line.sharer_calls},
                 {"unhandled", line.unhandled},
                 {"depth", line.depth},
                 {"masked", (line.flags & IRQLAB_LINE_MASKED) != 0},
                 {"spurious_disabled", (line.flags & IRQLAB_LINE_SPURIOUS_DISABLED) != 0}});
        }
        fmt::print("{}\n", nlohmann::json{{"interrupts", out}}.dump(2));
        return;
    }
    if (lines.empty()) {
        fmt::print("no vector attached to the engine ('irqlab engine attach BDF ...')\n");
        return;
    }
    fmt::print("{:>5} ", "");
    for (unsigned cpu = 0; cpu < cpus; ++cpu)
        fmt::print("{:>11}", fmt::format("CPU{}", cpu));
    fmt::print("\n");
    for (const auto& [bdf, vector, line] : lines) {
        fmt::print("{:>5}:", line.virq);
        for (unsigned cpu = 0; cpu < cpus; ++cpu)
            fmt::print("{:>11}", line.count[cpu]);
        fmt::print("  irqlab-msix {:>2}-{:<8} {:<15} irqlab-{}-v{}", vector, flow_name(line.flow),
                   action_label(line, names), bdf, vector);
        if (line.shared_none)
            fmt::print(" +{} sharers", line.shared_none);
        if (line.depth)
            fmt::print(" depth={}", line.depth);
        if (line.unhandled)
            fmt::print(" unhandled={}", line.unhandled);
        if (line.flags & IRQLAB_LINE_SPURIOUS_DISABLED)
            fmt::print(" DISABLED (nobody cared)");
        fmt::print("\n");
    }
}

void print_softirqs(const Device& module, bool json) {
    const unsigned cpus = online_cpus(module);
    std::vector<irqlab_engine_softirqs> per_cpu;
    for (unsigned cpu = 0; cpu < cpus; ++cpu)
        per_cpu.push_back(module.engine_softirqs(cpu));
    if (json) {
        nlohmann::json out = nlohmann::json::array();
        for (const auto& c : per_cpu) {
            nlohmann::json slots = nlohmann::json::object();
            for (const auto& slot : c.slot)
                slots[slot.name] = {{"raised", slot.raised}, {"coalesced", slot.coalesced},
                                    {"runs", slot.runs},     {"ns", slot.ns},
                                    {"work", slot.work},     {"idle_runs", slot.idle_runs}};
            out.push_back({{"cpu", c.cpu},
                           {"pending", c.pending},
                           {"slots", slots},
                           {"irq_exit_rounds", c.irq_exit_rounds},
                           {"bh_enable_rounds", c.bh_enable_rounds},
                           {"daemon_rounds", c.daemon_rounds},
                           {"restarts", c.restarts},
                           {"handover_time", c.handover_time},
                           {"handover_restarts", c.handover_restarts},
                           {"handover_resched", c.handover_resched}});
        }
        fmt::print("{}\n", nlohmann::json{{"softirqs", out}}.dump(2));
        return;
    }
    // The /proc/softirqs table (handler runs), then where processing ran.
    fmt::print("{:>10}", "");
    for (unsigned cpu = 0; cpu < cpus; ++cpu)
        fmt::print("{:>12}", fmt::format("CPU{}", cpu));
    fmt::print("\n");
    for (unsigned slot = 0; slot < IRQLAB_NR_SOFTIRQS; ++slot) {
        fmt::print("{:>9}:", per_cpu[0].slot[slot].name);
        for (const auto& c : per_cpu)
            fmt::print("{:>12}", c.slot[slot].runs);
        fmt::print("\n");
    }
    const auto row = [&](const char* label, auto field) {
        fmt::print("{:>9}:", label);
        for (const auto& c : per_cpu)
            fmt::print("{:>12}", c.*field);
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
}

std::string tasklet_state(uint32_t flags) {
    std::string state;
    if (flags & IRQLAB_LINE_TASKLET_SCHED)
        state += "SCHED";
    if (flags & IRQLAB_LINE_TASKLET_RUN)
        state += state.empty() ? "RUN" : "|RUN";
    return state.empty() ? "-" : state;
}

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

} // namespace

void add_engine_commands(CLI::App& app, int& status) {
    auto opts = std::make_shared<EngineOptions>();
    auto* engine = app.add_subcommand("engine", "irqlab's own interrupt subsystem");
    engine->require_subcommand(1);

    auto* attach = engine->add_subcommand("attach", "Feed claimed vectors into the engine");
    attach->add_option("bdf", opts->bdf, "PCI address")->required();
    add_vector_selection(*attach, opts->vectors, "attach");
    attach
        ->add_option("--action", opts->action, "count | none | softirq:SLOT | tasklet | tasklet-hi")
        ->required();
    attach->add_option("--flow", opts->flow, "Flow handler: fasteoi | edge | level")
        ->check(CLI::IsMember({"fasteoi", "edge", "level"}));
    attach
        ->add_option("--shared-none", opts->shared_none,
                     "Also install N actions that return IRQ_NONE (a shared line)")
        ->check(CLI::Range(0, IRQLAB_MAX_SHARED));
    attach
        ->add_option("--rounds", opts->rounds,
                     "softirq: work units per interrupt, one per handler run")
        ->check(CLI::Range(1, IRQLAB_MAX_SOFTIRQ_ROUNDS));
    attach->callback([opts, &status] {
        const Device module;
        irqlab_engine_attach request{};
        copy_bdf(request.bdf, opts->bdf);
        request.vectors = vector_mask(opts->vectors, opts->bdf, module);
        parse_action(opts->action, module, request);
        request.softirq_rounds = opts->rounds;
        request.flow = flows.at(opts->flow);
        request.shared_none = opts->shared_none;
        module.engine_attach(request);
        fmt::print("attached {} vectors {:#x} to the engine: {}, {} flow\n", opts->bdf,
                   request.vectors, opts->action, opts->flow);
        status = exit_ok;
    });

    auto* detach = engine->add_subcommand("detach", "Stop feeding vectors into the engine");
    detach->add_option("bdf", opts->bdf, "PCI address")->required();
    add_vector_selection(*detach, opts->vectors, "detach");
    detach->callback([opts, &status] {
        const Device module;
        module.engine_detach(opts->bdf, vector_mask(opts->vectors, opts->bdf, module));
        status = exit_ok;
    });

    const auto add_table = [&](const char* name, const char* help,
                               void (*print)(const Device&, bool)) {
        auto* table = engine->add_subcommand(name, help);
        table->add_flag("--json", opts->json, "Print as JSON");
        table->callback([opts, &status, print] {
            print(Device{}, opts->json);
            status = exit_ok;
        });
    };
    add_table("interrupts", "The engine's /proc/interrupts", print_interrupts);
    add_table("softirqs", "The engine's /proc/softirqs, with processing rounds and hand-overs",
              print_softirqs);
    add_table("tasklets", "The attached vectors' tasklets: state and counts", print_tasklets);
}

} // namespace irqlab::cli
