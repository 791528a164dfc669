// Each subcommand registers itself on the app; the callback it installs
// returns the process exit status through 'status'.
#pragma once

#include <CLI/CLI.hpp>

namespace irqlab::cli {

enum ExitStatus : int {
    exit_ok = 0,
    exit_error = 1,
    exit_usage = 2,
};

void add_version_command(CLI::App& app, int& status);

} // namespace irqlab::cli
