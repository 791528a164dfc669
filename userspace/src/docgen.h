// Man pages and shell completions made from the CLI's own command tree,
// so that they cannot drift from what 'irqlab --help' says: 'irqlab
// generate' writes them at build time, and make install installs them.
#pragma once

#include <CLI/CLI.hpp>
#include <map>
#include <string>

namespace irqlab::cli::docgen {

// irqlab.8, the overview, and irqlab-COMMAND.8 for each visible top-level
// subcommand (its nested subcommands in the same page): file name -> roff.
std::map<std::string, std::string> man_pages(const CLI::App& app, const std::string& version);

// A bash completion for 'complete -F': subcommands at every level, each
// command's options, and PCI addresses where a command takes one (claimed
// devices from sysfs; for claim, every PCI device with MSI-X).
std::string bash_completion(const CLI::App& app);

// The same for zsh (#compdef irqlab).
std::string zsh_completion(const CLI::App& app);

} // namespace irqlab::cli::docgen
