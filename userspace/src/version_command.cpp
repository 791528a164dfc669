// irqlab version [--json]: the CLI's own release and ABI, and the loaded
// module's, so a mismatch is visible before anything else goes wrong.
#include "commands.h"
#include "device.h"

#include "irqlab/version.h"

#include <fmt/format.h>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>

namespace irqlab::cli {

namespace {

struct Report {
    std::optional<irqlab_version> module;
    std::string error;
};

Report query_module() {
    Report report;
    try {
        report.module = Device{IRQLAB_DEVICE_PATH, Device::Abi::any}.version();
        if (report.module->abi_major != IRQLAB_ABI_MAJOR)
            report.error = abi_mismatch(*report.module);
    } catch (const Error& e) {
        report.error = e.what();
    }
    return report;
}

nlohmann::json abi_json(unsigned major, unsigned minor) {
    return {{"major", major}, {"minor", minor}};
}

void print_json(const Report& report) {
    nlohmann::json out;
    out["cli"] = {{"version", IRQLAB_RELEASE_STRING},
                  {"abi", abi_json(IRQLAB_ABI_MAJOR, IRQLAB_ABI_MINOR)}};
    if (report.module)
        out["module"] = {{"version", report.module->module_version},
                         {"abi", abi_json(report.module->abi_major, report.module->abi_minor)},
                         {"kernel", report.module->kernel_release}};
    else
        out["module"] = nullptr;
    if (!report.error.empty())
        out["error"] = report.error;
    fmt::print("{}\n", out.dump(2));
}

void print_text(const Report& report) {
    fmt::print("irqlab CLI     {} (ABI {}.{})\n", IRQLAB_RELEASE_STRING, IRQLAB_ABI_MAJOR,
               IRQLAB_ABI_MINOR);
    if (report.module)
        fmt::print("irqlab module  {} (ABI {}.{}) on Linux {}\n", report.module->module_version,
                   report.module->abi_major, report.module->abi_minor,
                   report.module->kernel_release);
    if (!report.error.empty())
        fmt::print(stderr, "irqlab: {}\n", report.error);
}

} // namespace

void add_version_command(CLI::App& app, int& status) {
    auto* cmd = app.add_subcommand("version", "Show CLI and module versions and ABI");
    auto json = std::make_shared<bool>(false);
    cmd->add_flag("--json", *json, "Print as JSON");
    cmd->callback([json, &status] {
        const Report report = query_module();
        if (*json)
            print_json(report);
        else
            print_text(report);
        status = report.error.empty() ? exit_ok : exit_error;
    });
}

} // namespace irqlab::cli
