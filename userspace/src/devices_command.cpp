// irqlab devices [--json]: PCI devices, their MSI-X vectors, bound driver,
// and whether irqlab can make them fire by itself.
#include "commands.h"
#include "device.h"
#include "pci.h"

#include <algorithm>
#include <fmt/format.h>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>

namespace irqlab::cli {

void add_devices_command(CLI::App& app, int& status) {
    auto json = std::make_shared<bool>(false);
    auto* cmd = app.add_subcommand("devices", "List PCI devices and what irqlab can do with them");
    cmd->add_flag("--json", *json, "Print as JSON");
    cmd->callback([json, &status] {
        // The module knows which devices it can trigger; without it (or
        // without root) that column says so instead of guessing.
        std::optional<Device> module;
        std::string no_module;
        try {
            module.emplace();
        } catch (const Error& e) {
            no_module = e.what();
        }
        const std::vector<std::string> claimed =
            module ? module->claimed() : std::vector<std::string>{};
        nlohmann::json rows = nlohmann::json::array();
        if (!*json)
            fmt::print("{:<14} {:<10} {:>5}  {:<12} {:<8} {}\n", "BDF", "ID", "MSI-X", "DRIVER",
                       "CLAIMED", "DEVICE TRIGGER");
        for (const PciDevice& dev : pci_devices()) {
            const bool is_claimed =
                std::find(claimed.begin(), claimed.end(), dev.bdf) != claimed.end();
            std::string trigger = "?";
            bool untested = false;
            if (module) {
                const irqlab_device_caps caps = module->caps(dev.vendor, dev.device);
                trigger = caps.name[0] ? caps.name : "no";
                untested = caps.flags & IRQLAB_DEVICE_UNTESTED;
            }
            const std::string msix = dev.msix_table        ? std::to_string(*dev.msix_table)
                                     : dev.config_readable ? "-"
                                                           : "?";
            if (*json) {
                rows.push_back({{"bdf", dev.bdf},
                                {"vendor", fmt::format("{:04x}", dev.vendor)},
                                {"device", fmt::format("{:04x}", dev.device)},
                                {"msix_vectors", dev.msix_table ? nlohmann::json(*dev.msix_table)
                                                                : nlohmann::json(nullptr)},
                                {"driver", dev.driver},
                                {"claimed", is_claimed},
                                {"device_trigger", module ? nlohmann::json(trigger != "no")
                                                          : nlohmann::json(nullptr)},
                                {"device_trigger_untested", untested}});
                continue;
            }
            fmt::print("{:<14} {:04x}:{:04x}  {:>5}  {:<12} {:<8} {}\n", dev.bdf, dev.vendor,
                       dev.device, msix, dev.driver.empty() ? "-" : dev.driver,
                       is_claimed ? "yes" : "no",
                       untested ? trigger + ", untested on hardware" : trigger);
        }
        if (*json)
            fmt::print("{}\n", nlohmann::json{{"devices", rows}}.dump(2));
        else if (!module)
            fmt::print(stderr, "irqlab: device triggers unknown: {}\n", no_module);
        status = exit_ok;
    });
}

} // namespace irqlab::cli
