#include "pci.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>

namespace irqlab::cli {

namespace fs = std::filesystem;

namespace {

constexpr unsigned capability_list = 0x34;
constexpr unsigned cap_id_msix = 0x11;

uint16_t read_hex(const fs::path& file) {
    std::ifstream in{file};
    unsigned value = 0;
    in >> std::hex >> value;
    return static_cast<uint16_t>(value);
}

// Walks the capability list in config space to MSI-X; Message Control's
// bits 10:0 hold the table size minus one.
std::optional<unsigned> msix_table_size(const std::vector<unsigned char>& config) {
    if (config.size() < 256)
        return std::nullopt;
    unsigned pos = config[capability_list];
    for (int hops = 0; pos && pos + 3 < config.size() && hops < 48; ++hops) {
        if (config[pos] == cap_id_msix)
            return ((config[pos + 2] | config[pos + 3] << 8) & 0x7ff) + 1;
        pos = config[pos + 1];
    }
    return std::nullopt;
}

} // namespace

std::vector<PciDevice> pci_devices() {
    std::vector<PciDevice> devices;
    const fs::path root{"/sys/bus/pci/devices"};
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator{root, ec}) {
        PciDevice dev;
        dev.bdf = entry.path().filename();
        dev.vendor = read_hex(entry.path() / "vendor");
        dev.device = read_hex(entry.path() / "device");
        if (fs::exists(entry.path() / "driver"))
            dev.driver = fs::read_symlink(entry.path() / "driver", ec).filename();
        std::ifstream in{entry.path() / "config", std::ios::binary};
        std::vector<unsigned char> config{std::istreambuf_iterator<char>{in}, {}};
        dev.config_readable = config.size() >= 256;
        dev.msix_table = msix_table_size(config);
        devices.push_back(std::move(dev));
    }
    std::sort(devices.begin(), devices.end(),
              [](const PciDevice& a, const PciDevice& b) { return a.bdf < b.bdf; });
    return devices;
}

} // namespace irqlab::cli
