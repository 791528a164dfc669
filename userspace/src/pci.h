// What sysfs says about PCI devices, for 'irqlab devices' and friends.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace irqlab::cli {

struct PciDevice {
    std::string bdf;
    uint16_t vendor = 0;
    uint16_t device = 0;
    std::string driver;                 // "" when unbound
    std::optional<unsigned> msix_table; // MSI-X vectors; nullopt: none or unreadable
    bool config_readable = false;       // non-root sees only 64 bytes
};

std::vector<PciDevice> pci_devices();

} // namespace irqlab::cli
