// irqlab vectors BDF [--json] / irqlab affinity BDF --vector N [--cpus LIST]
//
// vectors also shows where each vector lands: the host (IDT) vector and
// the local APIC x86's vector domain gave it, and that APIC's CPU, so a
// message can be followed from the device's MSI-X table to the handler.
#include "commands.h"
#include "cpulist.h"
#include "device.h"

#include <fmt/format.h>
#include <memory>
#include <nlohmann/json.hpp>

namespace irqlab::cli {

namespace {

struct VectorOptions {
    std::string bdf;
    unsigned vector = 0;
    std::string cpus;
    bool json = false;
};

std::string trigger_list(uint32_t triggers) {
    std::string names;
    const std::pair<irqlab_trigger, const char*> all[] = {{IRQLAB_TRIGGER_DEVICE, "device"},
                                                          {IRQLAB_TRIGGER_IPI, "ipi"},
                                                          {IRQLAB_TRIGGER_EXTERNAL, "external"}};
    for (const auto& [trigger, name] : all)
        if (triggers & IRQLAB_TRIGGER_BIT(trigger))
            names += (names.empty() ? "" : ",") + std::string{name};
    return names;
}

// Where the vector lands: the IDT vector, the local APIC and its CPU, as
// x86's vector domain assigned them ("-" elsewhere).
struct RouteCells {
    std::string host_vector = "-";
    std::string apic_id = "-";
    std::string cpu = "-";
};

RouteCells route_cells(const irqlab_vector_route& route) {
    RouteCells cells;
    if (!(route.flags & IRQLAB_ROUTE_X86))
        return cells;
    cells.host_vector = fmt::format("{:#x}", route.host_vector);
    cells.apic_id = route.flags & IRQLAB_ROUTE_LOGICAL ? fmt::format("{:#x}L", route.apic_id)
                                                       : fmt::format("{}", route.apic_id);
    if (route.cpu >= 0)
        cells.cpu = fmt::format("{}", route.cpu);
    return cells;
}

nlohmann::json route_json(const irqlab_vector_route& route) {
    nlohmann::json j = {{"msi_address", fmt::format("{:#x}", uint64_t{route.msi_address_hi} << 32 |
                                                                 route.msi_address_lo)},
                        {"msi_data", fmt::format("{:#x}", route.msi_data)},
                        {"remapped", (route.flags & IRQLAB_ROUTE_REMAPPED) != 0},
                        {"dest_mode", route.flags & IRQLAB_ROUTE_LOGICAL ? "logical" : "physical"}};
    if (route.flags & IRQLAB_ROUTE_X86) {
        j["host_vector"] = route.host_vector;
        j["apic_id"] = route.apic_id;
        j["cpu"] = route.cpu >= 0 ? nlohmann::json(route.cpu) : nlohmann::json(nullptr);
    }
    return j;
}

} // namespace

void add_vector_commands(CLI::App& app, int& status) {
    auto opts = std::make_shared<VectorOptions>();

    auto* vectors = app.add_subcommand("vectors", "Show a claimed device's MSI-X vectors");
    vectors->add_option("bdf", opts->bdf, "PCI address")->required();
    vectors->add_flag("--json", opts->json, "Print as JSON");
    vectors->callback([opts, &status] {
        const Device module;
        const VectorInfo first = module.vector_info(opts->bdf, 0);
        nlohmann::json rows = nlohmann::json::array();
        bool remapped = false, logical = false;
        if (!opts->json)
            fmt::print(
                "{} ({} vectors; triggers: {})\n{:>4} {:>5} {:>10} {:>10} {:>6} {:>5} {:>4}\n",
                opts->bdf, first.nr_vectors, trigger_list(first.triggers), "VEC", "IRQ", "AFFINITY",
                "EFFECTIVE", "HOSTVEC", "APIC", "CPU");
        for (unsigned v = 0; v < first.nr_vectors; ++v) {
            const VectorInfo info = module.vector_info(opts->bdf, v);
            const irqlab_vector_route route = module.vector_route(opts->bdf, v);
            const std::string cpus = format_cpu_ids(info.affinity.ids());
            const std::string effective = format_cpu_ids(info.effective_affinity.ids());
            remapped = remapped || (route.flags & IRQLAB_ROUTE_REMAPPED);
            logical = logical || (route.flags & IRQLAB_ROUTE_LOGICAL);
            if (opts->json) {
                rows.push_back({{"vector", v},
                                {"irq", info.irq},
                                {"affinity", cpus},
                                {"effective_affinity", effective},
                                {"route", route_json(route)}});
            } else {
                const RouteCells cells = route_cells(route);
                fmt::print("{:>4} {:>5} {:>10} {:>10} {:>6} {:>5} {:>4}\n", v, info.irq, cpus,
                           effective, cells.host_vector, cells.apic_id, cells.cpu);
            }
        }
        if (logical && !opts->json)
            fmt::print("(L: a logical APIC destination, flat logical mode; CPU is the vector's "
                       "effective target)\n");
        if (remapped && !opts->json)
            fmt::print("(interrupt remapping: the MSI-X messages name IRTEs; HOSTVEC and APIC "
                       "are the vector domain's)\n");
        if (opts->json)
            fmt::print("{}\n", nlohmann::json{{"bdf", opts->bdf},
                                              {"triggers", trigger_list(first.triggers)},
                                              {"vectors", rows}}
                                   .dump(2));
        status = exit_ok;
    });

    auto* affinity = app.add_subcommand("affinity", "Show or set a vector's CPU affinity");
    affinity->add_option("bdf", opts->bdf, "PCI address")->required();
    affinity->add_option("--vector", opts->vector, "Vector index")->required();
    affinity->add_option("--cpus", opts->cpus, "Set the affinity to this CPU list (e.g. 0-1)");
    affinity->callback([opts, &status] {
        const Device module;
        Bitmap wanted;
        if (!opts->cpus.empty()) {
            wanted = Bitmap::of(parse_cpu_ids(opts->cpus, module.nr_cpus()), module.nr_cpus());
            module.set_affinity(opts->bdf, opts->vector, wanted);
        }
        const VectorInfo info = module.vector_info(opts->bdf, opts->vector);
        fmt::print("{} vector {} (IRQ {}): affinity {}, effective {}\n", opts->bdf, opts->vector,
                   info.irq, format_cpu_ids(info.affinity.ids()),
                   format_cpu_ids(info.effective_affinity.ids()));
        // Without interrupt remapping, x86 moves an MSI vector when it
        // next fires, so a new affinity may not be effective yet.
        if (!opts->cpus.empty() && !info.effective_affinity.minus(wanted).empty())
            fmt::print("the move takes effect at the vector's next interrupt\n");
        status = exit_ok;
    });
}

} // namespace irqlab::cli
