// irqlab engine attach BDF (--vector N ... | --all-vectors) --action ACTION
//                     [--flow fasteoi|edge|level] [--shared-none N] [--rounds N]
//                     [--hold sleep|spin --hold-us N] [--delay-us N]
//                     [--napi-weight N] [--napi-events N] [--mem-reclaim]
// irqlab engine detach|flush BDF (--vector N ... | --all-vectors)
// irqlab engine config [--forced-threading on|off] [--worker-fault on|off]
// irqlab engine interrupts|softirqs|tasklets|workqueues|threads|napi [--json]
#include "commands.h"
#include "cpulist.h"
#include "device.h"
#include "engine_tables.h"
#include "vector_selection.h"

#include <fmt/format.h>
#include <memory>
#include <optional>

namespace irqlab::cli {

namespace {

struct EngineOptions {
    std::string bdf;
    VectorSelection vectors;
    std::string action;
    std::string flow = "fasteoi";
    unsigned shared_none = 0;
    unsigned rounds = 1;
    std::string hold = "none";
    unsigned hold_us = 0;
    unsigned delay_us = 0;
    unsigned napi_weight = 64;
    unsigned napi_events = 1;
    bool mem_reclaim = false;
    std::optional<bool> forced_threading;
    std::optional<bool> worker_fault;
    bool json = false;
    CpuColumns columns;
};

const std::map<std::string, uint32_t> holds = {
    {"none", IRQLAB_HOLD_NONE}, {"sleep", IRQLAB_HOLD_SLEEP}, {"spin", IRQLAB_HOLD_SPIN}};

const char* const action_help = "count | none | softirq:SLOT | tasklet | tasklet-hi | "
                                "work[:percpu|unbound|highpri|ordered|bh|delayed] | "
                                "thread[:oneshot] | napi";

// Splits "kind:detail" at the first colon.
std::pair<std::string, std::string> split_spec(const std::string& spec) {
    const auto colon = spec.find(':');
    if (colon == std::string::npos)
        return {spec, ""};
    return {spec.substr(0, colon), spec.substr(colon + 1)};
}

void parse_softirq_slot(const std::string& slot_name, const Device& module,
                        irqlab_engine_attach& out) {
    const std::vector<std::string> names = softirq_names(module);
    const std::string wanted = lower(slot_name);
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

void parse_action(const std::string& spec, const Device& module, irqlab_engine_attach& out) {
    if (const auto simple = engine_simple_actions.find(spec);
        simple != engine_simple_actions.end()) {
        out.action = simple->second;
        return;
    }
    const auto [kind, detail] = split_spec(spec);
    if (kind == "softirq" && !detail.empty())
        return parse_softirq_slot(detail, module, out);
    if (kind == "work") {
        const auto work = engine_work_kinds.find(detail.empty() ? "percpu" : detail);
        if (work == engine_work_kinds.end())
            throw Error{fmt::format("unknown work kind '{}': percpu, unbound, highpri, "
                                    "ordered, bh, delayed",
                                    detail)};
        out.action = IRQLAB_ACTION_WORK;
        out.work = work->second;
        return;
    }
    if (kind == "thread" && (detail.empty() || detail == "oneshot")) {
        out.action = IRQLAB_ACTION_THREAD;
        if (detail == "oneshot")
            out.flags |= IRQLAB_ATTACH_ONESHOT;
        return;
    }
    throw Error{fmt::format("unknown action '{}': {}", spec, action_help)};
}

// Without its vectors: the caller gives them with the request.
irqlab_engine_attach attach_request(const EngineOptions& opts, const Device& module) {
    irqlab_engine_attach request{};
    copy_bdf(request.bdf, opts.bdf);
    parse_action(opts.action, module, request);
    request.softirq_rounds = opts.rounds;
    request.flow = engine_flows.at(opts.flow);
    request.shared_none = opts.shared_none;
    request.hold = holds.at(opts.hold);
    request.hold_us = opts.hold_us;
    request.delay_us = opts.delay_us;
    request.napi_weight = opts.napi_weight;
    request.napi_events = opts.napi_events;
    if (opts.mem_reclaim)
        request.flags |= IRQLAB_ATTACH_MEM_RECLAIM;
    // By hand, the lines are meant to outlive this command.
    request.flags |= IRQLAB_ATTACH_KEEP;
    if (request.hold != IRQLAB_HOLD_NONE && request.action != IRQLAB_ACTION_WORK &&
        request.action != IRQLAB_ACTION_THREAD)
        throw Error{"--hold applies to work and thread actions only"};
    if (request.hold != IRQLAB_HOLD_NONE && opts.hold_us == 0)
        throw Error{"--hold needs --hold-us N (N > 0)"};
    if (request.hold == IRQLAB_HOLD_SLEEP && request.work == IRQLAB_WORK_BH &&
        request.action == IRQLAB_ACTION_WORK)
        throw Error{"BH work runs in softirq context and cannot sleep: use --hold spin"};
    if (opts.delay_us &&
        !(request.action == IRQLAB_ACTION_WORK && request.work == IRQLAB_WORK_DELAYED))
        throw Error{"--delay-us applies to --action work:delayed only"};
    if (opts.mem_reclaim && request.action != IRQLAB_ACTION_WORK)
        throw Error{"--mem-reclaim applies to work actions only"};
    return request;
}

void print_config(const irqlab_engine_config& config, bool json) {
    if (json) {
        fmt::print("{{\"forced_threading\": {}, \"worker_fault\": {}}}\n",
                   config.forced_threading != 0, config.worker_fault != 0);
        return;
    }
    fmt::print("forced threading: {}\nworker creation:  {}\n",
               config.forced_threading ? "on (plain handlers run in irq threads)" : "off",
               config.worker_fault ? "failing (fault injected)" : "normal");
}

} // namespace

void add_engine_commands(CLI::App& app, int& status) {
    auto opts = std::make_shared<EngineOptions>();
    auto* engine = app.add_subcommand("engine", "irqlab's own interrupt subsystem");
    engine->require_subcommand(1);

    auto* attach = engine->add_subcommand(
        "attach", "Feed claimed vectors into the engine; they stay attached after this "
                  "command exits, until 'irqlab engine detach' or 'irqlab release'");
    attach->add_option("bdf", opts->bdf, "PCI address")->required();
    add_vector_selection(*attach, opts->vectors, "attach");
    attach->add_option("--action", opts->action, action_help)->required();
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
    attach
        ->add_option("--hold", opts->hold,
                     "work, thread: each run sleeps (blocks) or spins for --hold-us")
        ->check(CLI::IsMember({"none", "sleep", "spin"}));
    attach->add_option("--hold-us", opts->hold_us, "How long each run holds")
        ->check(CLI::Range(0, IRQLAB_MAX_HOLD_US));
    attach->add_option("--delay-us", opts->delay_us, "work:delayed: the delay")
        ->check(CLI::Range(0, IRQLAB_MAX_DELAY_US));
    attach->add_option("--napi-weight", opts->napi_weight, "napi: events per poll at most")
        ->check(CLI::Range(1, IRQLAB_MAX_NAPI_WEIGHT));
    attach->add_option("--napi-events", opts->napi_events, "napi: events each interrupt brings")
        ->check(CLI::Range(1, IRQLAB_MAX_NAPI_EVENTS));
    attach->add_flag("--mem-reclaim", opts->mem_reclaim,
                     "work: WQ_MEM_RECLAIM, a rescuer keeps the queue moving");
    attach->callback([opts, &status] {
        const Device module;
        const irqlab_engine_attach request = attach_request(*opts, module);
        const Bitmap vectors = vector_set(opts->vectors, opts->bdf, module);
        module.engine_attach(request, vectors);
        fmt::print("attached {} vectors {} to the engine: {}, {} flow (kept until "
                   "'irqlab engine detach')\n",
                   opts->bdf, format_cpu_ids(vectors.ids()), opts->action, opts->flow);
        status = exit_ok;
    });

    auto* detach = engine->add_subcommand("detach", "Stop feeding vectors into the engine");
    detach->add_option("bdf", opts->bdf, "PCI address")->required();
    add_vector_selection(*detach, opts->vectors, "detach");
    detach->callback([opts, &status] {
        const Device module;
        module.engine_detach(opts->bdf, vector_set(opts->vectors, opts->bdf, module));
        status = exit_ok;
    });

    auto* flush =
        engine->add_subcommand("flush", "Wait until the vectors' deferred work has all run");
    flush->add_option("bdf", opts->bdf, "PCI address")->required();
    add_vector_selection(*flush, opts->vectors, "flush");
    flush->callback([opts, &status] {
        const Device module;
        module.engine_flush(opts->bdf, vector_set(opts->vectors, opts->bdf, module));
        status = exit_ok;
    });

    auto* config = engine->add_subcommand("config", "Show or set engine options");
    config->add_option("--forced-threading", opts->forced_threading,
                       "on: lines attached later run plain handlers in irq threads "
                       "(threadirqs)");
    config->add_option("--worker-fault", opts->worker_fault,
                       "on: the workqueues cannot create workers (tests the rescuer)");
    config->add_flag("--json", opts->json, "Print as JSON");
    config->callback([opts, &status] {
        const Device module;
        irqlab_engine_config request{};
        if (opts->forced_threading) {
            request.set |= IRQLAB_CONFIG_FORCED_THREADING;
            request.forced_threading = *opts->forced_threading;
        }
        if (opts->worker_fault) {
            request.set |= IRQLAB_CONFIG_WORKER_FAULT;
            request.worker_fault = *opts->worker_fault;
        }
        print_config(module.engine_config(request), opts->json);
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
    // The per-CPU tables: CPUs with activity unless --cpus or --all-cpus.
    const auto add_cpu_table = [&](const char* name, const char* help,
                                   void (*print)(const Device&, bool, const CpuColumns&)) {
        auto* table = engine->add_subcommand(name, help);
        table->add_flag("--json", opts->json, "Print as JSON (every CPU)");
        add_cpu_columns(*table, opts->columns);
        table->callback([opts, &status, print] {
            print(Device{}, opts->json, opts->columns);
            status = exit_ok;
        });
    };
    add_cpu_table("interrupts", "The engine's /proc/interrupts", print_interrupts);
    add_cpu_table("softirqs", "The engine's /proc/softirqs, with processing rounds and hand-overs",
                  print_softirqs);
    add_table("tasklets", "The attached vectors' tasklets: state and counts", print_tasklets);
    add_table("workqueues", "Worker pools and workqueues: workers, queues, concurrency",
              print_workqueues);
    add_table("threads", "The attached vectors' irq threads", print_threads);
    add_table("napi", "The attached vectors' NAPI polls: rounds, budget, events", print_napi);
}

} // namespace irqlab::cli
