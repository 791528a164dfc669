#include "fire_run.h"

#include <csignal>
#include <ctime>

namespace irqlab::cli {

namespace {

volatile std::sig_atomic_t signalled = 0;
bool stopped_by_signal = false;

void on_signal(int) {
    signalled = 1;
}

} // namespace

const std::map<std::string, irqlab_trigger>& trigger_names() {
    static const std::map<std::string, irqlab_trigger> names = {
        {"device", IRQLAB_TRIGGER_DEVICE},
        {"ipi", IRQLAB_TRIGGER_IPI},
        {"external", IRQLAB_TRIGGER_EXTERNAL}};
    return names;
}

const char* run_state_name(uint32_t state) {
    switch (state) {
    case IRQLAB_RUN_IDLE:
        return "idle";
    case IRQLAB_RUN_RUNNING:
        return "running";
    case IRQLAB_RUN_DONE:
        return "done";
    case IRQLAB_RUN_STOPPED:
        return "stopped";
    default:
        return "failed";
    }
}

irqlab_run_status wait_for_run(const Device& module, const std::string& bdf,
                               std::optional<std::chrono::steady_clock::time_point> stop_at) {
    struct sigaction action {};
    action.sa_handler = on_signal; // no SA_RESTART: the sleep returns
    sigaction(SIGINT, &action, nullptr);
    sigaction(SIGTERM, &action, nullptr);
    for (;;) {
        const irqlab_run_status status = module.run_status(bdf);
        if (status.state != IRQLAB_RUN_RUNNING)
            return status;
        if (signalled) {
            signalled = 0;
            stopped_by_signal = true;
            module.stop(bdf);
            continue;
        }
        if (stop_at && std::chrono::steady_clock::now() >= *stop_at) {
            stop_at.reset();
            module.stop(bdf);
            continue;
        }
        const timespec pause{0, 20'000'000};
        nanosleep(&pause, nullptr);
    }
}

bool run_interrupted() {
    return stopped_by_signal;
}

} // namespace irqlab::cli
