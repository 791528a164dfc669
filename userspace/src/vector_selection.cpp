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

Bitmap vector_set(const VectorSelection& selection, const std::string& bdf, const Device& module) {
    if (selection.all) {
        const unsigned n = module.vector_info(bdf, 0).nr_vectors;
        Bitmap all{n};
        for (unsigned v = 0; v < n; ++v)
            all.set(v);
        return all;
    }
    if (selection.vectors.empty())
        throw Error{"choose vectors: --vector N ... or --all-vectors"};
    for (unsigned v : selection.vectors) {
        if (v >= IRQLAB_MAX_VECTORS)
            throw Error{fmt::format("vector {} is out of range (0-{})", v, IRQLAB_MAX_VECTORS - 1)};
    }
    return Bitmap::of(selection.vectors);
}

} // namespace irqlab::cli
