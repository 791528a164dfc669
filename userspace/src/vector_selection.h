// "--vector N ... | --all-vectors": which vectors of a device a command
// acts on, shared by fire and the engine commands.
#pragma once

#include "device.h"

#include <CLI/CLI.hpp>
#include <string>
#include <vector>

namespace irqlab::cli {

struct VectorSelection {
    std::vector<unsigned> vectors;
    bool all = false;
};

// Adds the two mutually exclusive options to 'command'.
void add_vector_selection(CLI::App& command, VectorSelection& selection, const char* verb);

// The selection as a set; throws Error when nothing is chosen or a vector
// is beyond the largest MSI-X table (the module checks the device's).
Bitmap vector_set(const VectorSelection& selection, const std::string& bdf, const Device& module);

} // namespace irqlab::cli
