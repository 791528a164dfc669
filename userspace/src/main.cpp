// irqlab: drive the irqlab module over /dev/irqlab.
#include "commands.h"

#include "irqlab/version.h"

int main(int argc, char** argv) {
    using namespace irqlab::cli;

    CLI::App app{"irqlab: measure what interrupt handling costs, engine vs native"};
    app.set_version_flag("-V,--cli-version", IRQLAB_RELEASE_STRING);
    app.require_subcommand(1);

    int status = exit_ok;
    add_version_command(app, status);

    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        const int code = app.exit(e);
        return code == 0 ? exit_ok : exit_usage;
    }
    return status;
}
