// irqlab torture [--duration N[s|m|h]] [--seed N] [--device BDF ...] ...
//
// A stress run in the manner of locktorture: for --duration, on the
// claimed devices, actors fire random runs, attach and detach engine lines
// and native mechanisms (some while their vectors fire), shuffle
// affinities, take CPUs offline and back, stutter and flip the engine's
// forced threading, all from one seed. Then everything is stopped, flushed,
// detached and checked exactly (docs/torture.md). Exit 0 SUCCESS, 3
// FAILURE (a broken identity, a stuck run or operation, a kernel report),
// 1 when it could not run.
#include "commands.h"
#include "device.h"
#include "torture_options.h"
#include "torture_run.h"

#include <algorithm>
#include <chrono>
#include <fmt/format.h>
#include <memory>
#include <unistd.h>

namespace irqlab::cli {

CLI::App* add_torture_command(CLI::App& app, int& status) {
    auto opts = std::make_shared<torture::Options>();
    auto* torture = app.add_subcommand(
        "torture",
        "Stress the claimed devices for --duration with a random, reproducible (--seed) mix of "
        "firing runs (device and ipi triggers), engine lines of every action and flow, native "
        "mechanisms, attach and detach while firing, affinity shuffles, CPU offline/online, "
        "stutter and forced-threading flips; then check every accounting identity exactly and "
        "the kernel log. Prints a statistics line every --stat-interval and ends with "
        "'irqlab-torture: --- End of test: SUCCESS' (exit 0) or 'FAILURE: <reason>' (exit 3); "
        "exit 1 when it cannot run. Needs root.");
    torture::add_options(*torture, *opts);
    torture->callback([opts, &status] {
        const uint64_t clock_seed =
            static_cast<uint64_t>(std::chrono::system_clock::now().time_since_epoch().count());
        torture::check_options(*opts, clock_seed);
        if (::geteuid() != 0)
            throw Error{"irqlab torture needs root: it takes CPUs offline and reads the "
                        "kernel log (/dev/kmsg)"};
        const Device module;
        std::vector<std::string> devices = opts->devices;
        const std::vector<std::string> claimed = module.claimed();
        if (devices.empty())
            devices = claimed;
        if (devices.empty())
            throw Error{"no device is claimed: 'irqlab claim BDF' first"};
        for (const std::string& bdf : devices) {
            if (std::find(claimed.begin(), claimed.end(), bdf) == claimed.end())
                throw Error{fmt::format("{} is not claimed: 'irqlab claim {}' first", bdf, bdf)};
        }
        status = torture::run(module, *opts, devices);
    });
    return torture;
}

} // namespace irqlab::cli
