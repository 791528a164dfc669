// "--vector N ... | --all-vectors": which vectors of a device a command
// acts on, shared by fire and the engine commands.
#pragma once

#include "device.h"

#include <CLI/CLI.hpp>
#include <cstdint>
#include <string>
#include <vector>

namespace irqlab::cli {

struct VectorSelection {
    std::vector<unsigned> vectors;
    bool all = false;
};

// Adds the two mutually exclusive options to 'command'.
void add_vector_selection(CLI::App& command, VectorSelection& selection, const char* verb);

// The ABI bitmap of the selection; throws Error when nothing is chosen or a
// vector is beyond the ABI's range.
uint64_t vector_mask(const VectorSelection& selection, const std::string& bdf,
                     const Device& module);

} // namespace irqlab::cli
