// One irqlab torture run, from the header line to the verdict line.
#pragma once

#include "device.h"
#include "torture_options.h"

#include <string>
#include <vector>

namespace irqlab::cli::torture {

// Prints the header, a statistics line every --stat-interval and the
// verdict; returns exit_ok (SUCCESS) or exit_events_lost (FAILURE).
// Throws Error when the torture cannot start (exit 1).
int run(const Device& module, const Options& options, const std::vector<std::string>& devices);

} // namespace irqlab::cli::torture
