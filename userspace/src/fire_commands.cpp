// irqlab fire BDF (--vector N ... | --all-vectors) --count N [--rate HZ]
//             --trigger device|ipi|external [--cpu N] [--no-wait] [--json]
// irqlab stop [BDF]
//
// The run itself executes in a kernel thread; 'fire' starts it and then
// polls, so Ctrl-C here becomes an 'irqlab stop' for the run. The run
// belongs to this process's open /dev/irqlab: however the process ends
// (kill -9 too), the module stops the run. --no-wait starts a detached
// run instead, which outlives the command until it ends or 'irqlab stop'.
#include "commands.h"
#include "device.h"
#include "fire_run.h"
#include "schema_json.h"
#include "stats_report.h"
#include "vector_selection.h"

#include <cerrno>
#include <cstring>
#include <fmt/format.h>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>

namespace irqlab::cli {

namespace {

struct FireOptions {
    std::string bdf;
    VectorSelection vectors;
    uint64_t count = 0;
    uint32_t rate = 0;
    std::string trigger;
    int cpu = -1;
    bool no_wait = false;
    bool json = false;
};

} // namespace

void add_fire_commands(CLI::App& app, int& status) {
    auto opts = std::make_shared<FireOptions>();

    auto* fire = app.add_subcommand("fire", "Fire a claimed device's vectors and account for "
                                            "every interrupt");
    fire->add_option("bdf", opts->bdf, "PCI address")->required();
    add_vector_selection(*fire, opts->vectors, "fire");
    fire->add_option("--count", opts->count, "Interrupts per vector")
        ->required()
        ->check(CLI::Range(uint64_t{1}, uint64_t{IRQLAB_MAX_COUNT}));
    fire->add_option("--rate", opts->rate, "Interrupts per second (default: back to back)");
    fire->add_option("--trigger", opts->trigger, "device | ipi | external")
        ->required()
        ->check(CLI::IsMember({"device", "ipi", "external"}));
    // Checked against the module's nr_cpu_ids once it is open.
    fire->add_option("--cpu", opts->cpu, "Point the vectors at this CPU for the run")
        ->check(CLI::NonNegativeNumber);
    fire->add_flag("--no-wait", opts->no_wait,
                   "Start the run and return: the run outlives this command until it ends or "
                   "'irqlab stop' (without it, ending this command stops the run)");
    fire->add_flag("--json", opts->json, "Print the result as JSON");
    fire->callback([opts, &status] {
        const Device module;
        irqlab_fire request{};
        copy_bdf(request.bdf, opts->bdf);
        const Bitmap vectors = vector_set(opts->vectors, opts->bdf, module);
        if (opts->cpu >= 0 && static_cast<unsigned>(opts->cpu) >= module.nr_cpus())
            throw Error{
                fmt::format("CPU {} is out of range (0-{})", opts->cpu, module.nr_cpus() - 1)};
        request.count = opts->count;
        request.rate_hz = opts->rate;
        request.trigger = trigger_names().at(opts->trigger);
        request.cpu = opts->cpu;
        if (opts->no_wait)
            request.flags |= IRQLAB_FIRE_DETACHED;
        module.fire(request, vectors);
        if (opts->no_wait) {
            fmt::print("run started on {}; 'irqlab stats {}' follows it, 'irqlab stop {}' "
                       "ends it\n",
                       opts->bdf, opts->bdf, opts->bdf);
            status = exit_ok;
            return;
        }

        const irqlab_run_status run = wait_for_run(module, opts->bdf);
        const StatsReport report = device_stats(module, opts->bdf, vectors);
        const bool lost = !report.balanced || run.undelivered;
        if (opts->json) {
            nlohmann::json run_json = {{"state", run_state_name(run.state)}, {"error", run.error}};
            schema::put_run(run_json, run);
            fmt::print(
                "{}\n",
                nlohmann::json{{"run", run_json}, {"stats", report.json}, {"balanced", !lost}}.dump(
                    2));
        } else {
            fmt::print("{}run {}: {} of {} triggers issued", report.text, run_state_name(run.state),
                       run.issued, run.planned);
            if (run.undelivered)
                fmt::print(", {} never arrived", run.undelivered);
            fmt::print("\n");
        }
        if (run.state == IRQLAB_RUN_FAILED)
            throw Error{fmt::format("the run failed: {}", std::strerror(-run.error))};
        if (lost)
            fmt::print(stderr,
                       "irqlab: events lost: fired + unexpected != received + coalesced + busy\n");
        status = lost ? exit_events_lost : exit_ok;
    });

    auto* stop = app.add_subcommand("stop", "Stop a firing run (default: every run)");
    stop->add_option("bdf", opts->bdf, "PCI address");
    stop->callback([opts, &status] {
        Device{}.stop(opts->bdf);
        status = exit_ok;
    });
}

} // namespace irqlab::cli
