// Each subcommand registers itself on the app; the callback it installs
// returns the process exit status through 'status'.
#pragma once

#include <CLI/CLI.hpp>
#include <string>

namespace irqlab::cli {

enum ExitStatus : int {
    exit_ok = 0,
    exit_error = 1,
    exit_usage = 2,
    exit_events_lost = 3,        // the accounting identity did not hold
    exit_threshold_exceeded = 4, // compare: a p99 above --max-p99
};

// Writes 'text' to 'path', or throws Error naming it.
void write_file(const std::string& path, const std::string& text);

void add_version_command(CLI::App& app, int& status);
void add_claim_commands(CLI::App& app, int& status);
void add_devices_command(CLI::App& app, int& status);
void add_vector_commands(CLI::App& app, int& status);
void add_fire_commands(CLI::App& app, int& status);
void add_stats_commands(CLI::App& app, int& status);
void add_engine_commands(CLI::App& app, int& status);
void add_compare_command(CLI::App& app, int& status);
void add_report_command(CLI::App& app, int& status);
// Hidden: man pages and completions from 'app' as registered so far.
void add_generate_command(CLI::App& app, int& status);
// Returned so that main can tell a bad torture flag (exit 1, as the
// torture's other errors) from other commands' usage errors.
CLI::App* add_torture_command(CLI::App& app, int& status);

} // namespace irqlab::cli
