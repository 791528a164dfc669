// irqlab generate man DIR | bash-completion [FILE] | zsh-completion [FILE]
//
// Hidden: the build runs it to make the man pages and completions from
// the command tree itself (docgen.h), and make install installs them.
#include "commands.h"
#include "docgen.h"
#include "irqlab/version.h"

#include <fmt/format.h>
#include <memory>

namespace irqlab::cli {

namespace {

struct GenerateOptions {
    std::string what;
    std::string output;
};

} // namespace

void add_generate_command(CLI::App& app, int& status) {
    auto opts = std::make_shared<GenerateOptions>();
    auto* cmd = app.add_subcommand("generate", "Write irqlab's man pages or a shell completion");
    cmd->group(""); // hidden: a build step, not a user's command
    cmd->add_option("what", opts->what, "man | bash-completion | zsh-completion")
        ->required()
        ->check(CLI::IsMember({"man", "bash-completion", "zsh-completion"}));
    cmd->add_option("output", opts->output,
                    "man: the directory the pages go to; a completion: its file (else stdout)");
    cmd->callback([opts, &app, &status] {
        if (opts->what == "man") {
            if (opts->output.empty())
                throw Error{"generate man: name the directory the pages go to"};
            for (const auto& [name, text] : docgen::man_pages(app, IRQLAB_RELEASE_STRING))
                write_file(opts->output + "/" + name, text);
        } else {
            const std::string text = opts->what == "bash-completion" ? docgen::bash_completion(app)
                                                                     : docgen::zsh_completion(app);
            if (opts->output.empty())
                fmt::print("{}", text);
            else
                write_file(opts->output, text);
        }
        status = exit_ok;
    });
}

} // namespace irqlab::cli
