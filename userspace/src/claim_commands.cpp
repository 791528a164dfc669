// irqlab claim BDF [--force] [--spread] / irqlab release BDF [--reprobe]
#include "commands.h"
#include "device.h"

#include <fmt/format.h>
#include <memory>

namespace irqlab::cli {

namespace {

struct ClaimOptions {
    std::string bdf;
    bool force = false;
    bool spread = false;
    bool reprobe = false;
};

} // namespace

void add_claim_commands(CLI::App& app, int& status) {
    auto opts = std::make_shared<ClaimOptions>();

    auto* claim = app.add_subcommand("claim", "Bind irqlab to a PCI device and take its MSI-X "
                                              "vectors; it stays claimed until 'irqlab release'");
    claim->add_option("bdf", opts->bdf, "PCI address, e.g. 0000:00:04.0")->required();
    claim->add_flag("--force", opts->force, "Unbind the driver the device has now");
    claim->add_flag("--spread", opts->spread,
                    "Spread vectors over CPUs (managed affinity; extra vectors keep default "
                    "affinity so none is lost)");
    claim->callback([opts, &status] {
        const uint32_t flags =
            (opts->force ? IRQLAB_CLAIM_FORCE : 0) | (opts->spread ? IRQLAB_CLAIM_SPREAD : 0);
        const irqlab_claim result = Device{}.claim(opts->bdf, flags);
        // Fewer than the table is worth saying: some vectors were not taken.
        const std::string taken =
            result.nr_vectors < result.table_size
                ? fmt::format("took {} of {}", result.nr_vectors, result.table_size)
                : fmt::format("{}", result.nr_vectors);
        fmt::print("claimed {}: {} MSI-X vectors{}\n", opts->bdf, taken,
                   result.driver[0] ? fmt::format(" (unbound {})", result.driver) : "");
        if (result.driver[0])
            fmt::print("'irqlab release --reprobe {}' gives it back to {}\n", opts->bdf,
                       result.driver);
        status = exit_ok;
    });

    auto* release = app.add_subcommand("release", "Give a claimed device back");
    release->add_option("bdf", opts->bdf, "PCI address")->required();
    release->add_flag("--reprobe", opts->reprobe,
                      "Let the kernel bind the device's own driver again");
    release->callback([opts, &status] {
        Device{}.release(opts->bdf, opts->reprobe ? IRQLAB_RELEASE_REPROBE : 0);
        fmt::print("released {}\n", opts->bdf);
        status = exit_ok;
    });
}

} // namespace irqlab::cli
