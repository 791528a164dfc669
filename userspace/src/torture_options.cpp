#include "torture_options.h"

#include "device.h"

#include <cctype>
#include <fmt/format.h>
#include <fmt/ranges.h>

namespace irqlab::cli::torture {

void add_options(CLI::App& command, Options& o) {
    command.add_option("--duration", o.duration,
                       "How long to run: N[s|m|h] (default 60s; hours are normal)");
    command
        .add_option("--seed", o.seed,
                    "Seed of every random choice; the same seed replays the same plan "
                    "(default: from the clock, printed in the header)")
        ->each([&o](const std::string&) { o.seed_given = true; });
    command.add_option("--device", o.devices,
                       "Claimed device to torture, repeatable (default: every claimed device)");
    command.add_option("--triggers", o.triggers,
                       "Comma-separated triggers to fire with: device, ipi (default device,ipi; "
                       "a device gets only those it supports)");
    command.add_option("--stat-interval", o.stat_interval,
                       "Seconds between statistics lines (0: none; default 10)");
    command.add_option("--shuffle-interval", o.shuffle_interval,
                       "Seconds between affinity shuffles of a random vector (0: none; default 3)");
    command.add_option("--onoff-interval", o.onoff_interval,
                       "Seconds between CPU offline/online steps (0: no hotplug; default 3)");
    command.add_option("--onoff-holdoff", o.onoff_holdoff,
                       "Seconds before the first CPU goes offline (default 5)");
    command.add_option("--stutter", o.stutter,
                       "Fire for N seconds, then stay silent for N seconds, and so on (0: fire "
                       "all the time; default 5)");
    command.add_option("--config-interval", o.config_interval,
                       "Seconds between flips of the engine's forced threading (0: none; "
                       "default 10)");
    command.add_option("--stuck-timeout", o.stuck_timeout,
                       "Seconds after which a run or an operation that has not ended counts as "
                       "stuck (default 120)");
    command.add_option("--max-count", o.max_count,
                       "Most interrupts per vector in one firing run (default 500)");
}

unsigned long long parse_duration(const std::string& text) {
    size_t digits = 0;
    while (digits < text.size() && std::isdigit(static_cast<unsigned char>(text[digits])))
        ++digits;
    const std::string unit = text.substr(digits);
    unsigned long long scale = 0;
    if (unit.empty() || unit == "s")
        scale = 1;
    else if (unit == "m")
        scale = 60;
    else if (unit == "h")
        scale = 3600;
    if (digits == 0 || digits > 9 || scale == 0)
        throw Error{fmt::format("--duration {}: expected N, Ns, Nm or Nh", text)};
    const unsigned long long n = std::stoull(text.substr(0, digits));
    if (n == 0)
        throw Error{"--duration must be more than 0"};
    return n * scale;
}

void check_options(Options& o, uint64_t fallback_seed) {
    o.seconds = parse_duration(o.duration);
    if (!o.seed_given)
        o.seed = fallback_seed;
    if (o.max_count == 0 || o.max_count > IRQLAB_MAX_COUNT)
        throw Error{fmt::format("--max-count must be 1-{}", IRQLAB_MAX_COUNT)};
    if (o.stuck_timeout < 10)
        throw Error{"--stuck-timeout must be at least 10 seconds"};
    size_t start = 0;
    bool any = false;
    while (start <= o.triggers.size()) {
        const size_t comma = o.triggers.find(',', start);
        const std::string name = o.triggers.substr(
            start, comma == std::string::npos ? std::string::npos : comma - start);
        if (name != "device" && name != "ipi")
            throw Error{fmt::format("--triggers: unknown trigger '{}' (device, ipi)", name)};
        any = true;
        if (comma == std::string::npos)
            break;
        start = comma + 1;
    }
    if (!any)
        throw Error{"--triggers: name at least one trigger"};
}

std::string params(const Options& o, const std::vector<std::string>& devices) {
    return fmt::format("duration={}s seed={} devices={} triggers={} stat_interval={} "
                       "shuffle_interval={} onoff_interval={} onoff_holdoff={} stutter={} "
                       "config_interval={} stuck_timeout={} max_count={}",
                       o.seconds, o.seed,
                       devices.empty() ? "-" : fmt::format("{}", fmt::join(devices, ",")),
                       o.triggers, o.stat_interval, o.shuffle_interval, o.onoff_interval,
                       o.onoff_holdoff, o.stutter, o.config_interval, o.stuck_timeout, o.max_count);
}

} // namespace irqlab::cli::torture
