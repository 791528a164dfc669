// irqlab torture's parameters: parsed by CLI11, checked here (a bad value
// is an Error, exit 1), and printed whole in the header and verdict lines
// so that any run can be repeated from its log.
#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>
#include <string>
#include <vector>

namespace irqlab::cli::torture {

struct Options {
    std::string duration = "60s"; // as given; 'seconds' once checked
    unsigned long long seconds = 60;
    uint64_t seed = 0;
    bool seed_given = false;
    std::vector<std::string> devices; // empty: every claimed device
    std::string triggers = "device,ipi";
    unsigned stat_interval = 10;
    unsigned shuffle_interval = 3;
    unsigned onoff_interval = 3;
    unsigned onoff_holdoff = 5;
    unsigned stutter = 5;
    unsigned config_interval = 10;
    unsigned stuck_timeout = 120;
    unsigned max_count = 500;
};

// Adds the flags to 'command' (help text included).
void add_options(CLI::App& command, Options& options);

// "90", "90s", "15m", "2h" -> seconds; throws Error otherwise or on 0.
unsigned long long parse_duration(const std::string& text);

// Checks what CLI11 cannot and fills the derived fields (seconds, the
// seed when none was given). Throws Error naming the flag.
void check_options(Options& options, uint64_t fallback_seed);

// "duration=60s seed=... " : every parameter, for the header and verdict.
std::string params(const Options& options, const std::vector<std::string>& devices);

} // namespace irqlab::cli::torture
