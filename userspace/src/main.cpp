// irqlab: drive the irqlab module over /dev/irqlab.
#include "commands.h"

#include "device.h"
#include "irqlab/version.h"

#include <fmt/format.h>

int main(int argc, char** argv) {
    using namespace irqlab::cli;

    CLI::App app{"irqlab: measure what interrupt handling costs, engine vs native"};
    app.set_version_flag("-V,--cli-version", IRQLAB_RELEASE_STRING);
    app.require_subcommand(1);
    app.footer("What a command attaches or starts ends with it, however it ends (Ctrl-C, "
               "SIGHUP, kill -9): the module undoes it when the command's /dev/irqlab "
               "closes. Claims, 'engine attach' and 'fire --no-wait' outlive the command.");

    int status = exit_ok;
    add_version_command(app, status);
    add_devices_command(app, status);
    add_claim_commands(app, status);
    add_vector_commands(app, status);
    add_fire_commands(app, status);
    add_stats_commands(app, status);
    add_engine_commands(app, status);
    add_compare_command(app, status);
    add_report_command(app, status);
    const CLI::App* torture = add_torture_command(app, status);
    add_generate_command(app, status);

    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        const int code = app.exit(e);
        if (code == 0)
            return exit_ok;
        // torture's exit statuses are locktorture-like: 0, 3, else 1.
        return torture->parsed() ? exit_error : exit_usage;
    } catch (const Error& e) {
        fmt::print(stderr, "irqlab: {}\n", e.what());
        return exit_error;
    }
    return status;
}
