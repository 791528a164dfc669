#include "vector_selection.h"

#include <fmt/format.h>

namespace irqlab::cli {

void add_vector_selection(CLI::App& command, VectorSelection& selection, const char* verb) {
    auto* vector =
        command.add_option("--vector", selection.vectors, fmt::format("Vector(s) to {}", verb));
    auto* all =
        command.add_flag("--all-vectors", selection.all, fmt::format("{} every vector", verb));
    vector->excludes(all);
}

uint64_t vector_mask(const VectorSelection& selection, const std::string& bdf,
                     const Device& module) {
    if (selection.all) {
        const unsigned n = module.vector_info(bdf, 0).nr_vectors;
        return n >= 64 ? ~0ull : (uint64_t{1} << n) - 1;
    }
    if (selection.vectors.empty())
        throw Error{"choose vectors: --vector N ... or --all-vectors"};
    uint64_t mask = 0;
    for (unsigned v : selection.vectors) {
        if (v >= IRQLAB_MAX_VECTORS)
            throw Error{fmt::format("vector {} is out of range (0-{})", v, IRQLAB_MAX_VECTORS - 1)};
        mask |= uint64_t{1} << v;
    }
    return mask;
}

} // namespace irqlab::cli
